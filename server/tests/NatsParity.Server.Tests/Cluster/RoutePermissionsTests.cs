using NatsParity.Testing;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Port of test/routes_test.go's route permissions test: two server processes as Go's srv_a_perms.conf and
/// srv_b.conf (cluster "xyz", ruser / top_secret), on both targets.</summary>
public sealed class RoutePermissionsTests
{
    private sealed record Node(int ClientPort, int ClusterPort, int PeerClusterPort, string Permissions);

    private static NatsServerProcess Start(ServerTarget target, Node n)
    {
        string ours = target == ServerTarget.Ours ? "  pool_size: -1\n  compression: off\n" : "";
        return NatsServerProcess.StartOnPort(target, n.ClientPort, new ServerConfig
        {
            NoSystemAccount = true,
            Monitoring = true,
            Extra = $$"""
                cluster {
                  listen: 127.0.0.1:{{n.ClusterPort}}
                  name: xyz
                  authorization {
                    user: ruser
                    password: top_secret
                    timeout: 0.5
                  }
                {{n.Permissions}}
                {{ours}}  routes = [
                    nats-route://ruser:top_secret@127.0.0.1:{{n.PeerClusterPort}}
                  ]
                }
                """,
        });
    }

    private static int Varz(NatsServerProcess s, string field) =>
        s.GetMonitorJsonAsync("/varz").GetAwaiter().GetResult().GetProperty(field).GetInt32();

    private static void CheckRoutes(params NatsServerProcess[] servers) =>
        CheckFor(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), () =>
            servers.FirstOrDefault(s => s.GetMonitorJsonAsync("/routez").GetAwaiter().GetResult().GetProperty("num_routes").GetInt32() != servers.Length - 1)
                is { } bad ? $"Expected {servers.Length - 1} routes for {bad}" : null);

    /// <summary>Go's checkExpectedSubs, from /varz.</summary>
    private static void CheckSubs(int expected, params NatsServerProcess[] servers) =>
        CheckFor(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20), () =>
            servers.FirstOrDefault(s => Varz(s, "subscriptions") != expected) is { } bad
                ? $"Expected {expected} subscriptions for {bad}, got {Varz(bad, "subscriptions")}" : null);

    private static void Received(ProtoClient c, int n) => c.ExpectMsgs(n, TimeSpan.FromSeconds(1));

    private static void NotReceived(params ProtoClient[] clients)
    {
        foreach (var c in clients) c.ExpectNothing(TimeSpan.FromMilliseconds(100));
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteBasicPermissions")]
    public async Task RouteBasicPermissions(ServerTarget target)
    {
        const string aPerms = """
              permissions {
                import: "foo"
                export: {
                  allow: "*"
                  deny: ["foo", "nats"]
                }
              }
            """;
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        var nodeA = new Node(NatsServerProcess.FreePort(), pa, pb, aPerms);
        var nodeB = new Node(NatsServerProcess.FreePort(), pb, pa, "");
        var srvA = Start(target, nodeA);
        var srvB = Start(target, nodeB);
        try
        {
            CheckRoutes(srvA, srvB);

            // B's subscriptions on bar and baz are taken by A, which exports "*".
            var ncb = ProtoClient.Connect("127.0.0.1", nodeB.ClientPort).Setup();
            ncb.SendAndFlush("SUB bar 1\r\nSUB baz 2\r\n");
            CheckSubs(2, srvA, srvB);

            var nca = ProtoClient.Connect("127.0.0.1", nodeA.ClientPort).Setup();
            nca.SendAndFlush("PUB bar 5\r\nhello\r\nPUB baz 5\r\nhello\r\n");
            Received(ncb, 2);

            // A does not take B's interest on foo, which it denies exporting.
            ncb.SendAndFlush("SUB foo 3\r\n");
            CheckSubs(3, srvB);
            CheckSubs(2, srvA);
            nca.SendAndFlush("PUB foo 5\r\nhello\r\n");
            NotReceived(ncb, nca);

            // Interest on A in bat, which A does not import: B sends it nothing.
            nca.SendAndFlush("SUB bat 1\r\n");
            CheckSubs(3, srvA);
            ncb.SendAndFlush("PUB bat 5\r\nhello\r\n");
            NotReceived(nca, ncb);

            ncb.SendAndFlush("UNSUB 3\r\n");
            CheckSubs(2, srvB);

            // Two subscriptions on foo on A, which imports foo: B sees one interest.
            nca.SendAndFlush("SUB foo 2\r\nSUB foo 3\r\n");
            CheckSubs(5, srvA);
            CheckSubs(3, srvB);
            ncb.SendAndFlush("PUB foo 5\r\nhello\r\n");
            Received(nca, 2);

            // B and its client gone: A only drops B's two subscriptions.
            ncb.Dispose();
            await srvB.DisposeAsync();
            CheckSubs(3, srvA);

            // B back: it gets A's foo interest, as one.
            srvB = Start(target, nodeB);
            CheckSubs(1, srvB);
            ncb = ProtoClient.Connect("127.0.0.1", nodeB.ClientPort).Setup();
            ncb.SendAndFlush("PUB foo 5\r\nhello\r\n");
            Received(nca, 2);
            ncb.SendAndFlush("PUB bat 5\r\nhello\r\n");
            NotReceived(nca);

            nca.Dispose();
            ncb.Dispose();
            await srvA.DisposeAsync();
            await srvB.DisposeAsync();

            // A again with only its import permission.
            srvA = Start(target, nodeA with { Permissions = "  permissions {\n    import: \"foo\"\n  }" });
            srvB = Start(target, nodeB);
            CheckRoutes(srvA, srvB);

            nca = ProtoClient.Connect("127.0.0.1", nodeA.ClientPort).Setup();
            nca.SendAndFlush("SUB bar 1\r\n");
            CheckSubs(1, srvA);

            // bar is not imported: nothing from B.
            ncb = ProtoClient.Connect("127.0.0.1", nodeB.ClientPort).Setup();
            ncb.SendAndFlush("PUB bar 5\r\nhello\r\n");
            NotReceived(nca);

            // With no export restriction, B's baz interest is taken and served.
            ncb.SendAndFlush("SUB baz 1\r\n");
            CheckSubs(1, srvB);
            CheckSubs(2, srvA);
            nca.SendAndFlush("PUB baz 5\r\nhello\r\n");
            ncb.ExpectMsgs(1, TimeSpan.FromMilliseconds(250));
            nca.Dispose();
            ncb.Dispose();
        }
        finally
        {
            await srvA.DisposeAsync();
            await srvB.DisposeAsync();
        }
    }
}
