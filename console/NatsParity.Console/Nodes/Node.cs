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

    public Node(int index, ServerTarget kind, PidRegistry pids)
    {
        Index = index;
        Kind = kind;
        _pids = pids;
    }

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
        var config = new ServerConfig { Monitoring = true, ServerName = Name };
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
