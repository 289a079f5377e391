using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using NatsParity.Server.Config;

namespace NatsParity.Server.Auth;

/// <summary>The client port's TLS settings built once from the options (Go's GenTLSConfig): certificate and key from
/// PEM files, client certificates required and checked against ca_file when verify is on.</summary>
internal sealed class TlsSetup
{
    private readonly X509Certificate2[] _certs;
    private readonly X509Certificate2Collection? _roots;

    public bool Verify { get; }
    public TimeSpan Timeout { get; }
    public bool HandshakeFirst { get; }
    /// <summary>With handshake_first: how long to wait for the client's handshake before sending INFO as without it
    /// (zero: the handshake is required).</summary>
    public TimeSpan HandshakeFirstFallback { get; }
    /// <summary>allow_non_tls: the client picks TLS or plain text by its first bytes (unless the TLS handshake must come
    /// first).</summary>
    public bool AllowNonTls { get; }
    private readonly HashSet<string>? _pinned;
    private readonly SslProtocols _protocols;
    private readonly Ocsp.OcspPeer? _ocsp;
    // Why a handshake's client certificate was refused, for the handshake error Go logs.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, string> _rejects = new();

    private TlsSetup(ServerOptions o, X509Certificate2[] certs, X509Certificate2Collection? roots, Ocsp.OcspPeer? ocsp)
    {
        _ocsp = ocsp;
        _certs = certs;
        _roots = roots;
        Verify = o.TlsVerify;
        Timeout = o.TlsTimeout;
        HandshakeFirst = o.TlsHandshakeFirst;
        HandshakeFirstFallback = o.TlsHandshakeFirst ? o.TlsHandshakeFirstFallback : TimeSpan.Zero;
        AllowNonTls = o.AllowNonTls;
        _pinned = o.TlsPinnedCerts;
        _protocols = o.TlsMinVersion == "1.3" ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
    }

    /// <summary>Loads the certificate, key and CA; a file that cannot be read fails as Go's GenTLSConfig does.</summary>
    public static TlsSetup Create(ServerOptions o, Ocsp.OcspPeer? ocsp = null)
    {
        // Go's plugTLSOCSPPeer: OCSP checks of client certificates need the certificates to be verified.
        if (o.TlsOcspPeer is { Verify: true } && !o.TlsVerify)
            throw new ArgumentException("OCSP peer verification for client connections requires TLS verify (mTLS) to be enabled");
        // Go's GenTLSConfig: a minimum below TLS 1.2 is refused.
        if (o.TlsMinVersion is "1.0" or "1.1") throw new ArgumentException($"unsupported minimum TLS version: TLS {o.TlsMinVersion}");
        X509Certificate2[] certs;
        if (o.TlsCertificates is { } pairs && o.TlsCert.Length == 0)
        {
            certs = new X509Certificate2[pairs.Count];
            for (int i = 0; i < pairs.Count; i++)
                certs[i] = LoadPair(pairs[i].CertFile, pairs[i].KeyFile, $" {i + 1}/{pairs.Count}");
        }
        else
        {
            certs = [LoadPair(o.TlsCert, o.TlsKey, "")];
        }
        X509Certificate2Collection? roots = null;
        if (o.TlsCaCert.Length > 0)
        {
            roots = [];
            try { roots.ImportFromPemFile(o.TlsCaCert); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new ArgumentException($"failed to parse root ca certificate: {e.Message}");
            }
            if (roots.Count == 0) throw new ArgumentException("failed to parse root ca certificate");
        }
        return new TlsSetup(o, certs, roots, ocsp);
    }

    private static X509Certificate2 LoadPair(string certFile, string keyFile, string which)
    {
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certFile, keyFile);
            // Re-import so the private key is usable by SslStream on every platform.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new ArgumentException($"error parsing X509 certificate/key pair{which}: {e.Message}");
        }
    }

    /// <summary>Go's certificate choice: the first certificate that covers the server name the client asked for, else
    /// the first. The HTTPS monitoring port serves these certificates too.</summary>
    internal X509Certificate2 SelectCertificate(string? serverName)
    {
        if (_certs.Length > 1 && !string.IsNullOrEmpty(serverName))
            foreach (var c in _certs)
                if (c.MatchesHostname(serverName)) return c;
        return _certs[0];
    }

    /// <summary>Go's matchesPinnedCert: with pinned_certs, the client's certificate must be one of them, by the SHA-256
    /// of its SubjectPublicKeyInfo.</summary>
    public bool MatchesPinnedCert(X509Certificate? cert)
    {
        if (_pinned is null) return true;
        if (cert is null) return false;
        using var c2 = X509CertificateLoader.LoadCertificate(cert.GetRawCertData());
        string keyId = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(c2.PublicKey.ExportSubjectPublicKeyInfo()));
        return _pinned.Contains(keyId);
    }

    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificate = _certs.Length == 1 ? _certs[0] : null,
        ServerCertificateSelectionCallback = _certs.Length == 1 ? null : (_, name) => SelectCertificate(name),
        ClientCertificateRequired = Verify,
        EnabledSslProtocols = _protocols,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = ValidateClient,
    };

    /// <summary>Without verify any (or no) client certificate is fine; with verify one is required and must chain to
    /// ca_file (or the system roots when no CA is given).</summary>
    private bool ValidateClient(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (!Verify) return true;
        if (certificate is null) return false;
        if (_roots is null) return errors == SslPolicyErrors.None;
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        custom.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client auth
        if (chain is not null)
        {
            foreach (var e in chain.ChainElements) if (!ReferenceEquals(e.Certificate, certificate)) custom.ChainPolicy.ExtraStore.Add(e.Certificate);
        }
        if (!custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()))) return false;
        if (_ocsp is null) return true;
        var verified = custom.ChainElements.Select(e => e.Certificate).ToList();
        if (_ocsp.ClientAccepted(verified)) return true;
        _rejects.AddOrUpdate(sender, Ocsp.OcspPeer.MsgTlsClientRejectConnection);
        return false;
    }

    /// <summary>Why this server refused the client certificate of <paramref name="ssl"/>'s handshake, if it said.</summary>
    internal string? RejectReason(SslStream ssl) => _rejects.TryGetValue(ssl, out var r) ? r : null;

    /// <summary>The chain a verified client certificate was accepted on, leaf first (Go's VerifiedChains[0]); null when
    /// client certificates are not verified or it does not chain.</summary>
    internal List<X509Certificate2>? VerifiedChain(X509Certificate2 certificate)
    {
        if (!Verify) return null;
        using var chain = new X509Chain();
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (_roots is not null)
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        }
        if (!chain.Build(certificate)) return null;
        return chain.ChainElements.Select(e => X509CertificateLoader.LoadCertificate(e.Certificate.RawData)).ToList();
    }
}
