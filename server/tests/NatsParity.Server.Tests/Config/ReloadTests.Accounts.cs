using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/reload_test.go's account reloads: users moving between accounts, accounts removed, nkey
/// users, and the system imports every account keeps across reloads.</summary>
public sealed partial class ReloadTests
{
    /// <summary>Go's NumSubscriptions: every subscription in every account.</summary>
    private static long NumSubscriptions(NatsServer s) => s.Accounts.Sum(a => (long)a.Sublist.Count);

    private static int PlainSubs(Account a, string subject) => a.Sublist.Match(subject).Psubs.Length;

    private const string AccountUsers1 = """
        listen: "127.0.0.1:-1"
        accounts {
          synadia {
            users = [
              {user: derek, password: derek}
              {user: foo, password: foo}
            ]
          }
          nats.io {
            users = [
              {user: ivan, password: ivan}
              {user: bar, password: bar}
            ]
          }
          acc_deleted_after_reload {
            users = [
              {user: gone, password: soon}
              {user: baz, password: baz}
              {user: bat, password: bat}
            ]
          }
        }
        """;

    private const string AccountUsers2 = """
        listen: "127.0.0.1:-1"
        authorization {
          users = [
            {user: foo, password: foo}
            {user: baz, password: baz}
          ]
        }
        accounts {
          synadia {
            users = [
              {user: derek, password: derek}
              {user: bar, password: bar}
            ]
          }
          nats.io {
            users = [
              {user: bat, password: bat}
            ]
          }
        }
        """;

