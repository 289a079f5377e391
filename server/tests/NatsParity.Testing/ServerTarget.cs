namespace NatsParity.Testing;

/// <summary>The server a black-box test runs against.</summary>
public enum ServerTarget
{
    /// <summary>Our <c>natsparity-server</c> host.</summary>
    Ours,

    /// <summary>The Go reference <c>nats-server</c>.</summary>
    Reference,
}

/// <summary>Which targets a run selects (<c>NATS_TARGET</c>) and where each target's binary lives.</summary>
public static class ServerTargets
{
    public const string TargetVariable = "NATS_TARGET";
    public const string ReferenceVariable = "NATS_REFERENCE";
    public const string OursVariable = "NATSPARITY_SERVER";
    public const string DefaultReferencePath = "/usr/sbin/nats-server";

    /// <summary>Targets selected by <c>NATS_TARGET=ours|reference|both</c> (default both), in a stable order.</summary>
    public static IReadOnlyList<ServerTarget> Selected { get; } = ParseSelection(Environment.GetEnvironmentVariable(TargetVariable));

    public static bool IsSelected(ServerTarget target) => Selected.Contains(target);

    public static IReadOnlyList<ServerTarget> ParseSelection(string? value) =>
        (value?.Trim().ToLowerInvariant()) switch
        {
            null or "" or "both" => [ServerTarget.Ours, ServerTarget.Reference],
            "ours" => [ServerTarget.Ours],
            "reference" or "ref" => [ServerTarget.Reference],
            _ => throw new InvalidOperationException(
                $"{TargetVariable}='{value}' is not one of ours, reference, both."),
        };

    /// <summary>Path of the target's executable; throws with a hint when it is missing, never skips.</summary>
    public static string ResolveBinary(ServerTarget target)
    {
        if (target == ServerTarget.Reference)
        {
            var path = Environment.GetEnvironmentVariable(ReferenceVariable) is { Length: > 0 } env ? env : DefaultReferencePath;
            if (!File.Exists(path))
                throw new InvalidOperationException(
                    $"Reference server not found at '{path}'. Install it (scripts/install-reference) or set {ReferenceVariable}.");
            return path;
        }

        if (Environment.GetEnvironmentVariable(OursVariable) is { Length: > 0 } explicitPath)
        {
            if (!File.Exists(explicitPath))
                throw new InvalidOperationException($"{OursVariable}='{explicitPath}' does not exist. Build the host or fix the variable.");
            return explicitPath;
        }

        var found = FindBuiltHost();
        return found ?? throw new InvalidOperationException(
            "natsparity-server not found: build server/src/NatsParity.Server.Host (Debug or Release) " +
            $"or set {OursVariable} to the apphost path. Searched up from {AppContext.BaseDirectory}.");
    }

    private static string? FindBuiltHost()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var hostBin = Path.Combine(dir.FullName, "server", "src", "NatsParity.Server.Host", "bin");
            if (!Directory.Exists(hostBin))
                continue;
            return new[] { "Release", "Debug" }
                .Select(config => new FileInfo(Path.Combine(hostBin, config, "net10.0", "natsparity-server")))
                .Where(f => f.Exists)
                .OrderByDescending(f => f.LastWriteTimeUtc)
                .FirstOrDefault()?.FullName;
        }
        return null;
    }
}
