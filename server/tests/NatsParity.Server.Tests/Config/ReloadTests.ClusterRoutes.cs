using NatsParity.Server.Config;
using NatsParity.Server.Tests.Cluster;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/reload_test.go for reloading the routes and name of a running cluster.</summary>
public sealed partial class ReloadTests
{
    /// <summary>Go's configs/reload/srv_*.conf on free ports: cluster "abc" listening on <paramref name="port"/> and
    /// soliciting <paramref name="routes"/>.</summary>
    private static string SrvConf(int port, params int[] routes) =>
        $"listen: 127.0.0.1:-1\ncluster {{\n  listen: 127.0.0.1:{port}\n  name: \"abc\"\n" +
        (routes.Length == 0 ? "" : $"  routes = [\n{string.Concat(routes.Select(r => $"    nats-route://127.0.0.1:{r}\n"))}  ]\n") +
        "}\nno_sys_acc: true\n";

    private static ProtoClient Client(NatsServer s)
    {
        var c = ProtoClient.Login("127.0.0.1", s.Port);
        return c;
    }

    private static void ExpectRoutedMsg(ProtoClient sub, string payload, TimeSpan timeout)
    {
        var m = sub.NextMsg(timeout);
        m.PayloadText.ShouldBe(payload, "Msg is incorrect");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadClusterRoutes")]
    public async Task ConfigReloadClusterRoutes()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort(), pc = NatsServerProcess.FreePort();
        var (srvb, _) = Run(SrvConf(pb));
        await using var _b = srvb;
        var (srva, confA) = Run(SrvConf(pa, pb));
        await using var _a = srva;
        ServerRoutesTests.CheckClusterFormedPooled(srva, srvb);
        var (srvc, _) = Run(SrvConf(pc));
        await using var _c = srvc;

        using var srvaConn = Client(srva);
        srvaConn.SendAndFlush("SUB foo 1\r\n");
        using var srvbConn = Client(srvb);
        srvb.NumRoutes.ShouldBe(ClusterOptions.DefaultPoolSize);
        ClusterTestSupport.CheckFor(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(10), () =>
            srvb.NumSubscriptions() == 1 ? null : $"Expected 1 subscriptions, got {srvb.NumSubscriptions()}");
        srvbConn.SendAndFlush("PUB foo 5\r\nhello\r\n");
        ExpectRoutedMsg(srvaConn, "hello", TimeSpan.FromSeconds(2));

        // The route to B is replaced by one to C.
        File.WriteAllText(confA, SrvConf(pa, pc));
        srva.Reload().ShouldBeNull();
        srvbConn.Dispose();
        await srvb.ShutdownAsync();
        ServerRoutesTests.CheckClusterFormedPooled(srva, srvc);

        using var srvcConn = Client(srvc);
        for (int i = 0; i < 5; i++) srvcConn.SendAndFlush("PUB foo 4\r\nhola\r\n");
        ExpectRoutedMsg(srvaConn, "hola", TimeSpan.FromSeconds(2));
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadClusterRemoveSolicitedRoutes")]
    public async Task ConfigReloadClusterRemoveSolicitedRoutes()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        var (srvb, _) = Run(SrvConf(pb));
        var (srva, confA) = Run(SrvConf(pa, pb));
        await using var _a = srva;
        try
        {
            ServerRoutesTests.CheckClusterFormedPooled(srva, srvb);
            using var srvaConn = Client(srva);
            srvaConn.SendAndFlush("SUB foo 1\r\n");
            ClusterTestSupport.CheckFor(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(10), () =>
                srvb.NumSubscriptions() == 1 ? null : $"Expected 1 subscriptions, got {srvb.NumSubscriptions()}");
            using (var srvbConn = Client(srvb)) srvbConn.SendAndFlush("PUB foo 5\r\nhello\r\n");
            ExpectRoutedMsg(srvaConn, "hello", TimeSpan.FromSeconds(5));
        }
        finally
        {
            await srvb.DisposeAsync();
        }
        // Wait until the routes are dropped.
        ClusterTestSupport.CheckFor(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(15), () =>
            srva.NumRoutes == 0 ? null : $"Expected 0 routes, got {srva.NumRoutes}");

        // A no longer solicits B.
        File.WriteAllText(confA, SrvConf(pa));
        srva.Reload().ShouldBeNull();

        var (srvb2, _) = Run(SrvConf(pb));
        await using var _b2 = srvb2;
        int numRoutes = 0;
        var deadline = DateTime.UtcNow + 2 * NatsServer.RouteReconnectDelay;
        while (DateTime.UtcNow < deadline)
        {
            if ((numRoutes = srva.NumRoutes) != 0) break;
            await Task.Delay(100);
        }
        numRoutes.ShouldBe(0, "routes for server A");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadClusterName")]
    public async Task ConfigReloadClusterName()
    {
        var (s, conf) = Run("listen: \"0.0.0.0:-1\"\ncluster: {\n  name: \"abc\"\n  listen: \"0.0.0.0:-1\"\n}\n");
        await using var _ = s;
        File.WriteAllText(conf, "listen: \"0.0.0.0:-1\"\ncluster: {\n  name: \"xyz\"\n  listen: \"0.0.0.0:-1\"\n}\n");
        s.Reload().ShouldBeNull();
        s.ClusterName.ShouldBe("xyz");
    }
}
