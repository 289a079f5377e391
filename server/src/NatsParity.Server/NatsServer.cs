using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Server.Protocol;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server;

/// <summary>One NATS server node: listener, clients, the global account's sublist and lifecycle (Go's server.go).</summary>
public sealed partial class NatsServer : IAsyncDisposable
{
    /// <summary>The nats-server version whose behaviour this server follows.</summary>
    public const string Version = "2.15.0-dev";

    private readonly ConcurrentDictionary<ulong, ClientConnection> _clients = new();
    private readonly ServerInfo _info;
    private readonly TaskCompletionSource _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _cts = new();
    private readonly ClosedConnections _closed;
    private volatile Socket? _listener;
    private Timer? _deadlineTimer;
    // Go's connRateCounter (tls connection_rate_limit) and the once-a-second report of the handshakes it refused.
    internal readonly Auth.RateCounter? TlsRateCounter;
    private Timer? _tlsRejectTimer;
    private ulong _cid;
    private int _running;

    /// <summary>Go's Running: started and not shut down.</summary>
    public bool Running => Volatile.Read(ref _running) == 1;
    private volatile bool _lameDuck;
    private string? _portsFile;

    public ServerOptions Options { get; private set; }
    public ServerLogger Logger { get; private set; }
    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private Dictionary<string, User>? _users;
    private TlsSetup? _tls;
    /// <summary>Go's ocsprc: the OCSP peer response cache, when a tls block verifies peers with OCSP.</summary>
    internal Ocsp.OcspResponseCache? OcspCache { get; private set; }

    /// <summary>Go's initOCSPResponseCache: a cache only when the client port verifies peers with OCSP.</summary>
    private static Ocsp.OcspResponseCache? NewOcspCache(ServerOptions o) =>
        o.TlsEnabled && o.TlsOcspPeer is { Verify: true } ? new Ocsp.OcspResponseCache(o.OcspCache ?? new Config.OcspResponseCacheConfig()) : null;

    private Ocsp.OcspPeer? OcspPeerFor(ServerOptions o, Ocsp.OcspResponseCache? cache) =>
        cache is not null && o.TlsOcspPeer is { Verify: true } peer ? new Ocsp.OcspPeer(peer, cache, this) : null;
    private readonly NKeyPair _serverKp;
    private readonly XKeyPair _xkp;

    /// <summary>The chain a verified client certificate was accepted on (auth callout requests carry it).</summary>
    internal List<System.Security.Cryptography.X509Certificates.X509Certificate2>? TlsVerifiedChain(
        System.Security.Cryptography.X509Certificates.X509Certificate2 cert) => _tls?.VerifiedChain(cert);
    private Dictionary<string, NkeyUser>? _nkeys;

    /// <summary>The global account's sublist: where clients without an account of their own subscribe.</summary>
    public Sublist Sublist => GlobalAccount.Sublist;
    /// <summary>Go's $G.</summary>
    public Account GlobalAccount { get; }
    /// <summary>The system account ($SYS unless system_account names another), or null with no_system_account.</summary>
    public Account? SystemAccount { get; private set; }
    public string ServerId { get; }
    public string Name { get; }
    public string XKey { get; }
    public DateTime StartTime { get; } = DateTime.UtcNow;
    public bool SupportsHeaders => !Options.NoHeaderSupport;
    public int Port { get; private set; }
    /// <summary>The monitoring endpoints: over HTTP when -m/http_port asked for them, and to system account requests.</summary>
    public Monitoring.Monitor Monitor { get; }
    public bool IsLameDuck => _lameDuck;
    public Task ShutdownCompleted => _shutdown.Task;

    public long InMsgs, InBytes, OutMsgs, OutBytes, SlowConsumers, TotalConnections, StaleConnections;
    /// <summary>How many times publishers were held back for receivers falling behind (Go's stalls).</summary>
    public long StalledClients;

    /// <summary>Go's readLoopReport: a client read whose processing takes this long is warned about.</summary>
    internal static readonly TimeSpan ReadLoopReport = TimeSpan.FromSeconds(2);

