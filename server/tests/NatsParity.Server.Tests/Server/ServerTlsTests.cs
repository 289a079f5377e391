using System.Security.Authentication;
using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/server_test.go about the client port's TLS settings.</summary>
public sealed class ServerTlsTests
{
    private static string Q(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";

    [Fact, GoTest("server/server_test.go", "TestTLSMinVersionConfig")]
    public async Task TlsMinVersionConfig()
    {
        using var pki = new TestPki();
        string Conf(string version) =>
            $"listen: \"127.0.0.1:-1\"\ntls {{\n  cert_file: {Q(pki.ServerCertFile)}\n  key_file: {Q(pki.ServerKeyFile)}\n  timeout: 1\n  min_version: {version}\n}}\n";
        await using var s = InProcess.RunConf(Conf("\"1.3\""), out string conf);

        void Connect(SslProtocols protocols, bool refused)
        {
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            if (refused)
            {
                Should.Throw<Exception>(() => c.UpgradeToTls(null, pki.Ca, protocols: protocols))
                    .ShouldBeAssignableTo<AuthenticationException>();
                return;
            }
            c.UpgradeToTls(null, pki.Ca, protocols: protocols);
            c.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
        }

        // A client that can go no higher than TLS 1.2 is refused; one at 1.3 connects.
        Connect(SslProtocols.Tls12, refused: true);
        Connect(SslProtocols.Tls13, refused: false);

        // A minimum below 1.2 does not reload.
        File.WriteAllText(conf, Conf("\"1.0\""));
        s.Reload().ShouldNotBeNull("expected reload to fail");

        // The same values again reload fine.
        File.WriteAllText(conf, Conf("\"1.3\""));
        s.Reload().ShouldBeNull();

        // A lower minimum lets both in.
        File.WriteAllText(conf, Conf("\"1.2\""));
        s.Reload().ShouldBeNull();
        Connect(SslProtocols.Tls12, refused: false);
        Connect(SslProtocols.Tls13, refused: false);

        // A version that does not exist.
        File.WriteAllText(conf, Conf("\"1.4\""));
        (s.Reload() ?? "").ShouldContain("unknown version: 1.4");

        // Go's GenTLSConfig refuses a minimum below 1.2 however it was set.
        var o = new ServerOptions
        {
            TlsCert = pki.ServerCertFile,
            TlsKey = pki.ServerKeyFile,
            TlsCaCert = pki.CaFile,
            TlsTimeout = TimeSpan.FromSeconds(4),
            TlsMinVersion = "1.1",
        };
        Should.Throw<ArgumentException>(() => TlsSetup.Create(o)).Message.ShouldBe("unsupported minimum TLS version: TLS 1.1");
    }

    [Theory, GoTest("server/server_test.go", "TestTLSVersions")]
    [InlineData(0x0301, "1.0")]
    [InlineData(0x0302, "1.1")]
    [InlineData(0x0303, "1.2")]
    [InlineData(0x0304, "1.3")]
    [InlineData(0x999, "Unknown [0x999]")]
    public void TlsVersions(int value, string expected) => TlsNames.Version((ushort)value).ShouldBe(expected);

    [Fact, GoTest("server/server_test.go", "TestTLSCipher")]
    public void TlsCipher()
    {
        TlsNames.CipherSuite(0x0005).ShouldBe("TLS_RSA_WITH_RC4_128_SHA");
        TlsNames.CipherSuite(0x000a).ShouldBe("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        TlsNames.CipherSuite(0x002f).ShouldBe("TLS_RSA_WITH_AES_128_CBC_SHA");
        TlsNames.CipherSuite(0x0035).ShouldBe("TLS_RSA_WITH_AES_256_CBC_SHA");
        TlsNames.CipherSuite(0xc007).ShouldBe("TLS_ECDHE_ECDSA_WITH_RC4_128_SHA");
        TlsNames.CipherSuite(0xc009).ShouldBe("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA");
        TlsNames.CipherSuite(0xc00a).ShouldBe("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA");
        TlsNames.CipherSuite(0xc011).ShouldBe("TLS_ECDHE_RSA_WITH_RC4_128_SHA");
        TlsNames.CipherSuite(0xc012).ShouldBe("TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA");
        TlsNames.CipherSuite(0xc013).ShouldBe("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        TlsNames.CipherSuite(0xc014).ShouldBe("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        TlsNames.CipherSuite(0xc02f).ShouldBe("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
        TlsNames.CipherSuite(0xc02b).ShouldBe("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        TlsNames.CipherSuite(0xc030).ShouldBe("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        TlsNames.CipherSuite(0xc02c).ShouldBe("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
        TlsNames.CipherSuite(0x1301).ShouldBe("TLS_AES_128_GCM_SHA256");
        TlsNames.CipherSuite(0x1302).ShouldBe("TLS_AES_256_GCM_SHA384");
        TlsNames.CipherSuite(0x1303).ShouldBe("TLS_CHACHA20_POLY1305_SHA256");
        TlsNames.CipherSuite(0x9999).ShouldBe("0x9999");
    }
}
