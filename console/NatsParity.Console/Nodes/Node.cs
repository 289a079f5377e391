using System.Diagnostics;
using NatsParity.Testing;

namespace NatsParity.Console.Nodes;

public enum NodeState { Stopped, Running, Exited }

/// <summary>One local server the console runs, ours or the Go reference, through the shared launcher.</summary>
public sealed class Node
{
    private NatsServerProcess? _process;
    private int? _lastPort;
    private readonly PidRegistry _pids;

    public Node(int index, ServerTarget kind, PidRegistry pids, int? seedClusterPort = null)
    {
        Index = index;
        Kind = kind;
        _pids = pids;
        // Each node keeps its cluster port across restarts; the others find the cluster through the seed's.
        ClusterPort = seedClusterPort is { } seed && index == 1 ? seed : NatsServerProcess.FreePort();
        SeedClusterPort = seedClusterPort;
    }

    /// <summary>The port this node takes routes on.</summary>
    public int ClusterPort { get; }

    /// <summary>The cluster port every node solicits (node-1's); null for a node outside any cluster.</summary>
    public int? SeedClusterPort { get; }

    /// <summary>The cluster block of the node's conf: cluster "console" on its own port, soliciting the seed.</summary>
    public string ClusterConf => SeedClusterPort is not { } seed ? "" :
        $"cluster {{\n  name: \"{NodeManager.ClusterName}\"\n  listen: \"127.0.0.1:{ClusterPort}\"\n" +
        (seed == ClusterPort ? "" : $"  routes: [\"nats-route://127.0.0.1:{seed}\"]\n") + "}\n";

    public int Index { get; }
    public ServerTarget Kind { get; }
    public string Name => $"node-{Index}";
    public string KindLabel => Kind == ServerTarget.Ours ? "ours" : "reference";

    public int? Pid => _process is { HasExited: false } p ? p.Pid : null;
    public int? ClientPort => _process?.Port;
    public int? MonitorPort => _process?.MonitorPort;
    public string? MonitorUrl => _process?.MonitorPort is null ? null : _process.MonitorUrl;
    public string? ConfPath => _process?.ConfPath;

    public NodeState State => _process is null ? NodeState.Stopped : _process.HasExited ? NodeState.Exited : NodeState.Running;

    /// <summary>The conf file the node runs with.</summary>
    public string Config => _process is { } p && File.Exists(p.ConfPath) ? File.ReadAllText(p.ConfPath) : "";

    /// <summary>The last lines the node logged.</summary>
    public string LogTail => _process?.Log ?? "";

    /// <summary>Starts the node with monitoring on, on free loopback ports; a node started before keeps its client
    /// port.</summary>
    public void Start()
    {
        if (State == NodeState.Running) return;
        Restart();
    }

    /// <summary>Graceful stop (SIGTERM, then kill after a grace period).</summary>
    public void Stop() => Forget();

    /// <summary>SIGKILL, as a crash would; the node shows as exited until restarted or stopped.</summary>
    public void Kill()
    {
        if (_process is not { HasExited: false } p) return;
        try
        {
            using var proc = Process.GetProcessById(p.Pid);
            proc.Kill();
            proc.WaitForExit(5000);
        }
        catch (ArgumentException)
        {
        }
        _pids.Remove(p.Pid);
    }

    /// <summary>Stops the node if it runs and starts it again on the client port it had.</summary>
    public void Restart()
    {
        int? port = _process?.Port ?? _lastPort;
        Forget();
        var config = new ServerConfig { Monitoring = true, ServerName = Name, Extra = ClusterConf };
        _process = port is { } cp ? NatsServerProcess.StartOnPort(Kind, cp, config) : NatsServerProcess.Start(Kind, config);
        _lastPort = _process.Port;
        _pids.Add(_process.Pid);
    }

    private void Forget()
    {
        if (_process is null) return;
        int pid = _process.Pid;
        _process.Dispose();
        _process = null;
        _pids.Remove(pid);
    }
}
