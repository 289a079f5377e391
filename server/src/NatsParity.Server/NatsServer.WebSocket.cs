using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using NatsParity.Server.Auth;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.WebSockets;

namespace NatsParity.Server;

/// <summary>The websocket listener (Go's startWebsocketServer and its HTTP server): an HTTP/1.1 upgrade per
/// connection, then a client like any other whose bytes travel in WebSocket frames.</summary>
public sealed partial class NatsServer
{
    private volatile Socket? _wsListener;
    private TlsSetup? _wsTls;
    private string _wsRawHeaders = "";

    /// <summary>The websocket listener's port once it listens (Go writes it back into the options too).</summary>
    public int WebsocketPort { get; private set; }

    /// <summary>Go's websocket authOverride: the websocket {} block has its own user, token or no_auth_user.</summary>
    internal bool WsAuthOverride
    {
        get
        {
            var wo = Options.Websocket;
            return wo.Username.Length > 0 || wo.Token.Length > 0 || wo.NoAuthUser.Length > 0;
        }
    }

    /// <summary>Go's WebsocketURL.</summary>
    public string WebsocketUrl => $"{(Options.Websocket.Tls is null ? "ws" : "wss")}://{HostPort(Options.Websocket.Host, Options.Websocket.Port)}";

    /// <summary>Builds the websocket TLS setup; a tls {} block whose files cannot be loaded refuses the options.</summary>
    private void ConfigureWebsocket()
    {
        if (Options.Websocket is not { Port: not 0, Tls: { } tlsOpts }) return;
        _wsTls = TlsSetup.Create(tlsOpts);
    }

