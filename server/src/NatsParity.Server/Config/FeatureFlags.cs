using System.Collections.Concurrent;

namespace NatsParity.Server.Config;

/// <summary>Go's feature flags: switches for behaviour being phased in, each with the server's default; the conf's
/// feature_flags { name: bool } override the defaults of the ones this server knows.</summary>
public static class FeatureFlags
{
    public const string JsAckFormatV2 = "js_ack_fc_v2";
    public const string JsRaftDeleteRange = "js_raft_delete_range";
    public const string JsSnapshotSources = "js_snapshot_sources";

    /// <summary>The flags this server knows, with their defaults (Go's featureFlags).</summary>
    public static ConcurrentDictionary<string, bool> Defaults { get; } = new(StringComparer.Ordinal)
    {
        [JsAckFormatV2] = false,
        [JsRaftDeleteRange] = false,
        [JsSnapshotSources] = false,
    };

    /// <summary>Go's getFeatureFlag: the user's value, else the default; a flag this server does not know is off.</summary>
    public static bool Get(ServerOptions o, string name, IReadOnlyDictionary<string, bool>? defaults = null)
    {
        defaults ??= Defaults;
        if (!defaults.TryGetValue(name, out bool dflt)) return false;
        return o.FeatureFlags is { } user && user.TryGetValue(name, out bool v) ? v : dflt;
    }

    /// <summary>Go's getMergedFeatureFlags: every known flag, the user's values first; unknown ones left out.</summary>
    public static SortedDictionary<string, bool> Merged(ServerOptions o, IReadOnlyDictionary<string, bool>? defaults = null)
    {
        defaults ??= Defaults;
        var merged = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (k, v) in defaults) merged[k] = v;
        foreach (var (k, v) in o.FeatureFlags ?? [])
            if (defaults.ContainsKey(k)) merged[k] = v;
        return merged;
    }

    /// <summary>Go's printFeatureFlags: the configured flags (opt-in, opt-out, enabled, disabled) and the unknown ones.</summary>
    public static IEnumerable<string> StartupLines(ServerOptions o)
    {
        if (o.FeatureFlags is not { Count: > 0 } user) yield break;
        var configured = new List<string>();
        var unsupported = new List<string>();
        foreach (var k in user.Keys.Order(StringComparer.Ordinal))
        {
            if (!Defaults.TryGetValue(k, out bool dflt))
            {
                unsupported.Add(k);
                continue;
            }
            bool v = user[k];
            configured.Add($"{k} ({(dflt ? (v ? "enabled" : "opt-out") : (v ? "opt-in" : "disabled"))})");
        }
        yield return "  Feature flags:";
        yield return $"    Configured:    {(configured.Count == 0 ? "none" : string.Join(", ", configured))}";
        if (unsupported.Count > 0) yield return $"    Unsupported:   {string.Join(", ", unsupported)}";
    }
}
