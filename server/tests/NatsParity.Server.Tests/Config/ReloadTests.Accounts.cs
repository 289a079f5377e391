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

    private ProtoClient Subscribed(NatsServer s, string user, string subject)
    {
        var c = ConnectOk(s, User(user, user));
        c.Send($"SUB {subject} 1\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Pong);
        return c;
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountUsers")]
    public async Task ConfigReloadAccountUsers()
    {
        var (s, conf) = Run(AccountUsers1);
        await using var _ = s;

        using var nc = ConnectOk(s, User("derek", "derek"));
        using var nc2 = ConnectOk(s, User("ivan", "ivan"));
        using var nc3 = ConnectOk(s, User("gone", "soon"));
        // These users move to another account (a named one or the global one), with their subscriptions.
        var moved = new List<ProtoClient>
        {
            Subscribed(s, "foo", "foo"), Subscribed(s, "bar", "bar"), Subscribed(s, "baz", "baz"), Subscribed(s, "bat", "bat"),
        };
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
            nc.Send("PING\r\n");
            nc.ExpectLine(ProtoRegex.Pong);
            s.LookupAccount("acc_deleted_after_reload").ShouldBeNull();

            // Users whose account changed are disconnected; as their clients reconnect, the subscriptions land in the
            // new accounts.
            foreach (var c in moved) c.ExpectClosed(TimeSpan.FromSeconds(5));
            foreach (var c in moved) c.Dispose();
            moved = [Subscribed(s, "foo", "foo"), Subscribed(s, "bar", "bar"), Subscribed(s, "baz", "baz"), Subscribed(s, "bat", "bat")];

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
