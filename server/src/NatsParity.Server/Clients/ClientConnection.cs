namespace NatsParity.Server.Clients;

/// <summary>A client connection: read loop, protocol handling and outbound buffer.</summary>
public sealed partial class ClientConnection
{
}
