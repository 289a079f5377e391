using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/tls_test.go: SPIFFE identities and email SANs naming users, and the TLS connection rate
/// limit.</summary>
public sealed partial class TlsTests
{
    /// <summary>A TLS client with <paramref name="cert"/> that sent CONNECT and PING; the first line it got back.</summary>
    private static (ProtoClient Client, string Line) TryLoginTls(NatsServerProcess server, TestPki pki,
        System.Security.Cryptography.X509Certificates.X509Certificate2 cert)
    {
        var c = TlsClient(server, pki, cert);
        c.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        return (c, c.ReadLine(TimeSpan.FromSeconds(2)).TrimEnd());
    }

    /// <summary>Go's request on "ping" answered by the requester's own "ping" subscription: true when the reply came
    /// within 250 ms.</summary>
    private static bool PingRequest(ProtoClient nc)
    {
        nc.Send("SUB ping 1\r\nSUB _INBOX.r 2\r\nPING\r\n");
        string l = nc.ReadLine(TimeSpan.FromSeconds(2)).TrimEnd();
        if (l.StartsWith("-ERR", StringComparison.Ordinal))
        {
            // The subscription was refused: nothing answers the request.
            l.ShouldBe("-ERR 'Permissions Violation for Subscription to \"ping\"'");
            l = nc.ReadLine(TimeSpan.FromSeconds(2)).TrimEnd();
            if (l.StartsWith("-ERR", StringComparison.Ordinal)) l = nc.ReadLine(TimeSpan.FromSeconds(2)).TrimEnd();
        }
        l.ShouldBe("PONG");
        nc.Send("PUB ping _INBOX.r 4\r\nping\r\n");
        try
        {
            var m = nc.ReadMsg(TimeSpan.FromMilliseconds(250));
            if (m.Subject != "ping") return false;
            // The responder answers on the reply subject.
            nc.Send($"PUB {m.Reply} 4\r\npong\r\n");
            var r = nc.ReadMsg(TimeSpan.FromMilliseconds(250));
            return r.Subject == "_INBOX.r" && r.PayloadText == "pong";
        }
        catch (Exception e) when (e is TimeoutException or IOException or ProtoException)
        {
            return false;
        }
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientSVIDAuth")]
    public void TlsClientSvidAuth(ServerTarget target)
    {
        using var pki = new TestPki();
        // test/configs/certs/svid: SPIFFE identities in URI SANs after three DNS names; client-b's subject is C=US, O=SPIRE.
        string[] dns = ["localhost", "example.com", "www.example.com"];
        var clientA = pki.ClientWithSubject("svid-a", "/C=US/ST=CA/L=Los Angeles/O=NATS/OU=NATS/CN=localhost/DC=foo1/DC=foo2", dns, uris: ["spiffe://localhost/my-nats-service/user-a"]);
        var clientB = pki.ClientWithSubject("svid-b", "/C=US/O=SPIRE", dns, uris: ["spiffe://localhost/my-nats-service/user-b"]);
        ServerConfig Conf(string users) => GoTestServers.Default with
        {
            Extra = pki.TlsBlock("timeout: 5", "insecure: true", "verify_and_map: true") + "authorization {\n  users = [\n" + users + "  ]\n}\n",
        };
        var cases = new (string Name, string Users, System.Security.Cryptography.X509Certificates.X509Certificate2 Cert, bool ConnectFails, bool RequestFails)[]
        {
            ("certificate with URIs", "{ user = \"spiffe://localhost/my-nats-service/user-a\" }\n", clientA.Cert, false, false),
            ("limited different permissions",
                "{ user = \"spiffe://localhost/my-nats-service/user-a\" },\n" +
                "{ user = \"spiffe://localhost/my-nats-service/user-b\", permissions = { subscribe = { deny = \">\" }} }\n",
                clientB.Cert, false, true),
            ("without URIs in permissions still matches the subject", "{ user = \"O=SPIRE,C=US\" }\n", clientB.Cert, false, false),
            ("no permissions", "{ user = \"spiffe://localhost/my-nats-service/user-c\" }\n", clientA.Cert, true, false),
        };
        foreach (var (name, users, cert, connectFails, requestFails) in cases)
        {
            using var server = NatsServerProcess.Start(target, Conf(users));
            var (nc, line) = TryLoginTls(server, pki, cert);
            using (nc)
            {
                if (connectFails)
                {
                    line.ShouldBe("-ERR 'Authorization Violation'", name);
                    continue;
                }
                line.ShouldBe("PONG", name);
                PingRequest(nc).ShouldBe(!requestFails, name);
            }
        }
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSClientCertificateTLSAuthMultipleOptions")]
    public void TlsClientCertificateTlsAuthMultipleOptions(ServerTarget target)
    {
        using var pki = new TestPki();
        // test/configs/certs/sans: DNS names that are not users (the subject is used), a DNS name with emails (the
        // email names the user), and a wildcard DNS name that is not the first SAN.
        var plain = pki.Client("dev", "CN=www.nats.io", dnsNames: ["app.nats.dev", "*.app.nats.dev"]);
        var dev = pki.Client("dev-email", "CN=www.nats.io", dnsNames: ["app.nats.dev"], emails: ["admin@app.nats.dev", "root@app.nats.dev"]);
        var prod = pki.Client("prod", "CN=www.nats.io", dnsNames: ["app.nats.prod", "*.app.nats.prod"]);
        // test/configs/tls_cert_san_emails.conf
        var conf = MapConf(pki, verify: true, authorization: PublicByDefault(
            "{ user = \"CN=www.nats.io\" }",
            UserAllowed("*.app.nats.prod", "\">\""),
            UserAllowed("root@app.nats.dev", "\"public.>\"", "\"sandbox.>\"")));
        SanMappedUsers(target, pki, conf, plain.Cert, dev.Cert, prod.Cert);
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSConnectionRate")]
    public async Task TlsConnectionRate(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with
        {
            Extra = $"tls {{\n  cert_file: {Q(pki.ServerCertFile)}\n  key_file: {Q(pki.ServerKeyFile)}\n  connection_rate_limit: 3\n}}\n",
        });
        // The start-up probe's connection counted in the first window: let it pass. Then, of connections within one
        // second, the fourth handshake is refused.
        await Task.Delay(1100);
        int count = 0;
        string? refusal = null;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (count < 10)
        {
            using var c = ProtoClient.Connect(server);
            try
            {
                c.UpgradeToTls(null, pki.Ca);
                c.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or ProtoException)
            {
                break;
            }
            count++;
        }
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1), "the connections must fall in one rate window");
        count.ShouldBe(3);

        // The refused client is told so in plain text before its handshake.
        using (var c = ProtoClient.Connect(server))
            refusal = c.ReadLine(TimeSpan.FromSeconds(2)).TrimEnd();
        refusal.ShouldBe("-ERR 'Connection throttling is active. Please try again later.'");

        // The refusals are reported once a second.
        (await WaitForLog(server, "connections due to TLS rate limiting", TimeSpan.FromSeconds(3)))
            .ShouldBeTrue("did not log 'TLS rate limiting' warning");
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSStressConnect")]
    public async Task TlsStressConnect(ServerTarget target)
    {
        using var pki = new TestPki();
        // test/configs/tls.conf without its user.
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with
        {
            Extra = $"tls {{\n  cert_file: {Q(pki.ServerCertFile)}\n  key_file: {Q(pki.ServerKeyFile)}\n  timeout: 2\n}}\n",
        });
        // Three workers, each connecting 33 times over TLS to subscribe, publish and get its message.
        var workers = Enumerable.Range(0, 3).Select(index => Task.Run(() =>
        {
            string subj = $"foo.{index}";
            for (int i = 0; i < 33; i++)
            {
                using var nc = TlsClient(server, pki);
                var m = nc.SendAndReadMsg($"CONNECT {{\"verbose\":false}}\r\nSUB {subj} 1\r\nPUB {subj} 11\r\nsecure data\r\n", TimeSpan.FromSeconds(2));
                m.Subject.ShouldBe(subj);
                m.PayloadText.ShouldBe("secure data");
            }
        })).ToArray();
        await Task.WhenAll(workers);
    }

    private static async Task<bool> WaitForLog(NatsServerProcess server, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (server.Log.Contains(text, StringComparison.Ordinal)) return true;
            await Task.Delay(50);
        }
        return server.Log.Contains(text, StringComparison.Ordinal);
    }
}
