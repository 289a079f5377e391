using NatsParity.Server.Auth;

namespace NatsParity.Server.Config;

/// <summary>Route permissions (Go's RoutePermissions): what this server takes from a route (import, checked as a
/// publish permission) and what interest it sends to it (export, checked as a subscribe permission).</summary>
public sealed class RoutePermissions
{
    public SubjectPermission? Import { get; set; }
    public SubjectPermission? Export { get; set; }

    public RoutePermissions Clone() => new() { Import = Import?.Clone(), Export = Export?.Clone() };
}

/// <summary>Go's compression modes for routes (and leafnodes).</summary>
public static class CompressionModes
{
    public const string NotSupported = "not supported";
    public const string Off = "off";
    public const string Accept = "accept";
    public const string S2Auto = "s2_auto";
    public const string S2Uncompressed = "s2_uncompressed";
    public const string S2Fast = "s2_fast";
    public const string S2Better = "s2_better";
    public const string S2Best = "s2_best";

    /// <summary>Go's defaultCompressionS2AutoRTTThresholds: the RTTs above which s2_auto moves to fast, better, best.</summary>
    public static readonly IReadOnlyList<TimeSpan> DefaultS2AutoRttThresholds =
        [TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100)];

    /// <summary>Go's validateAndNormalizeCompressionOption: a user's mode (or alias) to its constant, "on" to
    /// <paramref name="modeForOn"/>, and s2_auto's thresholds checked (ascending, at most 4, zeros at the end dropped)
    /// or defaulted. Null when valid; Go's error otherwise.</summary>
    public static string? ValidateAndNormalize(ref string mode, ref List<TimeSpan> rttThresholds, string modeForOn)
    {
        string m = mode.ToLowerInvariant();
        if (m is "on" or "enabled" or "true") m = modeForOn;
        switch (m)
        {
            case "not supported" or "not_supported": mode = NotSupported; return null;
            case "disabled" or "off" or "false": mode = Off; return null;
            case "accept": mode = Accept; return null;
            case "fast" or "s2_fast": mode = S2Fast; return null;
            case "better" or "s2_better": mode = S2Better; return null;
            case "best" or "s2_best": mode = S2Best; return null;
            case "auto" or "s2_auto": break;
            default: return $"unsupported compression mode \"{mode}\"";
        }
        List<TimeSpan> rtts;
        if (rttThresholds.Count == 0)
        {
            rtts = [.. DefaultS2AutoRttThresholds];
        }
        else
        {
            rtts = [];
            foreach (var t in rttThresholds)
            {
                var n = t < TimeSpan.Zero ? TimeSpan.Zero : t;
                // A zero anywhere skips that level; any other value must not be below an earlier one.
                if (rtts.Count > 0 && n != TimeSpan.Zero && rtts.Any(v => n < v))
                    return $"RTT threshold values {GoDurations(rttThresholds)} should be in ascending order";
                rtts.Add(n);
            }
            int stop = rtts.FindLastIndex(v => v != TimeSpan.Zero);
            rtts.RemoveRange(stop + 1, rtts.Count - stop - 1);
            if (rtts.Count > 4)
                return $"compression mode \"{mode}\" should have no more than 4 RTT thresholds: {GoDurations(rttThresholds)}";
            if (rtts.Count == 0)
                return $"compression mode \"{mode}\" requires at least one RTT threshold";
        }
        mode = S2Auto;
        rttThresholds = rtts;
        return null;
    }

    /// <summary>A duration slice as Go's %v prints it: [10ms 50ms].</summary>
    private static string GoDurations(List<TimeSpan> d) => "[" + string.Join(" ", d.Select(ServerOptions.GoDuration)) + "]";
}

/// <summary>Go's ClusterOpts: the <c>cluster {}</c> block and the cluster flags. A zero <see cref="Port"/> (and no
/// <see cref="ListenStr"/>) means no cluster.</summary>
public sealed class ClusterOptions
{
    /// <summary>Go's DEFAULT_ROUTE_POOL_SIZE.</summary>
    public const int DefaultPoolSize = 3;

    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    /// <summary>The route port: 0 for none, -1 for a random one (the listener's port is written back once listening).</summary>
    public int Port { get; set; }
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    /// <summary>Seconds a route that must authenticate has to send CONNECT (0: Go's default).</summary>
    public double AuthTimeout { get; set; }
    public RoutePermissions? Permissions { get; set; }
    /// <summary>Seconds for the route TLS handshake.</summary>
    public double TlsTimeout { get; set; }
    /// <summary>The --cluster / cluster_listen URL as given.</summary>
    public string ListenStr { get; set; } = "";
    public string Advertise { get; set; } = "";
    public bool NoAdvertise { get; set; }
    public int ConnectRetries { get; set; }
    public bool ConnectBackoff { get; set; }
    /// <summary>Connections per remote server for accounts without a route of their own; -1 disables pooling (and
    /// per-account routes), 0 means Go's default.</summary>
    public int PoolSize { get; set; }
    /// <summary>Accounts with a route of their own to each remote (Go's Cluster.PinnedAccounts, conf "accounts").</summary>
    public List<string> PinnedAccounts { get; set; } = [];
    public string CompressionMode { get; set; } = "";
    public List<TimeSpan> CompressionRttThresholds { get; set; } = [];
    public TimeSpan PingInterval { get; set; }
    public int MaxPingsOut { get; set; }
    public TimeSpan WriteDeadline { get; set; }
    public WriteTimeoutPolicy WriteTimeout { get; set; }

    /// <summary>True when a cluster port is configured.</summary>
    public bool Enabled => Port != 0 || ListenStr.Length > 0;

    public ClusterOptions Clone()
    {
        var c = (ClusterOptions)MemberwiseClone();
        c.Permissions = Permissions?.Clone();
        c.PinnedAccounts = [.. PinnedAccounts];
        c.CompressionRttThresholds = [.. CompressionRttThresholds];
        return c;
    }
}
