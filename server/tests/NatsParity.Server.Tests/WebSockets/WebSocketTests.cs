using System.Text;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.WebSockets;

/// <summary>Ports of Go's websocket_test.go that drive a server over real sockets, against each target.</summary>
public sealed class WebSocketTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSPubSub")]
    public void PubSub(ServerTarget target)
    {
        foreach (bool compression in new[] { false, true })
        {
            using var s = new WsServer(target, compression ? "compression: true" : "");
            using var nc = ProtoClient.Login(s.Server, commands: "SUB foo 1\r\n");

            using var wsc = s.Login(compress: compression);
            wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, false, "PUB foo 7\r\nfrom ws\r\n"u8));
            nc.ReadMsg(Second).PayloadText.ShouldBe("from ws");

            wsc.Send("SUB bar 1\r\nPING\r\n");
            wsc.ReadFrame().Text.ShouldBe("PONG\r\n");
            nc.SendAndFlush("PUB bar 9\r\nfrom nats\r\n");
            wsc.ReadLineContaining("MSG bar 1 9");
            wsc.ReadLineContaining("from nats");
        }
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSBatchedPubInSingleFrame")]
    public void BatchedPubInSingleFrame(ServerTarget target)
    {
        using var s = new WsServer(target, config: new ServerConfig { MaxPayload = 16 });
        using var nc = ProtoClient.Login(s.Server, commands: "SUB foo 1\r\n");
        using var wsc = s.Login();

        var framePayload = "PUB foo 8\r\n12345678\r\nPUB foo 8\r\nabcdefgh\r\nPING\r\n"u8.ToArray();
        framePayload.Length.ShouldBeGreaterThan(16, "the frame is larger than one allowed PUB payload");
        wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, false, framePayload));
        nc.ReadMsg(Second).PayloadText.ShouldBe("12345678");
        nc.ReadMsg(Second).PayloadText.ShouldBe("abcdefgh");
        wsc.ReadFrame().Text.ShouldBe("PONG\r\n");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSCompressedPubInSingleFrame")]
    public void CompressedPubInSingleFrame(ServerTarget target)
    {
        using var s = new WsServer(target, "compression: true", config: new ServerConfig { MaxPayload = 64 });
        using var nc = ProtoClient.Login(s.Server, commands: "SUB foo 1\r\n");
        using var wsc = s.Login(compress: true);

        wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, "PUB foo 1\r\na\r\n"u8));
        nc.ReadMsg(Second).PayloadText.ShouldBe("a");
        wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, "PING\r\n"u8));
        wsc.ReadFrame().Text.ShouldBe("PONG\r\n");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSCompressedSequentialFramesRemainResponsive")]
    public void CompressedSequentialFramesRemainResponsive(ServerTarget target)
    {
        using var s = new WsServer(target, "compression: true");
        using var nc = ProtoClient.Login(s.Server, commands: "SUB foo 1\r\n");
        using var wsc = s.Login(compress: true);

        for (int i = 0; i < 64; i++) wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, "PUB foo 1\r\na\r\n"u8));
        for (int i = 0; i < 64; i++) nc.ReadMsg(Second).PayloadText.ShouldBe("a");
        wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, "PING\r\n"u8));
        wsc.ReadFrame().Text.ShouldBe("PONG\r\n");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSCompressedFragmentedFrame")]
    public void CompressedFragmentedFrame(ServerTarget target)
    {
        using var s = new WsServer(target, "compression: true");
        using var nc = ProtoClient.Login(s.Server, commands: "SUB foo 1\r\n");
        using var wsc = s.Login(compress: true);

        var compressed = WsTestClient.Deflate("PUB foo 1\r\na\r\n"u8);
        int split = Math.Max(1, compressed.Length / 2);
        var frag1 = WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, false, false, compressed.AsSpan(0, split));
        frag1[0] |= 0x40;
        var frag2 = WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 2, true, false, compressed.AsSpan(split));
        wsc.Write(frag1);
        wsc.Write(frag2);
        nc.ReadMsg(Second).PayloadText.ShouldBe("a");

        wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, "PING\r\n"u8));
        wsc.ReadFrame().Text.ShouldBe("PONG\r\n");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSCorruptedCompressedFrameIsRejected")]
    public async Task CorruptedCompressedFrameIsRejected(ServerTarget target)
    {
        using var s = new WsServer(target, "compression: true");
        using var wsc = s.Login(compress: true);

        var frame = WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, "PING\r\n"u8);
        frame[^1] ^= 0xff;
        wsc.Write(frame);
        (await WaitForLog(s.Server, "corrupt", TimeSpan.FromSeconds(2))).ShouldBeTrue($"the inflate corruption is logged; log:\n{s.Server.Log}");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSFlushesBufferedDeliveryBeforeProtocolClose")]
    public void FlushesBufferedDeliveryBeforeProtocolClose(ServerTarget target)
    {
        using var s = new WsServer(target);
        using var nc = ProtoClient.Login(s.Server, commands: "SUB foo 1\r\n");
        using var wsc = s.Login();

        var good = WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, false, "PUB foo 1\r\na\r\n"u8);
        var bad = WsTestClient.CreateClientMsg(WsTestClient.OpPing, 1, true, false, []);
        bad[1] &= 0x7f;
        wsc.Write([.. good, .. bad]);
        nc.ReadMsg(Second).PayloadText.ShouldBe("a");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSTLSConnection")]
    public void TlsConnection(ServerTarget target)
    {
        using var s = new WsServer(target);
        using (var tls = WsTestClient.Upgrade(s.Host, s.WsPort, s.Options()))
            tls.Status.ShouldBe(101, "client uses TLS");
        using (var plain = WsTestClient.Upgrade(s.Host, s.WsPort, new WsTestClientOptions()))
            plain.Status.ShouldBe(400, "client does not use TLS");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSHandshakeTimeout")]
    public async Task HandshakeTimeout(ServerTarget target)
    {
        using var s = new WsServer(target, "handshake_timeout: \"1ms\"");
        using var raw = new System.Net.Sockets.TcpClient();
        raw.Connect(s.Host, s.WsPort);
        // Delay the TLS handshake past the timeout: the server cuts the connection.
        await Task.Delay(20);
        using var ssl = new System.Net.Security.SslStream(raw.GetStream(), false, (_, _, _, _) => true);
        Should.Throw<Exception>(() => ssl.AuthenticateAsClient("localhost"));
        (await WaitForLog(s.Server, "websocket: ", Second, line => line.Contains("timeout"))).ShouldBeTrue(
            $"a websocket handshake timeout is logged; log:\n{s.Server.Log}");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSServerReportUpgradeFailure")]
    public async Task ServerReportUpgradeFailure(ServerTarget target)
    {
        using var s = new WsServer(target);
        var o = s.Options();
        // Without the Connection header the upgrade fails.
        string request = WsTestClient.Request(o).Replace("Connection: Upgrade\r\n", "");
        using var c = WsTestClient.Upgrade(s.Host, s.WsPort, o, request);
        c.Status.ShouldBe(400);
        (await WaitForLog(s.Server, "invalid value for header 'Connection'", Second,
            line => line.Contains($"] {c.LocalEndPoint} - websocket handshake error"))).ShouldBeTrue(
            $"the failure is logged with the client's address {c.LocalEndPoint}; log:\n{s.Server.Log}");
    }

    public static TheoryData<ServerTarget, string, string, string[], string, string> BasicAuthCases()
    {
        const string normal = "authorization { user: normal, password: client }";
        const string ws = "authorization { user: websocket, password: client }";
        const string cookies = "user_cookie: un\npass_cookie: pw";
        const string cookieUser = "authorization { user: me, password: \"s3cr3t!\" }";
        var cases = new (string Name, string Extra, string Ws, string[] Cookies, string User, string Pass, string Err)[]
        {
            ("top level auth, no override, wrong u/p", normal, "", [], "websocket", "client", "-ERR 'Authorization Violation'"),
            ("top level auth, no override, correct u/p", normal, "", [], "normal", "client", ""),
            ("no top level auth, ws auth, wrong u/p", "", ws, [], "normal", "client", "-ERR 'Authorization Violation'"),
            ("no top level auth, ws auth, correct u/p", "", ws, [], "websocket", "client", ""),
            ("top level auth, ws override, wrong u/p", normal, ws, [], "normal", "client", "-ERR 'Authorization Violation'"),
            ("top level auth, ws override, correct u/p", normal, ws, [], "websocket", "client", ""),
            ("username/password from cookies", cookieUser, cookies, ["un=me", "pw=s3cr3t!"], "", "", ""),
            ("bad username/ good password from cookies", cookieUser, cookies, ["un=m", "pw=s3cr3t!"], "", "", "-ERR 'Authorization Violation"),
            ("good username/ bad password from cookies", cookieUser, cookies, ["un=me", "pw=hi!"], "", "", "-ERR 'Authorization Violation"),
            ("token from cookie", "authorization { token: \"l3tm31n!\" }", "token_cookie: tok", ["tok=l3tm31n!"], "", "", ""),
            ("bad token from cookie", "authorization { token: \"l3tm31n!\" }", "token_cookie: tok", ["tok=hello!"], "", "", "-ERR 'Authorization Violation"),
        };
        var data = new TheoryData<ServerTarget, string, string, string[], string, string>();
        foreach (var t in ServerTargets.Selected)
            foreach (var c in cases)
                data.Add(t, c.Name, c.Extra + "\n@" + c.Ws, c.Cookies, c.User + ":" + c.Pass, c.Err);
        return data;
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSBasicAuth", Since = "2.11")]
    [MemberData(nameof(BasicAuthCases))]
    public void BasicAuth(ServerTarget target, string name, string confs, string[] cookies, string userPass, string err)
    {
        Assert.SkipWhen(target == ServerTarget.Reference && cookies.Length > 0,
            $"{name}: the 2.9.10 reference has no user_cookie, pass_cookie or token_cookie; Go reads them since 2.11");
        var parts = confs.Split("\n@");
        var (user, pass) = (userPass.Split(':')[0], userPass.Split(':')[1]);
        using var s = new WsServer(target, parts[1], parts[0]);
        var o = s.Options() with { ExtraHeaders = cookies.Select(c => ("Cookie", c)).ToList() };
        using var wsc = WsTestClient.Connect(s.Host, s.WsPort, o);
        wsc.Send($"CONNECT {{\"verbose\":false,\"protocol\":1,\"user\":\"{user}\",\"pass\":\"{pass}\"}}\r\nPING\r\n");
        ExpectPongOr(wsc.ReadFrame().Text, err);
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSAuthTimeout")]
    public void AuthTimeout(ServerTarget target)
    {
        foreach (var (wat, err) in new[] { ("", ""), ("timeout: 0.05", "-ERR 'Authentication Timeout'") })
        {
            using var s = new WsServer(target, $"authorization {{ user: websocket, password: client\n{wat} }}", "authorization { timeout: 10 }");
            using var wsc = s.Connect();
            JsonDocument.Parse(wsc.Info[5..]).RootElement.GetProperty("auth_required").GetBoolean().ShouldBeTrue("auth is required");
            var start = DateTime.UtcNow;
            Thread.Sleep(100);
            wsc.Send("CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"websocket\",\"pass\":\"client\"}\r\nPING\r\n");
            ExpectPongOr(wsc.ReadFrame().Text, err);
            (DateTime.UtcNow - start).ShouldBeLessThan(Second, "too long to get the timeout error");
        }
    }

    public static TheoryData<ServerTarget, string, string, string> TokenAuthCases()
    {
        var cases = new (string Extra, string Ws, string Token, string Err)[]
        {
            ("authorization { token: goodtoken }", "", "badtoken", "-ERR 'Authorization Violation'"),
            ("authorization { token: goodtoken }", "", "goodtoken", ""),
            ("", "authorization { token: goodtoken }", "badtoken", "-ERR 'Authorization Violation'"),
            ("", "authorization { token: goodtoken }", "goodtoken", ""),
            ("authorization { token: clienttoken }", "authorization { token: websockettoken }", "clienttoken", "-ERR 'Authorization Violation'"),
            ("authorization { token: clienttoken }", "authorization { token: websockettoken }", "websockettoken", ""),
        };
        var data = new TheoryData<ServerTarget, string, string, string>();
        foreach (var t in ServerTargets.Selected)
            foreach (var c in cases) data.Add(t, c.Extra + "\n@" + c.Ws, c.Token, c.Err);
        return data;
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSTokenAuth")]
    [MemberData(nameof(TokenAuthCases))]
    public void TokenAuth(ServerTarget target, string confs, string token, string err)
    {
        var parts = confs.Split("\n@");
        using var s = new WsServer(target, parts[1], parts[0]);
        using var wsc = s.Connect();
        wsc.Send($"CONNECT {{\"verbose\":false,\"protocol\":1,\"auth_token\":\"{token}\"}}\r\nPING\r\n");
        ExpectPongOr(wsc.ReadFrame().Text, err);
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSBindToProperAccount")]
    public void BindToProperAccount(ServerTarget target)
    {
        // Lower case "websocket" on purpose: connection types are upper-cased.
        using var s = new WsServer(target, noTls: true, extra: """
            accounts {
              a { users [ {user: a, password: pwd, allowed_connection_types: ["STANDARD", "websocket"]} ] }
              b { users [ {user: b, password: pwd} ] }
            }
            """);
        using var nc = ProtoClient.Login(s.Server, "a", "pwd", commands: "SUB foo 1\r\n");
        using var wsc = WsTestClient.Connect(s.Host, s.WsPort);
        wsc.Send("CONNECT {\"verbose\":false,\"protocol\":1,\"user\":\"a\",\"pass\":\"pwd\"}\r\nPING\r\n");
        wsc.ReadFrame().Text.ShouldStartWith("PONG\r\n");
        wsc.Send("PUB foo 7\r\nfrom ws\r\n");
        nc.ReadMsg(Second).PayloadText.ShouldBe("from ws");
    }

    public static TheoryData<ServerTarget, string, string, string, string> UsersAuthCases()
    {
        const string plain = "{user: user, password: pwd}";
        const string standard = "{user: user, password: pwd, allowed_connection_types: [\"STANDARD\"]}";
        const string both = "{user: user, password: pwd, allowed_connection_types: [\"STANDARD\", \"WEBSOCKET\"]}";
        var cases = new (string User, string Name, string Pass, string Err)[]
        {
            (plain, "wronguser", "pwd", "-ERR 'Authorization Violation'"),
            (plain, "user", "pwd", ""),
            (standard, "user", "pwd", "-ERR 'Authorization Violation'"),
            (both, "user", "pwd", ""),
            (both, "user", "badpassword", "-ERR 'Authorization Violation'"),
        };
        var data = new TheoryData<ServerTarget, string, string, string, string>();
        foreach (var t in ServerTargets.Selected)
            foreach (var c in cases) data.Add(t, c.User, c.Name, c.Pass, c.Err);
        return data;
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSUsersAuth")]
    [MemberData(nameof(UsersAuthCases))]
    public void UsersAuth(ServerTarget target, string userConf, string user, string pass, string err)
    {
        using var s = new WsServer(target, extra: $"authorization {{ users [ {userConf} ] }}");
        using var wsc = s.Connect();
        wsc.Send($"CONNECT {{\"verbose\":false,\"protocol\":1,\"user\":\"{user}\",\"pass\":\"{pass}\"}}\r\nPING\r\n");
        ExpectPongOr(wsc.ReadFrame().Text, err);
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSNkeyAuth")]
    public void NkeyAuth(ServerTarget target)
    {
        var kp = NKeyPair.Create(NKeys.PrefixUser);
        var wskp = NKeyPair.Create(NKeys.PrefixUser);
        var badkp = NKeyPair.Create(NKeys.PrefixUser);
        string pub = kp.PublicKey, wspub = wskp.PublicKey, badpub = badkp.PublicKey;
        var cases = new (string Nkeys, string Nkey, NKeyPair Kp, string Err)[]
        {
            ($"{{nkey: {pub}}}", badpub, badkp, "-ERR 'Authorization Violation'"),
            ($"{{nkey: {pub}}}", pub, kp, ""),
            ($"{{nkey: {pub}, allowed_connection_types: [\"STANDARD\"]}}, {{nkey: {wspub}, allowed_connection_types: [\"WEBSOCKET\"]}}", pub, kp,
                "-ERR 'Authorization Violation'"),
            ($"{{nkey: {pub}}}, {{nkey: {wspub}, allowed_connection_types: [\"STANDARD\", \"WEBSOCKET\"]}}", wspub, wskp, ""),
            ($"{{nkey: {wspub}, allowed_connection_types: [\"STANDARD\", \"WEBSOCKET\"]}}", badpub, badkp, "-ERR 'Authorization Violation'"),
        };
        foreach (var (nkeys, nkey, signer, err) in cases)
        {
            using var s = new WsServer(target, extra: $"authorization {{ users [ {nkeys} ] }}");
            using var wsc = s.Connect();
            string nonce = JsonDocument.Parse(wsc.Info[5..]).RootElement.GetProperty("nonce").GetString()!;
            string sig = JwtCodec.Base64Url(signer.Sign(Encoding.ASCII.GetBytes(nonce)));
            wsc.Send($"CONNECT {{\"verbose\":false,\"protocol\":1,\"nkey\":\"{nkey}\",\"sig\":\"{sig}\"}}\r\nPING\r\n");
            ExpectPongOr(wsc.ReadFrame().Text, err);
        }
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSDecompressLimit")]
    public async Task DecompressLimit(ServerTarget target)
    {
        foreach (var (mpayCfg, mpay) in new[] { ("", 1024 * 1024), ("max_payload: 2097152", 2097152), ("max_payload: 4096", 4096) })
        {
            using var s = new WsServer(target, "compression: true", mpayCfg, noTls: true);
            using var wsc = WsTestClient.Connect(s.Host, s.WsPort, new WsTestClientOptions { Compress = true });
            // An oversized PUB, compressed: the inflated bytes meet the parser's max_payload check.
            int size = mpay + 1;
            var pub = new MemoryStream();
            pub.Write(Encoding.ASCII.GetBytes($"PUB foo {size}\r\n"));
            pub.Write(new byte[size]);
            pub.Write("\r\n"u8);
            wsc.Write(WsTestClient.CreateClientMsg(WsTestClient.OpBinary, 1, true, true, pub.ToArray()));
            wsc.ReadFrame().Text.ShouldContain("Maximum Payload Violation");
            (await WaitForLog(s.Server, "maximum payload exceeded", Second)).ShouldBeTrue($"max_payload {mpay}; log:\n{s.Server.Log}");
        }
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSXForwardedFor")]
    public async Task XForwardedFor(ServerTarget target)
    {
        using var s = new WsServer(target, extra: "debug: true");
        var cases = new (string Name, (string, string)[] Headers, bool UseHdrValue, string Expected)[]
        {
            ("nil map", [], false, ""),
            ("header present empty value", [("X-Forwarded-For", "")], false, ""),
            ("header present invalid IP", [("X-Forwarded-For", "not a valid IP")], false, ""),
            ("header present one IP", [("X-Forwarded-For", "1.2.3.4")], true, "1.2.3.4"),
            ("header present multiple IPs", [("X-Forwarded-For", "1.2.3.4"), ("X-Forwarded-For", "5.6.7.8")], true, "1.2.3.4"),
            ("header present IPv6", [("X-Forwarded-For", "::1")], true, "[::1]"),
        };
        foreach (var (name, headers, useHdrValue, expected) in cases)
        {
            using var c = WsTestClient.Connect(s.Host, s.WsPort, s.Options() with { ExtraHeaders = headers });
            c.Send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n");
            c.ReadFrame().Text.ShouldStartWith("PONG\r\n");
            // The debug line of the connection names it by its address: the forwarded one first, when valid.
            string suffix = $"{c.LocalEndPoint} - wid:";
            (await WaitForLog(s.Server, suffix, Second)).ShouldBeTrue($"{name}: connect debug statement; log:\n{s.Server.Log}");
            string line = s.Server.Log.Split('\n').Last(l => l.Contains(suffix) && l.Contains("Client connection created"));
            string conn = line[(line.IndexOf("[DBG] ", StringComparison.Ordinal) + 6)..];
            if (useHdrValue) conn.ShouldStartWith($"{expected}/", customMessage: name);
            else conn.ShouldStartWith(c.LocalEndPoint, customMessage: name);
        }
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSSetHeaderServer", Since = "2.11")]
    public void SetHeaderServer(ServerTarget target)
    {
        Assert.SkipWhen(target == ServerTarget.Reference, "the 2.9.10 reference has no websocket headers option; Go has it since 2.11");
        using var s = new WsServer(target, "headers { \"X-Custom-Header\": \"custom-value\" }");
        using var c = s.Connect();
        c.ResponseHeader("X-Custom-Header").ShouldBe("custom-value");
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSCompressNegotiation")]
    public void CompressNegotiation(ServerTarget target)
    {
        // No compression on the server, but the client asks.
        using (var s = new WsServer(target))
        using (var c = WsTestClient.Upgrade(s.Host, s.WsPort, s.Options(compress: true)))
        {
            c.Status.ShouldBe(101);
            c.ResponseHead.ShouldNotContain("permessage-deflate");
        }
        using (var s = new WsServer(target, "compression: true"))
        {
            // Compression in the server and asked by the client: negotiated.
            using (var c = WsTestClient.Upgrade(s.Host, s.WsPort, s.Options(compress: true)))
            {
                c.Status.ShouldBe(101);
                c.ResponseHead.ShouldContain("permessage-deflate");
            }
            // In the server but not asked by the client.
            using (var c = WsTestClient.Upgrade(s.Host, s.WsPort, s.Options()))
            {
                c.Status.ShouldBe(101);
                c.ResponseHead.ShouldNotContain("permessage-deflate");
            }
        }
    }

    [Theory, TargetData, GoTest("server/websocket_test.go", "TestWSSetHeader", Since = "2.11")]
    public void SetHeader(ServerTarget target)
    {
        Assert.SkipWhen(target == ServerTarget.Reference, "the 2.9.10 reference has no websocket headers option; Go has it since 2.11");
        using var s = new WsServer(target, "headers { \"X-Header\": \"some-value\", \"X-Another-Header\": \"another-value\" }");
        using var c = WsTestClient.Upgrade(s.Host, s.WsPort, s.Options());
        c.Status.ShouldBe(101);
        var headers = c.ResponseHead.Split("\r\n").Skip(1).Select(l => (l[..l.IndexOf(':')], l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        headers.ShouldBe(
            [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
             ("X-Header", "some-value"), ("X-Another-Header", "another-value")],
            ignoreOrder: true);
    }

    private static void ExpectPongOr(string msg, string err)
    {
        if (err.Length == 0) msg.ShouldStartWith("PONG\r\n");
        else msg.ShouldStartWith(err);
    }

    /// <summary>Polls the server's log for a line containing <paramref name="text"/> (and matching
    /// <paramref name="also"/>), as Go's tests wait on a capturing logger.</summary>
    internal static async Task<bool> WaitForLog(NatsServerProcess s, string text, TimeSpan timeout, Func<string, bool>? also = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (s.Log.Split('\n').Any(l => l.Contains(text, StringComparison.Ordinal) && (also?.Invoke(l) ?? true))) return true;
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(20);
        }
    }
}
