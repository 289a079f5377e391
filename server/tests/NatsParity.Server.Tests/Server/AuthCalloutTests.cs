using System.Text;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Go's authTest helper: a server from a conf and the callout service, a client subscribed to
/// $SYS.REQ.USER.AUTH that answers each request from its own thread with what the handler returns (null for an empty
/// reply). A handler failure (Go's require in the handler) is rethrown by <see cref="Dispose"/>.</summary>
internal sealed class AuthCalloutTest : IDisposable
{
    public const string Issuer = "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA";
    public const string IssuerSeed = "SAANDLKMXL6CUS3CP52WIXBEDN6YJ545GDKC65U5JZPPV6WH6ESWUA6YAI";

    public NatsServer Server { get; }
    public ProtoClient AuthClient { get; }
    private readonly Func<AuthorizationRequestClaims, byte[]?> _handler;
    private readonly Thread _loop;
    private volatile bool _stopping;
    private Exception? _failure;
    private int _callouts;
    private readonly List<ProtoClient> _clients = [];

    public int Callouts => Volatile.Read(ref _callouts);

    public AuthCalloutTest(string conf, Func<AuthorizationRequestClaims, byte[]?> handler, string user = "auth", string pass = "pwd")
    {
        Server = InProcess.RunConf(conf);
        _handler = handler;
        AuthClient = ProtoClient.Connect("127.0.0.1", Server.Port);
        AuthClient.Send($"CONNECT {ConnectJson(user, pass)}\r\nSUB {NatsServer.AuthCalloutSubject} 1\r\nPING\r\n");
        AuthClient.ExpectLine(ProtoRegex.Pong, TimeSpan.FromSeconds(5));
        _loop = new Thread(Serve) { IsBackground = true, Name = "auth-callout-service" };
        _loop.Start();
    }

    /// <summary>nats.go's CONNECT with user and password (or token when <paramref name="pass"/> is null).</summary>
    public static string ConnectJson(string? user, string? pass, string? token = null)
    {
        var o = new Dictionary<string, object> { ["verbose"] = false, ["pedantic"] = false, ["lang"] = "go", ["version"] = "1.39.1", ["protocol"] = 1, ["headers"] = true, ["no_responders"] = true };
        if (user is not null) o["user"] = user;
        if (pass is not null) o["pass"] = pass;
        if (token is not null) o["auth_token"] = token;
        return JsonSerializer.Serialize(o);
    }

    private void Serve()
    {
        while (!_stopping)
        {
            MsgFrame m;
            // One long read: a timed-out read would leave the connection unusable; Dispose ends it by closing.
            try { m = ReadMsg(AuthClient, TimeSpan.FromHours(1)); }
            catch (Exception e)
            {
                if (!_stopping) _failure ??= e;
                return;
            }
            try
            {
                Interlocked.Increment(ref _callouts);
                var req = AuthorizationRequestClaims.Decode(m.PayloadText);
                byte[] resp = _handler(req) ?? [];
                var frame = new byte[0].Concat(Encoding.ASCII.GetBytes($"PUB {m.Reply} {resp.Length}\r\n")).Concat(resp).Concat("\r\n"u8.ToArray()).ToArray();
                AuthClient.Send(frame);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
        }
    }

    /// <summary>Go's at.Connect: a client that must be authorized (PONG for its PING).</summary>
    public ProtoClient Connect(string? user = null, string? pass = null, string? token = null)
    {
        var c = ProtoClient.Connect("127.0.0.1", Server.Port);
        _clients.Add(c);
        c.Send($"CONNECT {ConnectJson(user, pass, token)}\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Pong, TimeSpan.FromSeconds(5));
        return c;
    }

    /// <summary>Go's at.RequireConnectError: the server refuses the client.</summary>
    public void RequireConnectError(string? user = null, string? pass = null, string? token = null)
    {
        using var c = ProtoClient.Connect("127.0.0.1", Server.Port);
        c.Send($"CONNECT {ConnectJson(user, pass, token)}\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Err, TimeSpan.FromSeconds(5)).Groups[1].Value.ShouldBe("'Authorization Violation'");
    }

    /// <summary>Go's createAuthUser: a user JWT for <paramref name="user"/>, placed (outside operator mode) by its
    /// audience when <paramref name="account"/> is not an account key.</summary>
    public static string CreateAuthUser(string user, string name, string account, string issuerAccount, NKeyPair? akp,
        TimeSpan expires, UserPermissionLimits? limits)
    {
        akp ??= NKeyPair.FromSeed(IssuerSeed);
        var uc = new UserClaims(user);
        if (issuerAccount.Length > 0) uc.IssuerAccount = issuerAccount;
        if (!NKeys.IsValidPublicAccountKey(account)) uc.Audience = account;
        if (name.Length > 0) uc.Name = name;
        if (expires != TimeSpan.Zero) uc.Expires = DateTimeOffset.UtcNow.Add(expires).ToUnixTimeSeconds();
        if (limits is not null) uc.UserPermissionLimits = limits;
        return uc.Encode(akp);
    }

    /// <summary>Go's serviceResponse: the response for <paramref name="userId"/> to server <paramref name="serverId"/>,
    /// signed by the issuer account.</summary>
    public static byte[] ServiceResponse(string userId, string serverId, string uJwt, string errMsg, TimeSpan expires)
    {
        var cr = new AuthorizationResponseClaims(userId) { Audience = serverId, Error = errMsg, Jwt = uJwt };
        if (expires != TimeSpan.Zero) cr.Expires = DateTimeOffset.UtcNow.Add(expires).ToUnixTimeSeconds();
        return Encoding.ASCII.GetBytes(cr.Encode(NKeyPair.FromSeed(IssuerSeed)));
    }

    /// <summary>The next MSG or HMSG, past the async INFO and PINGs nats.go takes care of.</summary>
    public static MsgFrame ReadMsg(ProtoClient c, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return c.ReadMsg(end - DateTime.UtcNow); }
            catch (ProtoException) when (DateTime.UtcNow < end)
            {
                string line = c.ReadLine(TimeSpan.FromSeconds(1));
                if (line.StartsWith("PING", StringComparison.Ordinal)) c.Send("PONG\r\n");
                else if (!line.StartsWith("INFO", StringComparison.Ordinal)) throw new ProtoException($"unexpected \"{line}\"");
            }
        }
    }

    /// <summary>The reply to a $SYS.REQ.USER.INFO request's "data".</summary>
    public static JsonElement UserInfo(ProtoClient c)
    {
        c.Send("SUB _INBOX.ui ui\r\nPUB $SYS.REQ.USER.INFO _INBOX.ui 0\r\n\r\n");
        var m = ReadMsg(c, TimeSpan.FromSeconds(5));
        c.Send("UNSUB ui\r\n");
        using var doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.GetProperty("data").Clone();
    }

    public void Dispose()
    {
        _stopping = true;
        foreach (var c in _clients) c.Dispose();
        AuthClient.Dispose();
        _loop.Join(TimeSpan.FromSeconds(5));
        Server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_failure is not null) throw new Xunit.Sdk.XunitException($"auth callout handler failed: {_failure}");
    }
}

