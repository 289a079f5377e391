using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using static NatsParity.Server.ProcessSignaler;

namespace NatsParity.Server.Tests.Server;

/// <summary>The signal_test.go ports that signal a running server: a server process from the built host (or the Go
/// reference) gets a real signal, as Go's tests send one to their own process.</summary>
public sealed partial class SignalTests
{
    private static async Task<bool> Eventually(Func<bool> condition, int seconds = 10) =>
        await InProcess.WaitFor(condition, TimeSpan.FromSeconds(seconds), pollMs: 20);

    [Theory, TargetData, GoTest("server/signal_test.go", "TestSignalToReOpenLogFile")]
    public async Task SignalToReOpenLogFile(ServerTarget target)
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-reopen-").FullName;
        try
        {
            string logFile = Path.Combine(dir, "test.log");
            using (var s = NatsServerProcess.Start(target, null, "-l", logFile))
            {
                // A notice the server logged: Go's test logs its own through the server's logger.
                const string expected = "Server is ready";
                (await Eventually(() => File.Exists(logFile) && File.ReadAllText(logFile).Contains(expected)))
                    .ShouldBeTrue($"the log contains \"{expected}\"");
                File.Move(logFile, logFile + ".bak");
                s.Signal(SIGUSR1);
                (await Eventually(() => File.Exists(logFile) && File.ReadAllText(logFile).Contains("File log re-opened")))
                    .ShouldBeTrue($"the reopened log contains \"File log re-opened\"; the old one has:\n{File.ReadAllText(logFile + ".bak")}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory, TargetData, GoTest("server/signal_test.go", "TestSignalToReloadConfig")]
    public async Task SignalToReloadConfig(ServerTarget target)
    {
        static ServerConfig Config(string user) => new()
        {
            Monitoring = true,
            NoSystemAccount = true,
            Extra = $"accounts: {{\n  A: {{ users: [ {{ user: {user}, password: foo }} ] }}\n}}\n",
        };
        using var s = NatsServerProcess.Start(target, Config("foo"));
        async Task<DateTimeOffset> ConfigTime() =>
            DateTimeOffset.Parse((await s.GetMonitorJsonAsync("/varz")).GetProperty("config_load_time").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

        // A reload with nothing changed still moves the configuration time.
        var loaded = await ConfigTime();
        await Task.Delay(250);
        s.Reload();
        (await ConfigTime()).ShouldNotBe(loaded, "a reload changes the configuration time");

        // The server answers the signal more than once.
        for (int i = 0; i < 2; i++)
        {
            loaded = await ConfigTime();
            File.WriteAllText(s.ConfPath, Config($"foo:{i}").Render(s.MonitorPort));
            await Task.Delay(5);
            s.Reload();
            (await ConfigTime()).ShouldBeGreaterThan(loaded);
        }
    }

    [Theory, TargetData, GoTest("server/signal_test.go", "TestSignalInterruptHasSuccessfulExit")]
    public void SignalInterruptHasSuccessfulExit(ServerTarget target)
    {
        using var s = NatsServerProcess.Start(target);
        s.Signal(SIGINT);
        s.WaitForExit(TimeSpan.FromSeconds(10)).ShouldBe(0, s.Log);
    }

    /// <summary>A server started with SIGINT ignored (as a non-interactive shell starts a background job) still traps
    /// it, as Go's signal.Notify does.</summary>
    [Theory, TargetData]
    public async Task InterruptTrappedWhenStartedIgnoringIt(ServerTarget target)
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-sigign-").FullName;
        try
        {
            string pidFile = Path.Combine(dir, "server.pid");
            var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in (string[])["-c", "trap '' INT; exec \"$0\" -a 127.0.0.1 -p -1 -P \"$1\"", ServerTargets.ResolveBinary(target), pidFile])
                psi.ArgumentList.Add(a);
            using var p = System.Diagnostics.Process.Start(psi)!;
            var output = p.StandardError.ReadToEndAsync();
            _ = p.StandardOutput.ReadToEndAsync();
            try
            {
                (await Eventually(() => File.Exists(pidFile) && File.ReadAllText(pidFile).Length > 0)).ShouldBeTrue("the server wrote its pid file");
                await Task.Delay(200);
                Kill(p.Id, SIGINT).ShouldBe(0);
                p.WaitForExit(TimeSpan.FromSeconds(10)).ShouldBeTrue("the server exited on SIGINT");
                p.ExitCode.ShouldBe(0, await output);
            }
            finally
            {
                if (!p.HasExited) p.Kill();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int sig);

    [Theory, TargetData, GoTest("server/signal_test.go", "TestSignalTermHasSuccessfulExit", Since = "2.11")]
    public void SignalTermHasSuccessfulExit(ServerTarget target)
    {
        Assert.SkipWhen(target == ServerTarget.Reference, "the 2.9.10 reference exits 1 on SIGTERM; Go exits 0 since 2.11");
        using var s = NatsServerProcess.Start(target);
        s.Signal(SIGTERM);
        s.WaitForExit(TimeSpan.FromSeconds(10)).ShouldBe(0, s.Log);
    }

    [Fact, GoTest("server/signal_test.go", "TestProcessSignalTermDuringLameDuckMode")]
    public async Task ProcessSignalTermDuringLameDuckMode()
    {
        await using var s = InProcess.Run(new ServerOptions
        {
            LameDuckDuration = TimeSpan.FromSeconds(2),
            LameDuckGracePeriod = TimeSpan.FromSeconds(1),
        });
        // One client, so that lame duck mode delays the shutdown.
        using var nc = ProtoClient.Login("127.0.0.1", s.Port);
        _ = Task.Run(s.LameDuckShutdownAsync);
        nc.ExpectClosed(TimeSpan.FromSeconds(3));

        // TERM does not shut the server down itself while it is in lame duck mode; lame duck mode does.
        s.HandleSignal(SIGTERM);
        (await Task.WhenAny(s.ShutdownCompleted, Task.Delay(TimeSpan.FromSeconds(3)))).ShouldBe(s.ShutdownCompleted, "the server shut down");
    }

    /// <summary>The executable's --signal flag refuses as ProcessSignal does: exit 1 and "&lt;exe&gt;: error" on stderr.</summary>
    private static void ExpectSignalFlagRefused(ServerTarget target, string signal, string expected)
    {
        var (exit, _, stderr) = NatsServerProcess.RunToExit(target, Path.GetTempPath(), TimeSpan.FromSeconds(10), "--signal", signal);
        exit.ShouldBe(1, stderr);
        stderr.ShouldEndWith($": {expected}\n");
    }

    [Theory, TargetData, GoTest("server/signal_test.go", "TestProcessSignalInvalidCommand")]
    public void SignalFlagInvalidCommand(ServerTarget target) => ExpectSignalFlagRefused(target, "invalid=123", "unknown signal \"invalid\"");

    [Theory, TargetData, GoTest("server/signal_test.go", "TestProcessSignalInvalidPid")]
    public void SignalFlagInvalidPid(ServerTarget target) => ExpectSignalFlagRefused(target, "stop=abc", "invalid pid: abc");
}
