namespace NatsParity.Server.Accounts;

/// <summary>What an account keeps for routing (Go's acc.rm, acc.lws, acc.smu and acc.routePoolIdx).</summary>
public sealed partial class Account
{
    /// <summary>Go's accDedicatedRoute: the account has routes of its own (a pinned account).</summary>
    internal const int DedicatedRoute = -1;
    private const int PoolIdxUnset = int.MinValue;

    // Local interest as routes see it: "R subject[ queue]" (or "L subject[ queue] origin" for leaf interest) to the
    // number of local subscriptions (Go's acc.rm), and the count last sent for each (Go's acc.lws). Guarded by RouteLock.
    internal Dictionary<string, int>? RouteMap;
    internal Dictionary<string, int>? LastSentWeights;
    internal readonly object RouteLock = new();

    /// <summary>Serializes sending interest updates to routes, so they go out in the order they were counted (Go's acc.smu).</summary>
    internal readonly object RouteSendLock = new();

    private int _routePoolIdx = PoolIdxUnset;

    /// <summary>The index of the pooled route connection this account's traffic uses, or <see cref="DedicatedRoute"/>
    /// (Go's acc.routePoolIdx, set when the account is registered).</summary>
    internal int RoutePoolIdx
    {
        get
        {
            int idx = Volatile.Read(ref _routePoolIdx);
            if (idx != PoolIdxUnset || Server is not { } s) return idx == PoolIdxUnset ? 0 : idx;
            idx = s.ComputeRoutePoolIdxFor(Name);
            Volatile.Write(ref _routePoolIdx, idx);
            return idx;
        }
    }
}
