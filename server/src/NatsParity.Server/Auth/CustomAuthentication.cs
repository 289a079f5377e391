using System.Net;
using System.Security.Cryptography.X509Certificates;
using NatsParity.Server.Clients;
using NatsParity.Server.Protocol;

namespace NatsParity.Server.Auth;

/// <summary>Go's Authentication: an embedding program's own check of each client, used instead of the configured
/// users, tokens and nkeys (<see cref="Config.ServerOptions.CustomClientAuthentication"/>).</summary>
public interface IAuthentication
{
    /// <summary>True lets the client in; false refuses it with Go's authorization violation.</summary>
    bool Check(IClientAuthentication client);
}

/// <summary>Go's ClientAuthentication: what a custom check sees of a connecting client, and how it binds a user.</summary>
public interface IClientAuthentication
{
    /// <summary>The client's CONNECT options.</summary>
    ConnectOptions GetOpts();

    /// <summary>The client's certificate when it connected over TLS and presented one (Go's GetTLSConnectionState).</summary>
    X509Certificate2? GetTlsCertificate();

    /// <summary>Binds a user: its account (the current one when it names none), permissions, reported name and
    /// connection deadline.</summary>
    void RegisterUser(User user);

    EndPoint? RemoteAddress();

    /// <summary>The nonce the INFO carried; empty when there was none.</summary>
    byte[] GetNonce();

    ClientKind Kind();

    ulong GetId();
}
