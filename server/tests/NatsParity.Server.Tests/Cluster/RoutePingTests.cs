using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of server/routes_test.go's route PING tests; they change the route ping interval, so they run alone.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class RoutePingTests
{
    private static ServerOptions DefaultOptions() => ServerRoutesTests.DefaultOptions();

    /// <summary>Go's capturePingConn on each remote's first route: a signal per PING written.</summary>
    private static SemaphoreSlim CapturePings(NatsServer s)
    {
        var ch = new SemaphoreSlim(0);
        foreach (var conns in s.RoutePools().Values)
        {
            var r = conns.First(c => c is not null)!;
            r.WriteHook = (data, deadline, write) =>
            {
                if (data.Span.IndexOf("PING\r\n"u8) >= 0) ch.Release();
                return write(data);
            };
        }
        return ch;
    }

    private static void ExpectPings(SemaphoreSlim ch)
    {
        for (int i = 0; i < 5; i++)
            if (!ch.Wait(TimeSpan.FromMilliseconds(250))) Assert.Fail("Did not send PING");
    }

    [Fact, GoTest("server/routes_test.go", "TestRoutePings")]
    public async Task RoutePings()
    {
        var saved = ClientConnection.RouteMaxPingInterval;
        ClientConnection.RouteMaxPingInterval = TimeSpan.FromMilliseconds(50);
        try
        {
            var o1 = DefaultOptions();
            await using var s1 = InProcess.Run(o1);
            var o2 = DefaultOptions();
            o2.Routes = [new Uri($"nats://127.0.0.1:{s1.ClusterPort}")];
            await using var s2 = InProcess.Run(o2);
            ServerRoutesTests.CheckClusterFormedPooled(s1, s2);
            ExpectPings(CapturePings(s1));
        }
        finally
        {
            ClientConnection.RouteMaxPingInterval = saved;
        }
    }

    [Fact, GoTest("server/routes_test.go", "TestRouteCustomPing")]
    public async Task RouteCustomPing()
    {
        var o1 = DefaultOptions();
        o1.Cluster.PingInterval = TimeSpan.FromMilliseconds(50);
        o1.Cluster.MaxPingsOut = 2;
        await using var s1 = InProcess.Run(o1);
        var o2 = DefaultOptions();
        o2.Cluster.PingInterval = TimeSpan.FromMilliseconds(50);
        o2.Routes = [new Uri($"nats://127.0.0.1:{s1.ClusterPort}")];
        await using var s2 = InProcess.Run(o2);
        ServerRoutesTests.CheckClusterFormedPooled(s1, s2);
        ExpectPings(CapturePings(s1));
    }

    [Fact, GoTest("server/routes_test.go", "TestRouteDuplicateServerName")]
    public async Task RouteDuplicateServerName()
    {
        var o = DefaultOptions();
        o.ServerName = "A";
        var errors = new System.Collections.Concurrent.BlockingCollection<string>();
        var log = new LineCapture(line => { if (line.Contains("[ERR]")) errors.Add(line); });
        await using var s = InProcess.Run(o, ServerLogger.NewStdLogger(false, false, false, false, false, stderr: log));
        var o2 = DefaultOptions();
        // The same server name on purpose.
        o2.ServerName = "A";
        o2.Routes = [new Uri($"nats://127.0.0.1:{s.ClusterPort}")];
        await using var s2 = InProcess.Run(o2);
        if (!errors.TryTake(out var w, TimeSpan.FromSeconds(5))) Assert.Fail("Should have gotten a warning regarding duplicate server name");
        Assert.Contains("Remote server has a duplicate name", w);
    }

    /// <summary>Hands each line the server logs to <paramref name="onLine"/>.</summary>
    private sealed class LineCapture(Action<string> onLine) : StringWriter
    {
        private readonly Lock _lock = new();
        public override void WriteLine(string? value)
        {
            lock (_lock) onLine(value ?? "");
        }
        public override void Write(string? value)
        {
            lock (_lock) foreach (var line in (value ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)) onLine(line);
        }
    }
}
