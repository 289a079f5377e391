using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

/// <summary>
/// Ports of server/client_test.go. Go drives a client over net.Pipe; here a socketless connection is parsed directly
/// and what it would have written is read back from its outbound buffer (the same bytes Go's pipe carries).
/// </summary>
public sealed partial class ClientTests
{
    private static readonly Regex MsgPat = new(@"MSG\s+([^\s]+)\s+([^\s]+)\s+(([^\s]+)[^\S\r\n]+)?(\d+)\r\n");
    private static readonly Regex SmsgPat = new(@"^MSG\s+([^\s]+)\s+([^\s]+)\s+(([^\s]+)[^\S\r\n]+)?(\d+)\r\n");
    private static readonly Regex HmsgPat = new(@"HMSG\s+([^\s]+)\s+([^\s]+)\s+(([^\s]+)[^\S\r\n]+)?(\d+)[^\S\r\n]+(\d+)\r\n");
    private const int SubIndex = 1, SidIndex = 2, ReplyIndex = 4, LenIndex = 5, HdrIndex = 5, TlenIndex = 6;

    private static ulong _cid;

    /// <summary>Go's newClientForServer: a client of <paramref name="s"/> with verbose off, as the Go harness sets it.</summary>
    private static TestClient NewClient(NatsServer s)
    {
        var c = new ClientConnection(s, Interlocked.Increment(ref _cid));
        c.Options.Verbose = false;
        return new TestClient(c);
    }

    private static (NatsServer, TestClient) SetupClient(ServerOptions? opts = null)
    {
        var s = new NatsServer(opts ?? new ServerOptions { NoLog = true, Host = "127.0.0.1" });
        return (s, NewClient(s));
    }

    private sealed class TestClient(ClientConnection c)
    {
        private string _pending = "";
        public ClientConnection C { get; } = c;
        public string? Parse(string proto) => C.ParseForTest(Encoding.ASCII.GetBytes(proto));

        /// <summary>The next line the client was sent (CRLF included), like Go's cr.ReadString('\n').</summary>
        public string ReadLine()
        {
            _pending += Encoding.ASCII.GetString(C.TakeOutbound());
            int i = _pending.IndexOf('\n');
            if (i < 0) throw new InvalidOperationException($"no complete line was sent; pending: {_pending}");
            var line = _pending[..(i + 1)];
            _pending = _pending[(i + 1)..];
            return line;
        }

        public bool HasMoreLines()
        {
            _pending += Encoding.ASCII.GetString(C.TakeOutbound());
            return _pending.Contains('\n');
        }

        public void CheckPayload(string expected)
        {
            _pending += Encoding.ASCII.GetString(C.TakeOutbound());
            _pending.ShouldStartWith(expected);
            _pending = _pending[expected.Length..];
        }

        public int Buffered => _pending.Length;
    }

    [Fact, GoTest("server/client_test.go", "TestClientCreateAndInfo")]
    public async Task ClientCreateAndInfo()
    {
        // Go's rawSetup makes the server with New and never starts it, so no system client has taken a cid yet.
        await using var s = InProcess.Run(new ServerOptions { NoSystemAccount = true });
        using var sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sock.Connect("127.0.0.1", s.Port);
        var buf = new byte[4096];
        int n = sock.Receive(buf);
        var l = Encoding.ASCII.GetString(buf, 0, n);
        l.ShouldStartWith("INFO ");
        var c = s.Clients.Single();
        c.Cid.ShouldBe(1ul);
        var info = JsonDocument.Parse(l[5..]).RootElement;
        info.GetProperty("max_payload").GetInt32().ShouldBe(1024 * 1024);
        info.TryGetProperty("auth_required", out _).ShouldBeFalse();
        info.TryGetProperty("tls_required", out _).ShouldBeFalse();
        info.GetProperty("port").GetInt32().ShouldBe(s.Port);
    }

