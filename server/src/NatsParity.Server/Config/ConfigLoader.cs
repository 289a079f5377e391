using System.Globalization;

namespace NatsParity.Server.Config;

/// <summary>Applies a parsed conf file to <see cref="ServerOptions"/> with Go's key names (opts.go processConfigFileLine).</summary>
public static partial class ConfigLoader
{
    /// <summary>Subsystems that are not built yet: refused, so nobody runs without the TLS, auth or cluster they configured.</summary>
    private static readonly HashSet<string> NotYetBuilt = new(StringComparer.OrdinalIgnoreCase)
    {
        "cluster", "gateway", "leafnode", "leafnodes", "jetstream", "mqtt", "websocket",
 "resolver", "operator", "operators", "trusted", "trusted_keys", "server_tags",
        "authorization_callout", "default_js_domain",
    };

    public static List<string> Apply(ServerOptions o, Dictionary<string, object?> conf)
    {
        var warnings = new List<string>();
        foreach (var (rawKey, v) in conf)
        {
            string key = rawKey.ToLowerInvariant();
            switch (key)
            {
                case "listen": ApplyListen(o, Str(v)); break;
                case "host" or "net": o.Host = Str(v); break;
                case "port": o.Port = (int)Int(v); break;
                case "server_name": o.ServerName = Str(v); break;
                case "client_advertise": o.ClientAdvertise = Str(v); break;
                case "max_payload": o.MaxPayload = (int)Int(v); break;
                case "max_control_line": o.MaxControlLine = (int)Int(v); break;
                case "max_connections" or "max_conn":
                    // Go: 0 in a conf file refuses every connection.
                    o.MaxConnections = (int)Int(v);
                    if (o.MaxConnections == 0) o.MaxConnections = -1;
                    break;
                case "max_subscriptions" or "max_subs": o.MaxSubscriptions = (int)Int(v); break;
                case "max_pending": o.MaxPending = Int(v); break;
                case "ping_interval": o.PingInterval = Duration(v); break;
                case "ping_max": o.MaxPingsOut = (int)Int(v); break;
                case "write_deadline": o.WriteDeadline = Duration(v); break;
                case "lame_duck_duration": o.LameDuckDuration = Duration(v); break;
                case "lame_duck_grace_period": o.LameDuckGracePeriod = Duration(v); break;
                case "pid_file": o.PidFile = Str(v); break;
                case "ports_file_dir": o.PortsFileDir = Str(v); break;
                case "log_file" or "logfile": o.LogFile = Str(v); break;
                case "log_size_limit": o.LogSizeLimit = Int(v); break;
                case "logtime": o.Logtime = Bool(v); break;
                case "logtime_utc": o.LogtimeUTC = Bool(v); break;
                case "debug": o.Debug = Bool(v); break;
                case "trace": o.Trace = Bool(v); break;
                case "trace_verbose": o.Trace = o.TraceVerbose = Bool(v); break;
                case "syslog": o.Syslog = Bool(v); break;
                case "remote_syslog": o.RemoteSyslog = Str(v); break;
                case "max_traced_msg_len": o.MaxTracedMsgLen = (int)Int(v); break;
                case "trace_headers": o.TraceHeaders = Bool(v); break;
                case "no_header_support": o.NoHeaderSupport = Bool(v); break;
                case "no_auth_user": o.NoAuthUser = Str(v); break;
                case "authorization": o.AuthBlockDefined = true; ApplyAuthorization(o, v, warnings); break;
                case "accounts": ApplyAccounts(o, v); break;
                case "tls": ApplyTls(o, v); break;
                case "http":
                    var (hh, hp) = ParseListen(v);
                    o.HttpHost = hh;
                    o.HttpPort = hp;
                    break;
                case "http_port" or "monitor_port": o.HttpPort = (int)Int(v); break;
                case "http_base_path": o.HttpBasePath = Str(v); break;
                case "https":
                    var (sh, sp) = ParseListen(v);
                    o.HttpHost = sh;
                    o.HttpsPort = sp;
                    break;
                case "https_port": o.HttpsPort = (int)Int(v); break;
                case "mappings" or "maps": ApplyGlobalMappings(o, v); break;
                case "system_account" or "system": o.SystemAccount = v as string ?? throw new ConfigException("system account name must be a string"); break;
                case "no_system_account" or "no_system" or "no_sys_acc": o.NoSystemAccount = Bool(v); break;
                case "max_closed_clients": o.MaxClosedClients = (int)Int(v); break;
                default:
                    if (ConfigParser.IsUsedVariable(conf, rawKey)) break;
                    if (NotYetBuilt.Contains(key)) throw new ConfigException($"\"{rawKey}\" is not supported yet by natsparity-server");
                    throw new ConfigException($"unknown field \"{rawKey}\"");
            }
        }
        return warnings;
    }

    /// <summary>Go's parseListen: "host:port", or a bare port.</summary>
    private static (string Host, int Port) ParseListen(object? v)
    {
        if (v is long l) return ("", (int)l);
        string s = Str(v);
        int idx = s.LastIndexOf(':');
        if (idx < 0) throw new ConfigException($"could not parse address string \"{s}\"");
        if (!int.TryParse(s[(idx + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int port))
            throw new ConfigException($"could not parse port \"{s[(idx + 1)..]}\"");
        return (s[..idx].Trim('[', ']'), port);
    }

    private static void ApplyListen(ServerOptions o, string listen)
    {
        int idx = listen.LastIndexOf(':');
        if (idx < 0) throw new ConfigException($"could not parse address string \"{listen}\"");
        o.Host = listen[..idx].Trim('[', ']');
        o.Port = int.Parse(listen[(idx + 1)..], CultureInfo.InvariantCulture);
    }

    private static string Str(object? v) => v switch
    {
        string s => s,
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => throw new ConfigException($"expected a string, got {v}"),
    };

    private static long Int(object? v) => v switch
    {
        long l => l,
        double d => (long)d,
        _ => throw new ConfigException($"expected an integer, got {v}"),
    };

    private static bool Bool(object? v) => v is bool b ? b : throw new ConfigException($"expected a boolean, got {v}");

    /// <summary>Go accepts a duration string ("2s", "1m30s") or a number of seconds (with a warning).</summary>
    public static TimeSpan Duration(object? v) => v switch
    {
        long l => TimeSpan.FromSeconds(l),
        double d => TimeSpan.FromSeconds(d),
        string s => ParseGoDuration(s),
        _ => throw new ConfigException($"expected a duration, got {v}"),
    };

    public static TimeSpan ParseGoDuration(string s)
    {
        if (s == "0") return TimeSpan.Zero;
        double total = 0;
        int i = 0;
        bool any = false;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) throw new ConfigException($"time: invalid duration \"{s}\"");
            double n = double.Parse(s[start..i], CultureInfo.InvariantCulture);
            int us = i;
            while (i < s.Length && !char.IsDigit(s[i]) && s[i] != '.') i++;
            double unitMs = s[us..i] switch
            {
                "ns" => 1e-6, "us" or "µs" => 1e-3, "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000,
                _ => throw new ConfigException($"time: unknown unit \"{s[us..i]}\" in duration \"{s}\""),
            };
            total += n * unitMs;
            any = true;
        }
        if (!any) throw new ConfigException($"time: invalid duration \"{s}\"");
        return TimeSpan.FromMilliseconds(total);
    }
}
