using System.Security.Authentication;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/tls_test.go for one node, with a CA and certificates the tests generate (the Go tests'
/// test/configs/certs files are not copied).</summary>
public sealed partial class TlsTests
{
    private static string Q(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";

    /// <summary>test/configs/tls.conf: TLS with a 2s handshake timeout and user derek/monkey.</summary>
    private static ServerConfig TlsConf(TestPki pki, double timeout = 2, double authTimeout = 1) => GoTestServers.Default with
    {
        Extra = $$"""
            tls {
              cert_file: {{Q(pki.ServerCertFile)}}
              key_file: {{Q(pki.ServerKeyFile)}}
              timeout: {{timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
            }
            authorization {
              user: derek
              password: monkey
              timeout: {{authTimeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}}
            }
            """,
    };

    /// <summary>test/configs/tlsverify.conf (with ca_file) and tlsverify_noca.conf (without).</summary>
    private static ServerConfig VerifyConf(TestPki pki, bool withCa) => GoTestServers.Default with
    {
        Extra = $$"""
            tls {
              cert_file: {{Q(pki.ServerCertFile)}}
              key_file: {{Q(pki.ServerKeyFile)}}
              timeout: 2
              {{(withCa ? "ca_file: " + Q(pki.CaFile) : "")}}
              verify: true
            }
            """,
    };

    /// <summary>A server that maps TLS client certificates to the users of <paramref name="authorization"/> (with
    /// <paramref name="verify"/>, verify is also set, as some of Go's conf files do).</summary>
    private static ServerConfig MapConf(TestPki pki, string authorization, bool verify = false, params string[] tls) =>
        GoTestServers.Default with { Extra = pki.TlsBlock([.. tls, .. verify ? ["verify: true"] : Array.Empty<string>(), "verify_and_map: true"]) + authorization };

    /// <summary>The authorization of Go's tls_cert_cn.conf and tls_cert_san_auth.conf: default permissions on public.>
    /// and <paramref name="users"/>.</summary>
    private static string PublicByDefault(params string[] users) =>
        "authorization {\n  permissions {\n    publish { allow = [\"public.>\"] }\n    subscribe { allow = [\"public.>\"] }\n  }\n" +
        "  users [\n" + string.Concat(users.Select(u => "    " + u + "\n")) + "  ]\n}\n";

    /// <summary>A user entry that may publish and subscribe on <paramref name="subjects"/> (quoted conf strings).</summary>
    private static string UserAllowed(string user, params string[] subjects)
    {
        string allow = string.Join(", ", subjects);
        return $"{{ user = \"{user}\", permissions = {{ publish {{ allow = [{allow}] }}, subscribe {{ allow = [{allow}] }} }} }}";
    }

    /// <summary>A TLS client with <paramref name="cert"/> that connected and got its first PONG.</summary>
    private static ProtoClient LoginTls(NatsServerProcess server, TestPki pki, System.Security.Cryptography.X509Certificates.X509Certificate2 cert)
    {
        var c = TlsClient(server, pki, cert);
        c.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
        return c;
    }

    private static ProtoClient TlsClient(NatsServerProcess server, TestPki pki, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCert = null, bool trustCa = true)
    {
        var c = ProtoClient.Connect(server);
        c.Info!.Value.GetProperty("tls_required").GetBoolean().ShouldBeTrue();
        c.UpgradeToTls(clientCert, trustCa ? pki.Ca : null);
        return c;
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSConnection")]
    public void TlsConnection(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, TlsConf(pki));

        // Without the CA the client cannot trust the server's certificate.
        using (var c = ProtoClient.Connect(server))
            Should.Throw<AuthenticationException>(() => c.UpgradeToTls(null, null));

        // Trusted, but without credentials.
        using (var c = TlsClient(server, pki))
        {
            c.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
        }

        using var nc = TlsClient(server, pki);
        nc.SendAndReadMsg("CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"monkey\"}\r\nSUB foo-tls 1\r\nPUB foo-tls 14\r\nWe are Secure!\r\n").Check("foo-tls", "1", "", 14, "We are Secure!");
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificate")]
    public void TlsClientCertificate(ServerTarget target)
    {
        using var pki = new TestPki();
        var client = pki.Client("client", "CN=localhost, OU=nats.io, O=NatsParity");
        using var server = NatsServerProcess.Start(target, VerifyConf(pki, withCa: true));

        // No client certificate: the server ends the handshake.
        using (var c = ProtoClient.Connect(server))
            Should.Throw<Exception>(() =>
            {
                c.UpgradeToTls(null, pki.Ca);
                c.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
            });

        using var nc = TlsClient(server, pki, client.Cert);
        nc.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSVerifyClientCertificate")]
    public void TlsVerifyClientCertificate(ServerTarget target)
    {
        using var pki = new TestPki();
        var client = pki.Client("client", "CN=localhost, OU=nats.io, O=NatsParity");
        using var server = NatsServerProcess.Start(target, VerifyConf(pki, withCa: false));

        // The server has no CA for the client certificate: the connection fails.
        using var c = ProtoClient.Connect(server);
        Should.Throw<Exception>(() =>
        {
            c.UpgradeToTls(client.Cert, pki.Ca);
            c.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
        });
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSConnectionTimeout")]
    public void TlsConnectionTimeout(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, TlsConf(pki, timeout: 0.25));
        using var c = ProtoClient.Connect(server);
        Thread.Sleep(250);
        // A plain client that never starts TLS is dropped: either closed, or told TLS is required.
        try
        {
            string line = c.ReadLine(TimeSpan.FromSeconds(2));
            line.ShouldContain("-ERR 'Secure Connection - TLS Required");
        }
        catch (Exception e) when (e is ProtoException or IOException)
        {
            c.ExpectClosed(TimeSpan.FromSeconds(2));
        }
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSBadAuthError")]
    public void TlsBadAuthError(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, TlsConf(pki));
        using var c = TlsClient(server, pki);
        c.Send("CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"NOT_THE_PASSWORD\"}\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ToLowerInvariant().ShouldBe("'authorization violation'");
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSAuthorizationShortTimeout")]
    public void TlsAuthorizationShortTimeout(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, TlsConf(pki, authTimeout: 0.001));
        // The client does not trust the server (no CA): the handshake fails on the certificate, not on a TLS record
        // corrupted by an auth timeout firing mid-handshake.
        using var c = ProtoClient.Connect(server);
        var e = Should.Throw<AuthenticationException>(() => c.UpgradeToTls(null, null));
        e.Message.ShouldNotContain("oversized record");
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificateCNBasedAuth")]
    public void TlsClientCertificateCNBasedAuth(ServerTarget target)
    {
        using var pki = new TestPki();
        var natsIo = pki.Client("client", "CN=example.com, OU=NATS.io");
        var cncf = pki.Client("client2", "CN=example.com, OU=CNCF");
        // test/configs/tls_cert_cn.conf: users named by certificate subject, default permissions on public.>.
        var conf = MapConf(pki, verify: true, authorization: PublicByDefault(
            "{ user = \"CN=example.com,OU=NATS.io\" }",
            UserAllowed("CN=example.com,OU=CNCF", "\">\"")));
        using var server = NatsServerProcess.Start(target, conf);
        using var nc1 = LoginTls(server, pki, natsIo.Cert);
        using var nc2 = LoginTls(server, pki, cncf.Cert);

        // The default permissions refuse foo.bar and foo.>.
        nc1.Send("PUB foo.bar 2\r\nhi\r\nSUB foo.> 1\r\nPING\r\n");
        nc1.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Publish to \"foo.bar\"'");
        nc1.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Subscription to \"foo.>\"'");
        nc1.ExpectLine(ProtoRegex.Pong);

        // The CNCF user may do anything.
        nc2.SendAndReadMsg("SUB > 1\r\nPUB hello 2\r\nhi\r\n").Check("hello", "1", "", 2, "hi");
    }
}
