using NatsParity.Server.Auth;
using NatsParity.Server.Clients;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Accounts;

/// <summary>A subject namespace with its own sublist, clients and limits (Go's Account, accounts.go).</summary>
public sealed partial class Account
{
    /// <summary>Go's globalAccountName.</summary>
    public const string GlobalName = "$G";
    /// <summary>Go's DEFAULT_SYSTEM_ACCOUNT.</summary>
    public const string SystemName = "$SYS";
    /// <summary>jwt.NoLimit.</summary>
    public const int NoLimit = -1;

    private readonly HashSet<ClientConnection> _clients = new(ReferenceEqualityComparer.Instance);

    public Account(string name) => Name = name;

    public string Name { get; }
    public Sublist Sublist { get; private set; } = new();

    /// <summary>Go's NewSublistNoCache for a server with disable_sublist_cache: only before anything subscribed.</summary>
    internal void DisableSublistCache()
    {
        if (Sublist.CacheEnabled && Sublist.Count == 0) Sublist = new Sublist(enableCache: false);
    }
    public string Nkey { get; set; } = "";

    public int MaxConnections { get; set; } = NoLimit;
    public int MaxSubscriptions { get; set; } = NoLimit;
    public int MaxPayload { get; set; } = NoLimit;
    public int MaxLeafNodes { get; set; } = NoLimit;
    /// <summary>Permissions for this account's users that set none of their own.</summary>
    public Permissions? DefaultPermissions { get; set; }

    public int NumClients { get { lock (_clients) return _clients.Count; } }

    /// <summary>Takes the limits and default permissions of a reloaded configuration of this account.</summary>
    internal void TakeLimitsFrom(Account configured)
    {
        Nkey = configured.Nkey;
        MaxConnections = configured.MaxConnections;
        MaxSubscriptions = configured.MaxSubscriptions;
        MaxPayload = configured.MaxPayload;
        MaxLeafNodes = configured.MaxLeafNodes;
        DefaultPermissions = configured.DefaultPermissions?.Clone();
    }

    /// <summary>Go's isReservedAccount: only the global account name is refused in accounts {}.</summary>
    public static bool IsReserved(string name) => name == GlobalName;

    /// <summary>Adds a client; returns the count before (Go's addClient).</summary>
    internal int AddClient(ClientConnection c)
    {
        lock (_clients)
        {
            int n = _clients.Count;
            if (_clients.Add(c)) _totalConns++;
            return n;
        }
    }

    // Message counters of the clients that left, so account totals stay exact after they go.
    private long _goneInMsgs, _goneInBytes, _goneOutMsgs, _goneOutBytes;
    private long _totalConns;

    /// <summary>Messages and bytes received from and sent to this account's clients, present and past.</summary>
    public (long InMsgs, long InBytes, long OutMsgs, long OutBytes) Traffic()
    {
        lock (_clients)
        {
            long im = _goneInMsgs, ib = _goneInBytes, om = _goneOutMsgs, ob = _goneOutBytes;
            foreach (var c in _clients)
            {
                im += Interlocked.Read(ref c.InMsgs);
                ib += Interlocked.Read(ref c.InBytes);
                om += Interlocked.Read(ref c.OutMsgs);
                ob += Interlocked.Read(ref c.OutBytes);
            }
            return (im, ib, om, ob);
        }
    }

    public long TotalConnections => Interlocked.Read(ref _totalConns);

    /// <summary>Removes a client; returns the count before (Go's removeClient).</summary>
    internal int RemoveClient(ClientConnection c)
    {
        lock (_clients)
        {
            int n = _clients.Count;
            if (_clients.Remove(c))
            {
                _goneInMsgs += Interlocked.Read(ref c.InMsgs);
                _goneInBytes += Interlocked.Read(ref c.InBytes);
                _goneOutMsgs += Interlocked.Read(ref c.OutMsgs);
                _goneOutBytes += Interlocked.Read(ref c.OutBytes);
            }
            return n;
        }
    }

    /// <summary>Go's MaxTotalConnectionsReached: checked before the new client is added.</summary>
    internal bool MaxTotalConnectionsReached()
    {
        if (MaxConnections == NoLimit) return false;
        lock (_clients) return _clients.Count >= MaxConnections;
    }

    internal ClientConnection[] ClientsSnapshot()
    {
        lock (_clients) return [.. _clients];
    }

    public override string ToString() => Name;
}
