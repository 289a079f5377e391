using System.Collections.Concurrent;
using System.Text;

namespace NatsParity.Server.Subscriptions;

/// <summary>Go's SublistStats, with the hidden totals its add() aggregates over.</summary>
public sealed class SublistStats
{
    public uint NumSubs { get; set; }
    public uint NumCache { get; set; }
    public ulong NumInserts { get; set; }
    public ulong NumRemoves { get; set; }
    public ulong NumMatches { get; set; }
    public double CacheHitRate { get; set; }
    public uint MaxFanout { get; set; }
    public double AvgFanout { get; set; }
    internal int TotalFanout { get; set; }
    internal int CacheCount { get; set; }
    internal ulong CacheHits { get; set; }

    /// <summary>Adds another sublist's stats (Go's SublistStats.add), recomputing the averages from the totals.</summary>
    public void Add(SublistStats stat)
    {
        NumSubs += stat.NumSubs;
        NumCache += stat.NumCache;
        NumInserts += stat.NumInserts;
        NumRemoves += stat.NumRemoves;
        NumMatches += stat.NumMatches;
        CacheHits += stat.CacheHits;
        MaxFanout = Math.Max(MaxFanout, stat.MaxFanout);
        TotalFanout += stat.TotalFanout;
        CacheCount += stat.CacheCount;
        if (TotalFanout > 0) AvgFanout = (double)TotalFanout / CacheCount;
        if (NumMatches > 0) CacheHitRate = (double)CacheHits / NumMatches;
    }
}

/// <summary>Go's sublist errors (ErrInvalidSubject, ErrNotFound) as results rather than exceptions.</summary>
public enum SublistError { None, InvalidSubject, NotFound }

/// <summary>The subscriptions matching one subject: plain subscribers, and one array per queue group.</summary>
public sealed class SublistResult(Subscription[] psubs, Subscription[][] qsubs)
{
    public static readonly SublistResult Empty = new([], []);
    public Subscription[] Psubs { get; } = psubs;
    public Subscription[][] Qsubs { get; } = qsubs;
}

/// <summary>
/// Subject-based subscription index: a token trie with '*' and '>' wildcards (Go's sublist.go) and a match cache
/// that is read without locks and without allocating, keyed by subject.
/// </summary>
public sealed class Sublist
{
    private const int CacheMax = 1024;
    private const int CacheSweep = 256;
    private const int StackSubjectMax = 512;

    private readonly object _lock = new();
    private readonly Level _root = new();
    private readonly ConcurrentDictionary<string, SublistResult>? _cache;
    private readonly ConcurrentDictionary<string, SublistResult>.AlternateLookup<ReadOnlySpan<char>> _cacheLookup;
    private uint _count;
    private long _generation;
    private int _cacheCount; // kept by hand under _lock: ConcurrentDictionary.Count takes every bucket lock
    private readonly List<Subscription> _scratchP = new();
    private readonly Dictionary<string, List<Subscription>> _scratchQ = new(StringComparer.Ordinal);
    private long _matches, _cacheHits, _inserts, _removes;

