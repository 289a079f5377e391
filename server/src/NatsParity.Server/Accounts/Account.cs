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
    public Sublist Sublist { get; } = new();
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
            _clients.Add(c);
            return n;
        }
    }

    /// <summary>Removes a client; returns the count before (Go's removeClient).</summary>
    internal int RemoveClient(ClientConnection c)
    {
        lock (_clients)
        {
            int n = _clients.Count;
            _clients.Remove(c);
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
