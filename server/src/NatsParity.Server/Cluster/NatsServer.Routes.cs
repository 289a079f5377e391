using System.Net;
using System.Net.Sockets;
using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;
using NatsParity.Server.Cluster;
using NatsParity.Server.Config;
using NatsParity.Server.Protocol;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server;

/// <summary>Routes: the cluster port, soliciting configured and gossiped routes, and interest and messages across
/// them (Go's route.go on the server).</summary>
public sealed partial class NatsServer
{
    /// <summary>Go's MsgTraceProto: the route protocol level this server speaks.</summary>
    internal const int RouteProto = 3;

    // Go's s.mu for everything route related.
    private readonly object _routeLock = new();
    // Remote server id -> its pooled connections (one slot when the remote has no pooling).
    private readonly Dictionary<string, ClientConnection?[]> _routes = new(StringComparer.Ordinal);
    // Pinned account -> remote server id -> its dedicated route.
    private Dictionary<string, Dictionary<string, ClientConnection>>? _accRoutes;
    private readonly Dictionary<string, int> _remoteRoutePoolSize = new(StringComparer.Ordinal);
    // Routes not registered yet (Go's grTmpClients), so shutdown can close them.
    private readonly Dictionary<ulong, ClientConnection> _tmpRoutes = new();
    private int _routesPoolSize = 1;
    private int _routesNoPool;
    private Socket? _routeListener;
    private ServerInfo? _routeInfo;
    private readonly HashSet<string> _routesToSelf = new(StringComparer.OrdinalIgnoreCase);
    private string _clusterName = "";
    // Client connect URLs learned from routes, counted (Go's clientConnectURLsMap), and this server's own.
    private readonly Dictionary<string, int> _clientConnectUrlsMap = new(StringComparer.Ordinal);
    private List<string> _clientConnectUrls = [];

    /// <summary>The route listener's port (0 when there is no cluster).</summary>
    public int ClusterPort { get; private set; }

    /// <summary>True when this server takes part in a cluster (Go's shouldTrackSubscriptions, for routes).</summary>
    internal bool Clustered => Options.Cluster.Enabled;

    /// <summary>The cluster's name: configured, or generated until a remote's replaces it.</summary>
    public string ClusterName { get { lock (_routeLock) return _clusterName; } }

    /// <summary>Go's isClusterNameDynamic: no name was configured.</summary>
    internal bool ClusterNameDynamic => Options.Cluster.Name.Length == 0;

    private void InitRouteStructures()
    {
        var o = Options.Cluster;
        if (!o.Enabled) return;
        _clusterName = o.Name.Length > 0 ? o.Name : Nuid.Next();
        _info.Cluster = _clusterName;
        _routesPoolSize = o.PoolSize > 0 ? o.PoolSize : 1;
        if (o.PinnedAccounts.Count > 0)
        {
            _accRoutes = new(StringComparer.Ordinal);
            foreach (var a in o.PinnedAccounts) _accRoutes[a] = new(StringComparer.Ordinal);
        }
    }

    /// <summary>Go's setClusterName.</summary>
    internal void SetClusterName(string name, bool fromRemoteNonDynamic = false)
    {
        lock (_routeLock)
        {
            _clusterName = name;
            _info.Cluster = name;
            if (_routeInfo is not null) _routeInfo.Cluster = name;
            if (fromRemoteNonDynamic) Options.Cluster.Name = name;
        }
        Logger.Notice($"Cluster name updated to {name}");
    }

    /// <summary>Go's computeRoutePoolIdx: FNV-1a of the account name modulo the pool size.</summary>
    internal static int ComputeRoutePoolIdx(int poolSize, string accName)
    {
        if (poolSize <= 1) return 0;
        uint h = 2166136261;
        foreach (byte b in Encoding.UTF8.GetBytes(accName))
        {
            h ^= b;
            h *= 16777619;
        }
        return (int)(h % (uint)poolSize);
    }

    /// <summary>Go's setRouteInfo: a pinned account has its own routes, the others share the pool by hash.</summary>
    internal int ComputeRoutePoolIdxFor(string accName)
    {
        lock (_routeLock)
        {
            if (_accRoutes is not null && _accRoutes.ContainsKey(accName)) return Account.DedicatedRoute;
            return ComputeRoutePoolIdx(_routesPoolSize, accName);
        }
    }

