using System.Collections.Concurrent;
using System.Text;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Auth;

/// <summary>
/// A client's permissions compiled into sublists, with Go's caches: the publish verdict per subject, the
/// delivery-time deny filter for wildcard and queue subscriptions, and the reply subjects allow_responses opened
/// (Go's client.perms, mperms, darray and replies).
/// </summary>
internal sealed class ClientPermissions
{
    /// <summary>Go's maxPermCacheSize and pruneSize.</summary>
    internal const int MaxPermCacheSize = 128;
    private const int PruneSize = 32;
    /// <summary>Go's maxDenyPermCacheSize.</summary>
    private const int MaxDenyPermCacheSize = 256;
    /// <summary>Go's replyPermLimit and replyPruneTime.</summary>
    private const int ReplyPermLimit = 4096;
    private static readonly TimeSpan ReplyPruneTime = TimeSpan.FromSeconds(1);
    private const int StackSubjectMax = 256;

    public Sublist? PubAllow, PubDeny, SubAllow, SubDeny;
    public ResponsePermission? Response;

    private readonly ConcurrentDictionary<string, bool> _pcache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _pcacheLookup;
    private int _pcacheSize;
    private int _pruning;

    // Subscribe denies kept for delivery-time filtering (Go's darray) and the filter built from them (mperms).
    private readonly List<Subscription> _denyArray = [];
    private Sublist? _msgDeny;
    private readonly Dictionary<(string Subject, string Queue), bool> _denyCache = [];

    private readonly Dictionary<string, (DateTime Time, int Count)>? _replies;
    private int _repliesSincePrune;
    private DateTime _lastReplyPrune = DateTime.UtcNow;

