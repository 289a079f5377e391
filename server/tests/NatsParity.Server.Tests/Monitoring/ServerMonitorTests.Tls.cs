using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go's TLS connz tests.</summary>
public sealed partial class ServerMonitorTests
{
    /// <summary>The monitor server with TLS on the client port and Go's 1.5s handshake timeout of these tests.</summary>
    private static NatsParity.Server.Config.ServerOptions TlsMonitorOptions(TestPki pki)
    {
        var o = MonitorOptions();
        o.Tls = true;
        o.TlsCert = pki.ServerCertFile;
        o.TlsKey = pki.ServerKeyFile;
        o.TlsTimeout = TimeSpan.FromSeconds(1.5);
        return o;
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzTLSInHandshake")]
    public async Task MonitorConnzTlsInHandshake()
    {
        using var pki = new TestPki();
        await using var s = InProcess.Run(TlsMonitorOptions(pki));

        // A bare TCP connection holds the TLS handshake open.
        using var c = new TcpClient();
        await c.ConnectAsync("127.0.0.1", s.Port);
        await WaitForClients(s, 1);

        var start = DateTime.UtcNow;
        for (int mode = 0; mode < 2; mode++)
        {
            var connz = await PollConnz(s, mode, "");
            (DateTime.UtcNow - start).ShouldBeLessThan(TimeSpan.FromMilliseconds(1500), "connz must not wait for the handshake");
            var conns = Conns(connz);
            conns.Count.ShouldBe(1);
            // No TLS details before the handshake completes.
            conns[0].TryGetProperty("tls_version", out _).ShouldBeFalse();
            conns[0].TryGetProperty("tls_cipher_suite", out _).ShouldBeFalse();
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzTLSPeerCerts")]
    public async Task MonitorConnzTlsPeerCerts()
    {
        using var pki = new TestPki();
        var client = pki.Client("client", "CN=localhost, OU=nats.io, O=Synadia, S=California, C=US");
        var o = MonitorOptions();
        o.NoSystemAccount = false;
        o.Tls = true;
        o.TlsVerify = true;
        o.TlsCert = pki.ServerCertFile;
        o.TlsKey = pki.ServerKeyFile;
        o.TlsCaCert = pki.CaFile;
        o.TlsTimeout = TimeSpan.FromSeconds(2);
        await using var s = InProcess.Run(o);

        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.UpgradeToTls(client.Cert, pki.Ca);
        nc.SendAndFlush("CONNECT {\"verbose\":false}\r\n");

        for (int mode = 0; mode < 2; mode++)
        {
            // Without auth, no certificate details.
            var c = Conns(await PollConnz(s, mode, ""));
            c.Count.ShouldBe(1);
            c[0].TryGetProperty("tls_peer_certs", out _).ShouldBeFalse();

            c = Conns(await PollConnz(s, mode, "?auth=1"));
            c.Count.ShouldBe(1);
            c[0].TryGetProperty("tls_peer_certs", out var certs).ShouldBeTrue("tls_peer_certs with auth");
            certs.GetArrayLength().ShouldBe(1);
            var d = certs[0];
            d.GetProperty("subject").GetString().ShouldBe("CN=localhost,OU=nats.io,O=Synadia,ST=California,C=US");
            d.GetProperty("spki_sha256").GetString()!.Length.ShouldBe(64);
            d.GetProperty("cert_sha256").GetString()!.Length.ShouldBe(64);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorReloadTLSConfig")]
    public async Task MonitorReloadTlsConfig()
    {
        using var pki = new TestPki();
        var noIp = pki.ServerNoIp("server-noip");
        // verify_and_map must not make the HTTPS monitoring port ask for client certificates.
        string Conf(string cert, string key) => $$"""
            listen: "127.0.0.1:-1"
            https: "127.0.0.1:-1"
            tls {
              cert_file: '{{cert}}'
              key_file: '{{key}}'
              ca_file: '{{pki.CaFile}}'
              verify_and_map: true
            }
            """;
        await using var s = InProcess.RunConf(Conf(noIp.CertFile, noIp.KeyFile), out string conf);
        int port = s.Monitor.Port;

        // A client trusting the CA that checks the certificate against 127.0.0.1, as Go's with ServerName 127.0.0.1:
        // the stream and what it found wrong with the server's certificate.
        async Task<(SslStream Ssl, SslPolicyErrors Errors)> Handshake()
        {
            var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", port);
            var errors = SslPolicyErrors.None;
            var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, cert, _, policy) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(pki.Ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                if (!chain.Build(X509CertificateLoader.LoadCertificate(cert!.GetRawCertData()))) errors |= SslPolicyErrors.RemoteCertificateChainErrors;
                errors |= policy & ~SslPolicyErrors.RemoteCertificateChainErrors;
                return errors == SslPolicyErrors.None;
            });
            try { await ssl.AuthenticateAsClientAsync("127.0.0.1"); }
            catch (AuthenticationException) { }
            return (ssl, errors);
        }

        // Go's "x509: cannot validate certificate for 127.0.0.1 because it doesn't contain any IP SANs".
        var (refused, why) = await Handshake();
        refused.IsAuthenticated.ShouldBeFalse();
        why.ShouldBe(SslPolicyErrors.RemoteCertificateNameMismatch);
        refused.Dispose();

        File.WriteAllText(conf, Conf(pki.ServerCertFile, pki.ServerKeyFile));
        s.Reload().ShouldBeNull();

        var (ok, errs) = await Handshake();
        errs.ShouldBe(SslPolicyErrors.None);
        ok.IsAuthenticated.ShouldBeTrue();
        // Reading shows whether the certificate was taken: the server waits for a request, so the read times out.
        ok.ReadTimeout = 250;
        var e = Should.Throw<IOException>(() => ok.Read(new byte[64]));
        e.InnerException.ShouldBeOfType<SocketException>().SocketErrorCode.ShouldBe(SocketError.TimedOut);
        ok.Dispose();
    }
}

/// <summary>The client certificate subject in connz's tls_peer_certs as the Go reference writes it (pkix.Name String:
/// Go's attribute order, '+' for repeated types, OID and hex for other attributes, escaping).</summary>
public sealed class TlsPeerCertSubjectParityTests
{
    [Theory]
    [InlineData("CN=localhost, OU=nats.io, O=Synadia, S=California, C=US")]
    [InlineData("C=US, O=Acme, OU=one, OU=two, CN=svc")]
    [InlineData("CN=\"a,b\", O=x+y, E=derek@nats.io")]
    [InlineData("CN= padded , L=Springfield, STREET=Main, PostalCode=12345, SERIALNUMBER=77")]
    public async Task SubjectIsWrittenAsTheReferenceWritesIt(string subject)
    {
        Assert.SkipUnless(ServerTargets.IsSelected(ServerTarget.Ours) && ServerTargets.IsSelected(ServerTarget.Reference),
            "compares ours with the reference: both targets must be selected");
        using var pki = new TestPki();
        var client = pki.Client("client", subject);
        var conf = new ServerConfig { Monitoring = true, Extra = pki.TlsBlock("verify: true") };
        var subjects = new List<string>();
        foreach (var target in new[] { ServerTarget.Reference, ServerTarget.Ours })
        {
            using var server = NatsServerProcess.Start(target, conf);
            using var nc = ProtoClient.Connect(server);
            nc.UpgradeToTls(client.Cert, pki.Ca);
            nc.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
            using var http = new HttpClient();
            var connz = JsonDocument.Parse(await http.GetStringAsync(server.MonitorUrl + "/connz?auth=1")).RootElement;
            subjects.Add(connz.GetProperty("connections")[0].GetProperty("tls_peer_certs")[0].GetProperty("subject").GetString()!);
        }
        subjects[1].ShouldBe(subjects[0], $"reference wrote {subjects[0]}");
    }
}

public sealed class ConnzSortTests
{
    public static TheoryData<string> Cases => new() { "zero values", "equal last activity times", "last activity in the future", "unsorted", "unsorted with zero value start time", "sorted", "sorted with zero value start time" };

    private static (DateTime Start, DateTime Last)[] Conns(string name, DateTime now) => name switch
    {
        "zero values" => [default, default, default, default],
        "equal last activity times" =>
        [
            (now.AddMinutes(-50), now.AddMinutes(-1)), (now.AddMinutes(-30), now.AddMinutes(-1)),
            (now.AddSeconds(-10), now.AddMinutes(-1)), (now.AddHours(-2), now.AddMinutes(-1)),
        ],
        "last activity in the future" =>
        [
            (now.AddMinutes(-50), now.AddMinutes(10)), (now.AddMinutes(-30), now.AddMinutes(5)), (now.AddHours(-24), now.AddSeconds(2)),
            (now.AddSeconds(-10), now.AddMinutes(15)), (now.AddHours(-2), now.AddMinutes(1)),
        ],
        "unsorted" =>
        [
            (now.AddMinutes(-50), now.AddMinutes(-10)), (now.AddMinutes(-30), now.AddMinutes(-5)), (now.AddHours(-24), now.AddSeconds(-2)),
            (now.AddSeconds(-10), now.AddMinutes(-15)), (now.AddHours(-2), now.AddMinutes(-1)),
        ],
        "unsorted with zero value start time" =>
        [
            (default, now.AddMinutes(-10)), (default, now.AddMinutes(-5)), (default, now.AddSeconds(-2)),
            (default, now.AddMinutes(-15)), (default, now.AddMinutes(-1)),
        ],
        "sorted" =>
        [
            (now.AddHours(-24), now.AddSeconds(-2)), (now.AddHours(-2), now.AddMinutes(-1)), (now.AddMinutes(-30), now.AddMinutes(-5)),
            (now.AddMinutes(-50), now.AddMinutes(-10)), (now.AddSeconds(-10), now.AddMinutes(-15)),
        ],
        _ =>
        [
            (default, now.AddSeconds(-2)), (default, now.AddMinutes(-1)), (default, now.AddMinutes(-5)),
            (default, now.AddMinutes(-10)), (default, now.AddMinutes(-15)),
        ],
    };

    [Theory, MemberData(nameof(Cases)), GoTest("server/monitor_test.go", "TestMonitorConnzSortByIdleTime")]
    public void MonitorConnzSortByIdleTime(string name)
    {
        var now = DateTime.UtcNow;
        var sorted = NatsParity.Server.Monitoring.Monitor.SortByIdle(Conns(name, now), c => c.Last, now).ToList();
        var idle = sorted.Select(c => now - c.Last).ToList();
        idle.ShouldBe(idle.Order().ToList(), $"{name}: ascending idle durations");
    }
}

public sealed class MonitorHandlerTests
{
    [Fact, GoTest("server/monitor_test.go", "TestMonitorStacksz")]
    public async Task MonitorStacksz()
    {
        var o = new NatsParity.Server.Config.ServerOptions { HttpHost = "127.0.0.1", HttpPort = -1, NoSystemAccount = true };
        await using var s = InProcess.Run(o);
        using var http = new HttpClient();
        string body = await http.GetStringAsync($"http://127.0.0.1:{s.Monitor.Port}/stacksz");
        // The stacks include the handler answering.
        body.ShouldContain("HandleStacksz");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorHandler")]
    public async Task MonitorHandler()
    {
        var o = new NatsParity.Server.Config.ServerOptions { HttpHost = "127.0.0.1", HttpPort = -1, NoSystemAccount = true };
        var s = InProcess.Run(o);
        s.Monitor.HttpRunning.ShouldBeTrue("the HTTP handler is set");
        await s.DisposeAsync();
        s.Monitor.HttpRunning.ShouldBeFalse("the HTTP handler is gone after shutdown");
    }
}
