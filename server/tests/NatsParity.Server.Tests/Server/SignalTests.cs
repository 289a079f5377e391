using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/signal_test.go: resolving and signalling a server (Go's ProcessSignal, with pgrep and
/// kill replaced as Go's test replaces its package variables), and how servers answer signals.</summary>
public sealed partial class SignalTests
{
    private static int MyPid => Environment.ProcessId;

    /// <summary>A signaler whose kill must not be reached (Go's tests leave the real kill, and fail before it).</summary>
    private static ProcessSignaler Signaler(Func<PgrepResult>? pgrep = null) => new()
    {
        Pgrep = pgrep ?? (() => throw new InvalidOperationException("pgrep was not expected")),
        Kill = (pid, sig) => throw new InvalidOperationException($"kill {pid} {sig} was not expected"),
    };

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalNoProcesses")]
    public void ProcessSignalNoProcesses()
    {
        // pgrep exits non-zero when no process matched.
        var s = Signaler(() => new PgrepResult("", ExitedNonZero: true));
        s.ProcessSignal("stop", "").ShouldBe("no nats-server processes running");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalMultipleProcesses")]
    public void ProcessSignalMultipleProcesses()
    {
        var s = Signaler(() => new PgrepResult($"123\n456\n{MyPid}\n", false));
        s.ProcessSignal("stop", "").ShouldBe("multiple nats-server processes running:\n123\n456");
    }

    // Go's tests let the real kill fail on pids 123, 124 and 456, which may well exist on a CI machine running as root.
    // These keep the real kill on pids above Linux's largest (pid_max is at most 2^22), which cannot exist.
    private const int P123 = 12300000, P124 = 12400000, P456 = 45600000;

    /// <summary>pgrep finds <paramref name="pids"/> and this process; signalling <paramref name="glob"/> fails for
    /// each of <paramref name="failed"/>, in order, after an empty first line.</summary>
    private static void SignalGlobFails(int[] pids, string glob, params int[] failed)
    {
        var s = new ProcessSignaler { Pgrep = () => new PgrepResult(string.Concat(pids.Select(p => $"{p}\n")) + $"{MyPid}\n", false) };
        string? err = s.ProcessSignal("stop", glob);
        err.ShouldNotBeNull();
        string[] lines = err.Split('\n');
        lines.Length.ShouldBe(failed.Length + 1);
        lines[0].ShouldBe("");
        for (int i = 0; i < failed.Length; i++) lines[i + 1].ShouldStartWith($"signal \"stop\" {failed[i]}:");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalMultipleProcessesGlob")]
    public void ProcessSignalMultipleProcessesGlob() => SignalGlobFails([P123, P456], "*", P123, P456);

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalMultipleProcessesGlobPartial")]
    public void ProcessSignalMultipleProcessesGlobPartial() => SignalGlobFails([P123, P124, P456], "12*", P123, P124);

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalPgrepError")]
    public void ProcessSignalPgrepError()
    {
        var s = Signaler(() => throw new InvalidOperationException("error"));
        s.ProcessSignal("stop", "").ShouldBe("unable to resolve pid, try providing one");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalPgrepMangled")]
    public void ProcessSignalPgrepMangled()
    {
        var s = Signaler(() => new PgrepResult("12x", false));
        s.ProcessSignal("stop", "").ShouldBe("unable to resolve pid, try providing one");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalResolveSingleProcess")]
    public void ProcessSignalResolveSingleProcess()
    {
        bool called = false;
        var s = new ProcessSignaler
        {
            Pgrep = () => new PgrepResult($"123\n{MyPid}\n", false),
            Kill = (pid, sig) =>
            {
                called = true;
                pid.ShouldBe(123);
                sig.ShouldBe(ProcessSignaler.SIGKILL);
                return null;
            },
        };
        s.ProcessSignal("stop", "").ShouldBeNull();
        called.ShouldBeTrue("kill was called");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalInvalidCommand")]
    public void ProcessSignalInvalidCommand() =>
        Signaler().ProcessSignal("invalid", "123").ShouldBe("unknown signal \"invalid\"");

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalInvalidPid")]
    public void ProcessSignalInvalidPid() =>
        Signaler().ProcessSignal("stop", "abc").ShouldBe("invalid pid: abc");

    private static void ExpectKill(string command, int signal)
    {
        bool called = false;
        var s = new ProcessSignaler
        {
            Pgrep = () => throw new InvalidOperationException("pgrep was not expected"),
            Kill = (pid, sig) =>
            {
                called = true;
                pid.ShouldBe(123);
                sig.ShouldBe(signal);
                return null;
            },
        };
        s.ProcessSignal(command, "123").ShouldBeNull();
        called.ShouldBeTrue("kill was called");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalQuitProcess")]
    public void ProcessSignalQuitProcess() => ExpectKill("quit", ProcessSignaler.SIGINT);

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalTermProcess")]
    public void ProcessSignalTermProcess() => ExpectKill("term", ProcessSignaler.SIGTERM);

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalReopenProcess")]
    public void ProcessSignalReopenProcess() => ExpectKill("reopen", ProcessSignaler.SIGUSR1);

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalReloadProcess")]
    public void ProcessSignalReloadProcess() => ExpectKill("reload", ProcessSignaler.SIGHUP);

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalLameDuckMode")]
    public void ProcessSignalLameDuckMode() => ExpectKill("ldm", ProcessSignaler.SIGUSR2);
}
