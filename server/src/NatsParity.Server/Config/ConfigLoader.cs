using System.Globalization;

namespace NatsParity.Server.Config;

/// <summary>Applies a parsed conf file to <see cref="ServerOptions"/> with Go's key names (opts.go processConfigFileLine).</summary>
public static partial class ConfigLoader
{
    /// <summary>Subsystems that are not built yet: refused, so nobody runs without the gateway, leafnodes or JetStream they configured.</summary>
    private static readonly HashSet<string> NotYetBuilt = new(StringComparer.OrdinalIgnoreCase)
    {
        "gateway", "leafnode", "leafnodes", "jetstream", "mqtt",
        "default_js_domain",
    };

    /// <summary>
    /// Go's processConfigFile for a parsed tree: every key applied in turn, each error kept with the place Go reports
    /// it at and processing going on, as Go collects them; warnings (e.g. a number where a duration belongs) likewise.
    /// </summary>
    public static (List<string> Errors, List<string> Warnings) Process(ServerOptions o, Dictionary<string, object?> conf, string configFile = "")
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        if (conf.Count == 0) warnings.Add($"{configFile}: config has no values or is empty");
        foreach (var (rawKey, v) in conf)
        {
            try
            {
                ApplyLine(o, conf, rawKey, v, errors, warnings);
            }
            catch (ConfigException e)
            {
                errors.Add(e.At(ConfigParser.PositionOf(conf, rawKey)).Message);
            }
        }
        // Go's processConfigFile post-processing: the callout's allowed accounts must be configured ones.
        if (o.AuthCallout is { } ac)
            foreach (var acc in ac.AllowedAccounts)
                if (!o.Accounts.Any(a => a.Name == acc))
                    errors.Add($"auth_callout allowed account \"{acc}\" not found in configured accounts");
        return (errors, warnings);
    }

    /// <summary>Applies <paramref name="conf"/>; throws <see cref="ConfigProcessException"/> when any key is in error and
    /// returns the warnings otherwise.</summary>
    public static List<string> Apply(ServerOptions o, Dictionary<string, object?> conf)
    {
        var (errors, warnings) = Process(o, conf);
        if (errors.Count > 0) throw new ConfigProcessException(errors, warnings);
        return warnings;
    }

    /// <summary>Go's processConfigFileLine.</summary>
    private static void ApplyLine(ServerOptions o, Dictionary<string, object?> conf, string rawKey, object? v, List<string> errors, List<string> warnings)
    {
        var at = ConfigParser.PositionOf(conf, rawKey);
        string key = rawKey.ToLowerInvariant();
        switch (key)
        {
            case "listen": ApplyListen(o, v); break;
            case "host" or "net": o.Host = Str(v); break;
            case "port": o.Port = (int)Int(v); break;
            case "server_name":
                string sn = Str(v);
                if (sn.Contains(' ')) throw new ConfigException("server name cannot contain spaces");
                o.ServerName = sn;
                break;
            case "client_advertise": o.ClientAdvertise = Str(v); break;
            case "max_payload":
                if (Int(v) > int.MaxValue) throw new ConfigException($"{rawKey} value is too big");
                o.MaxPayload = (int)Int(v);
                break;
            case "max_control_line":
                if (Int(v) > int.MaxValue) throw new ConfigException($"{rawKey} value is too big");
                o.MaxControlLine = (int)Int(v);
                break;
            case "max_connections" or "max_conn":
                // Go: 0 in a conf file refuses every connection.
                o.MaxConnections = (int)Int(v);
                if (o.MaxConnections == 0) o.MaxConnections = -1;
                break;
            case "max_subscriptions" or "max_subs": o.MaxSubscriptions = (int)Int(v); break;
            case "max_sub_tokens" or "max_subscription_tokens":
                long n = Int(v);
                if (n > byte.MaxValue) throw new ConfigException($"{rawKey} value is too big");
                if (n <= 0) throw new ConfigException($"{rawKey} value can not be negative");
                o.MaxSubTokens = (int)n;
                break;
            case "max_pending": o.MaxPending = Int(v); break;
            case "proxy_protocol": o.ProxyProtocol = Bool(v); break;
            case "ping_interval": o.PingInterval = ParseDuration("ping_interval", at, v, warnings); break;
            case "ping_max": o.MaxPingsOut = (int)Int(v); break;
            case "write_deadline": o.WriteDeadline = ParseDuration("write_deadline", at, v, warnings); break;
            case "write_timeout": o.WriteTimeout = ParseWriteTimeout(Str(v)); break;
            case "lame_duck_duration":
                TimeSpan ldm;
                try { ldm = ParseGoDuration(Str(v)); }
                catch (ConfigException e) when (e.Reason.StartsWith("time:", StringComparison.Ordinal))
                {
                    throw new ConfigException($"error parsing lame_duck_duration: {e.Reason}");
                }
                if (ldm < TimeSpan.FromSeconds(30))
                    throw new ConfigException($"invalid lame_duck_duration of {ServerOptions.GoDuration(ldm)}, minimum is 30 seconds");
                o.LameDuckDuration = ldm;
                break;
            case "lame_duck_grace_period":
                TimeSpan grace;
                try { grace = ParseGoDuration(Str(v)); }
                catch (ConfigException e) when (e.Reason.StartsWith("time:", StringComparison.Ordinal))
                {
                    throw new ConfigException($"error parsing lame_duck_grace_period: {e.Reason}");
                }
                if (grace < TimeSpan.Zero) throw new ConfigException("invalid lame_duck_grace_period, needs to be positive");
                o.LameDuckGracePeriod = grace;
                break;
            case "pid_file" or "pidfile": o.PidFile = Str(v); break;
            case "ports_file_dir": o.PortsFileDir = Str(v); break;
            case "log_file" or "logfile": o.LogFile = Str(v); break;
            case "log_size_limit" or "logfile_size_limit": o.LogSizeLimit = Int(v); break;
            case "logfile_max_num" or "log_max_num": o.LogMaxFiles = Int(v); break;
            case "logtime": o.Logtime = Bool(v); break;
            case "logtime_utc": o.LogtimeUTC = Bool(v); break;
            case "debug": o.Debug = Bool(v); break;
            case "trace": o.Trace = Bool(v); break;
            case "trace_verbose": o.Trace = o.TraceVerbose = Bool(v); break;
            case "trace_headers": o.Trace = o.TraceHeaders = Bool(v); break;
            case "syslog": o.Syslog = Bool(v); break;
            case "remote_syslog": o.RemoteSyslog = Str(v); break;
            case "max_traced_msg_len": o.MaxTracedMsgLen = (int)Int(v); break;
            case "no_header_support": o.NoHeaderSupport = Bool(v); break;
            case "disable_sublist_cache" or "no_sublist_cache": o.NoSublistCache = Bool(v); break;
            case "no_auth_user": o.NoAuthUser = Str(v); break;
            case "trusted" or "trusted_keys": ApplyTrusted(o, v); break;
            case "operator" or "operators" or "roots" or "root" or "root_operators" or "root_operator": ApplyOperators(o, v); break;
            case "resolver" or "account_resolver" or "accounts_resolver": ApplyResolver(o, v); break;
            case "resolver_preload": ApplyResolverPreload(o, conf, v); break;
            case "resolver_pinned_accounts": ApplyResolverPinnedAccounts(o, v); break;
            case "default_sentinel": o.DefaultSentinel = Str(v); break;
            case "resolver_tls": ApplyResolverTls(o, v); break;
            case "server_tags":
                var tags = v switch
                {
                    string one => [one],
                    List<object?> list => list.Select(x => x as string
                        ?? throw new ConfigException("error parsing tags: unsupported type *conf.token where string is expected")).ToList(),
                    _ => throw new ConfigException($"error parsing tags: unsupported type {GoTypeName(v)}"),
                };
                // jwt's TagList.Add: trimmed and lower-cased, no empty ones, no repeats.
                foreach (var t in tags.Select(t => t.Trim().ToLowerInvariant()))
                    if (t.Length > 0 && !o.Tags.Contains(t)) o.Tags.Add(t);
                break;
            case "server_metadata":
                if (v is not Dictionary<string, object?> md) throw new ConfigException($"error parsing metadata: unsupported type {GoTypeName(v)}");
                o.Metadata ??= new SortedDictionary<string, string>(StringComparer.Ordinal);
                foreach (var (mk, mv) in md) o.Metadata[mk] = Str(mv);
                break;
            case "feature_flags":
                if (v is not Dictionary<string, object?> ff) throw new ConfigException($"error parsing feature flags: unsupported type {GoTypeName(v)}");
                foreach (var (fk, fv) in ff)
                {
                    if (fv is not bool fb)
                        throw new ConfigException($"error parsing feature flag \"{fk}\": expected bool, got {GoTypeName(fv)}").At(ConfigParser.PositionOf(ff, fk));
                    (o.FeatureFlags ??= new Dictionary<string, bool>(StringComparer.Ordinal))[fk] = fb;
                }
                break;
            case "allow_non_tls": o.AllowNonTls = Bool(v); break;
            case "authorization": o.AuthBlockDefined = true; ApplyAuthorization(o, v, warnings); break;
            case "accounts": ApplyAccounts(o, v); break;
            case "proxies": o.Proxies = ParseProxies(v); break;
            case "tls": ApplyTls(o, v); break;
            case "websocket": ApplyWebsocket(o, v, warnings); break;
            case "ocsp_cache": o.OcspCache = ParseOcspCache(v); break;
            case "http":
                var (hh, hp) = ParseListen(v);
                o.HttpHost = hh;
                o.HttpPort = hp;
                break;
            case "cluster": ApplyCluster(o, v, errors, warnings); break;
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
            case "no_fast_producer_stall": o.NoFastProducerStall = Bool(v); break;
            case "connect_error_reports": o.ConnectErrorReports = (int)Int(v); break;
            case "reconnect_error_reports": o.ReconnectErrorReports = (int)Int(v); break;
            default:
                if (ConfigParser.IsUsedVariable(conf, rawKey)) break;
                if (NotYetBuilt.Contains(key)) throw new ConfigException($"\"{rawKey}\" is not supported yet by natsparity-server");
                throw new ConfigException($"unknown field \"{rawKey}\"");
        }
    }

    /// <summary>Go's parseWriteDeadlinePolicy.</summary>
    private static WriteTimeoutPolicy ParseWriteTimeout(string v) => v switch
    {
        "default" => WriteTimeoutPolicy.Default,
        "close" => WriteTimeoutPolicy.Close,
        "retry" => WriteTimeoutPolicy.Retry,
        _ => throw new ConfigException("write_timeout must be 'default', 'close' or 'retry'"),
    };

    /// <summary>Go's parseDuration: a duration string, or (with a warning) a number of seconds.</summary>
    private static TimeSpan ParseDuration(string field, ConfPos? at, object? v, List<string> warnings)
    {
        if (v is string s)
        {
            try { return ParseGoDuration(s); }
            catch (ConfigException e) { throw new ConfigException($"error parsing {field}: {e.Reason}"); }
        }
        warnings.Add(Warning(at, field, $"{field} should be converted to a duration"));
        return TimeSpan.FromSeconds(Int(v));
    }

    /// <summary>Go's configWarningErr text.</summary>
    private static string Warning(ConfPos? at, string field, string reason) =>
        at is null ? $"invalid use of field \"{field}\": {reason}" : $"{at}: invalid use of field \"{field}\": {reason}";

    /// <summary>Go's parseListen: "host:port" (net.SplitHostPort), or a bare port.</summary>
    private static (string Host, int Port) ParseListen(object? v)
    {
        if (v is long l) return ("", (int)l);
        if (v is not string raw) throw new ConfigException($"expected port or host:port, got {GoTypeName(v)}");
        string s = raw.Trim();
        int idx = s.LastIndexOf(':');
        string host;
        if (s.StartsWith('['))
        {
            int close = s.IndexOf(']');
            if (close < 0 || close + 1 != idx) throw new ConfigException($"could not parse address string \"{raw}\"");
            host = s[1..close];
        }
        else
        {
            if (idx < 0 || s.IndexOf(':') != idx) throw new ConfigException($"could not parse address string \"{raw}\"");
            host = s[..idx];
        }
        string port = s[(idx + 1)..];
        if (!int.TryParse(port, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int p))
            throw new ConfigException($"could not parse port \"{port}\"");
        return (host, p);
    }

    private static void ApplyListen(ServerOptions o, object? listen)
    {
        var (host, port) = ParseListen(listen);
        o.Host = host;
        o.Port = port;
    }

    // Go asserts a value's type (v.(string)) and turns the panic into an error at the key: the same text here.
    private static string Str(object? v) => v as string ?? throw Conversion(v, "string");

    private static long Int(object? v) => v is long l ? l : throw Conversion(v, "int64");

    private static bool Bool(object? v) => v is bool b ? b : throw Conversion(v, "bool");

    private static ConfigException Conversion(object? v, string want) =>
        new(v is null ? $"interface conversion: interface {{}} is nil, not {want}" : $"interface conversion: interface {{}} is {GoTypeName(v)}, not {want}");

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
        // Go's time.ParseDuration: an optional sign, then number-unit pairs.
        string orig = s;
        bool neg = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+')) s = s[1..];
        if (s == "0") return TimeSpan.Zero;
        if (s.Length == 0) throw new ConfigException($"time: invalid duration \"{orig}\"");
        double total = 0;
        int i = 0;
        bool any = false;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.')) i++;
            if (start == i) throw new ConfigException($"time: invalid duration \"{orig}\"");
            double n = double.Parse(s[start..i], CultureInfo.InvariantCulture);
            int us = i;
            while (i < s.Length && !char.IsDigit(s[i]) && s[i] != '.') i++;
            double unitMs = s[us..i] switch
            {
                "ns" => 1e-6, "us" or "µs" => 1e-3, "ms" => 1, "s" => 1000, "m" => 60_000, "h" => 3_600_000,
                _ => throw new ConfigException(us == i ? $"time: missing unit in duration \"{orig}\"" : $"time: unknown unit \"{s[us..i]}\" in duration \"{orig}\""),
            };
            total += n * unitMs;
            any = true;
        }
        if (!any) throw new ConfigException($"time: invalid duration \"{orig}\"");
        return TimeSpan.FromMilliseconds(neg ? -total : total);
    }
}
