using NatsParity.Server.Auth;

namespace NatsParity.Server.Config;

/// <summary>The cluster {} block with Go's keys and errors (opts.go parseCluster, parseURLs, parseCompression).</summary>
public static partial class ConfigLoader
{
    /// <summary>Go's routeMaxPingInterval (route.go): a larger cluster ping_interval is lowered to it, with a warning.</summary>
    public static readonly TimeSpan RouteMaxPingInterval = TimeSpan.FromSeconds(30);

    /// <summary>Go's parseCluster: each key's error is kept and the next key parsed, as Go collects them; a value of
    /// the wrong type ends the block, as Go's recovered panic does.</summary>
    private static void ApplyCluster(ServerOptions o, object? v, List<string> errors, List<string> warnings)
    {
        if (v is not Dictionary<string, object?> cm)
            throw new ConfigException($"Expected map to define cluster, got {GoTypeName(v)}");
        foreach (var (mk, mv) in cm)
        {
            var at = ConfigParser.PositionOf(cm, mk);
            try
            {
                ApplyClusterKey(o, cm, mk, mv, at, errors, warnings);
            }
            catch (ConfigException e)
            {
                errors.Add(e.At(at).Message);
                if (e.Reason.StartsWith("interface conversion:", StringComparison.Ordinal)) return;
            }
        }
    }

    private static void ApplyClusterKey(ServerOptions o, Dictionary<string, object?> cm, string mk, object? mv, ConfPos? at, List<string> errors, List<string> warnings)
    {
        var c = o.Cluster;
        switch (mk.ToLowerInvariant())
        {
            case "name":
                string name = Str(mv);
                if (name.Contains(' ')) throw new ConfigException(ServerOptions.ErrClusterNameHasSpaces);
                c.Name = name;
                break;
            case "listen":
                (c.Host, c.Port) = ParseListen(mv);
                break;
            case "port": c.Port = (int)Int(mv); break;
            case "host" or "net": c.Host = Str(mv); break;
            case "authorization":
                var auth = ParseAuthorization(mv, warnings);
                if (auth.Users is not null) throw new ConfigException("Cluster authorization does not allow multiple users");
                if (auth.Token.Length > 0) throw new ConfigException("Cluster authorization does not support tokens");
                if (auth.Callout is not null) throw new ConfigException("Cluster authorization does not support callouts");
                c.Username = auth.User;
                c.Password = auth.Pass;
                c.AuthTimeout = auth.Timeout ?? 0;
                if (auth.DefaultPermissions is { } dp)
                {
                    if (CheckClusterPermissionSubjects(dp.Publish, dp.Subscribe) is { } err) throw new ConfigException(err);
                    warnings.Add(Warning(at, mk, "setting \"permissions\" within cluster authorization block is deprecated"));
                    // The cluster block's own permissions win, wherever they appear in it.
                    c.Permissions ??= new RoutePermissions { Import = dp.Publish, Export = dp.Subscribe };
                }
                break;
            case "routes":
                if (mv is not List<object?> ra) throw Conversion(mv, "[]interface {}");
                var (routes, routeErrors) = ParseUrls(ra, "route", warnings);
                if (routeErrors.Count > 0) errors.AddRange(routeErrors);
                else o.Routes = routes;
                break;
            case "tls":
                throw new ConfigException("route TLS (\"tls\" in cluster) is not supported yet by natsparity-server");
            case "cluster_advertise" or "advertise": c.Advertise = Str(mv); break;
            case "no_advertise": c.NoAdvertise = Bool(mv); break;
            case "connect_retries": c.ConnectRetries = (int)Int(mv); break;
            case "connect_backoff": c.ConnectBackoff = Bool(mv); break;
            case "permissions":
                var perms = ParseUserPermissions(mv);
                if (perms.Response is not null) throw new ConfigException("Cluster permissions do not support dynamic responses");
                if (CheckClusterPermissionSubjects(perms.Publish, perms.Subscribe) is { } permErr) throw new ConfigException(permErr);
                c.Permissions = new RoutePermissions { Import = perms.Publish, Export = perms.Subscribe };
                break;
            case "pool_size": c.PoolSize = (int)Int(mv); break;
            case "accounts": c.PinnedAccounts = ParseStringArray("accounts", mv, at, errors); break;
            case "compression":
                var (mode, rtts) = ParseCompression(CompressionModes.S2Fast, mk, mv, c.CompressionMode, c.CompressionRttThresholds);
                (c.CompressionMode, c.CompressionRttThresholds) = (mode, rtts);
                break;
            case "ping_interval":
                c.PingInterval = ParseDuration("ping_interval", at, mv, warnings);
                if (c.PingInterval > RouteMaxPingInterval)
                    warnings.Add(new ConfigException(at, $"Cluster 'ping_interval' will reset to {ServerOptions.GoDuration(RouteMaxPingInterval)} which is the max for routes").Message);
                break;
            case "ping_max": c.MaxPingsOut = (int)Int(mv); break;
            case "write_deadline": c.WriteDeadline = ParseDuration("write_deadline", at, mv, warnings); break;
            case "write_timeout": c.WriteTimeout = ParseWriteTimeout(Str(mv)); break;
            default:
                if (ConfigParser.IsUsedVariable(cm, mk)) break;
                throw new ConfigException($"unknown field \"{mk}\"");
        }
    }

