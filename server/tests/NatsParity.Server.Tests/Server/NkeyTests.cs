using System.Text;
using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/nkey_test.go: the INFO nonce and nkey users signing it.</summary>
public sealed class NkeyTests
{
    private const string Seed = "SUAKYRHVIOREXV7EUZTBHUHL7NUMHPMAS7QMDU3GTIUWEI5LDNOXD43IZY";

    private static string Nonce(ProtoClient c) =>
        c.Info!.Value.TryGetProperty("nonce", out var n) ? n.GetString() ?? "" : "";

    private static string SignNonce(NKeyPair kp, string nonce) =>
        Convert.ToBase64String(kp.Sign(Encoding.ASCII.GetBytes(nonce))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static NatsServer NkeyBasicSetup(bool mixed = false)
    {
        var kp = NKeyPair.FromSeed(Seed);
        var o = new ServerOptions { Nkeys = [new NkeyUser { Nkey = kp.PublicKey }] };
        if (mixed) o.Users = [new User { Username = "derek", Password = "foo" }];
        return InProcess.Run(o);
    }

    [Fact, GoTest("server/nkey_test.go", "TestServerInfoNonceAlwaysEnabled")]
    public async Task ServerInfoNonceAlwaysEnabled()
    {
        await using var s = InProcess.Run(new ServerOptions { AlwaysEnableNonce = true });
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        Nonce(c).ShouldNotBeEmpty();
    }

    [Fact, GoTest("server/nkey_test.go", "TestServerInfoNonce")]
    public async Task ServerInfoNonce()
    {
        await using (var plain = InProcess.Run(new ServerOptions()))
        {
            using var c0 = ProtoClient.Connect("127.0.0.1", plain.Port);
            Nonce(c0).ShouldBeEmpty();
        }
        await using var s = NkeyBasicSetup();
        using var c1 = ProtoClient.Connect("127.0.0.1", s.Port);
        string first = Nonce(c1);
        first.ShouldNotBeEmpty();
        using var c2 = ProtoClient.Connect("127.0.0.1", s.Port);
        string second = Nonce(c2);
        second.ShouldNotBeEmpty();
        second.ShouldNotBe(first);
    }

    [Fact, GoTest("server/nkey_test.go", "TestNkeyClientConnect")]
    public async Task NkeyClientConnect()
    {
        await using var s = NkeyBasicSetup();
        var kp = NKeyPair.FromSeed(Seed);

        // No nkey or signature.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send("CONNECT {\"verbose\":true,\"pedantic\":true}\r\n");
            c.ReadLine().ShouldStartWith("-ERR ");
        }
        // An nkey without a signature.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send($"CONNECT {{\"nkey\":\"{kp.PublicKey}\", \"verbose\":true,\"pedantic\":true}}\r\n");
            c.ReadLine().ShouldStartWith("-ERR ");
        }
        // A bad signature.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send($"CONNECT {{\"nkey\":\"{kp.PublicKey}\",\"sig\":\"bad_sig\",\"verbose\":true,\"pedantic\":true}}\r\n");
            c.ReadLine().ShouldStartWith("-ERR ");
        }
        // The nonce properly signed.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            string nonce = Nonce(c);
            nonce.ShouldNotBeEmpty();
            c.Send($"CONNECT {{\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{SignNonce(kp, nonce)}\",\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
        }
    }

    [Fact, GoTest("server/nkey_test.go", "TestMixedClientConnect")]
    public async Task MixedClientConnect()
    {
        await using var s = NkeyBasicSetup(mixed: true);
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send("CONNECT {\"user\":\"derek\",\"pass\":\"foo\",\"verbose\":true,\"pedantic\":true}\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
        }
        var kp = NKeyPair.FromSeed(Seed);
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        string nonce = Nonce(nc);
        nonce.ShouldNotBeEmpty();
        nc.Send($"CONNECT {{\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{SignNonce(kp, nonce)}\",\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n");
        nc.ReadLine().ShouldStartWith("+OK");
    }

    [Fact, GoTest("server/nkey_test.go", "TestMixedClientConfig")]
    public void MixedClientConfig()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            authorization {
              users = [
                {nkey: "UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV"}
                {user: alice, password: foo}
              ]
            }
            """));
        o.Nkeys!.Count.ShouldBe(1);
        o.Users!.Count.ShouldBe(1);
    }

    [Fact]
    public void SeedRoundTripsAndSignaturesVerify()
    {
        var kp = NKeyPair.FromSeed(Seed);
        kp.Seed.ShouldBe(Seed);
        kp.PublicKey.ShouldStartWith("U");
        NKeys.IsValidPublicUserKey(kp.PublicKey).ShouldBeTrue();
        NKeys.IsValidPublicAccountKey(kp.PublicKey).ShouldBeFalse();
        var sig = kp.Sign("hello"u8);
        kp.Verify("hello"u8, sig).ShouldBeTrue();
        kp.Verify("hellO"u8, sig).ShouldBeFalse();
        // A flipped character breaks the checksum.
        char[] chars = kp.PublicKey.ToCharArray();
        chars[10] = chars[10] == 'A' ? 'B' : 'A';
        NKeys.Decode(NKeys.PrefixUser, new string(chars), out var err).ShouldBeNull();
        err.ShouldBe(NKeys.ErrInvalidChecksum);
        var fresh = NKeyPair.Create(NKeys.PrefixAccount);
        NKeys.IsValidPublicAccountKey(fresh.PublicKey).ShouldBeTrue();
        NKeyPair.FromSeed(fresh.Seed).PublicKey.ShouldBe(fresh.PublicKey);
    }

    /// <summary>Go's TestNoAuthUserNkey (server/auth_test.go): the no_auth_user may be an nkey, and the client lands in
    /// its account with its key as user id (Go reads both back through $SYS.REQ.USER.INFO; here from the server).</summary>
    [Fact, GoTest("server/auth_test.go", "TestNoAuthUserNkey")]
    public async Task NoAuthUserNkey()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            accounts {
                FOO { users [{user: "foo", password: "pwd1"}] }
                BAR { users [{nkey: "UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON"}] }
            }
            no_auth_user: "UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON"
            """));
        await using var s = InProcess.Run(o);
        using var c = ProtoClient.Login("127.0.0.1", s.Port);
        var client = s.Clients.Single();
        client.Options.Nkey.ShouldBe("UBO2MQV67TQTVIRV3XFTEZOACM4WLOCMCDMAWN5QVN5PI2N6JHTVDRON");
        client.Account.Name.ShouldBe("BAR");
    }

    /// <summary>The same nkey session against both targets: the signed nonce is accepted, a wrong signature refused.</summary>
    [Theory, TargetData]
    public void NkeyUserSessionMatchesReference(ServerTarget target)
    {
        var kp = NKeyPair.FromSeed(Seed);
        var other = NKeyPair.Create(NKeys.PrefixUser);
        using var server = NatsServerProcess.Start(target, new ServerConfig
        {
            Extra = $"authorization {{\n  users = [ {{nkey: \"{kp.PublicKey}\"}} ]\n}}\n",
        });
        using (var c = ProtoClient.Connect(server))
        {
            string nonce = Nonce(c);
            nonce.ShouldNotBeEmpty();
            c.SendAndFlush($"CONNECT {{\"verbose\":false,\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{SignNonce(kp, nonce)}\"}}\r\n");
        }
        using var bad = ProtoClient.Connect(server);
        bad.Send($"CONNECT {{\"verbose\":false,\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{SignNonce(other, Nonce(bad))}\"}}\r\nPING\r\n");
        bad.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
        bad.ExpectClosed();
    }
}
