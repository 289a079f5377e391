namespace NatsParity.Server.Clients;

/// <summary>What is kept of a closed connection for monitoring (Go's closedClient): besides the counters, the user's
/// JWT (bearer ones redacted), its issuer, its JWT name (<paramref name="NameTag"/>) and tags, shown by connz whether or
/// not auth is asked for.</summary>
public sealed record ClosedConnection(
    ulong Cid, string Host, int Port, DateTime Start, DateTime Stop, ClosedState Reason,
    string Name, string Lang, string Version, long InMsgs, long InBytes, long OutMsgs, long OutBytes,
    IReadOnlyList<string> Subs, string Account = "", string User = "", TimeSpan Rtt = default, DateTime LastActivity = default,
    IReadOnlyList<(string Subject, string? Queue, string Sid, long Msgs, long Max)>? SubDetails = null,
    string Jwt = "", string IssuerKey = "", string NameTag = "", IReadOnlyList<string>? Tags = null, long Stalls = 0,
    string ProxyKey = "", string ClientType = "nats");

/// <summary>A fixed-size ring of the most recently closed connections (Go's closedRingBuffer).</summary>
public sealed class ClosedConnections(int capacity)
{
    private readonly ClosedConnection?[] _ring = new ClosedConnection?[capacity];
    private long _total;

    public void Add(ClosedConnection c)
    {
        lock (_ring)
        {
            _ring[_total % _ring.Length] = c;
            _total++;
        }
    }

    /// <summary>Replaces every kept entry by <paramref name="change"/>'s result (tests that rewrite history, as Go's
    /// tests edit closedClient fields).</summary>
    internal void Rewrite(Func<ClosedConnection, ClosedConnection> change)
    {
        lock (_ring)
        {
            for (int i = 0; i < _ring.Length; i++)
                if (_ring[i] is { } c) _ring[i] = change(c);
        }
    }

    public long TotalClosed { get { lock (_ring) return _total; } }

    /// <summary>How many closed connections are kept now (at most the capacity).</summary>
    public int Count { get { lock (_ring) return (int)Math.Min(_total, _ring.Length); } }

    /// <summary>Closed connections, oldest first.</summary>
    public List<ClosedConnection> Snapshot()
    {
        lock (_ring)
        {
            int n = (int)Math.Min(_total, _ring.Length);
            var list = new List<ClosedConnection>(n);
            long first = _total - n;
            for (long i = first; i < _total; i++) list.Add(_ring[i % _ring.Length]!);
            return list;
        }
    }
}
