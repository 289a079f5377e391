namespace NatsParity.Server.Config;

/// <summary>tls { ocsp_peer } and the top-level ocsp_cache (Go's parseOCSPPeer and parseOCSPResponseCache).</summary>
public static partial class ConfigLoader
{
    private static OcspPeerConfig ParseOcspPeer(object? v)
    {
        switch (v)
        {
            case bool b: return new OcspPeerConfig { Verify = b };
            case Dictionary<string, object?> m:
                var pc = new OcspPeerConfig();
                foreach (var (k, val) in m)
                {
                    try
                    {
                        switch (k.ToLowerInvariant())
                        {
                            case "verify": pc.Verify = val as bool? ?? throw PeerFieldError(k); break;
                            case "warn_only": pc.WarnOnly = val as bool? ?? throw PeerFieldError(k); break;
                            case "unknown_is_good": pc.UnknownIsGood = val as bool? ?? throw PeerFieldError(k); break;
                            case "allow_when_ca_unreachable": pc.AllowWhenCaUnreachable = val as bool? ?? throw PeerFieldError(k); break;
                            case "allowed_clockskew":
                                // Go reports a bad duration string here without the parse error.
                                if (OcspSeconds(val, "error parsing tls peer config, conversion error: unexpected type") is var skew and >= 0)
                                    pc.ClockSkew = TimeSpan.FromSeconds(skew);
                                break;
                            case "ca_timeout":
                                if (OcspSeconds(val, null) is var timeout and >= 0) pc.Timeout = TimeSpan.FromSeconds(timeout);
                                break;
                            case "cache_ttl_when_next_update_unset":
                                if (OcspSeconds(val, null) is var ttl and >= 0) pc.TtlUnsetNextUpdate = TimeSpan.FromSeconds(ttl);
                                break;
                            default: throw PeerFieldError(k);
                        }
                    }
                    catch (ConfigException e) { throw e.At(ConfigParser.PositionOf(m, k)); }
                }
                return pc;
            default:
                throw new ConfigException($"error parsing ocsp peer config: unsupported type {GoTypeName(v)}");
        }
    }

    private static ConfigException PeerFieldError(string k) => new($"error parsing tls peer config, unknown field [\"{k}\"]");

    /// <summary>Seconds as a number or a Go duration string; <paramref name="badString"/> replaces the parse error
    /// where Go does.</summary>
    private static double OcspSeconds(object? val, string? badString, string conversion = "error parsing tls peer config, conversion error: ")
    {
        switch (val)
        {
            case long l: return l;
            case double d: return d;
            case string s:
                try { return ParseGoDuration(s).TotalSeconds; }
                catch (ConfigException e) { throw new ConfigException(badString ?? "error parsing tls peer config, conversion error: " + e.Message); }
            default: throw new ConfigException(conversion + "unexpected type");
        }
    }

    private static OcspResponseCacheConfig ParseOcspCache(object? v)
    {
        switch (v)
        {
            case bool b: return new OcspResponseCacheConfig { Type = b ? OcspResponseCacheType.Local : OcspResponseCacheType.None };
            case Dictionary<string, object?> m:
                var pc = new OcspResponseCacheConfig();
                foreach (var (k, val) in m)
                {
                    try
                    {
                        switch (k.ToLowerInvariant())
                        {
                            case "type":
                                string type = val as string ?? throw CacheFieldError(k);
                                pc.Type = type.ToLowerInvariant() switch
                                {
                                    "none" => OcspResponseCacheType.None,
                                    "local" => OcspResponseCacheType.Local,
                                    _ => throw new ConfigException($"error parsing OCSP peer cache config, unknown type [{type}]"),
                                };
                                break;
                            case "local_store": pc.LocalStore = val as string ?? throw CacheFieldError(k); break;
                            case "preserve_revoked": pc.PreserveRevoked = val as bool? ?? throw CacheFieldError(k); break;
                            case "save_interval":
                                double secs = OcspSeconds(val, null, "error parsing OCSP peer cache config, conversion error: ");
                                // Go truncates to whole seconds and enforces a one second minimum.
                                var si = TimeSpan.FromSeconds(Math.Truncate(secs));
                                pc.SaveInterval = si < OcspResponseCacheConfig.MinimumSaveInterval ? OcspResponseCacheConfig.MinimumSaveInterval : si;
                                break;
                            default: throw CacheFieldError(k);
                        }
                    }
                    catch (ConfigException e) { throw e.At(ConfigParser.PositionOf(m, k)); }
                }
                return pc;
            default:
                throw new ConfigException($"error parsing tags: unsupported type {GoTypeName(v)}");
        }
    }

    private static ConfigException CacheFieldError(string k) => new($"error parsing OCSP peer cache config, unknown field [\"{k}\"]");
}
