using NatsParity.Server.Config;
using NatsParity.Testing;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;

namespace NatsParity.Server.Tests.Cluster;

public sealed partial class ClusterTests
{
    [Fact, GoTest("test/cluster_test.go", "TestProperServerWithRoutesShutdown")]
    public async Task ProperServerWithRoutesShutdown()
    {
        var (srvA, srvB) = RunServers();
        var routes = srvA.RouteConnections().Concat(srvB.RouteConnections()).ToList();
        Assert.Equal(2, routes.Count);
        int clusterA = srvA.ClusterPort, clusterB = srvB.ClusterPort;
        await srvA.DisposeAsync();
        await srvB.DisposeAsync();

        // Nothing of the cluster outlives the servers: every route connection closed and unregistered, and
        // neither cluster port still accepting.
        CheckFor(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10), () =>
            routes.FirstOrDefault(r => !r.IsClosed) is { } open ? $"Route connection {open} still open after shutdown" : null);
        Assert.Equal(0, srvA.NumRoutes);
        Assert.Equal(0, srvB.NumRoutes);
        foreach (var port in new[] { clusterA, clusterB })
        {
            using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
            Assert.ThrowsAny<System.Net.Sockets.SocketException>(() => probe.Connect("127.0.0.1", port));
        }
    }

    [Fact, GoTest("test/cluster_test.go", "TestClusterDoubleMsgs")]
    public async Task ClusterDoubleMsgs()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var clientA1 = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        using var clientA2 = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        using var clientB = ProtoClient.Connect("127.0.0.1", srvB.Port).Setup();

        string[] qg1SidsA = ["1", "2", "3"];
        foreach (var sid in qg1SidsA) clientA1.Send($"SUB foo qg1 {sid}\r\n");
        clientA1.Flush();
        CheckExpectedSubs(1, srvB);

        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");
        var matches = clientA1.ExpectMsgs(1);
        matches[0].Check("foo", null, "", 2, "ok");
        CheckForQueueSid(matches, qg1SidsA);

        clientA2.Send("SUB > 1\r\n");
        clientA2.Send("SUB foo 2\r\n");
        clientA2.Flush();
        string[] pSids = ["1", "2"];
        CheckExpectedSubs(1 + 2, srvB);

        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");
        matches = clientA1.ExpectMsgs(1);
        matches[0].Check("foo", null, "", 2, "ok");
        CheckForQueueSid(matches, qg1SidsA);
        matches = clientA2.ExpectMsgs(2);
        matches[0].Check("foo", null, "", 2, "ok");
        CheckForPubSids(matches, pSids);

        clientA1.Dispose();
        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");
        Thread.Sleep(10);
        matches = clientA2.ExpectMsgs(2);
        matches[0].Check("foo", null, "", 2, "ok");
        CheckForPubSids(matches, pSids);
    }

    [Fact, GoTest("test/cluster_test.go", "TestClusterDropsRemoteSids")]
    public async Task ClusterDropsRemoteSids()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();

        clientA.SendAndFlush("SUB foo 1\r\n");
        CheckExpectedSubs(1, srvA, srvB);

        clientA.SendAndFlush("SUB bar 2\r\n");
        CheckExpectedSubs(2, srvA, srvB);

        clientA.SendAndFlush("UNSUB 1\r\n");
        CheckExpectedSubs(1, srvA, srvB);

        // The client gone, its subscription state goes on both servers.
        clientA.Dispose();
        CheckExpectedSubs(0, srvA, srvB);
    }

    [Fact, GoTest("test/cluster_test.go", "TestAutoUnsubscribePropagation")]
    public async Task AutoUnsubscribePropagation()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        using var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();

        // Each subscription auto-unsubscribes after its one message: none may be left behind on B.
        for (int i = 1; i <= 100; i++)
        {
            clientA.Send($"SUB foo {i}\r\n");
            clientA.Send($"UNSUB {i} 1\r\n");
            clientA.Send("PUB foo 2\r\nok\r\n");
            clientA.ExpectMsgs(1);
        }
        clientA.Flush();
        Thread.Sleep(50);
        CheckExpectedSubs(0, srvB);
    }

    [Fact, GoTest("test/cluster_test.go", "TestAutoUnsubscribePropagationOnClientDisconnect")]
    public async Task AutoUnsubscribePropagationOnClientDisconnect()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        CheckExpectedSubs(0, srvA, srvB);

        clientA.Send("SUB foo 1\r\n");
        clientA.Send("UNSUB 1 1\r\n");
        clientA.Flush();
        CheckExpectedSubs(1, srvA, srvB);

        clientA.Dispose();
        CheckExpectedSubs(0, srvA, srvB);
    }

    [Fact, GoTest("test/cluster_test.go", "TestClusterNameDynamicNegotiation")]
    public async Task ClusterNameDynamicNegotiation()
    {
        var seedOpts = new ServerOptions { NoSystemAccount = false };
        seedOpts.Cluster.Host = "127.0.0.1";
        seedOpts.Cluster.Port = NatsServerProcess.FreePort();
        var seed = RunTestPackageServer(seedOpts);
        var servers = new List<NatsServer> { seed };
        try
        {
            int numServers = Random.Shared.Next(20) + 1;
            for (int i = 0; i < numServers; i++)
            {
                var o = new ServerOptions();
                o.Cluster.Host = "127.0.0.1";
                o.Cluster.Port = ServerOptions.RandomPort;
                o.Routes.Add(new Uri($"nats-route://127.0.0.1:{seedOpts.Cluster.Port}"));
                servers.Add(RunTestPackageServer(o));
            }
            CheckClusterFormed([.. servers]);

            // No server had a name: they all settled on the seed's.
            string clusterName = seed.ClusterName;
            foreach (var s in servers)
                Assert.True(s.ClusterName == clusterName, $"Expected the cluster names to all be the same as \"{clusterName}\", got \"{s.ClusterName}\"");
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync();
        }
    }

    /// <summary>A server process with a cluster block as in the Go test's conf (listen on a free loopback port).</summary>
    private static NatsServerProcess RunClusterConf(ServerTarget target, string clusterBody, string? logArgs = null) =>
        NatsServerProcess.Start(target, new ServerConfig
        {
            Extra = $"cluster {{\n  listen: 127.0.0.1:{NatsServerProcess.FreePort()}\n{clusterBody}\n}}\n",
        }, logArgs is null ? [] : [logArgs]);

    [Theory, TargetData, GoTest("test/cluster_test.go", "TestClusterNameOption")]
    public async Task ClusterNameOption(ServerTarget target)
    {
        await using var s = RunClusterConf(target, "  name: MyCluster");
        using var c = ProtoClient.Connect(s);
        Assert.Equal("MyCluster", c.Info!.Value.GetProperty("cluster").GetString());
    }

    [Theory, TargetData, GoTest("test/cluster_test.go", "TestEphemeralClusterName")]
    public async Task EphemeralClusterName(ServerTarget target)
    {
        await using var s = RunClusterConf(target, "");
        using var c = ProtoClient.Connect(s);
        Assert.True(c.Info!.Value.TryGetProperty("cluster", out var cl) && cl.GetString() is { Length: > 0 },
            "Expected an ephemeral cluster name to be set");
    }

    [Theory, TargetData, GoTest("test/cluster_test.go", "TestClusterNameConflictsDropRoutes")]
    public async Task ClusterNameConflictsDropRoutes(ServerTarget target)
    {
        int seedPort = NatsServerProcess.FreePort();
        await using var s1 = NatsServerProcess.Start(target, new ServerConfig
        {
            Extra = $"cluster {{\n  name: MyCluster33\n  listen: 127.0.0.1:{seedPort}\n}}\n",
        });
        await using var s2 = RunClusterConf(target, $"  name: MyCluster22\n  routes = [nats-route://127.0.0.1:{seedPort}]");

        // One of the two logs the refused route.
        CheckFor(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20), () =>
            (s1.Log + "\n" + s2.Log).Split('\n').Any(l => l.Contains("[ERR]") && l.Contains("Rejecting connection") && l.Contains("does not match"))
                ? null : $"Expected an error about the cluster name mismatch; logs:\n{s1.Log}\n--\n{s2.Log}");
    }
}
