using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Protocol;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Clients;

/// <summary>A client connection: read loop, protocol handling and outbound buffer (Go's client.go for kind CLIENT).</summary>
public sealed partial class ClientConnection : IProtocolHandler, Auth.IClientAuthentication
{
    private const int StartBufSize = 512;
    private const int MinBufSize = 64;
    private const int MaxBufSize = 65536;
    private const int ShortsToShrink = 2;

    private readonly NatsServer _server;
    private readonly Socket? _socket;
    private SslStream? _tls;
    private readonly ProtocolParser _parser;
    private readonly object _mu = new();

    /// <summary>The client's lock (Go's c.mu), for tests that hold it to force contention.</summary>
    internal object SyncRoot => _mu;
    private readonly Dictionary<string, Subscription> _subs = new(StringComparer.Ordinal);

    // Clients this connection's current read batch delivered to; each is signalled once at the end (Go's pcd).
    private readonly HashSet<ClientConnection> _pcd = new(ReferenceEqualityComparer.Instance);

    private ConnectOptions _opts = new();
    private Account _acc;
    private ClientPermissions? _perms;
    private int _mpay, _msubs;

    /// <summary>The payload and subscription limits in force (Go's c.mpay and c.msubs; -1 for none).</summary>
    internal int MaxPayload => _mpay;
    internal int MaxSubscriptions => _msubs;

    /// <summary>The number of shadow subscriptions (stream imports) of the subscription <paramref name="sid"/>, or -1.</summary>
    internal int ShadowCount(string sid)
    {
        lock (_mu) return _subs.TryGetValue(sid, out var sub) ? sub.Shadow?.Count ?? 0 : -1;
    }

    /// <summary>The client's subscriptions by sid (Go's c.subs keys).</summary>
    internal IReadOnlyList<string> SubscriptionSids()
    {
        lock (_mu) return [.. _subs.Keys];
    }
    private bool _connectReceived;
    private bool _expectConnect;
    private bool _firstPongSent;
    private volatile bool _closed;
    private ClosedState _closeReason;
    private uint _rand;
    private long _batchOutMsgs, _batchOutBytes;
    private byte[] _lastSubject = [];
    private int _lastSubjectLen;
    private long _lastGeneration;
    private SublistResult? _lastResult;

    private Timer? _pingTimer;
    private Timer? _authTimer;
    private int _pingsOut;
    private long _lastInTicks;
    private long _lastActivity; // Stopwatch timestamp of the last message, interest change or delivery; 0 = none

    // One monotonic clock for start and activity times, so their order is exact (Go's time.Now has a monotonic part).
    private static readonly long ClockBase = System.Diagnostics.Stopwatch.GetTimestamp();
    private static readonly DateTime ClockBaseUtc = DateTime.UtcNow;

    /// <summary>Now on the clock of <see cref="StartTime"/> and <see cref="LastActivity"/>.</summary>
    internal static DateTime ClockNow => ClockTime(System.Diagnostics.Stopwatch.GetTimestamp());

    private static readonly long ActivityResolution = System.Diagnostics.Stopwatch.Frequency / 1000;

    private static DateTime ClockTime(long timestamp) => ClockBaseUtc + System.Diagnostics.Stopwatch.GetElapsedTime(ClockBase, timestamp);
    private long _rttTicks; // TimeSpan ticks; 0 until measured
    private long _readTimestamp; // Stopwatch timestamp of the last read from the socket

    /// <summary>When the bytes being processed arrived: a measured request's start is its arrival, not the moment the
    /// server got round to it.</summary>
    internal DateTime ReceivedUtc => _readTimestamp == 0 ? DateTime.UtcNow
        : DateTime.UtcNow - System.Diagnostics.Stopwatch.GetElapsedTime(_readTimestamp);
    private long _rttStart; // Stopwatch timestamp of the last PING this server sent

    public ulong Cid { get; }
    /// <summary>The client's address (Go's c.host and c.port): the peer's, or the one a PROXY header gave.</summary>
    public string RemoteHost { get; private set; }
    public int RemotePort { get; private set; }

    // The client's address from a PROXY header, which Go's proxyConn reports as the connection's remote address.
    private IPEndPoint? _proxiedEndPoint;
    public DateTime StartTime { get; internal set; } = ClockTime(System.Diagnostics.Stopwatch.GetTimestamp());
    public ConnectOptions Options => _opts;
    /// <summary>The account this client's subjects live in: the global one until a user binds it elsewhere.</summary>
    public Account Account => _acc;

    /// <summary>Binds the client to <paramref name="acc"/> without registering it there: tests swap a client's
    /// account under its lock as Go's tests set c.acc, racing the readers of <see cref="Account"/>.</summary>
    internal void SwapAccountForTest(Account acc) => _acc = acc;

    /// <summary>The INFO nonce this connection was challenged with, when nkey users are configured.</summary>
    internal string? Nonce { get; set; }
    /// <summary>The public key of the trusted proxy that signed this connection's nonce; empty when not proxied.</summary>
    internal string ProxyKey { get; set; } = "";
    /// <summary>Go's authErr: why authentication failed when it is not the plain violation (an untrusted or missing
    /// proxy); it names the close reason.</summary>
    internal ClosedState? AuthError { get; set; }
    internal ClientPermissions? Permissions => _perms;
    public bool Headers { get; private set; }
    public bool Echo => _opts.Echo;
    public bool IsClosed => _closed;
    public ClosedState CloseReason => _closeReason;
    /// <summary>Protocol-1 clients that completed their first PING/PONG get async INFO updates (Go's sendAsyncInfoToClients).</summary>
    internal bool TakesAsyncInfo => _opts.Protocol >= 1 && _firstPongSent;
    public int SubscriptionCount { get { lock (_mu) return _subs.Count; } }

    public long InMsgs, InBytes, OutMsgs, OutBytes;

    internal ClientConnection(NatsServer server, Socket socket, ulong cid)
    {
        _server = server;
        _socket = socket;
        Cid = cid;
        _parser = new ProtocolParser(this);
        _rand = (uint)Random.Shared.Next(1, int.MaxValue);
        _acc = RegisterWithGlobal(server);
        if (RemoteEndPointOf(socket) is IPEndPoint ep)
        {
            RemoteHost = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4().ToString() : ep.Address.ToString();
            RemotePort = ep.Port;
        }
        else
        {
            RemoteHost = "";
        }
        _ncs = ConnString(RemoteHost, RemotePort, cid);
        InitOutbound();
    }

    /// <summary>The peer's address; none once the socket is closed (the connection then fails on its first write).</summary>
    private static EndPoint? RemoteEndPointOf(Socket socket)
    {
        try { return socket.RemoteEndPoint; }
        catch (Exception e) when (e is ObjectDisposedException or SocketException) { return null; }
    }

    /// <summary>A connection with no socket, as Go's tests' dummy clients: output stays buffered for inspection.</summary>
    internal ClientConnection(NatsServer server, ulong cid, bool authRequired = false)
    {
        _server = server;
        Cid = cid;
        _parser = new ProtocolParser(this);
        _rand = 1;
        _acc = RegisterWithGlobal(server);
        RemoteHost = "";
        _expectConnect = authRequired;
        _ncs = $"pipe - cid:{cid}"; // as Go's tests' net.Pipe connections
        InitOutbound();
    }

    internal ProtocolParser Parser => _parser;

    private Account RegisterWithGlobal(NatsServer server)
    {
        var acc = server.GlobalAccount;
        acc.AddClient(this);
        _acc = acc;
        ApplyAccountLimits();
        return acc;
    }

    /// <summary>Go's applyAccountLimits: the lower of the account's and the server's payload and subscription limits.</summary>
    private void ApplyAccountLimits()
    {
        int mpay = _userMpay, msubs = _userMsubs;
        MinLimit(ref mpay, _acc.MaxPayload);
        MinLimit(ref msubs, _acc.MaxSubscriptions);
        var o = _server.Options;
        // Go: the options encode unlimited as zero.
        MinLimit(ref mpay, o.MaxPayload <= 0 ? Account.NoLimit : o.MaxPayload);
        MinLimit(ref msubs, o.MaxSubscriptions == 0 ? Account.NoLimit : o.MaxSubscriptions);
        _mpay = mpay;
        _msubs = msubs;

        static void MinLimit(ref int value, int limit)
        {
            if (limit < 0) limit = Account.NoLimit;
            if (value != Account.NoLimit) { if (limit != Account.NoLimit && limit < value) value = limit; }
            else if (limit != Account.NoLimit) value = limit;
        }
    }

    // A user JWT's own payload and subscription limits (the most restrictive of user, account and server apply).
    private int _userMpay = Account.NoLimit, _userMsubs = Account.NoLimit;

    /// <summary>Go's applyAccountLimits for a user JWT: its payload and subscription limits come first.</summary>
    internal void ApplyUserLimits(long subs, long payload)
    {
        _userMsubs = subs < 0 ? Account.NoLimit : (int)Math.Min(subs, int.MaxValue);
        _userMpay = payload < 0 ? Account.NoLimit : (int)Math.Min(payload, int.MaxValue);
        ApplyAccountLimits();
    }

    /// <summary>The user's NKey public key (a JWT user's subject), as Go's c.pubKey.</summary>
    internal string PublicKey { get; set; } = "";

    private DeadlineTimer? _expirationTimer;

