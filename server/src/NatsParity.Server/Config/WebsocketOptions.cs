namespace NatsParity.Server.Config;

/// <summary>The websocket {} block (Go's WebsocketOpts): a listener for NATS clients speaking over WebSocket frames.</summary>
public sealed class WebsocketOptions
{
    public string Host { get; set; } = "";
    /// <summary>0 for no websocket listener, -1 for a random port.</summary>
    public int Port { get; set; }
    public string Advertise { get; set; } = "";
    public string NoAuthUser { get; set; } = "";
    public string JwtCookie { get; set; } = "";
    public string UsernameCookie { get; set; } = "";
    public string PasswordCookie { get; set; } = "";
    public string TokenCookie { get; set; } = "";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public string Token { get; set; } = "";
    /// <summary>authorization { timeout } in seconds; 0 uses the server's.</summary>
    public double AuthTimeout { get; set; }
    public bool NoTls { get; set; }
    /// <summary>The tls {} block, held as the options it would give the client port, so one TLS setup builds both.</summary>
    public ServerOptions? Tls { get; set; }
    /// <summary>The tls block's verify_and_map: websocket users are named by their certificates.</summary>
    public bool TlsMap { get; set; }
    /// <summary>The tls block's pinned_certs.</summary>
    public HashSet<string>? TlsPinnedCerts { get; set; }
    public bool SameOrigin { get; set; }
    public List<string>? AllowedOrigins { get; set; }
    public bool Compression { get; set; }
    public TimeSpan HandshakeTimeout { get; set; }
    public TimeSpan PingInterval { get; set; }
    /// <summary>Extra headers of the upgrade response, in conf order.</summary>
    public List<KeyValuePair<string, string>>? Headers { get; set; }

    /// <summary>Go's validateWebsocketOptions; null when the block is consistent with <paramref name="o"/>.</summary>
    internal string? Validate(ServerOptions o)
    {
        if (Port == 0) return null;
        if (Tls is null && !NoTls) return "websocket requires TLS configuration";
        foreach (var ao in AllowedOrigins ?? [])
        {
            if (!WebSockets.WsOrigin.TryParseRequestUri(ao, out var scheme, out var host, out var perr))
                return $"unable to parse allowed origin: {perr}";
            if (scheme != "http" && scheme != "https")
                return $"unable to parse allowed origin \"{ao}\": allowed origins must be absolute URLs with http or https scheme";
            if (host.Length == 0) return $"unable to parse allowed origin \"{ao}\": host is required";
            if (WebSockets.WsOrigin.HostAndPort(scheme == "https", host).Error is { } herr)
                return $"unable to parse allowed origin: {herr}";
        }
        if (NoAuthUser.Length > 0 && o.ValidateNoAuthUser(NoAuthUser) is { } nerr) return nerr;
        if (o.Users is { Count: > 0 } || o.Nkeys is { Count: > 0 })
        {
            if (Username.Length > 0) return "websocket authentication username not compatible with presence of users/nkeys";
            if (Token.Length > 0) return "websocket authentication token not compatible with presence of users/nkeys";
        }
        if (JwtCookie.Length > 0 && o.TrustedOperators is not { Count: > 0 } && o.TrustedKeys is not { Count: > 0 })
            return $"trusted operators or trusted keys configuration is required for JWT authentication via cookie \"{JwtCookie}\"";
        foreach (var (key, _) in Headers ?? [])
        {
            string k = key.ToLowerInvariant();
            if (k is "host" or "content-length" or "connection" or "upgrade" or "nats-no-masking")
                return $"websocket: invalid header \"{key}\" not allowed";
            if (k.StartsWith("sec-websocket-", StringComparison.Ordinal))
                return $"websocket: invalid header \"{key}\", \"Sec-WebSocket-\" prefix not allowed";
        }
        return null;
    }
}
