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
    public void MixedLaunchRunsBothKinds()
    {
        Assert.SkipUnless(File.Exists(ServerTargets.DefaultReferencePath), "the Go reference is not installed");
        using var nodes = new NodeManager(TempRegistry());
        var launched = nodes.Launch(2, LaunchKind.Mixed);
        launched.Select(n => n.Kind).ShouldBe([ServerTarget.Ours, ServerTarget.Reference]);
        launched.ShouldAllBe(n => n.State == NodeState.Running);
    }
}
