using static NatsParity.Server.ProcessSignaler;

namespace NatsParity.Server;

public sealed partial class NatsServer
{
    /// <summary>
    /// What the server does on a trapped signal (Go's handleSignal): INT shuts down, TERM shuts down unless lame duck
    /// mode already is, USR1 reopens the log file, USR2 enters lame duck mode, HUP reloads the configuration. The
    /// host traps the signals and exits once <see cref="ShutdownCompleted"/> is done.
    /// </summary>
    public void HandleSignal(int signum)
    {
        Logger.Notice($"Trapped \"{SignalName(signum)}\" signal");
        switch (signum)
        {
            case SIGINT:
                _ = ShutdownAsync();
                break;
            case SIGTERM:
                if (!_lameDuck) _ = ShutdownAsync();
                break;
            case SIGUSR1:
                ReOpenLogFile();
                break;
            case SIGUSR2:
                _ = LameDuckShutdownAsync();
                break;
            case SIGHUP:
                try
                {
                    if (Reload() is { } err) Logger.Error($"Failed to reload server configuration: {err}");
                }
                catch (Exception e)
                {
                    // A reload must never take the server down.
                    Logger.Error($"Failed to reload server configuration: {e.Message}");
                }
                break;
        }
    }

    /// <summary>The name Go prints for a signal (its %q of syscall.Signal).</summary>
    public static string SignalName(int signum) => signum switch
    {
        SIGHUP => "hangup",
        SIGINT => "interrupt",
        SIGKILL => "killed",
        SIGUSR1 => "user defined signal 1",
        SIGUSR2 => "user defined signal 2",
        SIGTERM => "terminated",
        _ => $"signal {signum}",
    };
}
