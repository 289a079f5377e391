namespace NatsParity.ParityDb;

/// <summary>Where things are: the repository root (holds NatsParity.sln) and ../shared beside it.</summary>
internal sealed class Paths(string root)
{
    public string Root { get; } = root;
    public string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    public string Database => Path.Combine(Root, "parity-db", "parity.db");
    public string Exclusions => Path.Combine(Root, "parity-db", "exclusions.tsv");
    public string Baseline => Path.Combine(Root, "parity-db", "baseline.json");
    public string Reports => Path.Combine(Root, "reports");
    public string TestResults => Path.Combine(Root, "TestResults");

    public static Paths Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "NatsParity.sln"))) return new Paths(d.FullName);
        }
        throw new ParityException("cannot find the repository root (NatsParity.sln) from here");
    }
}

/// <summary>A failure the user should read: printed without a stack trace, exit code 1.</summary>
internal sealed class ParityException(string message) : Exception(message);
