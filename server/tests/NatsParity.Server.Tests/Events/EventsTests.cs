using System.Text;
using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Events;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Events;

/// <summary>Ports of server/events_test.go for one node without operator JWTs. Where Go's test builds its accounts from
/// JWTs only to have a system account and a second account, the same accounts come from a conf file.</summary>
public sealed class EventsTests
{
    private static NatsServer RunWithConfig(string content, out string path)
    {
        return InProcess.RunConf(content, out path);
    }

    private static NatsServer RunWithConfig(string content) => RunWithConfig(content, out _);

    /// <summary>A raw client that authenticated (or not) and answered the first PING.</summary>
    private static ProtoClient Connect(NatsServer s, string? user = null, string? pass = null, bool protocol1 = false, string extra = "")
    {
        var c = ProtoClient.Login("127.0.0.1", s.Port, user, pass, connectFields: $",\"headers\":true,\"protocol\":{(protocol1 ? 1 : 0)}{extra}");
        // A protocol 1 client is told its connect info after the first PONG.
        if (protocol1) c.ReadLine().ShouldStartWith("INFO ");
        return c;
    }

    /// <summary>nc.Request: a reply inbox, the request, the first answer.</summary>
    private static MsgFrame Request(ProtoClient c, string subject, string body = "", int sid = 99)
    {
        string inbox = $"_INBOX.{Guid.NewGuid():N}";
        c.Send($"SUB {inbox} {sid}\r\nPUB {subject} {inbox} {Encoding.UTF8.GetByteCount(body)}\r\n{body}\r\n");
        var m = c.ReadMsg(TimeSpan.FromSeconds(2));
        m.Subject.ShouldBe(inbox);
        return m;
    }

