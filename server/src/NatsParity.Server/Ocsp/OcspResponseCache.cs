using System.Globalization;
using System.Text;
using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;

namespace NatsParity.Server.Ocsp;

/// <summary>Go's OCSPResponseCacheStats (varz ocsp_peer_cache).</summary>
public readonly record struct OcspResponseCacheStats(long Responses, long Hits, long Misses, long Revokes, long Goods, long Unknowns);

/// <summary>Go's OCSPResponseCache: OCSP peer responses keyed by the certificate's SHA-256 fingerprint. The "none"
/// type keeps nothing; "local" keeps them in memory, loads them from local_store/cache.json at start and saves them
/// there (Go's JSON, responses S2-compressed) every save_interval when changed and at stop.</summary>
internal sealed class OcspResponseCache(OcspResponseCacheConfig config)
{
    /// <summary>Raw is the DER response, or its S2 stream as loaded from the store when Compressed.</summary>
    private readonly record struct Item(string Subject, DateTime CachedAt, OcspStatus Status, DateTime? Expires, byte[] Raw, bool Compressed = false);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Item> _items = new(StringComparer.Ordinal);
    private long _hits, _misses, _goods, _revokes, _unknowns;
    private bool _online, _dirty;
    private Timer? _saveTimer;
    private ServerLogger? _log;

    public OcspResponseCacheConfig Config => config;
    public string Type => config.Type == OcspResponseCacheType.None ? "none" : "local";
    public bool Local => config.Type == OcspResponseCacheType.Local;

    public void Start(ServerLogger l)
    {
        if (Local)
        {
            l.Debug("Starting OCSP peer cache");
            _log = l;
            Load(l);
            _saveTimer = new Timer(_ =>
            {
                var log = _log;
                if (log is null) return;
                log.Debug("OCSP peer cache save timer expired");
                Save(log);
            }, null, config.SaveInterval, config.SaveInterval);
        }
        lock (_lock) _online = true;
        l.Notice($"OCSP peer cache online, type [{Type}]");
    }

    public void Stop(ServerLogger l)
    {
        if (!Local)
        {
            lock (_lock) _online = false;
            return;
        }
        lock (_lock)
        {
            l.Debug("Stopping OCSP peer cache");
            _online = false;
        }
        _saveTimer?.Dispose();
        _log = null;
        Save(l);
    }

    private string StorePath => Path.GetFullPath(Path.Combine(config.LocalStore.Length > 0 ? config.LocalStore : OcspResponseCacheConfig.DefaultDir, "cache.json"));

    /// <summary>Go's LocalCache.loadCache: a missing file is an empty cache; an unreadable one is replaced at the next save.</summary>
    private void Load(ServerLogger l)
    {
        string store = StorePath;
        l.Debug($"Loading OCSP peer cache [{store}]");
        lock (_lock)
        {
            _items.Clear();
            _hits = _misses = _goods = _revokes = _unknowns = 0;
            byte[] data;
            try { data = File.ReadAllBytes(store); }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                l.Debug("No OCSP peer cache found, starting with empty cache");
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                l.Warn($"Unable to load OCSP peer cache: {e.Message}");
                return;
            }
            try
            {
                using var doc = JsonDocument.Parse(data);
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    var v = p.Value;
                    var status = (v.TryGetProperty("resp_status", out var rs) ? rs.GetString() : null) switch
                    {
                        "good" => OcspStatus.Good,
                        "revoked" => OcspStatus.Revoked,
                        _ => OcspStatus.Unknown,
                    };
                    DateTime? expires = v.TryGetProperty("resp_expires", out var re) && re.GetDateTime() is var exp && exp != default ? exp.ToUniversalTime() : null;
                    var cachedAt = v.TryGetProperty("cached_at", out var ca) ? ca.GetDateTime().ToUniversalTime() : default;
                    byte[] raw = v.TryGetProperty("resp", out var r) && r.ValueKind == JsonValueKind.String ? r.GetBytesFromBase64() : [];
                    string subject = v.TryGetProperty("subject", out var sj) ? sj.GetString() ?? "" : "";
                    _items[p.Name] = new Item(subject, cachedAt, status, expires, raw, Compressed: true);
                    Count(status, 1);
                }
                _dirty = false;
            }
            catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
            {
                _items.Clear();
                _goods = _revokes = _unknowns = 0;
                l.Warn($"Unable to load OCSP peer cache: {e.Message}");
                _dirty = true;
            }
        }
    }

    /// <summary>Go's LocalCache.saveCache: when changed, the whole cache to a temp file renamed over cache.json.</summary>
    internal void Save(ServerLogger l)
    {
        lock (_lock)
        {
            if (!_dirty) return;
            l.Debug("OCSP peer cache is dirty, saving");
            string store = StorePath, dir = Path.GetDirectoryName(store)!;
            l.Debug($"Saving OCSP peer cache [{store}]");
            string? tmp = null;
            try
            {
                Directory.CreateDirectory(dir);
                tmp = Path.Combine(dir, "ocsprc-" + Path.GetRandomFileName());
                byte[] json = Serialize();
                using (var f = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
                {
                    f.Write(json);
                    f.Flush(flushToDisk: true);
                }
                File.Move(tmp, store, overwrite: true);
                tmp = null;
                _dirty = false;
                l.Debug($"Saved OCSP peer cache successfully ({json.Length} bytes)");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                l.Error($"Unable to save OCSP peer cache: {e.Message}");
            }
            finally
            {
                if (tmp is not null) try { File.Delete(tmp); } catch (IOException) { }
            }
        }
    }

    /// <summary>Go's json.MarshalIndent(cache, "", " ") of its OCSPResponseCacheItem map (keys sorted, as Go's maps are).</summary>
    private byte[] Serialize()
    {
        static string GoTime(DateTime t) => t.ToUniversalTime().ToString(t.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
        var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, IndentSize = 1, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            foreach (var (key, item) in _items.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject(key);
                if (item.Subject.Length > 0) w.WriteString("subject", item.Subject);
                w.WriteString("cached_at", GoTime(item.CachedAt));
                w.WriteString("resp_status", OcspPeer.StatusString((int)item.Status));
                w.WriteString("resp_expires", item.Expires is { } e ? GoTime(e) : "0001-01-01T00:00:00Z");
                w.WriteBase64String("resp", item.Compressed ? item.Raw : S2Stream.Encode(item.Raw));
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return ms.ToArray();
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
                if (!item.Compressed) return item.Raw;
                try
                {
                    var raw = S2Stream.Decode(item.Raw);
                    _items[key] = item with { Raw = raw, Compressed = false };
                    return raw;
                }
                catch (InvalidDataException e)
                {
                    l.Error($"Unable to decompress OCSP response for key [{key}]: error reading compression reader: {e.Message}");
                    return null;
                }
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
            // Go rounds cached_at to the second.
            long ticks = (DateTime.UtcNow.Ticks + TimeSpan.TicksPerSecond / 2) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond;
            _items[key] = new Item(subject, new DateTime(ticks, DateTimeKind.Utc), resp.Status, resp.NextUpdate, resp.Raw);
            Count(resp.Status, 1);
            _dirty = true;
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
            _dirty = true;
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
