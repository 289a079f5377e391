using NatsParity.Server.Clients;

namespace NatsParity.Server.Subscriptions;

/// <summary>The callback of an internal subscription (service imports): the publishing client, the message parts, and
/// whether it was delivered anywhere.</summary>
internal delegate bool InternalHandler(ClientConnection from, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, int hdr, ReadOnlySpan<byte> msg);

/// <summary>One client subscription: what the sublist stores and matching returns.</summary>
public sealed class Subscription
{
    public Subscription(string subject, string? queue = null, ClientConnection? client = null, byte[]? sid = null)
    {
        Subject = subject;
        Queue = queue;
        Client = client;
        Sid = sid ?? [];
    }

    public string Subject { get; }
    public string? Queue { get; }
    public ClientConnection? Client { get; }
    public byte[] Sid { get; }

    /// <summary>Auto-unsubscribe limit (UNSUB sid max); 0 means none.</summary>
    public long Max;

    /// <summary>Messages delivered so far, counted against <see cref="Max"/>.</summary>
    public long Delivered;

    /// <summary>For an internal subscription: what handles its messages instead of a client.</summary>
    internal InternalHandler? Handler { get; init; }

    /// <summary>For a shadow subscription in an exporting account: the stream import it delivers through.</summary>
    public Accounts.StreamImport? Import { get; init; }

    /// <summary>The shadow subscriptions this subscription placed in exporting accounts (Go's sub.shadow).</summary>
    internal List<Subscription>? Shadow;

    /// <summary>For a shadow subscription: the client's own subscription it stands for (deliveries count there).</summary>
    internal Subscription? Origin { get; init; }

    /// <summary>For a route's queue subscription: how many members the remote server has in the group (Go's sub.qw);
    /// matching counts it that many times, so a queue pick favours servers by their members.</summary>
    public volatile int QueueWeight;

    /// <summary>For a route's leaf subscription (LS+): the leafnode cluster it came from (Go's sub.origin).</summary>
    public string? LeafOrigin;

    /// <summary>For a route's subscription: the account whose sublist holds it.</summary>
    internal Accounts.Account? RemoteAccount;

    /// <summary>True for a queue subscription a route or leafnode holds for its remote members (Go's isRemoteQSub).</summary>
    internal bool IsRemoteQueueSub => Queue is not null && Client is { IsRouteOrLeaf: true };

    /// <summary>Set once removed, so a delivery racing an unsubscribe is dropped.</summary>
    public volatile bool Closed;

    public override string ToString() => Queue is null ? Subject : $"{Subject} [{Queue}]";
}