    [Fact, GoTest("server/client_test.go", "TestClientNoResponderSupport", Since = "2.12")]
    public void ClientNoResponderSupport()
    {
        var (s, c) = SetupClient();
        c.Parse("CONNECT {\"no_responders\":true}\r\n").ShouldNotBeNull();

        c = NewClient(s);
        c.Parse("CONNECT {\"headers\":true, \"no_responders\":true}\r\nSUB reply 1\r\nPUB foo reply 2\r\nok\r\n").ShouldBeNull();
        var l = c.ReadLine();
        HmsgPat.Matches(l).Count.ShouldBeGreaterThan(0, l);
        c.CheckPayload("NATS/1.0 503\r\nNats-Subject: foo\r\n\r\n\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestServerHeaderSupport")]
    public async Task ServerHeaderSupport()
    {
        foreach (var (noHeaders, expected) in new[] { (false, true), (true, false) })
        {
            await using var s = InProcess.Run(new ServerOptions { NoHeaderSupport = noHeaders });
            using var sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            sock.Connect("127.0.0.1", s.Port);
            var buf = new byte[4096];
            var l = Encoding.ASCII.GetString(buf, 0, sock.Receive(buf));
            l.ShouldStartWith("INFO ");
            JsonDocument.Parse(l[5..]).RootElement.GetProperty("headers").GetBoolean().ShouldBe(expected);
        }
    }

    [Fact, GoTest("server/client_test.go", "TestClientHeaderSupport")]
    public void ClientHeaderSupport()
    {
        var (s, c) = SetupClient();
        c.Parse("CONNECT {}\r\nHPUB foo 0 2\r\nok\r\n").ShouldBe(ProtocolErrors.MsgHeadersNotSupported);
        c = NewClient(s);
        c.Parse("CONNECT {\"headers\":true}\r\nHPUB foo 0 2\r\nok\r\n").ShouldBeNull();

        var (_, c2) = SetupClient(new ServerOptions { NoLog = true, NoHeaderSupport = true });
        c2.Parse("CONNECT {\"headers\":true}\r\nHPUB foo 0 2\r\nok\r\n").ShouldBe(ProtocolErrors.MsgHeadersNotSupported);
    }

    [Fact, GoTest("server/client_test.go", "TestClientHeaderDeliverMsg")]
    public void ClientHeaderDeliverMsg()
    {
        var (_, c) = SetupClient();
        c.Parse(string.Join("\r\n", "CONNECT {\"headers\":true}", "SUB foo 1", "HPUB foo 12 14\r\nName:Derek\r\nOK\r\n")).ShouldBeNull();
        var l = c.ReadLine();
        var am = HmsgPat.Matches(l);
        am.Count.ShouldBeGreaterThan(0, l);
        var m = am[0].Groups;
        m.Count.ShouldBe(7);
        m[SubIndex].Value.ShouldBe("foo");
        m[SidIndex].Value.ShouldBe("1");
        m[HdrIndex].Value.ShouldBe("12");
        m[TlenIndex].Value.ShouldBe("14");
        c.CheckPayload("Name:Derek\r\nOK\r\n");
    }

