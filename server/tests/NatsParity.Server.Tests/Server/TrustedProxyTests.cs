using System.Text;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>
/// Trusted proxies on the client port: ports of server/auth_test.go's proxy tests, and the client-port scenarios of
/// Go's tests whose other half is about leafnodes (test/client_auth_test.go TestProxyKeyVerification,
/// server/auth_test.go TestAuthProxyRequired), which this server does not have.
/// </summary>
public sealed class TrustedProxyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static string Sign(NKeyPair kp, string nonce) => JwtCodec.Base64Url(kp.Sign(Encoding.ASCII.GetBytes(nonce)));

    private static string Nonce(ProtoClient c) =>
        c.Info!.Value.TryGetProperty("nonce", out var n) ? n.GetString() ?? "" : "";

    private static JsonElement Monitor(NatsServer s, string path, Dictionary<string, string>? q = null)
    {
        var (json, err) = s.Monitor.Render(path, MonitorQuery.From(q ?? []));
        err.ShouldBeNull();
        return JsonDocument.Parse(json!).RootElement.Clone();
    }

    /// <summary>Go's checkClosedState: the closed connection <paramref name="cid"/> shows <paramref name="reason"/>.</summary>
    private static async Task CheckClosedState(NatsServer s, ulong cid, ClosedState reason)
    {
        string got = "";
        bool ok = await InProcess.WaitFor(() =>
        {
            var conns = Monitor(s, NatsParity.Server.Monitoring.Monitor.ConnzPath, new() { ["cid"] = cid.ToString(), ["state"] = "closed" })
                .GetProperty("connections");
            if (conns.GetArrayLength() != 1) return false;
            got = conns[0].GetProperty("reason").GetString() ?? "";
            return got == reason.Text();
        }, Wait);
        ok.ShouldBeTrue($"connection {cid} closed with reason \"{got}\", expected \"{reason.Text()}\"");
    }

    /// <summary>A debug logger to a temporary file; Go's tests capture the same lines with a logger of their own.</summary>
    private sealed class LogFile : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"natsparity-proxy-{Guid.NewGuid():N}.log");

        public LogFile() => Logger = new ServerLogger(debug: true, trace: false, logtime: false, file: _path);

        public ServerLogger Logger { get; }

        public string[] Lines(string containing)
        {
            using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(fs);
            return reader.ReadToEnd().Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal)).ToArray();
        }

        public void Dispose()
        {
            Logger.Dispose();
            File.Delete(_path);
        }
    }

    [Fact, GoTest("server/auth_test.go", "TestAuthProxyCheckConnClosedDuringAuth")]
    public async Task AuthProxyCheckConnClosedDuringAuth()
    {
        var pkp = NKeyPair.Create(NKeys.PrefixUser);
        string pub = pkp.PublicKey;
        await using var s = InProcess.Run(new ServerOptions { Proxies = new ProxiesConfig { Trusted = [new() { Key = pub }] } });

        // Go's newClientForServer: a client the server created (and challenged with a nonce) that sent nothing yet.
        using var pc = ProtoClient.Connect("127.0.0.1", s.Port);
        ulong cid = pc.Info!.Value.GetProperty("client_id").GetUInt64();
        var c = s.Clients.Single(x => x.Cid == cid);

        // Sign the connection's nonce as the trusted proxy would and keep the signature in the connect options.
        c.Nonce.ShouldNotBeNullOrEmpty();
        c.Options.ProxySig = Sign(pkp, c.Nonce!);

        // The connection closes (write error, shutdown, kick...) while the read loop is still authenticating: its
        // removal from the proxied connections runs before the proxy check registered it.
        c.Close(ClosedState.ClientClosed);

        // The proxy check as the authentication would run it.
        var (proxied, ok) = s.ProxyCheck(c);
        proxied.ShouldBeTrue();
        ok.ShouldBeTrue();

        // A closed connection must not be registered, as nothing would ever remove it.
        s.ProxiedConnCount(pub).ShouldBe(0);
    }

    /// <summary>The client-port parts of Go's TestAuthProxyRequired: proxy_required on the single user, on users and
    /// nkey users, and on an account's users with the system events they cause. The Go test ends with a leafnode
    /// scenario, so this is not a port of it.</summary>
    [Fact]
    public async Task AuthProxyRequiredForClients()
    {
        void ExpectViolation(NatsServer s, string connect)
        {
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            c.Send(connect + "\r\nPING\r\n");
            c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
            c.ExpectClosed();
        }
        void ExpectOk(NatsServer s, string connect)
        {
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            c.Send(connect + "\r\nPING\r\n");
            c.ExpectLine(ProtoRegex.Pong);
        }
        // Go's checkLog: the refusal is logged at debug with ErrAuthProxyRequired's text.
        async Task CheckLog(LogFile log, int expected) =>
            (await InProcess.WaitFor(() => log.Lines("proxy connection required").Length >= expected, Wait))
                .ShouldBeTrue("Did not get log statement");

        using (var log = new LogFile())
        {
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf("""
                port: -1
                authorization {
                    user: user
                    password: pwd
                    proxy_required: true
                }
                """)), log.Logger);
            ExpectViolation(s, "CONNECT {\"verbose\":false,\"user\":\"user\",\"pass\":\"pwd\"}");
            await CheckLog(log, 1);
        }

        var nkUsr1 = NKeyPair.Create(NKeys.PrefixUser);
        var nkUsr2 = NKeyPair.Create(NKeys.PrefixUser);
        string users = $$"""
            users: [
                {user: user1, password: pwd1}
                {user: user2, password: pwd2, proxy_required: true}
                {user: user3, password: pwd3, proxy_required: false}
                {nkey: "{{nkUsr1.PublicKey}}", proxy_required: true}
                {nkey: "{{nkUsr2.PublicKey}}", proxy_required: false}
            ]
            """;

        async Task CheckClients(NatsServer s, LogFile log)
        {
            int logged = log.Lines("proxy connection required").Length;
            ExpectOk(s, "CONNECT {\"verbose\":false,\"user\":\"user1\",\"pass\":\"pwd1\"}");
            // Refused: it must come through a proxy.
            ExpectViolation(s, "CONNECT {\"verbose\":false,\"user\":\"user2\",\"pass\":\"pwd2\"}");
            await CheckLog(log, ++logged);
            ExpectOk(s, "CONNECT {\"verbose\":false,\"user\":\"user3\",\"pass\":\"pwd3\"}");
            string NkeyConnect(NKeyPair kp, ProtoClient c) =>
                $"CONNECT {{\"verbose\":false,\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{Sign(kp, Nonce(c))}\"}}";
            using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
            {
                c.Send(NkeyConnect(nkUsr1, c) + "\r\nPING\r\n");
                c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
                c.ExpectClosed();
            }
            await CheckLog(log, ++logged);
            using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
            {
                c.Send(NkeyConnect(nkUsr2, c) + "\r\nPING\r\n");
                c.ExpectLine(ProtoRegex.Pong);
            }
        }

        using (var log = new LogFile())
        {
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf($"port: -1\nauthorization {{\n{users}\n}}\n")), log.Logger);
            await CheckClients(s, log);
        }

        using (var log = new LogFile())
        {
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf($$"""
                port: -1
                accounts {
                    A {
                        {{users}}
                    }
                    SYS { users: [ {user:sys, password: pwd} ] }
                }
                system_account: SYS
                """)), log.Logger);
            using var snc = ProtoClient.Login("127.0.0.1", s.Port, "sys", "pwd",
                "SUB $SYS.SERVER.*.CLIENT.AUTH.ERR 1\r\nSUB $SYS.ACCOUNT.A.DISCONNECT 2\r\n");

            await CheckClients(s, log);

            // Two authentication errors whose reason is "Proxy Required", and a disconnect of each of the three
            // clients that connected and then closed: nothing else.
            int authErrs = 0, disconnects = 0;
            for (int i = 0; i < 5; i++)
            {
                var m = snc.ReadMsg(TimeSpan.FromSeconds(2));
                using var d = JsonDocument.Parse(m.Payload);
                string reason = d.RootElement.GetProperty("reason").GetString()!;
                if (m.Sid == "1")
                {
                    reason.ShouldBe(ClosedState.ProxyRequired.Text());
                    authErrs++;
                }
                else
                {
                    reason.ShouldBe(ClosedState.ClientClosed.Text());
                    disconnects++;
                }
            }
            authErrs.ShouldBe(2);
            disconnects.ShouldBe(3);
            snc.ExpectNothing(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>The client-port scenario of Go's TestProxyKeyVerification (test/client_auth_test.go): the signature of
    /// the nonce checked against the trusted keys, connz's proxy key, the close reason, a reload that removes a key and
    /// closes its clients, and no trusted proxies at all. Each Go step also runs on the leafnode port, and its last
    /// scenarios are leafnode-only, so this is not a port of it.</summary>
    [Fact]
    public async Task ProxyKeyVerificationForClients()
    {
        var u1 = NKeyPair.Create(NKeys.PrefixUser);
        var u2 = NKeyPair.Create(NKeys.PrefixUser);
        var u3 = NKeyPair.Create(NKeys.PrefixUser);
        static string Conf(string k1, string k2) => $$"""
            listen: "127.0.0.1:-1"
            proxies {
                trusted [
                    {key: "{{k1}}"}
                    {key: "{{k2}}"}
                ]
            }
            """;
        string path = InProcess.WriteConf(Conf(u1.PublicKey, u2.PublicKey));
        using var log = new LogFile();
        var s = InProcess.Run(ServerOptions.FromConfigFile(path), log.Logger);
        await using var __s = s;

        void CheckVarzTrusted(params string[] keys)
        {
            var trusted = Monitor(s, NatsParity.Server.Monitoring.Monitor.VarzPath).GetProperty("proxies").GetProperty("trusted");
            trusted.GetArrayLength().ShouldBe(keys.Length);
            for (int i = 0; i < keys.Length; i++) trusted[i].GetProperty("key").GetString().ShouldBe(keys[i]);
        }
        CheckVarzTrusted(u1.PublicKey, u2.PublicKey);

        (ProtoClient C, ulong Cid) Connect(NatsServer srv, NKeyPair kp, bool badSig, string user = "user")
        {
            var c = ProtoClient.Connect("127.0.0.1", srv.Port);
            ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
            string nonce = Nonce(c);
            var sig = Sign(kp, nonce).ToCharArray();
            if (badSig) sig[0] = '*';
            c.Send($"CONNECT {{\"pedantic\":false,\"verbose\":false,\"user\":\"{user}\",\"pass\":\"pwd\",\"proxy_sig\":\"{new string(sig)}\"}}\r\nPING\r\n");
            return (c, cid);
        }
        async Task WaitNoClients(NatsServer srv) =>
            (await InProcess.WaitFor(() => Monitor(srv, NatsParity.Server.Monitoring.Monitor.ConnzPath).GetProperty("num_connections").GetInt32() == 0, Wait))
                .ShouldBeTrue("the previous connection is still open");

        foreach (var (name, kp, badSig, ok) in new[] { ("key present first", u1, false, true), ("key present last", u2, false, true),
            ("key not present", u3, false, false), ("bad signature", u2, true, false) })
        {
            var (c, cid) = Connect(s, kp, badSig);
            using (c)
            {
                Nonce(c).ShouldNotBeEmpty(name);
                if (ok)
                {
                    c.ExpectLine(ProtoRegex.Pong);
                    var conns = Monitor(s, NatsParity.Server.Monitoring.Monitor.ConnzPath).GetProperty("connections");
                    conns.GetArrayLength().ShouldBe(1, name);
                    conns[0].TryGetProperty("proxy", out var proxy).ShouldBeTrue($"{name}: Required Proxy to be present, was not");
                    proxy.GetProperty("key").GetString().ShouldBe(kp.PublicKey, name);
                }
                else
                {
                    c.ExpectLine(ProtoRegex.Err);
                    await CheckClosedState(s, cid, ClosedState.ProxyNotTrusted);
                }
            }
            await WaitNoClients(s);
        }

        // A connection through u1, then a reload that no longer trusts u1: the client is disconnected.
        var (c1, cid1) = Connect(s, u1, false);
        using (c1)
        {
            c1.ExpectLine(ProtoRegex.Pong);
            s.ProxiedConnCount(u1.PublicKey).ShouldBe(1);
            File.WriteAllText(path, Conf(u3.PublicKey, u2.PublicKey));
            s.Reload().ShouldBeNull();
            var removed = log.Lines("proxies trusted keys").Where(l => l.Contains("removed", StringComparison.Ordinal)).ToArray();
            var added = log.Lines("proxies trusted keys").Where(l => l.Contains("added", StringComparison.Ordinal)).ToArray();
            removed.Length.ShouldBe(1);
            removed[0].ShouldContain(u1.PublicKey);
            added.Length.ShouldBe(1);
            added[0].ShouldContain(u3.PublicKey);
            log.Lines("proxies trusted keys").Length.ShouldBe(2);
            c1.ExpectClosed();
        }
        await CheckClosedState(s, cid1, ClosedState.ProxyNotTrusted);
        s.ProxiedConnCount(u1.PublicKey).ShouldBe(0);
        CheckVarzTrusted(u3.PublicKey, u2.PublicKey);

        // Now u3 is trusted and u1 is not.
        var (c3, _) = Connect(s, u3, false);
        using (c3) c3.ExpectLine(ProtoRegex.Pong);
        var (c4, cid4) = Connect(s, u1, false);
        using (c4) c4.ExpectLine(ProtoRegex.Err);
        await CheckClosedState(s, cid4, ClosedState.ProxyNotTrusted);

        // Without trusted proxies a proxy signature is not checked, good or bad.
        await using (var plain = InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf("port: -1\n"))))
        {
            foreach (bool badSig in new[] { false, true })
            {
                var (c, _) = Connect(plain, u1, badSig);
                using (c) c.ExpectLine(ProtoRegex.Pong);
            }
            Monitor(plain, NatsParity.Server.Monitoring.Monitor.VarzPath).TryGetProperty("proxies", out _).ShouldBeFalse();
        }

        // Without trusted proxies, a user that requires one cannot connect.
        await using var req = InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf("""
            port: -1
            authorization {
                users [
                    {user: u1, password: pwd}
                    {user: u2, password: pwd, proxy_required: true}
                ]
            }
            """)));
        var (ok1, _) = Connect(req, u1, false, "u1");
        using (ok1) ok1.ExpectLine(ProtoRegex.Pong);
        var (bad2, cid2) = Connect(req, u1, false, "u2");
        using (bad2) bad2.ExpectLine(ProtoRegex.Err);
        await CheckClosedState(req, cid2, ClosedState.ProxyRequired);
    }

    /// <summary>Go's check of a user JWT's proxy_required (auth.go processClientOrLeafAuthentication): in operator mode
    /// such a user connects only with a trusted proxy's signature of the nonce.</summary>
    [Fact]
    public async Task JwtUserProxyRequired()
    {
        var pkp = NKeyPair.Create(NKeys.PrefixUser);
        await using var s = InProcess.Run(new ServerOptions
        {
            TrustedKeys = [JwtCreds.Operator.PublicKey],
            AccountResolver = new MemoryAccountResolver(),
            NoSystemAccount = true,
            Proxies = new ProxiesConfig { Trusted = [new() { Key = pkp.PublicKey }] },
        });
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        s.AccountResolver!.Store(akp.PublicKey, new AccountClaims(akp.PublicKey).Encode(JwtCreds.Operator));
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        var claims = new UserClaims(ukp.PublicKey) { ProxyRequired = true };

        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
            c.Send(JwtCreds.ConnectLine(c, akp, claims, user: ukp));
            c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
            await CheckClosedState(s, cid, ClosedState.ProxyRequired);
        }
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send(JwtCreds.ConnectLine(c, akp, claims, fields: $",\"proxy_sig\":\"{Sign(pkp, Nonce(c))}\"", user: ukp));
            c.ExpectLine(ProtoRegex.Pong);
            var conns = Monitor(s, NatsParity.Server.Monitoring.Monitor.ConnzPath).GetProperty("connections");
            conns.GetArrayLength().ShouldBe(1);
            conns[0].GetProperty("proxy").GetProperty("key").GetString().ShouldBe(pkp.PublicKey);
        }
    }

    /// <summary>The standard-client half of the ProxyRequired case of Go's TestParsePingNoAuthUserEnforcesUserRestrictions
    /// (server/parser_test.go): a no_auth_user that needs a proxy is not taken by an operation sent before CONNECT, which
    /// never carries a proxy signature. The Go test also runs it for a WebSocket client, which this server does not have.</summary>
    [Fact]
    public async Task NoAuthUserProxyRequiredRefusedBeforeConnect()
    {
        await using var s = InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf("""
            port: -1
            no_auth_user: foo
            authorization {
                users: [ {user: foo, password: pwd, proxy_required: true} ]
            }
            """)));
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
        c.Send("PING\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
        c.ExpectClosed();
        await CheckClosedState(s, cid, ClosedState.AuthenticationViolation);
    }
}