    /// <summary>Go's checkClusterPermissionSubjects: route permissions take plain subjects only, queues included.</summary>
    internal static string? CheckClusterPermissionSubjects(SubjectPermission? import, SubjectPermission? export)
    {
        if (ServerOptions.CheckPermSubjects(import?.Allow, false) is { } e1) return $"cluster import allow: {e1}";
        if (ServerOptions.CheckPermSubjects(import?.Deny, false) is { } e2) return $"cluster import deny: {e2}";
        if (ServerOptions.CheckPermSubjects(export?.Allow, false) is { } e3) return $"cluster export allow: {e3}";
        if (ServerOptions.CheckPermSubjects(export?.Deny, false) is { } e4) return $"cluster export deny: {e4}";
        return null;
    }

    /// <summary>Go's parseCompression: a mode string (checked later, by validation), a boolean (on is
    /// <paramref name="modeForOn"/>), or a block with mode and rtt_thresholds.</summary>
    private static (string Mode, List<TimeSpan> RttThresholds) ParseCompression(string modeForOn, string mk, object? mv, string mode, List<TimeSpan> rtts)
    {
        switch (mv)
        {
            case string s: return (s, rtts);
            case bool b: return (b ? modeForOn : CompressionModes.Off, rtts);
            case Dictionary<string, object?> m:
                rtts = [.. rtts];
                foreach (var (k, val) in m)
                {
                    try
                    {
                        switch (k.ToLowerInvariant())
                        {
                            case "mode": mode = Str(val); break;
                            case "rtt_thresholds" or "thresholds" or "rtts" or "rtt":
                                if (val is not List<object?> list) throw Conversion(val, "[]interface {}");
                                foreach (var item in list)
                                {
                                    try { rtts.Add(ParseGoDuration(Str(item))); }
                                    catch (ConfigException e) when (e.Reason.StartsWith("time:", StringComparison.Ordinal))
                                    {
                                        throw new ConfigException(e.Reason);
                                    }
                                }
                                break;
                            default:
                                if (ConfigParser.IsUsedVariable(m, k)) break;
                                throw new ConfigException($"unknown field \"{k}\"");
                        }
                    }
                    catch (ConfigException e)
                    {
                        throw e.At(ConfigParser.PositionOf(m, k));
                    }
                }
                return (mode, rtts);
            default:
                throw new ConfigException($"field \"{mk}\" should be a boolean or a structure, got {GoTypeName(mv)}");
        }
    }