    [Theory, InlineData(""), InlineData("bar ")]
    [GoTest("server/client_test.go", "TestClientHeaderDeliverStrippedMsg"), GoTest("server/client_test.go", "TestClientHeaderDeliverQueueSubStrippedMsg")]
    public void ClientHeaderDeliverStrippedMsg(string queue)
    {
        var (s, c) = SetupClient();
        var b = NewClient(s);
        b.Parse($"SUB foo {queue}1\r\nPING\r\n").ShouldBeNull();
        b.ReadLine().ShouldBe("PONG\r\n");
        c.Parse(string.Join("\r\n", "CONNECT {\"headers\":true}", "HPUB foo 12 14\r\nName:Derek\r\nOK\r\n")).ShouldBeNull();
        var l = b.ReadLine();
        var am = SmsgPat.Matches(l);
        am.Count.ShouldBeGreaterThan(0, l);
        var m = am[0].Groups;
        m.Count.ShouldBe(6);
        m[SubIndex].Value.ShouldBe("foo");
        m[SidIndex].Value.ShouldBe("1");
        m[LenIndex].Value.ShouldBe("2");
        b.CheckPayload("OK\r\n");
        b.Buffered.ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestClientConnect")]
    public void ClientConnect()
    {
        var (_, c) = SetupClient();
        c.Parse("CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false,\"echo\":false}\r\n").ShouldBeNull();
        c.C.Parser.State.ShouldBe(ParserState.OpStart);
        OptsOf(c).ShouldBe((true, true, false, (string?)null, (string?)null, (string?)null, (string?)null));

        foreach (var (connect, user, pass, name, token) in new (string, string?, string?, string?, string?)[]
        {
            ("CONNECT {\"user\":\"derek\",\"pass\":\"foo\"}\r\n", "derek", "foo", null, null),
            ("CONNECT {\"user\":\"derek\",\"pass\":\"foo\",\"name\":\"router\"}\r\n", "derek", "foo", "router", null),
            ("CONNECT {\"auth_token\":\"YZZ222\",\"name\":\"router\"}\r\n", null, null, "router", "YZZ222"),
        })
        {
            (_, c) = SetupClient();
            c.C.Options.Verbose = true; // Go resets c.opts to defaultOpts before each CONNECT
            c.Parse(connect).ShouldBeNull();
            c.C.Parser.State.ShouldBe(ParserState.OpStart);
            OptsOf(c).ShouldBe((true, true, true, user, pass, name, token));
        }
    }

    private static (bool, bool, bool, string?, string?, string?, string?) OptsOf(TestClient c) =>
        (c.C.Options.Verbose, c.C.Options.Pedantic, c.C.Options.Echo, c.C.Options.Username, c.C.Options.Password, c.C.Options.Name, c.C.Options.Token);

    [Fact, GoTest("server/client_test.go", "TestClientConnectProto")]
    public void ClientConnectProto()
    {
        var (_, c) = SetupClient();
        c.Parse("CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false}\r\n").ShouldBeNull();
        c.C.Parser.State.ShouldBe(ParserState.OpStart);
        c.C.Options.Protocol.ShouldBe(0);
        (c.C.Options.Verbose, c.C.Options.Pedantic, c.C.Options.Echo).ShouldBe((true, true, true));

        c.Parse("CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false,\"protocol\":1}\r\n").ShouldBeNull();
        c.C.Parser.State.ShouldBe(ParserState.OpStart);
        c.C.Options.Protocol.ShouldBe(1);

        c.Parse("CONNECT {\"protocol\":22}\r\n").ShouldBe(ProtocolErrors.BadClientProtocol);
    }

    [Fact, GoTest("server/client_test.go", "TestClientPing")]
    public void ClientPing()
    {
        var (_, c) = SetupClient();
        c.Parse("PING\r\n").ShouldBeNull();
        c.ReadLine().ShouldStartWith("PONG\r\n");
    }

    [Theory]
    [InlineData("SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n", "", "5", "hello\r\n")]
    [InlineData("SUB foo 1\r\nPUB foo bar 5\r\nhello\r\nPING\r\n", "bar", "5", "hello\r\n")]
    [InlineData("SUB foo 1\r\nPUB foo bar 0\r\n\r\nPING\r\n", "bar", "0", "\r\n")]
    [GoTest("server/client_test.go", "TestClientSimplePubSub"), GoTest("server/client_test.go", "TestClientSimplePubSubWithReply"),
     GoTest("server/client_test.go", "TestClientNoBodyPubSubWithReply")]
    public void ClientSimplePubSub(string ops, string reply, string len, string payload)
    {
        var (_, c) = SetupClient();
        c.Parse(ops).ShouldBeNull();
        var m = MsgPat.Matches(c.ReadLine())[0].Groups;
        m.Count.ShouldBe(6);
        m[SubIndex].Value.ShouldBe("foo");
        m[SidIndex].Value.ShouldBe("1");
        m[ReplyIndex].Value.ShouldBe(reply);
        m[LenIndex].Value.ShouldBe(len);
        c.CheckPayload(payload);
    }

    [Fact, GoTest("server/client_test.go", "TestClientPubSubNoEcho")]
    public void ClientPubSubNoEcho()
    {
        var (_, c) = SetupClient();
        c.Parse("CONNECT {\"echo\":false}\r\n").ShouldBeNull();
        c.Parse("SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n").ShouldBeNull();
        c.ReadLine().ShouldStartWith("PONG\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestClientPubWithQueueSub")]
    public void ClientPubWithQueueSub()
    {
        var (_, c) = SetupClient();
        const int num = 100;
        var op = new StringBuilder("SUB foo g1 1\r\nSUB foo g1 2\r\n");
        for (int i = 0; i < num; i++) op.Append("PUB foo bar 5\r\nhello\r\n");
        c.Parse(op.ToString()).ShouldBeNull();
        int n1 = 0, n2 = 0, received = 0;
        while (c.HasMoreLines())
        {
            var m = MsgPat.Matches(c.ReadLine())[0].Groups;
            if (m[SidIndex].Value == "1") n1++;
            else if (m[SidIndex].Value == "2") n2++;
            c.CheckPayload("hello\r\n");
            received++;
        }
        received.ShouldBe(num);
        n1.ShouldBeGreaterThanOrEqualTo(20);
        n2.ShouldBeGreaterThanOrEqualTo(20);
    }

    [Fact, GoTest("server/client_test.go", "TestClientPubWithQueueSubNoEcho")]
    public async Task ClientPubWithQueueSubNoEcho()
    {
        // Go's version: one client with echo off publishes to a queue group it is a member of, together with another
        // client; every message must go to the other member.
        await using var s = InProcess.Run(new ServerOptions());
        using var sub = ProtoClient.Connect("127.0.0.1", s.Port);
        sub.Send("CONNECT {\"verbose\":false}\r\nSUB foo bar 1\r\nPING\r\n");
        sub.ReadLine().ShouldBe("PONG\r\n");
        using var pub = ProtoClient.Connect("127.0.0.1", s.Port);
        const int num = 100;
        var ops = new StringBuilder("CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB foo bar 1\r\n");
        for (int i = 0; i < num; i++) ops.Append("PUB foo 5\r\nhello\r\n");
        pub.Send(ops.Append("PING\r\n").ToString());
        pub.ReadLine().ShouldBe("PONG\r\n");
        sub.ExpectMsgs(num).Count.ShouldBe(num);
    }

    [Fact, GoTest("server/client_test.go", "TestClientUnSub")]
    public void ClientUnSub()
    {
        var (_, c) = SetupClient();
        c.Parse("SUB foo 1\r\nSUB foo 2\r\nUNSUB 1\r\nPUB foo bar 5\r\nhello\r\n").ShouldBeNull();
        int received = 0;
        while (c.HasMoreLines())
        {
            MsgPat.Matches(c.ReadLine())[0].Groups[SidIndex].Value.ShouldBe("2");
            c.CheckPayload("hello\r\n");
            received++;
        }
        received.ShouldBe(1);
    }

    [Fact, GoTest("server/client_test.go", "TestClientUnSubMax")]
    public void ClientUnSubMax()
    {
        var (_, c) = SetupClient();
        var op = new StringBuilder("SUB foo 1\r\nUNSUB 1 5\r\n");
        for (int i = 0; i < 10; i++) op.Append("PUB foo bar 5\r\nhello\r\n");
        c.Parse(op.ToString()).ShouldBeNull();
        int received = 0;
        while (c.HasMoreLines())
        {
            MsgPat.Matches(c.ReadLine())[0].Groups[SidIndex].Value.ShouldBe("1");
            c.CheckPayload("hello\r\n");
            received++;
        }
        received.ShouldBe(5);
    }

    [Fact, GoTest("server/client_test.go", "TestClientAutoUnsubExactReceived")]
    public void ClientAutoUnsubExactReceived()
    {
        var (_, c) = SetupClient();
        c.Parse("SUB foo 1\r\nUNSUB 1 1\r\nPUB foo bar 2\r\nok\r\n").ShouldBeNull();
        c.C.SubscriptionCount.ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestClientUnsubAfterAutoUnsub")]
    public void ClientUnsubAfterAutoUnsub()
    {
        var (_, c) = SetupClient();
        c.Parse("SUB foo 1\r\nUNSUB 1 1\r\nUNSUB 1\r\n").ShouldBeNull();
        c.C.SubscriptionCount.ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestClientRemoveSubsOnDisconnect")]
    public void ClientRemoveSubsOnDisconnect()
    {
        var (s, c) = SetupClient();
        c.Parse("SUB foo 1\r\nSUB bar 2\r\n").ShouldBeNull();
        s.Sublist.Count.ShouldBe(2u);
        c.C.Close(ClosedState.ClientClosed);
        s.Sublist.Count.ShouldBe(0u);
    }

    [Fact, GoTest("server/client_test.go", "TestClientDoesNotAddSubscriptionsWhenConnectionClosed")]
    public void ClientDoesNotAddSubscriptionsWhenConnectionClosed()
    {
        var (s, c) = SetupClient();
        c.C.Close(ClosedState.ClientClosed);
        c.Parse("SUB foo 1\r\nSUB bar 2\r\n");
        s.Sublist.Count.ShouldBe(0u);
    }

    [Fact, GoTest("server/client_test.go", "TestClientMapRemoval")]
    public async Task ClientMapRemoval()
    {
        await using var s = InProcess.Run(new ServerOptions());
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2));
        s.NumClients.ShouldBe(1);
        c.Dispose();
        await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2), pollMs: 15);
        s.NumClients.ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestAuthorizationTimeout")]
    public async Task AuthorizationTimeout()
    {
        await using var s = InProcess.Run(new ServerOptions { Authorization = "my_token", AuthTimeout = TimeSpan.FromSeconds(0.4) });
        using var client = ProtoClient.Connect("127.0.0.1", s.Port);
        Thread.Sleep(TimeSpan.FromSeconds(3 * 0.4));
        client.ReadLine().ShouldContain("Authentication Timeout");
    }

