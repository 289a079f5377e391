using NatsParity.ParityDb;

namespace NatsParity.Console.Parity;

/// <summary>One subsystem's line in the parity table.</summary>
public sealed record SubsystemRow(string Name, int Total, int Excluded, int Ported, int Passing, double Percent);

/// <summary>One Go test in the list: where it is and its state (unported, passing, failing, excluded).</summary>
public sealed record UnportedRow(string Subsystem, string GoFile, string GoTest, int Line, string State = "unported");

/// <summary>What the parity view shows, computed from parity-db exactly as <c>./scripts/parity report</c> does.</summary>
public sealed class ParityModel
{
    private readonly List<GoTestStatus> _statuses;
    private readonly Dictionary<string, List<string>> _outcomes;

    private ParityModel(string version, List<GoTestStatus> statuses, Dictionary<string, List<string>> outcomes)
    {
        Version = version;
        _statuses = statuses;
        _outcomes = outcomes;
        var (overall, subsystems, _) = Reporter.Tallies(statuses);
        Overall = Row(overall);
        Subsystems = subsystems.Select(Row).ToList();
    }

    public string Version { get; }
    public SubsystemRow Overall { get; }
    public IReadOnlyList<SubsystemRow> Subsystems { get; }

    private static SubsystemRow Row(Tally t) => new(t.Name, t.Total, t.Excluded, t.Ported, t.Passing, t.Percent);

    /// <summary>Loads parity-db from the repository this console runs in; null with a reason when there is none yet.</summary>
    public static ParityModel? Load(out string? error, string? databasePath = null)
    {
        error = null;
        try
        {
            string path = databasePath ?? Paths.Find().Database;
            if (!File.Exists(path))
            {
                error = $"no parity database at {path}: run ./scripts/test or ./scripts/parity import/scan/record";
                return null;
            }
            using var db = ParityDatabase.Open(path, readOnly: true);
            string? version = db.CurrentVersion();
            if (version is null)
            {
                error = "the parity database has no catalogue: run ./scripts/parity import";
                return null;
            }
            return new ParityModel(version, NatsParity.ParityDb.Parity.Compute(db, version), NatsParity.ParityDb.Parity.LatestOutcomes(db, "ours"));
        }
        catch (Exception e) when (e is ParityException or Microsoft.Data.Sqlite.SqliteException or IOException)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>The overall figure as the report prints it: "12.3% (passing/applicable)".</summary>
    public string OverallText => $"{Overall.Percent.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)}% ({Overall.Passing}/{Overall.Total - Overall.Excluded})";

    /// <summary>Unported Go tests, optionally of one subsystem and containing <paramref name="text"/> in file or name.</summary>
    public IReadOnlyList<UnportedRow> Unported(string? subsystem = null, string? text = null) => Tests(subsystem, text, all: false);

    /// <summary>Go tests of a subsystem matching <paramref name="text"/>: the unported ones, or with
    /// <paramref name="all"/> every one whatever its state.</summary>
    public IReadOnlyList<UnportedRow> Tests(string? subsystem, string? text, bool all) =>
        _statuses.Where(s => all || s.State == "unported")
            .Where(s => string.IsNullOrEmpty(subsystem) || s.Test.Subsystem == subsystem)
            .Where(s => string.IsNullOrEmpty(text) || s.Test.GoTest.Contains(text, StringComparison.OrdinalIgnoreCase)
                        || s.Test.GoFile.Contains(text, StringComparison.OrdinalIgnoreCase)
                        || s.Test.Subsystem.Contains(text, StringComparison.OrdinalIgnoreCase))
            .Select(s => new UnportedRow(s.Test.Subsystem, s.Test.GoFile, s.Test.GoTest, s.Test.Line, s.State))
            .ToList();

    /// <summary>A Go test's detail: file:line, state, and each mapped .NET test with its last outcomes.</summary>
    public IReadOnlyList<string> Detail(string goTest)
    {
        var lines = new List<string>();
        foreach (var s in _statuses.Where(s => s.Test.GoTest == goTest))
        {
            lines.Add($"{s.Test.GoTest}  {s.Test.GoFile}:{s.Test.Line}  [{s.Test.Subsystem}]  {s.State}");
            if (s.Excluded) lines.Add($"  excluded: {s.ExclusionReason}");
            foreach (var m in s.Mapped)
            {
                string outcome = _outcomes.TryGetValue(m, out var o) ? string.Join(",", o.Distinct()) : "not run";
                lines.Add($"  {m}: {outcome}");
            }
            if (!s.Ported && !s.Excluded) lines.Add("  no .NET test ports it yet");
        }
        return lines.Count > 0 ? lines : [$"{goTest}: not in the catalogue"];
    }

    /// <summary>A text bar of <paramref name="width"/> cells for a percentage.</summary>
    public static string Bar(double percent, int width)
    {
        int full = (int)Math.Round(Math.Clamp(percent, 0, 100) / 100 * width);
        return new string('█', full) + new string('░', width - full);
    }
}
