using NatsParity.Server.Accounts;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Accounts;

/// <summary>Ports of the subject mapping tests of server/accounts_test.go.</summary>
public sealed class MappingTests
{
    private static ProtoClient Connect(NatsServer s) => ProtoClient.Login("127.0.0.1", s.Port);

    /// <summary>Counts the messages per sid that arrived before the PONG of a flush (Go's sub.Pending()).</summary>
    private static Dictionary<string, int> Pending(ProtoClient c)
    {
        c.Send("PING\r\n");
        var counts = new Dictionary<string, int>();
        while (true)
        {
            string line = c.ReadLine();
            if (line == "PONG\r\n") return counts;
            var parts = line.Split(' ');
            parts[0].ShouldBe("MSG");
            counts[parts[2]] = counts.GetValueOrDefault(parts[2]) + 1;
            c.ReadLine(); // payload
        }
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountBasicRouteMapping")]
    public async Task AccountBasicRouteMapping()
    {
        await using var s = InProcess.Run(new ServerOptions());
        var acc = s.LookupAccount(Account.GlobalName)!;
        acc.AddMapping("foo", "bar").ShouldBeNull();
        using var nc = Connect(s);
        nc.Send("SUB foo 1\r\nSUB bar 2\r\nPUB foo 0\r\n\r\n");
        var p = Pending(nc);
        p.GetValueOrDefault("1").ShouldBe(0);
        p.GetValueOrDefault("2").ShouldBe(1);

        acc.RemoveMapping("foo").ShouldBeTrue();
        nc.Send("PUB foo 0\r\n\r\n");
        p = Pending(nc);
        p.GetValueOrDefault("1").ShouldBe(1);
        p.GetValueOrDefault("2").ShouldBe(0);
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountWildcardRouteMapping")]
    public async Task AccountWildcardRouteMapping()
    {
        await using var s = InProcess.Run(new ServerOptions());
        var acc = s.LookupAccount(Account.GlobalName)!;
        acc.AddMapping("foo.*.*", "bar.$2.$1").ShouldBeNull();
        acc.AddMapping("bar.*.>", "baz.$1.>").ShouldBeNull();
        using var nc = Connect(s);
        nc.Send("SUB foo.> 1\r\nSUB bar.> 2\r\nSUB baz.> 3\r\nPUB foo.1.2 0\r\n\r\n");
        var p = Pending(nc);
        p.GetValueOrDefault("1").ShouldBe(0);
        p.GetValueOrDefault("2").ShouldBe(1);
        p.GetValueOrDefault("3").ShouldBe(0);
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountSimpleWeightedRouteMapping")]
    public async Task AccountSimpleWeightedRouteMapping()
    {
        await using var s = InProcess.Run(new ServerOptions());
        var acc = s.LookupAccount(Account.GlobalName)!;
        acc.AddWeightedMappings("foo", [new MapDest("bar", 50)]).ShouldBeNull();
        using var nc = Connect(s);
        nc.SendAndFlush("SUB foo 1\r\nSUB bar 2\r\n");
        const int total = 500;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < total; i++) sb.Append("PUB foo 0\r\n\r\n");
        nc.Send(sb.ToString());
        var p = Pending(nc);
        int h = total / 2, tp = h / 5;
        p.GetValueOrDefault("1").ShouldBeInRange(h - tp, h + tp);
    }

    [Theory, TargetData, GoTest("server/accounts_test.go", "TestGlobalAccountRouteMappingsConfiguration")]
    public void GlobalAccountRouteMappingsConfiguration(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, new ServerConfig
        {
            Extra = """
                mappings = {
                    foo: bar
                    foo.*: [ { dest: bar.v1.$1, weight: 40% }, { destination: baz.v2.$1, weight: 20 } ]
                    bar.*.*: RAB.$2.$1
                }
                """,
        });
        using var nc = ProtoClient.Connect(server);
        nc.SendAndFlush("CONNECT {\"verbose\":false}\r\nSUB bar 1\r\nSUB bar.v1.> 2\r\nSUB baz.v2.> 3\r\nSUB RAB.> 4\r\nSUB foo.* 5\r\n");
        var sb = new System.Text.StringBuilder("PUB foo 0\r\n\r\nPUB bar.11.22 0\r\n\r\n");
        for (int i = 0; i < 500; i++) sb.Append("PUB foo.22 0\r\n\r\n");
        nc.Send(sb.ToString());
        var p = Pending(nc);
        p.GetValueOrDefault("1").ShouldBe(1);
        p.GetValueOrDefault("4").ShouldBe(1);
        int f = p.GetValueOrDefault("5"), f1 = p.GetValueOrDefault("2"), f2 = p.GetValueOrDefault("3");
        (f1 >= f2 && f >= f2).ShouldBeTrue($"foo.* {f}, bar.v1 {f1}, baz.v2 {f2}");
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountRouteMappingsConfiguration")]
    public void AccountRouteMappingsConfiguration()
    {
        var o = new ServerOptions { NoLog = true };
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            accounts {
                synadia {
                    users = [{user: derek, password: foo}]
                    mappings = {
                        foo: bar
                        foo.*: [ { dest: bar.v1.$1, weight: 40% }, { destination: baz.v2.$1, weight: 20 } ]
                        bar.*.*: RAB.$2.$1
                    }
                }
            }
            """));
        var s = new NatsServer(o);
        var acc = s.LookupAccount("synadia")!;
        acc.HasMappings.ShouldBeTrue();
        // Go reads the count back through Accountz; here through the account's configuration.
        acc.MappingDefs.Count.ShouldBe(3);
    }
}
