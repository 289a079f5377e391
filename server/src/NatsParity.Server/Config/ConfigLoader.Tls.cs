namespace NatsParity.Server.Config;

/// <summary>The client port's tls {} block with Go's keys (opts.go parseTLS) for what is built.</summary>
public static partial class ConfigLoader
{
    private static void ApplyTls(ServerOptions o, object? v)
    {
        var m = Map(v, "tls should be a map");
        o.Tls = true;
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "cert_file": o.TlsCert = val as string ?? throw new ConfigException("error parsing tls config, expected 'cert_file' to be filename"); break;
                    case "key_file": o.TlsKey = val as string ?? throw new ConfigException("error parsing tls config, expected 'key_file' to be filename"); break;
                    case "ca_file": o.TlsCaCert = val as string ?? throw new ConfigException("error parsing tls config, expected 'ca_file' to be filename"); break;
                    case "verify": o.TlsVerify = val as bool? ?? throw new ConfigException("error parsing tls config, expected 'verify' to be a boolean"); break;
                    case "verify_and_map":
                        bool map = val as bool? ?? throw new ConfigException("error parsing tls config, expected 'verify_and_map' to be a boolean");
                        if (map) o.TlsVerify = true;
                        o.TlsMap = map;
                        break;
                    case "timeout":
                        o.TlsTimeout = TimeSpan.FromSeconds(TimeoutSeconds(val, "tls"));
                        break;
                    case "handshake_first" or "first" or "immediate":
                        o.TlsHandshakeFirstFallback = TimeSpan.Zero;
                        switch (val)
                        {
                            case bool b:
                                o.TlsHandshakeFirst = b;
                                break;
                            case string hs:
                                switch (hs.ToLowerInvariant())
                                {
                                    case "true" or "on": o.TlsHandshakeFirst = true; break;
                                    case "false" or "off": o.TlsHandshakeFirst = false; break;
                                    case "auto" or "auto_fallback":
                                        o.TlsHandshakeFirst = true;
                                        o.TlsHandshakeFirstFallback = ServerOptions.DefaultTlsHandshakeFirstFallback;
                                        break;
                                    default:
                                        // A duration: the fallback delay.
                                        try { o.TlsHandshakeFirstFallback = ParseGoDuration(hs); }
                                        catch (ConfigException) { throw new ConfigException($"field \"{k}\"'s value \"{hs}\" is invalid"); }
                                        o.TlsHandshakeFirst = true;
                                        break;
                                }
                                break;
                            default:
                                throw new ConfigException($"field \"{k}\" should be a boolean or a string, got {GoTypeName(val)}");
                        }
                        break;
                    case "min_version":
                        string ver = val as string ?? throw new ConfigException("error parsing tls config, 'min_version' wrong type");
                        if (ver is not ("1.2" or "1.3"))
                            throw new ConfigException(ver is "1.0" or "1.1"
                                ? $"error parsing tls config: unsupported TLS version: TLS {ver}"
                                : $"error parsing tls config: unknown version: {ver}");
                        o.TlsMinVersion = ver;
                        break;
                    case "certs" or "certificates":
                        if (val is not List<object?> pairs)
                            throw new ConfigException($"error parsing certificates config: unsupported type {GoTypeName(val)}");
                        o.TlsCertificates = [];
                        for (int i = 0; i < pairs.Count; i++)
                        {
                            var pos = ConfigParser.PositionOf(pairs, i);
                            if (pairs[i] is not Dictionary<string, object?> pair)
                                throw new ConfigException($"error parsing certificates config: unsupported type {GoTypeName(pairs[i])}").At(pos);
                            string certFile = "", keyFile = "";
                            foreach (var (pk, pv) in pair)
                            {
                                if (pv is not string file)
                                    throw new ConfigException($"error parsing certificates config: unsupported type {GoTypeName(pv)}").At(ConfigParser.PositionOf(pair, pk));
                                switch (pk)
                                {
                                    case "cert_file": certFile = file; break;
                                    case "key_file": keyFile = file; break;
                                    default: throw new ConfigException($"error parsing tls certs config, unknown field \"{pk}\"").At(ConfigParser.PositionOf(pair, pk));
                                }
                            }
                            if (certFile.Length == 0 || keyFile.Length == 0)
                                throw new ConfigException("error parsing certificates config: both 'cert_file' and 'cert_key' options are required").At(pos);
                            o.TlsCertificates.Add((certFile, keyFile));
                        }
                        break;
                    case "connection_rate_limit":
                        o.TlsRateLimit = val as long? ?? throw new ConfigException("error parsing tls config, 'connection_rate_limit' wrong type");
                        break;
                    case "ocsp_peer": o.TlsOcspPeer = ParseOcspPeer(val); break;
                    case "insecure":
                        o.TlsInsecure = val as bool? ?? throw new ConfigException("error parsing tls config, expected 'insecure' to be a boolean");
                        break;
                    case "pinned_certs":
                        if (val is not List<object?> pins)
                            throw new ConfigException("error parsing tls config, expected 'pinned_certs' to be a list of hex-encoded sha256 of DER encoded SubjectPublicKeyInfo");
                        if (pins.Count == 0) break;
                        var set = new HashSet<string>(StringComparer.Ordinal);
                        for (int i = 0; i < pins.Count; i++)
                        {
                            string entry = (pins[i] as string ?? "").ToLowerInvariant();
                            if (entry.Length != 64 || !entry.All(char.IsAsciiHexDigit))
                                throw new ConfigException($"error parsing tls config, 'pinned_certs' key {entry} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")
                                    .At(ConfigParser.PositionOf(pins, i));
                            set.Add(entry);
                        }
                        o.TlsPinnedCerts = set;
                        break;
                    default:
                        throw new ConfigException($"tls option \"{k}\" is not supported yet by natsparity-server");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, k));
            }
        }
    }
}
