using System.Text.Json;
using NATS.Client.Core;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

/// <summary>More ports of server/client_test.go.</summary>
public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestClientUserInfoReq")]
    public async Task ClientUserInfoReq()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            PERMS = {
                publish = { allow: "$SYS.REQ.>", deny: "$SYS.REQ.ACCOUNT.>" }
                subscribe = "_INBOX.>"
                allow_responses: true
            }
            accounts: {
                A: { users: [ { user: dlc, password: pass, permissions: $PERMS } ] }
                $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] }
            }
            no_auth_user: dlc
            """);

        using (var nc = ProtoClient.Login("127.0.0.1", s.Port))
        {
            using var doc = JsonDocument.Parse(UserInfoRequest(nc));
            var data = doc.RootElement.GetProperty("data");
            // Go compares the whole UserInfo: every field it decodes must be as expected, and no other set.
            Keys(data).ShouldBe(["account", "account_name", "permissions", "user"]);
            data.GetProperty("user").GetString().ShouldBe("dlc");
            data.GetProperty("account").GetString().ShouldBe("A");
            data.GetProperty("account_name").GetString().ShouldBe("A");
            var perms = data.GetProperty("permissions");
            Keys(perms).ShouldBe(["publish", "responses", "subscribe"]);
            Keys(perms.GetProperty("publish")).ShouldBe(["allow", "deny"]);
            Strings(perms.GetProperty("publish").GetProperty("allow")).ShouldBe(["$SYS.REQ.>"]);
            Strings(perms.GetProperty("publish").GetProperty("deny")).ShouldBe(["$SYS.REQ.ACCOUNT.>"]);
            Keys(perms.GetProperty("subscribe")).ShouldBe(["allow"]);
            Strings(perms.GetProperty("subscribe").GetProperty("allow")).ShouldBe(["_INBOX.>"]);
            var responses = perms.GetProperty("responses");
            responses.GetProperty("max").GetInt32().ShouldBe(1);
            responses.GetProperty("ttl").GetInt64().ShouldBe((long)TimeSpan.FromMinutes(2).TotalNanoseconds);
        }

        // System users get theirs too.
        using (var nc = ProtoClient.Login("127.0.0.1", s.Port, "admin", "s3cr3t!"))
        {
            using var doc = JsonDocument.Parse(UserInfoRequest(nc));
            var data = doc.RootElement.GetProperty("data");
            Keys(data).ShouldBe(["account", "account_name", "user"]);
            data.GetProperty("user").GetString().ShouldBe("admin");
            data.GetProperty("account").GetString().ShouldBe("$SYS");
            data.GetProperty("account_name").GetString().ShouldBe("$SYS");
        }

        // nc.Request with a one second timeout.
        static byte[] UserInfoRequest(ProtoClient nc)
        {
            nc.Send("SUB _INBOX.ui 1\r\nPUB $SYS.REQ.USER.INFO _INBOX.ui 0\r\n\r\n");
            return nc.ReadMsg(TimeSpan.FromSeconds(1)).Payload;
        }
        static string[] Keys(JsonElement e) => [.. e.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];
        static string[] Strings(JsonElement e) => [.. e.EnumerateArray().Select(x => x.GetString()!)];
    }

    [Fact, GoTest("server/client_test.go", "TestPingNotSentTooSoon")]
    public async Task PingNotSentTooSoon()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var done = new CancellationTokenSource();
        // Connz asks clients without an RTT for one while they come and go.
        var connz = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                s.Monitor.Render(NatsParity.Server.Monitoring.Monitor.ConnzPath, MonitorQuery.From(new Dictionary<string, string>()));
                await Task.Delay(1);
            }
        });
        for (int i = 0; i < 100; i++)
        {
            await using var nc = new NatsConnection(InProcess.ClientOpts(s));
            await nc.ConnectAsync();
        }
        done.Cancel();
        await connz;

        var c = NewClient(s);
        c.Parse("CONNECT {\"user\":\"ivan\",\"pass\":\"bar\"}\r\n").ShouldBeNull();
        // The client has not sent PING: the server does not PING it for its RTT yet.
        c.C.SendRttPing().ShouldBeFalse();
        // Go's time.Sleep: at least that long (a timer may fire a little early by the monotonic clock).
        var slept = System.Diagnostics.Stopwatch.StartNew();
        while (slept.Elapsed <= ClientConnection.MaxNoRttPingBeforeFirstPong) await Task.Delay(ClientConnection.MaxNoRttPingBeforeFirstPong - slept.Elapsed + TimeSpan.FromMilliseconds(1));
        c.C.SendRttPing().ShouldBeTrue();
        c.ReadLine().ShouldBe("PING\r\n");
    }

    [Theory, InlineData(false), InlineData(true)]
    [GoTest("server/client_test.go", "TestCloseConnectionVeryEarly")]
    public async Task CloseConnectionVeryEarly(bool useTls)
    {
        using var pki = useTls ? new TestPki() : null;
        var o = new ServerOptions();
        if (pki is not null)
        {
            o.Tls = true;
            o.TlsCert = pki.ServerCertFile;
            o.TlsKey = pki.ServerKeyFile;
            o.TlsCaCert = pki.CaFile;
        }
        await using var s = InProcess.Run(o);

        // A plain TCP connection, closed at once.
        var c = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork,
            System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        c.Connect("127.0.0.1", s.Port);
        c.Close();
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2), pollMs: 15))
            .ShouldBeTrue($"expected 0 connections, got {s.NumClients}");

        // The server is handed that closed connection, as if it broke while the INFO was being sent: it is not kept.
        s.CreateClient(c);
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2), pollMs: 15))
            .ShouldBeTrue($"expected 0 connections, got {s.NumClients}");
    }
}