    /// <summary>Go's readLoopReportThreshold, in <see cref="System.Diagnostics.Stopwatch"/> ticks (tests lower it).</summary>
    internal long ReadLoopReportTicks = (long)(ReadLoopReport.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
    /// <summary>Users refused because their account is not pinned (Go's pinnedAccFail).</summary>
    public long PinnedAccountFails;

    /// <summary>Go's NewServerFromConfig for embedders: reads the options' conf file (unless it was read already),
    /// then creates the server; conf and validation errors are thrown.</summary>
    public static NatsServer FromConfig(ServerOptions options, ServerLogger? logger = null)
    {
        if (options.ConfigFile.Length > 0 && options.ConfigDigest.Length == 0) options.ProcessConfigFile(options.ConfigFile);
        return new NatsServer(options, logger);
    }

    public NatsServer(ServerOptions options, ServerLogger? logger = null)
    {
        options.SetBaselineOptions();
        if (options.Validate() is { } invalid) throw new ArgumentException(invalid, nameof(options));
        Options = options;
        _closed = new ClosedConnections(Math.Max(1, options.MaxClosedClients));
        Logger = logger ?? (options.NoLog ? ServerLogger.Discard() : CreateLogger(options));
        // The server's identity is a key pair: auth callout requests are signed with it (Go's s.kp).
        _serverKp = NKeyPair.Create(NKeys.PrefixServer);
        ServerId = _serverKp.PublicKey;
        // The curve key pair encrypted auth callouts are sealed and opened with (Go's s.xkp).
        _xkp = XKeyPair.Create();
        XKey = _xkp.PublicKey;
        Name = options.ServerName.Length > 0 ? options.ServerName : ServerId;
        Monitor = new Monitoring.Monitor(this);
        GlobalAccount = AddAccount(new Account(Account.GlobalName));
        foreach (var a in options.Accounts)
        {
            // Top-level mappings {} arrive as the global account's.
            if (a.Name == Account.GlobalName)
            {
                GlobalAccount.CopyDefsFrom(a);
                continue;
            }
            AddAccount(new Account(a.Name)
            {
                Nkey = a.Nkey, MaxConnections = a.MaxConnections, MaxSubscriptions = a.MaxSubscriptions,
                MaxPayload = a.MaxPayload, MaxLeafNodes = a.MaxLeafNodes, DefaultPermissions = a.DefaultPermissions?.Clone(),
            }).CopyDefsFrom(a);
        }
        foreach (var a in _accounts.Values)
            if (a.ApplyMappings() is { } merr) throw new ArgumentException(merr, nameof(options));
        foreach (var a in _accounts.Values)
            if (a.ApplyExportsAndImports(LookupAccount) is { } err) throw new ArgumentException(err, nameof(options));
        foreach (var a in _accounts.Values)
            if (a.ApplyImports(LookupAccount) is { } err) throw new ArgumentException(err, nameof(options));
        InitTrustedKeys();
        if (!options.NoSystemAccount)
        {
            string sys = options.SystemAccount.Length > 0 ? options.SystemAccount : Account.SystemName;
            var sysAcc = _accounts.TryGetValue(sys, out var existing) ? existing : AddAccount(new Account(sys));
            // Go's SetDefaultSystemAccount: with operators, the default account is registered but, not being signed
            // by them, does not become the system account.
            if (!(OperatorMode && options.SystemAccount.Length == 0)) SystemAccount = sysAcc;
        }
        if (SystemAccount is not null)
        {
            string sys = SystemAccount.Name;
            // In operator mode a configured system account's JWT gives it its claims when the resolver has it; the
            // default one is only registered (Go's SetDefaultSystemAccount asks no resolver).
            if (OperatorMode && options.SystemAccount.Length > 0) LookupOrFetchAccount(sys);
            // Go: with one operator and a resolver that depends on other systems, a system account whose JWT cannot
            // be fetched yet is stood in for until it arrives.
            if (SystemAccount.Claims is null && options.TrustedOperators is [var op] && AccountResolver is not (null or Auth.Jwt.MemoryAccountResolver)
                && options.SystemAccount.Length > 0 && options.SystemAccount != Account.SystemName)
            {
                SystemAccount.Bootstrap(op.Issuer);
            }
        }
        ConfigureAuthorization();
        ConfigureProxies();
        OcspCache = NewOcspCache(options);
        if (options.TlsEnabled) _tls = TlsSetup.Create(options, OcspPeerFor(options, OcspCache));
        ConfigureWebsocket();
        if (options.TlsRateLimit > 0) TlsRateCounter = new Auth.RateCounter(options.TlsRateLimit);
        _info = new ServerInfo
        {
            Id = ServerId,
            Name = Name,
            Version = Version,
            Proto = 1,
            GoVersion = $"dotnet{Environment.Version}",
            Host = options.Host,
            Headers = SupportsHeaders,
            AuthRequired = AuthRequired,
            TlsRequired = options.TlsEnabled && !options.AllowNonTls,
            TlsAvailable = options.TlsEnabled && options.AllowNonTls,
            TlsVerify = options.TlsVerify,
            MaxPayload = options.MaxPayload,
            XKey = XKey,
        };
        InitRouteStructures();
        // As Go's New: INFO's host and port are known before the listener is up (Start sets them again with the port
        // actually bound); a bad client_advertise is reported by Start.
        SetInfoHostPort(options.Port);
    }

    /// <summary>The logger the options ask for (Go's ConfigureLogger): stderr or the log file, with its size limit.</summary>
    internal static ServerLogger CreateLogger(ServerOptions o)
    {
        return ServerLogger.Configure(o);
    }

    /// <summary>Go's ConfigureLogger: the logger from the current options, unless they say no logging.</summary>
    public void ConfigureLogger()
    {
        if (Options.NoLog) return;
        SetLogger(CreateLogger(Options));
    }

    /// <summary>Go's SetLogger: logging goes to <paramref name="logger"/> (null: nowhere) and the previous logger is
    /// closed.</summary>
    public void SetLogger(ServerLogger? logger)
    {
        var old = Logger;
        Logger = logger ?? ServerLogger.Discard();
        if (!ReferenceEquals(old, Logger)) old?.Dispose();
    }

    /// <summary>Go's ReOpenLogFile (SIGUSR1): with a log file, a new logger opens it again, so that a file moved away
    /// by a rotation tool is started afresh.</summary>
    public void ReOpenLogFile()
    {
        if (Logger.IsDiscard)
        {
            Logger.Notice("File log re-open ignored, no logger");
            return;
        }
        var o = Options;
        if (o.LogFile.Length == 0)
        {
            Logger.Notice("File log re-open ignored, not a file logger");
            return;
        }
        var fileLog = ServerLogger.NewFileLogger(o.LogFile, o.Logtime, o.Debug, o.Trace, pid: true, o.LogtimeUTC);
        SetLogger(fileLog);
        if (o.LogSizeLimit > 0) fileLog.SetSizeLimit(o.LogSizeLimit);
        Logger.Notice("File log re-opened");
    }

    public IReadOnlyCollection<ClientConnection> Clients => (IReadOnlyCollection<ClientConnection>)_clients.Values;
    public int NumClients => _clients.Count;
    public ClosedConnections Closed => _closed;

    /// <summary>Binds the client port and starts accepting; logs Go's startup lines.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _running, 1) == 1) return;
        Logger.Notice($"Starting natsparity-server");
        Logger.Notice($"  Version:  {Version}");
        Logger.Notice($"  Name:     {Name}");
        Logger.Notice($"  ID:       {ServerId}");
        foreach (var line in FeatureFlags.StartupLines(Options)) Logger.Notice(line);
        if (Options.ConfigFile.Length > 0) Logger.Notice($"Using configuration file: {Options.ConfigFile}");
        if (Options.PidFile.Length > 0) File.WriteAllText(Options.PidFile, Environment.ProcessId.ToString());
        OcspCache?.Start(Logger);
        // Go's Start sets up the system account, and with it the eventing stack, before accepting clients.
        if (SystemAccount is not null)
        {
            Logger.Debug($"Created system account: \"{SystemAccount.Name}\"");
            Events = new Events.SystemEvents(this, SystemAccount);
            Events.Start();
        }
        // Go: the resolver machinery starts with the eventing it may depend on.
        if (AccountResolver is { } ar)
        {
            try { ar.Start(this); }
            catch (InvalidOperationException e)
            {
                Logger.Fatal($"Could not start resolver: {e.Message}");
                throw new InvalidOperationException($"Could not start resolver: {e.Message}", e);
            }
            if (SystemAccount is { Claims: null } sacc && sacc.IsJwtAccount) Logger.Notice("Using bootstrapping system account");
        }

        // A wildcard host listens on IPv4 and IPv6 alike, as Go's net.Listen("tcp", "0.0.0.0:port") does.
        bool wildcard = Options.Host is "" or "0.0.0.0" or "::";
        var ip = wildcard ? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any) : ResolveHost(Options.Host);
        var listener = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (wildcard && ip.AddressFamily == AddressFamily.InterNetworkV6) listener.DualMode = true;
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        int port = Options.Port == ServerOptions.RandomPort ? 0 : Options.Port;
        listener.Bind(new IPEndPoint(ip, port));
        listener.Listen(512);
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        // Go writes the port a random one resolved to back into the options.
        if (Options.Port == 0) Options.Port = Port;
        if (SetInfoHostPort(Port) is { } advErr)
        {
            Logger.Fatal($"Error setting server INFO with ClientAdvertise value of {Options.ClientAdvertise}, err={advErr}");
            listener.Dispose();
            throw new InvalidOperationException($"Error setting server INFO with ClientAdvertise value of {Options.ClientAdvertise}, err={advErr}");
        }
        Logger.Notice($"Listening for client connections on {HostPort(Options.Host, Port)}");
        if (Options.ProxyProtocol) Logger.Notice("PROXY protocol enabled for client connections");
        if (Options.TlsEnabled)
        {
            // Handshake first without a fallback requires TLS even with allow_non_tls.
            bool firstOnly = Options.TlsHandshakeFirst && Options.TlsHandshakeFirstFallback == TimeSpan.Zero;
            Logger.Notice(Options.AllowNonTls && !firstOnly ? "TLS available for client connections" : "TLS required for client connections");
            if (firstOnly) Logger.Warn("Clients that are not using \"TLS Handshake First\" option will fail to connect");
        }
        if (Options.Websocket.Port != 0)
        {
            try { StartWebsocketServer(); }
            catch (InvalidOperationException)
            {
                listener.Dispose();
                throw;
            }
        }
        StartRouting();
        if (StartMonitoring() is { } merr)
        {
            Logger.Fatal($"Can't start monitoring: {merr}");
            throw new InvalidOperationException($"Can't start monitoring: {merr}");
        }
        WritePortsFile();
        Logger.Notice("Server is ready");
        _deadlineTimer = new Timer(_ => CheckWriteDeadlines(), null, 100, 100);
        StartRateLimitLogExpiration();
        if (TlsRateCounter is { } rc)
            _tlsRejectTimer = new Timer(_ =>
            {
                ulong blocked = rc.CountBlocked();
                if (blocked > 0) Logger.Warn($"Rejected {blocked} connections due to TLS rate limiting");
            }, null, 1000, 1000);
        WarmUp();
        _ = AcceptLoop(listener);
    }

    /// <summary>INFO carries client_advertise when set (Go's setInfoHostPort), else the listen host and port; null, or
    /// the error for a client_advertise Go cannot parse.</summary>
    private string? SetInfoHostPort(int listenPort)
    {
        if (Options.ClientAdvertise.Length == 0)
        {
            _info.Host = Options.Host;
            _info.Port = listenPort;
            return null;
        }
        var (host, port, err) = ParseHostPort(Options.ClientAdvertise, listenPort);
        if (err is not null) return err;
        _info.Host = host;
        _info.Port = port;
        return null;
    }

    /// <summary>INFO's host and port as clients are told them.</summary>
    internal (string Host, int Port) InfoHostPort => (_info.Host, _info.Port);

    /// <summary>Go's getClientConnectURLs: the URLs clients may use to reach this server, "host:port" each: the
    /// client_advertise address when set; else the listen host, or for a wildcard host every global unicast address of
    /// the machine's interfaces.</summary>
    internal List<string> ClientConnectUrls()
    {
        var urls = new List<string>(1);
        int port = Options.Port;
        if (Options.ClientAdvertise.Length > 0)
        {
            var (h, p, err) = ParseHostPort(Options.ClientAdvertise, port);
            if (err is null) urls.Add(JoinHostPort(h, p));
            return urls;
        }
        string host = Options.Host;
        foreach (var ip in NonLocalIpsIfHostIsIpAny(host)) urls.Add(JoinHostPort(ip, port));
        if (urls.Count == 0)
        {
            if (host is "0.0.0.0" or "::") Logger.Error($"Address \"{host}\" can not be resolved properly");
            else urls.Add(JoinHostPort(host, port));
        }
        return urls;
    }

    /// <summary>Go's net.JoinHostPort.</summary>
    private static string JoinHostPort(string host, int port) =>
        host.Contains(':') ? $"[{host}]:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Go's getNonLocalIPsIfHostIsIPAny (all of them): for 0.0.0.0 or ::, the global unicast addresses of the
    /// machine's interfaces; nothing for any other host.</summary>
    private List<string> NonLocalIpsIfHostIsIpAny(string host)
    {
        var ips = new List<string>();
        if (!IPAddress.TryParse(host, out var any) || !(any.Equals(IPAddress.Any) || any.Equals(IPAddress.IPv6Any))) return ips;
        Logger.Debug($"Get non local IPs for \"{host}\"");
        foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var ua in nic.GetIPProperties().UnicastAddresses)
            {
                var ip = ua.Address;
                if (!IsGlobalUnicast(ip)) continue;
                string ipStr = ip.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(ip.GetAddressBytes()).ToString() : ip.ToString();
                Logger.Debug($"  ip={ipStr}");
                ips.Add(ipStr);
            }
        }
        return ips;
    }

    /// <summary>Go's net.IP.IsGlobalUnicast: not unspecified, loopback, link-local, multicast nor the IPv4 broadcast.</summary>
    private static bool IsGlobalUnicast(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        if (ip.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = ip.GetAddressBytes();
            return !(b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0) && b[0] != 127 && !(b[0] == 169 && b[1] == 254)
                && !(b[0] >= 224 && b[0] <= 239) && !(b[0] == 255 && b[1] == 255 && b[2] == 255 && b[3] == 255);
        }
        return !ip.Equals(IPAddress.IPv6Any) && !IPAddress.IsLoopback(ip) && !ip.IsIPv6LinkLocal && !ip.IsIPv6Multicast;
    }

    /// <summary>Go's parseHostPort: "host:port" or a bare host (the default port then), 0 and -1 meaning the default.</summary>
    internal static (string Host, int Port, string? Error) ParseHostPort(string hostPort, int defaultPort)
    {
        if (hostPort.Length == 0) return ("", -1, "no hostport specified");
        var (host, sport, err) = SplitHostPort(hostPort);
        if (err == "missing port in address")
        {
            hostPort = $"{hostPort}:{defaultPort}";
            (host, sport, err) = SplitHostPort(hostPort);
        }
        if (err is not null) return ("", -1, $"address {hostPort}: {err}");
        if (!int.TryParse(sport.Trim(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int port))
            return ("", -1, $"strconv.Atoi: parsing {Protocol.ProtocolParser.Quote(System.Text.Encoding.UTF8.GetBytes(sport.Trim()))}: invalid syntax");
        if (port is 0 or -1) port = defaultPort;
        return (host.Trim(), port, null);
    }

    /// <summary>Go's net.SplitHostPort: the error text without the address, or null.</summary>
    private static (string Host, string Port, string? Error) SplitHostPort(string hostport)
    {
        const string missingPort = "missing port in address", tooManyColons = "too many colons in address";
        int i = hostport.LastIndexOf(':');
        if (i < 0) return ("", "", missingPort);
        string host;
        int j = 0, k = 0;
        if (hostport[0] == '[')
        {
            int end = hostport.IndexOf(']');
            if (end < 0) return ("", "", "missing ']' in address");
            if (end + 1 == hostport.Length) return ("", "", missingPort);
            if (end + 1 != i) return ("", "", hostport[end + 1] == ':' ? tooManyColons : missingPort);
            host = hostport[1..end];
            j = 1;
            k = end + 1;
        }
        else
        {
            host = hostport[..i];
            if (host.Contains(':')) return ("", "", tooManyColons);
        }
        if (hostport[j..].Contains('[')) return ("", "", "unexpected '[' in address");
        if (hostport[k..].Contains(']')) return ("", "", "unexpected ']' in address");
        return (host, hostport[(i + 1)..], null);
    }

    /// <summary>
    /// Runs one protocol session through a private, never-started server so the first real client is not slowed by
    /// JIT compilation (Go's clients see their first PING within the ping interval plus jitter; so must ours).
    /// </summary>
    private void WarmUp()
    {
        var scratch = new NatsServer(new ServerOptions { MaxPayload = Options.MaxPayload, MaxPending = Options.MaxPending, NoLog = true });
        var c = new ClientConnection(scratch, 0);
        c.ParseForTest("CONNECT {\"verbose\":true,\"pedantic\":true,\"headers\":true,\"protocol\":1}\r\nPING\r\nSUB a.* q 1\r\nSUB a.b 2\r\nPUB a.b r 2\r\nhi\r\nHPUB a.b 12 14\r\nNATS/1.0\r\n\r\nhi\r\nUNSUB 1\r\nUNSUB 2 5\r\nPONG\r\n"u8.ToArray());
        c.TakeOutbound();
        c.Close(ClosedState.ClientClosed);
        _ = _info.Clone().ToProtocol();
    }

    private static IPAddress ResolveHost(string host)
    {
        if (IPAddress.TryParse(host, out var ip)) return ip;
        var addrs = Dns.GetHostAddresses(host);
        return addrs.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addrs[0];
    }

    /// <summary>Go's ClientURL: the client URL of the configured host and port (tls:// with TLS).</summary>
    public string ClientUrl => $"{(Options.TlsEnabled ? "tls" : "nats")}://{HostPort(Options.Host, Options.Port)}";

    private static string HostPort(string host, int port) => host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";

    private void WritePortsFile()
    {
        if (Options.PortsFileDir.Length == 0) return;
        string exe = "natsparity-server";
        _portsFile = Path.Combine(Options.PortsFileDir, $"{exe}_{Environment.ProcessId}.ports");
        string host = Options.Host is "" or "0.0.0.0" or "::" ? "127.0.0.1" : Options.Host;
        string json = $"{{\"nats\":[\"{(_tls is null ? "nats" : "tls")}://{HostPort(host, Port)}\"]";
        if (Monitor.HttpRunning)
        {
            string mhost = Monitor.Host is "" or "0.0.0.0" or "::" ? "127.0.0.1" : Monitor.Host;
            json += $",\"monitoring\":[\"{(Monitor.Secure ? "https" : "http")}://{HostPort(mhost, Monitor.Port)}\"]";
        }
        json += WebsocketPortsEntry();
        json += "}";
        File.WriteAllText(_portsFile, json);
    }

    /// <summary>Go's ACCEPT_MIN_SLEEP and ACCEPT_MAX_SLEEP: the bounds of the pause after a temporary accept error.</summary>
    internal static readonly TimeSpan AcceptMinSleep = TimeSpan.FromMilliseconds(10), AcceptMaxSleep = TimeSpan.FromSeconds(1);

    /// <summary>Go's acceptConnections: each accepted socket goes to <paramref name="create"/> (client connections by
    /// default); <paramref name="acceptName"/> names the listener in accept errors.</summary>
    private async Task AcceptLoop(Socket listener, string acceptName = "Client", Action<Socket>? create = null)
    {
        var tmpDelay = AcceptMinSleep;
        while (!_cts.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await listener.AcceptAsync(_cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
            catch (ObjectDisposedException) { return; }
            catch (SocketException e)
            {
                if (_cts.IsCancellationRequested) return;
                tmpDelay = await AcceptError(acceptName, e, tmpDelay).ConfigureAwait(false);
                if (tmpDelay < TimeSpan.Zero) return;
                continue;
            }
            tmpDelay = AcceptMinSleep;
            if (_lameDuck)
            {
                s.Dispose();
                continue;
            }
            try
            {
                s.NoDelay = true;
                (create ?? CreateClient)(s);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>Go's acceptError: after a temporary accept error, logs it and pauses <paramref name="tmpDelay"/> (cut
    /// short by shutdown), returning the doubled pause, at most <see cref="AcceptMaxSleep"/>; any other error is logged and
    /// the pause kept. Negative once the server is not running.</summary>
    internal async Task<TimeSpan> AcceptError(string acceptName, Exception err, TimeSpan tmpDelay)
    {
        if (Volatile.Read(ref _running) != 1) return TimeSpan.FromTicks(-1);
        if (IsTemporary(err))
        {
            Logger.Error($"Temporary {acceptName} Accept Error({err.Message}), sleeping {(long)tmpDelay.TotalMilliseconds}ms");
            try
            {
                await Task.Delay(tmpDelay, _cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return TimeSpan.FromTicks(-1);
            }
            tmpDelay *= 2;
            if (tmpDelay > AcceptMaxSleep) tmpDelay = AcceptMaxSleep;
        }
        else
        {
            Logger.Error($"{acceptName} Accept error: {err.Message}");
        }
        return tmpDelay;
    }

    /// <summary>Go's net.Error Temporary for an accept: interrupted, out of descriptors, a connection reset or aborted
    /// before it was accepted, or a timeout.</summary>
    private static bool IsTemporary(Exception err) => err is SocketException se && se.SocketErrorCode is
        SocketError.Interrupted or SocketError.TooManyOpenSockets or SocketError.ConnectionReset or
        SocketError.ConnectionAborted or SocketError.WouldBlock or SocketError.TimedOut or SocketError.TryAgain;

    /// <summary>The certificate the HTTPS monitoring port serves to a client asking for <paramref name="serverName"/>:
    /// the client port's, as the running (possibly reloaded) TLS configuration has it (Go's getMonitoringTLSConfig).</summary>
    internal System.Security.Cryptography.X509Certificates.X509Certificate2? MonitorCertificate(string? serverName) =>
        _tls?.SelectCertificate(serverName);

    /// <summary>The client listener, null once lame duck mode or shutdown closed it (tests take it away, as Go's
    /// tests set s.listener, to make the server unready).</summary>
    internal Socket? Listener { get => _listener; set => _listener = value; }

    /// <summary>Go's readyForConnections: null once the client listener is up (the only listener this server has),
    /// else why it is not after <paramref name="d"/>.</summary>
    internal string? ReadyForConnections(TimeSpan d)
    {
        var end = DateTime.UtcNow + d;
        do
        {
            if (_listener is not null) return null;
            if (d > TimeSpan.FromMilliseconds(25)) Thread.Sleep(25);
        } while (DateTime.UtcNow < end);
        return $"failed to be ready for connections after {ServerOptions.GoDuration(d)}: server";
    }

    /// <summary>Go's StartMonitoring: the HTTP or the HTTPS monitoring port when one is configured (not both); the
    /// error text when it cannot start.</summary>
    public string? StartMonitoring()
    {
        var o = Options;
        if (o.HttpPort != 0 && o.HttpsPort != 0) return $"can't specify both HTTP ({o.HttpPort}) and HTTPs ({o.HttpsPort}) ports";
        if (o.HttpPort == 0 && o.HttpsPort == 0) return null;
        bool secure = o.HttpPort == 0;
        if (secure && _tls is null) return "TLS cert and key required for HTTPS";
        try
        {
            Monitor.StartHttpAsync(secure).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return $"can't listen to the monitor port: {e.Message}";
        }
        Logger.Notice($"Starting {(secure ? "https" : "http")} monitor on {HostPort(Monitor.Host, Monitor.Port)}");
        return null;
    }

    /// <summary>The system account's event stack, while it runs.</summary>
    internal Events.SystemEvents? Events { get; private set; }

    /// <summary>A connection id for an internal client, from the same sequence as client connections.</summary>
    internal ulong NextInternalCid() => Interlocked.Increment(ref _cid);

    /// <summary>Go's DisconnectClientByID: closes a client as kicked.</summary>
    internal string? DisconnectClientById(ulong cid)
    {
        if (!_clients.TryGetValue(cid, out var c)) return "no such client or leafnode id";
        c.Close(ClosedState.Kicked);
        return null;
    }

    /// <summary>Go's LDMClientByID: tells one client the server is entering lame duck mode.</summary>
    internal string? LameDuckClientById(ulong cid)
    {
        if (!_clients.TryGetValue(cid, out var c)) return "no such client id";
        if (!c.TakesAsyncInfo) return "client does not support Lame Duck Mode or is not ready to receive the notification";
        var info = _info.Clone();
        info.LameDuckMode = true;
        info.ClientId = c.Cid;
        info.ClientIp = c.RemoteHost;
        c.EnqueueProto(info.ToProtocol());
        return null;
    }

    internal void CreateClient(Socket s)
    {
        ulong cid = Interlocked.Increment(ref _cid);
        var c = new ClientConnection(this, s, cid);
        Interlocked.Increment(ref TotalConnections);
        var info = _info.Clone();
        info.ClientId = cid;
        info.ClientIp = c.RemoteHost;
        bool refuse = Options.MaxConnections < 0 || (Options.MaxConnections > 0 && _clients.Count >= Options.MaxConnections);
        if (!refuse) _clients[cid] = c;
        Logger.Debug($"{c} - Client connection created");
        if (NonceRequired)
        {
            Span<byte> raw = stackalloc byte[NonceRawLen];
            System.Security.Cryptography.RandomNumberGenerator.Fill(raw);
            info.Nonce = Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            c.Nonce = info.Nonce;
        }
        // A no_auth_user lets clients in without credentials, so INFO does not ask for them (Go's createClientEx).
        if (info.AuthRequired && NoAuthUser.Length > 0 && NoAuthUser != _sysAccOnlyNoAuthUser) info.AuthRequired = false;
        // Go: behind a PROXY header the peer is the proxy, whose address INFO must not give as the client's.
        bool proxied = Options.ProxyProtocol;
        if (proxied) info.ClientIp = null;
        byte[] proto = info.ToProtocol();
        byte[]? firstProto = null;
        if (_tls is { HandshakeFirst: true } && !info.TlsRequired)
        {
            // Go: a client that does the TLS handshake first is told TLS is required (allow_non_tls or not).
            info.TlsRequired = true;
            firstProto = info.ToProtocol();
        }
        ClientCreated?.Invoke(c);
        c.Start(proto, AuthRequired, refuse, _tls, firstProto, proxied ? info : null);
    }

    /// <summary>Sees each client connection before it is sent anything (tests that set what Go's initClient takes from
    /// the options, at a precision the options cannot express).</summary>
    internal Action<ClientConnection>? ClientCreated { get; set; }

    /// <summary>The INFO sent after the first PONG to protocol-1 clients (Go's processPing, since 2.10).</summary>
    internal byte[] ConnectInfoFor(ClientConnection c)
    {
        var info = _info.Clone();
        info.ClientId = c.Cid;
        info.ClientIp = c.RemoteHost;
        // Go's generateClientInfoJSON: the client's own payload limit (user, account and server, the lowest).
        info.MaxPayload = c.MaxPayload;
        info.ConnectInfo = true;
        info.RemoteAccount = c.Account.Name;
        info.IsSystemAccount = ReferenceEquals(c.Account, SystemAccount);
        info.LameDuckMode = _lameDuck;
        if (c.IsWebsocket) WsAdjustInfo(info);
        return info.ToProtocol();
    }

    /// <summary>Go's nonceRawLen: random bytes behind the INFO nonce, sent base64url without padding.</summary>
    private const int NonceRawLen = 11;

    /// <summary>True when the options ask clients to authenticate (Go's info.AuthRequired).</summary>
    public bool AuthRequired { get; private set; }

    /// <summary>Go's nonceRequired: nkey users sign a per-connection nonce.</summary>
    /// <summary>The nkey users in force, by public key (Go's s.nkeys).</summary>
    internal IReadOnlyDictionary<string, NkeyUser> NkeyUsers => _nkeys ?? (IReadOnlyDictionary<string, NkeyUser>)new Dictionary<string, NkeyUser>();

    internal bool NonceRequired => Options.AlwaysEnableNonce || _nkeys is { Count: > 0 } || _trustedKeys is not null || _proxyKeys.Length > 0;

    private Account AddAccount(Account a)
    {
        a.Server = this;
        if (Options.NoSublistCache) a.DisableSublistCache();
        _accounts[a.Name] = a;
        return a;
    }

    /// <summary>Go's RegisterAccount: a new, empty account; the global account's name and existing names are refused.</summary>
    public Account RegisterAccount(string name)
    {
        if (name == Account.GlobalName) throw new InvalidOperationException("reserved account");
        var a = new Account(name) { Server = this };
        if (Options.NoSublistCache) a.DisableSublistCache();
        if (!_accounts.TryAdd(name, a)) throw new InvalidOperationException("account exists");
        return a;
    }

    /// <summary>The account registered under <paramref name="name"/>, or null.</summary>
    public Account? LookupAccount(string name) => _accounts.TryGetValue(name, out var a) ? a : null;

    public IReadOnlyCollection<Account> Accounts => (IReadOnlyCollection<Account>)_accounts.Values;

    /// <summary>Go's configureAuthorization and buildNkeysAndUsersFromOptions: users are cloned, bound to their
    /// accounts (the global one when they name none) and their response permissions completed.</summary>
    /// <summary>The no_auth_user in force: the configured one, or the one made up for a system-account-only setup.</summary>
    internal string NoAuthUser { get; private set; } = "";

    // Go's sysAccOnlyNoAuthUser: kept across reloads so connected clients stay valid.
    private string _sysAccOnlyNoAuthUser = "";

    private void ConfigureAuthorization()
    {
        NoAuthUser = Options.NoAuthUser;
        var users = Options.Users;
        // Go's configureAccounts: when the only accounts are the global and a configured system account (users added
        // to the system account, no authorization block), clients without credentials land in the global account
        // through a made-up no_auth_user.
        bool sysConfigured = Options.SystemAccount.Length > 0 || Options.Accounts.Any(a => a.Name == Account.SystemName);
        if (sysConfigured && !Options.NoSystemAccount && _accounts.Count == 2 && NoAuthUser.Length == 0 && !Options.AuthBlockDefined)
        {
            if (_sysAccOnlyNoAuthUser.Length == 0)
            {
                const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
                long rn = Random.Shared.NextInt64();
                var b = new char[8];
                for (int i = 0; i < 8; i++) { b[i] = digits[(int)(rn % 62)]; rn /= 62; }
                _sysAccOnlyNoAuthUser = "nats-" + new string(b);
            }
            users = [.. users ?? [], new User { Username = _sysAccOnlyNoAuthUser, Password = _sysAccOnlyNoAuthUser[6..], Account = Account.GlobalName }];
            NoAuthUser = _sysAccOnlyNoAuthUser;
        }
        if (Options.CustomClientAuthentication is not null)
        {
            // Go: an embedder's check replaces the configured users.
            _users = null;
            _nkeys = null;
            AuthRequired = true;
        }
        else if (_trustedKeys is not null)
        {
            // Operator mode: users come from JWTs only (Go's configureAuthorization).
            _users = null;
            _nkeys = null;
            AuthRequired = true;
        }
        else if (Options.Nkeys is not null || users is not null)
        {
            if (Options.Nkeys is not null)
            {
                _nkeys = new Dictionary<string, NkeyUser>(StringComparer.Ordinal);
                foreach (var u in Options.Nkeys)
                {
                    var copy = u.Clone();
                    copy.Permissions?.ValidateResponse();
                    _nkeys[u.Nkey] = copy;
                }
            }
            if (users is not null)
            {
                _users = new Dictionary<string, User>(StringComparer.Ordinal);
                foreach (var u in users)
                {
                    var copy = u.Clone();
                    copy.Permissions?.ValidateResponse();
                    _users[u.Username] = copy;
                }
            }
            AuthRequired = true;
        }
        else
        {
            AuthRequired = Options.Username.Length > 0 || Options.Authorization.Length > 0;
        }
        if (Options.Password.Length > 0 && !IsBcrypt(Options.Password) || (_users?.Values.Any(u => u.Username != _sysAccOnlyNoAuthUser && !IsBcrypt(u.Password)) ?? false))
            Logger.Warn("Plaintext passwords detected, use nkeys or bcrypt");
        // Go's configureAuthorization: an auth callout with an unknown account or auth user is logged, not refused.
        if (Options.AuthCallout is { } ac)
        {
            string accErr = LookupAccount(ac.Account) is null ? "account missing" : "<nil>";
            if (accErr != "<nil>") Logger.Error($"Authorization callout account \"{ac.Account}\" not valid");
            foreach (var u in ac.AuthUsers)
                if (!(_users?.ContainsKey(u) ?? false) && !(_nkeys?.ContainsKey(u) ?? false))
                    Logger.Error($"Authorization callout user \"{u}\" not valid: {accErr}");
        }
    }

    internal bool HasUser(string username, out User? user)
    {
        user = null;
        return _users is not null && _users.TryGetValue(username, out user);
    }

    /// <summary>Go's processClientOrLeafAuthentication: the proxy signature, then JWTs, nkeys, users (with no_auth_user
    /// or a TLS map), then the single token or user. A user found is registered with the client.</summary>
    internal bool CheckAuthentication(ClientConnection c)
    {
        Auth.Jwt.UserClaims? juc = null;
        Account? jwtAcc = null;
        bool proxyRequired = false, trustedProxy = false;
        bool ok = ProcessClientAuthentication(c, ref juc, ref jwtAcc, ref proxyRequired, ref trustedProxy, out bool authChecked);
        // Go's deferred step: the auth callout and the account auth error event.
        if (authChecked) ok = AuthCalloutStep(c, ok, juc, jwtAcc, juc is null ? "" : c.Options.Jwt ?? "", proxyRequired, trustedProxy);
        else if (!ok) Events?.AccountAuthErrorEvent(c, c.Account, AuthErrClosedState(c.AuthError).Text());
        if (ok && Events is { } ev) ev.AccountConnectEvent(c);
        return ok;
    }

    private bool ProcessClientAuthentication(ClientConnection c, ref Auth.Jwt.UserClaims? juc, ref Account? jwtAcc, ref bool proxyRequired,
        ref bool trustedProxy, out bool authChecked)
    {
        authChecked = false;
        if (Options.CustomClientAuthentication is { } custom) return custom.Check(c);
        // Go checks the proxy signature first, so an untrusted one is refused even when no auth is asked for.
        var (proxyTrusted, proxyOk) = ProxyCheck(c);
        trustedProxy = proxyTrusted;
        if (trustedProxy && !proxyOk) return SetProxyAuthError(c, ClosedState.ProxyNotTrusted);
        authChecked = true;
        bool wsOverride = c.IsWebsocket && WsAuthOverride;
        if (!AuthRequired && !wsOverride) return true;
        if (_trustedKeys is not null)
        {
            bool ok = ProcessJwtAuthentication(c, trustedProxy, ref juc, ref jwtAcc);
            proxyRequired = juc?.ProxyRequired == true;
            return ok;
        }
        var o = c.Options;
        // Go: a websocket client is checked against the websocket block's user, token or no_auth_user when it has
        // one, and always with its verify_and_map.
        string noAuthUser = wsOverride ? Options.Websocket.NoAuthUser : NoAuthUser;
        string username = wsOverride ? Options.Websocket.Username : Options.Username;
        string password = wsOverride ? Options.Websocket.Password : Options.Password;
        string token = wsOverride ? Options.Websocket.Token : Options.Authorization;
        bool tlsMap = c.IsWebsocket ? Options.Websocket.TlsMap : Options.TlsMap;
        NkeyUser? nkey = null;
        User? user = null;
        bool noCredentials = string.IsNullOrEmpty(o.Username) && string.IsNullOrEmpty(o.Password) && string.IsNullOrEmpty(o.Token);
        if (_nkeys is { Count: > 0 })
        {
            if (noAuthUser.Length > 0 && noCredentials && string.IsNullOrEmpty(o.Nkey) && _nkeys.ContainsKey(noAuthUser))
                o.Nkey = noAuthUser;
            if (!string.IsNullOrEmpty(o.Nkey))
            {
                if (!_nkeys.TryGetValue(o.Nkey, out nkey) || !ConnectionTypes.Allowed(nkey.AllowedConnectionTypes, c.ConnectionType))
                    return false;
            }
        }
        if (_users is { Count: > 0 } && nkey is null && tlsMap)
        {
            // verify_and_map: the user is named by the client certificate (Go's checkClientTLSCertSubject).
            var cert = c.ClientCertificate;
            if (cert is null || (user = MapCertificateUser(cert)) is null) return false;
            if (!string.IsNullOrEmpty(o.Username)) Logger.Warn($"User \"{o.Username}\" found in connect proto, but user required from cert");
            o.Username = user.Username;
            proxyRequired = user.ProxyRequired;
            if (proxyRequired && !trustedProxy) return SetProxyAuthError(c, ClosedState.ProxyRequired);
            c.RegisterUser(LookupAccount(user.Account ?? Account.GlobalName) ?? GlobalAccount, user.Permissions, user.Username);
            return true;
        }
        if (_users is { Count: > 0 } && nkey is null)
        {
            if (noAuthUser.Length > 0 && noCredentials && _users.TryGetValue(noAuthUser, out var nu))
            {
                o.Username = nu.Username;
                o.Password = nu.Password;
            }
            if (!string.IsNullOrEmpty(o.Username))
            {
                if (!_users.TryGetValue(o.Username, out user) || !ConnectionTypes.Allowed(user.AllowedConnectionTypes, c.ConnectionType))
                    return false;
            }
        }
        if (nkey is not null)
        {
            proxyRequired = nkey.ProxyRequired;
            if (proxyRequired && !trustedProxy) return SetProxyAuthError(c, ClosedState.ProxyRequired);
            if (nkey.Nkey != noAuthUser && !VerifyNonceSignature(c, nkey.Nkey)) return false;
            c.RegisterUser(LookupAccount(nkey.Account ?? Account.GlobalName) ?? GlobalAccount, nkey.Permissions, null);
            return true;
        }
        if (user is not null)
        {
            proxyRequired = user.ProxyRequired;
            if (proxyRequired && !trustedProxy) return SetProxyAuthError(c, ClosedState.ProxyRequired);
            if (!ComparePasswords(user.Password, o.Password ?? "")) return false;
            c.RegisterUser(LookupAccount(user.Account ?? Account.GlobalName) ?? GlobalAccount, user.Permissions, user.Username);
            return true;
        }
        if (Options.ProxyRequired && !trustedProxy) return SetProxyAuthError(c, ClosedState.ProxyRequired);
        if (token.Length > 0) return ComparePasswords(token, o.Token ?? "");
        if (username.Length > 0)
            return o.Username == username && ComparePasswords(password, o.Password ?? "");
        return false;
    }

    /// <summary>Go's nkey check: the CONNECT sig is the nonce signed by the user's key, base64url (or std) encoded.</summary>
    private bool VerifyNonceSignature(ClientConnection c, string publicKey)
    {
        string? sig = c.Options.Sig;
        if (string.IsNullOrEmpty(sig) || c.Nonce is null)
        {
            c.Debug("Signature missing");
            return false;
        }
        byte[] raw;
        try { raw = DecodeBase64Url(sig); }
        catch (FormatException)
        {
            try { raw = Convert.FromBase64String(sig); }
            catch (FormatException)
            {
                c.Debug("Signature not valid base64");
                return false;
            }
        }
        if (!NKeys.Verify(publicKey, Encoding.ASCII.GetBytes(c.Nonce), raw))
        {
            c.Debug("Signature not verified");
            return false;
        }
        return true;
    }

    private static byte[] DecodeBase64Url(string s)
    {
        if (s.Contains('=') || s.Contains('+') || s.Contains('/')) throw new FormatException();
        string t = s.Replace('-', '+').Replace('_', '/');
        t = (t.Length % 4) switch { 2 => t + "==", 3 => t + "=", 0 => t, _ => throw new FormatException() };
        return Convert.FromBase64String(t);
    }

    /// <summary>Go's checkClientTLSCertSubject for users: email SANs, then DNS SANs, then URI SANs, then the subject
    /// in RFC 2253 order ("CN=..,OU=..,O=.."), each looked up as a user name with an allowed connection type.</summary>
    private User? MapCertificateUser(System.Security.Cryptography.X509Certificates.X509Certificate2 cert)
    {
        User? Find(string name) =>
            _users!.TryGetValue(name, out var u) && ConnectionTypes.Allowed(u.AllowedConnectionTypes, ConnectionTypes.Standard) ? u : null;
        var sans = cert.Extensions.OfType<System.Security.Cryptography.X509Certificates.X509SubjectAlternativeNameExtension>().FirstOrDefault();
        var emails = new List<string>();
        var uris = new List<string>();
        if (sans is not null)
        {
            var reader = new System.Formats.Asn1.AsnReader(sans.RawData, System.Formats.Asn1.AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var tag = reader.PeekTag();
                if (tag.TagClass == System.Formats.Asn1.TagClass.ContextSpecific && tag.TagValue is 1 or 6)
                {
                    string v = reader.ReadCharacterString(System.Formats.Asn1.UniversalTagNumber.IA5String, tag);
                    (tag.TagValue == 1 ? emails : uris).Add(v);
                }
                else reader.ReadEncodedValue();
            }
        }
        foreach (var e in emails) if (Find(e) is { } u) return u;
        if (sans is not null) foreach (var d in sans.EnumerateDnsNames()) if (Find(d) is { } u) return u;
        foreach (var uri in uris) if (Find(uri) is { } u) return u;
        // The raw subject as an LDAP distinguished name: a user whose name is the same DN, else one with the same
        // relative names in another order.
        if (Auth.LdapDn.FromRawSubject(cert.SubjectName.RawData) is { } certDn)
        {
            var reordered = new List<User>();
            foreach (var (name, u) in _users!)
            {
                if (!ConnectionTypes.Allowed(u.AllowedConnectionTypes, ConnectionTypes.Standard)) continue;
                Auth.LdapDn dn;
                try { dn = Auth.LdapDn.Parse(name); }
                catch (FormatException) { continue; }
                if (dn.EqualTo(certDn)) return u;
                if (dn.RdnsMatch(certDn)) reordered.Add(u);
            }
            if (reordered.Count > 0) return reordered[0];
        }
        // Go's cert.Subject.ToRDNSequence().String(), first with the domain components appended, then without.
        string rdn = Auth.GoDistinguishedName.Format(cert.SubjectName, rdnSequenceOnly: true);
        string dcs = Auth.GoDistinguishedName.DomainComponents(cert.SubjectName);
        if (dcs.Length > 0 && Find(rdn + "," + dcs) is { } withDcs) return withDcs;
        return Find(rdn);
    }

    /// <summary>Go's isBcrypt: a "$2a$", "$2b$", "$2x$" or "$2y$" hash with a two-digit cost.</summary>
    internal static bool IsBcrypt(string password) =>
        password.StartsWith('$') && System.Text.RegularExpressions.Regex.IsMatch(password, @"^\$2[abxy]\$\d{2}\$.*");

    /// <summary>Go's comparePasswords: bcrypt when the server side is a hash, else a constant-time compare.</summary>
    internal static bool ComparePasswords(string serverPassword, string clientPassword)
    {
        if (IsBcrypt(serverPassword))
        {
            try { return BCrypt.Net.BCrypt.Verify(clientPassword, serverPassword); }
            catch (BCrypt.Net.SaltParseException) { return false; }
        }
        return FixedEquals(clientPassword, serverPassword);
    }

    private static bool FixedEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    internal void RemoveClient(ClientConnection c, ClosedState reason, IReadOnlyList<string> subs)
    {
        if (_clients.TryRemove(c.Cid, out _))
        {
            RemoveProxiedConn(c);
            Logger.Debug($"{c} - Client connection closed: {reason.Text()}");
            var stop = ClientConnection.ClockNow;
            Events?.AccountDisconnectEvent(c, stop, reason.Text());
            _closed.Add(new ClosedConnection(c.Cid, c.RemoteHost, c.RemotePort, c.StartTime, stop, reason,
                c.Options.Name ?? "", c.Options.Lang ?? "", c.Options.Version ?? "", c.InMsgs, c.InBytes, c.OutMsgs, c.OutBytes, subs,
                c.Account.Name == Account.GlobalName ? "" : c.Account.Name, c.AuthorizedUser, c.Rtt, c.LastActivity, c.ClosedSubDetails,
                Monitoring.Monitor.RedactBearerJwt(c.Options.Jwt), c.IssuerKey, c.JwtName, c.JwtTags, Interlocked.Read(ref c.Stalls), c.ProxyKey,
                c.ClientTypeString));
        }
    }

    internal void AddInbound(long msgs, long bytes)
    {
        Interlocked.Add(ref InMsgs, msgs);
        Interlocked.Add(ref InBytes, bytes);
    }

    internal void AddOutbound(long msgs, long bytes)
    {
        Interlocked.Add(ref OutMsgs, msgs);
        Interlocked.Add(ref OutBytes, bytes);
    }

    internal void RecordSlowConsumer() => Interlocked.Increment(ref SlowConsumers);

    private void CheckWriteDeadlines()
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        foreach (var c in _clients.Values) c.CheckWriteDeadline(now);
        if (Clustered)
            foreach (var r in RouteConnections()) r.CheckWriteDeadline(now);
    }

    /// <summary>Lame duck mode (Go's lameDuckMode): stop accepting, send INFO ldm to clients that take async INFO,
    /// wait the grace period, close clients spread over the rest of the duration, then shut down.</summary>
    public async Task LameDuckShutdownAsync()
    {
        if (_lameDuck || _running != 1) return;
        _lameDuck = true;
        Logger.Notice("Entering lame duck mode, stop accepting new clients");
        try { _listener?.Close(); } catch (SocketException) { }
        _listener = null;
        StopWebsocketServer();
        var clients = _clients.Values.ToList();
        if (clients.Count == 0)
        {
            await ShutdownAsync().ConfigureAwait(false);
            return;
        }
        var grace = Options.LameDuckGracePeriod.Duration();
        long dur = (Options.LameDuckDuration - grace).Ticks;
        if (dur <= 0) dur = TimeSpan.TicksPerSecond;
        long si = dur / clients.Count;
        int batch = 1;
        if (si < 1)
        {
            si = 1;
            batch = (int)(clients.Count / dur);
        }
        else if (si > TimeSpan.TicksPerSecond)
        {
            si = TimeSpan.TicksPerSecond;
        }

        Events?.SendLameDuckEvent();
        var info = _info.Clone();
        info.LameDuckMode = true;
        foreach (var c in clients)
        {
            if (!c.TakesAsyncInfo) continue;
            info.ClientId = c.Cid;
            info.ClientIp = c.RemoteHost;
            c.EnqueueProto(info.ToProtocol());
        }

        await Task.Delay(grace).ConfigureAwait(false);
        Logger.Notice("Closing existing clients");
        for (int i = 0; i < clients.Count; i++)
        {
            clients[i].Close(ClosedState.ServerShutdown);
            if (i == clients.Count - 1) break;
            if (batch == 1 || i % batch == 0)
            {
                long v = Random.Shared.NextInt64(si);
                if (v < si / 2) v = si / 2;
                await Task.Delay(TimeSpan.FromTicks(Math.Max(v, 1))).ConfigureAwait(false);
            }
        }
        await ShutdownAsync().ConfigureAwait(false);
    }

    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _running, 2) == 2) { await _shutdown.Task.ConfigureAwait(false); return; }
        Logger.Notice("Initiating Shutdown...");
        // Go's shutdownEventing comes first, so the shutdown event reaches system subscribers before they are closed.
        var events = Events;
        Events = null;
        if (events is not null) await events.ShutdownAsync().ConfigureAwait(false);
        AccountResolver?.Close();
        OcspCache?.Stop(Logger);
        _cts.Cancel();
        try { _listener?.Close(); } catch (SocketException) { }
        _listener = null;
        StopWebsocketServer();
        _deadlineTimer?.Dispose();
        _tlsRejectTimer?.Dispose();
        _rateLimitLogTimer?.Dispose();
        var clients = _clients.Values.ToList();
        ShutdownRoutes(clients);
        foreach (var c in clients) c.Close(ClosedState.ServerShutdown);
        var flushed = Task.WhenAll(clients.Select(c => c.WriterDone));
        await Task.WhenAny(flushed, Task.Delay(2000)).ConfigureAwait(false);
        await Monitor.DisposeAsync().ConfigureAwait(false);
        // Go leaves the pid file in place; only the ports file is removed.
        if (_portsFile is not null) TryDelete(_portsFile);
        Logger.Notice("Server Exiting..");
        _shutdown.TrySetResult();
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public async ValueTask DisposeAsync()
    {
        await ShutdownAsync().ConfigureAwait(false);
        _cts.Dispose();
    }

    /// <summary>For the host: true when running on a platform with POSIX signals.</summary>
    public static bool HasPosixSignals => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
}
