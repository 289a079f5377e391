using System.Globalization;
using System.Text;

namespace NatsParity.Testing;

/// <summary>
/// Server options a black-box test may set, rendered to the nats conf format both targets read.
/// Unset (null) options are left out so the server's defaults apply.
/// </summary>
public sealed record ServerConfig
{
    public int? MaxPayload { get; init; }
    public int? MaxControlLine { get; init; }
    public int? MaxConnections { get; init; }
    public int? MaxSubscriptions { get; init; }
    public long? MaxPending { get; init; }
    public TimeSpan? WriteDeadline { get; init; }
    public TimeSpan? PingInterval { get; init; }
    public int? PingMax { get; init; }
    public string? AuthUser { get; init; }
    public string? AuthPassword { get; init; }
    public string? AuthToken { get; init; }

    /// <summary>Authorization timeout in seconds.</summary>
    public double? AuthTimeout { get; init; }

    public string? ServerName { get; init; }
    public bool NoSystemAccount { get; init; }

    /// <summary>Requires TLS on the client port, with a self-signed certificate the launcher generates.</summary>
    public bool Tls { get; init; }

    /// <summary>TLS handshake timeout in seconds.</summary>
    public double? TlsTimeout { get; init; }

    /// <summary>Opens the HTTP monitoring listener on its own free loopback port.</summary>
    public bool Monitoring { get; init; }

    /// <summary>Raw conf text appended verbatim, for options this record does not model.</summary>
    public string? Extra { get; init; }

    /// <summary>
    /// Renders the conf file; <paramref name="monitorPort"/> is the port picked for <see cref="Monitoring"/>
    /// and <paramref name="tlsFiles"/> the certificate and key written for <see cref="Tls"/>.
    /// </summary>
    public string Render(int? monitorPort = null, (string CertFile, string KeyFile)? tlsFiles = null)
    {
        var conf = new StringBuilder();
        void Line(string key, string value) => conf.Append(key).Append(": ").Append(value).Append('\n');

        if (ServerName is not null) Line("server_name", Quote(ServerName));
        if (MaxPayload is { } mp) Line("max_payload", Int(mp));
        if (MaxControlLine is { } mcl) Line("max_control_line", Int(mcl));
        if (MaxConnections is { } mc) Line("max_connections", Int(mc));
        if (MaxSubscriptions is { } ms) Line("max_subscriptions", Int(ms));
        if (MaxPending is { } mpend) Line("max_pending", mpend.ToString(CultureInfo.InvariantCulture));
        if (WriteDeadline is { } wd) Line("write_deadline", Quote(GoDuration(wd)));
        if (PingInterval is { } pi) Line("ping_interval", Quote(GoDuration(pi)));
        if (PingMax is { } pm) Line("ping_max", Int(pm));
        if (NoSystemAccount) Line("no_system_account", "true");
        if (Monitoring)
        {
            if (monitorPort is null)
                throw new ArgumentNullException(nameof(monitorPort), "Monitoring needs a port to render.");
            Line("http", Quote($"127.0.0.1:{monitorPort}"));
        }

        if (Tls)
        {
            var (certFile, keyFile) = tlsFiles ?? throw new ArgumentNullException(nameof(tlsFiles), "Tls needs certificate files to render.");
            conf.Append("tls {\n");
            conf.Append("  cert_file: ").Append(Quote(certFile)).Append('\n');
            conf.Append("  key_file: ").Append(Quote(keyFile)).Append('\n');
            if (TlsTimeout is { } tt) conf.Append("  timeout: ").Append(tt.ToString(CultureInfo.InvariantCulture)).Append('\n');
            conf.Append("}\n");
        }

        if (AuthUser is not null || AuthPassword is not null || AuthToken is not null || AuthTimeout is not null)
        {
            conf.Append("authorization {\n");
            if (AuthUser is not null) conf.Append("  user: ").Append(Quote(AuthUser)).Append('\n');
            if (AuthPassword is not null) conf.Append("  password: ").Append(Quote(AuthPassword)).Append('\n');
            if (AuthToken is not null) conf.Append("  token: ").Append(Quote(AuthToken)).Append('\n');
            if (AuthTimeout is { } at) conf.Append("  timeout: ").Append(at.ToString(CultureInfo.InvariantCulture)).Append('\n');
            conf.Append("}\n");
        }

        if (!string.IsNullOrWhiteSpace(Extra))
            conf.Append(Extra.TrimEnd()).Append('\n');
        return conf.ToString();
    }

    /// <summary>A Go <c>time.ParseDuration</c> string: whole seconds as "Ns", otherwise milliseconds.</summary>
    public static string GoDuration(TimeSpan d) =>
        d.Ticks % TimeSpan.TicksPerSecond == 0
            ? $"{(long)d.TotalSeconds}s"
            : d.Ticks % TimeSpan.TicksPerMillisecond == 0
                ? $"{(long)d.TotalMilliseconds}ms"
                : $"{d.Ticks * 100}ns";

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
