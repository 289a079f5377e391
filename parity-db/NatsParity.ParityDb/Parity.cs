namespace NatsParity.ParityDb;

/// <summary>One Go test with what is known of it: excluded, the .NET tests that port it, and whether they pass on ours.</summary>
internal sealed record GoTestStatus(GoTestRow Test, bool Excluded, string ExclusionReason, IReadOnlyList<string> Mapped, bool Passing)
{
    public bool Ported => Mapped.Count > 0;
    public string State => Excluded ? "excluded" : Passing ? "passing" : Ported ? "failing" : "unported";
}

internal sealed record Tally(string Name, int Total, int Excluded, int Ported, int Passing)
{
    public int Failing => Ported - Passing;
    public int Unported => Total - Excluded - Ported;
    public double Percent => Total - Excluded == 0 ? 0 : 100.0 * Passing / (Total - Excluded);
}

/// <summary>Computes parity from the catalogue, the mappings and the latest recorded run on ours.</summary>
internal static class Parity
{
    public static List<GoTestStatus> Compute(ParityDatabase db, string version, string kind = "test")
    {
        var tests = db.Query("SELECT go_file, go_test, line, kind, subsystem, build_tags, skips FROM go_tests WHERE version = $v AND kind = $k ORDER BY go_file, line",
            r => new GoTestRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6)),
            ("$v", version), ("$k", kind));
        var exclusions = db.Query("SELECT go_file, go_test, reason FROM exclusions", r => (r.GetString(0), r.GetString(1), r.GetString(2)))
            .ToDictionary(e => (e.Item1, e.Item2), e => e.Item3);
        var mappings = db.Query("SELECT go_file, go_test, dotnet_test FROM mappings", r => (r.GetString(0), r.GetString(1), r.GetString(2)))
            .GroupBy(m => (m.Item1, m.Item2))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(m => m.Item3).Distinct().ToList());
        var outcomes = LatestOutcomes(db, "ours");

        var list = new List<GoTestStatus>(tests.Count);
        foreach (var t in tests)
        {
            bool excluded = exclusions.TryGetValue((t.GoFile, t.GoTest), out var reason);
            var mapped = mappings.GetValueOrDefault((t.GoFile, t.GoTest)) ?? [];
            bool passing = !excluded && mapped.Count > 0 && mapped.All(m => outcomes.TryGetValue(m, out var o) && o.All(x => x == "Passed"));
            list.Add(new GoTestStatus(t, excluded, reason ?? "", mapped, passing));
        }
        return list;
    }

    /// <summary>Outcomes of every .NET test in the latest run for <paramref name="target"/> (theory rows grouped).</summary>
    public static Dictionary<string, List<string>> LatestOutcomes(ParityDatabase db, string target)
    {
        long runId = db.Scalar<long>("SELECT COALESCE(MAX(id), 0) FROM runs WHERE target = $t", ("$t", target));
        return db.Query("SELECT dotnet_test, outcome FROM results WHERE run_id = $r", r => (r.GetString(0), r.GetString(1)), ("$r", runId))
            .GroupBy(x => x.Item1)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Item2).ToList());
    }

    public static Tally TallyOf(string name, IEnumerable<GoTestStatus> items)
    {
        int total = 0, excluded = 0, ported = 0, passing = 0;
        foreach (var s in items)
        {
            total++;
            if (s.Excluded) { excluded++; continue; }
            if (s.Ported) ported++;
            if (s.Passing) passing++;
        }
        return new Tally(name, total, excluded, ported, passing);
    }
}
