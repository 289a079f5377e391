using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IODirectory = System.IO.Directory;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>What a <see cref="DirJwtStore"/> does with the file of a deleted account (Go's deleteType).</summary>
public enum JwtDeleteType { NoDelete, RenameDeleted, HardDelete }

/// <summary>
/// Go's DirJWTStore (server/dirstore.go): one "&lt;public key&gt;.jwt" file per account JWT in a directory, optionally
/// sharded into subdirectories named by a key's last two characters. An expiring store also indexes its files: it
/// removes them when their JWT expires (or their TTL passes without use), caps their number (refusing writes or
/// evicting the least recently used) and keeps the XOR of their SHA-256 hashes, which servers compare to sync.
/// </summary>
public sealed class DirJwtStore : IDisposable
{
    private const string FileExtension = ".jwt";
    private static readonly TimeSpan MaxTimerPeriod = TimeSpan.FromMilliseconds(0xfffffffe);

    private readonly object _mu = new();
    private readonly bool _shard;
    private ExpirationTracker? _expiration;

    private DirJwtStore(string directory, bool shard, JwtDeleteType delete)
    {
        Directory = directory;
        _shard = shard;
        DeleteType = delete;
    }

    /// <summary>A read-only store over an existing directory (Go's NewImmutableDirJWTStore).</summary>
    public static DirJwtStore CreateImmutable(string dir, bool shard)
    {
        var store = Create(dir, shard, create: false);
        store.IsReadOnly = true;
        return store;
    }

    /// <summary>A store without expiration or limits (Go's NewDirJWTStore).</summary>
    public static DirJwtStore Create(string dir, bool shard, bool create) => new(NewDir(dir, create), shard, JwtDeleteType.NoDelete);

    /// <summary>
    /// An indexed store (Go's NewExpiringDirJWTStore). A non-zero <paramref name="ttl"/> replaces the JWTs' own
    /// expiration (<see cref="TimeSpan.MaxValue"/>: never expire); <paramref name="limit"/> &lt;= 0 is no limit.
    /// </summary>
    public static DirJwtStore CreateExpiring(string dir, bool shard, bool create, JwtDeleteType delete, TimeSpan expireCheck,
        long limit, bool evictOnLimit, TimeSpan ttl, Action<string>? changeNotification)
    {
        var store = new DirJwtStore(NewDir(dir, create), shard, delete) { Changed = changeNotification };
        if (expireCheck <= TimeSpan.Zero)
        {
            if (ttl != TimeSpan.Zero) expireCheck = TimeSpan.FromTicks(ttl.Ticks / 2);
            if (expireCheck == TimeSpan.Zero || expireCheck > TimeSpan.FromMinutes(1)) expireCheck = TimeSpan.FromMinutes(1);
        }
        var pq = new ExpirationTracker(limit <= 0 ? long.MaxValue : limit, evictOnLimit, ttl);
        var period = expireCheck > MaxTimerPeriod ? Timeout.InfiniteTimeSpan : expireCheck;
        lock (store._mu)
        {
            store._expiration = pq;
            pq.Timer = new Timer(_ => store.RemoveExpired(pq), null, period, period);
            foreach (var path in WalkJwtFiles(store.Directory))
                if (TryRead(path) is { } data)
                    pq.Track(KeyOfFile(path), SHA256.HashData(data), Encoding.UTF8.GetString(data));
        }
        return store;
    }

    public string Directory { get; }
    public JwtDeleteType DeleteType { get; }
    /// <summary>Called with the public key after a write changed what the store holds.</summary>
    public Action<string>? Changed { get; set; }
    /// <summary>Called with the public key after its file was deleted or renamed.</summary>
    public Action<string>? Deleted { get; set; }
    /// <summary>The trusted operator keys (the resolver checks delete requests against them).</summary>
    public HashSet<string> OperatorKeys { get; set; } = new(StringComparer.Ordinal);
    public bool IsReadOnly { get; private set; }

    /// <summary>The account JWT; <see cref="FileNotFoundException"/> when the store has none.</summary>
    public string LoadAcc(string publicKey) => Load(publicKey);
    public void SaveAcc(string publicKey, string jwt) => Save(publicKey, jwt);
    public string LoadAct(string hash) => Load(hash);
    public void SaveAct(string hash, string jwt) => Save(hash, jwt);

    public void Dispose()
    {
        lock (_mu)
        {
            _expiration?.Timer?.Dispose();
            _expiration = null;
        }
    }

    /// <summary>Up to <paramref name="maxJwts"/> (negative: all) unexpired JWTs as "key|jwt" lines.</summary>
    public string Pack(int maxJwts)
    {
        var pack = new List<string>();
        lock (_mu)
        {
            foreach (var path in WalkJwtFiles(Directory))
            {
                if (pack.Count == maxJwts) break;
                string pubKey = KeyOfFile(path);
                if (_expiration is not null && !_expiration.Idx.ContainsKey(pubKey)) continue;
                string jwt = File.ReadAllText(path);
                if (_expiration is not null && IsExpired(jwt)) continue;
                pack.Add($"{pubKey}|{jwt}");
            }
        }
        return string.Join('\n', pack);
    }

    /// <summary>Hands <paramref name="callback"/> the store's unexpired JWTs as packs of up to <paramref name="maxJwts"/> lines.</summary>
    public void PackWalk(int maxJwts, Action<string> callback)
    {
        if (maxJwts <= 0 || callback is null) throw new ArgumentException("bad arguments to PackWalk");
        ExpirationTracker? exp;
        lock (_mu) exp = _expiration;
        var pack = new List<string>();
        Exception? error = null;
        try
        {
            foreach (var path in WalkJwtFiles(Directory))
            {
                string pubKey = KeyOfFile(path);
                if (exp is not null)
                    lock (_mu)
                        if (!exp.Idx.ContainsKey(pubKey)) continue;
                string jwt = File.ReadAllText(path);
                if (jwt.Length == 0 || (exp is not null && IsExpired(jwt))) continue;
                pack.Add($"{pubKey}|{jwt}");
                if (pack.Count == maxJwts)
                {
                    callback(string.Join('\n', pack));
                    pack.Clear();
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { error = e; }
        // Go's PackWalk hands over what it gathered even when the walk failed part way.
        if (pack.Count > 0) callback(string.Join('\n', pack));
        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Stores each "key|jwt" line of <paramref name="pack"/> unless the store holds the same or a newer JWT.</summary>
    public void Merge(string pack)
    {
        foreach (var line in pack.Split('\n'))
        {
            if (line.Length == 0) continue;
            var split = line.Split('|');
            if (split.Length != 2) throw new ArgumentException($"line in package didn't contain 2 entries: \"{line}\"");
            if (!NKeys.IsValidPublicAccountKey(split[0])) throw new ArgumentException("key to merge is not a valid public account key");
            SaveIfNewer(split[0], split[1]);
        }
    }

    /// <summary>Rebuilds the index from the directory; <see cref="Changed"/> for files that are new (for a cache) or differ.</summary>
    public void Reload()
    {
        ExpirationTracker exp;
        Dictionary<string, LinkedListNode<JwtItem>> idx;
        Action<string>? changed;
        lock (_mu)
        {
            if (_expiration is null || IsReadOnly) return;
            exp = _expiration;
            changed = Changed;
            idx = exp.Clear();
        }
        foreach (var path in WalkJwtFiles(Directory))
        {
            if (TryRead(path) is not { } data) continue;
            byte[] hash = SHA256.HashData(data);
            string pkey = KeyOfFile(path);
            // A cache may have evicted the file, so one it did not index still counts as a change.
            bool notify = idx.TryGetValue(pkey, out var old) ? !old.Value.Hash.AsSpan().SequenceEqual(hash) : exp.EvictOnLimit;
            lock (_mu) exp.Track(pkey, hash, Encoding.UTF8.GetString(data));
            if (notify) changed?.Invoke(pkey);
        }
    }

    /// <summary>The XOR of the SHA-256 of every indexed JWT; zeros for a store without an index.</summary>
    public byte[] Hash()
    {
        lock (_mu) return _expiration?.Hash.ToArray() ?? new byte[SHA256.HashSizeInBytes];
    }

    internal void Save(string publicKey, string jwt)
    {
        if (IsReadOnly) throw new InvalidOperationException("store is read-only");
        bool changed;
        Action<string>? cb;
        lock (_mu)
        {
            string path = PathForKey(publicKey);
            if (path.Length == 0) throw new ArgumentException("invalid public key");
            EnsureDirectory(Path.GetDirectoryName(path)!);
            changed = Write(path, publicKey, jwt);
            cb = Changed;
        }
        if (changed) cb?.Invoke(publicKey);
    }

    /// <summary>Saves unless the stored JWT is the same one or was issued later.</summary>
    internal void SaveIfNewer(string publicKey, string jwt)
    {
        if (IsReadOnly) throw new InvalidOperationException("store is read-only");
        string path = PathForKey(publicKey);
        if (path.Length == 0) throw new ArgumentException("invalid public key");
        bool changed;
        Action<string>? cb;
        lock (_mu)
        {
            EnsureDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path))
            {
                var newJwt = JwtCodec.DecodeVerified(jwt);
                JsonObject? existing = null;
                try { existing = JwtCodec.DecodeVerified(File.ReadAllText(path)); }
                catch (JwtException) { } // an undecodable stored JWT is simply replaced
                if (existing is not null)
                {
                    if (JwtClaims.Str(existing, "jti") == JwtClaims.Str(newJwt, "jti")) return;
                    if (JwtClaims.Long(existing, "iat") > JwtClaims.Long(newJwt, "iat")) return;
                    if (JwtClaims.Str(newJwt, "sub") != publicKey) throw new ArgumentException("jwt subject nkey and provided nkey do not match");
                    if (JwtClaims.Str(existing, "sub") != JwtClaims.Str(newJwt, "sub")) throw new ArgumentException("subject of existing and new jwt do not match");
                }
            }
            changed = Write(path, publicKey, jwt);
            cb = Changed;
        }
        if (changed) cb?.Invoke(publicKey);
    }

    internal void Delete(string publicKey)
    {
        if (IsReadOnly) throw new InvalidOperationException("store is read-only");
        if (DeleteType == JwtDeleteType.NoDelete) throw new InvalidOperationException("store is not set up to for delete");
        Action<string>? cb;
        lock (_mu)
        {
            string name = PathForKey(publicKey);
            if (!File.Exists(name)) return;
            if (DeleteType == JwtDeleteType.RenameDeleted) File.Move(name, name + ".deleted", overwrite: true);
            else File.Delete(name);
            _expiration?.Untrack(publicKey);
            cb = Deleted;
        }
        cb?.Invoke(publicKey);
    }

    /// <summary>Index sizes (keys, LRU list, expiration queue) for tests.</summary>
    internal (int Idx, int Lru, int Heap) TrackedCounts()
    {
        lock (_mu) return _expiration is { } e ? (e.Idx.Count, e.Lru.Count, e.Heap.Count) : (0, 0, 0);
    }

    private string Load(string publicKey)
    {
        lock (_mu)
        {
            string path = PathForKey(publicKey);
            if (path.Length == 0) throw new ArgumentException("invalid public key");
            string data;
            try { data = File.ReadAllText(path); }
            catch (DirectoryNotFoundException e) { throw new FileNotFoundException(e.Message, path, e); } // an absent shard
            _expiration?.UpdateTrack(publicKey);
            return data;
        }
    }

    /// <summary>Writes the file and keeps the index in step; false when the JWT was already stored. Lock held.</summary>
    private bool Write(string path, string publicKey, string jwt)
    {
        if (jwt.Length == 0) throw new ArgumentException("invalid JWT");
        byte[] data = Encoding.UTF8.GetBytes(jwt);
        byte[]? newHash = null;
        if (_expiration is { } exp)
        {
            newHash = SHA256.HashData(data);
            if (exp.Idx.TryGetValue(publicKey, out var node))
            {
                exp.UpdateTrack(publicKey);
                if (node.Value.Hash.AsSpan().SequenceEqual(newHash)) return false;
            }
            else if (exp.Heap.Count >= exp.Limit)
            {
                if (!exp.EvictOnLimit) throw new InvalidOperationException("jwt store is full");
                string lru = exp.Lru.First!.Value.PublicKey;
                RemoveFile(PathForKey(lru));
                exp.Untrack(lru);
            }
        }
        using (var f = new FileStream(path, FileWriteOptions()))
            f.Write(data);
        _expiration?.Track(publicKey, newHash!, jwt);
        return true;
    }

    /// <summary>Go's os.WriteFile with defaultFilePerms (0640 for a new file).</summary>
    private static FileStreamOptions FileWriteOptions()
    {
        var o = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) o.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        return o;
    }

    /// <summary>The timer's sweep: removes the files whose expiration passed, soonest first.</summary>
    private void RemoveExpired(ExpirationTracker pq)
    {
        lock (_mu)
        {
            if (_expiration != pq) return;
            long now = NowNanos();
            while (pq.Heap.Count > 0 && pq.Heap.Min!.Expiration <= now)
            {
                string key = pq.Heap.Min.PublicKey;
                // As in Go, an entry whose file cannot be removed stays at the head until a later sweep succeeds.
                try { RemoveFile(PathForKey(key)); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
                pq.Untrack(key);
            }
        }
    }

    private string PathForKey(string publicKey)
    {
        if (publicKey.Length < 2 || !NKeys.IsValidPublicKey(publicKey)) return "";
        string fileName = publicKey + FileExtension;
        return _shard ? Path.Combine(Directory, publicKey[^2..], fileName) : Path.Combine(Directory, fileName);
    }

    private static string KeyOfFile(string path) => Path.GetFileName(path)[..^FileExtension.Length];

    private static bool IsExpired(string jwt)
    {
        try
        {
            long exp = JwtClaims.Long(JwtCodec.DecodeVerified(jwt), "exp");
            return exp > 0 && exp < DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        }
        catch (JwtException) { return false; }
    }

    private static byte[]? TryRead(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>Go's os.Remove: an absent file is an error.</summary>
    private static void RemoveFile(string path)
    {
        if (path.Length == 0 || !File.Exists(path)) throw new FileNotFoundException("no such file", path);
        File.Delete(path);
    }

    /// <summary>The non-directory entries named *.jwt under <paramref name="dir"/>, in Go's filepath.Walk (lexical) order.</summary>
    private static IEnumerable<string> WalkJwtFiles(string dir)
    {
        FileSystemInfo[] entries;
        try { entries = new DirectoryInfo(dir).GetFileSystemInfos(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { entries = []; }
        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var e in entries)
        {
            if (e is DirectoryInfo && e.LinkTarget is null)
            {
                foreach (var f in WalkJwtFiles(e.FullName)) yield return f;
            }
            else if (e.Name.EndsWith(FileExtension, StringComparison.Ordinal))
            {
                yield return e.FullName;
            }
        }
    }

    /// <summary>Go's newDir: the absolute path of an existing directory, made first when <paramref name="create"/>.</summary>
    private static string NewDir(string dirPath, bool create)
    {
        try { return ValidateDirPath(dirPath); }
        catch (IOException) when (create)
        {
            EnsureDirectory(dirPath);
            return ValidateDirPath(dirPath);
        }
    }

    /// <summary>Go's validateDirPath: the absolute path, which must exist and be a directory.</summary>
    private static string ValidateDirPath(string path)
    {
        if (path.Length == 0) throw new ArgumentException("path is not specified");
        string abs = Path.GetFullPath(path);
        FileAttributes attrs;
        try { attrs = File.GetAttributes(abs); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new DirectoryNotFoundException($"the path [{abs}] doesn't exist"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new IOException($"error accessing path [{abs}]: {e.Message}", e); }
        if ((attrs & FileAttributes.Directory) == 0) throw new IOException($"the path [{abs}] is not a directory");
        return abs;
    }

    private static void EnsureDirectory(string dir)
    {
        if (IODirectory.Exists(dir)) return;
        try
        {
            if (OperatingSystem.IsWindows()) IODirectory.CreateDirectory(dir);
            else IODirectory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        catch (UnauthorizedAccessException e) { throw new IOException(e.Message, e); }
    }

    private static long NowNanos() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    private static long Saturate(Int128 v) => (long)Int128.Clamp(v, long.MinValue, long.MaxValue);

    /// <summary>An indexed JWT: its expiration (Unix nanoseconds) and content hash.</summary>
    private sealed class JwtItem(string publicKey, long expiration, byte[] hash, long seq)
    {
        public string PublicKey { get; } = publicKey;
        public long Expiration { get; set; } = expiration;
        public byte[] Hash { get; set; } = hash;
        public long Seq { get; } = seq;
    }

    /// <summary>Go's expirationTracker: the index by key, the LRU order, the expiration queue and the XOR hash. Store lock held.</summary>
    private sealed class ExpirationTracker(long limit, bool evictOnLimit, TimeSpan ttl)
    {
        private static readonly Comparer<JwtItem> ByExpiration = Comparer<JwtItem>.Create((a, b) =>
            a.Expiration != b.Expiration ? a.Expiration.CompareTo(b.Expiration) : a.Seq.CompareTo(b.Seq));
        private long _seq;

        public Dictionary<string, LinkedListNode<JwtItem>> Idx { get; private set; } = new(StringComparer.Ordinal);
        public LinkedList<JwtItem> Lru { get; private set; } = new();
        public SortedSet<JwtItem> Heap { get; } = new(ByExpiration);
        public byte[] Hash { get; } = new byte[SHA256.HashSizeInBytes];
        public long Limit { get; } = limit;
        public bool EvictOnLimit { get; } = evictOnLimit;
        public Timer? Timer { get; set; }

        /// <summary>Empties the index; the old key index, for comparing hashes.</summary>
        public Dictionary<string, LinkedListNode<JwtItem>> Clear()
        {
            var old = Idx;
            Idx = new(StringComparer.Ordinal);
            Lru = new();
            Heap.Clear();
            Array.Clear(Hash);
            return old;
        }

        public void Track(string publicKey, byte[] hash, string jwt)
        {
            long exp = 0;
            if (ttl != TimeSpan.Zero)
            {
                exp = ttl == TimeSpan.MaxValue ? long.MaxValue : Saturate((Int128)NowNanos() + (Int128)ttl.Ticks * 100);
            }
            else
            {
                try { exp = Saturate((Int128)JwtClaims.Long(JwtCodec.DecodeVerified(jwt), "exp") * 1_000_000_000); }
                catch (JwtException) { }
                if (exp == 0) exp = long.MaxValue;
            }
            if (Idx.TryGetValue(publicKey, out var node))
            {
                Xor(node.Value.Hash);
                SetExpiration(node.Value, exp);
                node.Value.Hash = hash;
            }
            else
            {
                var item = new JwtItem(publicKey, exp, hash, _seq++);
                Heap.Add(item);
                Idx[publicKey] = Lru.AddLast(item);
            }
            Xor(hash);
        }

        /// <summary>A use of the key: its TTL restarts and it becomes the most recently used.</summary>
        public void UpdateTrack(string publicKey)
        {
            if (!Idx.TryGetValue(publicKey, out var node)) return;
            if (ttl != TimeSpan.Zero) SetExpiration(node.Value, Saturate((Int128)NowNanos() + (Int128)ttl.Ticks * 100));
            if (EvictOnLimit)
            {
                Lru.Remove(node);
                Lru.AddLast(node);
            }
        }

        public void Untrack(string publicKey)
        {
            if (!Idx.Remove(publicKey, out var node)) return;
            Xor(node.Value.Hash);
            Heap.Remove(node.Value);
            Lru.Remove(node);
        }

        private void SetExpiration(JwtItem item, long exp)
        {
            Heap.Remove(item);
            item.Expiration = exp;
            Heap.Add(item);
        }

        private void Xor(byte[] h)
        {
            for (int i = 0; i < Hash.Length; i++) Hash[i] ^= h[i];
        }
    }
}
