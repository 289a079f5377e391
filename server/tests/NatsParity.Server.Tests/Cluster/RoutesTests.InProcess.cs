using System.Net.Sockets;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Xunit;
using static NatsParity.Server.Tests.Cluster.RouteWire;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of test/routes_test.go that look at the server's own state across shutdown: in process, ours.</summary>
public sealed class RoutesInProcessTests
{
    /// <summary>Options like test/configs/cluster.conf: cluster "xyz", route credentials route_user / top_secret,
    /// soliciting <paramref name="routePorts"/> as foo / bar.</summary>
    private static ServerOptions ClusterConf(params int[] routePorts)
    {
        var o = new ServerOptions { NoSystemAccount = true };
        o.Cluster.Host = "127.0.0.1";
        o.Cluster.Port = ServerOptions.RandomPort;
        o.Cluster.Name = "xyz";
        o.Cluster.Username = RouteTestServer.RouteUser;
        o.Cluster.Password = RouteTestServer.RoutePassword;
        o.Cluster.AuthTimeout = 0.5;
        foreach (var p in routePorts) o.Routes.Add(new Uri($"nats-route://foo:bar@127.0.0.1:{p}"));
        return o;
    }

    [Fact, GoTest("test/routes_test.go", "TestRouteGoServerShutdown")]
    public async Task RouteGoServerShutdown()
    {
        var l1 = Listen();
        var l2 = Listen();
        try
        {
            var s = ClusterTestSupport.RunTestPackageServer(ClusterConf(
                ((System.Net.IPEndPoint)l1.LocalEndpoint).Port, ((System.Net.IPEndPoint)l2.LocalEndpoint).Port));
            int clusterPort = s.ClusterPort;
            // Both solicited routes are being made when the server goes.
            using var r1 = AcceptRouteConn(l1, TimeSpan.FromSeconds(2));
            using var r2 = AcceptRouteConn(l2, TimeSpan.FromSeconds(2));
            await s.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

            // Nothing of the routes is left running: their connections closed, no more attempts to connect,
            // the cluster port shut.
            r1.ExpectClosed(TimeSpan.FromSeconds(2));
            r2.ExpectClosed(TimeSpan.FromSeconds(2));
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2.5));
            var again = l1.AcceptSocketAsync(cts.Token).AsTask();
            var again2 = l2.AcceptSocketAsync(cts.Token).AsTask();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => again);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => again2);
            Assert.Equal(0, s.NumRoutes);
            using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
            Assert.ThrowsAny<SocketException>(() => probe.Connect("127.0.0.1", clusterPort));
        }
        finally
        {
            l1.Stop();
            l2.Stop();
        }
    }

    [Fact, GoTest("test/routes_test.go", "TestRouteConnectOnShutdownRace")]
    public async Task RouteConnectOnShutdownRace()
    {
        var s = ClusterTestSupport.RunTestPackageServer(ClusterConf(NatsServerProcess.FreePort(), NatsServerProcess.FreePort()));
        int clusterPort = s.ClusterPort;
        using var quit = new CancellationTokenSource();
        // Route connections keep coming while the server shuts down.
        var churn = Task.Run(() =>
        {
            while (!quit.IsCancellationRequested)
            {
                try
                {
                    using var rc = ProtoClient.Connect("127.0.0.1", clusterPort, readInfo: false, timeout: TimeSpan.FromMilliseconds(200));
                    SetupRouteEx(rc, "ROUTE:1234");
                }
                catch (Exception ex) when (ex is SocketException or IOException or ProtoException)
                {
                }
            }
        });
        Thread.Sleep(5);
        await s.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        quit.Cancel();
        await churn.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, s.NumRoutes);
    }
}
