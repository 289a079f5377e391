using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of server/routes_test.go: clusters of in-process servers with Go's defaults (route pooling on).</summary>
public sealed class ServerRoutesTests
{
    /// <summary>Go's DefaultOptions: loopback, random ports, cluster "abc" on a random port.</summary>
    internal static ServerOptions DefaultOptions()
    {
        var o = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort };
        o.Cluster.Host = "127.0.0.1";
        o.Cluster.Port = ServerOptions.RandomPort;
        o.Cluster.Name = "abc";
        return o;
    }

    /// <summary>Go's configs/seed.conf with random ports and no system account.</summary>
    private static ServerOptions SeedOptions()
    {
        var o = DefaultOptions();
        o.NoSystemAccount = true;
        return o;
    }

    /// <summary>Go's nextServerOpts: the same options on new random ports.</summary>
    private static ServerOptions NextServerOpts(ServerOptions o)
    {
        var n = o.Clone();
        n.Port = ServerOptions.RandomPort;
        n.Cluster.Port = ServerOptions.RandomPort;
        n.ServerName = "";
        n.Routes = [];
        return n;
    }

    private static Uri RouteUrl(NatsServer s) => new($"nats://127.0.0.1:{s.ClusterPort}");

    /// <summary>Go's server-package checkClusterFormed: with pooling, each server has its pool plus one route per
    /// pinned account to each other server (the larger of the two sides' counts).</summary>
    internal static void CheckClusterFormedPooled(params NatsServer[] servers)
    {
        var expected = new int[servers.Length];
        for (int i = 0; i < servers.Length; i++)
        {
            var a = servers[i];
            if (a.Options.Cluster.PoolSize < 0) { expected[i] = servers.Length - 1; continue; }
            var (ps, pinned) = a.RouteCounts;
            int nr = ps + pinned, total = 0;
            foreach (var b in servers)
            {
                if (ReferenceEquals(a, b)) continue;
                var bo = b.Options.Cluster;
                total += bo.PoolSize < 0 ? 1 : Math.Max(nr, bo.PoolSize + bo.PinnedAccounts.Count);
            }
            expected[i] = total;
        }
        CheckFor(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), () =>
        {
            for (int i = 0; i < servers.Length; i++)
                if (servers[i].NumRoutes != expected[i]) return $"Expected {expected[i]} routes for server \"{servers[i].ServerId}\", got {servers[i].NumRoutes}";
            return null;
        });
    }

    private static void CheckExpectedSubs4s(int expected, params NatsServer[] servers) =>
        CheckFor(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(10), () =>
        {
            foreach (var s in servers)
                if (s.NumSubscriptions() != expected) return $"Expected {expected} subscriptions for server \"{s.ServerId}\", got {s.NumSubscriptions()}";
            return null;
        });

    /// <summary>Go's checkSubInterest: the account has interest in the subject, within the time.</summary>
    private static void CheckSubInterest(NatsServer s, string acc, string subject, TimeSpan timeout) =>
        CheckFor(timeout, TimeSpan.FromMilliseconds(15), () =>
            s.LookupAccount(acc) is { } a && a.Sublist.HasInterest(subject) ? null : $"no subscription interest for account \"{acc}\" on \"{subject}\"");

    /// <summary>nats.Connect as raw protocol (nats.go subscribes nothing until asked; NATS.Client.Core would add its
    /// inbox subscription to the counts these tests check).</summary>
    private static ProtoClient Connect(NatsServer s, string? user = null, string? pass = null)
    {
        var c = ProtoClient.Login("127.0.0.1", s.Port, user, pass, connectFields: ",\"protocol\":1");
        // The INFO that follows the first PONG to a protocol-1 client (a client library takes it in).
        c.ReadInfo();
        return c;
    }

    /// <summary>Go's natsSubSync and natsFlush.</summary>
    private static void SubSync(ProtoClient nc, string subject, string sid = "1")
    {
        nc.Send($"SUB {subject} {sid}\r\n");
        Flush(nc);
    }

    /// <summary>Go's nc.Flush on a client library: PING, then the PONG past any async INFO (cluster topology).</summary>
    private static void Flush(ProtoClient nc)
    {
        nc.Send("PING\r\n");
        string line;
        while ((line = nc.ReadLine()).StartsWith("INFO ", StringComparison.Ordinal)) { }
        line.ShouldBe("PONG\r\n");
    }

    private static void Publish(ProtoClient nc, string subject, string payload) => nc.Send($"PUB {subject} {payload.Length}\r\n{payload}\r\n");

    private static MsgFrame NextMsg(ProtoClient nc, TimeSpan timeout) => nc.NextMsg(timeout);

    /// <summary>Go's TestSeedSolicitWorks and TestChainedSolicitWorks: A solicits the seed, B solicits the seed (or A,
    /// chained); all three meet and a message from B reaches A's subscriber.</summary>
    private static async Task SolicitWorks(bool chained)
    {
        var optsSeed = SeedOptions();
        await using var srvSeed = InProcess.Run(optsSeed);
        var optsA = NextServerOpts(optsSeed);
        optsA.Routes = [RouteUrl(srvSeed)];
        await using var srvA = InProcess.Run(optsA);
        using var nc1 = Connect(srvA);
        SubSync(nc1, "foo");

        var optsB = NextServerOpts(optsA);
        optsB.Routes = [RouteUrl(chained ? srvA : srvSeed)];
        await using var srvB = InProcess.Run(optsB);
        using var nc2 = Connect(srvB);

        CheckClusterFormedPooled(srvSeed, srvA, srvB);
        CheckExpectedSubs4s(1, srvB);
        Publish(nc2, "foo", "Hello");
        NextMsg(nc1, TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("Hello");
    }

    [Fact, GoTest("server/routes_test.go", "TestSeedSolicitWorks")]
    public Task SeedSolicitWorks() => SolicitWorks(chained: false);

    [Fact, GoTest("server/routes_test.go", "TestChainedSolicitWorks")]
    public Task ChainedSolicitWorks() => SolicitWorks(chained: true);

    [Fact, GoTest("server/routes_test.go", "TestRoutesToEachOther")]
    public async Task RoutesToEachOther()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        var optsA = DefaultOptions();
        optsA.Cluster.Port = pa;
        optsA.Routes = [new Uri($"nats://127.0.0.1:{pb}")];
        var optsB = DefaultOptions();
        optsB.Cluster.Port = pb;
        optsB.Routes = [new Uri($"nats://127.0.0.1:{pa}")];
        // Both start at once, each soliciting the other: duplicates are resolved and the cluster forms.
        var ta = Task.Run(() => InProcess.Run(optsA));
        var tb = Task.Run(() => InProcess.Run(optsB));
        await using var srvA = await ta;
        await using var srvB = await tb;
        CheckClusterFormedPooled(srvA, srvB);
    }

    [Fact, GoTest("server/routes_test.go", "TestClientAdvertise")]
    public async Task ClientAdvertise()
    {
        var optsA = SeedOptions();
        await using var srvA = InProcess.Run(optsA);
        var optsB = NextServerOpts(optsA);
        optsB.Routes = [RouteUrl(srvA)];
        optsB.ClientAdvertise = "me:1";
        await using var srvB = InProcess.Run(optsB);
        CheckClusterFormedPooled(srvA, srvB);

        // nats.go's DiscoveredServers: the connect_urls of the INFO after the first PONG, other than the server the
        // client is on.
        using var nc = ProtoClient.Connect("127.0.0.1", srvA.Port);
        nc.Send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
        nc.ExpectLine(ProtoRegex.Pong);
        var info = nc.ReadInfo(TimeSpan.FromSeconds(1));
        string own = $"127.0.0.1:{srvA.Port}";
        var discovered = info.TryGetProperty("connect_urls", out var cu) ? cu.EnumerateArray().Select(e => e.GetString()!).Where(u => u != own).ToList() : [];
        discovered.ShouldBe(["me:1"], "Did not get expected discovered servers");
    }

    [Fact, GoTest("server/routes_test.go", "TestServerRoutesWithClients")]
    public async Task ServerRoutesWithClients()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        var optsA = SrvConf(pa, pb);
        var optsB = SrvConf(pb, pa);
        await using var srvA = InProcess.Run(optsA);
        using var nc1 = Connect(srvA);
        nc1.Send("SUB foo 1\r\nSUB foo bar 2\r\n");
        Publish(nc1, "foo", "Hello");
        // The plain subscription and the queue group's member each get it.
        nc1.NextMsg(TimeSpan.FromSeconds(5));
        nc1.NextMsg(TimeSpan.FromSeconds(5));
        nc1.Send("UNSUB 1\r\n");
        Flush(nc1);

        await using var srvB = InProcess.Run(optsB);
        CheckClusterFormedPooled(srvA, srvB);
        using var nc2 = Connect(srvB);
        Publish(nc2, "foo", "Hello");
        Flush(nc2);
    }

    [Fact, GoTest("server/routes_test.go", "TestServerRoutesWithAuthAndBCrypt")]
    public async Task ServerRoutesWithAuthAndBCrypt()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        // Go's configs/srv_a_bcrypt.conf and srv_b_bcrypt.conf: client and route users, the route password bcrypted.
        string Conf(int own, int other) => $$"""
            listen: 127.0.0.1:-1
            authorization { user: user, password: foo, timeout: 2 }
            cluster {
              listen: 127.0.0.1:{{own}}
              name: "abc"
              authorization {
                user: ruser
                password: $2a$10$LoRPzN3GtF2pNX5QgCBBHeUr6/zVN./RVGOu5U8SpHyg2sfzvfXji
                timeout: 5
              }
              routes = [ nats-route://ruser:bar@127.0.0.1:{{other}} ]
            }
            """;
        await using var srvA = InProcess.RunConf(Conf(pa, pb));
        await using var srvB = InProcess.RunConf(Conf(pb, pa));
        CheckClusterFormedPooled(srvA, srvB);

        using var nc1 = Connect(srvA, "user", "foo");
        SubSync(nc1, "foo");
        CheckSubInterest(srvB, "$G", "foo", TimeSpan.FromSeconds(5));
        using var nc2 = Connect(srvB, "user", "foo");
        Publish(nc2, "foo", "Hello");
        Flush(nc2);
        NextMsg(nc1, TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("Hello");
    }

    /// <summary>Go's sendAndRecv in the pool tests: a subscriber on <paramref name="s2"/>, <paramref name="count"/>
    /// messages published on <paramref name="s1"/> once the interest is there, all received and nothing more.</summary>
    private static void SendAndRecvAcross(NatsServer s1, NatsServer s2, string acc, string user, string pwd, int count)
    {
        using var s2nc = Connect(s2, user, pwd);
        SubSync(s2nc, "foo");
        using var s1nc = Connect(s1, user, pwd);
        CheckSubInterest(s1, acc, "foo", TimeSpan.FromSeconds(1));
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++) sb.Append("PUB foo 5\r\nhello\r\n");
        s1nc.Send(sb.ToString());
        for (int i = 0; i < count; i++) NextMsg(s2nc, TimeSpan.FromSeconds(1));
        // Nothing more.
        s2nc.ExpectNoMsg(TimeSpan.FromMilliseconds(150));
    }

    private const string PoolTmpl = """
        port: -1
        accounts {
            A { users: [{user: "a", password: "a"}] }
            B { users: [{user: "b", password: "b"}] }
        }
        cluster {
            port: -1
            name: "local"
            %s
            pool_size: 2
        }
        """;

    [Fact, GoTest("server/routes_test.go", "TestRoutePool")]
    public async Task RoutePool()
    {
        await using var s1 = InProcess.RunConf(PoolTmpl.Replace("%s", ""));
        await using var s2 = InProcess.RunConf(PoolTmpl.Replace("%s", $"routes: [\"nats://127.0.0.1:{s1.ClusterPort}\"]"));
        CheckClusterFormedPooled(s1, s2);

        s1.LookupAccount("A")!.RoutePoolIdx.ShouldBe(0);
        s2.LookupAccount("A")!.RoutePoolIdx.ShouldBe(0);
        s2.LookupAccount("B")!.RoutePoolIdx.ShouldBe(1);
        s2.LookupAccount("B")!.RoutePoolIdx.ShouldBe(1);

        void SendAndRecv(string acc, string user, string pwd) => SendAndRecvAcross(s1, s2, acc, user, pwd, 1000);
        SendAndRecv("A", "a", "a");
        SendAndRecv("B", "b", "b");

        void CheckStats(NatsServer s, bool isOut)
        {
            foreach (var conns in s.RoutePools().Values)
                for (int i = 0; i < conns.Length; i++)
                {
                    var r = conns[i]!;
                    long v = isOut ? Interlocked.Read(ref r.OutMsgs) : Interlocked.Read(ref r.InMsgs);
                    if (v < 1000) Assert.Fail($"Expected at least 1000 in {(isOut ? "out" : "in")} msgs for route {i + 1}, got {v}");
                }
        }
        CheckStats(s1, true);
        CheckStats(s2, false);

        void DisconnectRoute(NatsServer s, int idx)
        {
            for (int attempts = 0; ; attempts++)
            {
                var r = s.RoutePools().Values.Select(c => c[idx]).FirstOrDefault(c => c is not null);
                if (r is not null)
                {
                    r.CloseSocketForTest();
                    break;
                }
                if (attempts >= 10) Assert.Fail($"Route {idx} connection is nil");
                Thread.Sleep(250);
            }
            Thread.Sleep(250);
            CheckClusterFormedPooled(s1, s2);
        }
        DisconnectRoute(s1, 0);
        DisconnectRoute(s2, 1);
    }

    [Fact, GoTest("server/routes_test.go", "TestRoutePerAccount")]
    public async Task RoutePerAccount()
    {
        string acc1 = Auth.NKeyPair.Create(Auth.NKeys.PrefixAccount).PublicKey;
        string acc2 = Auth.NKeyPair.Create(Auth.NKeys.PrefixAccount).PublicKey;
        string Conf(string routes) => $$"""
            port: -1
            accounts {
                {{acc1}} { users: [{user: "a", password: "a"}] }
                {{acc2}} { users: [{user: "b", password: "b"}] }
            }
            cluster {
                port: -1
                name: "local"
                {{routes}}
                accounts: ["{{acc2}}"]
            }
            """;
        await using var s1 = InProcess.RunConf(Conf(""));
        var log = new LogCapture();
        var o2 = ServerOptions.FromConfigFile(InProcess.WriteConf(Conf($"routes: [\"nats://127.0.0.1:{s1.ClusterPort}\"]")));
        o2.Trace = true;
        await using var s2 = InProcess.Run(o2, ServerLogger.NewStdLogger(false, false, true, false, false, stderr: log));
        CheckClusterFormedPooled(s1, s2);

        void DisconnectRoute(NatsServer s)
        {
            for (int attempts = 0; ; attempts++)
            {
                var routes = s.AccountRoutes(acc2);
                if (routes.Count > 0)
                {
                    foreach (var r in routes.Values) r.CloseSocketForTest();
                    break;
                }
                if (attempts >= 10) Assert.Fail("Route connection is nil");
                Thread.Sleep(250);
            }
            Thread.Sleep(250);
            CheckClusterFormedPooled(s1, s2);
        }
        DisconnectRoute(s1);
        DisconnectRoute(s2);

        void SendAndRecv(string acc, string user, string pwd) => SendAndRecvAcross(s1, s2, acc, user, pwd, 10);
        SendAndRecv(acc1, "a", "a");
        SendAndRecv(acc2, "b", "b");

        // The pinned account's own route leaves its name out of the protocol.
        string traces = log.ToString();
        traces.ShouldNotContain($"[RMSG {acc2}");
    }
}
