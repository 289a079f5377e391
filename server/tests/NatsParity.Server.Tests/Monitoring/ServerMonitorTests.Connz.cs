using System.Net.Sockets;
using System.Text.Json;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go's connz tests: connection details, activity, sorting and closed connections.</summary>
public sealed partial class ServerMonitorTests
{
    /// <summary>Go's runMonitorServerWithAccounts: users a and b in accounts A and B.</summary>
    private static NatsServer RunMonitorServerWithAccounts()
    {
        var o = MonitorOptions();
        o.Accounts = [new NatsParity.Server.Accounts.Account("A"), new NatsParity.Server.Accounts.Account("B")];
        o.Users = [new Auth.User { Username = "a", Password = "a", Account = "A" }, new Auth.User { Username = "b", Password = "b", Account = "B" }];
        return InProcess.Run(o);
    }

    /// <summary>Go's createClientConnWithName: a named client that has done nothing else.</summary>
    private static ProtoClient ConnectNamed(NatsServer s, string name) =>
        ProtoClient.Login("127.0.0.1", s.Port, connectFields: $",\"name\":\"{name}\",\"lang\":\"go\"");

    private static async Task WaitForClients(NatsServer s, int n) =>
        (await InProcess.WaitFor(() => s.NumClients == n, TimeSpan.FromSeconds(5))).ShouldBeTrue($"{s.NumClients} clients, expected {n}");

    /// <summary>Go's checkClosedConns.</summary>
    private static async Task WaitForClosed(NatsServer s, int n) =>
        (await InProcess.WaitFor(() => s.Closed.TotalClosed == n, TimeSpan.FromSeconds(5))).ShouldBeTrue($"{s.Closed.TotalClosed} closed, expected {n}");

    /// <summary>Go's nats.Connect then Close, <paramref name="n"/> times, until the server has closed them all.</summary>
    private static async Task ConnectAndClose(NatsServer s, int n)
    {
        for (int i = 0; i < n; i++)
        {
            using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
            nc.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
        }
        await WaitForClosed(s, n);
    }

    private static DateTime Time(JsonElement ci, string field) => ci.GetProperty(field).GetDateTime().ToUniversalTime();

