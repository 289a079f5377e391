using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of Go's tests of CustomClientAuthentication: an embedder's own check in place of the configured users.</summary>
public sealed class CustomAuthTests
{
    /// <summary>Go's DummyAuth: lets in the user "valid" only, checks the nonce is there exactly when expected, and may
    /// register the user with a connection deadline. A nonce surprise is kept and failed on afterwards (Go fails the
    /// test from inside Check).</summary>
    private sealed class DummyAuth(bool needNonce = false, bool register = false, DateTime? deadline = null) : IAuthentication
    {
        public string? Failure;

        public bool Check(IClientAuthentication c)
        {
            if (needNonce && c.GetNonce().Length == 0) Failure ??= "Expected a nonce but received none";
            else if (!needNonce && c.GetNonce().Length > 0) Failure ??= "Received a nonce when none was expected";
            if (c.GetOpts().Username != "valid") return false;
            if (!register) return true;
            c.RegisterUser(new User { Username = c.GetOpts().Username!, ConnectionDeadline = deadline });
            return true;
        }
    }

    [Theory, GoTest("server/server_test.go", "TestCustomClientAuthentication")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CustomClientAuthentication(bool nonce)
    {
        var auth = new DummyAuth(needNonce: nonce);
        await using var s = InProcess.Run(new ServerOptions { CustomClientAuthentication = auth, AlwaysEnableNonce = nonce });

        // On the wire (NATS.Client.Core needs NATS.NKeys for credentials, which is not served here).
        using (var nc = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            (nc.Info!.Value.TryGetProperty("nonce", out _)).ShouldBe(nonce);
            nc.Send("CONNECT {\"verbose\":false,\"user\":\"valid\"}\r\nPING\r\n");
            nc.ReadLine().ShouldBe("PONG\r\n", "Expected client to connect");
        }
        using (var bad = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            bad.Send("CONNECT {\"verbose\":false,\"user\":\"invalid\"}\r\nPING\r\n");
            bad.ReadLine().ShouldBe("-ERR 'Authorization Violation'\r\n", "Expected client to fail to connect");
            bad.ExpectClosed();
        }
        auth.Failure.ShouldBeNull();
    }

    [Fact, GoTest("server/auth_test.go", "TestUserConnectionDeadline")]
    public async Task UserConnectionDeadline()
    {
        // The first server of a process starts cold (JIT, ~200 ms on CI), far past the 50 ms Go's server needs: warm
        // up with one and its client first, so the deadline below is spent where Go's is.
        await using (var warm = InProcess.Run(new ServerOptions()))
        {
            using var wc = ProtoClient.Connect("127.0.0.1", warm.Port);
            wc.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            wc.ReadLine().ShouldBe("PONG\r\n");
        }
        var auth = new DummyAuth(register: true, deadline: DateTime.UtcNow.AddMilliseconds(50));
        await using var s = InProcess.Run(new ServerOptions { CustomClientAuthentication = auth });

        // nats.go's "nats: authentication expired" is the server's -ERR for it, then the close.
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false,\"user\":\"valid\"}\r\nPING\r\n");
        nc.ReadLine().ShouldBe("PONG\r\n", "Expected client to connect");
        nc.ReadLine(TimeSpan.FromSeconds(1)).ShouldBe("-ERR 'User Authentication Expired'\r\n");
        nc.ExpectClosed(TimeSpan.FromSeconds(2));
        auth.Failure.ShouldBeNull();
    }
}