    /// <summary>A client of <paramref name="user"/> subscribed to <paramref name="subject"/> (sid 1).</summary>
    private static ProtoClient Subscribed(NatsServer s, string user, string password, string subject) =>
        ProtoClient.Login("127.0.0.1", s.Port, user, password, commands: $"SUB {subject} 1\r\n");

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountUsers")]
    public async Task ConfigReloadAccountUsers()
    {
        var (s, conf) = Run(AccountUsers1);
        await using var _ = s;

        using var nc = ConnectOk(s, User("derek", "derek"));
        using var nc2 = ConnectOk(s, User("ivan", "ivan"));
        using var nc3 = ConnectOk(s, User("gone", "soon"));
        // These users move to another account (a named one or the global one), with their subscriptions.
        // Each subscribes to its own name (passwords equal the names).
        List<ProtoClient> MovingClients() => new[] { "foo", "bar", "baz", "bat" }.Select(u => Subscribed(s, u, u, u)).ToList();
        var moved = MovingClients();
        try
        {
            const uint expectedSubs = 5;
            s.LookupAccount("synadia")!.Sublist.Count.ShouldBe(expectedSubs);
            s.LookupAccount("nats.io")!.Sublist.Count.ShouldBe(expectedSubs);

            File.WriteAllText(conf, AccountUsers2);
            s.Reload().ShouldBeNull();

            // Removed users are closed; derek stays.
            nc2.ExpectClosed(TimeSpan.FromSeconds(5));
            nc3.ExpectClosed(TimeSpan.FromSeconds(5));
            nc.Flush();
            s.LookupAccount("acc_deleted_after_reload").ShouldBeNull();

            // Users whose account changed are disconnected; as their clients reconnect, the subscriptions land in the
            // new accounts.
            foreach (var c in moved) c.ExpectClosed(TimeSpan.FromSeconds(5));
            foreach (var c in moved) c.Dispose();
            moved = MovingClients();

            var g = s.LookupAccount(Account.GlobalName)!;
            // The four system imports ($SYS.REQ.USER.INFO, $SYS.REQ.ACCOUNT.PING.CONNZ, $SYS.REQ.ACCOUNT.PING.STATZ,
            // $SYS.REQ.SERVER.PING.CONNZ) and foo and baz.
            g.Sublist.Count.ShouldBe(6u);
            PlainSubs(g, "foo").ShouldBe(1);
            PlainSubs(g, "baz").ShouldBe(1);
            var synadia = s.LookupAccount("synadia")!;
            synadia.Sublist.Count.ShouldBe(expectedSubs);
            PlainSubs(synadia, "bar").ShouldBe(1);
            var natsIo = s.LookupAccount("nats.io")!;
            natsIo.Sublist.Count.ShouldBe(expectedSubs);
            PlainSubs(natsIo, "bat").ShouldBe(1);
        }
        finally
        {
            foreach (var c in moved) c.Dispose();
        }
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountWithNoChanges")]
    public async Task ConfigReloadAccountWithNoChanges()
    {
        var (s, _) = Run("""
            listen: "127.0.0.1:-1"
            system_account: sys
            accounts {
              A {
                users = [{ user: a }]
              }
              B {
                users = [{ user: b }]
              }
              C {
                users = [{ user: c }]
              }
              sys {
                users = [{ user: sys }]
              }
            }
            """);
        await using var _s = s;
        using var ncA = ConnectOk(s, "{\"verbose\":false,\"user\":\"a\",\"pass\":\"\"}");
        ncA.Send("SUB _INBOX.r 1\r\n");
        int n = 0;

        string Request(string subject)
        {
            ncA.Send($"PUB {subject} _INBOX.r 0\r\n\r\n");
            return ncA.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText;
        }

        // The default service imports answer for account A.
        void CheckSubs()
        {
            Request("$SYS.REQ.ACCOUNT.PING.CONNZ").ShouldContain("\"num_connections\":1");
            Request("$SYS.REQ.SERVER.PING.CONNZ").ShouldContain("\"num_connections\":1");
            Request("$SYS.REQ.ACCOUNT.PING.STATZ").ShouldContain("\"conns\":1");
            n++;
        }

        for (int i = 0; i < 3; i++)
        {
            CheckSubs();
            long before = NumSubscriptions(s);
            s.Reload().ShouldBeNull();
            NumSubscriptions(s).ShouldBe(before, $"reload {i + 1}");
        }
        n.ShouldBe(3);
    }

    private const string DerekSeed = "SUAPM67TC4RHQLKBX55NIQXSMATZDOZK6FNEOSS36CAYA7F7TY66LP4BOM";
    private const string IvanSeed = "SUAIS5JPX4X4GJ7EIIJEQ56DH2GWPYJRPWN5XJEDENJOZHCBLI7SEPUQDE";

    /// <summary>Connects as the nkey user of <paramref name="seed"/> (signing the INFO nonce) and returns its account.</summary>
    private static Account? NkeyAccount(NatsServer s, string seed, out ProtoClient c)
    {
        var kp = NKeyPair.FromSeed(seed);
        c = ProtoClient.Connect("127.0.0.1", s.Port);
        string nonce = c.Info!.Value.GetProperty("nonce").GetString()!;
        nonce.ShouldNotBeEmpty();
        string sig = Convert.ToBase64String(kp.Sign(Encoding.ASCII.GetBytes(nonce))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        c.Send($"CONNECT {{\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{sig}\",\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n");
        c.ReadLine().ShouldStartWith("+OK");
        string pub = kp.PublicKey;
        return s.Clients.Single(x => !x.IsInternal && x.AuthorizedUser == pub).Account;
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountNKeyUsers")]
    public async Task ConfigReloadAccountNKeyUsers()
    {
        const string derek = "UCNGL4W5QX66CFX6A6DCBVDH5VOHMI7B2UZZU7TXAUQQSI2JPHULCKBR";
        const string ivan = "UDPGQVFIWZ7Q5UH4I5E6DBCZULQS6VTVBG6CYBD7JV3G3N2GMQOMNAUH";
        var (s, conf) = Run($$"""
            listen: "127.0.0.1:-1"
            accounts {
              synadia {
                users = [
                  # Derek
                  {nkey : {{derek}}}
                ]
              }
              nats.io {
                users = [
                  # Ivan
                  {nkey : {{ivan}}}
                ]
              }
            }
            """);
        await using var _ = s;
        var synadia = s.LookupAccount("synadia");
        var nats = s.LookupAccount("nats.io");

        NkeyAccount(s, DerekSeed, out var c1).ShouldBeSameAs(synadia);
        using var _c1 = c1;
        NkeyAccount(s, IvanSeed, out var c2).ShouldBeSameAs(nats);
        using var _c2 = c2;

        // Ivan to the global account, Derek to nats.io, synadia removed.
        File.WriteAllText(conf, $$"""
            listen: "127.0.0.1:-1"
            authorization {
              users = [
                # Ivan
                {nkey : {{ivan}}}
              ]
            }
            accounts {
              nats.io {
                users = [
                  # Derek
                  {nkey : {{derek}}}
                ]
              }
            }
            """);
        s.Reload().ShouldBeNull();

        var nkeys = s.NkeyUsers;
        nkeys.Count.ShouldBe(2);
        nkeys.ContainsKey(derek).ShouldBeTrue("NKey for user Derek not found");
        nkeys[derek].Account.ShouldBe("nats.io");
        nkeys.ContainsKey(ivan).ShouldBeTrue("NKey for user Ivan not found");
        (nkeys[ivan].Account is null or "" or Account.GlobalName).ShouldBeTrue($"ivan's account: {nkeys[ivan].Account}");
        s.LookupAccount("synadia").ShouldBeNull();
    }
}

public sealed partial class ReloadTests
{
    private static string StreamsConf(string fooExport, string ivanDeny, string fooImport, string prefix) => """
        listen: "127.0.0.1:-1"
        accounts {
          synadia {
            users [{user: derek, password: foo}]
            exports = [
              {stream: "private.>", accounts: [nats.io]}
              {stream: FOOEXPORT}
            ]
          }
          nats.io {
            users [
              IVAN
            ]
            imports = [
              {stream: {account: "synadia", subject: FOOIMPORT}}
              {stream: {account: "synadia", subject: "private.natsio.*"}, prefix: PREFIX}
            ]
          }
        }
        no_sys_acc: true
        """.Replace("FOOEXPORT", fooExport).Replace("PREFIX", prefix).Replace("FOOIMPORT", fooImport).Replace("IVAN", "{user: ivan, password: bar, permissions: {subscribe: {deny: " + ivanDeny + "}}}");

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountStreamsImportExport")]
    public async Task ConfigReloadAccountStreamsImportExport()
    {
        // synadia exports private.> to nats.io and foo.* to all; ivan may not subscribe to xxx; nats.io imports foo.*,
        // and private.natsio.* under the prefix ivan.
        var (s, conf) = Run(StreamsConf("\"foo.*\"", "\"xxx\"", "\"foo.*\"", "\"ivan\""));
        await using var _ = s;
        using var derek = ConnectOk(s, User("derek", "foo"));
        using var ivan = ConnectOk(s, User("ivan", "bar"));
        ivan.SendAndFlush("SUB foo.bar 1\r\nSUB foo.baz 2\r\nSUB foo.bat 3\r\nSUB ivan.private.natsio.* 4\r\n");
        var synadia = s.LookupAccount("synadia")!;

        // A message published by derek reaches ivan's subscription (sid), or not; derek's account holds the import's
        // interest, or not.
        void Check(string subject, string? sid)
        {
            derek.SendAndFlush($"PUB {subject} 5\r\nhello\r\n");
            ivan.Send("PING\r\n");
            if (sid is null)
            {
                ivan.ExpectLine(ProtoRegex.Pong, TimeSpan.FromSeconds(1));
                PlainSubs(synadia, subject).ShouldBe(0, $"{subject} should not be in derek's sublist");
            }
            else
            {
                ivan.ReadMsg(TimeSpan.FromSeconds(1)).Sid.ShouldBe(sid);
                ivan.ExpectLine(ProtoRegex.Pong, TimeSpan.FromSeconds(1));
                PlainSubs(synadia, subject).ShouldBe(1, $"{subject} should have 1 match in derek's sublist");
            }
        }

        // Inside each account, messages still flow.
        void CheckIntraAccount()
        {
            ivan.SendAndReadMsg("PUB ivan.sub 5\r\nhello\r\n", TimeSpan.FromSeconds(1)).Subject.ShouldBe("ivan.sub");
            derek.SendAndReadMsg("PUB derek.sub 5\r\nhello\r\n", TimeSpan.FromSeconds(1)).Subject.ShouldBe("derek.sub");
        }

        Check("foo.bar", "1");
        Check("foo.baz", "2");
        Check("foo.bat", "3");
        Check("private.natsio.foo", "4");
        ivan.Send("SUB ivan.sub 5\r\n");
        derek.Send("SUB derek.sub 1\r\n");
        CheckIntraAccount();

        // Now ivan may not subscribe to foo.bat, nats.io imports foo.baz only, and the prefix is yyyy.
        File.WriteAllText(conf, StreamsConf("\"foo.*\"", "\"foo.bat\"", "\"foo.baz\"", "\"yyyy\""));
        s.Reload().ShouldBeNull();
        // ivan's foo.bat subscription is revoked with a permissions error.
        ivan.ReadLine(TimeSpan.FromSeconds(5)).ToLowerInvariant().ShouldContain("permissions violation");
        Check("foo.bar", null);
        Check("foo.baz", "2");
        Check("foo.bat", null);
        Check("private.natsio.foo", null);
        CheckIntraAccount();

        // foo.* is no longer exported; nats.io imports xxx and the prefix is ivan again.
        File.WriteAllText(conf, StreamsConf("\"xxx\"", "\"foo.bat\"", "\"xxx\"", "\"ivan\""));
        s.Reload().ShouldBeNull();
        Check("foo.bar", null);
        Check("foo.baz", null);
        Check("foo.bat", null);
        Check("private.natsio.foo", "4");
        CheckIntraAccount();
    }
}

public sealed partial class ReloadTests
{
    [Fact, GoTest("server/reload_test.go", "TestConfigReloadValidate")]
    public async Task ConfigReloadValidate()
    {
        var (s, conf) = Run("""
            listen: "127.0.0.1:-1"
            no_auth_user: a
            authorization {
              users [
                {user: "a", password: "a"},
                {user: "b", password: "b"}
              ]
            }
            """);
        await using var _ = s;
        // The user no_auth_user names is gone.
        File.WriteAllText(conf, """
            listen: "127.0.0.1:-1"
            no_auth_user: a
            authorization {
              users [
                {user: "b", password: "b"}
              ]
            }
            """);
        s.Reload().ShouldNotBeNull().ShouldStartWith("no_auth_user:");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadDefaultSystemAccount")]
    public async Task ConfigReloadDefaultSystemAccount()
    {
        var (s, _) = Run("""
            listen: "127.0.0.1:-1"
            accounts {
              ACC {
                users = [
                  {user: usr, password: pwd}
                ]
              }
            }
            """);
        await using var _s = s;
        var sys = s.SystemAccount;
        sys.ShouldNotBeNull();
        uint numSubs = sys.Sublist.Count;
        string name = sys.Name;
        s.Accounts.ShouldContain(a => a.Name == name, "system account in the accounts list");

        s.Reload().ShouldBeNull();
        sys = s.SystemAccount;
        sys.ShouldNotBeNull();
        sys.Sublist.Count.ShouldBe(numSubs);
        s.Accounts.ShouldContain(a => a.Name == name, "system account in the accounts list");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountMappings")]
    public async Task ConfigReloadAccountMappings()
    {
        var (s, conf) = Run("""
            listen: "127.0.0.1:-1"
            accounts {
              ACC {
                users = [{user: usr, password: pwd}]
                mappings = { foo: bar }
              }
            }
            """);
        await using var _ = s;
        File.WriteAllText(conf, """
            listen: "127.0.0.1:-1"
            accounts {
              ACC {
                users = [{user: usr, password: pwd}]
                mappings = { foo: baz }
              }
            }
            """);
        s.Reload().ShouldBeNull();

        using var nc = ConnectOk(s, User("usr", "pwd"));
        nc.Send("SUB foo 1\r\nSUB baz 2\r\nPUB foo 0\r\n\r\nPING\r\n");
        // foo maps to baz now: only baz's subscription gets it.
        nc.ReadMsg(TimeSpan.FromSeconds(2)).Sid.ShouldBe("2");
        nc.ExpectLine(ProtoRegex.Pong);

        File.WriteAllText(conf, """
            listen: "127.0.0.1:-1"
            accounts {
              ACC {
                users = [{user: usr, password: pwd}]
              }
            }
            """);
        s.Reload().ShouldBeNull();
        // Without a mapping, foo is foo (the client stays: its user did not move).
        nc.SendAndReadMsg("PUB foo 0\r\n\r\n", TimeSpan.FromSeconds(2)).Sid.ShouldBe("1");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadWithSysAccountOnly")]
    public async Task ConfigReloadWithSysAccountOnly()
    {
        var (s, _) = Run("""
            listen: "127.0.0.1:-1"
            accounts {
              $SYS {
                users = [{user: "system",pass: "password"}, {user: "system2",pass: "password2"}]
              }
            }
            """);
        await using var _s = s;
        // No credentials: the server's own no-auth user for a system-account-only configuration.
        using var nc = ConnectOk(s);
        s.Reload().ShouldBeNull();
        // Not disconnected.
        nc.ExpectNothing(TimeSpan.FromMilliseconds(500));
        nc.Flush();
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccounts")]
    public async Task ConfigReloadAccounts()
    {
        const string accounts = """
            listen: "127.0.0.1:-1"
            system_account: SYS
            accounts {
              SYS {
                users = [
                  {user: sys, password: pwd}
                ]
              }
              ACC {
                users = [
                  {user: usr, password: pwd}
                ]
              }

            """;
        var (s, conf) = Run(accounts + """
              acc_deleted_after_reload_will_trigger_reload_of_all_accounts {
                users = [
                  {user: notused, password: soon}
                ]
              }
            }
            """);
        await using var _ = s;
        var oldSys = s.LookupAccount("SYS");
        oldSys.ShouldNotBeNull();

        // The system account object, its internal client and that client's account survive the reload.
        void CheckServerState()
        {
            s.SystemAccount.ShouldNotBeNull();
            s.Events.ShouldNotBeNull();
            s.SystemAccount.Name.ShouldBe("SYS");
            s.Options.SystemAccount.ShouldBe("SYS");
            s.LookupAccount(s.Options.SystemAccount).ShouldBeSameAs(oldSys, "the system account was replaced by the reload");
            s.SystemAccount.ShouldBeSameAs(oldSys);
            var sysClient = s.Events.Client;
            sysClient.ShouldNotBeNull();
            sysClient.Account.Name.ShouldBe("SYS");
            sysClient.Echo.ShouldBeFalse("internal clients never echo");
            // Go keeps the internal client among its account's clients; here it is bound to that very account object.
            sysClient.Account.ShouldBeSameAs(oldSys);
        }

        using var clients = new ProtoClients();
        // A system user watching ACC's connect and disconnect events.
        ProtoClient Watch(string name)
        {
            var c = ProtoClient.Login("127.0.0.1", s.Port, "sys", "pwd",
                "SUB $SYS.ACCOUNT.ACC.CONNECT 1\r\nSUB $SYS.ACCOUNT.ACC.DISCONNECT 2\r\n", $",\"name\":\"{name}\"");
            clients.Add(c);
            return c;
        }
        // An ACC user connects and leaves; every watcher gets exactly its connect and its disconnect event.
        void TriggerSysEvent(string name, params ProtoClient[] watchers)
        {
            ProtoClient.Login("127.0.0.1", s.Port, "usr", "pwd", connectFields: $",\"name\":\"{name}\"").Dispose();
            foreach (var w in watchers)
            {
                foreach (string sid in new[] { "1", "2" })
                {
                    var m = w.ReadMsg(TimeSpan.FromSeconds(1));
                    m.Sid.ShouldBe(sid);
                    using var doc = System.Text.Json.JsonDocument.Parse(m.Payload);
                    doc.RootElement.GetProperty("client").GetProperty("name").GetString().ShouldBe(name);
                }
                w.Flush();
            }
        }

        CheckServerState();
        var w1 = Watch("SYS1");
        TriggerSysEvent("BEFORE1", w1);
        TriggerSysEvent("BEFORE2", w1);

        // Removing an account reloads all of them.
        File.WriteAllText(conf, accounts + "}\n");
        s.Reload().ShouldBeNull();

        CheckServerState();
        var w2 = Watch("SYS2");
        TriggerSysEvent("AFTER1", w1, w2);
        TriggerSysEvent("AFTER2", w1, w2);
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadDefaultSentinel")]
    public async Task ConfigReloadDefaultSentinel()
    {
        var okp = JwtCreds.Operator;
        string ojwt = new NatsParity.Server.Auth.Jwt.OperatorClaims(okp.PublicKey).Encode(okp);
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        var aKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = new NatsParity.Server.Auth.Jwt.AccountClaims(sysKp.PublicKey) { Name = "SYS" }.Encode(okp);
        string aJwt = new NatsParity.Server.Auth.Jwt.AccountClaims(aKp.PublicKey) { Name = "A" }.Encode(okp);
        var uKp = NKeyPair.Create(NKeys.PrefixUser);
        var uc = new NatsParity.Server.Auth.Jwt.UserClaims(uKp.PublicKey) { BearerToken = true, Name = "sentinel" };
        string sentinel = uc.Encode(aKp);
        string Content() => $$"""
            listen: 127.0.0.1:-1
            operator: {{ojwt}}
            system_account: {{sysKp.PublicKey}}
            resolver: MEM
            resolver_preload: {
              {{sysKp.PublicKey}}: {{sysJwt}}
              {{aKp.PublicKey}}: {{aJwt}}
            }
            default_sentinel: {{sentinel}}
            """;
        var (s, conf) = Run(Content());
        await using var _ = s;
        s.Options.DefaultSentinel.ShouldBe(sentinel);

        uc.Name = "sentinel-updated";
        sentinel = uc.Encode(aKp);
        File.WriteAllText(conf, Content());
        s.Reload().ShouldBeNull();
        s.Options.DefaultSentinel.ShouldBe(sentinel);
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadTrustedOperatorAndTrustedKeysUnsupported")]
    public async Task ConfigReloadTrustedOperatorAndTrustedKeysUnsupported()
    {
        var okp = JwtCreds.Operator;
        string ojwt = new NatsParity.Server.Auth.Jwt.OperatorClaims(okp.PublicKey).Encode(okp);
        var aKp = NKeyPair.Create(NKeys.PrefixAccount);
        string aJwt = new NatsParity.Server.Auth.Jwt.AccountClaims(aKp.PublicKey).Encode(okp);
        string Conf(string trust) => $"listen: 127.0.0.1:-1\n{trust}\nresolver: MEM\nresolver_preload: {{\n  {aKp.PublicKey}: {aJwt}\n}}\n";

        IReadOnlyList<string> keys;
        {
            var (s, conf) = Run(Conf($"operator: {ojwt}"));
            await using var _ = s;
            // The server trusts the operator's keys.
            keys = s.TrustedKeys;
            keys.Count.ShouldBeGreaterThan(0);
            File.WriteAllText(conf, Conf(""));
            s.Reload()!.ShouldContain("not supported for TrustedOperator");
            s.TrustedKeys.Count.ShouldBeGreaterThan(0);
        }
        {
            string list = "[" + string.Join(", ", keys.Select(k => $"\"{k}\"")) + "]";
            var (s, conf) = Run(Conf($"trusted_keys: {list}"));
            await using var _ = s;
            File.WriteAllText(conf, Conf(""));
            s.Reload()!.ShouldContain("not supported for TrustedKeys");
            s.TrustedKeys.Count.ShouldBeGreaterThan(0);
        }
    }
}
