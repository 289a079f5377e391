using NatsParity.Server.Accounts;
using NatsParity.Server.Auth.Jwt;

namespace NatsParity.Server.Clients;

/// <summary>The client's side of an auth callout (Go's fillClientInfo, fillConnectOpts, the TLS part of
/// processClientOrLeafCallout, buildInternalNkeyUser with RegisterNkeyUser, and mergeDenyPermissions).</summary>
public sealed partial class ClientConnection
{
    /// <summary>Go's c.user.Nkey and c.user.Issued for a callout user: its JWT is not kept, so revocations of the
    /// account are checked against these.</summary>
    internal string CalloutUserNkey { get; private set; } = "";
    internal long CalloutUserIssued { get; private set; }

    internal CalloutClientInfo CalloutClientInfo() => new()
    {
        Host = RemoteHost, Id = Cid, User = RawAuthUser, Name = _opts.Name ?? "", Tags = [.. JwtTags], NameTag = JwtName,
        Kind = "Client", Type = ClientTypeString,
    };

    /// <summary>What the client sent in CONNECT; <paramref name="ujwt"/> stands in for the JWT when given.</summary>
    internal CalloutConnectOptions CalloutConnectOptions(string ujwt) => new()
    {
        Jwt = ujwt.Length > 0 ? ujwt : _opts.Jwt ?? "", Nkey = _opts.Nkey ?? "", SignedNonce = _opts.Sig ?? "",
        Token = _opts.Token ?? "", Username = _opts.Username ?? "", Password = _opts.Password ?? "", Name = _opts.Name ?? "",
        Lang = _opts.Lang ?? "", Version = _opts.Version ?? "", Protocol = _opts.Protocol,
    };

    /// <summary>The TLS state with the client's certificate chain in PEM: the verified chain when the server verifies
    /// client certificates, else the certificate the client presented.</summary>
    internal CalloutClientTls? CalloutTls()
    {
        if (TlsState is not { } st) return null;
        var ct = new CalloutClientTls { Version = st.Version, Cipher = st.Cipher };
        if (ClientCertificate is { } cert)
        {
            if (_server.TlsVerifiedChain(cert) is { Count: > 0 } chain) ct.VerifiedChains.Add(chain.Select(c => c.ExportCertificatePem() + "\n").ToList());
            else ct.Certs.Add(cert.ExportCertificatePem() + "\n");
        }
        return ct;
    }

    /// <summary>Go's buildInternalNkeyUser and RegisterNkeyUser for the user a callout response carries: its permissions
    /// (or the account's defaults), bound to <paramref name="acc"/>. False (with Go's error) when the account is full.</summary>
    internal bool RegisterCalloutUser(Account acc, UserClaims arc, HashSet<string>? allowedConnectionTypes, out string error)
    {
        var perms = arc.Permissions.ToServer();
        // Go clears the connecting JWT, so its user limits no longer apply.
        _userMsubs = Account.NoLimit;
        _userMpay = Account.NoLimit;
        if (RegisterWithAccount(acc) is { } err)
        {
            error = err;
            return false;
        }
        SetPermissions(perms ?? acc.DefaultPermissions?.Clone());
        UsesAccountDefaultPermissions = perms is null;
        SigningKey = arc.IssuerAccount.Length > 0 ? arc.Issuer : "";
        CalloutUserNkey = arc.Subject;
        CalloutUserIssued = arc.IssuedAt;
        error = "";
        return true;
    }

    /// <summary>Go's mergeDenyPermissions for publish: adds <paramref name="subject"/> to the deny list unless there.</summary>
    internal void MergeDenyPublish(string subject)
    {
        var p = _perms?.ToPublic() ?? new Auth.Permissions();
        p.Publish ??= new Auth.SubjectPermission();
        p.Publish.Deny ??= [];
        if (p.Publish.Deny.Contains(subject)) return;
        p.Publish.Deny.Add(subject);
        p.Subscribe ??= new Auth.SubjectPermission();
        SetPermissions(p);
    }

    /// <summary>Go's authViolation from the callout's reply handler: the client is refused before CONNECT returns.</summary>
    internal void CalloutAuthViolation() => AuthViolation();
}
