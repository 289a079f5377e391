using NatsParity.Server.Config;
using NatsParity.Server.Logging;

namespace NatsParity.Server.Ocsp;

/// <summary>Go's OCSPResponseCacheStats (varz ocsp_peer_cache).</summary>
public readonly record struct OcspResponseCacheStats(long Responses, long Hits, long Misses, long Revokes, long Goods, long Unknowns);

/// <summary>Go's OCSPResponseCache: OCSP peer responses keyed by the certificate's SHA-256 fingerprint. The "none"
/// type keeps nothing; "local" keeps them in memory.</summary>
internal sealed class OcspResponseCache(OcspResponseCacheConfig config)
{
    private readonly record struct Item(string Subject, DateTime CachedAt, OcspStatus Status, DateTime? Expires, byte[] Raw);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private long _hits, _misses, _goods, _revokes, _unknowns;
    private bool _online;

    public OcspResponseCacheConfig Config => config;
    public string Type => config.Type == OcspResponseCacheType.None ? "none" : "local";
    public bool Local => config.Type == OcspResponseCacheType.Local;

    public void Start(ServerLogger l)
    {
        if (Local) l.Debug("Starting OCSP peer cache");
        lock (_lock) _online = true;
        l.Notice($"OCSP peer cache online, type [{Type}]");
    }

    public void Stop(ServerLogger l)
    {
        if (Local) l.Debug("Stopping OCSP peer cache");
        lock (_lock) _online = false;
    }

    public OcspResponseCacheStats Stats()
    {
        lock (_lock) return new(_items.Count, _hits, _misses, _revokes, _goods, _unknowns);
    }

    public byte[]? Get(string key, ServerLogger l)
    {
        if (!Local) return null;
        lock (_lock)
        {
            if (!_online || key.Length == 0) return null;
            if (_items.TryGetValue(key, out var item))
            {
                _hits++;
                l.Debug($"OCSP peer cache hit for key [{key}]");
                return item.Raw;
            }
            _misses++;
            l.Debug($"OCSP peer cache miss for key [{key}]");
            return null;
        }
    }

    public void Put(string key, OcspResponse resp, string subject, ServerLogger l)
    {
        if (!Local) return;
        lock (_lock)
        {
            if (!_online || key.Length == 0) return;
            l.Debug($"Caching OCSP response for [{subject}], key [{key}]");
            if (_items.TryGetValue(key, out var old)) Count(old.Status, -1);
            _items[key] = new Item(subject, DateTime.UtcNow, resp.Status, resp.NextUpdate, resp.Raw);
            Count(resp.Status, 1);
        }
    }

    /// <summary>Go's LocalCache.Delete: a cached revocation survives when preserve_revoked is set; a delete after a
    /// hit that turned out unusable counts that hit as a miss.</summary>
    public void Delete(string key, bool wasMiss, ServerLogger l)
    {
        if (!Local) return;
        lock (_lock)
        {
            if (!_online || key.Length == 0 || !_items.TryGetValue(key, out var item)) return;
            if (item.Status == OcspStatus.Revoked && config.PreserveRevoked)
            {
                l.Debug($"Revoked OCSP response for key [{key}] preserved by cache policy");
                if (wasMiss) HitToMiss();
                return;
            }
            l.Debug($"Deleting OCSP peer cached response for key [{key}]");
            _items.Remove(key);
            Count(item.Status, -1);
            if (wasMiss) HitToMiss();
        }
    }

    private void HitToMiss()
    {
        _misses++;
        _hits--;
    }

    private void Count(OcspStatus status, int delta)
    {
        switch (status)
        {
            case OcspStatus.Good: _goods += delta; break;
            case OcspStatus.Revoked: _revokes += delta; break;
            default: _unknowns += delta; break;
        }
    }
}