    public Sublist(bool enableCache = true)
    {
        if (enableCache)
        {
            _cache = new ConcurrentDictionary<string, SublistResult>(StringComparer.Ordinal);
            _cacheLookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    public uint Count { get { lock (_lock) return _count; } }
    public bool CacheEnabled => _cache is not null;

    /// <summary>Changes on every insert and remove, so a connection may keep its own last match until it does (Go's genid).</summary>
    public long Generation => Volatile.Read(ref _generation);
    public int CacheCount => _cache?.Count ?? 0;
    public long Matches => Interlocked.Read(ref _matches);
    public long CacheHits => Interlocked.Read(ref _cacheHits);
    public long Inserts => Interlocked.Read(ref _inserts);
    public long Removes => Interlocked.Read(ref _removes);

    /// <summary>Adds a subscription; false when its subject is not a valid subscription subject.</summary>
    public bool TryInsert(Subscription sub) => Insert(sub) == SublistError.None;

    /// <summary>Go's Insert: InvalidSubject for a subject that is not a valid subscription subject.</summary>
    public SublistError Insert(Subscription sub)
    {
        if (!SubjectValidation.IsValidSubject(sub.Subject)) return SublistError.InvalidSubject;
        lock (_lock)
        {
            var level = _root;
            Node node;
            // Tokens are looked up as spans: a token string is made only for a node that is new.
            ReadOnlySpan<char> rest = sub.Subject;
            while (true)
            {
                int dot = rest.IndexOf('.');
                var t = dot < 0 ? rest : rest[..dot];
                if (t is "*") node = level.Pwc ??= new Node();
                else if (t is ">") node = level.Fwc ??= new Node();
                else if (!level.Nodes.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(t, out node!))
                    level.Nodes[t.ToString()] = node = new Node();
                if (dot < 0) break;
                level = node.Next ??= new Level();
                rest = rest[(dot + 1)..];
            }
            node.Add(sub);
            _count++;
            Interlocked.Increment(ref _generation);
            _inserts++;
            if (_cache is not null)
            {
                // A remote queue subscription counts as many times as its weight: cached results holding its subject
                // are dropped rather than patched.
                bool remoteQueue = sub.IsRemoteQueueSub;
                foreach (var (subject, result) in _cache)
                {
                    if (!SubjectValidation.MatchLiteral(subject, sub.Subject)) continue;
                    if (!remoteQueue) _cache[subject] = WithAdded(result, sub);
                    else if (_cache.TryRemove(subject, out _)) _cacheCount--;
                }
            }
        }
        return SublistError.None;
    }

    /// <summary>Go's Remove: InvalidSubject for a malformed subject, NotFound when the subscription is not present.</summary>
    public SublistError Remove(Subscription sub)
    {
        if (!SubjectValidation.IsValidSubject(sub.Subject)) return SublistError.InvalidSubject;
        lock (_lock)
        {
            var tokens = sub.Subject.Split('.');
            if (!RemoveFrom(_root, tokens, 0, sub)) return SublistError.NotFound;
            _count--;
            Interlocked.Increment(ref _generation);
            _removes++;
            if (_cache is not null)
            {
                foreach (var (subject, _) in _cache)
                {
                    if (SubjectValidation.MatchLiteral(subject, sub.Subject) && _cache.TryRemove(subject, out _)) _cacheCount--;
                }
            }
            return SublistError.None;
        }
    }

    /// <summary>Go's UpdateRemoteQSub: the weight of a remote queue subscription changed, so matches holding its
    /// subject are computed again.</summary>
    public void UpdateRemoteQSub(Subscription sub)
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _generation);
            if (_cache is null) return;
            foreach (var (subject, _) in _cache)
                if (SubjectValidation.MatchLiteral(subject, sub.Subject) && _cache.TryRemove(subject, out _)) _cacheCount--;
        }
    }

    /// <summary>Go's RemoveBatch: removes every present subscription; NotFound if any was missing.</summary>
    public SublistError RemoveBatch(IEnumerable<Subscription> subs)
    {
        var result = SublistError.None;
        foreach (var sub in subs)
        {
            var e = Remove(sub);
            if (e != SublistError.None) result = e;
        }
        return result;
    }

    /// <summary>Depth of the trie (Go's numLevels), to check that removals prune empty levels.</summary>
    internal int NumLevels()
    {
        lock (_lock) return Depth(_root);
    }

    private static int Depth(Level? l)
    {
        if (l is null || l.IsEmpty) return 0;
        int max = 0;
        foreach (var n in l.Nodes.Values) max = Math.Max(max, Depth(n.Next));
        if (l.Pwc is not null) max = Math.Max(max, Depth(l.Pwc.Next));
        if (l.Fwc is not null) max = Math.Max(max, Depth(l.Fwc.Next));
        return 1 + max;
    }

    private static bool RemoveFrom(Level level, string[] tokens, int i, Subscription sub)
    {
        string t = tokens[i];
        Node? node = t switch { "*" => level.Pwc, ">" => level.Fwc, _ => level.Nodes.GetValueOrDefault(t) };
        if (node is null) return false;
        bool removed;
        if (i == tokens.Length - 1) removed = node.Remove(sub);
        else
        {
            if (node.Next is null) return false;
            removed = RemoveFrom(node.Next, tokens, i + 1, sub);
            if (removed && node.Next.IsEmpty) node.Next = null;
        }
        if (removed && node.IsEmpty)
        {
            if (t == "*") level.Pwc = null;
            else if (t == ">") level.Fwc = null;
            else level.Nodes.Remove(t);
        }
        return removed;
    }

    /// <summary>Matches a literal subject given as bytes: the per-message path; a cache hit allocates nothing.</summary>
    public SublistResult Match(ReadOnlySpan<byte> subject)
    {
        Interlocked.Increment(ref _matches);
        if (_cache is not null && subject.Length <= StackSubjectMax)
        {
            Span<char> chars = stackalloc char[StackSubjectMax];
            int n = Encoding.UTF8.GetChars(subject, chars);
            if (_cacheLookup.TryGetValue(chars[..n], out var hit))
            {
                Interlocked.Increment(ref _cacheHits);
                return hit;
            }
        }
        return MatchSlow(Encoding.UTF8.GetString(subject));
    }

    public SublistResult Match(string subject)
    {
        Interlocked.Increment(ref _matches);
        if (_cache is not null && _cache.TryGetValue(subject, out var hit))
        {
            Interlocked.Increment(ref _cacheHits);
            return hit;
        }
        return MatchSlow(subject);
    }

    /// <summary>Go's HasInterest: a cache hit counts as one; a miss walks the trie without filling the cache.</summary>
    public bool HasInterest(string subject)
    {
        int np = 0, nq = 0;
        return HasInterest(subject, ref np, ref nq);
    }

    /// <summary>Go's NumInterest: plain and queue subscribers counted as Go's hasInterest counts them.</summary>
    public (int Plain, int Queue) NumInterest(string subject)
    {
        int np = 0, nq = 0;
        HasInterest(subject, ref np, ref nq);
        return (np, nq);
    }

    private bool HasInterest(string subject, ref int np, ref int nq)
    {
        if (_cache is not null && _cache.TryGetValue(subject, out var hit))
        {
            np += hit.Psubs.Length;
            foreach (var q in hit.Qsubs) nq += q.Length;
            Interlocked.Increment(ref _cacheHits);
            return hit.Psubs.Length + hit.Qsubs.Length > 0;
        }
        var tokens = subject.Split('.');
        if (tokens.Any(t => t.Length == 0)) return false;
        lock (_lock) return MatchLevelForAny(_root, tokens, 0, ref np, ref nq);
    }

    /// <summary>Go's matchLevelForAny: stops at the first node with interest, counting only what it stopped at.</summary>
    private static bool MatchLevelForAny(Level? l, string[] toks, int start, ref int np, ref int nq)
    {
        Node? pwc = null, n = null;
        for (int i = start; i < toks.Length; i++)
        {
            if (l is null) return false;
            if (l.Fwc is not null)
            {
                l.Fwc.Count(ref np, ref nq);
                return true;
            }
            pwc = l.Pwc;
            if (pwc is not null && MatchLevelForAny(pwc.Next, toks, i + 1, ref np, ref nq)) return true;
            n = l.Nodes.GetValueOrDefault(toks[i]);
            l = n?.Next;
        }
        if (n is not null)
        {
            n.Count(ref np, ref nq);
            if (n.HasSubs) return true;
        }
        if (pwc is not null)
        {
            pwc.Count(ref np, ref nq);
            return pwc.HasSubs;
        }
        return false;
    }

    /// <summary>Go's Stats: counts, cache size and hit rate, and fan-out over the cached results.</summary>
    public SublistStats Stats()
    {
        var st = new SublistStats();
        lock (_lock)
        {
            st.NumSubs = _count;
            st.NumInserts = (ulong)_inserts;
            st.NumRemoves = (ulong)_removes;
        }
        st.NumMatches = (ulong)Interlocked.Read(ref _matches);
        st.CacheHits = (ulong)Interlocked.Read(ref _cacheHits);
        if (st.NumMatches > 0) st.CacheHitRate = (double)st.CacheHits / st.NumMatches;
        if (_cache is not null)
        {
            int tot = 0, max = 0, n = 0;
            foreach (var r in _cache.Values)
            {
                n++;
                int l = r.Psubs.Length + r.Qsubs.Length;
                tot += l;
                max = Math.Max(max, l);
            }
            st.NumCache = (uint)n;
            st.TotalFanout = tot;
            st.CacheCount = n;
            st.MaxFanout = (uint)max;
            if (tot > 0) st.AvgFanout = (double)tot / n;
        }
        return st;
    }

    /// <summary>Every subscription in the sublist (Go's All).</summary>
    public void All(List<Subscription> into)
    {
        lock (_lock) CollectAll(_root, into);
    }

    private static void CollectAll(Level? l, List<Subscription> into)
    {
        if (l is null) return;
        foreach (var n in l.Nodes.Values) { n.AddAllTo(into); CollectAll(n.Next, into); }
        if (l.Pwc is not null) { l.Pwc.AddAllTo(into); CollectAll(l.Pwc.Next, into); }
        if (l.Fwc is not null) { l.Fwc.AddAllTo(into); CollectAll(l.Fwc.Next, into); }
    }

    /// <summary>Go's ReverseMatch: the subscriptions a (possibly wildcard) subject would cover.</summary>
    public SublistResult ReverseMatch(string subject)
    {
        var tokens = subject.Split('.');
        var psubs = new List<Subscription>();
        var qsubs = new Dictionary<string, List<Subscription>>(StringComparer.Ordinal);
        lock (_lock) ReverseMatchLevel(_root, tokens, 0, null, psubs, qsubs);
        return psubs.Count == 0 && qsubs.Count == 0
            ? SublistResult.Empty
            : new SublistResult([.. psubs], qsubs.Values.Select(q => q.ToArray()).ToArray());
    }

    private static void ReverseMatchLevel(Level? l, string[] toks, int start, Node? n, List<Subscription> psubs, Dictionary<string, List<Subscription>> qsubs)
    {
        // A missing level behaves as Go's empty one: with no tokens left the node itself matches.
        if (l is null)
        {
            if (start >= toks.Length) n?.CollectInto(psubs, qsubs);
            return;
        }
        for (int i = start; i < toks.Length; i++)
        {
            // Go keeps an empty level under every node, so running out of levels is simply no match here.
            if (l is null) { n = null; break; }
            string t = toks[i];
            if (t == ">")
            {
                GetAllNodes(l, psubs, qsubs);
                return;
            }
            if (t == "*")
            {
                foreach (var child in l.Nodes.Values) ReverseMatchLevel(child.Next, toks, i + 1, child, psubs, qsubs);
                if (l.Pwc is not null) ReverseMatchLevel(l.Pwc.Next, toks, i + 1, n, psubs, qsubs);
                if (l.Fwc is not null) GetAllNodes(l, psubs, qsubs);
                return;
            }
            if (l.Fwc is not null)
            {
                GetAllNodes(l, psubs, qsubs);
                return;
            }
            if (l.Pwc is not null) ReverseMatchLevel(l.Pwc.Next, toks, i + 1, n, psubs, qsubs);
            n = l.Nodes.GetValueOrDefault(t);
            if (n is null) break;
            l = n.Next;
        }
        n?.CollectInto(psubs, qsubs);
    }

    private static void GetAllNodes(Level? l, List<Subscription> psubs, Dictionary<string, List<Subscription>> qsubs)
    {
        if (l is null) return;
        l.Pwc?.CollectInto(psubs, qsubs);
        l.Fwc?.CollectInto(psubs, qsubs);
        foreach (var n in l.Nodes.Values)
        {
            n.CollectInto(psubs, qsubs);
            GetAllNodes(n.Next, psubs, qsubs);
        }
    }

    private SublistResult MatchSlow(string subject)
    {
        int n = 1;
        foreach (char ch in subject) if (ch == '.') n++;
        Span<Range> tokens = n <= 64 ? stackalloc Range[n] : new Range[n];
        subject.AsSpan().Split(tokens, '.');
        foreach (var t in tokens)
            if (t.End.Value == t.Start.Value) return SublistResult.Empty;
        lock (_lock)
        {
            _scratchP.Clear();
            _scratchQ.Clear();
            MatchLevel(_root, subject, tokens, 0, _scratchP, _scratchQ);
            var result = _scratchP.Count == 0 && _scratchQ.Count == 0
                ? SublistResult.Empty
                : new SublistResult([.. _scratchP], _scratchQ.Values.Select(q => q.ToArray()).ToArray());
            if (_cache is not null)
            {
                if (_cache.TryAdd(subject, result)) _cacheCount++;
                else _cache[subject] = result;
                if (_cacheCount > CacheMax) SweepCache();
            }
            return result;
        }
    }

    /// <summary>Brings the cache back to <see cref="CacheSweep"/> entries (Go sweeps down the same way); under the lock.</summary>
    private void SweepCache()
    {
        foreach (var kv in _cache!)
        {
            if (_cacheCount <= CacheSweep) break;
            if (_cache.TryRemove(kv.Key, out _)) _cacheCount--;
        }
    }

    /// <summary>Go's matchLevel over the tokens of <paramref name="subject"/> (as ranges: no token strings are made).</summary>
    private static void MatchLevel(Level? level, string subject, ReadOnlySpan<Range> tokens, int start, List<Subscription> psubs, Dictionary<string, List<Subscription>> qsubs)
    {
        Node? pwc = null, node = null;
        for (int i = start; i < tokens.Length; i++)
        {
            if (level is null) return;
            level.Fwc?.CollectInto(psubs, qsubs);
            pwc = level.Pwc;
            if (pwc is not null) MatchLevel(pwc.Next, subject, tokens, i + 1, psubs, qsubs);
            var lookup = level.Nodes.GetAlternateLookup<ReadOnlySpan<char>>();
            node = lookup.TryGetValue(subject.AsSpan()[tokens[i]], out var found) ? found : null;
            level = node?.Next;
        }
        node?.CollectInto(psubs, qsubs);
        pwc?.CollectInto(psubs, qsubs);
    }

    private static SublistResult WithAdded(SublistResult r, Subscription sub)
    {
        if (sub.Queue is null) return new SublistResult([.. r.Psubs, sub], r.Qsubs);
        var q = r.Qsubs.ToArray();
        for (int i = 0; i < q.Length; i++)
        {
            if (q[i].Length > 0 && q[i][0].Queue == sub.Queue)
            {
                q[i] = [.. q[i], sub];
                return new SublistResult(r.Psubs, q);
            }
        }
        return new SublistResult(r.Psubs, [.. q, [sub]]);
    }

    private sealed class Level
    {
        public readonly Dictionary<string, Node> Nodes = new(StringComparer.Ordinal);
        public Node? Pwc, Fwc;
        public bool IsEmpty => Nodes.Count == 0 && Pwc is null && Fwc is null;
    }

    private sealed class Node
    {
        public Level? Next;
        // Most subjects have one subscriber: it is held in a field; a list (in insertion order after it) only when there
        // are more. Removal scans, as Go's plist does.
        private Subscription? _one;
        private List<Subscription>? _more;
        private Dictionary<string, List<Subscription>>? _qsubs;

        private int PsubCount => _one is null ? 0 : 1 + (_more?.Count ?? 0);

        public bool IsEmpty => _one is null && (_qsubs is null || _qsubs.Count == 0) && (Next is null || Next.IsEmpty);

        public bool HasSubs => _one is not null || (_qsubs is not null && _qsubs.Count > 0);

        public void Add(Subscription sub)
        {
            if (sub.Queue is null)
            {
                if (_one is null) _one = sub;
                else (_more ??= new List<Subscription>(1)).Add(sub);
                return;
            }
            _qsubs ??= new(StringComparer.Ordinal);
            if (!_qsubs.TryGetValue(sub.Queue, out var list)) _qsubs[sub.Queue] = list = new List<Subscription>(1);
            list.Add(sub);
        }

        public bool Remove(Subscription sub)
        {
            if (sub.Queue is null)
            {
                if (ReferenceEquals(_one, sub))
                {
                    if (_more is { Count: > 0 })
                    {
                        _one = _more[0];
                        _more.RemoveAt(0);
                    }
                    else
                    {
                        _one = null;
                    }
                    return true;
                }
                return _more is not null && RemoveFrom(_more, sub);
            }
            if (_qsubs is null || !_qsubs.TryGetValue(sub.Queue, out var list) || !RemoveFrom(list, sub)) return false;
            if (list.Count == 0) _qsubs.Remove(sub.Queue);
            return true;
        }

        private static bool RemoveFrom(List<Subscription> list, Subscription sub)
        {
            int i = list.IndexOf(sub);
            if (i < 0) return false;
            list.RemoveAt(i);
            return true;
        }

        private void AddPsubsTo(List<Subscription> into)
        {
            if (_one is null) return;
            into.Add(_one);
            if (_more is not null) into.AddRange(_more);
        }

        public void Count(ref int np, ref int nq)
        {
            np += PsubCount;
            if (_qsubs is not null) foreach (var set in _qsubs.Values) nq += set.Count;
        }

        public void AddAllTo(List<Subscription> into)
        {
            AddPsubsTo(into);
            if (_qsubs is not null) foreach (var set in _qsubs.Values) into.AddRange(set);
        }

        public void CollectInto(List<Subscription> psubs, Dictionary<string, List<Subscription>> qsubs)
        {
            AddPsubsTo(psubs);
            if (_qsubs is null) return;
            foreach (var (q, set) in _qsubs)
            {
                if (!qsubs.TryGetValue(q, out var list)) qsubs[q] = list = new List<Subscription>();
                foreach (var sub in set)
                {
                    // Go's addNodeToResults: a remote queue subscription stands for its weight in members.
                    if (sub.IsRemoteQueueSub)
                        for (int w = sub.QueueWeight; w > 0; w--) list.Add(sub);
                    else
                        list.Add(sub);
                }
            }
        }
    }
}
