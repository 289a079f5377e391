using System.Net;
using System.Net.Sockets;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;

namespace NatsParity.Server.WebSockets;

/// <summary>Go's wsUpgrade checks (RFC 6455 section 4.2.1) and the pieces of the upgrade response.</summary>
internal static class WsUpgrade
{
    public const string LeafNodePath = "/leafnode", MqttPath = "/mqtt";
    public const string NoMaskingHeader = "Nats-No-Masking";
    public const string PmcExtension = "permessage-deflate", PmcSrvNoCtx = "server_no_context_takeover", PmcCliNoCtx = "client_no_context_takeover";

    /// <summary>Go's wsHeaderContains: one of the comma-separated tokens of the header equals the value, ignoring case.</summary>
    public static bool HeaderContains(WsHttpRequest r, string name, string value)
    {
        foreach (var s in r.Values(name))
            foreach (var t in s.Split(','))
                if (string.Equals(t.Trim(' ', '\t'), value, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Go's wsPMCExtensionSupport with checkPMCOnly: the client offers permessage-deflate.</summary>
    public static bool PmcExtensionSupport(WsHttpRequest r)
    {
        foreach (var list in r.Values("Sec-Websocket-Extensions"))
            foreach (var ext in list.Split(','))
                foreach (var p in ext.Trim(' ', '\t').Split(';'))
                    if (string.Equals(p.Trim(' ', '\t'), PmcExtension, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Go's net.ParseIP: dotted-quad IPv4 (no leading zeros) or IPv6 without a zone.</summary>
    public static bool IsIp(string s)
    {
        if (s.Contains(':')) return !s.Contains('%') && IPAddress.TryParse(s, out var a) && a.AddressFamily == AddressFamily.InterNetworkV6;
        var parts = s.Split('.');
        if (parts.Length != 4) return false;
        foreach (var p in parts)
        {
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0') || int.Parse(p) > 255) return false;
        }
        return true;
    }

    /// <summary>Go's srvWebsocket.checkOrigin: null when the request's Origin (if any) is allowed, else why not.</summary>
    public static string? CheckOrigin(WebsocketOptions o, bool tls, WsHttpRequest r)
    {
        bool checkSame = o.SameOrigin;
        bool listEmpty = o.AllowedOrigins is not { Count: > 0 };
        if (!checkSame && listEmpty) return null;
        string origin = r.Get("Origin");
        if (origin.Length == 0) origin = r.Get("Sec-Websocket-Origin");
        if (origin.Length == 0) return null;
        if (!WsOrigin.TryParseRequestUri(origin, out var scheme, out var uhost, out var perr)) return perr;
        var (oh, op, err) = WsOrigin.HostAndPort(scheme == "https", uhost);
        if (err is not null) return err;
        if (checkSame)
        {
            var (rh, rp, rerr) = WsOrigin.HostAndPort(tls, r.Host);
            if (rerr is not null) return rerr;
            if (oh != rh || op != rp || !string.Equals(scheme, tls ? "https" : "http", StringComparison.OrdinalIgnoreCase))
                return "not same origin";
        }
        if (!listEmpty)
        {
            bool allowed = false;
            foreach (var ao in o.AllowedOrigins!)
            {
                if (!WsOrigin.TryParseRequestUri(ao, out var s, out var h, out _)) continue;
                var (ah, ap, _) = WsOrigin.HostAndPort(s == "https", h);
                if (ah == oh && s == scheme && ap == op)
                {
                    allowed = true;
                    break;
                }
            }
            if (!allowed) return "not in the allowed list";
        }
        return null;
    }

    /// <summary>The upgrade as Go's wsUpgrade decides it: the client's websocket state, or the HTTP status and reason
    /// of the refusal (null state and zero status: close without a response).</summary>
    public static (WsClientState? Ws, int Status, string Reason, bool Leaf) Check(WsHttpRequest r, ServerOptions opts, bool tls)
    {
        string path = r.Target;
        int q = path.IndexOf('?');
        if (q >= 0) path = path[..q];
        bool leaf = path.EndsWith(LeafNodePath, StringComparison.Ordinal);
        bool mqtt = !leaf && path.EndsWith(MqttPath, StringComparison.Ordinal);
        if (mqtt) return (null, 404, "mqtt websocket endpoint not enabled", false);
        if (r.Method != "GET") return (null, 405, "request method must be GET", false);
        if (r.Host.Length == 0) return (null, 400, "'Host' missing in request", false);
        if (!HeaderContains(r, "Upgrade", "websocket")) return (null, 400, "invalid value for header 'Upgrade'", false);
        if (!HeaderContains(r, "Connection", "Upgrade")) return (null, 400, "invalid value for header 'Connection'", false);
        string key = r.Get("Sec-Websocket-Key");
        if (key.Length == 0) return (null, 400, "key missing", false);
        byte[]? decoded = null;
        try { decoded = Convert.FromBase64String(key); }
        catch (FormatException) { }
        if (decoded is not { Length: 16 }) return (null, 400, "invalid websocket key", false);
        if (!HeaderContains(r, "Sec-Websocket-Version", "13")) return (null, 400, "invalid version", false);
        if (CheckOrigin(opts.Websocket, tls, r) is { } oerr) return (null, 403, $"origin not allowed: {oerr}", false);
        bool compress = opts.Websocket.Compression && PmcExtensionSupport(r);
        bool noMasking = r.Get(NoMaskingHeader) == "true";
        var ws = new WsClientState { Compress = compress, MaskRead = !noMasking };
        if (r.Headers.TryGetValue("X-Forwarded-For", out var cips) && cips.Count > 0 && IsIp(cips[0])) ws.ClientIp = cips[0];
        if (!leaf)
        {
            string ua = r.Get("User-Agent");
            if (ua.StartsWith("Mozilla/", StringComparison.Ordinal))
            {
                ws.Browser = true;
                ws.NoCompFrag = ws.Compress && ua.Contains("Version/") && ua.Contains("Safari/");
            }
            var wo = opts.Websocket;
            foreach (var (name, value) in r.Cookies())
            {
                if (wo.JwtCookie == name) ws.CookieJwt = value;
                else if (wo.UsernameCookie == name) ws.CookieUsername = value;
                else if (wo.PasswordCookie == name) ws.CookiePassword = value;
                else if (wo.TokenCookie == name) ws.CookieToken = value;
            }
        }
        return (ws, 0, "", leaf);
    }

    /// <summary>The 101 response: the accept key, then the negotiated extension, no-masking, and configured headers.</summary>
    public static byte[] SwitchingProtocols(string key, WsClientState ws, string rawHeaders)
    {
        var sb = new System.Text.StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
        sb.Append(WsFrames.AcceptKey(key)).Append("\r\n");
        if (ws.Compress) sb.Append("Sec-WebSocket-Extensions: ").Append(PmcExtension).Append("; ").Append(PmcSrvNoCtx).Append("; ").Append(PmcCliNoCtx).Append("\r\n");
        if (!ws.MaskRead) sb.Append(NoMaskingHeader).Append(": true\r\n");
        sb.Append(rawHeaders).Append("\r\n");
        return System.Text.Encoding.ASCII.GetBytes(sb.ToString());
    }
}
