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
