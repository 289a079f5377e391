using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NatsParity.Console.Suites;

/// <summary>Runs the conformance suite against a target and streams its results: each finished test as it is
/// reported, failures with their messages, and the totals at the end.</summary>
public sealed partial class SuiteRunner
{
    private Process? _process;

    public int Passed { get; private set; }
    public int Failed { get; private set; }
    public int Skipped { get; private set; }
    public bool Running => _process is { HasExited: false };
    public string? Summary { get; private set; }

    /// <summary>The conformance test executable of this checkout, or null when it is not built.</summary>
    public static string? FindExecutable()
    {
        string? root = FindRoot();
        if (root is null) return null;
        foreach (var config in new[] { "Release", "Debug" })
        {
            string exe = Path.Combine(root, "conformance", "NatsParity.Conformance", "bin", config, "net10.0", "NatsParity.Conformance");
            if (File.Exists(exe)) return exe;
        }
        return null;
    }

    private static string? FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "NatsParity.sln"))) return d.FullName;
        return null;
    }

    /// <summary>Starts the suite against <paramref name="target"/> ("ours" or "reference"); <paramref name="line"/>
    /// receives each result line and <paramref name="done"/> the totals.</summary>
    public void Start(string target, Action<string> line, Action<string> done, string? filter = null)
    {
        if (Running) return;
        string exe = FindExecutable() ?? throw new InvalidOperationException("conformance suite not built: run ./scripts/conformance once");
        Passed = Failed = Skipped = 0;
        _notPassed.Clear();
        Summary = null;
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(exe)!,
        };
        foreach (var a in new[] { "-noLogo", "-noColor", "-reporter", "verbose", "-maxThreads", "2" }) psi.ArgumentList.Add(a);
        if (filter is { Length: > 0 })
        {
            psi.ArgumentList.Add("-method");
            psi.ArgumentList.Add($"*{filter}*");
        }
        psi.Environment["NATS_TARGET"] = target;
        var p = new Process { StartInfo = psi, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is { } d && Classify(d) is { } l) line(l); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } d) line(d); };
        p.Exited += (_, _) =>
        {
            p.WaitForExit();
            Summary = $"{Passed} passed, {Failed} failed, {Skipped} skipped (exit {p.ExitCode})";
            done(Summary);
        };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
    }

    public void Stop()
    {
        try { if (_process is { HasExited: false } p) p.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    private readonly HashSet<string> _notPassed = new(StringComparer.Ordinal);

    /// <summary>Counts a line of xunit's verbose reporter and returns what the view shows for it (null for noise): a
    /// test that finishes without having failed or been skipped passed.</summary>
    internal string? Classify(string line)
    {
        var m = ResultLine().Match(line);
        if (m.Success)
        {
            string name = m.Groups[1].Value.Trim();
            switch (m.Groups[2].Value)
            {
                case "STARTING":
                    return null;
                case "FAIL":
                    if (_notPassed.Add(name)) Failed++;
                    return $"[FAIL] {name}";
                case "SKIP":
                    if (_notPassed.Add(name)) Skipped++;
                    return $"[SKIP] {name}";
                default: // FINISHED or PASS
                    if (_notPassed.Contains(name)) return null;
                    Passed++;
                    return $"[PASS] {name}";
            }
        }
        string t = line.Trim();
        if (t.Length == 0 || t.StartsWith("at ", StringComparison.Ordinal) || t.StartsWith("Discover", StringComparison.Ordinal)
            || t.StartsWith("Starting", StringComparison.Ordinal) || t.StartsWith("Finished", StringComparison.Ordinal)) return null;
        return "    " + t;
    }

    [GeneratedRegex(@"^\s*(.+?)\s\[(PASS|FAIL|SKIP|FINISHED|STARTING)\](.*)$")]
    private static partial Regex ResultLine();
}
