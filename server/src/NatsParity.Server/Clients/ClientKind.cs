namespace NatsParity.Server.Clients;

/// <summary>Go's client kinds (client.go), with Go's values.</summary>
public enum ClientKind
{
    Client = 0,
    Router = 1,
    Gateway = 2,
    System = 3,
    Leaf = 4,
    JetStream = 5,
    Account = 6,
}

public sealed partial class ClientConnection
{
    /// <summary>What this connection is: <see cref="ClientKind.Client"/> for connections, <see cref="ClientKind.System"/>
    /// or <see cref="ClientKind.Account"/> for internal clients.</summary>
    public ClientKind Kind => RouteState is not null ? ClientKind.Router
        : _internalKind is null ? ClientKind.Client : _systemClient ? ClientKind.System : ClientKind.Account;

    /// <summary>Go's kindString: how monitoring and events name a connection's kind.</summary>
    public static string KindString(ClientKind kind) => kind switch
    {
        ClientKind.Client => "Client",
        ClientKind.Router => "Router",
        ClientKind.Gateway => "Gateway",
        ClientKind.Leaf => "Leafnode",
        ClientKind.JetStream => "JetStream",
        ClientKind.Account => "Account",
        ClientKind.System => "System",
        _ => "Unknown Type",
    };
}
