namespace NatsParity.Server.WebSockets;

/// <summary>The URL and host:port parsing behind Go's origin checks (url.ParseRequestURI and wsGetHostAndPort).</summary>
internal static class WsOrigin
{
    /// <summary>Go's url.ParseRequestURI, as far as the origin checks use it: the scheme (lower-cased) and the
    /// authority's host[:port]; false with Go's error text.</summary>
    public static bool TryParseRequestUri(string raw, out string scheme, out string host, out string error)
    {
        scheme = host = error = "";
        if (raw.StartsWith('/')) return true;
        int colon = -1;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (char.IsAsciiLetter(c)) continue;
            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0) break;
                continue;
            }
            if (c == ':')
            {
                if (i == 0)
                {
                    error = $"parse \"{raw}\": missing protocol scheme";
                    return false;
                }
                colon = i;
            }
            break;
        }
        if (colon < 0)
        {
            error = $"parse \"{raw}\": invalid URI for request";
            return false;
        }
        scheme = raw[..colon].ToLowerInvariant();
        string rest = raw[(colon + 1)..];
        int q = rest.IndexOf('?');
        if (q >= 0) rest = rest[..q];
        if (!rest.StartsWith('/'))
        {
            error = $"parse \"{raw}\": invalid URI for request";
            return false;
        }
        if (!rest.StartsWith("//", StringComparison.Ordinal)) return true;
        string authority = rest[2..];
        int slash = authority.IndexOf('/');
        if (slash >= 0) authority = authority[..slash];
        int at = authority.LastIndexOf('@');
        host = at >= 0 ? authority[(at + 1)..] : authority;
        // Go's parseHost: what follows the host's last colon must be a port.
        int pc = host.StartsWith('[') ? host.IndexOf("]:", StringComparison.Ordinal) + 1 : host.LastIndexOf(':');
        if (host.StartsWith('[') && host.IndexOf(']') < 0)
        {
            error = $"parse \"{raw}\": missing ']' in host";
            return false;
        }
        if (pc > 0 && host[pc] == ':' && !host[(pc + 1)..].All(char.IsAsciiDigit))
        {
            error = $"parse \"{raw}\": invalid port \"{host[pc..]}\" after host";
            return false;
        }
        return true;
    }

    /// <summary>Go's wsGetHostAndPort: net.SplitHostPort with the scheme's default port when none is given; the host
    /// lower-cased.</summary>
    public static (string Host, string Port, string? Error) HostAndPort(bool tls, string hostport)
    {
        var (host, port, err) = SplitHostPort(hostport);
        if (err is not null && err.EndsWith("missing port in address", StringComparison.Ordinal))
        {
            err = null;
            host = hostport;
            port = tls ? "443" : "80";
        }
        return (host.ToLowerInvariant(), port, err);
    }

    /// <summary>Go's net.SplitHostPort with its error texts.</summary>
    public static (string Host, string Port, string? Error) SplitHostPort(string hostport)
    {
        (string, string, string?) Err(string why) => ("", "", $"address {hostport}: {why}");
        int i = hostport.LastIndexOf(':');
        if (i < 0) return Err("missing port in address");
        int j = 0, k = 0;
        string host;
        if (hostport.StartsWith('['))
        {
            int end = hostport.IndexOf(']');
            if (end < 0) return Err("missing ']' in address");
            if (end + 1 == hostport.Length) return Err("missing port in address");
            if (end + 1 != i) return hostport[end + 1] == ':' ? Err("too many colons in address") : Err("missing port in address");
            host = hostport[1..end];
            j = 1;
            k = end + 1;
        }
        else
        {
            host = hostport[..i];
            if (host.Contains(':')) return Err("too many colons in address");
        }
        if (hostport[j..].Contains('[')) return Err("unexpected '[' in address");
        if (hostport[k..].Contains(']')) return Err("unexpected ']' in address");
        return (host, hostport[(i + 1)..], null);
    }
}
