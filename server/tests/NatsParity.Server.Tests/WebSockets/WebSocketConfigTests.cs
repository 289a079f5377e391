using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Server.WebSockets;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.WebSockets;

/// <summary>Ports of Go's websocket_test.go for the websocket {} block: parsing, validation, origin checks and the
/// listener failing to start.</summary>
public sealed class WebSocketConfigTests
{
    /// <summary>Go's ProcessConfigFile on <paramref name="content"/>: the options, or the error.</summary>
    private static (ServerOptions Opts, Exception? Err) Process(string content)
    {
        string path = InProcess.WriteConf(content);
        var o = new ServerOptions();
        try
        {
            o.ProcessConfigFile(path);
            return (o, null);
        }
        catch (Exception e) when (e is ConfigException or ConfigProcessException)
        {
            return (o, e);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSParseOptions")]
    [InlineData("websocket: []", "to be a map")]
    [InlineData("websocket: { listen: [] }", "port or host:port")]
    [InlineData("websocket: { port: \"abc\" }", "not int64")]
    [InlineData("websocket: { host: 123 }", "not string")]
    [InlineData("websocket: { advertise: 123 }", "not string")]
    [InlineData("websocket: { tls: 123 }", "not map[string]interface {}")]
    [InlineData("websocket: { same_origin: \"abc\" }", "not bool")]
    [InlineData("websocket: { allowed_origins: {} }", "unsupported type")]
    [InlineData("websocket: { allowed_origins: [ {} ] }", "unsupported type in array")]
    [InlineData("websocket: { handshake_timeout: [] }", "unsupported type")]
    [InlineData("websocket: { handshake_timeout: \"abc\" }", "invalid duration")]
    [InlineData("websocket: { headers: 123 }", "unsupported type")]
    [InlineData("websocket: { headers: [] }", "unsupported type")]
    [InlineData("websocket: { headers: { \"key\": 123 } }", "unsupported type")]
    [InlineData("websocket: { this_does_not_exist: 123 }", "unknown")]
    public void ParseOptionsErrors(string content, string err)
    {
        var (_, e) = Process(content);
        e.ShouldNotBeNull($"content {content}");
        e.Message.ShouldContain(err);
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSParseOptions")]
    public void ParseOptions()
    {
        WebsocketOptions Ok(string content)
        {
            var (o, e) = Process(content);
            e.ShouldBeNull($"content {content}");
            return o.Websocket;
        }
        Ok("websocket { listen: 1234 }").Port.ShouldBe(1234);
        var hp = Ok("websocket { listen: \"localhost:1234\" }");
        (hp.Host, hp.Port).ShouldBe(("localhost", 1234));
        Ok("websocket { host: \"localhost\" }").Host.ShouldBe("localhost");
        Ok("websocket { port: 1234 }").Port.ShouldBe(1234);
        Ok("websocket { advertise: \"host:1234\" }").Advertise.ShouldBe("host:1234");
        Ok("websocket { same_origin: true }").SameOrigin.ShouldBeTrue();
        Ok("websocket { allowed_origins: \"https://host.com/\" }").AllowedOrigins.ShouldBe(["https://host.com/"]);
        Ok("websocket {\n allowed_origins: [\n \"https://host1.com/\"\n \"https://host2.com/\"\n ]\n}").AllowedOrigins
            .ShouldBe(["https://host1.com/", "https://host2.com/"]);
        Ok("websocket { handshake_timeout: 3 }").HandshakeTimeout.ShouldBe(TimeSpan.FromSeconds(3));
        Ok("websocket { handshake_timeout: \"4s\" }").HandshakeTimeout.ShouldBe(TimeSpan.FromSeconds(4));
        using (var pki = new TestPki())
            Ok($"websocket {{\n tls {{\n cert_file: \"{pki.ServerCertFile}\"\n key_file: \"{pki.ServerKeyFile}\"\n }}\n}}").Tls.ShouldNotBeNull();
        Ok("websocket {\n compression: true\n}").Compression.ShouldBeTrue();
        Ok("websocket {\n jwt_cookie: \"jwtcookie\"\n}").JwtCookie.ShouldBe("jwtcookie");
        Ok("websocket {\n no_auth_user: \"noauthuser\"\n}").NoAuthUser.ShouldBe("noauthuser");
        var auth = Ok("websocket {\n authorization {\n user: \"webuser\"\n password: \"pwd\"\n token: \"token\"\n timeout: 2.0\n }\n}");
        (auth.Username, auth.Password, auth.Token, auth.AuthTimeout).ShouldBe(("webuser", "pwd", "token", 2.0));
        Ok("websocket {\n authorization {\n timeout: 2\n }\n}").AuthTimeout.ShouldBe(2.0);
        var headers = Ok("websocket {\n headers {\n \"X-Header\": \"some-value\"\n \"X-Another-Header\": \"another-value\"\n }\n}").Headers!;
        headers.Count.ShouldBe(2);
        headers.ShouldContain(new KeyValuePair<string, string>("X-Header", "some-value"));
        headers.ShouldContain(new KeyValuePair<string, string>("X-Another-Header", "another-value"));
    }

    /// <summary>Go's testWSOptions: a websocket listener on a random loopback port with TLS (files not read here).</summary>
    private static ServerOptions WsOptions() => new()
    {
        NoLog = true,
        Websocket = new WebsocketOptions
        {
            Host = "127.0.0.1", Port = -1,
            Tls = new ServerOptions { Tls = true, TlsCert = "server.pem", TlsKey = "key.pem" },
        },
    };

    public static TheoryData<string, string> ValidateCases() => new()
    {
        { "websocket disabled", "" },
        { "no tls", "requires TLS configuration" },
        { "bad url in allowed list", "unable to parse" },
        { "allowed origin must be absolute URL", "unable to parse" },
        { "allowed origin scheme must be http or https", "must be absolute URLs with http or https scheme" },
        { "missing trusted configuration", "keys configuration is required" },
        { "websocket username not allowed if users specified", "websocket authentication username not compatible with presence of users/nkeys" },
        { "websocket token not allowed if users specified", "websocket authentication token not compatible with presence of users/nkeys" },
        { "headers with sec-websocket- prefix not allowed", "invalid header \"Sec-WebSocket-Key\", \"Sec-WebSocket-\" prefix not allowed" },
        { "header with host", "websocket: invalid header \"Host\" not allowed" },
        { "header with content-length", "websocket: invalid header \"Content-Length\" not allowed" },
        { "header with connection", "websocket: invalid header \"Connection\" not allowed" },
        { "header with upgrade", "websocket: invalid header \"Upgrade\" not allowed" },
        { "header with Nats-No-Masking", "websocket: invalid header \"Nats-No-Masking\" not allowed" },
        { "disabled websocket listener", "" },
        // Go refuses websocket in FIPS mode only when built with a Go that lacks its FIPS support; .NET has none to lack.
        { "fips websocket listener", "" },
    };

    [Theory, GoTest("server/websocket_test.go", "TestWSValidateOptions")]
    [MemberData(nameof(ValidateCases))]
    public void ValidateOptions(string name, string err)
    {
        var o = name == "websocket disabled" ? new ServerOptions { NoLog = true } : WsOptions();
        var ws = o.Websocket;
        switch (name)
        {
            case "no tls": ws.Tls = null; break;
            case "bad url in allowed list": ws.AllowedOrigins = ["http://this:is:bad:url"]; break;
            case "allowed origin must be absolute URL": ws.AllowedOrigins = ["foo"]; break;
            case "allowed origin scheme must be http or https": ws.AllowedOrigins = ["ftp://host.com"]; break;
            case "missing trusted configuration": ws.JwtCookie = "jwt"; break;
            case "websocket username not allowed if users specified":
                o.Nkeys = [new Auth.NkeyUser { Nkey = "abc" }];
                (ws.Username, ws.Password) = ("b", "pwd");
                break;
            case "websocket token not allowed if users specified":
                o.Nkeys = [new Auth.NkeyUser { Nkey = "abc" }];
                ws.Token = "mytoken";
                break;
            case "headers with sec-websocket- prefix not allowed": ws.Headers = [new("Sec-WebSocket-Key", "123")]; break;
            case "header with host": ws.Headers = [new("Host", "http://localhost:8080")]; break;
            case "header with content-length": ws.Headers = [new("Content-Length", "0")]; break;
            case "header with connection": ws.Headers = [new("Connection", "Upgrade")]; break;
            case "header with upgrade": ws.Headers = [new("Upgrade", "websocket")]; break;
            case "header with Nats-No-Masking": ws.Headers = [new("Nats-No-Masking", "false")]; break;
            case "disabled websocket listener": ws.Port = 0; break;
        }
        string? result = o.Validate();
        if (err.Length == 0) result.ShouldBeNull();
        else
        {
            result.ShouldNotBeNull();
            result.ShouldContain(err);
        }
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSNoAuthUserValidation")]
    public void NoAuthUserValidation()
    {
        var o = WsOptions();
        o.Users = [new Auth.User { Username = "user", Password = "pwd" }];
        o.Websocket.NoAuthUser = "notfound";
        Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain("not present as user");

        // A valid top-level no_auth_user does not make up for the websocket one.
        o = WsOptions();
        o.Users = [new Auth.User { Username = "user", Password = "pwd" }];
        o.NoAuthUser = "user";
        o.Websocket.NoAuthUser = "notfound";
        Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain("not present as user");
    }

    public static TheoryData<string, bool, string[], string, bool, string, string> OriginCases()
    {
        string[] empty = [], someList = ["http://host1.com", "http://host2.com:1234"], sameHostMultiScheme = ["http://host3.com", "https://host3.com"];
        return new()
        {
            { "any", false, empty, "", false, "http://any.host.com", "" },
            { "same origin ok", true, empty, "host.com", false, "http://host.com:80", "" },
            { "same origin bad host", true, empty, "host.com", false, "http://other.host.com", "not same origin" },
            { "same origin bad port", true, empty, "host.com", false, "http://host.com:81", "not same origin" },
            { "same origin bad scheme explicit port", true, empty, "host.com:443", true, "http://host.com:443", "not same origin" },
            { "same origin bad scheme", true, empty, "host.com", true, "http://host.com", "not same origin" },
            { "same origin bad uri", true, empty, "host.com", false, "@@@://invalid:url:1234", "invalid URI" },
            { "same origin bad url", true, empty, "host.com", false, "http://invalid:url:1234", "too many colons" },
            { "same origin bad req host", true, empty, "invalid:url:1234", false, "http://host.com", "too many colons" },
            { "no origin same origin ignored", true, empty, "", false, "", "" },
            { "no origin list ignored", true, someList, "", false, "", "" },
            { "no origin same origin and list ignored", true, someList, "", false, "", "" },
            { "allowed from list", false, someList, "", false, "http://host2.com:1234", "" },
            { "allowed with different path", false, someList, "", false, "http://host1.com/some/path", "" },
            { "allowed from list same host http", false, sameHostMultiScheme, "", false, "http://host3.com", "" },
            { "allowed from list same host https", false, sameHostMultiScheme, "", false, "https://host3.com", "" },
            { "list bad port", false, someList, "", false, "http://host1.com:1234", "not in the allowed list" },
            { "list bad scheme", false, someList, "", false, "https://host2.com:1234", "not in the allowed list" },
        };
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSCheckOrigin")]
    [MemberData(nameof(OriginCases))]
    public void CheckOrigin(string name, bool sameOrigin, string[] origins, string reqHost, bool reqTls, string origin, string err)
    {
        var o = new WebsocketOptions { SameOrigin = sameOrigin, AllowedOrigins = [.. origins] };
        var req = new WsHttpRequest { Host = reqHost };
        if (origin.Length > 0) req.Headers["Origin"] = [origin];
        string? result = WsUpgrade.CheckOrigin(o, reqTls, req);
        if (err.Length == 0) result.ShouldBeNull(name);
        else
        {
            result.ShouldNotBeNull(name);
            result.ShouldContain(err);
        }
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSFailureToStartServer")]
    public async Task FailureToStartServer()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        string log = Path.Combine(Path.GetTempPath(), $"natsparity-ws-{Guid.NewGuid():N}.log");
        try
        {
            var o = new ServerOptions
            {
                Host = "127.0.0.1", Port = ServerOptions.RandomPort,
                Websocket = new WebsocketOptions { Host = "127.0.0.1", Port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port, NoTls = true },
            };
            using (var logger = new ServerLogger(debug: false, trace: false, logtime: false, file: log))
            {
                await using var s = new NatsServer(o, logger);
                Should.Throw<InvalidOperationException>(() => s.Start()).Message.ShouldContain("Unable to listen");
            }
            File.ReadAllText(log).ShouldContain("[FTL] Unable to listen for websocket connections");
        }
        finally
        {
            File.Delete(log);
        }
    }

    /// <summary>Go's diffOptions refuses any change of websocket {} but its TLS; a random port is not a change.</summary>
    [Fact]
    public async Task ReloadRefusesWebsocketChanges()
    {
        string conf = "listen: \"127.0.0.1:-1\"\nwebsocket {\n  listen: \"127.0.0.1:-1\"\n  no_tls: true\n}\n";
        await using var s = InProcess.RunConf(conf, out string path);
        try
        {
            s.Reload().ShouldBeNull("the same websocket block reloads");
            File.WriteAllText(path, conf.Replace("no_tls: true", "no_tls: true\n  compression: true"));
            s.Reload()!.ShouldStartWith("config reload not supported for Websocket: old=");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
