using System.Diagnostics;

namespace NatsParity.Console.Nodes;

/// <summary>The pids of the servers this console launched, kept in a file so that a console that crashed leaves nothing
/// behind: the next start reaps whatever is still running from the list.</summary>
public sealed class PidRegistry
{
    private readonly string _path;
    private readonly object _lock = new();

    public PidRegistry(string path)
    {
        _path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>The default file: per user, under the XDG state directory or ~/.local/state.</summary>
    public static string DefaultPath()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state))
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "natsparity-console", "launched.pids");
    }

    public IReadOnlyList<int> Read()
    {
        lock (_lock)
        {
            if (!File.Exists(_path)) return [];
            return File.ReadAllLines(_path).Select(l => int.TryParse(l.Trim(), out int p) ? p : 0).Where(p => p > 0).Distinct().ToList();
        }
    }

    public void Add(int pid)
    {
        lock (_lock) File.AppendAllLines(_path, [pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    public void Remove(int pid)
    {
        lock (_lock)
        {
            if (!File.Exists(_path)) return;
            var rest = File.ReadAllLines(_path).Where(l => l.Trim() != pid.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            File.WriteAllLines(_path, rest);
        }
    }

    /// <summary>Kills every recorded process that is still a NATS server (ours or the reference) and clears the list;
    /// returns the pids it killed. A pid reused by another program is left alone.</summary>
    public IReadOnlyList<int> Reap()
    {
        var killed = new List<int>();
        foreach (int pid in Read())
        {
            try
            {
                using var p = Process.GetProcessById(pid);
                if (!IsNatsServer(p)) continue;
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
                killed.Add(pid);
            }
            catch (ArgumentException)
            {
                // Not running any more.
            }
            catch (InvalidOperationException)
            {
            }
        }
        lock (_lock) if (File.Exists(_path)) File.Delete(_path);
        return killed;
    }

    public static bool IsNatsServer(Process p)
    {
        try
        {
            string name = p.ProcessName;
            return name is "natsparity-server" or "nats-server" || name.StartsWith("natsparity-serv", StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
