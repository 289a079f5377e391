namespace NatsParity.Server.Auth.Jwt;

/// <summary>
/// Go's DirAccResolver (resolver: { type: full }) and CacheDirAccResolver (type: cache): account JWTs kept in a
/// directory and kept current over the system account, where operators push them ($SYS.REQ.CLAIMS.UPDATE), list and
/// delete them, and servers look them up ($SYS.REQ.ACCOUNT.&lt;id&gt;.CLAIMS.LOOKUP) from each other. A full resolver
/// keeps every JWT pushed to it; a cache keeps the ones in use, for a time to live and up to a limit.
/// </summary>
public sealed class DirAccountResolver : IAccountResolver, IDisposable
{
    private DirAccountResolver(DirJwtStore store, bool cache, TimeSpan syncInterval, TimeSpan ttl, TimeSpan? fetchTimeout)
    {
        JwtStore = store;
        IsCache = cache;
        SyncInterval = syncInterval;
        Ttl = ttl;
        if (fetchTimeout is { } to)
        {
            if (to <= TimeSpan.Zero) throw new ArgumentException($"Fetch timeout {Config.ServerOptions.GoDuration(to)} is too smal");
            FetchTimeout = to;
        }
    }

    /// <summary>Go's NewDirAccResolver: every JWT kept (<paramref name="limit"/> 0 for no limit), the store compared
    /// with other servers every <paramref name="syncInterval"/> (a minute when not set).</summary>
    public static DirAccountResolver Full(string dir, long limit, TimeSpan syncInterval, JwtDeleteType delete, TimeSpan? fetchTimeout = null)
    {
        if (limit == 0) limit = long.MaxValue;
        if (syncInterval <= TimeSpan.Zero) syncInterval = TimeSpan.FromMinutes(1);
        var store = DirJwtStore.CreateExpiring(dir, false, true, delete, TimeSpan.Zero, limit, false, TimeSpan.Zero, null);
        return new DirAccountResolver(store, false, syncInterval, TimeSpan.Zero, fetchTimeout);
    }

    /// <summary>Go's NewCacheDirAccResolver: up to <paramref name="limit"/> JWTs (1000 when not set), the least
    /// recently used evicted, each for <paramref name="ttl"/>.</summary>
    public static DirAccountResolver Cache(string dir, long limit, TimeSpan ttl, TimeSpan? fetchTimeout = null)
    {
        if (limit <= 0) limit = 1_000;
        var store = DirJwtStore.CreateExpiring(dir, false, true, JwtDeleteType.HardDelete, TimeSpan.Zero, limit, true, ttl, null);
        return new DirAccountResolver(store, true, TimeSpan.Zero, ttl, fetchTimeout);
    }

    public DirJwtStore JwtStore { get; }
    public bool IsCache { get; }
    public TimeSpan SyncInterval { get; }
    public TimeSpan Ttl { get; }

    /// <summary>How long a lookup from other servers may take (Go's DEFAULT_ACCOUNT_FETCH_TIMEOUT by default).</summary>
    public TimeSpan FetchTimeout { get; } = UrlAccountResolver.DefaultFetchTimeout;

    private volatile NatsServer? _server;

    public bool IsTrackingUpdate => true;

    /// <summary>The stored JWT, else the one another server answers a lookup with (then stored).</summary>
    public string? Fetch(string name)
    {
        try
        {
            string jwt = JwtStore.LoadAcc(name);
            if (jwt.Length > 0) return jwt;
        }
        catch (IOException)
        {
        }
        return _server?.Events?.FetchAccountJwt(this, name, FetchTimeout);
    }

    /// <summary>Go's Store: kept unless the stored one is newer.</summary>
    public void Store(string name, string jwt) => JwtStore.SaveIfNewer(name, jwt);

    public void Start(NatsServer server)
    {
        _server = server;
        server.StartDirResolver(this);
    }

    public void Reload() => JwtStore.Reload();

    public void Close() => JwtStore.Dispose();

    public void Dispose() => JwtStore.Dispose();
}
