using System.Text;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
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
    private readonly Func<MsgFrame, byte[]?> _handler;
    // Upgrades each connection to TLS (with its client certificate) after the INFO, as nats.go's TLS options do.
    private readonly Action<ProtoClient>? _tls;
    private readonly Thread _loop;
    private volatile bool _stopping;
    private Exception? _failure;
    private int _callouts;
    private readonly List<ProtoClient> _clients = [];
    private readonly object _sendLock = new();
    private readonly System.Collections.Concurrent.BlockingCollection<MsgFrame> _other = [];
    private int _sid = 1;

    public int Callouts => Volatile.Read(ref _callouts);

    /// <summary>What a handler returns to leave a request unanswered (Go's handler not calling Respond).</summary>
    public static readonly byte[] NoResponse = new byte[1];

    public AuthCalloutTest(string conf, Func<AuthorizationRequestClaims, byte[]?> handler, string user = "auth", string pass = "pwd")
        : this(conf, handler, _ => ConnectJson(user, pass))
    {
    }

    /// <summary>The service connects with the CONNECT <paramref name="connect"/> makes (from the connection's INFO).</summary>
    public AuthCalloutTest(string conf, Func<AuthorizationRequestClaims, byte[]?> handler, Func<ProtoClient, string> connect)
        : this(conf, (MsgFrame m) => handler(AuthorizationRequestClaims.Decode(m.PayloadText)), connect)
    {
    }

    /// <summary>A service that sees the request message itself (headers and raw, possibly encrypted, payload).</summary>
    public AuthCalloutTest(string conf, Func<MsgFrame, byte[]?> handler, Func<ProtoClient, string> connect, Action<ProtoClient>? tls = null)
    {
        Server = InProcess.RunConf(conf);
        _handler = handler;
        _tls = tls;
        AuthClient = ProtoClient.Connect("127.0.0.1", Server.Port);
        _tls?.Invoke(AuthClient);
        AuthClient.Send($"CONNECT {connect(AuthClient)}\r\nSUB {NatsServer.AuthCalloutSubject} 1\r\nPING\r\n");
        ExpectPong(AuthClient);
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
            if (m.Sid != "1")
            {
                _other.Add(m);
                continue;
            }
            try
            {
                Interlocked.Increment(ref _callouts);
                byte[] resp = _handler(m) ?? [];
                if (ReferenceEquals(resp, NoResponse)) continue;
                var frame = new byte[0].Concat(Encoding.ASCII.GetBytes($"PUB {m.Reply} {resp.Length}\r\n")).Concat(resp).Concat("\r\n"u8.ToArray()).ToArray();
                lock (_sendLock) AuthClient.Send(frame);
            }
            catch (Exception e)
            {
                _failure ??= e;
            }
        }
    }

    /// <summary>Go's authClient.SubscribeSync: messages on <paramref name="subject"/> to the service's connection are
    /// read with <see cref="NextMsg"/>.</summary>
    public void Subscribe(string subject)
    {
        lock (_sendLock) AuthClient.Send($"SUB {subject} {Interlocked.Increment(ref _sid)}\r\n");
    }

    /// <summary>Go's authClient.Request on the service's connection: the reply's "data".</summary>
    public JsonElement AuthClientUserInfo()
    {
        int sid = Interlocked.Increment(ref _sid);
        lock (_sendLock) AuthClient.Send($"SUB _INBOX.svc{sid} {sid}\r\nPUB $SYS.REQ.USER.INFO _INBOX.svc{sid} 0\r\n\r\n");
        var m = NextMsg(TimeSpan.FromSeconds(5));
        using var doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.GetProperty("data").Clone();
    }

    /// <summary>Go's sub.NextMsg.</summary>
    public MsgFrame NextMsg(TimeSpan timeout)
    {
        if (!_other.TryTake(out var m, timeout)) throw new Xunit.Sdk.XunitException("timeout waiting for a message");
        return m;
    }

    /// <summary>Go's checkSubsPending(sub, 0) right after the check.</summary>
    public int PendingMsgs => _other.Count;

    /// <summary>Go's at.Connect: a client that must be authorized (PONG for its PING).</summary>
    public ProtoClient Connect(string? user = null, string? pass = null, string? token = null) => Connect(_ => ConnectJson(user, pass, token));

    public ProtoClient Connect(Func<ProtoClient, string> connect)
    {
        var c = ProtoClient.Connect("127.0.0.1", Server.Port);
        lock (_clients) _clients.Add(c);
        _tls?.Invoke(c);
        c.Send($"CONNECT {connect(c)}\r\nPING\r\n");
        ExpectPong(c);
        return c;
    }

    /// <summary>nats.go's CONNECT with user credentials (a JWT and the nonce signed by its key) and a token.</summary>
    public static string CredsConnectJson(ProtoClient c, string? ujwt, NKeyPair? ukp, string? token = null, string? name = null)
    {
        var o = new Dictionary<string, object> { ["verbose"] = false, ["pedantic"] = false, ["lang"] = "go", ["version"] = "1.39.1", ["protocol"] = 1, ["headers"] = true, ["no_responders"] = true };
        if (name is not null) o["name"] = name;
        if (ujwt is not null) o["jwt"] = ujwt;
        if (ukp is not null)
        {
            string nonce = c.Info is { } info && info.TryGetProperty("nonce", out var n) ? n.GetString()! : "";
            o["sig"] = JwtCodec.Base64Url(ukp.Sign(Encoding.ASCII.GetBytes(nonce)));
        }
        if (token is not null) o["auth_token"] = token;
        return JsonSerializer.Serialize(o);
    }

    /// <summary>The PONG for a PING, past any async INFO.</summary>
    public static void ExpectPong(ProtoClient c)
    {
        string line;
        while ((line = c.ReadLine(TimeSpan.FromSeconds(5))).StartsWith("INFO ", StringComparison.Ordinal)) { }
        line.ShouldBe("PONG\r\n");
    }

    /// <summary>Go's at.RequireConnectError: the server refuses the client.</summary>
    public void RequireConnectError(string? user = null, string? pass = null, string? token = null) =>
        RequireConnectError(_ => ConnectJson(user, pass, token));

    public void RequireConnectError(Func<ProtoClient, string> connect)
    {
        using var c = ProtoClient.Connect("127.0.0.1", Server.Port);
        _tls?.Invoke(c);
        c.Send($"CONNECT {connect(c)}\r\nPING\r\n");
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
        lock (_clients) foreach (var c in _clients) c.Dispose();
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

    private static JsonElement UserInfoOf(ProtoClient nc) => AuthCalloutTest.UserInfo(nc);

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutMultiAccounts")]
    public void AuthCalloutMultiAccounts()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: ZZ
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
                FOO {}
                BAR {}
                BAZ {}
            }
            authorization {
                timeout: 1s
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            string user = req.UserNkey;
            req.Server.Name.ShouldBe("ZZ");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            if (req.ConnectOptions.Username == "dlc" && req.ConnectOptions.Password == "zzz")
            {
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "", "BAZ", "", null, TimeSpan.Zero, null);
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }
            return null;
        });
        var nc = at.Connect("dlc", "zzz");
        var info = UserInfoOf(nc);
        info.GetProperty("user").GetString().ShouldBe("dlc");
        info.GetProperty("account").GetString().ShouldBe("BAZ");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutAllowedAccounts")]
    public void AuthCalloutAllowedAccounts()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: ZZ
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
                FOO { users [ {user: "foo", password: "pwd"} ] }
                BAR {}
                SYS { users [ {user: "sys", password: "pwd"} ] }
            }
            system_account: SYS
            no_auth_user: foo
            authorization {
                timeout: 1s
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                    allowed_accounts: [ BAR ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            string user = req.UserNkey;
            req.Server.Name.ShouldBe("ZZ");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            if (req.ConnectOptions.Username == "dlc" && req.ConnectOptions.Password == "zzz")
            {
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "", "BAR", "", null, TimeSpan.Zero, null);
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }
            return null;
        });
        foreach (var (user, password, account) in new[] { ("dlc", "zzz", "BAR"), ("foo", "", "FOO"), ("sys", "pwd", "SYS") })
        {
            var nc = password.Length == 0 ? at.Connect() : at.Connect(user, password);
            var info = UserInfoOf(nc);
            info.GetProperty("user").GetString().ShouldBe(user);
            info.GetProperty("account").GetString().ShouldBe(account);
            nc.Dispose();
        }
    }

    private const string NoAuthUserConf = """
        listen: "127.0.0.1:-1"
        server_name: ZZ
        accounts {
            AUTH { users [ {user: "auth", password: "pwd"} ] }
            FOO { users [ {user: "foo", password: "pwd"} ] }
            SYS { users [ {user: "sys", password: "pwd"} ] }
        }
        system_account: SYS
        no_auth_user: foo
        authorization {
            timeout: 1s
            auth_callout {
                issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                account: AUTH
                auth_users: [ auth ]
            }
        }
        """;

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutNoAuthUserPreConnectInvokesCallout")]
    public void AuthCalloutNoAuthUserPreConnectInvokesCallout()
    {
        using var at = new AuthCalloutTest(NoAuthUserConf, _ => null);
        using var c = ProtoClient.Connect("127.0.0.1", at.Server.Port);
        c.Send("PING\r\n");
        string line = c.ReadLine(TimeSpan.FromSeconds(2));
        line.ShouldNotStartWith("PONG");
        line.ShouldContain("Authorization Violation");
        at.Callouts.ShouldBeGreaterThan(0);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutNoAuthUserPreConnectHonorsExpiration")]
    public void AuthCalloutNoAuthUserPreConnectHonorsExpiration()
    {
        using var at = new AuthCalloutTest(NoAuthUserConf, req =>
        {
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "foo", "FOO", "", null, TimeSpan.FromSeconds(1), null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        });
        using var c = ProtoClient.Connect("127.0.0.1", at.Server.Port);
        c.Send("PING\r\n");
        c.ReadLine(TimeSpan.FromSeconds(2)).ShouldStartWith("PONG");
        bool expired = false;
        var end = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < end)
        {
            string line;
            try { line = c.ReadLine(end - DateTime.UtcNow); }
            catch (Exception e) when (e is ProtoException or IOException) { break; }
            if (line.Contains("User Authentication Expired")) expired = true;
        }
        expired.ShouldBeTrue();
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutServerTags")]
    public void AuthCalloutServerTags()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: A
            server_tags: ["foo", "bar"]
            authorization {
                users: [ { user: "auth", password: "pwd" } ]
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                }
            }
            """;
        var tch = new System.Collections.Concurrent.BlockingCollection<List<string>>();
        using var at = new AuthCalloutTest(conf, req =>
        {
            tch.Add(req.Server.Tags);
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "$G", "", null, TimeSpan.FromMinutes(10), null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        });
        at.Connect();
        tch.TryTake(out var tags, TimeSpan.FromSeconds(5)).ShouldBeTrue();
        tags!.Count.ShouldBe(2);
        tags.ShouldContain("foo");
        tags.ShouldContain("bar");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutErrorResponse")]
    public void AuthCalloutErrorResponse()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: A
            authorization {
                users: [ { user: "auth", password: "pwd" } ]
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req => AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, "", "BAD AUTH", TimeSpan.Zero));
        at.RequireConnectError("dlc", "zzz");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutAuthUserFailDoesNotInvokeCallout")]
    public void AuthCalloutAuthUserFailDoesNotInvokeCallout()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: A
            authorization {
                users: [ { user: "auth", password: "pwd" } ]
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req => AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, "", "WRONG PASSWORD", TimeSpan.Zero));
        at.RequireConnectError("auth", "zzz");
        at.Callouts.ShouldBe(0);
    }

    private const string AuthFooConf = """
        listen: "127.0.0.1:-1"
        server_name: A
        accounts {
            AUTH { users [ {user: "auth", password: "pwd"} ] }
            FOO {}
            BAR {}
        }
        authorization {
            auth_callout {
                issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                account: AUTH
                auth_users: [ auth ]
            }
        }
        """;

    /// <summary>Go's checkAuthErrEvent: the refused client's account auth error event names the reason.</summary>
    private static void CheckAuthErrEvent(AuthCalloutTest at, string user, string pass, string reason, bool ignoreCase = false)
    {
        at.RequireConnectError(user, pass);
        var m = at.NextMsg(TimeSpan.FromSeconds(1));
        using var doc = JsonDocument.Parse(m.Payload);
        string got = doc.RootElement.GetProperty("reason").GetString()!;
        if (ignoreCase) got.ToLowerInvariant().ShouldContain(reason.ToLowerInvariant());
        else got.ShouldContain(reason);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutAuthErrEvents")]
    public void AuthCalloutAuthErrEvents()
    {
        using var at = new AuthCalloutTest(AuthFooConf, req =>
        {
            string user = req.UserNkey;
            var opts = req.ConnectOptions;
            if (opts.Username == "dlc" && opts.Password == "zzz")
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, AuthCalloutTest.CreateAuthUser(user, "", "FOO", "", null, TimeSpan.Zero, null), "", TimeSpan.Zero);
            if (opts.Username == "dlc") return AuthCalloutTest.ServiceResponse(user, req.Server.Id, "", "WRONG PASSWORD", TimeSpan.Zero);
            if (opts.Username == "rip") return AuthCalloutTest.ServiceResponse(user, req.Server.Id, "", "BAD CREDS", TimeSpan.Zero);
            if (opts.Username == "proxy")
            {
                var j = new UserPermissionLimits { ProxyRequired = true };
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, AuthCalloutTest.CreateAuthUser(user, "", "FOO", "", null, TimeSpan.Zero, j), "", TimeSpan.Zero);
            }
            throw new InvalidOperationException("Go's handler does not answer this user");
        });
        at.Subscribe("$SYS.ACCOUNT.CLIENT.AUTH.ERR");
        at.Connect("dlc", "zzz");
        Thread.Sleep(100);
        at.PendingMsgs.ShouldBe(0);
        CheckAuthErrEvent(at, "dlc", "xxx", "WRONG PASSWORD", ignoreCase: true);
        CheckAuthErrEvent(at, "rip", "abc", "BAD CREDS", ignoreCase: true);
        CheckAuthErrEvent(at, "proxy", "proxy", "proxy connection required", ignoreCase: true);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutBadServer")]
    public void AuthCalloutBadServer()
    {
        using var at = new AuthCalloutTest(AuthFooConf, req =>
        {
            string spk = NKeyPair.Create(NKeys.PrefixServer).PublicKey;
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "FOO", "", null, TimeSpan.Zero, null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, spk, ujwt, "", TimeSpan.Zero);
        });
        at.Subscribe("$SYS.ACCOUNT.CLIENT.AUTH.ERR");
        CheckAuthErrEvent(at, "hello", "world", "response is not for server");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutBadUser")]
    public void AuthCalloutBadUser()
    {
        using var at = new AuthCalloutTest(AuthFooConf, req =>
        {
            string upk = NKeyPair.Create(NKeys.PrefixUser).PublicKey;
            string ujwt = AuthCalloutTest.CreateAuthUser(upk, "", "FOO", "", null, TimeSpan.Zero, null);
            return AuthCalloutTest.ServiceResponse(upk, req.Server.Id, ujwt, "", TimeSpan.Zero);
        });
        at.Subscribe("$SYS.ACCOUNT.CLIENT.AUTH.ERR");
        CheckAuthErrEvent(at, "hello", "world", "auth callout response is not for expected user");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutExpiredUser")]
    public void AuthCalloutExpiredUser()
    {
        using var at = new AuthCalloutTest(AuthFooConf, req =>
        {
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "FOO", "", null, TimeSpan.FromSeconds(-5), null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        });
        at.Subscribe("$SYS.ACCOUNT.CLIENT.AUTH.ERR");
        CheckAuthErrEvent(at, "hello", "world", "claim is expired");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutExpiredResponse")]
    public void AuthCalloutExpiredResponse()
    {
        using var at = new AuthCalloutTest(AuthFooConf, req =>
        {
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "FOO", "", null, TimeSpan.Zero, null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.FromSeconds(-5));
        });
        at.Subscribe("$SYS.ACCOUNT.CLIENT.AUTH.ERR");
        CheckAuthErrEvent(at, "hello", "world", "claim is expired");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutConnectEvents")]
    public void AuthCalloutConnectEvents()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: A
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
                FOO {}
                BAR {}
                $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] }
            }
            authorization {
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth, admin ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            string user = req.UserNkey;
            var opts = req.ConnectOptions;
            if (opts.Username == "dlc" && opts.Password == "zzz")
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, AuthCalloutTest.CreateAuthUser(user, "", "FOO", "", null, TimeSpan.Zero, null), "", TimeSpan.Zero);
            if (opts.Username == "rip" && opts.Password == "xxx")
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, AuthCalloutTest.CreateAuthUser(user, "", "BAR", "", null, TimeSpan.Zero, null), "", TimeSpan.Zero);
            return AuthCalloutTest.ServiceResponse(user, req.Server.Id, "", "BAD CREDS", TimeSpan.Zero);
        });

        var snc = at.Connect("admin", "s3cr3t!");
        // Let the admin's own connect event pass.
        Thread.Sleep(250);
        snc.Send("SUB $SYS.ACCOUNT.*.CONNECT c\r\nSUB $SYS.ACCOUNT.*.DISCONNECT d\r\n" +
            "SUB $SYS.SERVER.ACCOUNT.*.CONNS o\r\nSUB $SYS.ACCOUNT.*.SERVER.CONNS n\r\nPING\r\n");
        AuthCalloutTest.ExpectPong(snc);

        // One message for each subscription named, in whatever order the server sends them.
        Dictionary<string, JsonElement> Next(params string[] sids)
        {
            var got = new Dictionary<string, JsonElement>();
            while (got.Count < sids.Length)
            {
                var m = AuthCalloutTest.ReadMsg(snc, TimeSpan.FromSeconds(1));
                sids.ShouldContain(m.Sid);
                got.ContainsKey(m.Sid).ShouldBeFalse($"a second message on {m.Subject}");
                using var doc = JsonDocument.Parse(m.Payload);
                got[m.Sid] = doc.RootElement.Clone();
            }
            return got;
        }

        void CheckConnectEvents(string user, string pass, string acc)
        {
            var nc = at.Connect(user, pass);
            var ev = Next("c", "o", "n");
            ev["c"].GetProperty("client").GetProperty("user").GetString().ShouldBe(user);
            ev["c"].GetProperty("client").GetProperty("acc").GetString().ShouldBe(acc);
            foreach (var sid in new[] { "o", "n" })
            {
                ev[sid].GetProperty("acc").GetString().ShouldBe(acc);
                ev[sid].GetProperty("conns").GetInt32().ShouldBe(1);
            }
            nc.Dispose();
            ev = Next("d", "o", "n");
            foreach (var sid in new[] { "o", "n" })
            {
                ev[sid].GetProperty("acc").GetString().ShouldBe(acc);
                ev[sid].TryGetProperty("conns", out var conns).ShouldBe(conns.ValueKind == JsonValueKind.Number);
                (conns.ValueKind == JsonValueKind.Number ? conns.GetInt32() : 0).ShouldBe(0);
            }
            // No double events.
            snc.ExpectNothing(TimeSpan.FromMilliseconds(200));
        }

        CheckConnectEvents("dlc", "zzz", "FOO");
        CheckConnectEvents("rip", "xxx", "BAR");
    }

    private static readonly string OperatorJwt = new OperatorClaims(JwtCreds.Operator.PublicKey).Encode(JwtCreds.Operator);

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutOperatorNoServerConfigCalloutAllowed")]
    public void AuthCalloutOperatorNoServerConfigCalloutAllowed()
    {
        string conf = InProcess.WriteConf($$"""
            listen: 127.0.0.1:-1
            operator: {{OperatorJwt}}
            resolver: MEM
            authorization {
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                }
            }
            """);
        try
        {
            var opts = ServerOptions.FromConfigFile(conf);
            Should.Throw<ArgumentException>(() => new NatsServer(opts)).Message
                .ShouldStartWith("operators do not allow authorization callouts to be configured directly");
        }
        finally { File.Delete(conf); }
    }

    /// <summary>Go's newScopedRole.</summary>
    private static (UserScope Scope, NKeyPair Kp) NewScopedRole(string role, string[] pub, string[] sub, bool allowResponses)
    {
        var kp = NKeyPair.Create(NKeys.PrefixAccount);
        var r = new UserScope { Key = kp.PublicKey, Role = role };
        r.Template.Permissions.Sub.Allow.AddRange(sub);
        r.Template.Permissions.Pub.Allow.AddRange(pub);
        if (allowResponses) r.Template.Permissions.Resp = (1, TimeSpan.FromSeconds(3));
        return (r, kp);
    }

    /// <summary>Go's createAuthServiceUser / createBasicAccount: a user of the account and its key.</summary>
    private static (string Jwt, NKeyPair Kp) CreateAccountUser(NKeyPair accKp, string name, bool addDeny, bool bearer = false)
    {
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        var uc = new UserClaims(ukp.PublicKey) { Name = name, BearerToken = bearer };
        if (addDeny)
        {
            uc.Permissions.Pub.Deny.Add(">");
            uc.Permissions.Sub.Deny.Add(">");
        }
        return (uc.Encode(accKp), ukp);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutOperatorModeBasics")]
    public void AuthCalloutOperatorModeBasics()
    {
        var oKp = JwtCreds.Operator;
        string spub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string sysJwt = new AccountClaims(spub) { Name = "$SYS" }.Encode(oKp);

        var tkp = NKeyPair.Create(NKeys.PrefixAccount);
        string tpub = tkp.PublicKey;
        var tSigningKp = NKeyPair.Create(NKeys.PrefixAccount);
        var accClaim = new AccountClaims(tpub) { Name = "TEST" };
        accClaim.SigningKeys.Add(tSigningKp.PublicKey);
        var (scope, scopedKp) = NewScopedRole("foo", ["foo.>", "$SYS.REQ.USER.INFO"], ["foo.>", "_INBOX.>"], false);
        accClaim.AddScopedSigner(scope);
        string accJwt = accClaim.Encode(oKp);

        var akp = NKeyPair.FromSeed(AuthCalloutTest.IssuerSeed);
        string apub = akp.PublicKey;
        var (serviceJwt, serviceKp) = CreateAccountUser(akp, "auth-service", addDeny: false);
        string upub = serviceKp.PublicKey;

        var authClaim = new AccountClaims(apub) { Name = "AUTH" };
        authClaim.EnableExternalAuthorization(upub);
        authClaim.Authorization.AllowedAccounts.Add(tpub);
        string authJwt = authClaim.Encode(oKp);

        string defaultSentinel = CreateAccountUser(akp, "default_sentinel", addDeny: true, bearer: true).Jwt;

        string conf = $$"""
            listen: 127.0.0.1:-1
            operator: {{OperatorJwt}}
            system_account: {{spub}}
            resolver: MEM
            resolver_preload: {
                {{apub}}: {{authJwt}}
                {{tpub}}: {{accJwt}}
                {{spub}}: {{sysJwt}}
            }
            default_sentinel: {{defaultSentinel}}
            """;

        const string secretToken = "--XX--";
        const string dummyToken = "--ZZ--";
        const string skKeyToken = "--SK--";
        const string scopedToken = "--Scoped--";
        const string badScopedToken = "--BADScoped--";
        const string defaultToken = "--Default--";

        var dkp = NKeyPair.Create(NKeys.PrefixAccount);
        string notAllowAccountPub = dkp.PublicKey;
        using var at = new AuthCalloutTest(conf, req =>
        {
            string user = req.UserNkey;
            string? ujwt = req.ConnectOptions.Token switch
            {
                secretToken => AuthCalloutTest.CreateAuthUser(user, "dlc", tpub, "", tkp, TimeSpan.Zero, null),
                dummyToken => AuthCalloutTest.CreateAuthUser(user, "dummy", notAllowAccountPub, "", dkp, TimeSpan.Zero, null),
                skKeyToken => AuthCalloutTest.CreateAuthUser(user, "sk", tpub, tpub, tSigningKp, TimeSpan.Zero, null),
                scopedToken => AuthCalloutTest.CreateAuthUser(user, "scoped", tpub, tpub, scopedKp, TimeSpan.Zero, UserPermissionLimits.Zero()),
                badScopedToken => AuthCalloutTest.CreateAuthUser(user, "bad-scoped", tpub, tpub, scopedKp, TimeSpan.Zero, null),
                defaultToken => AuthCalloutTest.CreateAuthUser(user, "default", tpub, "", tkp, TimeSpan.Zero, null),
                _ => null,
            };
            return ujwt is null ? null : AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
        }, c => AuthCalloutTest.CredsConnectJson(c, serviceJwt, serviceKp));

        var info = at.AuthClientUserInfo();
        info.GetProperty("user").GetString().ShouldBe(upub);
        info.GetProperty("account").GetString().ShouldBe(apub);
        info.GetProperty("account_name").GetString().ShouldBe("AUTH");
        info.GetProperty("user_name").GetString().ShouldBe("auth-service");
        info.GetProperty("permissions").GetRawText().ShouldBe("""{"publish":{"deny":["$SYS.REQ.USER.AUTH"]},"subscribe":{}}""");
        info.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["account", "account_name", "permissions", "user", "user_name"]);

        // The bearer of the connection; the customization is in the other connect arguments.
        var (clientJwt, clientKp) = CreateAccountUser(akp, "auth-client", addDeny: true);
        Func<ProtoClient, string> Creds(string? token) => c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, token);

        // A token is required.
        at.RequireConnectError(Creds(null));

        // The right token switches to the test account.
        var nc = at.Connect(Creds(secretToken));
        AuthCalloutTest.UserInfo(nc).GetProperty("account").GetString().ShouldBe(tpub);

        // An account the callout may not place users in is refused.
        at.RequireConnectError(Creds(dummyToken));

        // A user signed by the test account's signing key.
        nc = at.Connect(Creds(skKeyToken));
        AuthCalloutTest.UserInfo(nc).GetProperty("account").GetString().ShouldBe(tpub);

        // A scoped signer's user with limits of its own is refused.
        at.RequireConnectError(Creds(badScopedToken));

        nc = at.Connect(Creds(scopedToken));
        info = AuthCalloutTest.UserInfo(nc);
        info.GetProperty("account").GetString().ShouldBe(tpub);
        var pubAllow = info.GetProperty("permissions").GetProperty("publish").GetProperty("allow").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
        pubAllow.Count.ShouldBe(2);
        pubAllow[1].ShouldBe("foo.>");
        var subAllow = info.GetProperty("permissions").GetProperty("subscribe").GetProperty("allow").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
        subAllow.Count.ShouldBe(2);
        subAllow[1].ShouldBe("foo.>");

        // Without credentials the default sentinel is used.
        nc = at.Connect(token: defaultToken);
        AuthCalloutTest.UserInfo(nc).GetProperty("user").GetString().ShouldBe("default");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutOperator_AnyAccount")]
    public void AuthCalloutOperatorAnyAccount()
    {
        var oKp = JwtCreds.Operator;
        string spub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string sysJwt = new AccountClaims(spub) { Name = "$SYS" }.Encode(oKp);
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string apk = akp.PublicKey;
        string aJwt = new AccountClaims(apk) { Name = "A" }.Encode(oKp);
        var bkp = NKeyPair.Create(NKeys.PrefixAccount);
        string bpk = bkp.PublicKey;
        string bJwt = new AccountClaims(bpk) { Name = "B" }.Encode(oKp);

        var ckp = NKeyPair.FromSeed(AuthCalloutTest.IssuerSeed);
        string cpk = ckp.PublicKey;
        var (serviceJwt, serviceKp) = CreateAccountUser(ckp, "auth-service", addDeny: false);
        var authClaim = new AccountClaims(cpk) { Name = "AUTH" };
        authClaim.EnableExternalAuthorization(serviceKp.PublicKey);
        authClaim.Authorization.AllowedAccounts.Add("*");
        string authJwt = authClaim.Encode(oKp);

        string conf = $$"""
            listen: 127.0.0.1:-1
            operator: {{OperatorJwt}}
            system_account: {{spub}}
            resolver: MEM
            resolver_preload: {
                {{cpk}}: {{authJwt}}
                {{apk}}: {{aJwt}}
                {{bpk}}: {{bJwt}}
                {{spub}}: {{sysJwt}}
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            string user = req.UserNkey;
            string? ujwt = req.ConnectOptions.Token switch
            {
                "PutMeInA" => AuthCalloutTest.CreateAuthUser(user, "user_a", apk, "", akp, TimeSpan.Zero, null),
                "PutMeInB" => AuthCalloutTest.CreateAuthUser(user, "user_b", bpk, "", bkp, TimeSpan.Zero, null),
                _ => null,
            };
            return ujwt is null ? null : AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
        }, c => AuthCalloutTest.CredsConnectJson(c, serviceJwt, serviceKp));
        at.AuthClientUserInfo();

        var (clientJwt, clientKp) = CreateAccountUser(ckp, "auth-client", addDeny: true);
        Func<ProtoClient, string> Creds(string? token) => c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, token);
        at.RequireConnectError(Creds(null));
        var nc = at.Connect(Creds("PutMeInA"));
        AuthCalloutTest.UserInfo(nc).GetProperty("account").GetString().ShouldBe(apk);
        nc = at.Connect(Creds("PutMeInB"));
        AuthCalloutTest.UserInfo(nc).GetProperty("account").GetString().ShouldBe(bpk);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutUpdateAccountClaimsClearsExternalAuthorization")]
    public async Task AuthCalloutUpdateAccountClaimsClearsExternalAuthorization()
    {
        await using var s = new NatsServer(new ServerOptions { NoLog = true });
        string authAccPub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string authUserPub = NKeyPair.Create(NKeys.PrefixUser).PublicKey;
        string allowedAccPub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string deniedAccPub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;

        var authAcc = s.RegisterAccount(authAccPub);
        var claim = new AccountClaims(authAccPub) { Name = "AUTH" };
        claim.EnableExternalAuthorization(authUserPub);
        claim.Authorization.AllowedAccounts.Add(allowedAccPub);
        claim.Authorization.XKey = "test-xkey";
        s.UpdateAccountClaims(authAcc, claim);

        (authAcc.ExternalAuth is not null).ShouldBeTrue();
        authAcc.IsExternalAuthUser(authUserPub).ShouldBeTrue();
        authAcc.IsAllowedAccount(allowedAccPub).ShouldBeTrue();
        authAcc.IsAllowedAccount(deniedAccPub).ShouldBeFalse();
        authAcc.ExternalAuth!.XKey.ShouldBe("test-xkey");

        claim = new AccountClaims(authAccPub) { Name = "AUTH" };
        s.UpdateAccountClaims(authAcc, claim);

        (authAcc.ExternalAuth is not null).ShouldBeFalse();
        authAcc.IsExternalAuthUser(authUserPub).ShouldBeFalse();
        authAcc.IsAllowedAccount(allowedAccPub).ShouldBeFalse();
        (authAcc.ExternalAuth?.XKey ?? "").ShouldBe("");
    }

    [Theory, GoTest("server/auth_callout_test.go", "TestAuthCallout_ClientAuthErrorConf")]
    [InlineData(true)]
    [InlineData(false)]
    public void AuthCalloutClientAuthErrorConf(bool respondNil)
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: ZZ
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
            }
            authorization {
                timeout: 1s
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
            respondNil ? null : AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, "", "not today", TimeSpan.Zero));
        at.RequireConnectError("a", "x");
    }

    /// <summary>Go's operator setup with an AUTH account whose bearer users come from a scoped signing key without
    /// permissions (the sentinel), the TEST account optional.</summary>
    private static (string Conf, NKeyPair Akp, string ServiceJwt, NKeyPair ServiceKp, NKeyPair SentinelKp) ScopedSentinelSetup(
        string allowed, string extraPreload = "")
    {
        var oKp = JwtCreds.Operator;
        string spub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string sysJwt = new AccountClaims(spub) { Name = "$SYS" }.Encode(oKp);
        var akp = NKeyPair.FromSeed(AuthCalloutTest.IssuerSeed);
        string apub = akp.PublicKey;
        var (serviceJwt, serviceKp) = CreateAccountUser(akp, "auth-service", addDeny: false);
        var authClaim = new AccountClaims(apub) { Name = "AUTH" };
        authClaim.EnableExternalAuthorization(serviceKp.PublicKey);
        authClaim.Authorization.AllowedAccounts.Add(allowed);
        var (sentinelScope, authKp) = NewScopedRole("sentinel", [], [], false);
        sentinelScope.Template.Permissions.Sub.Deny.Add(">");
        sentinelScope.Template.Permissions.Pub.Deny.Add(">");
        sentinelScope.Template.Subs = 0;
        sentinelScope.Template.Payload = 0;
        authClaim.AddScopedSigner(sentinelScope);
        string authJwt = authClaim.Encode(oKp);
        string conf = $$"""
            listen: 127.0.0.1:-1
            operator: {{OperatorJwt}}
            system_account: {{spub}}
            resolver: MEM
            resolver_preload: {
                {{apub}}: {{authJwt}}
                {{spub}}: {{sysJwt}}
                {{extraPreload}}
            }
            """;
        return (conf, akp, serviceJwt, serviceKp, authKp);
    }

    /// <summary>Go's createScopedUser: a bearer of the account signed by its scoped key, carrying nothing itself.</summary>
    private static (string Jwt, NKeyPair Kp) CreateScopedUser(NKeyPair accKp, NKeyPair sk)
    {
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        var uc = new UserClaims(ukp.PublicKey) { IssuerAccount = accKp.PublicKey, Name = "scoped-user" };
        uc.SetScoped(true);
        return (uc.Encode(sk), ukp);
    }

    [Theory, GoTest("server/auth_callout_test.go", "TestAuthCallout_ClientAuthErrorOperatorMode")]
    [InlineData(true)]
    [InlineData(false)]
    public void AuthCalloutClientAuthErrorOperatorMode(bool respondNil)
    {
        var (conf, akp, serviceJwt, serviceKp, authKp) = ScopedSentinelSetup("*");
        using var at = new AuthCalloutTest(conf, req =>
            respondNil ? null : AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, "", "not today", TimeSpan.Zero),
            c => AuthCalloutTest.CredsConnectJson(c, serviceJwt, serviceKp));
        var (ujwt, ukp) = CreateScopedUser(akp, authKp);
        at.RequireConnectError(c => AuthCalloutTest.CredsConnectJson(c, ujwt, ukp));
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutOperatorModeMismatchedCalloutCreds")]
    public async Task AuthCalloutOperatorModeMismatchedCalloutCreds()
    {
        var (conf, akp, _, serviceKp, _) = ScopedSentinelSetup("*");
        // The auth service user's JWT with the nonce signed by another key.
        var uc = new UserClaims(serviceKp.PublicKey) { Name = "auth-service" };
        string ujwt = uc.Encode(akp);
        var badKp = NKeyPair.Create(NKeys.PrefixUser);
        await using var s = InProcess.RunConf(conf);
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            // The callout has no service to answer it: the client is refused at the auth timeout.
            c.Send($"CONNECT {AuthCalloutTest.CredsConnectJson(c, ujwt, badKp)}\r\nPING\r\n");
            c.ExpectLine(ProtoRegex.Err, TimeSpan.FromSeconds(10));
        }
        await Task.Delay(500);
        s.Running.ShouldBeTrue();
    }

    private static void ScopedUser(bool allowAnyAccount)
    {
        var oKp = JwtCreds.Operator;
        var tpub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        var accClaim = new AccountClaims(tpub) { Name = "TEST" };
        accClaim.SigningKeys.Add(NKeyPair.Create(NKeys.PrefixAccount).PublicKey);
        var (scope, scopedKp) = NewScopedRole("foo", ["foo.>", "$SYS.REQ.USER.INFO"], ["foo.>", "_INBOX.>"], true);
        scope.Template.Subs = 10;
        scope.Template.Payload = 512;
        accClaim.AddScopedSigner(scope);
        string accJwt = accClaim.Encode(oKp);

        var (conf, akp, serviceJwt, serviceKp, authKp) = ScopedSentinelSetup(allowAnyAccount ? "*" : tpub, $"{tpub}: {accJwt}");
        const string scopedToken = "--Scoped--";
        using var at = new AuthCalloutTest(conf, req =>
        {
            if (req.ConnectOptions.Token != scopedToken) return null;
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "scoped", tpub, tpub, scopedKp, TimeSpan.Zero, UserPermissionLimits.Zero());
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        }, c => AuthCalloutTest.CredsConnectJson(c, serviceJwt, serviceKp));

        var info = at.AuthClientUserInfo();
        info.GetProperty("user").GetString().ShouldBe(serviceKp.PublicKey);
        info.GetProperty("account").GetString().ShouldBe(akp.PublicKey);
        info.GetProperty("account_name").GetString().ShouldBe("AUTH");
        info.GetProperty("user_name").GetString().ShouldBe("auth-service");
        info.GetProperty("permissions").GetRawText().ShouldBe("""{"publish":{"deny":["$SYS.REQ.USER.AUTH"]},"subscribe":{}}""");
        info.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["account", "account_name", "permissions", "user", "user_name"]);

        var (sjwt, skp) = CreateScopedUser(akp, authKp);
        var nc = at.Connect(c => AuthCalloutTest.CredsConnectJson(c, sjwt, skp, scopedToken));
        info = AuthCalloutTest.UserInfo(nc);
        info.GetProperty("account").GetString().ShouldBe(tpub);
        var pubAllow = info.GetProperty("permissions").GetProperty("publish").GetProperty("allow").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
        pubAllow.Count.ShouldBe(2);
        pubAllow[1].ShouldBe("foo.>");
        var subAllow = info.GetProperty("permissions").GetProperty("subscribe").GetProperty("allow").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToList();
        subAllow.Count.ShouldBe(2);
        subAllow[1].ShouldBe("foo.>");

        // A responder on foo.> answers a request on foo.bar (the scope allows responses).
        nc.Send("SUB foo.> svc\r\nSUB _INBOX.req req\r\nPUB foo.bar _INBOX.req 0\r\n\r\n");
        var req = AuthCalloutTest.ReadMsg(nc, TimeSpan.FromSeconds(1));
        req.Sid.ShouldBe("svc");
        nc.Send($"PUB {req.Reply} 0\r\n\r\n");
        var resp = AuthCalloutTest.ReadMsg(nc, TimeSpan.FromSeconds(1));
        resp.Sid.ShouldBe("req");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutScopedUserAssignedAccount")]
    public void AuthCalloutScopedUserAssignedAccount() => ScopedUser(false);

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutScopedUserAllAccount")]
    public void AuthCalloutScopedUserAllAccount() => ScopedUser(true);

    private const string CurveSeed = "SXAAXMRAEP6JWWHNB6IKFL554IE6LZVT6EY5MBRICPILTLOPHAG73I3YX4";
    private const string CurvePublic = "XAB3NANV3M6N7AHSQP2U5FRWKKUT7EG2ZXXABV4XVXYQRJGM4S2CZGHT";

    /// <summary>Seal and open agree with NaCl's box (the vector is PyNaCl's Box.encrypt for these keys and nonce) and
    /// with each other across keys.</summary>
    [Fact]
    public void XKeySealMatchesNaClBox()
    {
        var a = XKeyPair.FromSeed(NKeys.EncodeSeed(NKeys.PrefixCurve, Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
        var b = XKeyPair.FromSeed(NKeys.EncodeSeed(NKeys.PrefixCurve, Enumerable.Range(32, 32).Select(i => (byte)i).ToArray()));
        NKeys.Decode(NKeys.PrefixCurve, a.PublicKey, out _)!.ShouldBe(Convert.FromHexString("8f40c5adb68f25624ae5b214ea767a6ec94d829d3d7b5e1ad1ba6f3e2138285f"));
        NKeys.Decode(NKeys.PrefixCurve, b.PublicKey, out _)!.ShouldBe(Convert.FromHexString("358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254"));
        byte[] nonce = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        byte[] sealedMsg = a.Seal("hello xkey"u8, b.PublicKey, nonce);
        sealedMsg.ShouldBe([.. "xkv1"u8.ToArray(), .. nonce, .. Convert.FromHexString("70accc0b695349a0269778bbbf03ac3d0bb7d35c135830c4240a")]);
        b.Open(sealedMsg, a.PublicKey, out var err).ShouldBe("hello xkey"u8.ToArray());
        err.ShouldBeNull();
        sealedMsg[^1] ^= 1;
        b.Open(sealedMsg, a.PublicKey, out err).ShouldBeNull();
        err.ShouldBe("nkeys: unable to decrypt input");
        XKeyPair.FromSeed(CurveSeed).PublicKey.ShouldBe(CurvePublic);
    }

    private static string HeaderValue(MsgFrame m, string key)
    {
        foreach (var line in m.HeaderText.Split("\r\n"))
        {
            int i = line.IndexOf(':');
            if (i > 0 && line[..i].Equals(key, StringComparison.OrdinalIgnoreCase)) return line[(i + 1)..].Trim();
        }
        return "";
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutServerConfigEncryption")]
    public void AuthCalloutServerConfigEncryption()
    {
        string conf = $$"""
            listen: "127.0.0.1:-1"
            server_name: A
            authorization {
                timeout: 1s
                users: [ { user: "auth", password: "pwd" } ]
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                    xkey: "{{CurvePublic}}"
                }
            }
            """;
        var rkp = XKeyPair.FromSeed(CurveSeed);
        using var at = new AuthCalloutTest(conf, (MsgFrame m) =>
        {
            Should.Throw<JwtException>(() => AuthorizationRequestClaims.Decode(m.PayloadText));
            string xkey = HeaderValue(m, NatsServer.AuthRequestXKeyHeader);
            xkey.ShouldNotBeEmpty();
            var decrypted = rkp.Open(m.Payload, xkey, out var err);
            err.ShouldBeNull();
            var req = AuthorizationRequestClaims.Decode(Encoding.ASCII.GetString(decrypted!));
            string user = req.UserNkey;
            req.Server.XKey.ShouldBe(xkey);
            req.Server.Name.ShouldBe("A");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            var opts = req.ConnectOptions;
            if (opts.Username == "dlc" && opts.Password == "zzz")
            {
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "", "$G", "", null, TimeSpan.FromMinutes(10), null);
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }
            if (opts.Username == "dlc" && opts.Password == "xxx")
            {
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "", "$G", "", null, TimeSpan.FromMinutes(10), null);
                return rkp.Seal(AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero), req.Server.XKey);
            }
            return null;
        }, _ => AuthCalloutTest.ConnectJson("auth", "pwd"));

        at.Connect("dlc", "zzz");
        // The service may encrypt its response for the server's xkey.
        at.Connect("dlc", "xxx");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutOperatorModeEncryption")]
    public void AuthCalloutOperatorModeEncryption()
    {
        var oKp = JwtCreds.Operator;
        string spub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string sysJwt = new AccountClaims(spub) { Name = "$SYS" }.Encode(oKp);
        var tkp = NKeyPair.Create(NKeys.PrefixAccount);
        string tpub = tkp.PublicKey;
        string accJwt = new AccountClaims(tpub) { Name = "TEST" }.Encode(oKp);
        var akp = NKeyPair.FromSeed(AuthCalloutTest.IssuerSeed);
        string apub = akp.PublicKey;
        var (serviceJwt, serviceKp) = CreateAccountUser(akp, "auth-service", addDeny: false);
        var authClaim = new AccountClaims(apub) { Name = "AUTH" };
        authClaim.EnableExternalAuthorization(serviceKp.PublicKey);
        authClaim.Authorization.AllowedAccounts.Add(tpub);
        authClaim.Authorization.XKey = CurvePublic;
        string authJwt = authClaim.Encode(oKp);
        string conf = $$"""
            listen: 127.0.0.1:-1
            operator: {{OperatorJwt}}
            system_account: {{spub}}
            resolver: MEM
            resolver_preload: {
                {{apub}}: {{authJwt}}
                {{tpub}}: {{accJwt}}
                {{spub}}: {{sysJwt}}
            }
            """;
        var rkp = XKeyPair.FromSeed(CurveSeed);
        const string tokenA = "--XX--";
        const string tokenB = "--ZZ--";
        using var at = new AuthCalloutTest(conf, (MsgFrame m) =>
        {
            m.PayloadText.StartsWith("eyJ", StringComparison.Ordinal).ShouldBeFalse("Request not encrypted");
            string xkey = HeaderValue(m, NatsServer.AuthRequestXKeyHeader);
            xkey.ShouldNotBeEmpty();
            var decrypted = rkp.Open(m.Payload, xkey, out var err);
            err.ShouldBeNull();
            var req = AuthorizationRequestClaims.Decode(Encoding.ASCII.GetString(decrypted!));
            string user = req.UserNkey;
            req.Server.XKey.ShouldBe(xkey);
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            if (req.ConnectOptions.Token == tokenA)
            {
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "dlc", tpub, "", tkp, TimeSpan.Zero, null);
                return AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }
            if (req.ConnectOptions.Token == tokenB)
            {
                string ujwt = AuthCalloutTest.CreateAuthUser(user, "rip", tpub, "", tkp, TimeSpan.Zero, null);
                return rkp.Seal(AuthCalloutTest.ServiceResponse(user, req.Server.Id, ujwt, "", TimeSpan.Zero), req.Server.XKey);
            }
            return null;
        }, c => AuthCalloutTest.CredsConnectJson(c, serviceJwt, serviceKp));

        var (clientJwt, clientKp) = CreateAccountUser(akp, "auth-client", addDeny: true);
        // An encrypted request answered in plain text.
        at.Connect(c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, tokenA));
        // An encrypted request answered encrypted.
        at.Connect(c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, tokenB));
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutVerifiedUserCalloutsWithSig")]
    public void AuthCalloutVerifiedUserCalloutsWithSig()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: A
            authorization {
                timeout: 1s
                users: [
                    { user: "auth", password: "pwd" }
                    { nkey: "UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON" }
                ]
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            req.Server.Name.ShouldBe("A");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            req.ConnectOptions.SignedNonce.ShouldNotBeEmpty();
            req.ClientInformation.Nonce.ShouldNotBeEmpty();
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "$G", "", null, TimeSpan.Zero, null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        });
        var ukp = NKeyPair.FromSeed("SUAP277QP7U4JMFFPVZHLJYEQJ2UHOTYVEIZJYAWRJXQLP4FRSEHYZJJOU");
        var nc = at.Connect(c =>
        {
            string nonce = c.Info!.Value.GetProperty("nonce").GetString()!;
            string sig = JwtCodec.Base64Url(ukp.Sign(Encoding.ASCII.GetBytes(nonce)));
            return $"{{\"verbose\":false,\"pedantic\":false,\"lang\":\"go\",\"version\":\"1.39.1\",\"protocol\":1,\"headers\":true,\"nkey\":\"{ukp.PublicKey}\",\"sig\":\"{sig}\"}}";
        });
        at.Callouts.ShouldBe(1);
        var info = AuthCalloutTest.UserInfo(nc);
        info.GetProperty("user").GetString().ShouldBe("UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON");
        info.GetProperty("account").GetString().ShouldBe("$G");
        info.GetProperty("account_name").GetString().ShouldBe("$G");
        info.GetProperty("permissions").GetRawText().ShouldBe("""{"publish":{"deny":["$SYS.REQ.USER.AUTH"]},"subscribe":{}}""");
        info.EnumerateObject().Select(p => p.Name).Order().ShouldBe(["account", "account_name", "permissions", "user"]);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutProxyRequiredInUserNotInAuthJWT")]
    public void AuthCalloutProxyRequiredInUserNotInAuthJWT()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: A
            accounts {
                AUTH: {
                    users: [ { user: auth, password: auth } ]
                }
                APP: {
                    users: [
                        { user: user, password: pwd }
                        { user: proxy, password: pwd, proxy_required: true }
                    ]
                }
                SYS: {}
            }
            system_account: SYS
            authorization {
                timeout: 1s
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    auth_users: [ auth ]
                    account: AUTH
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            req.Server.Name.ShouldBe("A");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            if (req.ConnectOptions.Username != "proxy") return null;
            // The response does not ask for a proxy; the configured user does.
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "APP", "", null, TimeSpan.FromMinutes(10), null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        }, "auth", "auth");
        at.Subscribe("$SYS.ACCOUNT.CLIENT.AUTH.ERR");
        CheckAuthErrEvent(at, "proxy", "pwd", "proxy connection required", ignoreCase: true);
        at.Callouts.ShouldBe(1);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutClientTLSCerts")]
    public void AuthCalloutClientTlsCerts()
    {
        using var pki = new TestPki();
        var client2 = pki.Client("client2", "CN=example.com, OU=NATS.io");
        string conf = $$"""
            listen: "localhost:-1"
            server_name: T
            tls {
                cert_file = "{{pki.ServerCertFile}}"
                key_file = "{{pki.ServerKeyFile}}"
                ca_file = "{{pki.CaFile}}"
                verify = true
            }
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
                FOO {}
            }
            authorization {
                timeout: 1s
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, (MsgFrame m) =>
        {
            var req = AuthorizationRequestClaims.Decode(m.PayloadText);
            req.Server.Name.ShouldBe("T");
            req.ClientInformation.Host.ShouldBe("127.0.0.1");
            var ctls = req.Tls.ShouldNotBeNull();
            // Verified, so the certificates are under the verified chains.
            ctls.Certs.Count.ShouldBe(0);
            ctls.VerifiedChains.Count.ShouldBe(1);
            ctls.VerifiedChains[0].Count.ShouldBe(2);
            using var cert = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(ctls.VerifiedChains[0][0]);
            if (!cert.Subject.StartsWith("CN=example.com", StringComparison.Ordinal)) return null;
            // A blank name is replaced by the server.
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "dlc", "FOO", "", null, TimeSpan.Zero, null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        }, _ => AuthCalloutTest.ConnectJson("auth", "pwd"), c => c.UpgradeToTls(client2.Cert, pki.Ca));

        var nc = at.Connect();
        var info = AuthCalloutTest.UserInfo(nc);
        info.GetProperty("user").GetString().ShouldBe("dlc");
        info.GetProperty("account").GetString().ShouldBe("FOO");
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestOperatorModeUserRevocation")]
    public void OperatorModeUserRevocation()
    {
        var oKp = JwtCreds.Operator;
        var skp = NKeyPair.Create(NKeys.PrefixAccount);
        string spub = skp.PublicKey;
        string sysJwt = new AccountClaims(spub) { Name = "$SYS" }.Encode(oKp);
        var tkp = NKeyPair.Create(NKeys.PrefixAccount);
        string tpub = tkp.PublicKey;
        var accClaim = new AccountClaims(tpub) { Name = "TEST" };
        string accJwt = accClaim.Encode(oKp);
        var akp = NKeyPair.FromSeed(AuthCalloutTest.IssuerSeed);
        string apub = akp.PublicKey;
        var (serviceJwt, serviceKp) = CreateAccountUser(akp, "auth-service", addDeny: false);
        var authClaim = new AccountClaims(apub) { Name = "AUTH" };
        authClaim.EnableExternalAuthorization(serviceKp.PublicKey);
        authClaim.Authorization.AllowedAccounts.Add(tpub);
        string authJwt = authClaim.Encode(oKp);
        string jwtDir = Directory.CreateTempSubdirectory("natsparity-callout-").FullName;
        try
        {
            string conf = $$"""
                listen: 127.0.0.1:-1
                operator: {{OperatorJwt}}
                system_account: {{spub}}
                resolver: {
                    type: "full"
                    dir: "{{jwtDir}}"
                    allow_delete: false
                    interval: "2m"
                    timeout: "1.9s"
                }
                resolver_preload: {
                    {{apub}}: {{authJwt}}
                    {{tpub}}: {{accJwt}}
                    {{spub}}: {{sysJwt}}
                }
                """;
            const string token = "--secret--";
            var users = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
            using var at = new AuthCalloutTest(conf, req =>
            {
                if (req.ConnectOptions.Token != token) return null;
                string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "user", tpub, tpub, tkp, TimeSpan.Zero, UserPermissionLimits.Zero());
                users[req.ConnectOptions.Name] = ujwt;
                return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
            }, c => AuthCalloutTest.CredsConnectJson(c, serviceJwt, serviceKp));

            var (sysUserJwt, sysUserKp) = CreateAccountUser(skp, "auth-service", addDeny: false);
            var sysNc = at.Connect(c => AuthCalloutTest.CredsConnectJson(c, sysUserJwt, sysUserKp));

            var (clientJwt, clientKp) = CreateAccountUser(akp, "auth-client", addDeny: true);
            var nc = at.Connect(c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, token, "first"));
            var ncA = at.Connect(c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, token, "second"));
            var ncB = at.Connect(c => AuthCalloutTest.CredsConnectJson(c, clientJwt, clientKp, token));

            // Revoke the first user, by the JWT the service issued.
            var uc = UserClaims.Decode(users["first"]);
            accClaim.Revocations = new() { [uc.Subject] = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds() };
            UpdateAccount(sysNc, accClaim.Encode(oKp), tpub);
            ExpectRevoked(nc);

            // Without revocations the other two stay.
            accClaim.Revocations = new();
            UpdateAccount(sysNc, accClaim.Encode(oKp), tpub);
            foreach (var c in new[] { ncA, ncB })
            {
                c.Send("PING\r\n");
                AuthCalloutTest.ExpectPong(c);
            }

            // Revoking all users closes both.
            accClaim.Revocations["*"] = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds();
            UpdateAccount(sysNc, accClaim.Encode(oKp), tpub);
            ExpectRevoked(ncA);
            ExpectRevoked(ncB);
        }
        finally { Directory.Delete(jwtDir, recursive: true); }
    }

    /// <summary>nats.go's "authentication revoked" error, then the close.</summary>
    private static void ExpectRevoked(ProtoClient c)
    {
        string line;
        while ((line = c.ReadLine(TimeSpan.FromSeconds(5))).StartsWith("INFO ", StringComparison.Ordinal)) { }
        line.ShouldBe("-ERR 'User Authentication Revoked'\r\n");
        c.ExpectClosed(TimeSpan.FromSeconds(5));
    }

    /// <summary>Go's updateAccount: the claims update request answered with code 200.</summary>
    private static void UpdateAccount(ProtoClient sys, string jwt, string account)
    {
        sys.Send($"SUB _INBOX.upd upd\r\nPUB $SYS.REQ.ACCOUNT.{account}.CLAIMS.UPDATE _INBOX.upd {jwt.Length}\r\n{jwt}\r\n");
        var m = AuthCalloutTest.ReadMsg(sys, TimeSpan.FromSeconds(2));
        sys.Send("UNSUB upd\r\n");
        using var doc = JsonDocument.Parse(m.Payload);
        var data = doc.RootElement.GetProperty("data");
        data.GetProperty("code").GetInt32().ShouldBe(200);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutRegisterWithAccountAfterClose")]
    public void AuthCalloutRegisterWithAccountAfterClose()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: ZZ
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
                FOO {}
            }
            authorization {
                timeout: 1
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                }
            }
            """;
        using var processed = new ManualResetEventSlim();
        using var at = new AuthCalloutTest(conf, req =>
        {
            if (req.ConnectOptions.Username == "zombie" && req.ConnectOptions.Password == "pwd")
            {
                processed.Set();
                // No answer: the callout times out, as when the response comes late.
                return AuthCalloutTest.NoResponse;
            }
            return null;
        });
        var s = at.Server;
        var fooAcc = s.LookupAccount("FOO")!;
        fooAcc.NumClients.ShouldBe(0);
        int baseServerClients = s.NumClients;

        // The client is refused once the callout times out.
        var connect = Task.Run(() => at.RequireConnectError("zombie", "pwd"));
        processed.Wait(TimeSpan.FromSeconds(5)).ShouldBeTrue();
        connect.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();
        connect.GetAwaiter().GetResult();
        fooAcc.NumClients.ShouldBe(0);
        s.NumClients.ShouldBe(baseServerClients);

        // A closed client, as the callout's would be when its response arrives late, joins no account.
        var c = new NatsParity.Server.Clients.ClientConnection(s, s.NextInternalCid());
        c.Close(NatsParity.Server.Clients.ClosedState.ClientClosed);
        c.RegisterWithAccount(fooAcc).ShouldBe("connection closed");
        fooAcc.NumClients.ShouldBe(0);
    }

    [Fact, GoTest("server/auth_callout_test.go", "TestAuthCalloutZombieInflatesAccountConnections")]
    public void AuthCalloutZombieInflatesAccountConnections()
    {
        const string conf = """
            listen: "127.0.0.1:-1"
            server_name: ZZ
            accounts {
                AUTH { users [ {user: "auth", password: "pwd"} ] }
                FOO { limits { max_conn: 5 } }
            }
            authorization {
                timeout: 1
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                }
            }
            """;
        using var at = new AuthCalloutTest(conf, req =>
        {
            if (req.ConnectOptions.Username != "legit" || req.ConnectOptions.Password != "pwd") return null;
            string ujwt = AuthCalloutTest.CreateAuthUser(req.UserNkey, "", "FOO", "", null, TimeSpan.Zero, null);
            return AuthCalloutTest.ServiceResponse(req.UserNkey, req.Server.Id, ujwt, "", TimeSpan.Zero);
        });
        var s = at.Server;
        var fooAcc = s.LookupAccount("FOO")!;
        fooAcc.MaxConnections.ShouldBe(5);

        // Closed clients registering late (as a late callout response would) must not count in FOO.
        for (int i = 0; i < 3; i++)
        {
            var c = new NatsParity.Server.Clients.ClientConnection(s, s.NextInternalCid());
            c.Close(NatsParity.Server.Clients.ClosedState.ClientClosed);
            c.RegisterWithAccount(fooAcc).ShouldBe("connection closed");
        }
        fooAcc.NumClients.ShouldBe(0);

        // All five real clients fit.
        for (int i = 0; i < 5; i++) at.Connect("legit", "pwd");
        fooAcc.NumClients.ShouldBe(5);
    }

    /// <summary>Go's diffOptions has no reload for the auth callout: the same callout reloads, a changed one is refused
    /// with Go's message.</summary>
    [Fact]
    public async Task AuthCalloutIsNotReloadable()
    {
        string path = InProcess.WriteConf(BasicConf);
        try
        {
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(path));
            s.Reload().ShouldBeNull();
            File.WriteAllText(path, BasicConf.Replace("auth_users: [ auth ]", "auth_users: [ auth, other ]"));
            s.Reload().ShouldBe("config reload not supported for AuthCallout: old=&{ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA $G [auth]  []}, "
                + "new=&{ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA $G [auth other]  []}");
        }
        finally { File.Delete(path); }
    }

    /// <summary>Go's configureAuthorization logs (and does not refuse) a callout account or auth user it cannot find.</summary>
    [Fact]
    public async Task AuthCalloutUnknownAccountAndUsersAreLogged()
    {
        string conf = InProcess.WriteConf("""
            listen: "127.0.0.1:-1"
            authorization {
                users: [ { user: "auth", password: "pwd" } ]
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: NOPE
                    auth_users: [ auth, ghost ]
                }
            }
            """);
        string log = Path.Combine(Path.GetTempPath(), $"natsparity-{Guid.NewGuid():N}.log");
        try
        {
            using (var logger = new NatsParity.Server.Logging.ServerLogger(debug: false, trace: false, logtime: false, file: log))
            await using (var s = InProcess.Run(ServerOptions.FromConfigFile(conf), logger))
            {
                s.Running.ShouldBeTrue();
            }
            string text = File.ReadAllText(log);
            text.ShouldContain("[ERR] Authorization callout account \"NOPE\" not valid");
            text.ShouldContain("[ERR] Authorization callout user \"ghost\" not valid: account missing");
            text.ShouldNotContain("Authorization callout user \"auth\"");
        }
        finally
        {
            File.Delete(conf);
            File.Delete(log);
        }
    }
}
