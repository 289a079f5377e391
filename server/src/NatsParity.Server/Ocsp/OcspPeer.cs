using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Ocsp;
using BcCert = Org.BouncyCastle.X509.X509Certificate;

namespace NatsParity.Server.Ocsp;

/// <summary>OCSP status of a certificate as Go's golang.org/x/crypto/ocsp numbers it.</summary>
public enum OcspStatus { Good = 0, Revoked = 1, Unknown = 2 }

/// <summary>A parsed, signature-checked OCSP response for one certificate (Go's ocsp.Response fields we use).</summary>
internal sealed record OcspResponse(byte[] Raw, OcspStatus Status, DateTime ThisUpdate, DateTime? NextUpdate, BcCert? Signer);

/// <summary>Go's ocsp_peer.go and certidp: checks each OCSP-eligible link of a verified client chain against its
/// issuer's OCSP responder (through the response cache) when the TLS handshake verifies the client.</summary>
internal sealed class OcspPeer(OcspPeerConfig config, OcspResponseCache cache, NatsServer server)
{
    public const string MsgTlsClientRejectConnection = "client not OCSP valid";
    private static readonly HttpClient Http = new();

    public OcspPeerConfig Config => config;

    /// <summary>Go's tlsClientOCSPValid over the verified chain (leaf first, root last).</summary>
    public bool ClientValid(IReadOnlyList<X509Certificate2> chain)
    {
        var l = server.Logger;
        l.Debug("Peer OCSP enabled: 1 TLS client chain(s) will be evaluated");
        l.Debug($"Chain [0]: {chain.Count} total link(s)");
        if (chain.Count == 1)
        {
            l.Debug("Chain [0] is self-signed, thus peer is valid");
            return true;
        }
        var eligible = new List<(X509Certificate2 Leaf, X509Certificate2 Issuer, List<Uri> Endpoints)>();
        for (int i = 0; i < chain.Count - 1; i++)
            if (OcspEndpoints(chain[i]) is { Count: > 0 } urls) eligible.Add((chain[i], chain[i + 1], urls));
        if (eligible.Count == 0)
        {
            l.Debug("Chain [0] has no OCSP eligible links, thus peer is valid");
            return true;
        }
        l.Debug($"Chain [0] has {eligible.Count} OCSP eligible link(s)");
        foreach (var (leaf, issuer, urls) in eligible)
        {
            if (CertGood(leaf, issuer, urls, l) is { } bad)
            {
                l.Debug(bad);
                server.Events?.SendOcspPeerChainlinkInvalid(chain[0], leaf, bad);
                l.Debug("No OCSP valid chains, thus peer is invalid");
                return false;
            }
        }
        l.Debug("Chain [0] is OCSP valid for all eligible links, thus peer is valid");
        return true;
    }

    /// <summary>Go's VerifyConnection for the client port: refuses the handshake (and says so in an advisory) when the
    /// verified chain is not OCSP valid.</summary>
    public bool ClientAccepted(IReadOnlyList<X509Certificate2> chain)
    {
        if (ClientValid(chain)) return true;
        server.Events?.SendOcspPeerReject("Client", chain[0], MsgTlsClientRejectConnection);
        return false;
    }

