using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using NatsParity.ParityDb;

try
{
    return ParityCli.Run(args, Paths.Find(), Console.Out);
}
catch (ParityException e)
{
    Console.Error.WriteLine($"parity: {e.Message}");
    return 1;
}

/// <summary>The parity-db commands: import, scan, record, report, unported, show, sql, gate.</summary>
internal static class ParityCli
{
    private const string Usage = """
usage: parity <command> [options]
  import [--catalogue FILE | --go-src PATH]   load a Go test catalogue (default: newest ../shared/go-tests/nats-server-*.tsv)
  scan [--config Release|Debug]              read [GoTest] attributes from built test assemblies and @go: tags from specs/
  record [--target ours|reference] [FILE...] import TRX results (default: TestResults/*.trx; target read from each test)
  report                                     write reports/parity.md, parity.svg, parity.json
  unported [--subsystem S] [--file F] [--limit N]   Go tests not passing: go_file<TAB>go_test<TAB>line
  show TestName                              a Go test, the .NET tests mapped to it and their latest outcomes
  sql "SELECT ..."                           read-only query
  gate [--update]                            fail when passing counts drop below parity-db/baseline.json
""";

    public static int Run(string[] args, Paths paths, TextWriter output)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        var opts = new Options(args.Skip(1).ToArray());
        return args[0] switch
        {
            "import" => Import(paths, opts, output),
            "scan" => Scan(paths, opts, output),
            "record" => Record(paths, opts, output),
            "report" => Report(paths, output),
            "unported" => Unported(paths, opts, output),
            "show" => Show(paths, opts, output),
            "sql" => Sql(paths, opts, output),
            "gate" => Gate(paths, opts, output),
            _ => throw new ParityException($"unknown command \"{args[0]}\"\n{Usage}"),
        };
    }

    private static int Import(Paths paths, Options o, TextWriter output)
    {
        string version, source;
        List<GoTestRow> rows;
        if (o.Get("--catalogue") is { } tsv)
        {
            rows = Catalogue.ReadTsv(tsv);
            version = o.Get("--version") ?? Catalogue.VersionFromFileName(tsv);
            source = Path.GetFullPath(tsv);
        }
        else if (o.Get("--go-src") is { } src)
        {
            (version, rows) = Catalogue.ScanGoTree(src);
            version = o.Get("--version") ?? version;
            source = Path.GetFullPath(src);
        }
        else if (Catalogue.NewestShared(paths.Shared) is { } newest)
        {
            rows = Catalogue.ReadTsv(newest);
            version = Catalogue.VersionFromFileName(newest);
            source = newest;
        }
        else
        {
            var src2 = Catalogue.EnsureDebianSource();
            (version, rows) = Catalogue.ScanGoTree(src2);
            source = src2;
        }

        using var db = ParityDatabase.Open(paths.Database);
        db.InTransaction(tx =>
        {
            db.Execute("DELETE FROM go_tests WHERE version = $v", ("$v", version));
            db.Execute("UPDATE catalogues SET is_current = 0");
            db.Execute("INSERT OR REPLACE INTO catalogues(version, source, imported_at, is_current) VALUES($v, $s, $t, 1)",
                ("$v", version), ("$s", source), ("$t", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)));
            using var cmd = db.Command("INSERT OR IGNORE INTO go_tests VALUES($v, $f, $n, $l, $k, $s, $b, $x)");
            var p = new[] { "$v", "$f", "$n", "$l", "$k", "$s", "$b", "$x" }.Select(n => cmd.Parameters.Add(new Microsoft.Data.Sqlite.SqliteParameter(n, ""))).ToArray();
            foreach (var r in rows)
            {
                p[0].Value = version; p[1].Value = r.GoFile; p[2].Value = r.GoTest; p[3].Value = r.Line;
                p[4].Value = r.Kind; p[5].Value = r.Subsystem; p[6].Value = r.BuildTags; p[7].Value = r.Skips;
                cmd.ExecuteNonQuery();
            }
            LoadExclusions(db, paths);
        });
        output.WriteLine($"imported {rows.Count} Go functions ({rows.Count(r => r.Kind == "test")} tests) of nats-server {version} from {source}");
        return 0;
    }

    private static void LoadExclusions(ParityDatabase db, Paths paths)
    {
        db.Execute("DELETE FROM exclusions");
        if (!File.Exists(paths.Exclusions)) return;
        int n = 0;
        foreach (var line in File.ReadLines(paths.Exclusions))
        {
            n++;
            if (n == 1 || line.Trim().Length == 0 || line.StartsWith('#')) continue;
            var f = line.Split('\t');
            if (f.Length < 3 || f[2].Trim().Length == 0)
                throw new ParityException($"{paths.Exclusions}:{n}: an exclusion needs go_file, go_test and a reason");
            db.Execute("INSERT OR REPLACE INTO exclusions VALUES($f, $t, $r)", ("$f", f[0]), ("$t", f[1]), ("$r", f[2]));
        }
    }

    private static int Scan(Paths paths, Options o, TextWriter output)
    {
        using var db = ParityDatabase.Open(paths.Database);
        var version = db.CurrentVersion() ?? throw new ParityException("no catalogue imported: run `parity import` first");
        var known = db.Query("SELECT go_file, go_test FROM go_tests WHERE version = $v", r => (r.GetString(0), r.GetString(1)), ("$v", version)).ToHashSet();
        var sources = MappingScanner.IndexSources(paths.Root);
        var assemblies = o.Positional.Count > 0 ? o.Positional : MappingScanner.FindTestAssemblies(paths.Root, o.Get("--config"));
        if (assemblies.Count == 0) throw new ParityException("no built test assemblies found: build the solution first");
        var mappings = new List<Mapping>();
        foreach (var a in assemblies) mappings.AddRange(MappingScanner.ScanAssembly(a, sources));
        mappings.AddRange(MappingScanner.ScanFeatures(paths.Root));

        var errors = mappings.Where(m => !known.Contains((m.GoFile, m.GoTest)))
            .Select(m => $"{(m.SourceFile.Length > 0 ? $"{m.SourceFile}:{m.SourceLine}" : m.DotnetTest)}: maps to {m.GoFile}:{m.GoTest}, which is not in the {version} catalogue")
            .Distinct().ToList();
        if (errors.Count > 0) throw new ParityException(string.Join('\n', errors));

        db.InTransaction(_ =>
        {
            db.Execute("DELETE FROM mappings");
            foreach (var m in mappings)
                db.Execute("INSERT OR IGNORE INTO mappings VALUES($f, $t, $d, $o, $sf, $sl)",
                    ("$f", m.GoFile), ("$t", m.GoTest), ("$d", m.DotnetTest), ("$o", m.Origin), ("$sf", m.SourceFile), ("$sl", m.SourceLine));
        });
        output.WriteLine($"scanned {assemblies.Count} test assemblies: {mappings.Count} mappings to {mappings.Select(m => (m.GoFile, m.GoTest)).Distinct().Count()} Go tests");
        return 0;
    }

    private static int Record(Paths paths, Options o, TextWriter output)
    {
        var files = o.Positional.Count > 0 ? o.Positional.ToList()
            : Directory.Exists(paths.TestResults) ? Directory.GetFiles(paths.TestResults, "*.trx", SearchOption.AllDirectories).Order().ToList() : [];
        if (files.Count == 0) throw new ParityException("no result files: run the tests first (TestResults/*.trx)");
        var outcomes = files.SelectMany(f => ResultRecorder.ReadTrx(f, o.Get("--target"))).ToList();
        string commit = o.Get("--commit") ?? GitCommit(paths.Root);
        string when = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        using var db = ParityDatabase.Open(paths.Database);
        db.InTransaction(_ =>
        {
            foreach (var g in outcomes.GroupBy(x => x.Target))
            {
                db.Execute("INSERT INTO runs(target, commit_sha, recorded_at, source) VALUES($t, $c, $w, $s)",
                    ("$t", g.Key), ("$c", commit), ("$w", when), ("$s", string.Join(';', files.Select(f => Path.GetRelativePath(paths.Root, f)))));
                long run = db.Scalar<long>("SELECT last_insert_rowid()");
                foreach (var r in g)
                    db.Execute("INSERT INTO results VALUES($r, $d, $n, $o)", ("$r", run), ("$d", r.DotnetTest), ("$n", r.DisplayName), ("$o", r.Outcome));
                output.WriteLine($"recorded {g.Count()} results for {g.Key} ({g.Count(x => x.Outcome == "Passed")} passed) at {commit}");
            }
        });
        return 0;
    }

    private static string GitCommit(string root)
    {
        try
        {
            var p = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true })!;
            var s = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 && s.Length > 0 ? s : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    private static (ParityDatabase Db, string Version) OpenCurrent(Paths paths)
    {
        if (!File.Exists(paths.Database)) throw new ParityException("no parity database: run `./scripts/parity import` (./scripts/test does it)");
        var db = ParityDatabase.Open(paths.Database);
        var v = db.CurrentVersion();
        if (v is null) { db.Dispose(); throw new ParityException("no catalogue imported: run `parity import` first"); }
        return (db, v);
    }

    private static int Report(Paths paths, TextWriter output)
    {
        var (db, version) = OpenCurrent(paths);
        using (db)
        {
            var tests = Parity.Compute(db, version);
            var runInfo = db.Query("SELECT commit_sha, recorded_at FROM runs WHERE target = 'ours' ORDER BY id DESC LIMIT 1",
                r => $"Results: run at {r.GetString(0)} recorded {r.GetString(1)[..19]}Z.").FirstOrDefault() ?? "No run recorded yet.";
            Reporter.Write(paths.Reports, version, GitCommit(paths.Root), runInfo, tests, Parity.Compute(db, version, "benchmark"), Parity.Compute(db, version, "fuzz"));
            var overall = Parity.TallyOf("overall", tests);
            output.WriteLine($"wrote {Path.GetRelativePath(paths.Root, Path.Combine(paths.Reports, "parity.md"))}, parity.svg, parity.json");
            output.WriteLine($"parity: {Reporter.Pct(overall.Percent)}% ({overall.Passing}/{overall.Total - overall.Excluded} Go tests passing)");
        }
        return 0;
    }

    private static int Unported(Paths paths, Options o, TextWriter output)
    {
        var (db, version) = OpenCurrent(paths);
        using (db)
        {
            var sub = o.Get("--subsystem");
            var file = o.Get("--file");
            int limit = o.Get("--limit") is { } l ? int.Parse(l, CultureInfo.InvariantCulture) : int.MaxValue;
            foreach (var s in Parity.Compute(db, version)
                         .Where(s => !s.Excluded && !s.Passing)
                         .Where(s => sub is null || s.Test.Subsystem == sub)
                         .Where(s => file is null || s.Test.GoFile == file)
                         .Take(limit))
                output.WriteLine($"{s.Test.GoFile}\t{s.Test.GoTest}\t{s.Test.Line}");
        }
        return 0;
    }

    private static int Show(Paths paths, Options o, TextWriter output)
    {
        var name = o.Positional.FirstOrDefault() ?? throw new ParityException("usage: parity show TestName");
        var (db, version) = OpenCurrent(paths);
        using (db)
        {
            var matches = Parity.Compute(db, version).Concat(Parity.Compute(db, version, "benchmark")).Concat(Parity.Compute(db, version, "fuzz"))
                .Where(s => s.Test.GoTest == name).ToList();
            if (matches.Count == 0) throw new ParityException($"no Go test named {name} in the {version} catalogue");
            var ours = Parity.LatestOutcomes(db, "ours");
            var reference = Parity.LatestOutcomes(db, "reference");
            foreach (var s in matches)
            {
                output.WriteLine($"{s.Test.GoFile}:{s.Test.Line} {s.Test.GoTest} ({s.Test.Kind}, subsystem {s.Test.Subsystem}) — {s.State}");
                if (s.Excluded) output.WriteLine($"  excluded: {s.ExclusionReason}");
                if (s.Mapped.Count == 0) output.WriteLine("  no .NET test or scenario ports it yet");
                foreach (var m in s.Mapped)
                {
                    string Out(Dictionary<string, List<string>> d) => d.TryGetValue(m, out var v) ? string.Join(",", v.Distinct()) : "not run";
                    output.WriteLine($"  {m}: ours {Out(ours)}; reference {Out(reference)}");
                }
            }
        }
        return 0;
    }

    private static int Sql(Paths paths, Options o, TextWriter output)
    {
        var sql = string.Join(' ', o.Positional);
        if (sql.Length == 0) throw new ParityException("usage: parity sql \"SELECT ...\"");
        if (!File.Exists(paths.Database)) throw new ParityException("no parity database: run `./scripts/parity import` first");
        using var db = ParityDatabase.Open(paths.Database, readOnly: true);
        using var cmd = db.Command(sql);
        try
        {
            using var r = cmd.ExecuteReader();
            output.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(r.GetName)));
            while (r.Read())
                output.WriteLine(string.Join('\t', Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "" : Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture))));
        }
        catch (Microsoft.Data.Sqlite.SqliteException e)
        {
            throw new ParityException(e.Message);
        }
        return 0;
    }

    private static int Gate(Paths paths, Options o, TextWriter output)
    {
        var (db, version) = OpenCurrent(paths);
        using (db)
        {
            var (overall, subsystems, _) = Reporter.Tallies(Parity.Compute(db, version));
            var baseline = File.Exists(paths.Baseline) ? JsonNode.Parse(File.ReadAllText(paths.Baseline))!.AsObject() : new JsonObject();
            var baseSubs = baseline["subsystems"]?.AsObject() ?? new JsonObject();
            int baseOverall = baseline["overall"]?.GetValue<int>() ?? 0;

            if (o.Has("--update"))
            {
                var subs = new JsonObject();
                foreach (var name in subsystems.Select(s => s.Name).Concat(baseSubs.Select(kv => kv.Key)).Distinct().Order(StringComparer.Ordinal))
                {
                    int cur = subsystems.FirstOrDefault(s => s.Name == name)?.Passing ?? 0;
                    int old = baseSubs[name]?.GetValue<int>() ?? 0;
                    if (Math.Max(cur, old) > 0) subs[name] = Math.Max(cur, old);
                }
                var updated = new JsonObject { ["catalogue"] = version, ["overall"] = Math.Max(overall.Passing, baseOverall), ["subsystems"] = subs };
                File.WriteAllText(paths.Baseline, updated.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
                output.WriteLine($"baseline raised to {updated["overall"]} passing Go tests overall");
                return 0;
            }

            var drops = new List<string>();
            if (overall.Passing < baseOverall) drops.Add($"overall: {overall.Passing} passing < baseline {baseOverall}");
            foreach (var (name, node) in baseSubs)
            {
                int cur = subsystems.FirstOrDefault(s => s.Name == name)?.Passing ?? 0;
                int want = node!.GetValue<int>();
                if (cur < want) drops.Add($"{name}: {cur} passing < baseline {want}");
            }
            if (drops.Count > 0)
            {
                foreach (var d in drops) output.WriteLine($"parity dropped: {d}");
                return 1;
            }
            output.WriteLine($"gate: parity holds ({overall.Passing} passing, baseline {baseOverall})");
            return 0;
        }
    }

    /// <summary>"--name value" options and positional arguments.</summary>
    private sealed class Options
    {
        private readonly Dictionary<string, string?> _named = new(StringComparer.Ordinal);
        public List<string> Positional { get; } = [];

        public Options(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    var eq = args[i].IndexOf('=');
                    if (eq > 0) { _named[args[i][..eq]] = args[i][(eq + 1)..]; continue; }
                    bool flag = args[i] is "--update";
                    _named[args[i]] = flag || i + 1 >= args.Length ? null : args[++i];
                }
                else Positional.Add(args[i]);
            }
        }

        public string? Get(string name) => _named.GetValueOrDefault(name);
        public bool Has(string name) => _named.ContainsKey(name);
    }
}