    [Fact, GoTest("server/events_test.go", "TestSystemAccountNoAuthUser")]
    public async Task SystemAccountNoAuthUser()
    {
        await using var s = RunWithConfig("listen: \"127.0.0.1:-1\"\naccounts {\n  $SYS {\n    users [{user: \"admin\", password: \"pwd\"}]\n  }\n}\n");
        // nats.go's URL user info: "user:pass@" sends user and password, "token@" a token.
        foreach (var (name, creds, ok, account) in new[]
                 {
                     ("valid user/pwd", ",\"user\":\"admin\",\"pass\":\"pwd\"", true, "$SYS"),
                     ("invalid pwd", ",\"user\":\"admin\",\"pass\":\"wrong\"", false, ""),
                     ("some token", ",\"auth_token\":\"sometoken\"", false, ""),
                     ("user used without pwd", ",\"auth_token\":\"admin\"", false, ""),
                     ("user with empty password", ",\"user\":\"admin\",\"pass\":\"\"", false, ""),
                     ("no user means global account", "", true, "$G"),
                 })
        {
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            c.Send($"CONNECT {{\"verbose\":false{creds}}}\r\nPING\r\n");
            string line = c.ReadLine();
            if (!ok)
            {
                line.ShouldBe("-ERR 'Authorization Violation'\r\n", name);
                continue;
            }
            line.ShouldBe("PONG\r\n", name);
            s.Clients.Single().Account.Name.ShouldBe(account, name);
            c.Dispose();
            (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2))).ShouldBeTrue(name);
        }
    }

    [Fact, GoTest("server/events_test.go", "TestServerEventsConnectDisconnectForGlobalAcc")]
    public async Task ServerEventsConnectDisconnectForGlobalAcc()
    {
        await using var s = RunWithConfig("listen: \"127.0.0.1:-1\"\naccounts {\n  $SYS {\n    users [{user: \"admin\", password: \"pwd\"}]\n  }\n}\n");
        using var ncs = Connect(s, "admin", "pwd");
        ncs.SendAndFlush("SUB $SYS.ACCOUNT.$G.CONNECT 1\r\nSUB $SYS.ACCOUNT.$G.DISCONNECT 2\r\n");

        var ncg = Connect(s, "", "");
        var msg = ncs.ReadMsg(TimeSpan.FromSeconds(5));
        msg.Subject.ShouldBe("$SYS.ACCOUNT.$G.CONNECT");

        ncg.Dispose();
        msg = ncs.ReadMsg(TimeSpan.FromSeconds(5));
        msg.Subject.ShouldBe("$SYS.ACCOUNT.$G.DISCONNECT");
    }

    [Fact, GoTest("server/events_test.go", "TestServerEventsReload")]
    public async Task ServerEventsReload()
    {
        const string conf1 = "listen: \"127.0.0.1:-1\"\naccounts: {\n  $SYS { users [{user: \"admin\", password: \"p1d\"}]}\n  test { users [{user: \"foo\", password: \"bar\"}]}\n}\nping_interval: \"100ms\"\n";
        await using var s = RunWithConfig(conf1, out var path);
        string subject = $"$SYS.REQ.SERVER.{s.ServerId}.RELOAD";

        // A user of another account cannot reach the reload endpoint.
        using (var ncTest = Connect(s, "foo", "bar"))
        {
            ncTest.Send($"SUB _INBOX.test 1\r\nPUB {subject} _INBOX.test 0\r\n\r\n");
            // The server pings every 100ms here; anything but PING within the second is an answer.
            var until = DateTime.UtcNow.AddSeconds(1);
            while (DateTime.UtcNow < until)
            {
                string line;
                try { line = ncTest.ReadLine(TimeSpan.FromMilliseconds(200)); }
                catch (ProtoException) { continue; }
                line.ShouldBe("PING\r\n");
                ncTest.Send("PONG\r\n");
            }
        }
        s.Options.PingInterval.ShouldBe(TimeSpan.FromMilliseconds(100));

        using var nc = Connect(s, "admin", "p1d");
        File.WriteAllText(path, conf1.Replace("\"100ms\"", "\"200ms\""));
        var msg = Request(nc, subject, sid: 10);
        using (var doc = JsonDocument.Parse(msg.Payload))
        {
            doc.RootElement.TryGetProperty("data", out var d).ShouldBeFalse(d.ToString());
            doc.RootElement.TryGetProperty("error", out var e).ShouldBeFalse(e.ToString());
        }
        s.Options.PingInterval.ShouldBe(TimeSpan.FromMilliseconds(200));

        File.WriteAllText(path, "garbage and nonsense");
        msg = Request(nc, subject, sid: 11);
        using (var doc = JsonDocument.Parse(msg.Payload))
        {
            doc.RootElement.TryGetProperty("data", out _).ShouldBeFalse();
            var err = doc.RootElement.GetProperty("error");
            err.GetProperty("description").GetString()!.ShouldContain(
                "Expected a top-level value to end with a new line, comment or EOF, but got 'n' instead.");
        }
        s.Options.PingInterval.ShouldBe(TimeSpan.FromMilliseconds(200));
    }

    [Fact, GoTest("server/events_test.go", "TestServerEventsStatszSingleServer")]
    public async Task ServerEventsStatszSingleServer()
    {
        await using var s = RunWithConfig("listen: \"127.0.0.1:-1\"\naccounts { $SYS { users [{user: \"admin\", password: \"p1d\"}]} }\n");
        var ev = s.Events!;
        // Wait for when the first statsz would have gone out: with no interest nothing is sent.
        await Task.Delay(ev.StatszInterval + TimeSpan.FromMilliseconds(25));
        ev.StatszSent.ShouldBe(0);

        using var nc = Connect(s, "admin", "p1d");
        nc.Send("SUB $SYS.SERVER.*.STATSZ 1\r\n");
        var m = nc.ReadMsg(TimeSpan.FromSeconds(5));
        m.Subject.ShouldBe($"$SYS.SERVER.{s.ServerId}.STATSZ");
    }

    [Fact, GoTest("server/events_test.go", "TestSubszPagination")]
    public async Task SubszPagination()
    {
        await using var s = RunWithConfig("listen: \"127.0.0.1:-1\"\nsystem_account: SYS\naccounts {\n  SYS { users [{user: sys, password: sys}] }\n  ACC { users [{user: a, password: a}] }\n}\n");
        using var ncSys = Connect(s, "sys", "sys");
        using var nc = Connect(s, "a", "a");
        var sb = new StringBuilder();
        for (int i = 0; i < 100; i++) sb.Append($"SUB foo.{i} {i + 1}\r\n");
        nc.Send(sb.Append("PING\r\n").ToString());
        nc.ExpectLine(ProtoRegex.Pong);

        const string req = "$SYS.REQ.ACCOUNT.ACC.SUBSZ";
        var msg = Request(ncSys, req, """{"offset":0,"limit":10,"subscriptions":true}""", sid: 1);
        using (var doc = JsonDocument.Parse(msg.Payload))
        {
            var data = doc.RootElement.GetProperty("data");
            data.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(10);
            // The account's monitoring imports count too.
            data.GetProperty("total").GetInt32().ShouldBeInRange(100, 110);
        }

        sb.Clear();
        for (int i = 0; i < 10; i++) sb.Append($"SUB bar.* {200 + i}\r\n");
        nc.Send(sb.Append("PING\r\n").ToString());
        nc.ExpectLine(ProtoRegex.Pong);
        msg = Request(ncSys, req, """{"offset":0,"limit":5,"subscriptions":true,"test":"bar.A"}""", sid: 2);
        using (var doc = JsonDocument.Parse(msg.Payload))
        {
            var data = doc.RootElement.GetProperty("data");
            data.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(5);
            data.GetProperty("total").GetInt32().ShouldBe(10);
        }
    }

    [Fact, GoTest("server/events_test.go", "TestServerEventsLDMKick")]
    public async Task ServerEventsLdmKick()
    {
        await using var s = RunWithConfig("listen: \"127.0.0.1:-1\"\nsystem_account: SYS\naccounts {\n  SYS { users [{user: sys, password: sys}] }\n  ACC { users [{user: a, password: a}] }\n}\n");
        using var ncs = Connect(s, "sys", "sys");
        using var nc = Connect(s, "a", "a", protocol1: true, extra: ",\"name\":\"TEST EVENTS LDM+KICK\"");
        // The INFO after the first PONG carries our client id.
        ulong cid = s.Clients.Single(c => c.Options.Name == "TEST EVENTS LDM+KICK").Cid;

        // Many clients of the same account come and go while the requests look clients up by id.
        var some = new List<ProtoClient>();
        for (int i = 0; i < 100; i++) some.Add(Connect(s, "a", "a"));
        var closer = Task.Run(() => { foreach (var c in some) c.Dispose(); });

        Request(ncs, $"$SYS.REQ.SERVER.{s.ServerId}.LDM", $"{{\"cid\":{cid}}}", sid: 1);
        nc.ReadUntil("\"ldm\":true", TimeSpan.FromSeconds(1));

        Request(ncs, $"$SYS.REQ.SERVER.{s.ServerId}.KICK", $"{{\"cid\":{cid}}}", sid: 2);
        nc.ExpectClosed(TimeSpan.FromSeconds(1));
        await closer;
    }

    [Fact, GoTest("server/events_test.go", "TestSendInternalAccountMsgWithReplyDoesNotMutateHeaderSlice")]
    public async Task SendInternalAccountMsgWithReplyDoesNotMutateHeaderSlice()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var nc = Connect(s);
        nc.SendAndFlush("SUB foo 1\r\n");

        var backing = new byte[256];
        int n = Encoding.ASCII.GetBytes("NATS/1.0\r\nFoo: bar\r\n\r\n", backing);
        var snapshot = backing.ToArray();
        var hdr = backing[..n];
        s.Events!.SendInternalAccountMsg(s.GlobalAccount, "foo", "", hdr, "REPRO_LEAK_BODY"u8.ToArray());

        var msg = nc.ReadMsg(TimeSpan.FromSeconds(2));
        msg.PayloadText.ShouldBe("REPRO_LEAK_BODY");
        msg.HeaderText.ShouldContain("Foo: bar\r\n");
        backing.ShouldBe(snapshot);
        hdr.ShouldBe(snapshot[..n]);
    }
}