    /// <summary>Go's certOCSPGood: null when the link passes, else the reason it does not.</summary>
    private string? CertGood(X509Certificate2 leaf, X509Certificate2 issuer, List<Uri> urls, ServerLogger l)
    {
        string fingerprint = Convert.ToBase64String(SHA256.HashData(leaf.RawData));
        string subj = Auth.GoDistinguishedName.Format(leaf.SubjectName, rdnSequenceOnly: true);
        var bcIssuer = new BcCert(issuer.RawData);
        bool cachedRevocation = false;
        OcspResponse? resp = null;
        l.Debug($"Checking OCSP peer cache for [{subj}], key [{fingerprint}]");
        if (cache.Get(fingerprint, l) is { Length: > 0 } cachedRaw)
        {
            var cached = TryParse(cachedRaw, bcIssuer, out _);
            if (cached is null || !ValidDelegation(bcIssuer, cached))
            {
                l.Debug($"Invalid cached OCSP response for [{subj}] with fingerprint [{fingerprint}]");
                cache.Delete(fingerprint, wasMiss: true, l);
            }
            else
            {
                if (Current(cached, config, l))
                {
                    l.Debug($"Cached OCSP response is current, status [{StatusString((int)cached.Status)}]");
                    resp = cached;
                }
                else
                {
                    l.Debug($"Cached OCSP response is expired, status [{StatusString((int)cached.Status)}]");
                    cache.Delete(fingerprint, wasMiss: true, l);
                }
                if (cached.Status == OcspStatus.Revoked) cachedRevocation = true;
            }
        }
        if (resp is null)
        {
            byte[]? raw;
            string? err;
            try { raw = Fetch(leaf, issuer, urls, l); err = null; }
            // Any failure to build, send or read the request is the responder being unreachable, as Go's fetch error is.
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                raw = null;
                err = e is OperationCanceledException ? $"exhausted OCSP responders: context deadline exceeded" : e.Message;
            }
            if (raw is not { Length: > 0 })
            {
                l.Warn($"Attempt to obtain OCSP response from CA responder for [{subj}] failed: {err ?? "<nil>"}");
                if (config.WarnOnly) return WarnOnlyAllow(subj, l);
                if (config.AllowWhenCaUnreachable && !cachedRevocation)
                {
                    l.Warn($"Failed to obtain OCSP CA response for [{subj}] but AllowWhenCAUnreachable set; no cached revocation so allowing");
                    return null;
                }
                if (config.AllowWhenCaUnreachable)
                    l.Warn($"Failed to obtain OCSP CA response for [{subj}] but AllowWhenCAUnreachable set; cached revocation exists so rejecting");
                return "Failed OCSP response fetch";
            }
            resp = TryParse(raw, bcIssuer, out string? parseError);
            if (resp is null)
            {
                l.Error($"Could not parse OCSP CA response for [{subj}]: {parseError}");
                if (config.WarnOnly) return WarnOnlyAllow(subj, l);
                return "Failed OCSP response parse";
            }
            if (!ValidDelegation(bcIssuer, resp))
            {
                string msg = $"Invalid OCSP response delegation: {subj}";
                l.Warn(msg);
                if (config.WarnOnly) return WarnOnlyAllow(subj, l);
                return msg;
            }
            if (!Current(resp, config, l))
            {
                l.Warn($"New OCSP CA response obtained for [{subj}] but not current");
                if (config.WarnOnly) return WarnOnlyAllow(subj, l);
                return "OCSP response not in effectivity window";
            }
            cache.Put(fingerprint, resp, subj, l);
        }
        if (resp.Status == OcspStatus.Revoked || (resp.Status == OcspStatus.Unknown && !config.UnknownIsGood))
        {
            string status = StatusString((int)resp.Status);
            l.Warn($"OCSP verify fail for [{subj}] with CA status [{status}]");
            if (config.WarnOnly) return WarnOnlyAllow(subj, l);
            return $"Invalid OCSP response status: {status}";
        }
        l.Debug($"OCSP verify pass for [{subj}]");
        return null;
    }

    private static string? WarnOnlyAllow(string subj, ServerLogger l)
    {
        l.Warn($"OCSP verify fail for [{subj}] but WarnOnly is true so allowing");
        return null;
    }

    /// <summary>Go's GetStatusAssertionStr: an out-of-range status reads as unknown.</summary>
    public static string StatusString(int status) => status switch { 0 => "good", 1 => "revoked", _ => "unknown" };

    /// <summary>Go's CertOCSPEligible: the http(s) OCSP responder URLs in the certificate's AIA extension.</summary>
    internal static List<Uri> OcspEndpoints(X509Certificate2 cert)
    {
        var urls = new List<Uri>();
        var ext = new BcCert(cert.RawData).GetExtensionValue(X509Extensions.AuthorityInfoAccess);
        if (ext is null) return urls;
        var aia = AuthorityInformationAccess.GetInstance(Org.BouncyCastle.Asn1.Asn1Object.FromByteArray(ext.GetOctets()));
        foreach (var ad in aia.GetAccessDescriptions())
        {
            if (!ad.AccessMethod.Equals(AccessDescription.IdADOcsp) || ad.AccessLocation.TagNo != GeneralName.UniformResourceIdentifier) continue;
            string s = Org.BouncyCastle.Asn1.DerIA5String.GetInstance(ad.AccessLocation.Name).GetString();
            if (Uri.TryCreate(s, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https")) urls.Add(u);
        }
        return urls;
    }

    /// <summary>Go's encodeOCSPRequest: base64 then query-escaped, for a GET path.</summary>
    public static string EncodeRequest(byte[] der) => Uri.EscapeDataString(Convert.ToBase64String(der));

    /// <summary>Go's ocsp.CreateRequest(leaf, issuer, nil): one SHA-1 CertID, no nonce.</summary>
    internal static byte[] CreateRequest(X509Certificate2 leaf, X509Certificate2 issuer)
    {
        var bcLeaf = new BcCert(leaf.RawData);
        var id = new CertificateID(CertificateID.DigestSha1, new BcCert(issuer.RawData), bcLeaf.SerialNumber);
        var gen = new OcspReqGenerator();
        gen.AddRequest(id);
        return gen.Generate().GetEncoded();
    }

    /// <summary>Go's FetchOCSPResponse: a GET to each responder in turn until one answers 200.</summary>
    private byte[] Fetch(X509Certificate2 leaf, X509Certificate2 issuer, List<Uri> urls, ServerLogger l)
    {
        var timeout = config.Timeout <= TimeSpan.Zero ? OcspPeerConfig.DefaultTimeout : config.Timeout;
        string enc = EncodeRequest(CreateRequest(leaf, issuer));
        Exception? last = null;
        foreach (var u in urls)
        {
            string url = u.OriginalString;
            l.Debug($"Trying OCSP responder url [{url}]");
            try
            {
                using var cts = new CancellationTokenSource(timeout);
                using var req = new HttpRequestMessage(HttpMethod.Get, $"{url.TrimEnd('/')}/{enc}");
                using var resp = Http.Send(req, cts.Token);
                if ((int)resp.StatusCode != 200) throw new OcspFetchException($"bad OCSP responder http status: [{(int)resp.StatusCode}]");
                using var ms = new MemoryStream();
                resp.Content.ReadAsStream(cts.Token).CopyTo(ms);
                return ms.ToArray();
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException or OcspFetchException
                or InvalidOperationException or UriFormatException)
            {
                last = e;
            }
        }
        if (last is null) throw new OcspFetchException("no available OCSP servers");
        throw new OcspFetchException("exhausted OCSP responders: " + (last is OperationCanceledException ? "context deadline exceeded" : last.Message));
    }

    /// <summary>Go's ocsp.ParseResponse(raw, issuer): a successful basic response with one status, signed by the
    /// issuer or by an embedded certificate the issuer signed.</summary>
    internal static OcspResponse? TryParse(byte[] raw, BcCert issuer, out string? error)
    {
        error = null;
        try
        {
            var resp = new OcspResp(raw);
            if (resp.Status != OcspRespStatus.Successful)
            {
                error = $"ocsp: error from server: {ResponseStatusName(resp.Status)}";
                return null;
            }
            if (resp.GetResponseObject() is not BasicOcspResp basic)
            {
                error = "ocsp: bad OCSP response type";
                return null;
            }
            var single = basic.Responses;
            if (single.Length != 1)
            {
                error = "ocsp: OCSP response contains bad number of responses";
                return null;
            }
            BcCert? signer = null;
            var certs = basic.GetCerts();
            if (certs is { Length: > 0 })
            {
                signer = certs[0];
                if (!basic.Verify(signer.GetPublicKey()))
                {
                    error = "bad signature on embedded certificate";
                    return null;
                }
                if (!signer.Equals(issuer))
                {
                    try { signer.Verify(issuer.GetPublicKey()); }
                    catch (Exception)
                    {
                        error = "bad signature on embedded certificate: x509: invalid signature";
                        return null;
                    }
                }
            }
            else if (!basic.Verify(issuer.GetPublicKey()))
            {
                error = "ocsp: error verifying signature";
                return null;
            }
            var s = single[0];
            var status = s.GetCertStatus() switch
            {
                null => OcspStatus.Good,
                RevokedStatus => OcspStatus.Revoked,
                _ => OcspStatus.Unknown,
            };
            return new OcspResponse(raw, status, s.ThisUpdate, s.NextUpdate, signer);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e.Message;
            return null;
        }
    }

    private static string ResponseStatusName(int status) => status switch
    {
        1 => "malformed",
        2 => "internal error",
        3 => "try later",
        5 => "signature required",
        6 => "unauthorized",
        _ => $"unknown OCSP status: {status}",
    };

    /// <summary>Go's ValidDelegationCheck: the signer is the issuer itself, or a delegate with the OCSP signing usage.</summary>
    internal static bool ValidDelegation(BcCert issuer, OcspResponse resp)
    {
        if (resp.Signer is null || resp.Signer.Equals(issuer)) return true;
        return resp.Signer.GetExtendedKeyUsage()?.Any(o => o.Id == KeyPurposeID.id_kp_OCSPSigning.Id) == true;
    }

    /// <summary>Go's OCSPResponseCurrent: within [thisUpdate, nextUpdate] give or take the allowed clock skew; without
    /// nextUpdate, until thisUpdate plus cache_ttl_when_next_update_unset.</summary>
    internal static bool Current(OcspResponse r, OcspPeerConfig opts, ServerLogger l)
    {
        var skew = opts.ClockSkew < TimeSpan.Zero ? OcspPeerConfig.DefaultClockSkew : opts.ClockSkew;
        var now = DateTime.UtcNow;
        if (r.NextUpdate is { } next && next < now - skew)
        {
            l.Debug($"OCSP response NextUpdate [{next:O}] is before now [{now:O}] with clockskew [{skew}]");
            return false;
        }
        if (r.NextUpdate is null)
        {
            var ttl = opts.TtlUnsetNextUpdate < TimeSpan.Zero ? OcspPeerConfig.DefaultTtlUnsetNextUpdate : opts.TtlUnsetNextUpdate;
            var expiry = r.ThisUpdate + ttl;
            if (expiry < now - skew)
            {
                l.Debug($"OCSP response cache expiry [{expiry:O}] is before now [{now:O}] with clockskew [{skew}]");
                return false;
            }
        }
        if (r.ThisUpdate > now + skew)
        {
            l.Debug($"OCSP response ThisUpdate [{r.ThisUpdate:O}] is before now [{now:O}] with clockskew [{skew}]");
            return false;
        }
        return true;
    }
}

internal sealed class OcspFetchException(string message) : Exception(message);
