using NatsParity.Testing;

namespace NatsParity.Conformance.Scenarios;

/// <summary>The state of one scenario run against one target; step methods live in partial files under Steps/.</summary>
public sealed partial class ScenarioWorld(ServerTarget target) : IAsyncDisposable
{
    public ServerTarget Target { get; } = target;
    private NatsServerProcess? _server;
    private readonly Dictionary<string, ProtoClient> _raw = new(StringComparer.Ordinal);

    public NatsServerProcess Server => _server ??= NatsServerProcess.Start(Target);

    private void StartServer(ServerConfig config)
    {
        if (_server is not null) throw new InvalidOperationException("the server is already running");
        _server = NatsServerProcess.Start(Target, config);
    }

    private ProtoClient Raw(string name) =>
        _raw.TryGetValue(name, out var c) ? c : throw new InvalidOperationException($"client {name} is not connected");

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _raw.Values) c.Dispose();
        DisposeWebsocketClients();
        await DisposeNatsClientsAsync();
        if (_server is not null) await _server.DisposeAsync();
        await DisposeClusterAsync();
        DisposeConfDir();
    }
}