    private void StartWebsocketServer()
    {
        var o = Options.Websocket;
        var sb = new StringBuilder();
        foreach (var (k, v) in o.Headers ?? []) sb.Append(k).Append(": ").Append(v).Append("\r\n");
        _wsRawHeaders = sb.ToString();
        int port = o.Port == Config.ServerOptions.RandomPort ? 0 : o.Port;
        bool wildcard = o.Host is "" or "0.0.0.0" or "::";
        Socket listener;
        try
        {
            var ip = wildcard ? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any) : ResolveHost(o.Host);
            listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (wildcard && ip.AddressFamily == AddressFamily.InterNetworkV6) listener.DualMode = true;
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(new IPEndPoint(ip, port));
            listener.Listen(512);
        }
        catch (SocketException e)
        {
            string why = e.SocketErrorCode == SocketError.AddressAlreadyInUse ? "bind: address already in use" : e.Message;
            Logger.Fatal($"Unable to listen for websocket connections: listen tcp {HostPort(o.Host, port)}: {why}");
            throw new InvalidOperationException($"Unable to listen for websocket connections: {e.Message}", e);
        }
        _wsListener = listener;
        WebsocketPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        if (port == 0) o.Port = WebsocketPort;
        string proto = _wsTls is null ? "ws" : "wss";
        Logger.Notice($"Listening for websocket clients on {proto}://{HostPort(o.Host, o.Port)}");
        if (_wsTls is null) Logger.Warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
        _ = AcceptLoop(listener, "Websocket", socket => _ = WsServeConnection(socket));
    }

    /// <summary>Go's diffOptions for websocket {}: nothing but its TLS may change on reload (a random port stays the
    /// one picked). The values are shown field by field, in Go's field order, without the TLS ones.</summary>
    private static string? WebsocketReloadError(WebsocketOptions cur, WebsocketOptions next)
    {
        if (next.Port == ServerOptions.RandomPort) next.Port = cur.Port;
        static string Show(WebsocketOptions w) =>
            $"{{{w.Host} {w.Port} {w.Advertise} {w.NoAuthUser} {w.JwtCookie} {w.UsernameCookie} {w.PasswordCookie} {w.TokenCookie} " +
            $"{w.Username} {w.Password} {w.Token} {w.AuthTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture)} {(w.NoTls ? "true" : "false")} " +
            $"{(w.TlsMap ? "true" : "false")} {(w.SameOrigin ? "true" : "false")} [{string.Join(" ", (w.AllowedOrigins ?? []).Order(StringComparer.Ordinal))}] " +
            $"{(w.Compression ? "true" : "false")} {ServerOptions.GoDuration(w.HandshakeTimeout)} {ServerOptions.GoDuration(w.PingInterval)} " +
            $"map[{string.Join(" ", (w.Headers ?? []).OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}:{h.Value}"))}]}}";
        string old = Show(cur), now = Show(next);
        return old == now ? null : $"config reload not supported for Websocket: old={old}, new={now}";
    }

    /// <summary>Go's wsGetTLSConfig reads the options at each handshake, so a reloaded tls block serves the next
    /// connections: the setup for the reloaded options, or the error that refuses them.</summary>
    private (TlsSetup? Setup, string? Error) ReloadWebsocketTls(ServerOptions next)
    {
        if (_wsTls is null || next.Websocket.Tls is not { } tlsOpts) return (_wsTls, null);
        try { return (TlsSetup.Create(tlsOpts), null); }
        catch (ArgumentException e) { return (null, e.Message); }
    }

    /// <summary>The websocket listener's entry of the ports file (Go's Ports.WebSocket), or nothing.</summary>
    private string WebsocketPortsEntry()
    {
        if (_wsListener is null) return "";
        var o = Options.Websocket;
        string host = o.Host is "" or "0.0.0.0" or "::" ? "127.0.0.1" : o.Host;
        return $",\"websocket\":[\"{(_wsTls is null ? "ws" : "wss")}://{HostPort(host, WebsocketPort)}\"]";
    }

    private void StopWebsocketServer()
    {
        try { _wsListener?.Close(); } catch (SocketException) { }
        _wsListener = null;
    }

    // Go's http.Server default limit on a request head (DefaultMaxHeaderBytes plus its 4096 bytes of slack).
    private const int WsMaxHeaderBytes = (1 << 20) + 4096;

    /// <summary>Go's HTTP server on the websocket port: TLS first when configured, then requests read within the
    /// handshake timeout until one upgrades (or the client goes away); a refused upgrade is answered as Go's
    /// wsReturnHTTPError does and the connection kept for the next request unless the client asked to close.</summary>
    private async Task WsServeConnection(Socket s)
    {
        string remote = EndPointText(s.RemoteEndPoint), local = EndPointText(s.LocalEndPoint);
        var o = Options.Websocket;
        var timeout = o.HandshakeTimeout;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token);
        Stream stream = new NetworkStream(s, ownsSocket: false);
        SslStream? ssl = null;
        bool handedOver = false;
        try
        {
            if (timeout > TimeSpan.Zero) cts.CancelAfter(timeout);
            if (_wsTls is { } tls)
            {
                ssl = await WsAcceptTls(stream, tls, cts.Token, remote, local).ConfigureAwait(false);
                if (ssl is null) return;
                stream = ssl;
            }
            byte[] buf = new byte[4096];
            int len = 0;
            while (true)
            {
                if (timeout > TimeSpan.Zero) cts.CancelAfter(timeout);
                int end;
                while ((end = buf.AsSpan(0, len).IndexOf("\r\n\r\n"u8)) < 0)
                {
                    if (len == buf.Length)
                    {
                        if (len >= WsMaxHeaderBytes)
                        {
                            await WsWrite(stream, WsHttpRequest.BadRequestResponse("431 Request Header Fields Too Large")).ConfigureAwait(false);
                            return;
                        }
                        Array.Resize(ref buf, Math.Min(len * 2, WsMaxHeaderBytes));
                    }
                    int r = await stream.ReadAsync(buf.AsMemory(len), cts.Token).ConfigureAwait(false);
                    if (r == 0) return;
                    len += r;
                }
                // Go's server skips blank lines before a request line.
                string head = Encoding.Latin1.GetString(buf, 0, end).TrimStart('\r', '\n');
                int consumed = end + 4;
                var (req, perr) = WsHttpRequest.Parse(head);
                if (req is null)
                {
                    await WsWrite(stream, WsHttpRequest.BadRequestResponse(perr!)).ConfigureAwait(false);
                    return;
                }
                var (ws, status, reason, leaf) = WsUpgrade.Check(req, Options, _wsTls is not null);
                if (ws is null)
                {
                    Logger.Error($"{remote} - websocket handshake error: {reason}");
                    bool close = req.WantsClose;
                    await WsWrite(stream, WsHttpRequest.ErrorResponse(req.Minor, status, StatusText(status), close)).ConfigureAwait(false);
                    if (close) return;
                    // The request's body, if any, goes unread: it is skipped before the next request.
                    long bodyLen = long.TryParse(req.Get("Content-Length"), out long cl) && cl > 0 ? cl : 0;
                    long skip = consumed + bodyLen;
                    while (skip > len)
                    {
                        skip -= len;
                        len = await stream.ReadAsync(buf, cts.Token).ConfigureAwait(false);
                        if (len == 0) return;
                    }
                    Buffer.BlockCopy(buf, (int)skip, buf, 0, len - (int)skip);
                    len -= (int)skip;
                    continue;
                }
                if (len > consumed)
                {
                    Logger.Error($"{remote} - websocket handshake error: client sent data before handshake is complete");
                    return;
                }
                await WsWrite(stream, WsUpgrade.SwitchingProtocols(req.Get("Sec-Websocket-Key"), ws, _wsRawHeaders)).ConfigureAwait(false);
                if (leaf)
                {
                    Logger.Error("Not configured to accept leaf node connections");
                    return;
                }
                handedOver = true;
                CreateWsClient(s, ws, ssl);
                return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // A read that timed out or failed ends the connection without an answer, as in Go's server.
        }
        finally
        {
            if (!handedOver)
            {
                if (ssl is not null) try { ssl.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
                else stream.Dispose();
                try { s.Close(); } catch (ObjectDisposedException) { }
            }
        }
    }

    /// <summary>The TLS handshake of a wss connection, as Go's HTTP server over a TLS listener does it; null when it
    /// failed (logged as Go's server logs it) or the client sent plain HTTP (answered with Go's 400).</summary>
    private async Task<SslStream?> WsAcceptTls(Stream stream, TlsSetup tls, CancellationToken ct, string remote, string local)
    {
        try
        {
            var first = new byte[5];
            int got = 0;
            while (got < first.Length)
            {
                int r = await stream.ReadAsync(first.AsMemory(got), ct).ConfigureAwait(false);
                if (r == 0) return null;
                got += r;
            }
            if (Encoding.ASCII.GetString(first) is "GET /" or "HEAD " or "POST " or "PUT /" or "OPTIO")
            {
                await WsWrite(stream, "HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"u8.ToArray()).ConfigureAwait(false);
                return null;
            }
            var ssl = new SslStream(new PrefixedStream(first, stream), leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsServerAsync(tls.ServerOptions(), ct).ConfigureAwait(false);
            }
            catch
            {
                ssl.Dispose();
                throw;
            }
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException && !_cts.IsCancellationRequested)
        {
            string why = e is OperationCanceledException ? $"read tcp {local}->{remote}: i/o timeout" : (e.InnerException ?? e).Message;
            Logger.Error($"websocket: TLS handshake error from {remote}: {why}");
            return null;
        }
    }

    private static string EndPointText(EndPoint? ep) => ep is IPEndPoint ip
        ? (ip.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ip.Address.MapToIPv4(), ip.Port) : ip).ToString() : "";

    private static async Task WsWrite(Stream stream, byte[] data)
    {
        await stream.WriteAsync(data).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    private static string StatusText(int status) => status switch
    {
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    };

    /// <summary>Go's createWSClient: INFO carries the websocket listener's host, port and TLS, and asks for auth when
    /// the websocket block overrides it.</summary>
    private void CreateWsClient(Socket s, WsClientState ws, SslStream? ssl)
    {
        ulong cid = Interlocked.Increment(ref _cid);
        var c = new ClientConnection(this, s, cid, ws, ssl);
        Interlocked.Increment(ref TotalConnections);
        var info = _info.Clone();
        info.ClientId = cid;
        info.ClientIp = c.RemoteHost;
        if (!info.AuthRequired) info.AuthRequired = WsAuthOverride;
        bool authRequired = info.AuthRequired;
        if (NonceRequired)
        {
            Span<byte> raw = stackalloc byte[NonceRawLen];
            System.Security.Cryptography.RandomNumberGenerator.Fill(raw);
            info.Nonce = Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            c.Nonce = info.Nonce;
        }
        WsAdjustInfo(info);
        bool refuse = Options.MaxConnections < 0 || (Options.MaxConnections > 0 && _clients.Count >= Options.MaxConnections);
        if (!refuse) _clients[cid] = c;
        Logger.Debug($"{c} - Client connection created");
        ClientCreated?.Invoke(c);
        c.Start(info.ToProtocol(), authRequired, refuse);
    }

    /// <summary>Go's generateClientInfoJSON for a websocket client: the websocket listener's address and TLS.</summary>
    internal void WsAdjustInfo(Protocol.ServerInfo info)
    {
        bool tls = _wsTls is not null;
        info.TlsAvailable = info.TlsRequired = tls;
        info.Host = Options.Websocket.Host;
        info.Port = Options.Websocket.Port;
    }
}
