using NATS.Client.Core;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/closed_conns_test.go: the ring of closed connections and the reasons it records.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class ClosedConnectionsTests
{
    private static async Task CheckClosedConns(NatsServer s, int num, TimeSpan wait)
    {
        await InProcess.WaitFor(() => s.Closed.Snapshot().Count == num, wait);
        s.Closed.Snapshot().Count.ShouldBe(num);
    }

    private static async Task CheckTotalClosedConns(NatsServer s, long num, TimeSpan wait)
    {
        await InProcess.WaitFor(() => s.Closed.TotalClosed == num, wait);
        s.Closed.TotalClosed.ShouldBe(num);
    }

    /// <summary>Go's nats.Connect failing on credentials, on the wire: the CONNECT is refused and the connection closed.</summary>
    private static void ConnectRefused(NatsServer s, string connectJson)
    {
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send($"CONNECT {connectJson}\r\n");
        nc.ReadLine().ShouldBe("-ERR 'Authorization Violation'\r\n");
        nc.ExpectClosed();
    }

    [Fact, GoTest("server/closed_conns_test.go", "TestClosedConnsAccounting")]
    public async Task ClosedConnsAccounting()
    {
        await using var s = InProcess.Run(new ServerOptions { MaxClosedClients = 10, NoSystemAccount = true });
        var wait = TimeSpan.FromSeconds(1);
        ulong id;
        await using (var nc = new NatsConnection(InProcess.ClientOpts(s)))
        {
            await nc.ConnectAsync();
            id = nc.ServerInfo!.ClientId;
        }
        await CheckClosedConns(s, 1, wait);
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(1);
        conns[0].Cid.ShouldBe(id);

        for (int i = 0; i < 21; i++)
        {
            await using (var nc = new NatsConnection(InProcess.ClientOpts(s))) await nc.ConnectAsync();
            await CheckTotalClosedConns(s, i + 2, wait);
        }
        await CheckClosedConns(s, 10, wait);
        await CheckTotalClosedConns(s, 22, wait);
        conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(10);
        ulong cid = 22 - 10;
        foreach (var ci in conns) ci.Cid.ShouldBe(++cid);
    }

    [Fact, GoTest("server/closed_conns_test.go", "TestClosedConnsSubsAccounting")]
    public async Task ClosedConnsSubsAccounting()
    {
        await using var s = InProcess.Run(new ServerOptions());
        const int numSubs = 10;
        // Raw protocol: NATS.Client.Core adds its own inbox subscription, which nats.go (Go's client here) does not.
        using (var nc = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            nc.Send("CONNECT {\"verbose\":false}\r\n");
            for (int i = 0; i < numSubs; i++) nc.Send($"SUB foo.{i} {i + 1}\r\n");
            nc.Send("PING\r\n");
            nc.ReadLine().ShouldBe("PONG\r\n");
        }
        await CheckClosedConns(s, 1, TimeSpan.FromSeconds(1));
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(1);
        conns[0].Subs.Count.ShouldBe(numSubs);
    }

    [Fact, GoTest("server/closed_conns_test.go", "TestClosedAuthorizationTimeout")]
    public async Task ClosedAuthorizationTimeout()
    {
        await using var s = InProcess.Run(new ServerOptions { Authorization = "my_token", AuthTimeout = TimeSpan.FromSeconds(0.4) });
        using var conn = ProtoClient.Connect("127.0.0.1", s.Port);
        await CheckClosedConns(s, 1, TimeSpan.FromSeconds(2));
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(1);
        conns[0].Reason.Text().ShouldContain(ClosedState.AuthenticationTimeout.Text());
    }

    [Fact, GoTest("server/closed_conns_test.go", "TestClosedAuthorizationViolation")]
    public async Task ClosedAuthorizationViolation()
    {
        await using var s = InProcess.Run(new ServerOptions { Authorization = "my_token" });
        ConnectRefused(s, "{\"verbose\":false}");
        await CheckClosedConns(s, 1, TimeSpan.FromSeconds(2));
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(1);
        conns[0].Reason.Text().ShouldContain(ClosedState.AuthenticationViolation.Text());
    }

    [Fact, GoTest("server/closed_conns_test.go", "TestClosedUPAuthorizationViolation")]
    public async Task ClosedUPAuthorizationViolation()
    {
        await using var s = InProcess.Run(new ServerOptions { Username = "my_user", Password = "my_secret" });
        ConnectRefused(s, "{\"verbose\":false}");
        ConnectRefused(s, "{\"verbose\":false,\"user\":\"my_user\",\"pass\":\"wrong_pass\"}");
        await CheckClosedConns(s, 2, TimeSpan.FromSeconds(2));
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(2);
        conns[0].Reason.Text().ShouldContain(ClosedState.AuthenticationViolation.Text());
        conns[1].Reason.Text().ShouldContain(ClosedState.AuthenticationViolation.Text());
    }

    [Fact, GoTest("server/closed_conns_test.go", "TestClosedMaxPayload")]
    public async Task ClosedMaxPayload()
    {
        await using var s = InProcess.Run(new ServerOptions { MaxPayload = 100 });
        using var conn = ProtoClient.Connect("127.0.0.1", s.Port);
        conn.Send("PUB foo.bar 1024\r\n");
        await CheckClosedConns(s, 1, TimeSpan.FromSeconds(2));
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(1);
        conns[0].Reason.Text().ShouldContain(ClosedState.MaxPayloadExceeded.Text());
    }
}

/// <summary>Port of server/closed_conns_test.go's TestClosedTLSHandshake: a client that fails the TLS handshake is kept
/// among the closed connections with its reason.</summary>
public sealed class ClosedTlsHandshakeTests
{
    [Fact, GoTest("server/closed_conns_test.go", "TestClosedTLSHandshake")]
    public async Task ClosedTlsHandshake()
    {
        using var pki = new TestPki();
        // configs/tls.conf with verify on.
        static string Q(string p) => "\"" + p + "\"";
        await using var s = InProcess.RunConf(
            $"listen: 127.0.0.1:-1\ntls {{\n  cert_file: {Q(pki.ServerCertFile)}\n  key_file: {Q(pki.ServerKeyFile)}\n  timeout: 2\n  verify: true\n}}\n"
            + "authorization {\n  user: derek\n  password: monkey\n  timeout: 1\n}\n");

        // A client that does not trust the server's certificate gives up on the handshake.
        using (var nc = ProtoClient.Connect("127.0.0.1", s.Port))
            Should.Throw<System.Security.Authentication.AuthenticationException>(() => nc.UpgradeToTls(null, null));

        await InProcess.WaitFor(() => s.Closed.Snapshot().Count == 1, TimeSpan.FromSeconds(2));
        var conns = s.Closed.Snapshot();
        conns.Count.ShouldBe(1);
        conns[0].Reason.ShouldBe(ClosedState.TLSHandshakeError);
    }
}