    private ClientPermissions()
    {
        _pcacheLookup = _pcache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    private ClientPermissions(ResponsePermission? response) : this()
    {
        if (response is null) return;
        Response = response.Clone();
        _replies = new Dictionary<string, (DateTime, int)>(StringComparer.Ordinal);
    }

    public int PubCacheSize => Volatile.Read(ref _pcacheSize);
    public bool HasPublishPermissions => PubAllow is not null || PubDeny is not null;
    public bool HasMsgDenyFilter => _msgDeny is not null;
    public bool TracksReplies => _replies is not null;

    internal int DenyArrayCount => _denyArray.Count;

    /// <summary>Go's publicPermissions: the permissions as lists again, queue-qualified entries as "subject queue".</summary>
    public Permissions ToPublic()
    {
        var perms = new Permissions { Publish = new SubjectPermission(), Subscribe = new SubjectPermission() };
        static List<string>? Collect(Sublist? sl)
        {
            if (sl is null) return null;
            var subs = new List<Subscription>();
            sl.All(subs);
            return subs.Count == 0 ? null : subs.Select(x => x.Queue is null ? x.Subject : $"{x.Subject} {x.Queue}").ToList();
        }
        perms.Publish.Allow = Collect(PubAllow);
        perms.Publish.Deny = Collect(PubDeny);
        perms.Subscribe.Allow = Collect(SubAllow);
        perms.Subscribe.Deny = Collect(SubDeny);
        perms.Response = Response?.Clone();
        return perms;
    }

    /// <summary>Go's setPermissions; invalid entries are reported through <paramref name="error"/> and skipped.</summary>
    public static ClientPermissions Build(Permissions perms, Action<string> error)
    {
        var p = new ClientPermissions(perms.Response);
        if (perms.Publish is { } pub)
        {
            if (pub.Allow is not null) p.PubAllow = new Sublist();
            foreach (var s in pub.Allow ?? [])
            {
                if (!SubjectValidation.IsValidSubject(s) || p.PubAllow!.Insert(new Subscription(s)) != SublistError.None)
                    error($"invalid publish subject \"{s}\"");
            }
            if (pub.Deny is { Count: > 0 }) p.PubDeny = new Sublist();
            foreach (var s in pub.Deny ?? [])
            {
                string subject = s;
                if (!SubjectValidation.IsValidSubject(s))
                {
                    if (SplitSubjectQueue(s) is not { } sq)
                    {
                        error($"invalid publish deny subject \"{s}\"");
                        continue;
                    }
                    subject = sq.Subject;
                    error($"queue qualifier is not valid for publish deny subject \"{s}\"");
                }
                if (p.PubDeny!.Insert(new Subscription(subject)) != SublistError.None)
                    error($"invalid publish deny subject \"{s}\"");
            }
        }
        if (perms.Subscribe is { } sub)
        {
            if (sub.Allow is { Count: > 0 }) p.SubAllow = new Sublist(enableCache: false);
            foreach (var s in sub.Allow ?? [])
            {
                if (SplitSubjectQueue(s) is not { } sq)
                {
                    error($"invalid subject-queue \"{s}\"");
                    continue;
                }
                if (p.SubAllow!.Insert(new Subscription(sq.Subject, sq.Queue)) != SublistError.None)
                    error($"invalid subscribe allow subject \"{s}\"");
            }
            if (sub.Deny is { Count: > 0 }) p.SubDeny = new Sublist(enableCache: false);
            foreach (var s in sub.Deny ?? [])
            {
                if (SplitSubjectQueue(s) is not { } sq)
                {
                    error($"invalid subject-queue \"{s}\"");
                    continue;
                }
                var d = new Subscription(sq.Subject, sq.Queue);
                if (p.SubDeny!.Insert(d) != SublistError.None)
                {
                    error($"invalid subscribe deny subject \"{s}\"");
                    continue;
                }
                p._denyArray.Add(d);
            }
        }
        return p;
    }

    /// <summary>Go's splitSubjectQueue: "subject" or "subject queue", both valid subjects.</summary>
    public static (string Subject, string? Queue)? SplitSubjectQueue(string sq)
    {
        var vals = sq.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (vals.Length is 0 or > 2) return null;
        string? q = vals.Length == 2 ? vals[1] : null;
        if (!SubjectValidation.IsValidSubject(vals[0]) || (q is not null && !SubjectValidation.IsValidSubject(q))) return null;
        return (vals[0], q);
    }

    // ---- publish ----

    /// <summary>Go's pubAllowedFullCheck for a client: cached verdicts, and reply subjects opened by allow_responses.</summary>
    public bool PubAllowed(ReadOnlySpan<byte> subject, bool fullCheck = true)
    {
        if (!HasPublishPermissions) return true;
        if (subject.Length <= StackSubjectMax)
        {
            Span<char> chars = stackalloc char[StackSubjectMax];
            int n = Encoding.UTF8.GetChars(subject, chars);
            if (_pcacheLookup.TryGetValue(chars[..n], out bool hit)) return hit;
        }
        return PubAllowed(Encoding.UTF8.GetString(subject), fullCheck);
    }

    public bool PubAllowed(string subject, bool fullCheck = true)
    {
        if (!HasPublishPermissions) return true;
        if (_pcache.TryGetValue(subject, out bool cached)) return cached;
        bool allowed = true;
        if (PubAllow is not null) allowed = PubAllow.NumInterest(subject).Plain != 0;
        if (allowed && PubDeny is not null) allowed = PubDeny.NumInterest(subject).Plain == 0;
        if (!allowed && fullCheck && _replies is not null)
        {
            lock (_replies) return ResponseAllowed(subject);
        }
        _pcache[subject] = allowed;
        if (Interlocked.Increment(ref _pcacheSize) > MaxPermCacheSize) PrunePubCache();
        return allowed;
    }

    /// <summary>Go's prunePubPermsCache: drops entries until the cache is back under its bound.</summary>
    private void PrunePubCache()
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (Interlocked.CompareExchange(ref _pruning, 1, 0) != 0) return;
            int r = 0;
            foreach (var key in _pcache.Keys)
            {
                if (_pcache.TryRemove(key, out _)) r++;
                if ((r > PruneSize && Volatile.Read(ref _pcacheSize) - r < MaxPermCacheSize) || r > 1000) break;
            }
            int n = Interlocked.Add(ref _pcacheSize, -r);
            Volatile.Write(ref _pruning, 0);
            if (n <= MaxPermCacheSize) return;
        }
    }

    // ---- allow_responses ----

    /// <summary>Go's responseAllowed: a tracked reply subject may be published to until its count or time runs out.</summary>
    private bool ResponseAllowed(string subject)
    {
        if (Response is null || !_replies!.TryGetValue(subject, out var r)) return false;
        r.Count++;
        if (Response.MaxMsgs > 0 && r.Count > Response.MaxMsgs) _replies.Remove(subject);
        else if (Response.Expires > TimeSpan.Zero && DateTime.UtcNow - r.Time > Response.Expires) _replies.Remove(subject);
        else
        {
            _replies[subject] = r;
            return true;
        }
        return false;
    }

    /// <summary>Go's deliverMsg reply tracking: a request delivered to this client opens its reply subject.</summary>
    public void TrackReply(ReadOnlySpan<byte> reply)
    {
        if (_replies is null || reply.Length == 0) return;
        string r = Encoding.UTF8.GetString(reply);
        if (PubAllowed(r, fullCheck: true)) return;
        lock (_replies)
        {
            _replies[r] = (DateTime.UtcNow, 0);
            _repliesSincePrune++;
            if (_repliesSincePrune > ReplyPermLimit || DateTime.UtcNow - _lastReplyPrune > ReplyPruneTime) PruneReplies();
        }
    }

    /// <summary>Go's pruneReplyPerms.</summary>
    private void PruneReplies()
    {
        int mm = Response!.MaxMsgs;
        var ttl = Response.Expires;
        var now = DateTime.UtcNow;
        foreach (var (k, r) in _replies!)
        {
            if ((mm > 0 && r.Count >= mm) || (ttl > TimeSpan.Zero && now - r.Time > ttl)) _replies.Remove(k);
        }
        _repliesSincePrune = 0;
        _lastReplyPrune = now;
    }

    internal int TrackedReplies { get { if (_replies is null) return 0; lock (_replies) return _replies.Count; } }

    // ---- subscribe ----

    /// <summary>Go's canSubscribe: allow list (with queue qualifiers), then deny list; loads the delivery deny filter
    /// when a wildcard or queue subscription can overlap a deny entry.</summary>
    public bool CanSubscribe(string subject, string? queue)
    {
        bool allowed = true;
        if (SubAllow is not null)
        {
            var r = SubAllow.Match(subject);
            allowed = r.Psubs.Length > 0;
            if (!string.IsNullOrEmpty(queue) && r.Qsubs.Length > 0) allowed = QueueMatches(queue, r.Qsubs);
        }
        if (allowed && SubDeny is not null)
        {
            var r = SubDeny.Match(subject);
            allowed = r.Psubs.Length == 0;
            if (allowed && !string.IsNullOrEmpty(queue) && r.Qsubs.Length > 0) allowed = !QueueMatches(queue, r.Qsubs);
        }
        if (!allowed) return false;
        if (_msgDeny is null && (!string.IsNullOrEmpty(queue) || !SubjectValidation.SubjectIsLiteral(subject)))
        {
            foreach (var d in _denyArray)
            {
                if (SubjectValidation.SubjectsCollide(d.Subject, subject))
                {
                    LoadMsgDenyFilter();
                    break;
                }
            }
        }
        return true;
    }

    private void LoadMsgDenyFilter()
    {
        var sl = new Sublist();
        foreach (var d in _denyArray) sl.Insert(new Subscription(d.Subject, d.Queue));
        lock (_denyCache) _msgDeny = sl;
    }

    /// <summary>Go's queueMatches: the literal queue name, or a wildcard queue pattern that covers it.</summary>
    internal static bool QueueMatches(string queue, Subscription[][] qsubs)
    {
        if (qsubs.Length == 0) return true;
        foreach (var group in qsubs)
        {
            string qname = group[0].Queue!;
            if (queue == qname || (!SubjectValidation.SubjectIsLiteral(qname) && SubjectValidation.IsSubsetMatch(queue, qname)))
                return true;
        }
        return false;
    }

    /// <summary>Go's checkDenySub: true when delivery of <paramref name="subject"/> to a subscription is denied.</summary>
    public bool CheckDenySub(ReadOnlySpan<byte> subject, string? queue)
    {
        var deny = _msgDeny;
        if (deny is null) return false;
        var key = (Encoding.UTF8.GetString(subject), queue ?? "");
        lock (_denyCache)
        {
            if (_denyCache.TryGetValue(key, out bool denied)) return denied;
            var r = deny.Match(key.Item1);
            denied = r.Psubs.Length != 0;
            if (!denied && key.Item2.Length > 0 && r.Qsubs.Length != 0) denied = QueueMatches(key.Item2, r.Qsubs);
            _denyCache[key] = denied;
            if (_denyCache.Count > MaxDenyPermCacheSize)
            {
                int n = 0;
                foreach (var k in _denyCache.Keys)
                {
                    _denyCache.Remove(k);
                    if (++n > PruneSize) break;
                }
            }
            return denied;
        }
    }
}