/// <summary>Ports of server/auth_callout_test.go that run on one server.</summary>
public sealed class AuthCalloutTests
{
    private const string BasicConf = """
        listen: "127.0.0.1:-1"
        server_name: A
        authorization {
            timeout: 1s
            users: [ { user: "auth", password: "pwd" } ]
            auth_callout {
                issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                auth_users: [ auth ]
            }
        }
        """;

    [Fact, GoTest("server/auth_callout_test.go", "TestTitleCaseEmptyString")]
    public void TitleCaseEmptyString() => NatsServer.TitleCase("").ShouldBe("");

    private static void ShouldBeDlcInfo(JsonElement info, string user)
    {
        info.GetProperty("user").GetString().ShouldBe(user);
        info.GetProperty("account").GetString().ShouldBe("$G");
        info.GetProperty("account_name").GetString().ShouldBe("$G");
        var perms = info.GetProperty("permissions");
        perms.GetProperty("publish").GetRawText().ShouldBe("""{"allow":["$SYS.>"],"deny":["$SYS.REQ.USER.AUTH"]}""");
        perms.GetProperty("subscribe").GetRawText().ShouldBe("{}");
        perms.EnumerateObject().Count().ShouldBe(2);
        info.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["account", "account_name", "expires", "permissions", "user"]);
        var expires = TimeSpan.FromTicks(info.GetProperty("expires").GetInt64() / 100);
        expires.ShouldBeLessThanOrEqualTo(TimeSpan.FromMinutes(10));
        expires.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(5));
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutBasics")]
    public void AuthCalloutBasics()
    {
        using var at = new AuthCalloutTest(BasicConf, req =>
        {
            string user = req.UserNkey;
            req.Server.Name.ShouldBe("A");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            var opts = req.ConnectOptions;
            if ((opts.Username == "dlc" && opts.Password == "zzz") || opts.Token == "SECRET_TOKEN")
            {
                var j = new UserPermissionLimits();
                j.Permissions.Pub.Allow.Add("$SYS.>");
                j.Payload = 1024;
                if (opts.Token == "SECRET_TOKEN") req.ClientInformation.User.ShouldBe("[REDACTED]");
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "", "$G", "", null, TimeSpan.FromMinutes(10), j);
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }
            if (opts.Username == "proxy")
            {
                var j = new UserPermissionLimits { ProxyRequired = true };
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "", "$G", "", null, TimeSpan.FromMinutes(10), j);
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }
            return null;
        });

        at.RequireConnectError("dlc", "xxx");
        at.RequireConnectError("proxy", "xxx");

        var nc = at.Connect("dlc", "zzz");
        ShouldBeDlcInfo(AuthCalloutTest.UserInfo(nc), "dlc");
        nc.Dispose();

        nc = at.Connect(token: "SECRET_TOKEN");
        ShouldBeDlcInfo(AuthCalloutTest.UserInfo(nc), "[REDACTED]");
    }
}
