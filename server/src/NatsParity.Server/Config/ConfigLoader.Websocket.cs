namespace NatsParity.Server.Config;

/// <summary>The websocket {} block with Go's keys and aliases (opts.go parseWebsocket).</summary>
public static partial class ConfigLoader
{
    private static void ApplyWebsocket(ServerOptions o, object? v, List<string> warnings)
    {
        if (v is not Dictionary<string, object?> m) throw new ConfigException($"Expected websocket to be a map, got {GoTypeName(v)}");
        var ws = o.Websocket;
        foreach (var (k, val) in m)
        {
            var at = ConfigParser.PositionOf(m, k);
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "listen":
                        (ws.Host, ws.Port) = ParseListen(val);
                        break;
                    case "port": ws.Port = (int)Int(val); break;
                    case "host" or "net": ws.Host = Str(val); break;
                    case "advertise": ws.Advertise = Str(val); break;
                    case "no_tls": ws.NoTls = Bool(val); break;
                    case "tls":
                        // Go's parseTLS for the websocket listener: the same keys as the client port's block.
                        if (val is not Dictionary<string, object?>) throw Conversion(val, "map[string]interface {}");
                        var tls = new ServerOptions();
                        ApplyTls(tls, val);
                        ws.Tls = tls;
                        ws.TlsMap = tls.TlsMap;
                        ws.TlsPinnedCerts = tls.TlsPinnedCerts;
                        break;
                    case "same_origin": ws.SameOrigin = Bool(val); break;
                    case "allowed_origins" or "allowed_origin" or "allow_origins" or "allow_origin" or "origins" or "origin":
                        ws.AllowedOrigins = val switch
                        {
                            string one => [one],
                            List<object?> list => list.Select((x, i) => x as string ?? throw new ConfigException(
                                $"error parsing allowed origins: unsupported type in array {GoTypeName(x)}").At(ConfigParser.PositionOf(list, i))).ToList(),
                            _ => throw new ConfigException($"error parsing allowed origins: unsupported type {GoTypeName(val)}"),
                        };
                        break;
                    case "handshake_timeout":
                        ws.HandshakeTimeout = val switch
                        {
                            long secs => TimeSpan.FromSeconds(secs),
                            string s => ParseGoDuration(s),
                            _ => throw new ConfigException($"error parsing handshake timeout: unsupported type {GoTypeName(val)}"),
                        };
                        break;
                    case "compress" or "compression": ws.Compression = Bool(val); break;
                    case "authorization" or "authentication": ApplyWebsocketAuth(ws, val); break;
                    case "jwt_cookie": ws.JwtCookie = Str(val); break;
                    case "user_cookie": ws.UsernameCookie = Str(val); break;
                    case "pass_cookie": ws.PasswordCookie = Str(val); break;
                    case "token_cookie": ws.TokenCookie = Str(val); break;
                    case "no_auth_user": ws.NoAuthUser = Str(val); break;
                    case "headers":
                        if (val is not Dictionary<string, object?> hm)
                            throw new ConfigException($"error parsing headers: unsupported type {GoTypeName(val)}");
                        ws.Headers = [];
                        foreach (var (hk, hv) in hm)
                        {
                            if (hv is not string hs)
                                throw new ConfigException($"error parsing header key {hk}: unsupported type {GoTypeName(hv)}").At(ConfigParser.PositionOf(hm, hk));
                            ws.Headers.Add(new(hk, hs));
                        }
                        break;
                    case "ping_interval": ws.PingInterval = ParseDuration("ping_interval", at, val, warnings); break;
                    default:
                        if (ConfigParser.IsUsedVariable(m, k)) break;
                        throw new ConfigException($"unknown field \"{k}\"");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(at);
            }
        }
    }

    /// <summary>Go's parseSimpleAuth: a single user or token, and a timeout, for the websocket listener.</summary>
    private static void ApplyWebsocketAuth(WebsocketOptions ws, object? v)
    {
        var m = Map(v, "interface conversion: interface {} is " + GoTypeName(v) + ", not map[string]interface {}");
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "user" or "username": ws.Username = Str(val); break;
                    case "pass" or "password": ws.Password = Str(val); break;
                    case "token": ws.Token = Str(val); break;
                    case "timeout": ws.AuthTimeout = val switch { long l => l, double d => d, _ => 1 }; break;
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
    }
}
