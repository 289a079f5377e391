using System.Diagnostics;
using NatsParity.Console.Live;
using NatsParity.Console.Nodes;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Console.Tests;

/// <summary>Node management against real server processes (ours; the reference when installed).</summary>
public sealed class NodeTests
{
    private static PidRegistry TempRegistry() =>
        new(Path.Combine(Path.GetTempPath(), $"natsparity-console-{Guid.NewGuid():N}", "launched.pids"));

    private static bool Alive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Fact]
    public async Task LaunchStopKillRestartAndDisposeLeaveNothingBehind()
    {
        var pids = TempRegistry();
        int[] seen;
        using (var nodes = new NodeManager(pids))
        {
            var launched = nodes.Launch(2, LaunchKind.Ours);
            launched.Count.ShouldBe(2);
            launched.ShouldAllBe(n => n.State == NodeState.Running && n.Pid != null && n.MonitorPort != null);
            pids.Read().Count.ShouldBe(2);
            launched[0].Config.ShouldContain("server_name: \"node-1\"");
            launched[0].LogTail.ShouldContain("Server is ready");

            // Live counters come from the node's monitoring port.
            using var poller = new Poller();
            await poller.PollAsync(nodes.Nodes);
            poller.StatsFor(launched[0]).Last.ShouldNotBeNull();
            (await poller.ConnzAsync(launched[0]))[0].ShouldContain("cid");

            var n1 = launched[0];
            int oldPid = n1.Pid!.Value;
            int port = n1.ClientPort!.Value;
            n1.Kill();
            n1.State.ShouldBe(NodeState.Exited);
            Alive(oldPid).ShouldBeFalse();

            n1.Restart();
            n1.State.ShouldBe(NodeState.Running);
            n1.ClientPort.ShouldBe(port);

            n1.Stop();
            n1.State.ShouldBe(NodeState.Stopped);

            seen = nodes.Nodes.Where(n => n.Pid is not null).Select(n => n.Pid!.Value).ToArray();
            seen.Length.ShouldBe(1);
        }
        seen.ShouldAllBe(p => !Alive(p));
        pids.Read().ShouldBeEmpty();
    }

    [Fact]
    public void MoreThanSevenNodesAreRefused()
    {
        using var nodes = new NodeManager(TempRegistry());
        Should.Throw<ArgumentOutOfRangeException>(() => nodes.Launch(8, LaunchKind.Ours));
        Should.Throw<ArgumentOutOfRangeException>(() => nodes.Launch(0, LaunchKind.Ours));
    }

    [Fact]
    public void AServerLeftByACrashedConsoleIsReapedAtTheNextStart()
    {
        var pids = TempRegistry();
        // A server started and recorded, then its console "crashed" (the launcher object is dropped unstopped).
        var orphan = NatsServerProcess.Start(ServerTarget.Ours);
        int pid = orphan.Pid;
        pids.Add(pid);
        // A pid that is not a NATS server is never killed.
        pids.Add(Environment.ProcessId);

        var reaped = pids.Reap();
        reaped.ShouldBe([pid]);
        Alive(pid).ShouldBeFalse();
        Alive(Environment.ProcessId).ShouldBeTrue();
        pids.Read().ShouldBeEmpty();
        orphan.Dispose();
    }

    [Fact]
    public async Task MixedLaunchRunsBothKindsAsOneCluster()
    {
        Assert.SkipUnless(File.Exists(ServerTargets.DefaultReferencePath), "the Go reference is not installed");
        using var nodes = new NodeManager(TempRegistry());
        var launched = nodes.Launch(3, LaunchKind.Mixed);
        launched.Select(n => n.Kind).ShouldBe([ServerTarget.Ours, ServerTarget.Reference, ServerTarget.Ours]);
        launched.ShouldAllBe(n => n.State == NodeState.Running);
        await CheckOneCluster(nodes);
    }

    [Fact]
    public async Task LaunchedNodesFormOneCluster()
    {
        using var nodes = new NodeManager(TempRegistry());
        var launched = nodes.Launch(3, LaunchKind.Ours);
        launched[1].Config.ShouldContain($"routes: [\"nats-route://127.0.0.1:{nodes.SeedClusterPort}\"]");
        await CheckOneCluster(nodes);
    }

    /// <summary>Every node reports a route to each other node (varz remotes), and a message published on one node
    /// reaches a subscriber on another.</summary>
    private static async Task CheckOneCluster(NodeManager nodes)
    {
        using var poller = new Poller();
        using var http = new HttpClient();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        int n = nodes.Nodes.Count;
        while (true)
        {
            var remotes = new List<long>();
            foreach (var node in nodes.Nodes)
            {
                using var doc = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(node.MonitorUrl + "/varz"));
                remotes.Add(doc.RootElement.GetProperty("remotes").GetInt64());
            }
            if (remotes.All(r => r == n - 1)) break;
            if (DateTime.UtcNow > deadline) Assert.Fail($"cluster not formed: remotes per node [{string.Join(", ", remotes)}]");
            await Task.Delay(100);
        }
        await poller.PollAsync(nodes.Nodes);
        poller.StatsFor(nodes.Nodes[0]).Last!.Routes.ShouldBeGreaterThanOrEqualTo(n - 1);

        var first = nodes.Nodes[0];
        var last = nodes.Nodes[^1];
        using var sub = ProtoClient.Connect("127.0.0.1", last.ClientPort!.Value);
        sub.Send("CONNECT {\"verbose\":false}\r\nSUB cluster.check 1\r\nPING\r\n");
        sub.ExpectLine(ProtoRegex.Pong);
        using var pub = ProtoClient.Connect("127.0.0.1", first.ClientPort!.Value);
        pub.Send("CONNECT {\"verbose\":false}\r\n");
        // Interest crosses the route asynchronously: publish until the message arrives.
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (true)
        {
            pub.Send("PUB cluster.check 2\r\nok\r\n");
            try
            {
                sub.ReadMsg(TimeSpan.FromMilliseconds(200)).PayloadText.ShouldBe("ok");
                break;
            }
            catch (ProtoException) when (DateTime.UtcNow < until) { }
        }
    }
}