    /// <summary>An account by its name as bytes (a routed message's), without making a string on a hit.</summary>
    internal Account? LookupAccountUtf8(ReadOnlySpan<byte> name)
    {
        Span<char> chars = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        int n = Encoding.UTF8.GetChars(name, chars);
        return _accounts.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..n], out var a) ? a : null;
    }

    // ---- listening and soliciting ----

    /// <summary>Go's startRouteAcceptLoop: the cluster port, this server's route INFO, then the configured routes.</summary>
    private void StartRouting()
    {
        var o = Options;
        var c = o.Cluster;
        if (!c.Enabled) return;
        Logger.Notice($"Cluster name is {ClusterName}");
        if (ClusterNameDynamic) Logger.Warn("Cluster name was dynamically generated, consider setting one");
        bool wildcard = c.Host is "" or "0.0.0.0" or "::";
        var ip = wildcard ? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any) : ResolveHost(c.Host);
        var l = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (wildcard && ip.AddressFamily == AddressFamily.InterNetworkV6) l.DualMode = true;
        l.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            l.Bind(new IPEndPoint(ip, c.Port == ServerOptions.RandomPort ? 0 : c.Port));
            l.Listen(512);
        }
        catch (SocketException e)
        {
            l.Dispose();
            Logger.Fatal($"Error listening on router port: {c.Port} - {e.Message}");
            throw new InvalidOperationException($"Error listening on router port: {c.Port} - {e.Message}", e);
        }
        ClusterPort = ((IPEndPoint)l.LocalEndPoint!).Port;
        if (c.Port is 0 or ServerOptions.RandomPort) c.Port = ClusterPort;
        Logger.Notice($"Listening for route connections on {HostPort(c.Host, ClusterPort)}");
        var info = new ServerInfo
        {
            Id = ServerId, Name = Name, Version = Version, GoVersion = _info.GoVersion, AuthRequired = c.Username.Length > 0,
            MaxPayload = o.MaxPayload, Proto = RouteProto, Headers = SupportsHeaders, Cluster = ClusterName,
            Dynamic = ClusterNameDynamic, Lnoc = true, Lnocu = true,
            Compression = c.CompressionMode == CompressionModes.NotSupported ? null : c.CompressionMode,
            RoutePoolSize = c.PoolSize > 0 ? c.PoolSize : 0,
            Import = c.Permissions?.Import, Export = c.Permissions?.Export,
        };
        lock (_routeLock)
        {
            _clientConnectUrls = ClientConnectUrls();
            if (!c.NoAdvertise) info.ConnectUrls = [.. _clientConnectUrls];
            if (c.Advertise.Length > 0)
            {
                var (h, p, err) = ParseHostPort(c.Advertise, c.Port);
                if (err is not null)
                {
                    l.Dispose();
                    Logger.Fatal($"Error setting route INFO with Cluster.Advertise value of {c.Advertise}, err={err}");
                    throw new InvalidOperationException($"Error setting route INFO with Cluster.Advertise value of {c.Advertise}, err={err}");
                }
                info.Host = h;
                info.Port = p;
                info.Ip = $"nats-route://{JoinHostPort(h, p)}/";
            }
            else
            {
                info.Host = c.Host;
                info.Port = c.Port;
            }
            _routeInfo = info;
            _routeListener = l;
            // Every address this port answers on is this server: routes to them are routes to self.
            foreach (var nic in System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces())
                foreach (var ua in nic.GetIPProperties().UnicastAddresses)
                    _routesToSelf.Add(JoinHostPort(ua.Address.ToString(), info.Port));
        }
        _ = RouteAcceptLoop(l);
        SolicitRoutes(o.Routes, c.PinnedAccounts);
    }

    private async Task RouteAcceptLoop(Socket listener)
    {
        var delay = AcceptMinSleep;
        while (Running)
        {
            Socket s;
            try
            {
                s = await listener.AcceptAsync().ConfigureAwait(false);
                delay = AcceptMinSleep;
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException or OperationCanceledException)
            {
                if (!Running || _routeListener is null) return;
                delay = await AcceptError("Route", e, delay).ConfigureAwait(false);
                continue;
            }
            s.NoDelay = true;
            CreateRoute(s, null, RouteType.Implicit, Cluster.GossipMode.Default, "");
        }
    }

    /// <summary>Go's solicitRoutes: a connection attempt per configured route, and per pinned account.</summary>
    private void SolicitRoutes(List<Uri> routes, List<string> accounts)
    {
        foreach (var r in routes) StartConnectToRoute(r, RouteType.Explicit, true, Cluster.GossipMode.Default, "");
        foreach (var an in accounts)
            foreach (var r in routes) StartConnectToRoute(r, RouteType.Explicit, true, Cluster.GossipMode.Default, an);
    }

    internal void StartConnectToRoute(Uri url, RouteType type, bool firstConnect, byte gossip, string accName) =>
        _ = Task.Run(() => ConnectToRoute(url, type, firstConnect, gossip, accName));

    /// <summary>Go's DEFAULT_ROUTE_CONNECT, DEFAULT_ROUTE_CONNECT_MAX, DEFAULT_ROUTE_RECONNECT and DEFAULT_ROUTE_DIAL.</summary>
    internal static TimeSpan RouteConnectDelay = TimeSpan.FromSeconds(1), RouteConnectMaxDelay = TimeSpan.FromSeconds(30),
        RouteReconnectDelay = TimeSpan.FromSeconds(1), RouteDialTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Go's connectToRoute: explicit routes are tried until they connect (while configured); implicit ones
    /// connect_retries times.</summary>
    private async Task ConnectToRoute(Uri url, RouteType type, bool firstConnect, byte gossip, string accName)
    {
        bool forever = type == RouteType.Explicit;
        var opts = Options;
        var delay = RouteConnectDelay;
        string redacted = UrlRedaction.RedactUrlString(url.ToString());
        for (int attempts = 0; Running;)
        {
            if (forever)
            {
                if (!RouteStillValid(url))
                {
                    Logger.Debug($"Not attempting to connect to explicit route \"{redacted}\", no longer part of configured routes");
                    return;
                }
                if (accName.Length > 0)
                {
                    bool valid;
                    lock (_routeLock) valid = _accRoutes?.ContainsKey(accName) == true;
                    if (!valid) return;
                }
            }
            Socket? sock = null;
            string? error = null;
            string hostPort = url.IsDefaultPort ? url.Host : $"{url.Host}:{url.Port}";
            var addresses = await ResolveRouteAddresses(url).ConfigureAwait(false);
            // Addresses that are this server are left out (Go's getRandomIP with routesToSelf).
            List<IPEndPoint> candidates;
            lock (_routeLock) candidates = addresses.Where(a => !_routesToSelf.Contains(JoinHostPort(a.Address.ToString(), a.Port))).ToList();
            if (addresses.Count > 0 && candidates.Count == 0) return;
            if (candidates.Count == 0) error = $"lookup {url.Host}: no such host";
            else
            {
                var ep = candidates[Random.Shared.Next(candidates.Count)];
                Logger.Debug($"Trying to connect to route on {hostPort} ({JoinHostPort(ep.Address.ToString(), ep.Port)})");
                sock = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                using var cts = new CancellationTokenSource(RouteDialTimeout);
                try { await sock.ConnectAsync(ep, cts.Token).ConfigureAwait(false); }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    error = e is OperationCanceledException ? $"dial tcp {JoinHostPort(ep.Address.ToString(), ep.Port)}: i/o timeout"
                        : $"dial tcp {JoinHostPort(ep.Address.ToString(), ep.Port)}: connect: {GoSocketError((SocketException)e)}";
                    sock.Dispose();
                    sock = null;
                }
            }
            if (sock is null)
            {
                attempts++;
                string msg = $"Error trying to connect to route (attempt {attempts}): {error}";
                if (ShouldReportConnectErr(firstConnect, attempts)) Logger.Error(msg);
                else Logger.Debug(msg);
                if (!forever && (opts.Cluster.ConnectRetries <= 0 || attempts > opts.Cluster.ConnectRetries)) return;
                try { await Task.Delay(delay, _cts.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                if (opts.Cluster.ConnectBackoff)
                {
                    delay *= 2;
                    if (delay > RouteConnectMaxDelay) delay = RouteConnectMaxDelay;
                }
                continue;
            }
            if (forever && !RouteStillValid(url))
            {
                sock.Dispose();
                return;
            }
            CreateRoute(sock, url, type, gossip, accName);
            return;
        }
    }

    private static string GoSocketError(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connection refused",
        SocketError.HostUnreachable => "no route to host",
        SocketError.NetworkUnreachable => "network is unreachable",
        SocketError.TimedOut => "i/o timeout",
        _ => e.Message,
    };

    private static async Task<List<IPEndPoint>> ResolveRouteAddresses(Uri url)
    {
        int port = url.IsDefaultPort || url.Port <= 0 ? 4222 : url.Port;
        string host = url.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var ip)) return [new IPEndPoint(ip, port)];
        try
        {
            var addrs = await Dns.GetHostAddressesAsync(host).ConfigureAwait(false);
            return addrs.Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .Select(a => new IPEndPoint(a, port)).ToList();
        }
        catch (SocketException)
        {
            return [];
        }
    }

    /// <summary>Go's shouldReportConnectErr: the first attempts, then every connect_error_reports (or
    /// reconnect_error_reports) attempts.</summary>
    private bool ShouldReportConnectErr(bool firstConnect, int attempts)
    {
        int every = firstConnect ? Options.ConnectErrorReports : Options.ReconnectErrorReports;
        return attempts == 1 || (every > 0 && attempts % every == 0);
    }

    /// <summary>Go's routeStillValid: the URL is still one of the configured routes.</summary>
    private bool RouteStillValid(Uri url) => Options.Routes.Any(r => UrlsAreEqual(r, url));

    private static bool UrlsAreEqual(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port && a.UserInfo == b.UserInfo;

    /// <summary>Go's routesOption.Apply: routes no longer configured are closed for good, new ones solicited.</summary>
    private void ReloadRoutes(List<Uri> old, List<Uri> next)
    {
        var remove = old.Where(o => !next.Any(n => UrlsAreEqual(o, n))).ToList();
        var add = next.Where(n => !old.Any(o => UrlsAreEqual(o, n))).ToList();
        List<ClientConnection> routes;
        lock (_routeLock) routes = EachRoute().ToList();
        foreach (var r in remove)
        {
            foreach (var c in routes)
            {
                if (c.RouteState!.Url is { } u && UrlsAreEqual(u, r))
                {
                    c.RouteState.NoReconnect = true;
                    c.Close(ClosedState.RouteRemoved);
                    Logger.Notice($"Removed route {UrlRedaction.RedactUrlString(r.ToString())}");
                }
            }
        }
        if (Clustered) SolicitRoutes(add, Options.Cluster.PinnedAccounts);
        Logger.Notice("Reloaded: cluster routes");
    }

    // ---- creating and registering ----

    /// <summary>Go's createRoute: a route connection, accepted (<paramref name="url"/> null) or solicited.</summary>
    private ClientConnection? CreateRoute(Socket socket, Uri? url, RouteType type, byte gossip, string accName)
    {
        var o = Options;
        bool didSolicit = url is not null;
        var route = new Route { Type = type, DidSolicit = didSolicit, Gossip = gossip };
        ulong cid = Interlocked.Increment(ref _cid);
        var c = new ClientConnection(this, socket, cid, route);
        byte[]? info = null;
        bool authRequired;
        bool delayInfo = didSolicit && RouteShouldDelayInfo(accName);
        lock (_routeLock)
        {
            if (!Running || _routeInfo is null)
            {
                socket.Dispose();
                return null;
            }
            if (!delayInfo) info = GenerateRouteInitialInfo(accName, o.Cluster.CompressionMode, 0, gossip);
            authRequired = _routeInfo.AuthRequired;
            if (didSolicit)
            {
                route.Url = url;
                route.AccName = accName;
            }
            _tmpRoutes[cid] = c;
        }
        if (didSolicit) c.SetRoutePermissions(o.Cluster.Permissions);
        byte[]? connect = null;
        if (didSolicit)
        {
            string user = "", pass = "";
            if (url!.UserInfo.Length > 0)
            {
                int colon = url.UserInfo.IndexOf(':');
                user = Uri.UnescapeDataString(colon < 0 ? url.UserInfo : url.UserInfo[..colon]);
                pass = colon < 0 ? "" : Uri.UnescapeDataString(url.UserInfo[(colon + 1)..]);
            }
            connect = new RouteConnectInfo
            {
                Echo = true, User = user, Pass = pass, Name = ServerId, Headers = SupportsHeaders, Cluster = ClusterName,
                Dynamic = ClusterNameDynamic, Lnoc = true,
            }.ToProtocol();
        }
        // Go logs this holding the connection's lock, so nothing of the connection (its close) is logged before it.
        Logger.Notice($"{c} - Route connection created");
        c.StartRoute(info, connect, authRequired);
        return c;
    }

    /// <summary>Go's routeShouldDelayInfo: a solicited pooled route sends its INFO once the remote's arrived.</summary>
    private bool RouteShouldDelayInfo(string accName) => accName.Length == 0 && Options.Cluster.PoolSize >= 1;

    /// <summary>Go's generateRouteInitialInfoJSON: the route INFO with a fresh nonce and this connection's pool
    /// index, account and gossip mode (lock held).</summary>
    private byte[] GenerateRouteInitialInfo(string accName, string compression, int poolIdx, byte gossip)
    {
        var info = _routeInfo!.Clone();
        Span<byte> raw = stackalloc byte[NonceRawLen];
        System.Security.Cryptography.RandomNumberGenerator.Fill(raw);
        info.Nonce = Convert.ToBase64String(raw).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        info.RouteAccount = accName.Length > 0 ? accName : null;
        info.RoutePoolIdx = poolIdx;
        info.Compression = Options.Cluster.CompressionMode == CompressionModes.S2Auto ? CompressionModes.S2Auto
            : compression == CompressionModes.NotSupported ? null : compression;
        info.GossipMode = gossip;
        return info.ToProtocol();
    }

    /// <summary>Go's isRouterAuthorized for the cluster's user and password.</summary>
    internal bool IsRouterAuthorized(ConnectOptions opts)
    {
        var c = Options.Cluster;
        if (c.Username.Length == 0) return true;
        if (c.Username != opts.Username) return false;
        return ComparePasswords(c.Password, opts.Password ?? "");
    }

    /// <summary>Go's processRouteInfo: the remote's INFO, first or an update.</summary>
    internal void ProcessRouteInfo(ClientConnection c, ServerInfo info)
    {
        var r = c.RouteState!;
        if (c.IsClosed) return;
        if (info.Id == ServerId)
        {
            r.RemoteId = info.Id;
            c.Close(ClosedState.DuplicateRoute);
            return;
        }
        string clusterName = ClusterName;
        if (!string.IsNullOrEmpty(info.Cluster) && info.Cluster != clusterName)
        {
            if (ClusterNameDynamic && (!info.Dynamic || string.CompareOrdinal(clusterName, info.Cluster) < 0))
            {
                SetClusterName(info.Cluster!);
                RemoveAllRoutesExcept(info.Id);
            }
            else
            {
                c.Close(ClosedState.ClusterNameConflict);
                return;
            }
        }
        var opts = Options;
        bool didSolicit = r.DidSolicit;
        if (r.InfoReceived)
        {
            // An update: another server to connect to, or this remote's change of permissions or lame duck mode.
            if (r.RemoteId.Length > 0 && r.RemoteId != info.Id)
            {
                ProcessImplicitRoute(info, r.NoPool);
                return;
            }
            if (info.LameDuckMode)
            {
                if (r.ConnectUrls is { Length: > 0 } && !opts.Cluster.NoAdvertise)
                    lock (_routeLock) UpdateConnectUrlsAndSendInfoToClients(r.ConnectUrls, add: false);
            }
            else if (!SamePermission(r.RemoteImport, info.Import) || !SamePermission(r.RemoteExport, info.Export))
            {
                UpdateRemoteRoutePerms(c, info);
            }
            return;
        }
        if (!didSolicit && info.Name == Name)
        {
            Logger.Error($"{c} - Remote server has a duplicate name: \"{info.Name}\"");
            c.Close(ClosedState.DuplicateServerName);
            return;
        }
        // Compression: this server never starts it; a remote asking for one is answered off (Go's "accept" with a
        // remote that does not want it either).
        r.Compression = string.IsNullOrEmpty(info.Compression) || opts.Cluster.CompressionMode == CompressionModes.NotSupported
            ? CompressionModes.NotSupported : CompressionModes.Off;
        bool sendDelayedInfo = didSolicit && RouteShouldDelayInfo(r.AccName);
        r.InfoReceived = true;
        c.RouteProtocol = info.Proto;
        c.SetRouteHeaders(SupportsHeaders && info.Headers);
        r.RemoteId = info.Id;
        r.AuthRequired = info.AuthRequired;
        r.TlsRequired = info.TlsRequired;
        r.GatewayUrl = info.GatewayUrl ?? "";
        r.RemoteName = info.Name;
        r.Lnoc = info.Lnoc;
        r.Lnocu = info.Lnocu;
        r.JetStream = info.JetStream;
        if (info.LeafNodeUrls is [var lnu]) r.LeafNodeUrl = lnu;
        r.Hash = NatsParity.Server.Events.SystemEvents.GetHash(info.Name);
        r.RemoteImport = info.Import;
        r.RemoteExport = info.Export;
        if (r.Url is null)
        {
            // Go's url.Parse takes an INFO without a host (".../:port/"), where dialing it means the local system;
            // System.Uri refuses an empty host, so that local system is named.
            string host = string.IsNullOrEmpty(info.Host) ? "127.0.0.1" : info.Host;
            if (!Uri.TryCreate($"nats-route://{JoinHostPort(host, info.Port)}/", UriKind.Absolute, out var u))
            {
                Logger.Error($"{c} - Error parsing URL from INFO");
                c.Close(ClosedState.ParseError);
                return;
            }
            r.Url = u;
        }
        if (string.IsNullOrEmpty(info.Ip)) info.Ip = $"nats-route://{JoinHostPort(c.RemoteHost, info.Port)}/";
        if (didSolicit && r.AccName.Length > 0) info.RouteAccount = r.AccName;
        else if (!didSolicit && !string.IsNullOrEmpty(info.RouteAccount)) r.AccName = info.RouteAccount;
        string accName = r.AccName;
        byte gossip = r.Gossip;
        r.Gossip = 0;
        if (AddRoute(c, didSolicit, sendDelayedInfo, gossip, info, accName))
            c.Debug(accName.Length > 0 ? $"Registering remote route \"{info.Id}\" for account \"{accName}\"" : $"Registering remote route \"{info.Id}\"");
        else
        {
            c.Debug($"Detected duplicate remote route \"{info.Id}\"");
            c.Close(ClosedState.DuplicateRoute);
        }
    }

    private static bool SamePermission(Auth.SubjectPermission? a, Auth.SubjectPermission? b)
    {
        if (a is null || b is null) return a is null && b is null;
        return (a.Allow ?? []).SequenceEqual(b.Allow ?? []) && (a.Deny ?? []).SequenceEqual(b.Deny ?? []);
    }

    /// <summary>Go's updateRemoteRoutePerms: interest the remote can now take but could not before is sent.</summary>
    private void UpdateRemoteRoutePerms(ClientConnection c, ServerInfo info)
    {
        var r = c.RouteState!;
        var oldExport = r.RemoteExport;
        r.RemoteImport = info.Import;
        r.RemoteExport = info.Export;
        bool OldCan(string subj) => oldExport is null || Auth.ClientPermissions.Build(new Auth.Permissions { Subscribe = oldExport }, _ => { }).CanSubscribe(subj, null);
        var newTester = info.Export is null ? null : Auth.ClientPermissions.Build(new Auth.Permissions { Subscribe = info.Export }, _ => { });
        var buf = new StringBuilder();
        foreach (var acc in _accounts.Values)
        {
            if (!(acc.RoutePoolIdx >= 0 && acc.RoutePoolIdx == r.PoolIdx) && r.AccName != acc.Name && !r.NoPool) continue;
            var local = new List<Subscription>();
            acc.Sublist.All(local);
            foreach (var sub in local)
            {
                if (sub.Client is null || sub.Client.IsRoute) continue;
                bool newCan = newTester is null || newTester.CanSubscribe(sub.Subject, null);
                if (newCan && !OldCan(sub.Subject) && c.CanImport(sub.Subject))
                    c.AppendSubProto(buf, acc.Name, sub.Subject, sub.Queue, 1, null, true);
            }
        }
        c.SendRouteProtos(buf.ToString());
    }

    /// <summary>Go's addRoute: registers the connection in the pool of its remote (or as its account's route), sends
    /// the local interest, tells the other routes and the clients about the new server; false for a duplicate.</summary>
    private bool AddRoute(ClientConnection c, bool didSolicit, bool sendDelayedInfo, byte gossip, ServerInfo info, string accName)
    {
        var r = c.RouteState!;
        string id = info.Id;
        var opts = Options;
        if (accName.Length > 0 && LookupAccount(accName) is null)
        {
            string err = $"Unable to lookup account \"{accName}\": account not found";
            c.SendErr(err);
            c.RateLimitError(err);
            c.Close(ClosedState.MissingAccount);
            return false;
        }
        string? invProtoErr = null;
        bool pool = info.RoutePoolSize > 0;
        bool noReconnectForOldServer = false;
        bool exists;
        ClientConnection? remote = null;
        int idx = -1, sz = 0;
        lock (_routeLock)
        {
            if (!Running) return false;
            int effectivePoolSize = Math.Max(_routesPoolSize, info.RoutePoolSize);
            if (info.RoutePoolSize <= 0 || opts.Cluster.PoolSize < 0)
            {
                if (accName.Length > 0)
                {
                    invProtoErr = $"Not possible to have a dedicated route for account \"{accName}\" between those servers";
                    r.NoReconnect = true;
                }
                else
                {
                    pool = false;
                    noReconnectForOldServer = true;
                    r.PoolIdx = 0;
                    r.NoPool = true;
                    _routesNoPool++;
                    effectivePoolSize = 1;
                }
            }
            else if (didSolicit)
            {
                if (info.RoutePoolIdx != 0) invProtoErr = $"Route pool index should not be set but is set to {info.RoutePoolIdx}";
            }
            else if (info.RoutePoolIdx < 0 || info.RoutePoolIdx >= effectivePoolSize)
            {
                invProtoErr = $"Invalid route pool index: {info.RoutePoolIdx} - pool size is {info.RoutePoolSize}";
            }
            if (invProtoErr is null && accName.Length > 0)
            {
                if (_accRoutes is null || !_accRoutes.TryGetValue(accName, out var conns))
                {
                    invProtoErr = $"No route for account \"{accName}\"";
                }
                else
                {
                    exists = conns.TryGetValue(id, out remote);
                    if (!exists)
                    {
                        conns[id] = c;
                        r.PoolIdx = -1;
                        if (sendDelayedInfo) c.EnqueueProto(GenerateRouteInitialInfo(accName, r.Compression, 0, gossip));
                        _tmpRoutes.Remove(c.Cid);
                        _registeredAccRoutes.Add(c);
                        if (conns.Count > 1) ForwardNewRouteInfoToKnownServers(info, r.Type, didSolicit, gossip);
                        SendSubsToRoute(c, -1, accName);
                    }
                    else
                    {
                        HandleDuplicateRoute(remote, c, true);
                    }
                    return !exists;
                }
            }
            if (invProtoErr is not null)
            {
                // Sent and logged below, outside the lock.
            }
            else
            {
                exists = _routes.TryGetValue(id, out var conns);
                if (!exists)
                {
                    conns = new ClientConnection?[effectivePoolSize];
                    _routes[id] = conns;
                    idx = info.RoutePoolIdx;
                }
                else if (pool)
                {
                    if (effectivePoolSize > conns!.Length)
                    {
                        Array.Resize(ref conns, effectivePoolSize);
                        _routes[id] = conns;
                    }
                    if (!didSolicit)
                    {
                        idx = info.RoutePoolIdx;
                        if (conns[idx] is { } existing)
                        {
                            HandleDuplicateRoute(existing, c, false);
                            return false;
                        }
                        if (HasSolicitedRoute(conns) is var (surl, stype)) UpgradeRouteToSolicited(c, surl, stype);
                    }
                    else
                    {
                        foreach (var other in conns) if (other is not null) UpgradeRouteToSolicited(other, r.Url!, r.Type);
                    }
                    for (int i = 0; i < conns.Length; i++)
                    {
                        if (idx == -1 && conns[i] is null) idx = i;
                        else if (conns[i] is not null) sz++;
                    }
                }
                else
                {
                    remote = conns![0];
                }
                if (idx >= 0)
                {
                    r.ConnectUrls = info.ConnectUrls;
                    r.WsConnectUrls = info.WsConnectUrls;
                    r.PoolIdx = idx;
                    if (sendDelayedInfo) c.EnqueueProto(GenerateRouteInitialInfo("", r.Compression, idx, gossip));
                    if (pool && idx == 0) _remoteRoutePoolSize[id] = info.RoutePoolSize;
                    conns![idx] = c;
                    sz++;
                    bool doOnce = !pool || sz == 1;
                    _tmpRoutes.Remove(c.Cid);
                    if (doOnce)
                    {
                        if (_routes.Count > 1) ForwardNewRouteInfoToKnownServers(info, r.Type, didSolicit, gossip);
                        if (!opts.Cluster.NoAdvertise && info.ConnectUrls is { Length: > 0 } curls)
                            UpdateConnectUrlsAndSendInfoToClients(curls, add: true);
                    }
                    SendSubsToRoute(c, idx, "");
                    if (pool && didSolicit && sz != effectivePoolSize)
                    {
                        r.StartNewRoute = (r.Url!, r.Type, gossip);
                        c.SendPing();
                    }
                }
            }
        }
        if (invProtoErr is not null)
        {
            c.SendErr(invProtoErr);
            c.RateLimitError(invProtoErr);
            c.Close(ClosedState.ProtocolViolation);
            return false;
        }
        if (pool)
        {
            if (idx == -1)
            {
                c.Debug($"Route pool size reached, closing extra connection to \"{id}\"");
                HandleDuplicateRoute(null, c, true);
                return false;
            }
            return true;
        }
        if (remote is not null) HandleDuplicateRoute(remote, c, noReconnectForOldServer);
        return remote is null;
    }

    // Registered pinned-account routes, for iteration (routez, shutdown).
    private readonly HashSet<ClientConnection> _registeredAccRoutes = new(ReferenceEqualityComparer.Instance);

    private static (Uri Url, RouteType Type)? HasSolicitedRoute(ClientConnection?[] conns)
    {
        foreach (var c in conns)
            if (c?.RouteState is { DidSolicit: true, Url: { } u } r) return (u, r.Type);
        return null;
    }

    /// <summary>Go's upgradeRouteToSolicited.</summary>
    private static void UpgradeRouteToSolicited(ClientConnection? c, Uri url, RouteType type)
    {
        if (c?.RouteState is not { } r) return;
        if (!r.DidSolicit || (type == RouteType.Explicit && r.Type != RouteType.Explicit)) r.Url = url;
        r.DidSolicit = true;
        if (type == RouteType.Explicit) r.Type = RouteType.Explicit;
    }

    /// <summary>Go's handleDuplicateRoute: the kept connection takes over what made the dropped one solicited or
    /// explicit, and reconnects if it closes.</summary>
    private static void HandleDuplicateRoute(ClientConnection? remote, ClientConnection c, bool setNoReconnect)
    {
        var cr = c.RouteState!;
        if (setNoReconnect) cr.NoReconnect = true;
        if (remote?.RouteState is not { } rr) return;
        if (cr.DidSolicit && !rr.DidSolicit)
        {
            rr.DidSolicit = true;
            rr.Url = cr.Url;
        }
        if (cr.Type == RouteType.Explicit) rr.Type = RouteType.Explicit;
        rr.Retry = true;
    }

    /// <summary>Go's forwardNewRouteInfoToKnownServers: the other routes learn of the new server (lock held).</summary>
    private void ForwardNewRouteInfoToKnownServers(ServerInfo info, RouteType rtype, bool didSolicit, byte localGossip)
    {
        bool fromGossip = didSolicit && rtype == RouteType.Implicit;
        if ((fromGossip && localGossip != Cluster.GossipMode.Override) || info.GossipMode == Cluster.GossipMode.Disabled) return;
        var fwd = info.Clone();
        fwd.Nonce = null;
        byte[]? gmDefault = null, gmDisabled = null, gmOverride = null;
        byte[] Gen(byte gm)
        {
            fwd.GossipMode = gm;
            return fwd.ToProtocol();
        }
        byte[] For(ClientConnection r)
        {
            if ((!didSolicit && r.RouteState!.Type == RouteType.Explicit) || (didSolicit && rtype == RouteType.Explicit))
                return gmOverride ??= Gen(Cluster.GossipMode.Override);
            if (!didSolicit) return gmDisabled ??= Gen(Cluster.GossipMode.Disabled);
            return gmDefault ??= Gen(Cluster.GossipMode.Default);
        }
        bool pinned = !string.IsNullOrEmpty(info.RouteAccount);
        Dictionary<string, ClientConnection>? accRemotes = null;
        if (pinned && _accRoutes is not null && _accRoutes.TryGetValue(info.RouteAccount!, out accRemotes))
        {
            foreach (var (rid, r) in accRemotes)
                if (rid != info.Id && !r.RouteState!.NoPool) r.EnqueueProto(For(r));
        }
        foreach (var r in EachRemote())
        {
            string rid = r.RouteState!.RemoteId;
            if (pinned && accRemotes is not null && accRemotes.ContainsKey(rid)) continue;
            if (rid != info.Id && (!pinned || !r.RouteState.NoPool)) r.EnqueueProto(For(r));
        }
    }

    /// <summary>Go's forEachRemote: the first connection to each remote server (lock held).</summary>
    private IEnumerable<ClientConnection> EachRemote()
    {
        foreach (var conns in _routes.Values)
            foreach (var r in conns)
                if (r is not null) { yield return r; break; }
    }

    /// <summary>Every registered route connection, pooled and pinned (lock held).</summary>
    private IEnumerable<ClientConnection> EachRoute()
    {
        foreach (var conns in _routes.Values)
            foreach (var r in conns)
                if (r is not null) yield return r;
        if (_accRoutes is not null)
            foreach (var conns in _accRoutes.Values)
                foreach (var r in conns.Values) yield return r;
    }

    /// <summary>Go's processImplicitRoute: connect to a server another route told this one about, unless known.</summary>
    private void ProcessImplicitRoute(ServerInfo info, bool routeNoPool)
    {
        string remoteId = info.Id;
        Uri? url;
        lock (_routeLock)
        {
            if (remoteId == ServerId) return;
            var opts = Options;
            if (!string.IsNullOrEmpty(info.RouteAccount))
            {
                if (opts.Cluster.PoolSize <= 0) return;
                if (_accRoutes is not null && _accRoutes.TryGetValue(info.RouteAccount!, out var remotes) && remotes.ContainsKey(remoteId)) return;
            }
            else if (_routes.ContainsKey(remoteId)) return;
            if (HasThisRouteConfigured(info)) return;
            if (!Uri.TryCreate(info.Ip, UriKind.Absolute, out url))
            {
                Logger.Error($"Error parsing URL from INFO: {info.Ip}");
                return;
            }
            if (info.AuthRequired)
            {
                var b = new UriBuilder(url) { UserName = Uri.EscapeDataString(opts.Cluster.Username), Password = Uri.EscapeDataString(opts.Cluster.Password) };
                url = b.Uri;
            }
        }
        StartConnectToRoute(url, RouteType.Implicit, true, info.GossipMode, info.RouteAccount ?? "");
        if (routeNoPool && string.IsNullOrEmpty(info.RouteAccount))
            foreach (var an in Options.Cluster.PinnedAccounts) StartConnectToRoute(url, RouteType.Implicit, true, info.GossipMode, an);
    }

    /// <summary>Go's hasThisRouteConfigured: the remote's host:port (or its IP's) is one of the configured routes.</summary>
    private bool HasThisRouteConfigured(ServerInfo info)
    {
        var routes = Options.Routes;
        if (routes.Count == 0) return false;
        string one = JoinHostPort(info.Host, info.Port).ToLowerInvariant();
        string two = "";
        if (!string.IsNullOrEmpty(info.Ip) && Uri.TryCreate(info.Ip, UriKind.Absolute, out var u))
        {
            two = JoinHostPort(u.Host.Trim('[', ']'), info.Port).ToLowerInvariant();
            if (two == one) two = "";
        }
        foreach (var r in routes)
        {
            string h = (r.IsDefaultPort ? r.Host : $"{r.Host}:{r.Port}").ToLowerInvariant();
            if (h == one || (two.Length > 0 && h == two)) return true;
        }
        return false;
    }

    // ---- interest ----

    /// <summary>Go's sendSubsToRoute: the local interest of the accounts this connection carries (all of them for a
    /// route without pooling), as RS+ protocols (lock held).</summary>
    private void SendSubsToRoute(ClientConnection route, int idx, string account)
    {
        bool noPool = idx >= 0 && route.RouteState!.NoPool;
        var accs = new List<Account>();
        if (idx < 0 || account.Length > 0)
        {
            if (LookupAccount(account) is { } a) accs.Add(a);
        }
        else
        {
            foreach (var a in _accounts.Values)
                if (a.RoutePoolIdx == idx || noPool) accs.Add(a);
        }
        var buf = new StringBuilder();
        foreach (var a in accs)
        {
            lock (a.RouteLock)
            {
                if (a.RouteMap is null) continue;
                foreach (var (key, n) in a.RouteMap)
                {
                    var f = key.Split(' ');
                    bool forLeaf = f[0] == "L";
                    string subj = f[1];
                    string? qn = (!forLeaf && f.Length == 3) || (forLeaf && f.Length == 4) ? f[2] : null;
                    string? origin = forLeaf ? f[^1] : null;
                    if (!route.CanImport(subj)) continue;
                    route.AppendSubProto(buf, a.Name, subj, qn, n, origin, true);
                }
            }
        }
        if (buf.Length > 0)
        {
            route.SendRouteProtos(buf.ToString());
            route.Debug("Sent local subscriptions to route");
        }
    }

    /// <summary>Go's updateRouteSubscriptionMap: counts local interest per subject (and queue group) and tells the
    /// routes of the account when a subject gains its first or loses its last subscription, and of every change of
    /// a queue group's weight.</summary>
    internal void UpdateRouteSubscriptionMap(Account acc, Subscription sub, int delta)
    {
        if (!Clustered || sub.Client is null || sub.Client.IsRoute) return;
        bool isq = sub.Queue is not null;
        string key = sub.LeafOrigin is { Length: > 0 } lo
            ? (isq ? $"L {sub.Subject} {sub.Queue} {lo}" : $"L {sub.Subject} {lo}")
            : (isq ? $"R {sub.Subject} {sub.Queue}" : $"R {sub.Subject}");
        bool update = isq;
        int n;
        lock (acc.RouteLock)
        {
            acc.RouteMap ??= new(StringComparer.Ordinal);
            acc.LastSentWeights ??= new(StringComparer.Ordinal);
            if (acc.RouteMap.TryGetValue(key, out n))
            {
                n += delta;
                if (n <= 0)
                {
                    acc.RouteMap.Remove(key);
                    acc.LastSentWeights.Remove(key);
                    update = true;
                }
                else acc.RouteMap[key] = n;
            }
            else if (delta > 0)
            {
                n = delta;
                acc.RouteMap[key] = delta;
                update = true;
            }
        }
        if (!update) return;
        List<ClientConnection> routes = [];
        lock (_routeLock)
        {
            int poolIdx = acc.RoutePoolIdx;
            if (poolIdx < 0)
            {
                if (_accRoutes is not null && _accRoutes.TryGetValue(acc.Name, out var conns)) routes.AddRange(conns.Values);
                if (_routesNoPool > 0)
                    foreach (var r in EachRemote()) if (r.RouteState!.NoPool) routes.Add(r);
            }
            else
            {
                foreach (var conns in _routes.Values)
                {
                    if (poolIdx < conns.Length && conns[poolIdx] is { } r) routes.Add(r);
                    else if (_routesNoPool > 0 && conns[0] is { RouteState.NoPool: true } np) routes.Add(np);
                }
            }
        }
        if (routes.Count == 0) return;
        lock (acc.RouteSendLock)
        {
            lock (acc.RouteLock)
            {
                n = acc.RouteMap!.TryGetValue(key, out int cur) ? cur : 0;
                if (acc.LastSentWeights!.TryGetValue(key, out int ls) && ls == n) return;
                if (n > 0) acc.LastSentWeights[key] = n;
            }
            foreach (var route in routes)
            {
                if (route.Permissions is not null && !route.CanImport(sub.Subject)) continue;
                var buf = new StringBuilder();
                route.AppendSubProto(buf, acc.Name, sub.Subject, sub.Queue, n, sub.LeafOrigin, n > 0);
                route.SendRouteProtos(buf.ToString());
            }
        }
    }

    /// <summary>Go's closeConnection for a client: its plain subscriptions one by one, its queue subscriptions one
    /// update per group with the group's whole count.</summary>
    internal void UpdateRouteSubscriptionMapForClosed(Account acc, List<Subscription> subs)
    {
        if (!Clustered || subs.Count == 0) return;
        Dictionary<string, (Subscription Sub, int N)>? qsubs = null;
        foreach (var sub in subs)
        {
            if (sub.Queue is null)
            {
                UpdateRouteSubscriptionMap(acc, sub, -1);
                continue;
            }
            qsubs ??= new(StringComparer.Ordinal);
            string k = sub.Subject + " " + sub.Queue;
            qsubs[k] = qsubs.TryGetValue(k, out var e) ? (e.Sub, e.N + 1) : (sub, 1);
        }
        if (qsubs is not null)
            foreach (var (sub, n) in qsubs.Values) UpdateRouteSubscriptionMap(acc, sub, -n);
    }

    // ---- removal ----

    /// <summary>Go's removeRoute and reconnect: the connection leaves the registry; the last one to a remote takes its
    /// client URLs along; a solicited route reconnects.</summary>
    internal void RemoveRoute(ClientConnection c, ClosedState reason)
    {
        var r = c.RouteState!;
        lock (_routeLock)
        {
            _tmpRoutes.Remove(c.Cid);
            if (r.NoPool && r.PoolIdx >= 0 && _routes.TryGetValue(r.RemoteId, out var npc) && ReferenceEquals(npc[0], c)) _routesNoPool--;
            if (r.AccName.Length > 0)
            {
                if (_accRoutes is not null && _accRoutes.TryGetValue(r.AccName, out var conns) && conns.TryGetValue(r.RemoteId, out var cur) && ReferenceEquals(cur, c))
                    conns.Remove(r.RemoteId);
                _registeredAccRoutes.Remove(c);
            }
            else if (r.PoolIdx >= 0 && _routes.TryGetValue(r.RemoteId, out var pool) && r.PoolIdx < pool.Length && ReferenceEquals(pool[r.PoolIdx], c))
            {
                pool[r.PoolIdx] = null;
                if (pool.All(x => x is null))
                {
                    _routes.Remove(r.RemoteId);
                    _remoteRoutePoolSize.Remove(r.RemoteId);
                    if (r.ConnectUrls is { Length: > 0 } curls && !Options.Cluster.NoAdvertise)
                        UpdateConnectUrlsAndSendInfoToClients(curls, add: false);
                    if (r.NoPool && Running)
                    {
                        if (_routesPoolSize > 1) StartConnectToRoute(r.Url!, r.Type, true, Cluster.GossipMode.Default, "");
                        foreach (var an in Options.Cluster.PinnedAccounts) StartConnectToRoute(r.Url!, r.Type, true, Cluster.GossipMode.Default, an);
                    }
                }
            }
        }
        // Go's markConnAsClosed for a route: its kind string, the reason and the remote's name when known.
        string remoteName = c.RouteState?.RemoteName ?? "";
        Logger.Notice($"{c} - Router connection closed: {(reason == ClosedState.ClientClosed ? "Client Closed" : reason.Text())}{(remoteName.Length > 0 ? $" - Remote: {remoteName}" : "")}");
        Reconnect(c);
    }

    /// <summary>Go's reconnect for a route: a solicited one (or one told to retry) is solicited again.</summary>
    private void Reconnect(ClientConnection c)
    {
        var r = c.RouteState!;
        if (r.NoReconnect || !Running) return;
        bool retryImplicit = r.Retry || (r.DidSolicit && r.Type == RouteType.Implicit);
        if (!r.DidSolicit && !retryImplicit) return;
        string rid = r.RemoteId;
        lock (_routeLock)
        {
            bool checkRid = r.AccName.Length == 0 && Options.Cluster.PoolSize < 1 && rid.Length > 0;
            if (checkRid && _routes.TryGetValue(rid, out var conns))
            {
                if (r.DidSolicit && r.Url is not null) UpgradeRouteToSolicited(conns[0], r.Url, r.Type);
                Logger.Debug($"Not attempting reconnect for solicited route, already connected to \"{rid}\"");
                return;
            }
        }
        if (rid == ServerId)
        {
            Logger.Debug($"Detected route to self, ignoring \"{UrlRedaction.RedactUrlString(r.Url?.ToString() ?? "")}\"");
            return;
        }
        if (r.Url is null) return;
        if (r.Type != RouteType.Implicit || retryImplicit)
        {
            Logger.Debug($"Attempting reconnect for solicited route \"{UrlRedaction.RedactUrlString(r.Url.ToString())}\"");
            var url = r.Url;
            var type = r.Type;
            string accName = r.AccName;
            _ = Task.Run(async () =>
            {
                var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(100));
                if (type == RouteType.Explicit) delay += RouteReconnectDelay;
                try { await Task.Delay(delay, _cts.Token).ConfigureAwait(false); }
                catch (OperationCanceledException) { return; }
                await ConnectToRoute(url, type, false, Cluster.GossipMode.Default, accName).ConfigureAwait(false);
            });
        }
    }

    /// <summary>Go's removeAllRoutesExcept: after taking another cluster name, routes to other servers go.</summary>
    internal void RemoveAllRoutesExcept(string remoteId)
    {
        List<ClientConnection> close;
        lock (_routeLock) close = EachRoute().Where(r => r.RouteState!.RemoteId != remoteId).ToList();
        foreach (var r in close) r.Close(ClosedState.ClusterNameConflict);
    }

    /// <summary>Closes the route listener and every route (shutdown).</summary>
    private void ShutdownRoutes(List<ClientConnection> into)
    {
        lock (_routeLock)
        {
            try { _routeListener?.Close(); } catch (SocketException) { }
            _routeListener = null;
            into.AddRange(EachRoute());
            into.AddRange(_tmpRoutes.Values);
        }
    }

    // ---- client connect URLs ----

    /// <summary>Go's updateServerINFOAndSendINFOToClients: the client URLs of other servers are added to (or removed
    /// from) INFO's connect_urls, and clients that take async INFO are sent the new one (lock held).</summary>
    private void UpdateConnectUrlsAndSendInfoToClients(string[] urls, bool add)
    {
        bool updated = false;
        foreach (var u in urls)
        {
            if (add)
            {
                if (_clientConnectUrlsMap.TryGetValue(u, out int n)) _clientConnectUrlsMap[u] = n + 1;
                else { _clientConnectUrlsMap[u] = 1; updated = true; }
            }
            else if (_clientConnectUrlsMap.TryGetValue(u, out int n))
            {
                if (n <= 1) { _clientConnectUrlsMap.Remove(u); updated = true; }
                else _clientConnectUrlsMap[u] = n - 1;
            }
        }
        if (!updated) return;
        _info.ConnectUrls = [.. _clientConnectUrls, .. _clientConnectUrlsMap.Keys];
        SendAsyncInfoToClients();
    }

    /// <summary>Go's sendAsyncInfoToClients: the server INFO to every client that completed its first PING/PONG.</summary>
    private void SendAsyncInfoToClients()
    {
        if (!Running) return;
        foreach (var c in _clients.Values)
        {
            if (!c.TakesAsyncInfo || c.IsInternal) continue;
            c.EnqueueProto(ClientAsyncInfoFor(c));
        }
    }

    /// <summary>Go's generateClientInfoJSON for an async INFO.</summary>
    private byte[] ClientAsyncInfoFor(ClientConnection c)
    {
        var info = _info.Clone();
        info.ClientId = c.Cid;
        info.ClientIp = c.RemoteHost;
        info.MaxPayload = c.MaxPayload;
        info.Nonce = null;
        return info.ToProtocol();
    }

    // ---- monitoring ----

    /// <summary>The registered route connections, pooled then pinned.</summary>
    internal List<ClientConnection> RouteConnections()
    {
        lock (_routeLock) return EachRoute().ToList();
    }

    /// <summary>The number of route connections (Go's numRoutes).</summary>
    public int NumRoutes
    {
        get { lock (_routeLock) return EachRoute().Count(); }
    }

    /// <summary>The number of remote servers this one has routes to (Go's numRemotes).</summary>
    public int NumRemotes
    {
        get { lock (_routeLock) return _routes.Count; }
    }

    /// <summary>The pooled routes per remote server id (Go's s.routes), copied.</summary>
    internal Dictionary<string, ClientConnection?[]> RoutePools()
    {
        lock (_routeLock) return _routes.ToDictionary(kv => kv.Key, kv => (ClientConnection?[])kv.Value.Clone());
    }

    /// <summary>The dedicated routes of a pinned account per remote server id (Go's s.accRoutes[acc]), copied.</summary>
    internal Dictionary<string, ClientConnection> AccountRoutes(string acc)
    {
        lock (_routeLock) return _accRoutes is not null && _accRoutes.TryGetValue(acc, out var c) ? new(c) : [];
    }

    /// <summary>Go's routesPoolSize and len(accRoutes): the route connections this server keeps per remote.</summary>
    internal (int PoolSize, int PinnedAccounts) RouteCounts
    {
        get { lock (_routeLock) return (_routesPoolSize, _accRoutes?.Count ?? 0); }
    }

    /// <summary>Go's NumSubscriptions: the subscriptions of every account, local and remote.</summary>
    public uint NumSubscriptions()
    {
        uint n = 0;
        foreach (var a in _accounts.Values) n += a.Sublist.Count;
        return n;
    }

    /// <summary>The route INFO (routez's import/export and cluster port); null without a cluster.</summary>
    internal ServerInfo? RouteInfo
    {
        get { lock (_routeLock) return _routeInfo?.Clone(); }
    }
}

/// <summary>Go's nuid: 22 characters from the base-62 alphabet.</summary>
internal static class Nuid
{
    private const string Digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Next()
    {
        Span<char> c = stackalloc char[22];
        for (int i = 0; i < c.Length; i++) c[i] = Digits[System.Security.Cryptography.RandomNumberGenerator.GetInt32(Digits.Length)];
        return new string(c);
    }
}
