using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NatsParity.Server.Ocsp;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Ocsp;
using Org.BouncyCastle.Security;
using BcCert = Org.BouncyCastle.X509.X509Certificate;

namespace NatsParity.Server.Tests.Ocsp;

/// <summary>
/// The PKI of Go's configs/certs/ocsp_peer/mini-ca, generated: a root, two intermediates whose AIA points at the
/// root's OCSP responder, a designated OCSP signer under each CA, and client certificates whose AIA points at their
/// intermediate's responder. The server certificate comes straight from the root (its chain is not under test).
/// </summary>
internal sealed class OcspTestPki : IDisposable
{
    public OcspTestPki()
    {
        Dir = Directory.CreateTempSubdirectory("natsparity-ocsp-").FullName;
        (RootUrl, Int1Url, Int2Url) = ReserveUrls();
        Root = Issue("CN=Root CA", null, ca: true, ocspUrl: null);
        Int1 = Issue("CN=Intermediate CA 1", Root, ca: true, ocspUrl: RootUrl);
        Int2 = Issue("CN=Intermediate CA 2", Root, ca: true, ocspUrl: RootUrl);
        RootOcsp = Issue("CN=CA OCSP Responder", Root, ca: false, ocspUrl: null, eku: OcspSigning);
        Ocsp1 = Issue("CN=Intermediate CA 1 OCSP Responder", Int1, ca: false, ocspUrl: null, eku: OcspSigning);
        Ocsp2 = Issue("CN=Intermediate CA 2 OCSP Responder", Int2, ca: false, ocspUrl: null, eku: OcspSigning);
        UserA1 = Issue("CN=UserA1, OU=Users, O=Synadia", Int1, ca: false, ocspUrl: Int1Url, eku: ClientAuth);
        UserA2 = Issue("CN=UserA2, OU=Users, O=Synadia", Int1, ca: false, ocspUrl: Int1Url, eku: ClientAuth);
        UserB1 = Issue("CN=UserB1, OU=Users, O=Synadia", Int2, ca: false, ocspUrl: Int2Url, eku: ClientAuth);
        var server = Issue("CN=localhost", Root, ca: false, ocspUrl: null, eku: ServerAuth, san: true);
        RootFile = Write("root_cert.pem", Root.ExportCertificatePem());
        ServerCertFile = Write("server_cert.pem", server.ExportCertificatePem());
        ServerKeyFile = Write("server_key.pem", server.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
    }

    private const string OcspSigning = "1.3.6.1.5.5.7.3.9", ClientAuth = "1.3.6.1.5.5.7.3.2", ServerAuth = "1.3.6.1.5.5.7.3.1";

    public string Dir { get; }
    public string RootUrl { get; }
    public string Int1Url { get; }
    public string Int2Url { get; }
    public X509Certificate2 Root { get; }
    public X509Certificate2 Int1 { get; }
    public X509Certificate2 Int2 { get; }
    public X509Certificate2 RootOcsp { get; }
    public X509Certificate2 Ocsp1 { get; }
    public X509Certificate2 Ocsp2 { get; }
    public X509Certificate2 UserA1 { get; }
    public X509Certificate2 UserA2 { get; }
    public X509Certificate2 UserB1 { get; }
    public string RootFile { get; }
    public string ServerCertFile { get; }
    public string ServerKeyFile { get; }

    /// <summary>Go's NewOCSPResponderRootCA: the root's designated responder.</summary>
    public OcspResponder RootResponder() => new(RootUrl, Root, RootOcsp, embed: true);
    /// <summary>Go's NewOCSPResponderIntermediateCA1.</summary>
    public OcspResponder Int1Responder(TimeSpan? ttl = null) => new(Int1Url, Int1, Ocsp1, embed: true, ttl);
    /// <summary>Go's NewOCSPResponderIntermediateCA1Undelegated: intermediate 1 signs its own responses.</summary>
    public OcspResponder Int1UndelegatedResponder() => new(Int1Url, Int1, Int1, embed: false);
    /// <summary>Go's NewOCSPResponderBadDelegateIntermediateCA1: signed by UserA2, which lacks the OCSP signing usage.</summary>
    public OcspResponder Int1BadDelegateResponder() => new(Int1Url, Int1, UserA2, embed: true);
    /// <summary>Go's NewOCSPResponderIntermediateCA2.</summary>
    public OcspResponder Int2Responder() => new(Int2Url, Int2, Ocsp2, embed: true);

    /// <summary>A tls {} block with the server certificate, the root as ca_file, and <paramref name="settings"/>.</summary>
    public string TlsBlock(params string[] settings)
    {
        var lines = new[] { $"cert_file: \"{ServerCertFile}\"", $"key_file: \"{ServerKeyFile}\"", $"ca_file: \"{RootFile}\"", "timeout: 5", "verify: true" }
            .Concat(settings);
        return "tls: {\n" + string.Concat(lines.Select(l => "  " + l + "\n")) + "}\n";
    }

    /// <summary>The intermediate a client sends after its certificate (Go's *_bundle.pem).</summary>
    public X509Certificate2Collection BundleFor(X509Certificate2 client) => [client.Issuer == Int1.Subject ? Int1 : Int2];

    private string Write(string name, string pem)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, pem);
        return path;
    }

    /// <summary>Three distinct free loopback ports for the responders, known before the certificates that name them.</summary>
    private static (string, string, string) ReserveUrls()
    {
        var ls = Enumerable.Range(0, 3).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        foreach (var l in ls) l.Start();
        var urls = ls.Select(l => $"http://127.0.0.1:{((IPEndPoint)l.LocalEndpoint).Port}").ToArray();
        foreach (var l in ls) l.Stop();
        return (urls[0], urls[1], urls[2]);
    }

    private static X509Certificate2 Issue(string subject, X509Certificate2? issuer, bool ca, string? ocspUrl, string? eku = null, bool san = false)
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(ca, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(
            ca ? X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign : X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        if (eku is not null) req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        if (ocspUrl is not null) req.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([ocspUrl], null));
        if (san)
        {
            var b = new SubjectAlternativeNameBuilder();
            b.AddDnsName("localhost");
            b.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(b.Build());
        }
        var from = DateTimeOffset.UtcNow.AddHours(-1);
        var to = DateTimeOffset.UtcNow.AddDays(issuer is null ? 10 : ca ? 5 : 2);
        if (issuer is null) return req.CreateSelfSigned(from, to);
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        using var pub = req.Create(issuer, from, to, serial);
        using var withKey = pub.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Go's internal/ocsp test responder: answers GET /base64(request) (and POST) with a response for the
/// status set per serial (unknown when unset), thisUpdate now and nextUpdate after the TTL (none for a zero TTL),
/// signed by the signer, which is embedded when it is a designated responder.</summary>
internal sealed class OcspResponder : IAsyncDisposable
{
    /// <summary>Go's defaultResponseTTL.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(4);

    private readonly BcCert _issuer, _signer;
    private readonly Org.BouncyCastle.Crypto.AsymmetricKeyParameter _key;
    private readonly bool _embed;
    private readonly TimeSpan _ttl;
    private readonly ConcurrentDictionary<string, OcspStatus> _statuses = new();
    private WebApplication? _app;
    private int _requests;

    public OcspResponder(string url, X509Certificate2 issuer, X509Certificate2 signer, bool embed, TimeSpan? ttl = null)
    {
        Url = url;
        _issuer = new BcCert(issuer.RawData);
        _signer = new BcCert(signer.RawData);
        _key = PrivateKeyFactory.CreateKey(signer.GetRSAPrivateKey()!.ExportPkcs8PrivateKey());
        _embed = embed;
        _ttl = ttl ?? DefaultTtl;
    }

    public string Url { get; }
    /// <summary>How many OCSP requests it has answered.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Go's SetOCSPStatus.</summary>
    public void SetStatus(X509Certificate2 cert, OcspStatus status) => _statuses[new BcCert(cert.RawData).SerialNumber.ToString()] = status;

    /// <summary>A signed response for <paramref name="id"/> as this responder would answer it.</summary>
    private byte[] Response(CertificateID id, OcspStatus status, DateTime thisUpdate, DateTime? nextUpdate)
    {
        var gen = new BasicOcspRespGenerator(new RespID(_signer.SubjectDN));
        CertificateStatus? cs = status switch
        {
            OcspStatus.Good => CertificateStatus.Good,
            OcspStatus.Revoked => new RevokedStatus(thisUpdate.AddMinutes(-1), 0),
            _ => new UnknownStatus(),
        };
        gen.AddResponse(id, cs, thisUpdate, nextUpdate, null);
        var basic = gen.Generate(new Asn1SignatureFactory("SHA256WITHRSA", _key), _embed ? [_signer] : null, thisUpdate);
        return new OCSPRespGenerator().Generate(OCSPRespGenerator.Successful, basic).GetEncoded();
    }

    /// <summary>A response for <paramref name="cert"/> that expired an hour ago (its four-second validity long past),
    /// as the Go tests' pre-seeded cache entries are.</summary>
    public byte[] ExpiredResponse(X509Certificate2 cert, OcspStatus status)
    {
        var id = new CertificateID(CertificateID.DigestSha1, _issuer, new BcCert(cert.RawData).SerialNumber);
        var thisUpdate = DateTime.UtcNow.AddHours(-1);
        return Response(id, status, thisUpdate, thisUpdate + DefaultTtl);
    }

    /// <summary>Starts answering, with the given certificates' statuses set first (others are unknown).</summary>
    public async Task<OcspResponder> StartAsync(params (X509Certificate2 Cert, OcspStatus Status)[] statuses)
    {
        foreach (var (cert, status) in statuses) SetStatus(cert, status);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var uri = new Uri(Url);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, uri.Port));
        var app = builder.Build();
        app.Run(async ctx =>
        {
            byte[] der;
            if (ctx.Request.Method == "POST")
            {
                using var ms = new MemoryStream();
                await ctx.Request.Body.CopyToAsync(ms);
                der = ms.ToArray();
            }
            else
            {
                der = Convert.FromBase64String(Uri.UnescapeDataString((ctx.Request.Path.Value ?? "/")[1..]));
            }
            var id = new OcspReq(der).GetRequestList()[0].GetCertID();
            var status = _statuses.GetValueOrDefault(id.SerialNumber.ToString(), OcspStatus.Unknown);
            var now = DateTime.UtcNow;
            byte[] body = Response(id, status, now, _ttl == TimeSpan.Zero ? null : now + _ttl);
            Interlocked.Increment(ref _requests);
            ctx.Response.ContentType = "application/ocsp-response";
            await ctx.Response.Body.WriteAsync(body);
        });
        await app.StartAsync();
        _app = app;
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
