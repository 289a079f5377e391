using System.Security.Cryptography;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>tls_test.go ports for allow_non_tls (TLS and plain text on one port) and pinned client certificates.</summary>
public sealed partial class TlsTests
{
    /// <summary>test/configs/tls_mixed.conf: TLS with a 2s timeout, plain text allowed too.</summary>
    private static ServerConfig MixedConf(TestPki pki, string more = "") =>
        GoTestServers.Default with { Extra = pki.TlsBlock("timeout: 2") + "allow_non_tls: true\n" + more };

    [Theory, TargetData, GoTest("test/tls_test.go", "TestClientTLSAndNonTLSConnections")]
    public void ClientTlsAndNonTlsConnections(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, MixedConf(pki));

        using var secure = ProtoClient.Connect(server);
        secure.UpgradeToTls(null, pki.Ca);
        secure.SendAndFlush("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\n");

        using var plain = ProtoClient.Login(server, commands: "SUB bar 1\r\n");

        const int n = 100;
        for (int i = 0; i < n; i++)
        {
            plain.Send("PUB foo 20\r\nHELLO FROM PLAINTEXT\r\n");
            secure.Send("PUB bar 14\r\nHELLO FROM TLS\r\n");
        }
        for (int i = 0; i < n; i++)
        {
            secure.ReadMsg().Check("foo", "1", "", 20, "HELLO FROM PLAINTEXT");
            plain.ReadMsg().Check("bar", "1", "", 14, "HELLO FROM TLS");
        }
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestAllowNonTLSReload")]
    public void AllowNonTlsReload(ServerTarget target)
    {
        using var pki = new TestPki();
        using var server = NatsServerProcess.Start(target, MixedConf(pki, "ping_interval: \"10s\"\n"));

        void Check()
        {
            using var c = ProtoClient.Connect(server);
            var info = c.Info!.Value;
            info.TryGetProperty("tls_available", out var available).ShouldBeTrue(info.ToString());
            available.GetBoolean().ShouldBeTrue();
            (info.TryGetProperty("tls_required", out var required) && required.GetBoolean()).ShouldBeFalse(info.ToString());
        }

        Check();
        File.WriteAllText(server.ConfPath, File.ReadAllText(server.ConfPath).Replace("\"10s\"", "\"20s\""));
        server.Reload();
        Check();
    }

    [Theory, TargetData, GoTest("test/tls_test.go", "TestTLSPinnedCertsClient")]
    public void TlsPinnedCertsClient(ServerTarget target)
    {
        using var pki = new TestPki();
        var client = pki.Client("client", "CN=localhost, OU=nats.io, O=NatsParity");
        string Conf(string pin) => pki.TlsBlock("verify: true", $"pinned_certs: [\"{pin}\"]");
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with
        {
            Extra = Conf("aaaaaaaa09fde09451411ba3b42c0f74727d61a974c69fd3cf5257f39c75f0e9"),
        });
        NatsParity.Server.Config.ServerOptions.FromConfigFile(server.ConfPath).TlsPinnedCerts!.Count.ShouldBe(1);

        bool Connects()
        {
            using var c = ProtoClient.Connect(server);
            try
            {
                c.UpgradeToTls(client.Cert, pki.Ca);
                c.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
                return true;
            }
            catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException
                or ObjectDisposedException or TimeoutException or ProtoException)
            {
                return false;
            }
        }

        Connects().ShouldBeFalse("a certificate that is not pinned connected");

        // Pinned to the client's key: the SHA-256 of its DER SubjectPublicKeyInfo.
        string keyId = Convert.ToHexStringLower(SHA256.HashData(client.Cert.PublicKey.ExportSubjectPublicKeyInfo()));
        File.WriteAllText(server.ConfPath, File.ReadAllText(server.ConfPath).Replace("aaaaaaaa09fde09451411ba3b42c0f74727d61a974c69fd3cf5257f39c75f0e9", keyId));
        server.Reload();
        Connects().ShouldBeTrue(server.Log);
    }
}
