using NatsParity.Server.Config;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Go's test-package cluster helpers (test/cluster_test.go and test/test.go): servers with routes on free
/// loopback ports, pooling and compression off as in Go's RunServer for that package.</summary>
internal static class ClusterTestSupport
{
    /// <summary>Go's RunServer in package test: no route pooling, no compression.</summary>
    public static NatsServer RunTestPackageServer(ServerOptions o)
    {
        o.Cluster.PoolSize = -1;
        o.Cluster.CompressionMode = CompressionModes.Off;
        return InProcess.Run(o);
    }

    /// <summary>Options like test/configs/srv_a.conf (or srv_b.conf): cluster "xyz" with route credentials ruser /
    /// top_secret (timeout 0.5s), no system account, listening on <paramref name="clusterPort"/> and soliciting the
    /// given route ports.</summary>
    public static ServerOptions SrvConf(int clusterPort, params int[] routePorts)
    {
        var o = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, NoSystemAccount = true };
        o.Cluster.Host = "127.0.0.1";
        o.Cluster.Port = clusterPort;
        o.Cluster.Name = "xyz";
        o.Cluster.Username = "ruser";
        o.Cluster.Password = "top_secret";
        o.Cluster.AuthTimeout = 0.5;
        foreach (var p in routePorts) o.Routes.Add(new Uri($"nats-route://ruser:top_secret@127.0.0.1:{p}"));
        return o;
    }

    /// <summary>Go's runServers: srv_a and srv_b, each soliciting the other, once the cluster is formed.</summary>
    public static (NatsServer A, NatsServer B) RunServers()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        var a = RunTestPackageServer(SrvConf(pa, pb));
        var b = RunTestPackageServer(SrvConf(pb, pa));
        CheckClusterFormed(a, b);
        return (a, b);
    }

    /// <summary>Go's checkClusterFormed: every server has a route to each of the others, within 10s.</summary>
    public static void CheckClusterFormed(params NatsServer[] servers)
    {
        int expected = servers.Length - 1;
        CheckFor(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), () =>
        {
            foreach (var s in servers)
                if (s.NumRoutes != expected) return $"Expected {expected} routes for server \"{s.ServerId}\", got {s.NumRoutes}";
            return null;
        });
    }

    /// <summary>Go's checkExpectedSubs: each server has <paramref name="expected"/> subscriptions, within 10s.</summary>
    public static void CheckExpectedSubs(int expected, params NatsServer[] servers) =>
        CheckFor(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(10), () =>
        {
            foreach (var s in servers)
                if (s.NumSubscriptions() != expected) return $"Expected {expected} subscriptions for server \"{s.ServerId}\", got {s.NumSubscriptions()}";
            return null;
        });

    /// <summary>Go's checkFor: polls until <paramref name="check"/> returns null, failing with its last error.</summary>
    public static void CheckFor(TimeSpan total, TimeSpan every, Func<string?> check)
    {
        var deadline = DateTime.UtcNow + total;
        string? err;
        while ((err = check()) is not null)
        {
            if (DateTime.UtcNow >= deadline) Assert.Fail(err);
            Thread.Sleep(every);
        }
    }

    /// <summary>Go's checkForQueueSid: exactly one of <paramref name="sids"/> got a message.</summary>
    public static void CheckForQueueSid(IReadOnlyList<MsgFrame> msgs, string[] sids)
    {
        int n = msgs.Count(m => sids.Contains(m.Sid));
        if (n != 1) Assert.Fail($"Expected only one msg from the queue subscribers, got {n}");
    }

    /// <summary>Go's checkForPubSids: each of <paramref name="sids"/> got exactly one message.</summary>
    public static void CheckForPubSids(IReadOnlyList<MsgFrame> msgs, string[] sids)
    {
        foreach (var sid in sids)
        {
            int n = msgs.Count(m => m.Sid == sid);
            if (n != 1) Assert.Fail($"Did not receive exactly one message for sid {sid}, got {n}");
        }
    }
}
