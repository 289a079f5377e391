using System.Collections.Concurrent;
using System.Text;

namespace NatsParity.Server.Subscriptions;

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
            Node? node = null;
            var tokens = sub.Subject.Split('.');
            for (int i = 0; i < tokens.Length; i++)
            {
                string t = tokens[i];
                node = t switch
                {
                    "*" => level.Pwc ??= new Node(),
                    ">" => level.Fwc ??= new Node(),
                    _ => level.Nodes.TryGetValue(t, out var n) ? n : level.Nodes[t] = new Node(),
                };
                if (i < tokens.Length - 1) level = node.Next ??= new Level();
            }
            node!.Add(sub);
            _count++;
            _inserts++;
            if (_cache is not null)
            {
                foreach (var (subject, result) in _cache)
                {
                    if (SubjectValidation.MatchLiteral(subject, sub.Subject))
                        _cache[subject] = WithAdded(result, sub);
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
            _removes++;
            if (_cache is not null)
            {
                foreach (var subject in _cache.Keys)
                {
                    if (SubjectValidation.MatchLiteral(subject, sub.Subject)) _cache.TryRemove(subject, out _);
                }
            }
            return SublistError.None;
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

    public bool HasInterest(string subject)
    {
        var r = Match(subject);
        return r.Psubs.Length > 0 || r.Qsubs.Length > 0;
    }

    private SublistResult MatchSlow(string subject)
    {
        var tokens = subject.Split('.');
        foreach (var t in tokens)
            if (t.Length == 0) return SublistResult.Empty;
        lock (_lock)
        {
            var psubs = new List<Subscription>();
            var qsubs = new Dictionary<string, List<Subscription>>(StringComparer.Ordinal);
            MatchLevel(_root, tokens, 0, psubs, qsubs);
            var result = psubs.Count == 0 && qsubs.Count == 0
                ? SublistResult.Empty
                : new SublistResult([.. psubs], qsubs.Values.Select(q => q.ToArray()).ToArray());
            if (_cache is not null)
            {
                _cache[subject] = result;
                if (_cache.Count > CacheMax) SweepCache();
            }
            return result;
        }
    }

    private void SweepCache()
    {
        foreach (var key in _cache!.Keys)
        {
            if (_cache.Count <= CacheSweep) break;
            _cache.TryRemove(key, out _);
        }
    }

    /// <summary>Go's matchLevel, step for step, so results come out in Go's order: '>' first, then deeper '*' levels,
    /// then the literal node, then the last level's '*'.</summary>
    private static void MatchLevel(Level? level, string[] tokens, int start, List<Subscription> psubs, Dictionary<string, List<Subscription>> qsubs)
    {
        Node? pwc = null, node = null;
        for (int i = start; i < tokens.Length; i++)
        {
            if (level is null) return;
            level.Fwc?.CollectInto(psubs, qsubs);
            pwc = level.Pwc;
            if (pwc is not null) MatchLevel(pwc.Next, tokens, i + 1, psubs, qsubs);
            node = level.Nodes.GetValueOrDefault(tokens[i]);
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
        private readonly HashSet<Subscription> _psubs = new(ReferenceEqualityComparer.Instance);
        private Dictionary<string, HashSet<Subscription>>? _qsubs;

        public bool IsEmpty => _psubs.Count == 0 && (_qsubs is null || _qsubs.Count == 0) && (Next is null || Next.IsEmpty);

        public void Add(Subscription sub)
        {
            if (sub.Queue is null) { _psubs.Add(sub); return; }
            _qsubs ??= new(StringComparer.Ordinal);
            if (!_qsubs.TryGetValue(sub.Queue, out var set)) _qsubs[sub.Queue] = set = new(ReferenceEqualityComparer.Instance);
            set.Add(sub);
        }

        public bool Remove(Subscription sub)
        {
            if (sub.Queue is null) return _psubs.Remove(sub);
            if (_qsubs is null || !_qsubs.TryGetValue(sub.Queue, out var set) || !set.Remove(sub)) return false;
            if (set.Count == 0) _qsubs.Remove(sub.Queue);
            return true;
        }

        public void CollectInto(List<Subscription> psubs, Dictionary<string, List<Subscription>> qsubs)
        {
            psubs.AddRange(_psubs);
            if (_qsubs is null) return;
            foreach (var (q, set) in _qsubs)
            {
                if (!qsubs.TryGetValue(q, out var list)) qsubs[q] = list = new List<Subscription>();
                list.AddRange(set);
            }
        }
    }
}