    /// <summary>Go's parseURLs: a repeated URL is a warning and skipped; one that does not parse is an error at it.</summary>
    private static (List<Uri> Urls, List<string> Errors) ParseUrls(List<object?> a, string typ, List<string> warnings)
    {
        var urls = new List<Uri>();
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < a.Count; i++)
        {
            var at = ConfigParser.PositionOf(a, i);
            if (a[i] is not string s)
            {
                errors.Add(Conversion(a[i], "string").At(at).Message);
                break;
            }
            if (!seen.Add(s))
            {
                warnings.Add(Warning(at, s, $"Duplicate {typ} entry detected"));
                continue;
            }
            string trimmed = s.Trim();
            if (ParseGoUrl(trimmed) is { } u) urls.Add(u);
            else errors.Add(new ConfigException(at, $"error parsing {typ} url [{GoQuote(trimmed)}]").Message);
        }
        return (urls, errors);
    }

    /// <summary>A URL as Go's url.Parse takes it: null where Go's would fail (control characters, a bad escape, an
    /// empty or digit-led scheme, an unclosed IPv6 bracket, a port that is not a number).</summary>
    internal static Uri? ParseGoUrl(string s)
    {
        if (s.Any(ch => ch < 0x20 || ch == 0x7f)) return null;
        for (int i = s.IndexOf('%'); i >= 0; i = s.IndexOf('%', i + 1))
            if (i + 2 >= s.Length || !Uri.IsHexDigit(s[i + 1]) || !Uri.IsHexDigit(s[i + 2])) return null;
        int colon = s.IndexOf(':');
        int slash = s.IndexOf('/');
        bool hasScheme = colon > 0 && (slash < 0 || colon < slash) && char.IsAsciiLetter(s[0])
            && s[..colon].All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '+' or '-' or '.');
        if (colon == 0) return null; // Go: missing protocol scheme
        if (!hasScheme && colon > 0 && (slash < 0 || colon < slash)) return null; // Go: first path segment cannot contain colon
        if (hasScheme && s.AsSpan(colon + 1).StartsWith("//"))
        {
            string rest = s[(colon + 3)..];
            int end = rest.IndexOfAny(['/', '?', '#']);
            string authority = end < 0 ? rest : rest[..end];
            int at = authority.LastIndexOf('@');
            if (at >= 0 && !authority[..at].All(ch => char.IsAsciiLetterOrDigit(ch) || "-._:~!$&'()*+,;=%@".Contains(ch)))
                return null; // Go: invalid userinfo
            string hostPort = authority[(at + 1)..];
            if (hostPort.Any(ch => ch is ' ' or '<' or '>' or '"' or '{' or '}' or '|' or '\\' or '^' or '`'))
                return null; // Go: invalid character in host name
            string port;
            if (hostPort.StartsWith('['))
            {
                int close = hostPort.IndexOf(']');
                if (close < 0) return null;
                port = hostPort[(close + 1)..];
                if (port.Length > 0 && port[0] != ':') return null;
            }
            else
            {
                int pc = hostPort.LastIndexOf(':');
                port = pc < 0 ? "" : hostPort[pc..];
            }
            if (port.Length > 1 && !port[1..].All(char.IsAsciiDigit)) return null;
        }
        return Uri.TryCreate(s, UriKind.Absolute, out var abs) ? abs
            : Uri.TryCreate(s, UriKind.Relative, out var rel) ? rel : null;
    }

    /// <summary>Go's %q of a string without control characters.</summary>
    private static string GoQuote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    /// <summary>Go's parseStringArray: one string or an array of them; an entry of another type is an error at it and
    /// left out.</summary>
    private static List<string> ParseStringArray(string field, object? v, ConfPos? at, List<string> errors)
    {
        switch (v)
        {
            case string s: return [s];
            case List<object?> list:
                var strs = new List<string>();
                for (int i = 0; i < list.Count; i++)
                {
                    if (list[i] is string str) strs.Add(str);
                    else errors.Add(new ConfigException(ConfigParser.PositionOf(list, i) ?? at, $"error parsing {field}: unsupported type in array {GoTypeName(list[i])}").Message);
                }
                return strs;
            default:
                throw new ConfigException($"error parsing {field}: unsupported type {GoTypeName(v)}");
        }
    }
}
