using System.Text;

namespace NatsParity.Server.WebSockets;

/// <summary>An HTTP/1.x request head as Go's net/http server reads it for the upgrade: method, target, version,
/// Host and headers (names case-insensitive, repeated headers kept in order).</summary>
internal sealed class WsHttpRequest
{
    public string Method = "", Target = "", Proto = "";
    public int Minor;
    public string Host = "";
    public readonly Dictionary<string, List<string>> Headers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Go's Header.Get: the first value, or empty.</summary>
    public string Get(string name) => Headers.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : "";

    public IReadOnlyList<string> Values(string name) => Headers.TryGetValue(name, out var v) ? v : [];

    /// <summary>Go's net/http shouldClose: the client asked for the connection to end after this request.</summary>
    public bool WantsClose => Minor == 0
        ? !WsUpgrade.HeaderContains(this, "Connection", "keep-alive")
        : WsUpgrade.HeaderContains(this, "Connection", "close");

    /// <summary>Parses a head (without its blank line); null with the status text Go's server answers with.</summary>
    public static (WsHttpRequest? Request, string? Error) Parse(string head)
    {
        var lines = head.Split("\r\n");
        var req = new WsHttpRequest();
        var parts = lines[0].Split(' ');
        if (parts.Length != 3) return (null, "400 Bad Request");
        (req.Method, req.Target, req.Proto) = (parts[0], parts[1], parts[2]);
        if (req.Method.Length == 0 || !req.Method.All(IsTokenChar)) return (null, "400 Bad Request");
        if (req.Proto is "HTTP/1.1") req.Minor = 1;
        else if (req.Proto is "HTTP/1.0") req.Minor = 0;
        else return (null, req.Proto.StartsWith("HTTP/", StringComparison.Ordinal) ? "505 HTTP Version Not Supported: unsupported protocol version" : "400 Bad Request");
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            int colon = line.IndexOf(':');
            if (colon <= 0) return (null, "400 Bad Request");
            string name = line[..colon];
            if (!name.All(IsTokenChar)) return (null, "400 Bad Request");
            string value = line[(colon + 1)..].Trim(' ', '\t');
            if (!req.Headers.TryGetValue(name, out var list)) req.Headers[name] = list = [];
            list.Add(value);
        }
        var hosts = req.Values("Host");
        if (hosts.Count > 1) return (null, "400 Bad Request: too many Host headers");
        if (req.Minor == 1 && hosts.Count == 0) return (null, "400 Bad Request: missing required Host header");
        req.Host = hosts.Count == 1 ? hosts[0] : "";
        req.Headers.Remove("Host");
        return (req, null);
    }

    private static bool IsTokenChar(char c) =>
        c < 127 && c > 32 && "()<>@,;:\\\"/[]?={} \t".IndexOf(c) < 0;

    /// <summary>Go's Request.Cookies over every Cookie header: name=value pairs split on ';', quotes dropped.</summary>
    public List<(string Name, string Value)> Cookies()
    {
        var list = new List<(string, string)>();
        foreach (var line in Values("Cookie"))
        {
            foreach (var part in line.Split(';'))
            {
                string p = part.Trim(' ');
                if (p.Length == 0) continue;
                int eq = p.IndexOf('=');
                string name = eq < 0 ? p : p[..eq], value = eq < 0 ? "" : p[(eq + 1)..];
                if (name.Length == 0 || !name.All(IsTokenChar)) continue;
                if (value.Length > 1 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
                list.Add((name, value));
            }
        }
        return list;
    }

    /// <summary>Go's http.Error response with the Sec-Websocket-Version header wsReturnHTTPError adds.</summary>
    public static byte[] ErrorResponse(int minor, int status, string text, bool close)
    {
        string body = text + "\n";
        var sb = new StringBuilder();
        sb.Append("HTTP/1.").Append(minor).Append(' ').Append(status).Append(' ').Append(text).Append("\r\n");
        sb.Append("Content-Type: text/plain; charset=utf-8\r\n");
        sb.Append("Sec-Websocket-Version: 13\r\n");
        sb.Append("X-Content-Type-Options: nosniff\r\n");
        sb.Append("Date: ").Append(DateTime.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        sb.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
        // An HTTP/1.0 connection closes by default, so only HTTP/1.1 is told.
        if (close && minor == 1) sb.Append("Connection: close\r\n");
        sb.Append("\r\n");
        sb.Append(body);
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>Go's net/http answer to a request it could not read: the status line, then the same text as body.</summary>
    public static byte[] BadRequestResponse(string publicErr) =>
        Encoding.ASCII.GetBytes($"HTTP/1.1 {publicErr}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n{publicErr}");
}