/// <summary>Ports that shorten Go's event heartbeat, so they run alone.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class EventsHeartbeatTests
{
    [Fact, GoTest("server/events_test.go", "TestServerAccountConns")]
    public async Task ServerAccountConns()
    {
        var org = SystemEvents.EventsHeartbeat;
        SystemEvents.EventsHeartbeat = TimeSpan.FromMilliseconds(100);
        try
        {
            await using var s = InProcess.RunConf("host: 127.0.0.1\nport: -1\nsystem_account: SYS\naccounts: {\n  SYS: {users: [{user: s, password: s}]}\n  ACC: {users: [{user: a, password: a}]}\n}\n");

            using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
            const string hw = "HELLO WORLD";
            nc.SendAndReadMsg($"CONNECT {{\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}}\r\nSUB foo 1\r\nPUB foo {hw.Length}\r\n{hw}\r\nPUB bar {hw.Length}\r\n{hw}\r\n", TimeSpan.FromSeconds(1)).PayloadText.ShouldBe(hw);

            using var ncs = ProtoClient.Login("127.0.0.1", s.Port, "s", "s", commands: "SUB $SYS.ACCOUNT.ACC.SERVER.CONNS 1\r\n");
            var m = ncs.ReadMsg(TimeSpan.FromSeconds(1));
            using var doc = JsonDocument.Parse(m.Payload);
            var r = doc.RootElement;
            r.GetProperty("received").GetProperty("msgs").GetInt64().ShouldBe(2);
            r.GetProperty("received").GetProperty("bytes").GetInt64().ShouldBe(2 * hw.Length);
            r.GetProperty("sent").GetProperty("msgs").GetInt64().ShouldBe(1);
            r.GetProperty("sent").GetProperty("bytes").GetInt64().ShouldBe(hw.Length);
        }
        finally
        {
            SystemEvents.EventsHeartbeat = org;
        }
    }
}
