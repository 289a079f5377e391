namespace NatsParity.Server.Config;

/// <summary>The one options model for CLI flags and the conf file; names and defaults as Go's Options (opts.go, const.go).</summary>
public sealed class ServerOptions
{
    public const int DefaultPort = 4222;
    public const string DefaultHost = "0.0.0.0";
    public const int RandomPort = -1;

    public string ConfigFile { get; set; } = "";
    public string ServerName { get; set; } = "";
    public string Host { get; set; } = DefaultHost;
    public int Port { get; set; } = DefaultPort;
    public string ClientAdvertise { get; set; } = "";

    public int MaxConnections { get; set; } = 64 * 1024;
    public int MaxSubscriptions { get; set; }
    public int MaxPayload { get; set; } = 1024 * 1024;
    public long MaxPending { get; set; } = 64 * 1024 * 1024;
    public int MaxControlLine { get; set; } = 4096;
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromMinutes(2);
    public int MaxPingsOut { get; set; } = 2;
    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromSeconds(10);
    public bool NoHeaderSupport { get; set; }
    public bool NoSystemAccount { get; set; }
    public int MaxClosedClients { get; set; } = 10_000;

    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public string Authorization { get; set; } = "";
    public TimeSpan AuthTimeout { get; set; }
    public string NoAuthUser { get; set; } = "";

    public TimeSpan LameDuckDuration { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan LameDuckGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    public string PidFile { get; set; } = "";
    public string PortsFileDir { get; set; } = "";
    public string LogFile { get; set; } = "";
    public long LogSizeLimit { get; set; }
    public bool Logtime { get; set; } = true;
    public bool LogtimeUTC { get; set; }
    public bool Debug { get; set; }
    public bool Trace { get; set; }
    public bool TraceVerbose { get; set; }
    public bool Syslog { get; set; }
    /// <summary>Go's NoLog: no log output at all (embedded servers and tests).</summary>
    public bool NoLog { get; set; }
    public string RemoteSyslog { get; set; } = "";
    public int MaxTracedMsgLen { get; set; }
    /// <summary>Go's trace_headers: message traces show only the header block.</summary>
    public bool TraceHeaders { get; set; }

    public int HttpPort { get; set; }
    public int HttpsPort { get; set; }
    public string HttpHost { get; set; } = "";
    public int ProfPort { get; set; }
    public bool CheckConfig { get; set; }

    public bool Tls { get; set; }
    public bool TlsVerify { get; set; }
    public string TlsCert { get; set; } = "";
    public string TlsKey { get; set; } = "";
    public string TlsCaCert { get; set; } = "";

    public string Routes { get; set; } = "";
    public string ClusterListen { get; set; } = "";
    public string ClusterAdvertise { get; set; } = "";
    public bool ClusterNoAdvertise { get; set; }
    public int ConnectRetries { get; set; }
    public string ClusterName { get; set; } = "";
    public bool JetStream { get; set; }
    public string StoreDir { get; set; } = "";

    /// <summary>Go's default auth timeout: 2s, or the TLS timeout when TLS is on.</summary>
    public TimeSpan EffectiveAuthTimeout => AuthTimeout > TimeSpan.Zero ? AuthTimeout : TimeSpan.FromSeconds(2);

    public bool AuthRequired => Username.Length > 0 || Authorization.Length > 0;

    /// <summary>Go's validateOptions (server.go) for the options built so far; null when they are consistent.</summary>
    public string? Validate()
    {
        if (LameDuckDuration > TimeSpan.Zero && LameDuckGracePeriod >= LameDuckDuration)
            return $"lame duck grace period ({GoDuration(LameDuckGracePeriod)}) should be strictly lower than lame duck duration ({GoDuration(LameDuckDuration)})";
        if (MaxPayload > MaxPending)
            return $"max_payload ({MaxPayload}) cannot be higher than max_pending ({MaxPending})";
        if (ServerName.Contains(' '))
            return "server name cannot contain spaces";
        return null;
    }

    /// <summary>Go's time.Duration String(): "1h2m3s", "1.5s", "100ms", "0s".</summary>
    public static string GoDuration(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        if (d < TimeSpan.FromSeconds(1))
        {
            double ms = d.TotalMilliseconds;
            return ms >= 1 ? $"{ms.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)}ms"
                : $"{(d.Ticks * 100 / 1000.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}µs";
        }
        var sb = new System.Text.StringBuilder();
        long hours = (long)d.TotalHours;
        if (hours > 0) sb.Append(hours).Append('h');
        if (hours > 0 || d.Minutes > 0) sb.Append(d.Minutes).Append('m');
        double secs = d.Seconds + d.Milliseconds / 1000.0 + (d.Ticks % TimeSpan.TicksPerMillisecond) / 1e7;
        sb.Append(secs.ToString("0.#########", System.Globalization.CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}