    /// <summary>Go's setExpiration: the connection ends when the user JWT expires (Unix seconds, 0 for never) or its
    /// connect-time window closes (<paramref name="validFor"/>, zero for none), whichever is first.</summary>
    internal void SetExpiration(long expires, TimeSpan validFor)
    {
        TimeSpan? after = null;
        if (expires == 0)
        {
            if (validFor != TimeSpan.Zero) after = validFor;
        }
        else
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var expiresAt = expires > now ? TimeSpan.FromSeconds(expires - now) : TimeSpan.Zero;
            after = validFor != TimeSpan.Zero && validFor < expiresAt ? validFor : expiresAt;
        }
        if (after is not { } d) return;
        SetExpirationAt(DateTimeOffset.UtcNow + d);
    }

    /// <summary>Go's setExpirationTimer: the connection ends at <paramref name="at"/>.</summary>
    private void SetExpirationAt(DateTimeOffset at)
    {
        _expirationTimer?.Dispose();
        _expirationTimer = new DeadlineTimer(at, AuthExpired);
        Volatile.Write(ref _expiresAtTicks, at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond);
    }

    // When the claims end the connection, in UTC ticks truncated to the second (Go's c.expires); 0 for never.
    private long _expiresAtTicks;

    /// <summary>Go's claimExpiration: the time left until the claims end the connection (whole seconds), zero when
    /// they never do.</summary>
    internal TimeSpan ClaimExpiration
    {
        get
        {
            long at = Volatile.Read(ref _expiresAtTicks);
            if (at == 0) return TimeSpan.Zero;
            var left = TimeSpan.FromTicks(at - DateTime.UtcNow.Ticks);
            return TimeSpan.FromSeconds(Math.Truncate(left.TotalSeconds));
        }
    }

    /// <summary>Go's accountAuthExpired.</summary>
    internal void AccountAuthExpired()
    {
        if (_closed) return;
        SendErr("Account Authentication Expired");
        RateLimitDebug("Account Authentication Expired");
        Close(ClosedState.AuthenticationExpired);
    }

    /// <summary>Go's authExpired.</summary>
    private void AuthExpired()
    {
        if (_closed) return;
        SendErr("User Authentication Expired");
        RateLimitDebug("User Authentication Expired");
        Close(ClosedState.AuthenticationExpired);
    }

    /// <summary>Go's RegisterUser/RegisterNkeyUser: binds the account (checking its connection limit) and compiles the
    /// user's permissions; <paramref name="username"/> is what events and monitoring report.</summary>
    internal void RegisterUser(Account acc, Auth.Permissions? perms, string? username)
    {
        if (RegisterWithAccount(acc) is not null) return;
        SetPermissions(perms);
        if (!string.IsNullOrEmpty(username)) _opts.Username = username;
    }

    /// <summary>Go's registerWithAccount (with reportErrRegisterAccount): leaves the current account and joins
    /// <paramref name="acc"/>; a closed client joins none ("connection closed"), and one over the account's connection
    /// limit is told and closed. Null when registered, else Go's error.</summary>
    internal string? RegisterWithAccount(Account acc)
    {
        _acc.RemoveClient(this);
        _server.Events?.AccConnsUpdate(_acc);
        if (_closed && !IsInternal) return "connection closed";
        _acc = acc;
        ApplyAccountLimits();
        if (acc.MaxTotalConnectionsReached())
        {
            SendErr(ProtocolErrors.TooManyAccountConnections);
            RateLimitError(ProtocolErrors.TooManyAccountConnections);
            Close(ClosedState.MaxAccountConnectionsExceeded);
            return ProtocolErrors.TooManyAccountConnections;
        }
        acc.AddClient(this);
        _server.Events?.AccConnsUpdate(acc);
        return null;
    }

    // Go's ClientAuthentication, as a custom authenticator sees the client.
    ConnectOptions Auth.IClientAuthentication.GetOpts() => _opts;

    X509Certificate2? Auth.IClientAuthentication.GetTlsCertificate() => ClientCertificate;

    /// <summary>The socket's peer, whatever a PROXY header said (the proxy, behind a load balancer).</summary>
    internal EndPoint? PeerEndPoint => _socket is null ? null : RemoteEndPointOf(_socket);

    EndPoint? Auth.IClientAuthentication.RemoteAddress() => _proxiedEndPoint ?? (_socket is null ? null : RemoteEndPointOf(_socket));

    byte[] Auth.IClientAuthentication.GetNonce() => Nonce is null ? [] : Encoding.ASCII.GetBytes(Nonce);

    ClientKind Auth.IClientAuthentication.Kind() => Kind;

    ulong Auth.IClientAuthentication.GetId() => Cid;

    void Auth.IClientAuthentication.RegisterUser(Auth.User user)
    {
        var acc = user.Account is null ? _acc : _server.LookupAccount(user.Account);
        if (acc is null)
        {
            _server.Logger.Error($"{this} - Problem registering with account \"{user.Account}\": account not found");
            return;
        }
        RegisterUser(acc, user.Permissions, user.Username);
        if (user.ConnectionDeadline is { } deadline) SetExpirationAt(new DateTimeOffset(deadline.ToUniversalTime()));
    }

    /// <summary>Go's setPermissions: compiles the permissions afresh, dropping any earlier caches and deny filters.</summary>
    internal void SetPermissions(Auth.Permissions? perms) =>
        _perms = perms is null ? null : ClientPermissions.Build(perms, e => _server.Logger.Error($"{this} - {e}"));

    /// <summary>Go's clearAccountSubs: every subscription leaves the account's sublist and this client.</summary>
    private void ClearAccountSubs()
    {
        List<Subscription> subs;
        lock (_mu)
        {
            subs = new List<Subscription>(_subs.Values);
            foreach (var sub in subs)
            {
                sub.Max = 0;
                sub.Closed = true;
            }
            _subs.Clear();
        }
        if (subs.Count > 0) _acc.Sublist.RemoveBatch(subs);
        foreach (var sub in subs)
        {
            RemoveShadows(sub);
            _server.UpdateRouteSubscriptionMap(_acc, sub, -1);
        }
    }

    internal void Debug(string text) => _server.Logger.Debug($"{this} - {text}");

    /// <summary>When the client last sent a message or changed its interest, or was last delivered to (Go's c.last).</summary>
    public DateTime LastActivity
    {
        get
        {
            long last = Volatile.Read(ref _lastActivity);
            return last == 0 ? StartTime : ClockTime(last);
        }
    }

    /// <summary>Moves the last activity to <paramref name="last"/> (tests that age a connection, as Go's set c.last).</summary>
    internal void SetLastActivity(DateTime last) =>
        Volatile.Write(ref _lastActivity, ClockBase + (long)((last - ClockBaseUtc).TotalSeconds * System.Diagnostics.Stopwatch.Frequency));

    /// <summary>The round trip time measured with the first PING/PONG (Go's c.rtt).</summary>
    public TimeSpan Rtt => TimeSpan.FromTicks(Volatile.Read(ref _rttTicks));

    /// <summary>The user this client authenticated as (Go's getRawAuthUser): nkey, user name, a JWT user's public key,
    /// or a redacted token.</summary>
    public string AuthorizedUser => RawAuthUser;

    /// <summary>The TLS protocol and cipher suite of the connection, when it uses TLS.</summary>
    public (string Version, string Cipher)? TlsState => _tls is null ? null
        : (TlsNames.Version(TlsNames.Wire(_tls.SslProtocol)), TlsNames.CipherSuite((ushort)_tls.NegotiatedCipherSuite));

    /// <summary>The certificate the client presented in the TLS handshake, if any.</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2? PeerCertificate =>
        _tls?.RemoteCertificate as System.Security.Cryptography.X509Certificates.X509Certificate2;

    /// <summary>Subscriptions with their counters, for monitoring.</summary>
    public List<(string Subject, string? Queue, string Sid, long Msgs, long Max)> SubscriptionDetails()
    {
        lock (_mu) return _subs.Values.Select(s => (s.Subject, s.Queue, Encoding.UTF8.GetString(s.Sid), s.Delivered, s.Max)).ToList();
    }

    private List<(string Subject, string? Queue, string Sid, long Msgs, long Max)>? _closedSubDetails;
    internal IReadOnlyList<(string Subject, string? Queue, string Sid, long Msgs, long Max)>? ClosedSubDetails => _closedSubDetails;

    /// <summary>True once CONNECT (or a no_auth_user first operation) was accepted.</summary>
    internal bool HasConnected => _connectReceived && !_expectConnect && !_closed;

    /// <summary>Limits again from the (reloaded) options and account.</summary>
    internal void ResetLimits() => ApplyAccountLimits();

    /// <summary>Go's applyAccountLimits after an account update: a client at (or over) its new subscription limit is
    /// told and closed.</summary>
    internal void ResetLimits(bool closeAtSubsLimit)
    {
        ApplyAccountLimits();
        if (!closeAtSubsLimit || _msubs == Account.NoLimit) return;
        int n;
        lock (_mu) n = _subs.Count;
        if (n < _msubs) return;
        _server.Logger.Error($"{this} - {ProtocolErrors.TooManySubs}");
        SendErr(ProtocolErrors.TooManySubs);
        _ = Task.Delay(20).ContinueWith(_ => Close(ClosedState.MaxSubscriptionsExceeded), TaskScheduler.Default);
    }

    /// <summary>Go's maxAccountConnExceeded.</summary>
    internal void MaxAccountConnectionsExceeded()
    {
        SendErr(ProtocolErrors.TooManyAccountConnections);
        RateLimitError(ProtocolErrors.TooManyAccountConnections);
        Close(ClosedState.MaxAccountConnectionsExceeded);
    }

    /// <summary>A JWT user without permissions of its own runs with the account's defaults (Go's user.defaultPerms).</summary>
    internal bool UsesAccountDefaultPermissions { get; set; }

    /// <summary>The account signing key that signed this user's JWT (Go's user.SigningKey), or empty.</summary>
    internal string SigningKey { get; set; } = "";

    /// <summary>Go's maxConnExceeded.</summary>
    internal void MaxConnectionsExceeded()
    {
        SendErr(ProtocolErrors.TooManyConnections);
        RateLimitError(ProtocolErrors.TooManyConnections);
        Close(ClosedState.MaxConnectionsExceeded);
    }

    /// <summary>Go's processSubsOnConfigReload: subscriptions the new permissions refuse are removed with an -ERR, and
    /// shadow subscriptions are made again for the account's (new) imports.</summary>
    internal void ProcessSubsOnConfigReload()
    {
        List<Subscription> subs;
        lock (_mu) subs = [.. _subs.Values];
        var removed = new List<Subscription>();
        foreach (var sub in subs)
        {
            if (_perms is not null && !_perms.CanSubscribe(sub.Subject, sub.Queue)) removed.Add(sub);
            else
            {
                RemoveShadows(sub);
                AddShadowSubscriptions(sub);
            }
        }
        foreach (var sub in removed)
        {
            Unsubscribe(sub);
            string sid = Encoding.UTF8.GetString(sub.Sid);
            if (sub.Queue is not null)
            {
                SendErr($"Permissions Violation for Subscription to \"{sub.Subject}\" using queue \"{sub.Queue}\" (sid \"{sid}\")");
                _server.Logger.Notice($"Removed sub \"{sub.Subject}\" using queue \"{sub.Queue}\" (sid \"{sid}\") for {AuthUser} - not authorized");
            }
            else
            {
                SendErr($"Permissions Violation for Subscription to \"{sub.Subject}\" (sid \"{sid}\")");
                _server.Logger.Notice($"Removed sub \"{sub.Subject}\" (sid \"{sid}\") for {AuthUser} - not authorized");
            }
        }
    }

    /// <summary>PINGs sent without a PONG yet (Go's c.ping.out).</summary>
    internal int PingsOut { get => Volatile.Read(ref _pingsOut); set => Volatile.Write(ref _pingsOut, value); }

    /// <summary>Feeds bytes as one read (tests): parse, then signal the clients written to.</summary>
    internal string? ParseForTest(byte[] buf)
    {
        string? err = _parser.Parse(buf, buf.Length);
        FlushClients();
        return err;
    }

    internal Subscription? FindSubscription(string sid)
    {
        lock (_mu) return _subs.TryGetValue(sid, out var s) ? s : null;
    }

    public override string ToString() => _internalKind ?? _ncs;

    /// <summary>Go's ncs: how the connection appears in logs, "host:port - cid:N", then after the first CONNECT with
    /// the client's version, language and name and its account and user (Go's processConnect).</summary>
    private string _ncs = "";

    private static string ConnString(string host, int port, ulong cid) =>
        host.Contains(':') ? $"[{host}]:{port} - cid:{cid}" : $"{host}:{port} - cid:{cid}";

    /// <summary>Go's processConnect for a first CONNECT: the connection string gains the client's "version:lang:name"
    /// and its "account/user" label, each quoted.</summary>
    private void SetConnectionString()
    {
        string ncs = "";
        if (!string.IsNullOrEmpty(_opts.Version)) ncs = $"v{_opts.Version}";
        if (!string.IsNullOrEmpty(_opts.Lang)) ncs = ncs.Length == 0 ? _opts.Lang : $"{ncs}:{_opts.Lang}";
        if (!string.IsNullOrEmpty(_opts.Name))
            ncs = string.IsNullOrEmpty(_opts.Version) && string.IsNullOrEmpty(_opts.Lang) ? _opts.Name : $"{ncs}:{_opts.Name}";
        string acs = _ncsUser is null ? "" : $"{_ncsAcc}/{_ncsUser}";
        if (ncs.Length > 0 && acs.Length > 0) _ncs = $"{_ncs} - {GoQuote(ncs)} - {GoQuote(acs)}";
        else if (ncs.Length > 0) _ncs = $"{_ncs} - {GoQuote(ncs)}";
        else if (acs.Length > 0) _ncs = $"{_ncs} - {GoQuote(acs)}";
    }

    // Go's ncsAcc and ncsUser: the account's trace label and the user's label, as of the last CONNECT.
    private string? _ncsAcc, _ncsUser;

    /// <summary>Go's %q of a string.</summary>
    internal static string GoQuote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (char ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20 || ch == 0x7f) sb.Append("\\x").Append(((int)ch).ToString("x2"));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Sends INFO and starts the read and write loops; a connection over max_connections gets its -ERR and is closed.</summary>
    /// <param name="proxyInfo">With proxy_protocol: the INFO to send after a TLS-first handshake, to be completed
    /// with the client's address once the PROXY header has given it.</param>
    internal void Start(byte[] info, bool authRequired, bool refuseForMaxConnections, TlsSetup? tls = null, byte[]? firstInfo = null,
        ServerInfo? proxyInfo = null)
    {
        _expectConnect = authRequired;
        if (tls is not null)
        {
            _ = StartTls(info, firstInfo ?? info, authRequired, refuseForMaxConnections, tls, proxyInfo);
            return;
        }
        if (proxyInfo is not null && !refuseForMaxConnections)
        {
            _ = StartProxied(info, authRequired);
            return;
        }
        EnqueueProto(info);
        StartLoops(authRequired, refuseForMaxConnections);
    }

    /// <summary>Go's createClientEx with proxy_protocol and no TLS: INFO first, then the PROXY header (if any), then
    /// the usual loops, the bytes read past the header parsed first.</summary>
    private async Task StartProxied(byte[] info, bool authRequired)
    {
        try
        {
            await SendRawAsync(info).ConfigureAwait(false);
            if (_closed) return;
            var (ok, _, pre) = await ReadProxyHeader([]).ConfigureAwait(false);
            if (!ok || _closed) return;
            _pre = pre;
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close(ClosedState.WriteError);
            return;
        }
        StartLoops(authRequired, false);
    }

    /// <summary>Go's PROXY step of createClientEx: up to 6 first bytes (unless some were read already), then the
    /// header. A header that fails to parse closes the connection as a protocol violation; a connection without one
    /// goes on with the bytes the detection read. Returns whether to go on, whether a header was read, and the bytes
    /// to replay.</summary>
    private async Task<(bool Ok, bool HadHeader, byte[] Pre)> ReadProxyHeader(byte[] pre)
    {
        if (pre.Length == 0)
        {
            // A failed read leaves nothing read: the header read then fails on the same socket, as Go's does.
            try { pre = await ReceiveUpTo(6, ProxyProtocol.ReadTimeout).ConfigureAwait(false); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { pre = []; }
        }
        if (_closed) return (false, false, []);
        using var inner = new NetworkStream(_socket!, ownsSocket: false);
        var r = await ProxyProtocol.ReadHeaderAsync(new PrefixedStream(pre, inner)).ConfigureAwait(false);
        if (!r.Ok && r.Error != ProxyProtoError.Unrecognized)
        {
            var peer = RemoteEndPointOf(_socket!);
            string from = peer is IPEndPoint ep ? (ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep).ToString() : "";
            _server.Logger.Warn($"Error reading PROXY protocol header from {from}: {r.Message}");
            Close(ClosedState.ProtocolViolation);
            return (false, false, []);
        }
        if (r.Addr is { } addr)
        {
            // Go keeps the connection string (logs) of the proxy's address; only c.host and c.port change.
            _proxiedEndPoint = addr.SrcEndPoint;
            RemoteHost = addr.SrcHost;
            RemotePort = addr.SrcPort;
        }
        return (true, r.Ok, r.Bytes);
    }

    /// <summary>Go's TLS path of createClient: INFO in the clear (or nothing, with handshake_first), the server-side
    /// handshake within the TLS timeout, then the usual loops over the TLS stream.</summary>
    private byte[]? _pre;

    private async Task StartTls(byte[] info, byte[] firstInfo, bool authRequired, bool refuse, TlsSetup tls, ServerInfo? proxyInfo)
    {
        FirstRecordStream? first = null;
        SslStream? ssl = null;
        try
        {
            bool tlsFirst = tls.HandshakeFirst;
            byte[] pre = [];
            if (!tlsFirst)
            {
                await SendRawAsync(info).ConfigureAwait(false);
            }
            else if (tls.HandshakeFirstFallback > TimeSpan.Zero)
            {
                // Go's fallback: a client doing the handshake first sends within the delay; one that sends nothing
                // waits for INFO, and gets it as without handshake_first.
                pre = await ReceiveUpTo(4, tls.HandshakeFirstFallback).ConfigureAwait(false);
                if (pre.Length == 0)
                {
                    if (_closed) return;
                    await SendRawAsync(info).ConfigureAwait(false);
                    tlsFirst = false;
                }
            }
            Stream inner = new NetworkStream(_socket!, ownsSocket: false);
            bool sniffTls = !tlsFirst && tls.AllowNonTls;
            bool tlsRequired = true;
            if (sniffTls)
            {
                // Go's sniffTLS: up to 6 bytes within the TLS timeout; only a TLS record (0x16) starts a handshake,
                // anything else is the plain-text protocol and is parsed first.
                pre = await ReceiveUpTo(6, tls.Timeout).ConfigureAwait(false);
                tlsRequired = pre.Length > 0 && pre[0] == 0x16;
            }
            if (proxyInfo is not null && !refuse && !_closed)
            {
                // The PROXY header comes in the clear before any handshake; what follows it decides TLS or not.
                var (ok, hadHeader, rest) = await ReadProxyHeader(pre).ConfigureAwait(false);
                if (!ok)
                {
                    inner.Dispose();
                    return;
                }
                if (hadHeader && sniffTls)
                {
                    if (rest.Length == 0) rest = await ReceiveUpTo(1, tls.Timeout).ConfigureAwait(false);
                    tlsRequired = rest.Length > 0 && rest[0] == 0x16;
                }
                pre = rest;
                proxyInfo.ClientIp = RemoteHost;
                firstInfo = proxyInfo.ToProtocol();
            }
            if (!tlsRequired)
            {
                inner.Dispose();
                _pre = pre;
                if (_closed) return;
                StartLoops(authRequired, refuse);
                return;
            }
            if (_server.TlsRateCounter is { } rate && !rate.Allow())
            {
                // Go: refused before the handshake, told in plain text, closed as over the connection limit.
                inner.Dispose();
                await SendRawAsync("-ERR 'Connection throttling is active. Please try again later.'\r\n"u8.ToArray()).ConfigureAwait(false);
                Close(ClosedState.MaxConnectionsExceeded);
                return;
            }
            if (pre.Length > 0) inner = new PrefixedStream(pre, inner);
            first = new FirstRecordStream(inner);
            TlsFirst = tlsFirst;
            Debug("Starting TLS client connection handshake");
            ssl = new SslStream(first, leaveInnerStreamOpen: true);
            using (var cts = new CancellationTokenSource(tls.Timeout))
            {
                try
                {
                    await ssl.AuthenticateAsServerAsync(tls.ServerOptions(), cts.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    ssl.Dispose();
                    // Go's timer logs the timeout, and the handshake's read, timed out too, fails; a client that
                    // connects and sends nothing is taken for a probe, so neither is an error.
                    Debug("TLS handshake timeout");
                    Debug("TLS handshake error: i/o timeout");
                    Close(ClosedState.TLSHandshakeError);
                    return;
                }
            }
            if (!tls.MatchesPinnedCert(ssl.RemoteCertificate))
            {
                ssl.Dispose();
                _server.Logger.Error($"{this} - TLS handshake error: certificate not pinned");
                Close(ClosedState.TLSHandshakeError);
                return;
            }
            _tls = ssl;
            Debug("TLS handshake complete");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or AuthenticationException)
        {
            if (!_closed)
            {
                // As Go's isClientProbeTLSHandshakeError: a peer whose first bytes are not TLS is a probe (a load
                // balancer's health check), logged at debug level only.
                string msg = $"TLS handshake error: {(ssl is not null && tls.RejectReason(ssl) is { } why ? why : (e.InnerException ?? e).Message)}";
                if (first is { FirstRecordNotTls: true }) Debug(msg);
                else _server.Logger.Error($"{this} - {msg}");
                Close(ClosedState.TLSHandshakeError);
            }
            return;
        }
        if (_closed) return;
        if (TlsFirst) EnqueueProto(firstInfo);
        StartLoops(authRequired, refuse);
    }

    /// <summary>The TLS handshake came before INFO (Go's didTLSFirst).</summary>
    internal bool TlsFirst { get; private set; }

    private async Task SendRawAsync(byte[] data)
    {
        int off = 0;
        while (off < data.Length) off += await _socket!.SendAsync(data.AsMemory(off), SocketFlags.None).ConfigureAwait(false);
    }

    /// <summary>Up to <paramref name="max"/> bytes the client sends within <paramref name="wait"/> (fewer, or none,
    /// when it sends less or closes).</summary>
    private async Task<byte[]> ReceiveUpTo(int max, TimeSpan wait)
    {
        var buf = new byte[max];
        int got = 0;
        using var cts = new CancellationTokenSource(wait);
        try
        {
            while (got < max)
            {
                int r = await _socket!.ReceiveAsync(buf.AsMemory(got), SocketFlags.None, cts.Token).ConfigureAwait(false);
                if (r == 0) break;
                got += r;
            }
        }
        catch (OperationCanceledException) { }
        return buf[..got];
    }

    /// <summary>The client certificate presented in the TLS handshake, when there was one.</summary>
    internal X509Certificate2? ClientCertificate => _tls?.RemoteCertificate as X509Certificate2;

    private void StartLoops(bool authRequired, bool refuseForMaxConnections)
    {
        _writeTask = WriteLoop();
        if (refuseForMaxConnections)
        {
            SendErr(ProtocolErrors.TooManyConnections);
            RateLimitError(ProtocolErrors.TooManyConnections);
            Close(ClosedState.MaxConnectionsExceeded);
            return;
        }
        SetPingTimer(PingInterval);
        if (authRequired)
        {
            var t = _ws is not null && _server.Options.Websocket.AuthTimeout != 0
                ? TimeSpan.FromSeconds(_server.Options.Websocket.AuthTimeout) : _server.Options.EffectiveAuthTimeout;
            _authTimer = new Timer(static s => ((ClientConnection)s!).AuthTimeout(), this, t, Timeout.InfiniteTimeSpan);
        }
        _ = ReadLoop();
    }

    private async Task ReadLoop()
    {
        byte[] buf = ArrayPool<byte>.Shared.Rent(StartBufSize);
        int shortReads = 0;
        // Bytes read before the loop (allow_non_tls looking for a TLS handshake) are parsed first.
        int preLen = 0;
        if (_pre is { Length: > 0 } pre)
        {
            pre.CopyTo(buf, 0);
            preLen = pre.Length;
        }
        _pre = null;
        try
        {
            while (!_closed)
            {
                int n;
                try
                {
                    n = preLen > 0 ? preLen
                        : _tls is null
                        ? await _socket!.ReceiveAsync(buf, SocketFlags.None).ConfigureAwait(false)
                        : await _tls.ReadAsync(buf.AsMemory()).ConfigureAwait(false);
                    preLen = 0;
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                {
                    Close(ClosedState.ReadError);
                    return;
                }
                if (n == 0)
                {
                    Close(ClosedState.ClientClosed);
                    return;
                }
                _readTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();

                long inMsgs = InMsgs, inBytes = InBytes;
                string? err = _ws is null ? _parser.Parse(buf, n) : WsReadAndParse(buf, n);
                if (_stalledFor != TimeSpan.Zero) ResetReadLoopStallTime();
                bool backlog = FlushClients();
                long took = System.Diagnostics.Stopwatch.GetTimestamp() - _readTimestamp;
                if (took >= _server.ReadLoopReportTicks) ReportSlowReadLoop(took);
                if (InMsgs != inMsgs)
                {
                    _server.AddInbound(InMsgs - inMsgs, InBytes - inBytes);
                    _lastInTicks = Environment.TickCount64;
                    _lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();
                }
                if (_batchOutMsgs != 0)
                {
                    _server.AddOutbound(_batchOutMsgs, _batchOutBytes);
                    _batchOutMsgs = _batchOutBytes = 0;
                }
                if (err is not null)
                {
                    if (_ws is not null)
                    {
                        // Go's readLoop for websocket clients: a close frame ends the connection as closed by the
                        // client, any other failure (of frames or of the protocol inside them) as a read error.
                        if (err != WsEof) _server.Logger.Error($"{this} - read error: {err}");
                        Close(err == WsEof ? ClosedState.ClientClosed : ClosedState.ReadError);
                    }
                    else if (!ReferenceEquals(err, ProtocolErrors.MaxPayloadExceeded) && !ReferenceEquals(err, ProtocolErrors.AuthenticationError))
                    {
                        _server.Logger.Error($"{this} - {err}");
                        Close(ClosedState.ProtocolViolation);
                    }
                    return;
                }

                // A receiver falling behind gets its writer run before this connection reads on: a read loop that
                // always has input would otherwise keep its thread and queue everything it delivers.
                if (backlog) await Task.Yield();

                // Grow or shrink the read buffer as Go's readLoop does.
                if (n >= buf.Length) shortReads = 0;
                else if (n < buf.Length / 2) shortReads++;
                if (n >= buf.Length && buf.Length < MaxBufSize)
                {
                    ArrayPool<byte>.Shared.Return(buf);
                    buf = ArrayPool<byte>.Shared.Rent(buf.Length * 2);
                }
                else if (n < buf.Length && buf.Length > MinBufSize && shortReads > ShortsToShrink)
                {
                    // As Go's readLoop: the short-read count is not reset, so each further short read halves again.
                    // Held-over arguments and payloads live in the parser's own buffers, so the read buffer can go.
                    ArrayPool<byte>.Shared.Return(buf);
                    buf = ArrayPool<byte>.Shared.Rent(Math.Max(MinBufSize, buf.Length / 2));
                }
            }
        }
        catch (Exception e)
        {
            _server.Logger.Error($"{this} - read loop failed: {e}");
            Close(ClosedState.ReadError);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buf);
            _parser.Release();
        }
    }

    /// <summary>Go's readLoop warning: processing what one read brought took too long.</summary>
    private void ReportSlowReadLoop(long ticks) =>
        _server.Logger.Warn($"{this} - Readloop processing time: {Config.ServerOptions.GoDuration(System.Diagnostics.Stopwatch.GetElapsedTime(0, ticks))}");

    /// <summary>Signals every connection this batch wrote to (Go's flushClients); true when one of them has more than
    /// a chunk queued, i.e. its writer is behind.</summary>
    private bool FlushClients()
    {
        if (_pcd.Count == 0) return false;
        // Go's flushClients: a delivery is activity for the receiver. The receiver's clock is moved at most once a
        // millisecond: publishers on other cores would otherwise write its cache line on every batch.
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        bool backlog = false;
        foreach (var c in _pcd)
        {
            if (now - Volatile.Read(ref c._lastActivity) > ActivityResolution) Volatile.Write(ref c._lastActivity, now);
            if (Volatile.Read(ref c._pendingBytes) > ChunkSize) backlog = true;
            c.FlushSignal();
        }
        _pcd.Clear();
        return backlog;
    }

    // ---- IProtocolHandler ----

    bool IProtocolHandler.AwaitingAuth => _expectConnect && !_connectReceived;

    bool IProtocolHandler.TryNoAuthUser()
    {
        // Go's parser: with a no_auth_user, a first operation other than CONNECT authenticates as that user.
        if (RouteState is not null) return false;
        string noAuthUser = _ws is not null && _server.Options.Websocket.NoAuthUser.Length > 0 ? _server.Options.Websocket.NoAuthUser : _server.NoAuthUser;
        if (noAuthUser.Length == 0 || !_server.HasUser(noAuthUser, out var user)) return false;
        if (user!.ProxyRequired || !ConnectionTypes.Allowed(user.AllowedConnectionTypes, ConnectionType)) return false;
        _authTimer?.Dispose();
        _authTimer = null;
        _connectReceived = true;
        if (!_server.CheckAuthentication(this)) return false;
        _expectConnect = false;
        return true;
    }

    public void AuthViolation()
    {
        _server.Logger.Error(RawAuthUser.Length > 0 ? $"{this} - {ProtocolErrors.AuthenticationError} - {AuthUser}"
            : $"{this} - {ProtocolErrors.AuthenticationError}");
        var reason = NatsServer.AuthErrClosedState(AuthError);
        SendErr(ProtocolErrors.AuthorizationViolation);
        Close(reason);
        _server.Events?.AuthErrorEvent(this, reason.Text());
    }

    private void AuthTimeout()
    {
        if (_connectReceived || _closed) return;
        SendErr(ProtocolErrors.AuthenticationTimeout);
        RateLimitDebug(ProtocolErrors.AuthenticationTimeout);
        Close(ClosedState.AuthenticationTimeout);
    }

    // Go's overMaxControlLineLimit: routes (and other servers) may send lines sixteen times longer than clients.
    int IProtocolHandler.MaxControlLine => RouteState is null ? _server.Options.MaxControlLine : _server.Options.MaxControlLine * 16;

    void IProtocolHandler.MaxControlLineViolation()
    {
        SendErr(ProtocolErrors.MaxControlLineExceeded);
        Close(ClosedState.MaxControlLineExceeded);
    }

    bool IProtocolHandler.HeadersEnabled => Headers;

    string? IProtocolHandler.ProcessConnect(ReadOnlySpan<byte> arg)
    {
        if (RouteState is not null) return ProcessRouteConnect(arg);
        _authTimer?.Dispose();
        _authTimer = null;
        if (_closed) return null;
        if (Tracing) TraceIn("CONNECT", RedactSecrets(Encoding.UTF8.GetString(arg)));
        // Go estimates the RTT from accept to CONNECT until a PING/PONG measures it.
        _rttTicks = Math.Max(1, (DateTime.UtcNow - StartTime).Ticks);
        ClearPingTimer();
        SetFirstPingTimer();
        ConnectOptions opts;
        try
        {
            opts = ConnectOptions.Merge(_opts, arg);
        }
        catch (System.Text.Json.JsonException e)
        {
            return e.Message;
        }
        // Go discards a user JWT when the server is not in operator mode.
        if (_ws is not null) WsApplyCookies(opts);
        if (!_server.OperatorMode) opts.Jwt = null;
        _opts = opts;
        bool firstConnect = !_connectReceived;
        _connectReceived = true;
        Headers = _server.SupportsHeaders && opts.Headers;

        // A repeated CONNECT may re-authenticate into another account: the old subscriptions go first (Go's processConnect).
        if (!firstConnect) ClearAccountSubs();
        if (!_server.CheckAuthentication(this))
        {
            // An auth callout's reply handler may have refused the client already.
            if (!_closed) AuthViolation();
            return ProtocolErrors.AuthenticationError;
        }
        if (_closed) return null;
        if (opts.AccountNew || !string.IsNullOrEmpty(opts.Account))
        {
            AuthViolation();
            return ProtocolErrors.AuthenticationError;
        }
        _expectConnect = false;

        if (RawAuthUser.Length > 0) _ncsUser = AuthUserLabel;
        _ncsAcc = _acc.TraceLabel;
        if (firstConnect && !IsInternal) SetConnectionString();

        if (opts.Protocol < 0 || opts.Protocol > 1)
        {
            SendErr(ProtocolErrors.BadClientProtocol);
            Close(ClosedState.BadClientProtocolVersion);
            return ProtocolErrors.BadClientProtocol;
        }
        if (opts.NoResponders && !Headers)
        {
            SendErr(ProtocolErrors.NoRespondersRequiresHeaders);
            Close(ClosedState.NoRespondersRequiresHeaders);
            return ProtocolErrors.NoRespondersRequiresHeaders;
        }
        if (opts.Verbose) SendOK();
        return null;
    }

    string? IProtocolHandler.ProcessPubArgs(ProtocolParser p)
    {
        if (Tracing) TraceIn(p.Pa.Hdr >= 0 ? "HPUB" : "PUB", p.PubArgText());
        return CheckPubArgs(p);
    }

    string? IProtocolHandler.RecheckPubArgs(ProtocolParser p) => CheckPubArgs(p);

    private string? CheckPubArgs(ProtocolParser p)
    {
        if (RouteState is not null) RoutePubArgs(p);
        int max = _mpay;
        if (max != Account.NoLimit && p.Pa.Size > max)
        {
            _server.Logger.Error($"{this} - {ProtocolErrors.MaxPayloadExceeded}: {p.Pa.Size} vs {max}");
            SendErr(ProtocolErrors.MaxPayloadViolation);
            Close(ClosedState.MaxPayloadExceeded);
            return ProtocolErrors.MaxPayloadExceeded;
        }
        if (_opts.Pedantic && !SubjectValidation.IsValidLiteralSubject(p.Subject))
            SendErr(ProtocolErrors.InvalidPublishSubject);
        return null;
    }

    string? IProtocolHandler.ProcessSub(ReadOnlySpan<byte> arg)
    {
        if (Tracing) TraceIn("SUB", Encoding.UTF8.GetString(arg));
        Span<int> s = stackalloc int[3];
        Span<int> l = stackalloc int[3];
        int n = ProtocolParser.SplitArgs(arg, s, l);
        string subject, sid;
        string? queue = null;
        switch (n)
        {
            case 2:
                subject = Encoding.UTF8.GetString(arg.Slice(s[0], l[0]));
                sid = Encoding.UTF8.GetString(arg.Slice(s[1], l[1]));
                break;
            case 3:
                subject = Encoding.UTF8.GetString(arg.Slice(s[0], l[0]));
                queue = Encoding.UTF8.GetString(arg.Slice(s[1], l[1]));
                sid = Encoding.UTF8.GetString(arg.Slice(s[2], l[2]));
                break;
            default:
                return $"processSub Parse Error: {ProtocolParser.Quote(arg)}";
        }
        _lastInTicks = Environment.TickCount64;
        _lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();

        // Go's processSubEx: permissions, and the internal system queue group that is never open to clients.
        if (!_closed && (queue == SysGroup || (_perms is not null && !_perms.CanSubscribe(subject, queue))))
        {
            string subjectQ = ProtocolParser.Quote(arg.Slice(s[0], l[0]));
            if (queue is not null)
            {
                string queueQ = ProtocolParser.Quote(arg.Slice(s[1], l[1]));
                SendErr($"Permissions Violation for Subscription to {subjectQ} using queue {queueQ}");
                _server.Logger.Error($"{this} - Subscription Violation - Subject {subjectQ}, Queue: {queueQ}, SID {sid}");
            }
            else
            {
                SendErr($"Permissions Violation for Subscription to {subjectQ}");
                _server.Logger.Error($"{this} - Subscription Violation - Subject {subjectQ}, SID {sid}");
            }
            return null;
        }
        if (!_closed && _server.Options.MaxSubTokens > 0 && subject.Count(c => c == '.') + 1 > _server.Options.MaxSubTokens)
        {
            string subjectQ = ProtocolParser.Quote(arg.Slice(s[0], l[0]));
            SendErr($"Permissions Violation for Subscription to {subjectQ}, too many tokens");
            _server.Logger.Error($"{this} - Subscription Violation Too Many Tokens - Subject {subjectQ}, SID {sid}");
            return null;
        }

        var sub = new Subscription(subject, queue, this, Encoding.UTF8.GetBytes(sid));
        bool inserted = false, invalid = false, isNew = false;
        lock (_mu)
        {
            if (_closed) return null;
            if (_msubs != Account.NoLimit && _subs.Count >= _msubs)
            {
                // handled below, outside the lock
            }
            else if (!_subs.ContainsKey(sid))
            {
                if (_acc.Sublist.TryInsert(sub))
                {
                    _subs[sid] = sub;
                    inserted = true;
                    isNew = true;
                }
                else
                {
                    invalid = true;
                }
            }
            else
            {
                inserted = true; // an existing sid: Go keeps the first and still answers +OK
            }
        }
        if (!inserted && !invalid)
        {
            _server.Logger.Error($"{this} - {ProtocolErrors.TooManySubs}");
            SendErr(ProtocolErrors.TooManySubs);
            return null;
        }
        if (invalid)
        {
            SendErr(ProtocolErrors.InvalidSubject);
            return null;
        }
        if (_acc.StreamImports.Length > 0 && ReferenceEquals(FindSubscription(sid), sub)) AddShadowSubscriptions(sub);
        if (_opts.Verbose) SendOK();
        if (isNew) _server.UpdateRouteSubscriptionMap(_acc, sub, 1);
        return null;
    }

    string? IProtocolHandler.ProcessUnsub(ReadOnlySpan<byte> arg)
    {
        if (Tracing) TraceIn("UNSUB", Encoding.UTF8.GetString(arg));
        Span<int> s = stackalloc int[2];
        Span<int> l = stackalloc int[2];
        int n = ProtocolParser.SplitArgs(arg, s, l);
        long max = -1;
        string sid;
        switch (n)
        {
            case 1:
                sid = Encoding.UTF8.GetString(arg.Slice(s[0], l[0]));
                break;
            case 2:
                sid = Encoding.UTF8.GetString(arg.Slice(s[0], l[0]));
                max = ProtocolParser.ParseSize(arg.Slice(s[1], l[1]));
                break;
            default:
                return $"processUnsub Parse Error: {ProtocolParser.Quote(arg)}";
        }
        _lastInTicks = Environment.TickCount64;
        _lastActivity = System.Diagnostics.Stopwatch.GetTimestamp();
        Subscription? remove = null;
        lock (_mu)
        {
            if (_subs.TryGetValue(sid, out var sub))
            {
                if (max > 0 && max > sub.Delivered)
                {
                    sub.Max = max;
                }
                else
                {
                    sub.Max = 0;
                    remove = sub;
                }
            }
        }
        if (_opts.Verbose) SendOK();
        if (remove is not null) Unsubscribe(remove);
        return null;
    }

    void IProtocolHandler.ProcessPing()
    {
        if (_closed) return;
        if (Tracing) { TraceIn("PING", null); TraceOut("PONG", null); }
        EnqueueProto(ProtoPong);
        _lastInTicks = Environment.TickCount64;
        if (!_connectReceived || _firstPongSent) return;
        _firstPongSent = true;
        if (_opts.Protocol >= 1)
        {
            // Since 2.10 the first PONG to a protocol-1 client is followed by an INFO with connect_info.
            EnqueueProto(_server.ConnectInfoFor(this));
        }
    }

    void IProtocolHandler.ProcessPong()
    {
        if (Tracing) TraceIn("PONG", null);
        Interlocked.Exchange(ref _pingsOut, 0);
        // Go's processPong: the round trip of the last PING this server sent.
        long start = Volatile.Read(ref _rttStart);
        if (start != 0) Volatile.Write(ref _rttTicks, Math.Max(1, System.Diagnostics.Stopwatch.GetElapsedTime(start).Ticks));
        // A pooled route whose PONG shows it was accepted starts the next connection of the pool.
        if (RouteState is { StartNewRoute: { } next } rs)
        {
            rs.StartNewRoute = null;
            _server.StartConnectToRoute(next.Url, next.Type, true, next.Gossip, "");
        }
    }

    string? IProtocolHandler.ProcessInfo(ReadOnlySpan<byte> arg)
    {
        if (RouteState is not null) return ProcessRouteInfoProto(arg);
        try
        {
            System.Text.Json.JsonDocument.Parse(arg.ToArray()).Dispose();
            return null;
        }
        catch (System.Text.Json.JsonException e)
        {
            return e.Message;
        }
    }

    void IProtocolHandler.ProcessErr(string err)
    {
        _server.Logger.Error($"{this} - {(RouteState is null ? "Client" : "Route")} Error {err}");
        Close(ClosedState.ParseError);
    }

    public void SendErr(string err)
    {
        if (Tracing) TraceOut("-ERR", err);
        EnqueueProto(Encoding.ASCII.GetBytes($"-ERR '{err}'\r\n"));
    }

    private void SendOK()
    {
        if (Tracing) TraceOut("OK", null);
        EnqueueProto(ProtoOk);
    }

    /// <summary>Go's setTraceLevel: the system account's own client is traced only with trace_verbose.</summary>
    private bool Tracing => _server.Logger.TraceEnabled && (!_systemClient || _server.Options.TraceVerbose);

    private void TraceIn(string op, string? arg) => _server.Logger.Trace(arg is null ? $"{this} - <<- [{op}]" : $"{this} - <<- [{op} {arg}]");

    private void TraceOut(string op, string? arg) => _server.Logger.Trace(arg is null ? $"{this} - ->> [{op}]" : $"{this} - ->> [{op} {arg}]");

    /// <summary>Go's traceMsgInternal: the payload, or with trace_headers only the header block (none when there is none).</summary>
    private void TraceMsg(ReadOnlySpan<byte> msg, bool delivered, int hdrSize)
    {
        int suffix = 2;
        if (_server.Options.TraceHeaders)
        {
            if (hdrSize <= 0 || msg.Length < hdrSize) return;
            msg = msg[..hdrSize];
            suffix += 2;
        }
        int l = msg.Length - suffix;
        if (l <= 0) return;
        string prefix = delivered ? "->>" : "<<-";
        int max = _server.Options.MaxTracedMsgLen;
        if (max > 0 && l > max)
        {
            string q = ProtocolParser.Quote(msg[..max]);
            _server.Logger.Trace($"{this} - {prefix} MSG_PAYLOAD: [\"{q[1..^1]}...\"]");
        }
        else
        {
            _server.Logger.Trace($"{this} - {prefix} MSG_PAYLOAD: [{ProtocolParser.Quote(msg[..l])}]");
        }
    }

    private static readonly Regex PrefixAuthPattern =
        new("\"?\\s*(?:auth_token\\S*?|pass\\S*?)\"?\\s*[:=]\\s*\"?([^\",\\r\\n}]*)", RegexOptions.Compiled);
    private static readonly Regex ExactAuthPattern =
        new("(?:^|[^A-Za-z0-9_])\"?\\s*(?:proxy_sig|nkey|sig)\"?\\s*[:=]\\s*\"?([^\",\\r\\n}]*)", RegexOptions.Compiled);

    /// <summary>Go's removeSecretsFromTrace: passwords, tokens, nkeys and signatures become [REDACTED].</summary>
    internal static string RedactSecrets(string arg) => Redact(ExactAuthPattern, Redact(PrefixAuthPattern, arg));

    private static string Redact(Regex pattern, string s)
    {
        var matches = pattern.Matches(s);
        for (int i = matches.Count - 1; i >= 0; i--)
        {
            var g = matches[i].Groups[1];
            s = string.Concat(s.AsSpan(0, g.Index), "[REDACTED]", s.AsSpan(g.Index + g.Length));
        }
        return s;
    }

    // ---- delivery ----

    void IProtocolHandler.ProcessInboundMsg(ProtocolParser p, ReadOnlySpan<byte> msg)
    {
        if (RouteState is not null)
        {
            ProcessInboundRoutedMsg(p, msg);
            return;
        }
        InMsgs++;
        InBytes += msg.Length - 2;
        var subject = p.Subject;
        var reply = p.Reply;
        if (_acc.HasMappings)
        {
            // Go's parser: the account's subject mappings apply before anything else looks at the subject.
            var (mapped, changed) = _acc.SelectMappedSubject(Encoding.UTF8.GetString(subject));
            if (changed)
            {
                if (Tracing) TraceIn("MAPPING", $"{Encoding.UTF8.GetString(subject)} -> {mapped}");
                subject = Encoding.UTF8.GetBytes(mapped);
            }
        }
        if (Tracing) TraceMsg(msg, false, p.Pa.Hdr);
        if (HasGatewayReplyPrefix(subject))
        {
            PubPermissionViolation(subject);
            return;
        }
        if (_perms is { HasPublishPermissions: true } && !_perms.PubAllowed(subject))
        {
            PubPermissionViolation(subject);
            return;
        }
        if (subject.StartsWith("$NRG."u8) && !ReferenceEquals(_acc, _server.SystemAccount))
        {
            PubPermissionViolation(subject);
            return;
        }
        if (reply.Length > 0 && IsReservedReply(reply))
        {
            // Since 2.11 clients may not use the server's internal reply prefixes.
            SendErr($"Permissions Violation for Publish with Reply of {ProtocolParser.Quote(reply)}");
            return;
        }
        if (_opts.Verbose) SendOK();

        var r = MatchCached(subject);
        bool delivered = ProcessMsgResults(_acc, r, subject, reply, p.Pa.Hdr, msg, fromService: false);
        if (!delivered && reply.Length > 0 && _opts.NoResponders) SendNoResponders(subject, reply);
    }

    /// <summary>This connection's last match, reused while the sublist is unchanged (Go's per-client results cache).</summary>
    private SublistResult MatchCached(ReadOnlySpan<byte> subject)
    {
        var sl = _acc.Sublist;
        long gen = sl.Generation;
        if (_lastResult is not null && gen == _lastGeneration && subject.SequenceEqual(_lastSubject.AsSpan(0, _lastSubjectLen)))
            return _lastResult;
        var r = sl.Match(subject);
        if (_lastSubject.Length < subject.Length) _lastSubject = new byte[Math.Max(64, subject.Length)];
        subject.CopyTo(_lastSubject);
        _lastSubjectLen = subject.Length;
        _lastGeneration = gen;
        _lastResult = r;
        return r;
    }

    private uint NextRand()
    {
        uint x = _rand;
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        _rand = x;
        return x;
    }

    private void SendNoResponders(ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply)
    {
        var rr = _acc.Sublist.Match(reply);
        foreach (var sub in rr.Psubs)
        {
            if (!ReferenceEquals(sub.Client, this)) continue;
            int hdrLen = 32 + subject.Length;
            var proto = $"HMSG {Encoding.UTF8.GetString(reply)} {Encoding.UTF8.GetString(sub.Sid)} {hdrLen} {hdrLen}\r\nNATS/1.0 503\r\nNats-Subject: {Encoding.UTF8.GetString(subject)}\r\n\r\n\r\n";
            QueueOutbound(Encoding.UTF8.GetBytes(proto));
            _pcd.Add(this);
            return;
        }
    }

    /// <summary>Go's processMsgResults: one delivery per plain subscription and one member per queue group; internal
    /// subscriptions (service imports) get the message through their handler. <paramref name="routeToRoute"/> lets a
    /// service response that came over a route go on over another (Go's pmrAllowSendFromRouteToRoute).</summary>
    private bool ProcessMsgResults(Account acc, SublistResult r, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, int hdr,
        ReadOnlySpan<byte> msg, bool fromService, bool routeToRoute = false)
    {
        bool delivered = false;
        bool fromRoute = RouteState is not null;
        var psubs = r.Psubs;
        for (int i = 0; i < psubs.Length; i++)
        {
            var sub = psubs[i];
            if (sub.Client is { RouteState: not null })
            {
                // Interest across a route: one message per route, sent after local delivery; never back to a route.
                if (!fromRoute || routeToRoute) AddSubToRouteTargets(sub);
                continue;
            }
            if (sub.Handler is { } h)
            {
                // An internal client does not hear itself (Go's echo check in deliverMsg).
                if (sub.Client is { } hc && ReferenceEquals(hc, this) && !_opts.Echo) continue;
                if (h(this, subject, reply, hdr, msg)) delivered = true;
                continue;
            }
            // A message that came through a service import is not exported again as a stream.
            if (fromService && sub.Import is not null) continue;
            if (DeliverMsg(sub, subject, reply, hdr, msg)) delivered = true;
        }
        // A routed message reaches the queue groups the remote picked this server for, and no others; once mapped by
        // a service import here, it reaches this server's groups on the new subject (Go's pmrIgnoreEmptyQueueFilter).
        if (!fromRoute || _fromRouteQueues || fromService)
        {
            var qsubs = r.Qsubs;
            for (int q = 0; q < qsubs.Length; q++)
            {
                var group = qsubs[q];
                int lqs = group.Length;
                if (lqs == 0) continue;
                if (fromRoute && _fromRouteQueues && !RoutedQueueSelected(group[0].Queue!)) continue;
                // Go's selectQSub: from a route only local members are candidates; otherwise a random member, and a
                // route's member (standing for its server's members) is sent the message over that route.
                Subscription? rsub = null;
                int start = lqs > 1 ? (int)(NextRand() % (uint)lqs) : 0;
                bool done = false;
                for (int i = 0; i < lqs; i++)
                {
                    var sub = group[(start + i) % lqs];
                    if (sub.Client is { RouteState: not null })
                    {
                        if (fromRoute) { rsub ??= sub; continue; }
                        rsub = sub;
                        break;
                    }
                    if (fromService && sub.Import is not null) continue;
                    if (DeliverMsg(sub, subject, reply, hdr, msg))
                    {
                        delivered = true;
                        done = true;
                        break;
                    }
                }
                // From a route too: when no local member took it, a member elsewhere in the cluster may (Go's rsub).
                if (!done && rsub is not null) AddSubToRouteTargets(rsub);
            }
        }
        if (_rtsCount > 0 && SendToRouteTargets(acc, subject, reply, hdr, msg)) delivered = true;
        return delivered;
    }

    /// <summary>Writes one MSG/HMSG for <paramref name="sub"/> into its connection's outbound buffer (Go's deliverMsg).
    /// <paramref name="msg"/> is the payload with its trailing CRLF, headers first when <paramref name="hdr"/> &gt; 0.</summary>
    private bool DeliverMsg(Subscription sub, ReadOnlySpan<byte> pubSubject, ReadOnlySpan<byte> reply, int hdr, ReadOnlySpan<byte> msg)
    {
        var client = sub.Client;
        if (client is null || (ReferenceEquals(client, this) && !_opts.Echo)) return false;
        var cperms = client._perms;
        if (cperms is { HasMsgDenyFilter: true } && cperms.CheckDenySub(pubSubject, sub.Queue)) return false;
        // A receiver falling behind holds back a publishing client a little, or (no_fast_producer_stall) misses this
        // message (Go's deliverMsg).
        if (client._stallGate is not null && Kind == ClientKind.Client)
        {
            if (_server.Options.NoFastProducerStall) return false;
            client.StalledWait(this);
        }

        bool hasHeader = hdr > 0;
        bool canReceiveHeader = client.Headers;
        // A shadow subscription delivers under the importing account's subject (Go's processMsgResults for sub.im).
        var subject = sub.Import switch
        {
            null or { UsePub: true } => pubSubject,
            { Transform: { } tr } => Encoding.UTF8.GetBytes(tr.TransformSubject(Encoding.UTF8.GetString(pubSubject))),
            var im => im.ToBytes,
        };
        var sid = sub.Sid;

        // Control line: [H]MSG <subject> <sid> [reply] [<hdr>] <size>\r\n
        int need = 5 + subject.Length + 1 + sid.Length + 1 + reply.Length + 1 + 24 + 2;
        byte[]? rented = null;
        Span<byte> mh = need <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(need));
        int n = 0;
        if (hasHeader && canReceiveHeader) { "HMSG "u8.CopyTo(mh); n = 5; }
        else { "MSG "u8.CopyTo(mh); n = 4; }
        subject.CopyTo(mh[n..]); n += subject.Length;
        mh[n++] = (byte)' ';
        if (sid.Length > 0) { sid.CopyTo(mh[n..]); n += sid.Length; mh[n++] = (byte)' '; }
        if (reply.Length > 0) { reply.CopyTo(mh[n..]); n += reply.Length; mh[n++] = (byte)' '; }
        ReadOnlySpan<byte> payload = msg;
        int w;
        if (hasHeader)
        {
            if (canReceiveHeader)
            {
                System.Buffers.Text.Utf8Formatter.TryFormat(hdr, mh[n..], out w);
                n += w;
                mh[n++] = (byte)' ';
            }
            else
            {
                payload = msg[hdr..];
            }
        }
        System.Buffers.Text.Utf8Formatter.TryFormat(payload.Length - 2, mh[n..], out w);
        n += w;
        mh[n++] = (byte)'\r';
        mh[n++] = (byte)'\n';

        bool ok = client.EnqueueMsg(sub, mh[..n], payload);
        if (ok && client.Tracing)
        {
            client.TraceOut(Encoding.UTF8.GetString(mh[..(n - 2)]), null);
            client.TraceMsg(payload, true, hdr); // as Go, the publisher's header size even when headers were stripped
        }
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        if (ok && cperms is { TracksReplies: true } && reply.Length > 0) cperms.TrackReply(reply);
        if (ok)
        {
            _batchOutMsgs++;
            _batchOutBytes += payload.Length - 2;
            _pcd.Add(client);
        }
        return ok;
    }

    /// <summary>Target side of a delivery: auto-unsubscribe accounting and the outbound copy, under this client's lock.</summary>
    private bool EnqueueMsg(Subscription sub, ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        bool unsubAfter = false;
        if (sub.Origin is { } origin)
        {
            if (sub.Closed) return false;
            sub = origin;
        }
        lock (_mu)
        {
            if (_closed || sub.Closed) return false;
            long nm = ++sub.Delivered;
            if (sub.Max > 0)
            {
                if (nm == sub.Max) unsubAfter = true;
                else if (nm > sub.Max)
                {
                    Unsubscribe(sub);
                    return false;
                }
            }
            OutMsgs++;
            OutBytes += payload.Length - 2;
            QueueOutboundLocked(header);
            QueueOutboundLocked(payload);
            if (unsubAfter) Unsubscribe(sub);
        }
        return true;
    }

    private void PubPermissionViolation(ReadOnlySpan<byte> subject)
    {
        var text = $"Permissions Violation for Publish to {ProtocolParser.Quote(subject)}";
        SendErr(text);
        _server.Logger.Error($"{this} - Publish Violation - Subject {ProtocolParser.Quote(subject)}");
    }

    /// <summary>Go's isReservedReply: service import replies, JetStream acks and gateway routed replies.</summary>
    private static bool IsReservedReply(ReadOnlySpan<byte> reply) =>
        reply.StartsWith("_R_."u8) ||
        (reply.Length > 8 && reply.StartsWith("$JS.ACK."u8)) ||
        HasGatewayReplyPrefix(reply);

    /// <summary>Go's hasGWRoutedReplyPrefix (gateway.go): "_GR_." followed by at least one byte.</summary>
    private static bool HasGatewayReplyPrefix(ReadOnlySpan<byte> subject) => subject.Length > 5 && subject.StartsWith("_GR_."u8);

    private void Unsubscribe(Subscription sub)
    {
        sub = sub.Origin ?? sub;
        lock (_mu)
        {
            if (sub.Closed) return;
            sub.Closed = true;
            _subs.Remove(Encoding.UTF8.GetString(sub.Sid));
        }
        _acc.Sublist.Remove(sub);
        RemoveShadows(sub);
        CheckReverseEntries(sub);
        _server.UpdateRouteSubscriptionMap(_acc, sub, -1);
    }

    /// <summary>Go's unsubscribe: a reply subject nobody here listens on any more takes the response imports waiting
    /// to answer on it along.</summary>
    private void CheckReverseEntries(Subscription sub)
    {
        if (_acc.HasReverseEntries && !IsReservedReply(Encoding.UTF8.GetBytes(sub.Subject)))
            _acc.CheckForReverseEntry(sub.Subject, null, checkInterest: true);
    }

    private static void RemoveShadows(Subscription sub)
    {
        var shadows = sub.Shadow;
        if (shadows is null) return;
        sub.Shadow = null;
        foreach (var sh in shadows)
        {
            sh.Closed = true;
            sh.Import!.Acc.Sublist.Remove(sh);
            sh.Client?._server.UpdateRouteSubscriptionMap(sh.Import.Acc, sh, -1);
        }
    }

    /// <summary>Go's addShadowSubscriptions: for each stream import this subscription can receive from, a shadow
    /// subscription in the exporting account on the matching exported subject.</summary>
    private void AddShadowSubscriptions(Subscription sub)
    {
        var imports = _acc.StreamImports;
        if (imports.Length == 0) return;
        string subj = sub.Subject;
        string[] tokens = subj.Split('.');
        bool hasWC = tokens.Contains("*") || tokens[^1] == ">";
        List<Subscription>? shadows = null;
        foreach (var im in imports)
        {
            if (im.Invalid) continue;
            string? shadowSubject = null;
            if (subj == im.To)
            {
                shadowSubject = im.From;
            }
            else
            {
                var work = subj.Split('.');
                var imTokens = im.To.Split('.');
                if (SubjectValidation.IsSubsetMatch(subj, im.To))
                {
                    // The subscription is inside the import: it receives on its own subject, mapped back when the
                    // import renames the exported subjects.
                    shadowSubject = im.UsePub ? subj : im.ReverseTransform is { } rtr ? rtr.TransformSubject(subj) : im.From;
                }
                else if (hasWC)
                {
                    if (SubjectValidation.IsSubsetMatch(im.To, subj))
                    {
                        shadowSubject = im.From;
                    }
                    else
                    {
                        // Overlap: narrow the subscription's wildcards with the import's literal tokens.
                        for (int i = 0; i < work.Length && i < imTokens.Length; i++)
                            if (work[i] == "*" && imTokens[i] != ">") work[i] = imTokens[i];
                        int last = work.Length - 1;
                        if (work[last] == ">" && imTokens.Length >= work.Length)
                        {
                            work[last] = imTokens[last];
                            if (imTokens.Length > work.Length) work = [.. work, .. imTokens[work.Length..]];
                        }
                        string overlap = string.Join('.', work);
                        if (SubjectValidation.IsSubsetMatch(overlap, im.To))
                            shadowSubject = !im.UsePub && im.ReverseTransform is { } rtr ? rtr.TransformSubject(overlap) : overlap;
                    }
                }
            }
            if (shadowSubject is null) continue;
            var nsub = new Subscription(shadowSubject, sub.Queue, this, sub.Sid) { Import = im, Origin = sub };
            if (im.Acc.Sublist.Insert(nsub) != SublistError.None)
            {
                Debug($"Could not add shadow import subscription for account \"{im.Acc.Name}\"");
                continue;
            }
            Debug($"Creating import subscription on \"{shadowSubject}\" from account \"{im.Acc.Name}\"");
            (shadows ??= []).Add(nsub);
            _server.UpdateRouteSubscriptionMap(im.Acc, nsub, 1);
        }
        if (shadows is not null) sub.Shadow = shadows;
    }

    // ---- timers ----

    private void SetPingTimer(TimeSpan d)
    {
        lock (_mu)
        {
            if (_closed) return;
            _pingTimer?.Dispose();
            _pingTimer = new Timer(static s => ((ClientConnection)s!).PingTimerFired(), this, d, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Go's routeMaxPingInterval: routes ping at least this often.</summary>
    internal static TimeSpan RouteMaxPingInterval = TimeSpan.FromSeconds(30);

    /// <summary>The ping interval for this connection: the cluster's for a route (at most 30s, Go's adjustPingInterval).</summary>
    private TimeSpan PingInterval
    {
        get
        {
            var o = _server.Options;
            // The websocket block's interval for websocket clients when it sets one.
            if (RouteState is null) return _ws is not null && o.Websocket.PingInterval > TimeSpan.Zero ? o.Websocket.PingInterval : o.PingInterval;
            var d = o.Cluster.PingInterval > TimeSpan.Zero ? o.Cluster.PingInterval : o.PingInterval;
            return d > RouteMaxPingInterval ? RouteMaxPingInterval : d;
        }
    }

    private int MaxPingsOut => RouteState is not null && _server.Options.Cluster.MaxPingsOut > 0 ? _server.Options.Cluster.MaxPingsOut : _server.Options.MaxPingsOut;

    private void SetFirstPingTimer()
    {
        var d = PingInterval;
        // Go's firstPingInterval (1s) for servers, firstClientPingInterval (2s) for clients.
        var first = RouteState is null ? TimeSpan.FromSeconds(2) : TimeSpan.FromSeconds(1);
        if (!_server.Options.DisableShortFirstPing && d > first) d = first;
        long jitter = d.Ticks / 5;
        if (jitter > 0) d += TimeSpan.FromTicks(Random.Shared.NextInt64(jitter));
        SetPingTimer(d);
    }

    private void ClearPingTimer()
    {
        lock (_mu)
        {
            _pingTimer?.Dispose();
            _pingTimer = null;
        }
    }

    private void PingTimerFired()
    {
        if (_closed) return;
        var interval = PingInterval;
        long since = Environment.TickCount64 - Volatile.Read(ref _lastInTicks);
        bool needRtt = _rttTicks == 0;
        // Go's processPingTimer: routes are pinged every interval, busy or not.
        if (RouteState is not null || since >= (long)interval.TotalMilliseconds || needRtt)
        {
            if (_pingsOut + 1 > MaxPingsOut)
            {
                _server.Logger.Debug($"{this} - Stale Client Connection - Closing");
                EnqueueProto(Encoding.ASCII.GetBytes($"-ERR '{ProtocolErrors.StaleConnection}'\r\n"));
                Interlocked.Increment(ref _server.StaleConnections);
                Close(ClosedState.StaleConnection);
                return;
            }
            SendPing();
        }
        SetPingTimer(interval);
    }

    /// <summary>Go's maxNoRTTPingBeforeFirstPong: a client that never sent PING may get the server's RTT PING only
    /// this long after it connected.</summary>
    internal static readonly TimeSpan MaxNoRttPingBeforeFirstPong = TimeSpan.FromSeconds(2);

    /// <summary>Go's sendRTTPing: a PING to measure the round trip, once the client has had its first PONG (it
    /// drives the PING/PONG exchange itself) or has been connected a while; true when sent.</summary>
    internal bool SendRttPing()
    {
        if (_closed || (!_firstPongSent && ClockNow - StartTime <= MaxNoRttPingBeforeFirstPong)) return false;
        SendPing();
        return true;
    }

    /// <summary>Go's sendPing: a PING whose PONG measures the round trip time.</summary>
    internal void SendPing()
    {
        Volatile.Write(ref _rttStart, System.Diagnostics.Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _pingsOut);
        EnqueueProto(ProtoPing);
    }

    // ---- close ----

    /// <summary>Closes the connection for <paramref name="reason"/>; the first reason sticks. Pending output is flushed unless the reason is a write failure.</summary>
    public void Close(ClosedState reason)
    {
        List<Subscription> subs;
        lock (_mu)
        {
            if (_closed) return;
            _closed = true;
            _closeReason = reason;
            if (_ws is not null && reason is not (ClosedState.ReadError or ClosedState.WriteError or ClosedState.SlowConsumerPendingBytes
                or ClosedState.SlowConsumerWriteDeadline or ClosedState.TLSHandshakeError))
            {
                WsEnqueueCloseMessageLocked(reason);
            }
            _pingTimer?.Dispose();
            _pingTimer = null;
            _authTimer?.Dispose();
            _authTimer = null;
            _expirationTimer?.Dispose();
            ReleaseStalledLocked();
            subs = new List<Subscription>(_subs.Values);
            _closedSubDetails = subs.Select(x => (x.Subject, x.Queue, Encoding.UTF8.GetString(x.Sid), x.Delivered, x.Max)).ToList();
            _subs.Clear();
            foreach (var s in subs) s.Closed = true;
        }
        if (RouteState is not null)
        {
            // Go's removeRemoteSubs and removeRoute: the remote's interest goes with its route.
            foreach (var s in subs) s.RemoteAccount?.Sublist.Remove(s);
            if (subs.Count > 0) Debug($"Removing {subs.Count} subscriptions");
            bool skip = reason is ClosedState.WriteError or ClosedState.ReadError or ClosedState.ClientClosed;
            if (skip || _writeTask is null) AbortSocket();
            _server.RemoveRoute(this, reason);
            _signal.Set();
            return;
        }
        foreach (var s in subs)
        {
            _acc.Sublist.Remove(s);
            RemoveShadows(s);
            CheckReverseEntries(s);
        }
        _server.UpdateRouteSubscriptionMapForClosed(_acc, subs);
        _acc.RemoveClient(this);
        _server.Events?.AccConnsUpdate(_acc);
        bool skipFlush = reason is ClosedState.SlowConsumerPendingBytes or ClosedState.SlowConsumerWriteDeadline
            or ClosedState.WriteError or ClosedState.ReadError || (reason == ClosedState.ClientClosed && _ws is null);
        if (skipFlush || _writeTask is null) AbortSocket();
        _server.RemoveClient(this, reason, subs.Select(x => x.Subject).ToArray());
        _signal.Set();
    }

    private void AbortSocket()
    {
        Volatile.Write(ref _socketAborted, true);
        try { _socket?.Close(0); } catch (ObjectDisposedException) { }
    }

    /// <summary>Set once the socket was closed without a flush, so the writer does not shut down a disposed socket
    /// (which throws, once per closed client).</summary>
    private bool _socketAborted;

    private const string SysGroup = "_sys_";
    private static readonly byte[] ProtoPong = "PONG\r\n"u8.ToArray();
    private static readonly byte[] ProtoPing = "PING\r\n"u8.ToArray();
    private static readonly byte[] ProtoOk = "+OK\r\n"u8.ToArray();
}
