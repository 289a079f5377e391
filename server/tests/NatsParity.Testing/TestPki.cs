using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace NatsParity.Testing;

/// <summary>
/// A throwaway PKI the TLS tests generate for themselves: a CA, a server certificate for localhost/127.0.0.1 signed
/// by it, and client certificates with chosen subjects and SANs, all written as PEM files to a temp directory.
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly RSA _caKey = RSA.Create(2048);

    public TestPki()
    {
        Dir = Directory.CreateTempSubdirectory("natsparity-pki-").FullName;
        var req = new CertificateRequest("CN=NatsParity Test CA, O=NatsParity", _caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        Ca = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(2));
        CaFile = Path.Combine(Dir, "ca.pem");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
        (ServerCertFile, ServerKeyFile, _) = Issue("server", "CN=localhost, O=NatsParity", ["localhost"], [], serverAuth: true);
    }

    public string Dir { get; }

    /// <summary>A conf file tls {} block with this PKI's server certificate, key and CA, and <paramref name="settings"/>
    /// (lines such as "verify_and_map: true").</summary>
    public string TlsBlock(params string[] settings)
    {
        static string Q(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";
        var lines = new[] { $"cert_file: {Q(ServerCertFile)}", $"key_file: {Q(ServerKeyFile)}", $"ca_file: {Q(CaFile)}" }.Concat(settings);
        return "tls {\n" + string.Concat(lines.Select(l => "  " + l + "\n")) + "}\n";
    }
    public X509Certificate2 Ca { get; }
    public string CaFile { get; }
    public string ServerCertFile { get; }
    public string ServerKeyFile { get; }

    /// <summary>Another server certificate for localhost/127.0.0.1 signed by the CA (a rotated certificate).</summary>
    public (string CertFile, string KeyFile, X509Certificate2 Cert) Server(string name) =>
        Issue(name, "CN=localhost, O=NatsParity", ["localhost"], [], serverAuth: true);

    /// <summary>A server certificate for localhost only, without an IP SAN (as Go's server-noip.pem): clients that
    /// check 127.0.0.1 refuse it.</summary>
    public (string CertFile, string KeyFile, X509Certificate2 Cert) ServerNoIp(string name) =>
        Issue(name, new X500DistinguishedName("CN=localhost, O=NatsParity"), ["localhost"], [], serverAuth: true, ipSan: false);

    /// <summary>A client certificate signed by the CA; returns its files and the certificate with its key.</summary>
    public (string CertFile, string KeyFile, X509Certificate2 Cert) Client(string name, string subject, string[]? dnsNames = null, string[]? emails = null,
        string[]? uris = null) =>
        Issue(name, new X500DistinguishedName(subject), dnsNames ?? [], emails ?? [], serverAuth: false, uris ?? []);

    /// <summary>A client certificate whose subject is written as OpenSSL's -subj ("/C=US/O=NATS/DC=DEV+O=users/CN=x":
    /// relative names in certificate order, '+' joining the values of a multi-valued one).</summary>
    public (string CertFile, string KeyFile, X509Certificate2 Cert) ClientWithSubject(string name, string openSslSubject, string[]? dnsNames = null,
        string[]? uris = null) =>
        Issue(name, OpenSslSubject(openSslSubject), dnsNames ?? [], [], serverAuth: false, uris ?? []);

    private static readonly Dictionary<string, (string Oid, System.Formats.Asn1.UniversalTagNumber Type)> SubjectTypes = new()
    {
        ["C"] = ("2.5.4.6", System.Formats.Asn1.UniversalTagNumber.PrintableString),
        ["ST"] = ("2.5.4.8", System.Formats.Asn1.UniversalTagNumber.UTF8String),
        ["L"] = ("2.5.4.7", System.Formats.Asn1.UniversalTagNumber.UTF8String),
        ["O"] = ("2.5.4.10", System.Formats.Asn1.UniversalTagNumber.UTF8String),
        ["OU"] = ("2.5.4.11", System.Formats.Asn1.UniversalTagNumber.UTF8String),
        ["CN"] = ("2.5.4.3", System.Formats.Asn1.UniversalTagNumber.UTF8String),
        ["DC"] = ("0.9.2342.19200300.100.1.25", System.Formats.Asn1.UniversalTagNumber.IA5String),
    };

    private static X500DistinguishedName OpenSslSubject(string subject)
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            foreach (var rdn in subject.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                using (w.PushSetOf())
                {
                    foreach (var atv in rdn.Split('+'))
                    {
                        int eq = atv.IndexOf('=');
                        var (oid, type) = SubjectTypes[atv[..eq]];
                        using (w.PushSequence())
                        {
                            w.WriteObjectIdentifier(oid);
                            w.WriteCharacterString(type, atv[(eq + 1)..]);
                        }
                    }
                }
            }
        }
        return new X500DistinguishedName(w.Encode());
    }

    private (string, string, X509Certificate2) Issue(string name, string subject, string[] dns, string[] emails, bool serverAuth) =>
        Issue(name, new X500DistinguishedName(subject), dns, emails, serverAuth);

    private (string, string, X509Certificate2) Issue(string name, X500DistinguishedName subject, string[] dns, string[] emails, bool serverAuth,
        string[]? uris = null, bool ipSan = true)
    {
        uris ??= [];
        using var key = RSA.Create(2048);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var d in dns) san.AddDnsName(d);
        foreach (var e in emails) san.AddEmailAddress(e);
        foreach (var u in uris) san.AddUri(new Uri(u));
        if (serverAuth && ipSan) san.AddIpAddress(IPAddress.Loopback);
        if (dns.Length + emails.Length + uris.Length > 0 || serverAuth) req.CertificateExtensions.Add(san.Build());
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        var serial = new byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7f;
        using var pub = req.Create(Ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), serial);
        using var withKey = pub.CopyWithPrivateKey(key);
        var cert = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
        string certFile = Path.Combine(Dir, $"{name}-cert.pem"), keyFile = Path.Combine(Dir, $"{name}-key.pem");
        File.WriteAllText(certFile, pub.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certFile, keyFile, cert);
    }

    public void Dispose()
    {
        _caKey.Dispose();
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }
}
