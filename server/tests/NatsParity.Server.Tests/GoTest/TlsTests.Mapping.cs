using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>More ports of test/tls_test.go: users mapped from client certificates by email and DNS names.</summary>
public sealed partial class TlsTests
{
    /// <summary>test/configs/tls_cert_id.conf: the user comes from the certificate; extra lines go in the user entry.</summary>
    private static ServerConfig CertIdConf(TestPki pki, string userExtra = "") => MapConf(pki, $$"""
        authorization {
          users = [
            {user: derek@nats.io, permissions: { publish:"foo" } {{userExtra}}}
          ]
        }
        """, verify: false, "timeout: 2");

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificateHasUserID")]
    public void TlsClientCertificateHasUserId(ServerTarget target)
    {
        using var pki = new TestPki();
        var id = pki.Client("client-id-auth", "CN=www.nats.io", emails: ["derek@nats.io"]);
        using var server = NatsServerProcess.Start(target, CertIdConf(pki));
        using var nc = LoginTls(server, pki, id.Cert);
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificateCheckWithAllowedConnectionTypes")]
    public void TlsClientCertificateCheckWithAllowedConnectionTypes(ServerTarget target)
    {
        using var pki = new TestPki();
        var id = pki.Client("client-id-auth", "CN=www.nats.io", emails: ["derek@nats.io"]);
        // The mapped user may only connect over websocket.
        using var server = NatsServerProcess.Start(target, CertIdConf(pki, ", allowed_connection_types: [\"WEBSOCKET\"]"));
        using var nc = TlsClient(server, pki, id.Cert);
        nc.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        nc.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
        nc.ExpectClosed();
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificateSANsBasedAuth")]
    public void TlsClientCertificateSansBasedAuth(ServerTarget target)
    {
        using var pki = new TestPki();
        // The subject alone (no SANs), and two with DNS names that name users.
        var plain = pki.Client("client", "CN=www.nats.io");
        var dev = pki.Client("dev", "CN=www.nats.io", dnsNames: ["app.nats.dev", "*.app.nats.dev"]);
        var prod = pki.Client("prod", "CN=www.nats.io", dnsNames: ["app.nats.prod", "*.app.nats.prod"]);
        // test/configs/tls_cert_san_auth.conf
        var conf = MapConf(pki, verify: true, authorization: PublicByDefault(
            "{ user = \"CN=www.nats.io\" }",
            UserAllowed("app.nats.prod", "\">\""),
            UserAllowed("app.nats.dev", "\"public.>\"", "\"sandbox.>\"")));
        SanMappedUsers(target, pki, conf, plain.Cert, dev.Cert, prod.Cert);
    }

    /// <summary>The scenario of Go's SAN-mapped user tests: a user mapped from the subject (public.> only), "dev" (its
    /// sandbox and public.>) and "prod" (everything), with three permission errors in all, none for prod.</summary>
    private static void SanMappedUsers(ServerTarget target, TestPki pki, ServerConfig conf,
        System.Security.Cryptography.X509Certificates.X509Certificate2 plain,
        System.Security.Cryptography.X509Certificates.X509Certificate2 dev,
        System.Security.Cryptography.X509Certificates.X509Certificate2 prod)
    {
        using var server = NatsServerProcess.Start(target, conf);
        using var defaultc = LoginTls(server, pki, plain);
        using var devc = LoginTls(server, pki, dev);
        using var prodc = LoginTls(server, pki, prod);
        int errors = 0;
        string Line(ProtoClient c)
        {
            string l = c.ReadLine(TimeSpan.FromSeconds(2));
            if (l.StartsWith("-ERR", StringComparison.Ordinal)) errors++;
            return l;
        }

        // dev may neither publish nor subscribe on foo.>.
        devc.Send("PUB foo.bar 2\r\nhi\r\n");
        Line(devc).ShouldStartWith("-ERR 'Permissions Violation for Publish to \"foo.bar\"'");
        devc.Send("SUB foo.> 1\r\n");
        Line(devc).ShouldStartWith("-ERR 'Permissions Violation for Subscription to \"foo.>\"'");
        devc.Flush();

        // prod gets everything.
        prodc.SendAndReadMsg("SUB > 1\r\nPUB hello 2\r\nhi\r\n", TimeSpan.FromSeconds(1)).Subject.ShouldBe("hello");

        // dev publishes in its sandbox; dev and prod both receive.
        devc.SendAndReadMsg("SUB sandbox.> 2\r\nPUB sandbox.foo.bar 3\r\nhi!\r\n", TimeSpan.FromSeconds(1)).Subject.ShouldBe("sandbox.foo.bar");
        prodc.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("sandbox.foo.bar");

        // The subject-mapped default user may not use the sandbox, but reads public.>.
        defaultc.Send("SUB sandbox.> 1\r\n");
        Line(defaultc).ShouldStartWith("-ERR 'Permissions Violation for Subscription to \"sandbox.>\"'");
        defaultc.SendAndFlush("SUB public.> 2\r\n");
        devc.SendAndFlush("PUB public.foo.bar 3\r\nhi!\r\n");
        defaultc.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("public.foo.bar");

        // Three permission errors in all, none for prod.
        errors.ShouldBe(3);
        prodc.SendAndReadMsg("", TimeSpan.FromSeconds(1)).Subject.ShouldBe("public.foo.bar");
    }
}

public sealed partial class TlsTests
{
    /// <summary>Certificates without a subject are accepted since the current source (2.15.0-dev); the 2.9.10
    /// reference refuses them, so it runs only the part without a client certificate.</summary>
    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificateNoSubjectWithSANAuth", Since = "2.15")]
    public void TlsClientCertificateNoSubjectWithSanAuth(ServerTarget target)
    {
        using var pki = new TestPki();
        // An empty subject, and a DNS name that names the user.
        var client = pki.Client("client-nosubj", "", dnsNames: ["localhost"]);
        using var server = NatsServerProcess.Start(target, MapConf(pki, """
            authorization {
              users = [
                { user: "localhost" }
              ]
            }
            """));

        if (target == ServerTarget.Ours)
            LoginTls(server, pki, client.Cert).Dispose();

        // Without a client certificate the connection fails.
        using var none = ProtoClient.Connect(server);
        bool failed;
        try
        {
            none.UpgradeToTls(null, pki.Ca);
            none.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            failed = !none.ReadLine(TimeSpan.FromSeconds(2)).StartsWith("PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or ProtoException)
        {
            failed = true;
        }
        failed.ShouldBeTrue("a connection without a client certificate must fail");
    }
}

public sealed partial class TlsTests
{
    /// <summary>verify_and_map by subject uses Go's form of the subject (ST for the state, Go's attribute order).</summary>
    [Theory, TargetData]
    public void SubjectWithStateMapsToTheUserNamedInGoForm(ServerTarget target)
    {
        using var pki = new TestPki();
        var client = pki.Client("client", "C=US, S=California, O=Synadia, OU=nats.io, CN=localhost");
        using var server = NatsServerProcess.Start(target, MapConf(pki, """
            authorization {
              users = [ { user: "CN=localhost,OU=nats.io,O=Synadia,ST=California,C=US" } ]
            }
            """));
        LoginTls(server, pki, client.Cert).Dispose();
    }
}
