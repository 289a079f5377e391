using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace NatsParity.Server;

/// <summary>What pgrep printed, and whether it exited non-zero (which pgrep does when nothing matched).</summary>
public readonly record struct PgrepResult(string Output, bool ExitedNonZero);

/// <summary>
/// The <c>--signal cmd[=pid]</c> side of the server (Go's ProcessSignal): sends a running server the signal for a
/// command, finding it with pgrep when no pid is given. <see cref="Pgrep"/> and <see cref="Kill"/> are the seams
/// tests replace (Go's package variables of the same names).
/// </summary>
public sealed class ProcessSignaler
{
    public const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;

    /// <summary>The process name pgrep looks for, and that the errors name (Go's SetProcessName).</summary>
    public string ProcessName { get; set; } = "nats-server";

    /// <summary>Lists the pids of running servers, one a line; throws when pgrep cannot be run at all.</summary>
    public Func<PgrepResult> Pgrep { get; set; }

    /// <summary>Sends a signal to a pid; returns an error text, or null.</summary>
    public Func<int, int, string?> Kill { get; set; } = KillProcess;

    public ProcessSignaler() => Pgrep = RunPgrep;

    /// <summary>Go's CommandToSignal.</summary>
    public static int CommandToSignal(string command, out string? error)
    {
        error = null;
        switch (command)
        {
            case "stop": return SIGKILL;
            case "quit": return SIGINT;
            case "reopen": return SIGUSR1;
            case "reload": return SIGHUP;
            case "ldm": return SIGUSR2;
            case "term": return SIGTERM;
            default:
                error = $"unknown signal \"{command}\"";
                return 0;
        }
    }

    /// <summary>
    /// Signals the server given by <paramref name="pidExpr"/> (a pid, a pid prefix ending with '*', or empty for the
    /// only running server); returns the error text, or null when every signal was sent.
    /// </summary>
    public string? ProcessSignal(string command, string pidExpr)
    {
        bool isGlob = pidExpr.EndsWith('*');
        string pidStr = isGlob ? pidExpr[..^1] : pidExpr;
        var pids = new List<int> { 0 };
        if (pidStr.Length > 0)
        {
            if (!TryAtoi(pidStr, out int p)) return $"invalid pid: {pidStr}";
            pids[0] = p;
        }
        if (pidStr.Length == 0 || isGlob)
        {
            if (ResolvePids(out var err) is not { } resolved) return err;
            pids = resolved;
        }
        var errStr = new StringBuilder();
        if (pids.Count > 1 && !isGlob)
        {
            errStr.Append($"multiple {ProcessName} processes running:");
            foreach (int p in pids) errStr.Append('\n').Append(p.ToString(CultureInfo.InvariantCulture));
            return errStr.ToString();
        }
        if (pids.Count == 0) return $"no {ProcessName} processes running";

        int signum = CommandToSignal(command, out var cmdErr);
        if (cmdErr is not null) return cmdErr;

        foreach (int pid in pids)
        {
            string ps = pid.ToString(CultureInfo.InvariantCulture);
            if (ps != pidStr && pidStr.Length > 0 && (!isGlob || !ps.StartsWith(pidStr, StringComparison.Ordinal))) continue;
            if (Kill(pid, signum) is { } killErr) errStr.Append($"\nsignal \"{command}\" {pid}: {killErr}");
        }
        return errStr.Length > 0 ? errStr.ToString() : null;
    }

    /// <summary>Go's resolvePids: the pids pgrep listed, without this process's own.</summary>
    private List<int>? ResolvePids(out string? error)
    {
        const string unresolved = "unable to resolve pid, try providing one";
        error = null;
        PgrepResult result;
        try
        {
            result = Pgrep();
        }
        catch (Exception)
        {
            error = unresolved;
            return null;
        }
        int myPid = Environment.ProcessId;
        var pids = new List<int>();
        foreach (string line in (result.Output ?? "").Split('\n'))
        {
            if (line.Length == 0) continue;
            if (!TryAtoi(line, out int pid))
            {
                error = unresolved;
                return null;
            }
            if (pid == myPid) continue;
            pids.Add(pid);
        }
        return pids;
    }

    /// <summary>Go's strconv.Atoi: an optional sign and decimal digits, nothing else (no spaces or newlines).</summary>
    private static bool TryAtoi(string s, out int value) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private PgrepResult RunPgrep()
    {
        var psi = new ProcessStartInfo("pgrep") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // The kernel keeps only the first 15 bytes of a process's name, and pgrep matches against that.
        psi.ArgumentList.Add(ProcessName.Length > 15 ? ProcessName[..15] : ProcessName);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("pgrep did not start");
        var stderr = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        _ = stderr.Result;
        return new PgrepResult(output, p.ExitCode != 0);
    }

    private static string? KillProcess(int pid, int signal)
    {
        if (SysKill(pid, signal) == 0) return null;
        int errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            1 => "operation not permitted",
            3 => "no such process",
            22 => "invalid argument",
            _ => Marshal.GetPInvokeErrorMessage(errno),
        };
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SysKill(int pid, int sig);
}