    private static JsonElement ByName(JsonElement connz, string name) =>
        connz.GetProperty("connections").EnumerateArray().Single(c => c.TryGetProperty("name", out var n) && n.GetString() == name);

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnz")]
    public async Task MonitorConnz()
    {
        await using var s = RunMonitorServerWithAccounts();
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, "");
            c.GetProperty("num_connections").GetInt32().ShouldBe(0);
            c.GetProperty("total").GetInt32().ShouldBe(0);
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);

            using (var nc = SubscribeAndPublish(s, user: "a", pass: "a"))
            {
                c = await PollConnz(s, mode, "?auth=1");
                ConnzChecks.ExpectPage(c, connections: 1, total: 1);

                var ci = c.GetProperty("connections")[0];
                ci.GetProperty("cid").GetUInt64().ShouldNotBe(0UL);
                ci.GetProperty("ip").GetString().ShouldBe("127.0.0.1");
                ci.GetProperty("port").GetInt32().ShouldNotBe(0);
                ci.GetProperty("subscriptions").GetInt32().ShouldBe(0);
                ci.TryGetProperty("subscriptions_list", out _).ShouldBeFalse();
                ci.TryGetProperty("subscriptions_list_detail", out _).ShouldBeFalse();
                ci.GetProperty("in_msgs").GetInt64().ShouldBe(1);
                ci.GetProperty("out_msgs").GetInt64().ShouldBe(1);
                ci.GetProperty("in_bytes").GetInt64().ShouldBe(5);
                ci.GetProperty("out_bytes").GetInt64().ShouldBe(5);
                Time(ci, "start").ShouldNotBe(default);
                ci.GetProperty("uptime").GetString().ShouldNotBeNullOrEmpty();
                Time(ci, "last_activity").ShouldNotBe(default);
                Time(ci, "last_activity").ShouldBeGreaterThanOrEqualTo(Time(ci, "start"));
                ci.GetProperty("idle").GetString().ShouldNotBeNullOrEmpty();
                ci.GetProperty("rtt").GetString().ShouldNotBeNullOrEmpty();
                ci.GetProperty("account").GetString().ShouldBe("A");
                ci.GetProperty("name_tag").GetString().ShouldBe("A");
            }
            await WaitForClients(s, 0);
        }
    }

    /// <summary>The first connection of connz (with <paramref name="query"/>) details one subscription, on
    /// <paramref name="subject"/>, in both modes.</summary>
    private static async Task ExpectOneSubDetail(NatsServer s, string query, string subject)
    {
        for (int mode = 0; mode < 2; mode++)
        {
            var sd = (await PollConnz(s, mode, query)).GetProperty("connections")[0].GetProperty("subscriptions_list_detail");
            sd.GetArrayLength().ShouldBe(1);
            sd[0].GetProperty("subject").GetString().ShouldBe(subject);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithSubsDetail")]
    public async Task MonitorConnzWithSubsDetail()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        nc.SendAndFlush("SUB hello.foo 2\r\n");
        await ExpectOneSubDetail(s, "?subs=detail", "hello.foo");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorClosedConnzWithSubsDetail")]
    public async Task MonitorClosedConnzWithSubsDetail()
    {
        await using var s = RunMonitorServer();
        using (var nc = SubscribeAndPublish(s))
        {
            nc.SendAndFlush("SUB hello.foo 2\r\n");
        }
        await WaitForClients(s, 0);
        await ExpectOneSubDetail(s, "?state=closed&subs=detail", "hello.foo");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzRTT")]
    public async Task MonitorConnzRtt()
    {
        await using var s = RunMonitorServer();
        for (int mode = 0; mode < 2; mode++)
        {
            using (var nc = SubscribeAndPublish(s))
            {
                var c = await PollConnz(s, mode, "");
                c.GetProperty("num_connections").GetInt32().ShouldBe(1);

                // A server-side PING whose PONG records the round trip.
                ulong cid = c.GetProperty("connections")[0].GetProperty("cid").GetUInt64();
                var sc = s.Clients.SingleOrDefault(x => x.Cid == cid);
                sc.ShouldNotBeNull();
                sc.SendPing();
                nc.ExpectLine(ProtoRegex.Ping);
                nc.SendAndFlush("PONG\r\n");

                var ci = (await PollConnz(s, mode, "")).GetProperty("connections")[0];
                var rtt = GoDuration(ci.GetProperty("rtt").GetString()!);
                rtt.ShouldBeGreaterThan(TimeSpan.Zero);
                rtt.ShouldBeLessThanOrEqualTo(TimeSpan.FromMilliseconds(20));
                rtt.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromTicks(1));
            }
            await WaitForClients(s, 0);
        }
    }

    /// <summary>Go's time.ParseDuration for the strings the monitor writes.</summary>
    private static TimeSpan GoDuration(string d) => ConfigLoader.ParseGoDuration(d);

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzLastActivity")]
    public async Task MonitorConnzLastActivity()
    {
        await using var s = RunMonitorServer();
        const string query = "?subs=1";
        for (int mode = 0; mode < 2; mode++)
        {
            using var ncFoo = ConnectNamed(s, "foo");
            using var ncBar = ConnectNamed(s, "bar");

            var cz = await PollConnz(s, mode, query);
            var ciFoo = ByName(cz, "foo");
            var ciBar = ByName(cz, "bar");
            Time(ciFoo, "last_activity").ShouldNotBe(default);
            Time(ciBar, "last_activity").ShouldNotBe(default);
            // foo connected first, so its activity is not newer than bar's.
            Time(ciFoo, "last_activity").ShouldBeLessThanOrEqualTo(Time(ciBar, "last_activity"));
            var fooLa = Time(ciFoo, "last_activity");
            var barLa = Time(ciBar, "last_activity");

            ncFoo.Flush();
            ncBar.Flush();
            await Task.Delay(10);

            // A subscribe is activity.
            ncFoo.SendAndFlush("SUB hello.world 1\r\n");
            var nextLa = Time(ByName(await PollConnz(s, mode, query), "foo"), "last_activity");
            nextLa.ShouldNotBe(fooLa, "Subscribe should have triggered update to LastActivity");
            fooLa = nextLa;
            await Task.Delay(10);

            // A publish is activity for the publisher, and the delivery for the subscriber.
            ncBar.Send("PUB hello.world 5\r\nHello\r\n");
            ncFoo.ExpectMsgs(1);
            ncFoo.Flush();
            ncBar.Flush();
            cz = await PollConnz(s, mode, query);
            Time(ByName(cz, "bar"), "last_activity").ShouldNotBe(barLa, "Publish should have triggered update to LastActivity");
            nextLa = Time(ByName(cz, "foo"), "last_activity");
            nextLa.ShouldNotBe(fooLa, "Message delivery should have triggered update to LastActivity");
            fooLa = nextLa;
            await Task.Delay(10);

            // So is an unsubscribe.
            ncFoo.SendAndFlush("UNSUB 1\r\n");
            nextLa = Time(ByName(await PollConnz(s, mode, query), "foo"), "last_activity");
            nextLa.ShouldNotBe(fooLa, "Unsubscribe should have triggered update to LastActivity");
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzOffsetOverflow")]
    public async Task MonitorConnzOffsetOverflow()
    {
        await using var s = RunMonitorServer();
        using var cl = SubscribeAndPublish(s);
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, $"?offset={long.MaxValue}&limit=1");
            c.GetProperty("connections").ValueKind.ShouldBe(JsonValueKind.Array);
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);
            c.GetProperty("num_connections").GetInt32().ShouldBe(0);
        }
        await PollConnz(s, 1, $"?offset={long.MaxValue}&limit={long.MaxValue}");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByPending")]
    public async Task MonitorConnzSortedByPending()
    {
        await using var s = RunMonitorServer();
        await WithBusierFirstClient(s, () => ExpectFirstLargest(s, "pending", "pending_bytes"));
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByLast")]
    public async Task MonitorConnzSortedByLast()
    {
        await using var s = RunMonitorServer();
        await WithBusierFirstClient(s, () =>
            ExpectConnzOrder(s, "?sort=last", (c, _) => Time(c, "last_activity"), descending: true, "descending by last activity", count: 4));
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByUptime")]
    public async Task MonitorConnzSortedByUptime()
    {
        await using var s = RunMonitorServer();
        using var clients = new ProtoClients();
        for (int i = 0; i < 4; i++)
        {
            clients.Add(SubscribeAndPublish(s));
            await Task.Delay(50);
        }
        await ExpectConnzOrder(s, "?sort=uptime", (c, now) => now - Time(c, "start"), descending: false, "ascending by uptime (now - start)");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByUptimeClosedConn")]
    public async Task MonitorConnzSortedByUptimeClosedConn()
    {
        await using var s = RunMonitorServer();
        for (int i = 1; i <= 4; i++)
        {
            using var nc = SubscribeAndPublish(s);
            var client = s.Clients.Single(x => x.Cid == (ulong)i);
            client.StartTime = client.StartTime.AddSeconds(-10 * (4 - i));
        }
        await WaitForClosed(s, 4);
        await ExpectConnzOrder(s, "?state=closed&sort=uptime", (c, _) => Time(c, "stop") - Time(c, "start"), descending: false, "ascending by uptime");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByStopTimeClosedConn")]
    public async Task MonitorConnzSortedByStopTimeClosedConn()
    {
        await using var s = RunMonitorServer();
        await ConnectAndClose(s, 4);

        // Random stop times within the last two hours.
        var now = DateTime.UtcNow;
        s.Closed.Rewrite(cc => cc with { Stop = now.AddMinutes(-Random.Shared.Next(120)) });

        await ExpectConnzOrder(s, "?state=closed&sort=stop", (c, now) => now - Time(c, "stop"), descending: false, "ascending by time since stop");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByReason")]
    public async Task MonitorConnzSortedByReason()
    {
        await using var s = RunMonitorServer();
        await ConnectAndClose(s, 20);

        // Random reasons among those before ServerShutdown.
        int max = (int)ClosedState.ServerShutdown;
        s.Closed.Rewrite(cc => cc with { Reason = (ClosedState)Random.Shared.Next(max) });

        for (int mode = 0; mode < 2; mode++)
        {
            var rs = Conns(await PollConnz(s, mode, "?state=closed&sort=reason")).Select(x => x.GetProperty("reason").GetString()!).ToList();
            rs.Count.ShouldBe(20);
            rs.ShouldBe(rs.Order(StringComparer.Ordinal).ToList(), "sorted by reason");
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByIdle")]
    public async Task MonitorConnzSortedByIdle()
    {
        await using var s = RunMonitorServer();
        var now = DateTime.UtcNow;
        (TimeSpan Start, TimeSpan Last)[] times =
        [
            (TimeSpan.FromSeconds(-10), TimeSpan.FromSeconds(-5)),
            (TimeSpan.FromSeconds(-20), TimeSpan.FromSeconds(-10)),
            (TimeSpan.FromSeconds(-3), TimeSpan.FromSeconds(-2)),
            (TimeSpan.FromSeconds(-30), TimeSpan.FromSeconds(-20)),
        ];
        for (int mode = 0; mode < 2; mode++)
        {
            using var clients = new ProtoClients();
            foreach (var (start, last) in times)
            {
                var nc = SubscribeAndPublish(s);
                clients.Add(nc);
                var client = s.Clients.OrderByDescending(x => x.Cid).First();
                client.StartTime = now + start;
                client.SetLastActivity(now + last);
            }
            var conns = Conns(await PollConnz(s, mode, "?sort=idle"));
            conns.Count.ShouldBe(times.Length);
            var idle = conns.Select(x => GoDuration(ToGoDuration(x.GetProperty("idle").GetString()!))).ToList();
            idle.ShouldBe(idle.OrderDescending().ToList(), "descending by idle time");
            clients.Dispose();
            await WaitForClients(s, 0);
        }
    }

    /// <summary>The monitor writes idle as Go's myUptime ("1d2h3m4s"); days become hours for ParseDuration.</summary>
    private static string ToGoDuration(string uptime)
    {
        int d = uptime.IndexOf('d');
        if (d < 0) return uptime;
        long days = long.Parse(uptime[..d], System.Globalization.CultureInfo.InvariantCulture);
        return $"{days * 24}h" + uptime[(d + 1)..];
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithStateForClosedConns")]
    public async Task MonitorConnzWithStateForClosedConns()
    {
        await using var s = RunMonitorServer();
        const int numEach = 10;
        using var open = new ProtoClients();
        for (int i = 0; i < numEach; i++)
        {
            using (var closed = SubscribeAndPublish(s))
            {
                closed.SendAndFlush("SUB hello.closed.conns 2\r\n");
            }
            var nc = SubscribeAndPublish(s);
            nc.SendAndFlush("SUB hello.open.conns 2\r\n");
            open.Add(nc);
        }
        for (int mode = 0; mode < 2; mode++)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
            while (true)
            {
                string? problem = await CheckStates(s, mode, numEach);
                if (problem is null) break;
                if (DateTime.UtcNow > deadline) throw new ShouldAssertException(problem);
                await Task.Delay(10);
            }
        }
    }

    private static async Task<string?> CheckStates(NatsServer s, int mode, int numEach)
    {
        async Task<List<JsonElement>> Get(string q) => Conns(await PollConnz(s, mode, q));
        if ((await Get("?state=open")).Count is var o && o != numEach) return $"open: {o}";
        if ((await Get("?state=closed")).Count is var c && c != numEach) return $"closed: {c}";
        if ((await Get("?state=ALL")).Count is var a && a != numEach * 2) return $"all: {a}";
        // cid 1 is closed.
        if ((await Get("?cid=1&state=open")).Count != 0) return "cid 1 open";
        if ((await Get("?cid=1&state=closed")).Count != 1) return "cid 1 closed";
        if ((await Get("?cid=1&state=ALL")).Count != 1) return "cid 1 all";
        var withSubs = await Get("?cid=1&state=closed&subs=true");
        if (withSubs.Count != 1) return "cid 1 closed subs";
        if (withSubs[0].GetProperty("subscriptions").GetInt32() != 1) return "cid 1 num subs";
        if (!withSubs[0].TryGetProperty("subscriptions_list", out var sl) || sl.GetArrayLength() != 1) return "cid 1 subs list";
        var noSubs = await Get("?cid=1&state=closed&subs=false");
        if (noSubs.Count != 1) return "cid 1 closed no subs";
        if (noSubs[0].GetProperty("subscriptions").GetInt32() != 1) return "cid 1 num subs without list";
        if (noSubs[0].TryGetProperty("subscriptions_list", out _)) return "cid 1 subs list with subs=false";
        // cid 2 is open.
        if ((await Get("?cid=2&state=open")).Count != 1) return "cid 2 open";
        if ((await Get("?cid=2&state=all")).Count != 1) return "cid 2 all";
        if ((await Get("?cid=2&state=closed")).Count != 0) return "cid 2 closed";
        return null;
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzClosedConnsRace")]
    public async Task MonitorConnzClosedConnsRace()
    {
        await using var s = RunMonitorServer();
        for (int i = 0; i < 100; i++)
            SubscribeAndPublish(s).Dispose();
        await WaitForClosed(s, 100);
        string url = Url(s) + "connz?state=closed";

        async Task Poll(string u)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            while (DateTime.UtcNow < deadline)
                JsonDocument.Parse(await ReadBody(u)).RootElement.GetProperty("connections").GetArrayLength().ShouldBe(100);
        }
        await Task.WhenAll(Task.Run(() => Poll(url + "&subs=true")), Task.Run(() => Poll(url)));
    }

    [Fact, GoTest("server/monitor_test.go", "TestConnzClosedSubsDetailNoSharedMutation")]
    public async Task ConnzClosedSubsDetailNoSharedMutation()
    {
        await using var s = RunMonitorServer();
        // A closed connection with subscription detail, put straight into the ring.
        var cc = new ClosedConnection(1, "", 0, default, default, default, "", "", "", 0, 0, 0, 0, ["foo.bar"],
            SubDetails: [("foo.bar", null, "", 0, 0)]);
        var kept = cc with { };
        s.Closed.Add(cc);

        // Closed connections with subscription detail, asked for concurrently.
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Render(s, Monitor.ConnzPath, "?state=closed&subs=detail"))));
        foreach (var a in answers)
            Conns(a).Single().GetProperty("subscriptions_list_detail").EnumerateArray().Single().GetProperty("subject").GetString().ShouldBe("foo.bar");

        // The kept entry is not changed by what those answers showed.
        var ring = s.Closed.Snapshot();
        ring.Count.ShouldBe(1);
        ring[0].ShouldBeSameAs(cc);
        ring[0].ShouldBe(kept);
        ring[0].Subs.ShouldBe(["foo.bar"]);
        ring[0].SubDetails!.ShouldHaveSingleItem().Subject.ShouldBe("foo.bar");

        // A plain closed connections query carries no subscription detail.
        var conns = Conns(Render(s, Monitor.ConnzPath, "?state=closed"));
        conns.Count.ShouldBe(1);
        conns[0].TryGetProperty("subscriptions_list_detail", out var sd).ShouldBeFalse($"plain closed-conn query unexpectedly carried detail: {sd}");
    }

    /// <summary>Closed connections' idle never exceeds their uptime and their last activity is set.</summary>
    private static async Task CheckBadClientClosed(NatsServer s)
    {
        await WaitForClosed(s, 1);
        var c = Conns(await PollConnz(s, 1, "?state=closed"));
        c.Count.ShouldBe(1);
        var ci = c[0];
        var uptime = Time(ci, "stop") - Time(ci, "start");
        var idle = GoDuration(ToGoDuration(ci.GetProperty("idle").GetString()!));
        idle.ShouldBeLessThanOrEqualTo(uptime);
        Time(ci, "last_activity").ShouldNotBe(default);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzClosedConnsBadClient")]
    public async Task MonitorConnzClosedConnsBadClient()
    {
        await using var s = RunMonitorServer();
        using (var rc = new TcpClient())
        {
            await rc.ConnectAsync("127.0.0.1", s.Port);
        }
        await CheckBadClientClosed(s);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzClosedConnsBadTLSClient")]
    public async Task MonitorConnzClosedConnsBadTlsClient()
    {
        using var pki = new TestPki();
        await using var s = InProcess.Run(TlsMonitorOptions(pki));
        using (var rc = new TcpClient())
        {
            await rc.ConnectAsync("127.0.0.1", s.Port);
            await rc.GetStream().WriteAsync("CONNECT {}\r\n"u8.ToArray());
        }
        await CheckBadClientClosed(s);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConcurrentMonitoring")]
    public async Task MonitorConcurrentMonitoring()
    {
        await using var s = RunMonitorServer();
        string url = Url(s);
        string[] endpoints = ["varz", "varz", "varz", "connz", "connz", "subsz", "subsz", "routez", "routez"];
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await Task.WhenAll(endpoints.Select(e => Task.Run(async () =>
        {
            for (int i = 0; i < 50; i++)
            {
                using var resp = await http.GetAsync(url + e);
                ((int)resp.StatusCode).ShouldBe(200);
                resp.Content.Headers.ContentType?.MediaType.ShouldBe(AppJson);
                await resp.Content.ReadAsByteArrayAsync();
            }
        })));
    }
}