    [Fact, GoTest("server/client_test.go", "TestTwoTokenPubMatchSingleTokenSub")]
    public void TwoTokenPubMatchSingleTokenSub()
    {
        var (_, c) = SetupClient();
        c.Parse("PUB foo.bar 5\r\nhello\r\nSUB foo 1\r\nPING\r\nPUB foo.bar 5\r\nhello\r\nPING\r\n").ShouldBeNull();
        c.ReadLine().ShouldStartWith("PONG\r\n");
        c.ReadLine().ShouldStartWith("PONG\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestWildcardCharsInLiteralSubjectWorks")]
    public async Task WildcardCharsInLiteralSubjectWorks()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
        const string subj = "foo.bar,*,>,baz";
        for (int i = 0; i < 2; i++)
        {
            nc.Send($"SUB {subj} {i + 1}\r\nPING\r\n");
            nc.ReadLine().ShouldBe("PONG\r\n"); // no -ERR: the subject is a valid literal
            nc.Send($"PUB {subj} 3\r\nmsg\r\n");
            nc.ReadMsg().Subject.ShouldBe(subj);
            nc.Send($"UNSUB {i + 1}\r\n");
        }
    }

    [Fact, GoTest("server/client_test.go", "TestClientMaxPending")]
    public async Task ClientMaxPending()
    {
        // A max_pending beyond 32 bits must not overflow into refusing every message.
        await using var s = InProcess.Run(new ServerOptions { MaxPending = (long)int.MaxValue + 1 });
        await using var nc = new NATS.Client.Core.NatsConnection(InProcess.ClientOpts(s));
        await using var sub = await nc.SubscribeCoreAsync<string>("foo");
        await nc.PingAsync();
        await nc.PublishAsync("foo", "msg");
        var msg = await sub.Msgs.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        msg.Data.ShouldBe("msg");
    }

    [Fact, GoTest("server/client_test.go", "TestRemoteAddress")]
    public async Task RemoteAddress()
    {
        // Go's client with no net.Conn has no remote address; its net.Pipe client is, here, a real loopback socket.
        var (_, rc) = SetupClient();
        (rc.C.RemoteHost, rc.C.RemotePort).ShouldBe(("", 0));

        await using var s = InProcess.Run(new ServerOptions());
        using var sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        sock.Connect("127.0.0.1", s.Port);
        await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2));
        var c = s.Clients.Single();
        c.RemoteHost.ShouldBe("127.0.0.1");
        c.RemotePort.ShouldBe(((System.Net.IPEndPoint)sock.LocalEndPoint!).Port);
    }

    [Fact, GoTest("server/client_test.go", "TestUnsubRace")]
    public async Task UnsubRace()
    {
        await using var s = InProcess.Run(new ServerOptions());
        await using var nc = new NATS.Client.Core.NatsConnection(InProcess.ClientOpts(s));
        await using var ncp = new NATS.Client.Core.NatsConnection(InProcess.ClientOpts(s));
        await ncp.ConnectAsync();

        var sub = await nc.SubscribeCoreAsync<byte[]>("foo");
        var eat = Task.Run(async () =>
        {
            await foreach (var _ in sub.Msgs.ReadAllAsync()) { }
        });
        await nc.PingAsync();

        var hello = "hello"u8.ToArray();
        var publish = Task.Run(async () =>
        {
            for (int i = 0; i < 10000; i++) await ncp.PublishAsync("foo", hello);
        });
        await Task.Delay(5);
        await sub.UnsubscribeAsync();
        await publish.WaitAsync(TimeSpan.FromSeconds(20));
        await eat.WaitAsync(TimeSpan.FromSeconds(5));

        await ncp.PingAsync();
        await nc.PingAsync();
        s.Sublist.Match("foo"u8).Psubs.ShouldBeEmpty();
    }

    [Fact, GoTest("server/client_test.go", "TestClientIPv6Address")]
    public async Task ClientIPv6Address()
    {
        await using var s = new NatsServer(new ServerOptions { Host = "0.0.0.0", Port = ServerOptions.RandomPort, NoLog = true });
        s.Start();
        using var sock = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            sock.Connect(System.Net.IPAddress.IPv6Loopback, s.Port);
        }
        catch (SocketException e)
        {
            Assert.Skip($"could not connect over IPv6: {e.Message}");
        }
        await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2));
        s.Clients.Single().ToString().ShouldStartWith("[::1]");
    }
}
