using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace NatsParity.ParityDb;

internal sealed record GoTestRow(string GoFile, string GoTest, int Line, string Kind, string Subsystem, string BuildTags, string Skips);

/// <summary>Loads a Go test catalogue: a TSV (go_file, go_test, line, kind, subsystem, build_tags, skips) or a scan of a Go tree.</summary>
internal static partial class Catalogue
{
    public const string DebianGoSource = "/usr/share/gocode/src/github.com/nats-io/nats-server";

    public static List<GoTestRow> ReadTsv(string path)
    {
        var rows = new List<GoTestRow>();
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (lineNo == 1 || line.Length == 0) continue;
            var f = line.Split('\t');
            if (f.Length < 5) throw new ParityException($"{path}:{lineNo}: expected 7 tab-separated columns");
            rows.Add(new GoTestRow(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3], f[4],
                f.Length > 5 ? f[5] : "", f.Length > 6 ? f[6] : ""));
        }
        return rows;
    }

    /// <summary>Version from a catalogue file name such as nats-server-v2.15.0-dev.tsv.</summary>
    public static string VersionFromFileName(string path)
    {
        var m = TsvName().Match(Path.GetFileName(path));
        return m.Success ? m.Groups[1].Value : Path.GetFileNameWithoutExtension(path);
    }

    /// <summary>The newest ../shared/go-tests/nats-server-*.tsv by version order, or null.</summary>
    public static string? NewestShared(string sharedDir)
    {
        var dir = Path.Combine(sharedDir, "go-tests");
        if (!Directory.Exists(dir)) return null;
        return Directory.GetFiles(dir, "nats-server-*.tsv")
            .OrderBy(f => ParseVersion(VersionFromFileName(f)))
            .LastOrDefault();
    }

    private static Version ParseVersion(string v)
    {
        var m = Regex.Match(v, @"(\d+)\.(\d+)\.(\d+)");
        return m.Success ? new Version(int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value)) : new Version(0, 0);
    }

    /// <summary>Scans a nats-server tree's *_test.go files for Test, Benchmark and Fuzz functions.</summary>
    public static (string Version, List<GoTestRow> Rows) ScanGoTree(string root)
    {
        if (!Directory.Exists(root)) throw new ParityException($"no Go source tree at {root}");
        var rows = new List<GoTestRow>();
        foreach (var file in Directory.EnumerateFiles(root, "*_test.go", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, file).Replace('\\', '/');
            if (rel.StartsWith("vendor/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            string tags = lines.Select(l => GoBuild().Match(l)).FirstOrDefault(m => m.Success)?.Groups[1].Value.Trim() ?? "";
            var subsystem = SubsystemOf(rel);
            for (int i = 0; i < lines.Length; i++)
            {
                var m = GoFunc().Match(lines[i]);
                if (!m.Success) continue;
                string kind = m.Groups[3].Value switch { "T" => "test", "B" => "benchmark", _ => "fuzz" };
                if (!m.Groups[1].Value.StartsWith(kind switch { "test" => "Test", "benchmark" => "Benchmark", _ => "Fuzz" }, StringComparison.Ordinal)) continue;
                bool skips = false;
                for (int j = i + 1; j < lines.Length && !lines[j].StartsWith('}'); j++)
                    if (lines[j].Contains("t.Skip", StringComparison.Ordinal)) { skips = true; break; }
                rows.Add(new GoTestRow(rel, m.Groups[1].Value, i + 1, kind, subsystem, tags, skips ? "skip" : ""));
            }
        }
        string version = "unknown";
        var constGo = Path.Combine(root, "server", "const.go");
        if (File.Exists(constGo))
        {
            var vm = GoVersionConst().Match(File.ReadAllText(constGo));
            if (vm.Success) version = "v" + vm.Groups[1].Value;
        }
        return (version, rows);
    }

    /// <summary>Subsystem from the file name: server/jetstream_cluster_2_test.go → jetstream_cluster.</summary>
    public static string SubsystemOf(string goFile)
    {
        var name = Path.GetFileName(goFile);
        name = name[..^"_test.go".Length];
        name = Regex.Replace(name, @"_\d+$", "");
        return name;
    }

    /// <summary>Debian's golang-github-nats-io-nats-server-dev, installed on demand.</summary>
    public static string EnsureDebianSource()
    {
        if (Directory.Exists(DebianGoSource)) return DebianGoSource;
        Console.Error.WriteLine("parity: installing golang-github-nats-io-nats-server-dev for the Go test sources");
        Run("apt-get", "update -qq");
        Run("apt-get", "install -y -qq golang-github-nats-io-nats-server-dev");
        if (!Directory.Exists(DebianGoSource)) throw new ParityException($"{DebianGoSource} is missing after installing the package");
        return DebianGoSource;
    }

    private static void Run(string exe, string args)
    {
        var p = Process.Start(new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new ParityException($"cannot run {exe}");
        p.WaitForExit();
        if (p.ExitCode != 0) throw new ParityException($"{exe} {args} failed: {p.StandardError.ReadToEnd()}");
    }

    [GeneratedRegex(@"^nats-server-(v?[\w.\-]+)\.tsv$")]
    private static partial Regex TsvName();

    [GeneratedRegex(@"^func ((Test|Benchmark|Fuzz)\w*)\(\w+ \*testing\.([TBF])\)")]
    private static partial Regex GoFunc();

    [GeneratedRegex(@"^//go:build (.+)$")]
    private static partial Regex GoBuild();

    [GeneratedRegex(@"VERSION\s*=\s*""([^""]+)""")]
    private static partial Regex GoVersionConst();
}
