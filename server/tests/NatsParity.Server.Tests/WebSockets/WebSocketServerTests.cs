using System.Buffers.Binary;
using System.Text.Json;
using NatsParity.Server.Clients;
using NatsParity.Server.WebSockets;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.WebSockets;

/// <summary>Ports of Go's websocket_test.go that look inside an in-process server at its websocket clients.</summary>
public sealed class WebSocketServerTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static string Q(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";

    /// <summary>Go's testWSOptions as a conf file: a websocket listener with TLS on a random loopback port.</summary>
    private NatsServer Run(string wsBlock = "", string extra = "") => InProcess.RunConf(
        $"listen: \"127.0.0.1:-1\"\nno_sys_acc: true\n{extra}\nwebsocket {{\n  listen: \"127.0.0.1:-1\"\n" +
        $"  tls {{ cert_file: {Q(_pki.ServerCertFile)}, key_file: {Q(_pki.ServerKeyFile)} }}\n{wsBlock}\n}}\n");

    private static WsTestClientOptions Tls(bool compress = false, bool web = false) => new() { Tls = true, Compress = compress, Web = web };

    private static async Task<ClientConnection> OnlyClient(NatsServer s)
    {
        (await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2))).ShouldBeTrue($"expected 1 client, got {s.NumClients}");
        return s.Clients.Single();
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSCloseMsgSendOnConnectionClose")]
    public async Task CloseMsgSendOnConnectionClose()
    {
        await using var s = Run();
        using var wsc = WsTestClient.Login("127.0.0.1", s.WebsocketPort, Tls());
        var c = await OnlyClient(s);
        c.Close(ClosedState.ProtocolViolation);
        var msg = wsc.ReadFrame();
        msg.Payload.Length.ShouldBeGreaterThanOrEqualTo(2, "the status takes 2 bytes");
        msg.CloseStatus.ShouldBe(WsFrames.CloseStatusProtocolError);
        msg.CloseText.ShouldBe(ClosedState.ProtocolViolation.Text());
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSWebrowserClient")]
    public async Task WebrowserClient()
    {
        await using var s = Run();
        using var wsc = WsTestClient.Login("127.0.0.1", s.WebsocketPort, Tls(web: true));
        var c = await OnlyClient(s);
        wsc.Send("SUB foo 1\r\nPING\r\n");
        wsc.ReadFrame().Text.ShouldBe("PONG\r\n");
        (c.IsWebsocket && c.WebsocketState!.Browser).ShouldBeTrue("the client is marked as a web browser");

        using var nc = ProtoClient.Login("127.0.0.1", s.Port);
        const int psize = 204813;
        nc.SendAndFlush($"PUB foo {psize}\r\n{new string('\0', psize)}\r\n");
        int rsize = psize + $"MSG foo {psize}\r\n\r\n".Length;
        int nframes = 0;
        for (int total = 0; total < rsize; nframes++) total += wsc.ReadFrame().Payload.Length;
        nframes.ShouldBeGreaterThanOrEqualTo(psize / WsFrames.FrameSizeForBrowsers, "the message comes in frames of at most 4 KiB");
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSNoAuthUser")]
    [InlineData(false, false, "noauth", "normal")]
    [InlineData(false, true, "user", "normal")]
    [InlineData(true, false, "wsnoauth", "websocket")]
    [InlineData(true, true, "wsuser", "websocket")]
    public async Task NoAuthUser(bool overrideUser, bool useAuth, string expectedUser, string expectedAcc)
    {
        await using var s = Run(overrideUser ? "no_auth_user: wsnoauth" : "", """
            accounts {
              normal { users [ {user: noauth, password: pwd}, {user: user, password: pwd} ] }
              websocket { users [ {user: wsnoauth, password: pwd}, {user: wsuser, password: pwd} ] }
            }
            no_auth_user: noauth
            """);
        using var wsc = WsTestClient.Connect("127.0.0.1", s.WebsocketPort, Tls());
        ulong cid = JsonDocument.Parse(wsc.Info[5..]).RootElement.GetProperty("client_id").GetUInt64();
        wsc.Send(useAuth
            ? $"CONNECT {{\"verbose\":false,\"protocol\":1,\"user\":\"{expectedUser}\",\"pass\":\"pwd\"}}\r\nPING\r\n"
            : "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
        wsc.ReadFrame().Text.ShouldStartWith("PONG\r\n");
        var c = s.Clients.Single(x => x.Cid == cid);
        c.Options.Username.ShouldBe(expectedUser);
        c.Account.Name.ShouldBe(expectedAcc);
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSNoAuthUserOverride")]
    public async Task NoAuthUserOverride()
    {
        await using var s = Run("no_auth_user: wsguest", """
            accounts {
              admin_acc { users [ {user: admin, password: adminpass} ] }
              ws_acc { users [ {user: wsguest, password: pwd} ] }
            }
            no_auth_user: admin
            """);
        using var wsc = WsTestClient.Connect("127.0.0.1", s.WebsocketPort, Tls());
        ulong cid = JsonDocument.Parse(wsc.Info[5..]).RootElement.GetProperty("client_id").GetUInt64();
        // A first operation other than CONNECT authenticates as the websocket no_auth_user, not the server's.
        wsc.Send("PING\r\n");
        wsc.ReadFrame().Text.ShouldNotStartWith("-ERR");
        var c = s.Clients.Single(x => x.Cid == cid);
        c.Account.Name.ShouldBe("ws_acc");
        c.Options.Username.ShouldBe("wsguest");
    }

    [Fact, GoTest("server/websocket_test.go", "TestWebsocketPingInterval")]
    public async Task PingInterval()
    {
        await using var s = Run("ping_interval: \"200ms\"");
        using var wsc = WsTestClient.Login("127.0.0.1", s.WebsocketPort, Tls() with { Timeout = TimeSpan.FromSeconds(1) });
        int pings = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
        while (DateTime.UtcNow < deadline)
        {
            if (!wsc.ReadFrame().Text.Contains("PING\r\n")) continue;
            pings++;
            wsc.Send("PONG\r\n");
        }
        pings.ShouldBeGreaterThanOrEqualTo(2);
    }

    /// <summary>A reloaded websocket tls block serves the connections that follow (Go's wsGetTLSConfig reads the
    /// options at each handshake).</summary>
    [Fact]
    public async Task ReloadedTlsServesNextConnections()
    {
        string Conf(string cert, string key) =>
            $"listen: \"127.0.0.1:-1\"\nwebsocket {{\n  listen: \"127.0.0.1:-1\"\n  tls {{ cert_file: {Q(cert)}, key_file: {Q(key)} }}\n}}\n";
        await using var s = InProcess.RunConf(Conf(_pki.ServerCertFile, _pki.ServerKeyFile), out string path);
        try
        {
            string Presented()
            {
                using var c = WsTestClient.Connect("127.0.0.1", s.WebsocketPort, Tls());
                return c.RemoteCertificate!.GetCertHashString();
            }
            string before = Presented();
            var rotated = _pki.Server("rotated");
            File.WriteAllText(path, Conf(rotated.CertFile, rotated.KeyFile));
            s.Reload().ShouldBeNull();
            string after = Presented();
            after.ShouldNotBe(before);
            after.ShouldBe(rotated.Cert.GetCertHashString());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
