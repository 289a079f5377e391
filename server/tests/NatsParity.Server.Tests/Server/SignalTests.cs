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

    private static string? NoSuchProcess(int pid, int sig) => "no such process";

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalMultipleProcessesGlob")]
    public void ProcessSignalMultipleProcessesGlob()
    {
        // Go's test counts on the real kill failing for pids 123 and 456; a stub fails the same way without the risk of
        // signalling a real process.
        var s = new ProcessSignaler { Pgrep = () => new PgrepResult($"123\n456\n{MyPid}\n", false), Kill = NoSuchProcess };
        string? err = s.ProcessSignal("stop", "*");
        err.ShouldNotBeNull();
        string[] lines = err.Split('\n');
        lines.Length.ShouldBe(3);
        lines[0].ShouldBe("");
        lines[1].ShouldStartWith("signal \"stop\" 123:");
        lines[2].ShouldStartWith("signal \"stop\" 456:");
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalMultipleProcessesGlobPartial")]
    public void ProcessSignalMultipleProcessesGlobPartial()
    {
        var s = new ProcessSignaler { Pgrep = () => new PgrepResult($"123\n124\n456\n{MyPid}\n", false), Kill = NoSuchProcess };
        string? err = s.ProcessSignal("stop", "12*");
        err.ShouldNotBeNull();
        string[] lines = err.Split('\n');
        lines.Length.ShouldBe(3);
        lines[0].ShouldBe("");
        lines[1].ShouldStartWith("signal \"stop\" 123:");
        lines[2].ShouldStartWith("signal \"stop\" 124:");
    }

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
