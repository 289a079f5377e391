using NatsParity.Testing;

namespace NatsParity.Console.Nodes;

/// <summary>The kinds a launch can ask for.</summary>
public enum LaunchKind { Ours, Reference, Mixed }

/// <summary>The set of local nodes (1 to 7) and what can be done to them.</summary>
public sealed class NodeManager : IDisposable
{
    public const int MaxNodes = 7;

    private readonly List<Node> _nodes = [];
    private readonly object _lock = new();

    public NodeManager(PidRegistry pids) => Pids = pids;

    /// <summary>The name of the cluster the console's nodes form.</summary>
    public const string ClusterName = "console";

    /// <summary>node-1's cluster port, which every node solicits (Go's seed server pattern).</summary>
    public int SeedClusterPort { get; } = NatsServerProcess.FreePort();

    public PidRegistry Pids { get; }

    public IReadOnlyList<Node> Nodes { get { lock (_lock) return [.. _nodes]; } }

    /// <summary>How the nodes are joined: one cluster, each node routing to node-1's cluster port.</summary>
    public static string ClusterNote => $"nodes form cluster \"{ClusterName}\", seeded by node-1";

    public static ServerTarget KindFor(LaunchKind kind, int index) => kind switch
    {
        LaunchKind.Ours => ServerTarget.Ours,
        LaunchKind.Reference => ServerTarget.Reference,
        _ => index % 2 == 1 ? ServerTarget.Ours : ServerTarget.Reference,
    };

    /// <summary>Adds a node of <paramref name="kind"/> and starts it; refused past <see cref="MaxNodes"/>.</summary>
    public Node Add(ServerTarget kind)
    {
        Node node;
        lock (_lock)
        {
            if (_nodes.Count >= MaxNodes) throw new InvalidOperationException($"at most {MaxNodes} nodes");
            node = new Node(_nodes.Count == 0 ? 1 : _nodes.Max(n => n.Index) + 1, kind, Pids, SeedClusterPort);
            _nodes.Add(node);
        }
        node.Start();
        return node;
    }

    /// <summary>Starts <paramref name="count"/> nodes (1–7) of the given kinds, in parallel.</summary>
    public IReadOnlyList<Node> Launch(int count, LaunchKind kind)
    {
        if (count is < 1 or > MaxNodes) throw new ArgumentOutOfRangeException(nameof(count), $"between 1 and {MaxNodes} nodes");
        var added = new List<Node>();
        lock (_lock)
        {
            for (int i = 0; i < count && _nodes.Count < MaxNodes; i++)
            {
                int index = _nodes.Count == 0 ? 1 : _nodes.Max(n => n.Index) + 1;
                var node = new Node(index, KindFor(kind, index), Pids, SeedClusterPort);
                _nodes.Add(node);
                added.Add(node);
            }
        }
        Parallel.ForEach(added, n => n.Start());
        return added;
    }

    public void Remove(Node node)
    {
        node.Stop();
        lock (_lock) _nodes.Remove(node);
    }

    public void StartAll() => Parallel.ForEach(Nodes, n => { if (n.State != NodeState.Running) n.Restart(); });

    public void StopAll() => Parallel.ForEach(Nodes, n => n.Stop());

    public void KillAll() => Parallel.ForEach(Nodes, n => n.Kill());

    /// <summary>Stops every node this console started.</summary>
    public void Dispose() => StopAll();
}
