using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go for one node. Go's tests read each endpoint twice, over HTTP (mode 0) and
/// by calling the server (mode 1); the second mode here renders the same endpoint through the server's monitor.</summary>
public sealed partial class ServerMonitorTests
{
    private const string AppJson = "application/json";
    private const string TextPlain = "text/plain; charset=utf-8";
    private const string TextHtml = "text/html; charset=utf-8";

    /// <summary>Go's DefaultMonitorOptions with no system account (runMonitorServer).</summary>
    private static ServerOptions MonitorOptions() => new()
    {
        Host = "127.0.0.1", Port = ServerOptions.RandomPort, HttpHost = "127.0.0.1", HttpPort = ServerOptions.RandomPort,
        HttpBasePath = "/", ServerName = "monitor_server", NoSystemAccount = true,
        Tags = ["tag"],
        Metadata = new(StringComparer.Ordinal) { ["key1"] = "value1", ["key2"] = "value2" },
        FeatureFlags = new(StringComparer.Ordinal) { ["feature"] = false, ["fix"] = true, ["revert_fix"] = true },
    };

    private static NatsServer RunMonitorServer() => InProcess.Run(MonitorOptions());

    private static string Url(NatsServer s) => $"http://127.0.0.1:{s.Monitor.Port}/";

    /// <summary>Go's readBodyEx: status, content type, and the CORS header on JSON.</summary>
    private static async Task<string> ReadBody(string url, int status = 200, string content = AppJson)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var resp = await http.GetAsync(url);
        string body = await resp.Content.ReadAsStringAsync();
        ((int)resp.StatusCode).ShouldBe(status, body);
        string ct = resp.Content.Headers.ContentType?.ToString() ?? "";
        ct.ShouldBe(content);
        if (ct == AppJson)
            resp.Headers.GetValues("Access-Control-Allow-Origin").Single().ShouldBe("*");
        return body;
    }

    /// <summary>Go's pollConnz: mode 0 over HTTP, mode 1 straight from the server's monitor.</summary>
    private static Task<JsonElement> PollConnz(NatsServer s, int mode, string query) => Poll(s, mode, Monitor.ConnzPath, query);

    /// <summary>Go's createClientConnWithUserSubscribeAndPublish: a message through a subscription that is then removed.</summary>
    private static ProtoClient SubscribeAndPublish(NatsServer s, string name = "", string? user = null, string? pass = null)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        string creds = user is null ? "" : $",\"user\":\"{user}\",\"pass\":\"{pass}\"";
        c.Send($"CONNECT {{\"verbose\":false,\"name\":\"{name}\"{creds}}}\r\nSUB _INBOX.x 1\r\nPUB _INBOX.x 5\r\nHello\r\n");
        c.ExpectMsgs(1);
        c.SendAndFlush("UNSUB 1\r\n");
        return c;
    }

    [Fact, GoTest("server/monitor_test.go", "TestMyUptime")]
    public void MyUptime()
    {
        var d = TimeSpan.FromSeconds(22);
        GoJson.Uptime(d).ShouldBe("22s");
        d += TimeSpan.FromMinutes(4);
        GoJson.Uptime(d).ShouldBe("4m22s");
        d += TimeSpan.FromHours(4);
        GoJson.Uptime(d).ShouldBe("4h4m22s");
        d += TimeSpan.FromDays(32);
        GoJson.Uptime(d).ShouldBe("32d4h4m22s");
        d += TimeSpan.FromDays(22 * 365);
        GoJson.Uptime(d).ShouldBe("22y32d4h4m22s");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorNoPort")]
    public async Task MonitorNoPort()
    {
        var o = MonitorOptions();
        o.HttpPort = 0;
        await using var s = InProcess.Run(o);
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var path in new[] { "varz", "healthz", "connz" })
            await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{port}/{path}"));
        s.Monitor.HttpRunning.ShouldBeFalse();
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorHTTPBasePath")]
    public async Task MonitorHttpBasePath()
    {
        var o = MonitorOptions();
        o.HttpBasePath = "/nats";
        await using var s = InProcess.Run(o);
        await ReadBody($"http://127.0.0.1:{s.Monitor.Port}/nats", 200, TextHtml);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzBadParams")]
    public async Task MonitorConnzBadParams()
    {
        await using var s = RunMonitorServer();
        string url = Url(s) + "connz?";
        foreach (var q in new[] { "auth=xxx", "subs=xxx", "offset=xxx", "limit=xxx", "state=xxx" })
            await ReadBody(url + q, 400, TextPlain);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithSubs")]
    public async Task MonitorConnzWithSubs()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        nc.SendAndFlush("SUB hello.foo 2\r\n");
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, "?subs=1");
            var subs = c.GetProperty("connections")[0].GetProperty("subscriptions_list");
            subs.GetArrayLength().ShouldBe(1);
            subs[0].GetString().ShouldBe("hello.foo");
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithCID")]
    public async Task MonitorConnzWithCid()
    {
        await using var s = RunMonitorServer();
        const int cid = 5, total = 10;
        using var clients = new ProtoClients();
        for (int i = 1; i <= total; i++)
        {
            var nc = SubscribeAndPublish(s);
            clients.Add(nc);
            if (i == cid)
            {
                nc.SendAndFlush("SUB hello.foo 2\r\nSUB hello.bar 3\r\n");
            }
        }
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, $"?cid={cid}");
            c.GetProperty("connections").GetArrayLength().ShouldBe(1);
            c.GetProperty("num_connections").GetInt32().ShouldBe(1);
            var ci = c.GetProperty("connections")[0];
            ci.GetProperty("cid").GetUInt64().ShouldBe((ulong)cid);
            ci.GetProperty("subscriptions").GetInt32().ShouldBe(2);
            c = await PollConnz(s, mode, "?cid=100");
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);
            c.GetProperty("num_connections").GetInt32().ShouldBe(0);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithOffsetAndLimit")]
    public async Task MonitorConnzWithOffsetAndLimit()
    {
        await using var s = RunMonitorServer();
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, "?offset=1&limit=1");
            c.GetProperty("connections").ValueKind.ShouldBe(JsonValueKind.Array);
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);
            // Negative values fall back to 0 and the default limit.
            c = await PollConnz(s, mode, "?offset=-1&limit=-1");
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);
            c.GetProperty("offset").GetInt32().ShouldBe(0);
        }

        using var cl1 = SubscribeAndPublish(s);
        using var cl2 = SubscribeAndPublish(s);
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, "?offset=1&limit=1");
            c.GetProperty("limit").GetInt32().ShouldBe(1);
            c.GetProperty("offset").GetInt32().ShouldBe(1);
            c.GetProperty("connections").GetArrayLength().ShouldBe(1);
            c.GetProperty("num_connections").GetInt32().ShouldBe(1);
            c.GetProperty("total").GetInt32().ShouldBe(2);

            c = await PollConnz(s, mode, "?offset=2&limit=1");
            c.GetProperty("limit").GetInt32().ShouldBe(1);
            c.GetProperty("offset").GetInt32().ShouldBe(2);
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);
            c.GetProperty("num_connections").GetInt32().ShouldBe(0);
            c.GetProperty("total").GetInt32().ShouldBe(2);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzDefaultSorted")]
    public async Task MonitorConnzDefaultSorted()
    {
        await using var s = RunMonitorServer();
        using var clients = new ProtoClients(Enumerable.Range(0, 4).Select(_ => SubscribeAndPublish(s)));
        await ExpectConnzOrder(s, "", Cid, descending: false, "ascending by cid", count: 4);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortBadRequest")]
    public async Task MonitorConnzSortBadRequest()
    {
        await using var s = RunMonitorServer();
        await WithBusierFirstClient(s, async () =>
        {
            await ReadBody(Url(s) + "connz?sort=foo", 400, TextPlain);
            var (json, err) = s.Monitor.Render(Monitor.ConnzPath, MonitorQuery.From(new Dictionary<string, string> { ["sort"] = "foo" }));
            json.ShouldBeNull();
            err.ShouldNotBeNull();
        });
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorHandleRoot")]
    public async Task MonitorHandleRoot()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var resp = await http.GetAsync(Url(s));
        ((int)resp.StatusCode).ShouldBe(200);
        var body = await resp.Content.ReadAsByteArrayAsync();
        body.ShouldAllBe(b => b <= 127);
        (resp.Content.Headers.ContentType?.ToString() ?? "").ShouldContain("text/html");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithNamedClient")]
    public async Task MonitorConnzWithNamedClient()
    {
        await using var s = RunMonitorServer();
        using var nc = ProtoClient.Login("127.0.0.1", s.Port, connectFields: ",\"name\":\"test-client\"");
        for (int mode = 0; mode < 2; mode++)
        {
            var c = await PollConnz(s, mode, "");
            c.GetProperty("connections").GetArrayLength().ShouldBe(1);
            c.GetProperty("connections")[0].GetProperty("name").GetString().ShouldBe("test-client");
        }
    }

    /// <summary>Go's pollSubsz: mode 0 over HTTP, mode 1 straight from the server's monitor.</summary>
    private static Task<JsonElement> PollSubsz(NatsServer s, int mode, string query) => Poll(s, mode, Monitor.SubszPath, query);

    private static async Task WithClients(NatsServer s, int count, Func<List<ProtoClient>, Task> body)
    {
        using var clients = new ProtoClients(Enumerable.Range(0, count).Select(_ => SubscribeAndPublish(s)));
        await body(clients);
    }

    private static List<JsonElement> Conns(JsonElement connz) => connz.GetProperty("connections").EnumerateArray().ToList();

    /// <summary>Go's sort checks: over HTTP and straight from the monitor (<paramref name="modes"/>, both by default),
    /// the connections of <paramref name="query"/> come in <paramref name="key"/> order (given the time of the poll),
    /// <paramref name="count"/> of them when given.</summary>
    private static async Task ExpectConnzOrder<T>(NatsServer s, string query, Func<JsonElement, DateTime, T> key, bool descending,
        string because, int? count = null, int[]? modes = null)
    {
        foreach (int mode in modes ?? [0, 1])
        {
            var conns = Conns(await PollConnz(s, mode, query));
            var now = DateTime.UtcNow;
            var keys = conns.Select(c => key(c, now)).ToList();
            if (count is { } n) keys.Count.ShouldBe(n);
            keys.ShouldBe(descending ? keys.OrderDescending().ToList() : keys.Order().ToList(), because);
        }
    }

    private static ulong Cid(JsonElement c, DateTime _) => c.GetProperty("cid").GetUInt64();

    /// <summary>The setup of Go's connz sort tests: a first client with one subscription (hello.world) more than the
    /// three connected after it.</summary>
    private static async Task WithBusierFirstClient(NatsServer s, Func<Task> body)
    {
        using var first = SubscribeAndPublish(s);
        first.SendAndFlush("SUB hello.world 2\r\n");
        await WithClients(s, 3, _ => body());
    }

    /// <summary>Go's descending-sort check: with <paramref name="sort"/>, the first of the four connections has the
    /// largest <paramref name="field"/>, in both modes.</summary>
    private static async Task ExpectFirstLargest(NatsServer s, string sort, string field)
    {
        for (int mode = 0; mode < 2; mode++)
        {
            var v = Conns(await PollConnz(s, mode, $"?sort={sort}")).Select(c => c.GetProperty(field).GetInt64()).ToList();
            v.Count.ShouldBe(4);
            v.Skip(1).ShouldAllBe(x => v[0] >= x, $"sort={sort}");
        }
    }

    /// <summary>Subscriptions on foo.0 … foo.(n-1), processed before this returns.</summary>
    private static void SubscribeFoos(ProtoClient c, int n)
    {
        c.Send(string.Concat(Enumerable.Range(0, n).Select(i => $"SUB foo.{i} {i + 10}\r\n")));
        c.Flush();
    }

    /// <summary>Go's subsz paging check: the counts and the page of subscription details, in both modes.</summary>
    private static async Task ExpectSubszPage(NatsServer s, string query, int total, int offset, int limit, int listed)
    {
        for (int mode = 0; mode < 2; mode++)
        {
            var sl = await PollSubsz(s, mode, query);
            sl.GetProperty("num_subscriptions").GetInt32().ShouldBe(total);
            sl.GetProperty("total").GetInt32().ShouldBe(total);
            sl.GetProperty("offset").GetInt32().ShouldBe(offset);
            sl.GetProperty("limit").GetInt32().ShouldBe(limit);
            sl.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(listed);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByCid")]
    public async Task MonitorConnzSortedByCid()
    {
        await using var s = RunMonitorServer();
        await WithClients(s, 4, _ => ExpectConnzOrder(s, "?sort=cid", Cid, descending: false, "ascending by cid", count: 4));
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByStart")]
    public async Task MonitorConnzSortedByStart()
    {
        await using var s = RunMonitorServer();
        await WithClients(s, 4, _ => ExpectConnzOrder(s, "?sort=start", (c, _) => Time(c, "start"), descending: false, "ascending by start", count: 4));
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedByBytesAndMsgs")]
    public async Task MonitorConnzSortedByBytesAndMsgs()
    {
        await using var s = RunMonitorServer();
        using var first = SubscribeAndPublish(s);
        for (int i = 0; i < 100; i++) first.Send("PUB foo 11\r\nHello World\r\n");
        first.Flush();
        await WithClients(s, 3, async _ =>
        {
            foreach (var (sort, field) in new[] { ("bytes_to", "out_bytes"), ("msgs_to", "out_msgs"), ("bytes_from", "in_bytes"), ("msgs_from", "in_msgs") })
                await ExpectFirstLargest(s, sort, field);
        });
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortedBySubs")]
    public async Task MonitorConnzSortedBySubs()
    {
        await using var s = RunMonitorServer();
        await WithBusierFirstClient(s, () => ExpectFirstLargest(s, "subs", "subscriptions"));
    }

    [Theory]
    [InlineData("stop"), GoTest("server/monitor_test.go", "TestMonitorConnzSortedByStopOnOpen")]
    [InlineData("reason"), GoTest("server/monitor_test.go", "TestMonitorConnzSortedByReasonOnOpen")]
    public async Task MonitorConnzSortedByClosedOnlyKeyOnOpen(string sort)
    {
        await using var s = RunMonitorServer();
        using var clients = new ProtoClients(Enumerable.Range(0, 4).Select(_ => ProtoClient.Login("127.0.0.1", s.Port)));
        var (json, err) = s.Monitor.Render(Monitor.ConnzPath, MonitorQuery.From(new Dictionary<string, string> { ["sort"] = sort }));
        json.ShouldBeNull();
        err.ShouldNotBeNull();
    }

    [Fact, GoTest("server/monitor_test.go", "TestSubsz")]
    public async Task Subsz()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        for (int mode = 0; mode < 2; mode++)
        {
            var sl = await PollSubsz(s, mode, "");
            sl.GetProperty("num_subscriptions").GetInt32().ShouldBe(0);
            sl.GetProperty("num_inserts").GetInt64().ShouldBe(1);
            sl.GetProperty("num_matches").GetInt64().ShouldBe(1);
            if (sl.TryGetProperty("subscriptions_list", out var subs))
                foreach (var sub in subs.EnumerateArray())
                    sub.GetProperty("account_tag").GetString().ShouldBe(sub.GetProperty("account").GetString());
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorSubszDetails")]
    public async Task MonitorSubszDetails()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        nc.Send("SUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\nPUB foo.bar 5\r\nHello\r\nPUB foo.baz 5\r\nHello\r\nPUB foo.foo 5\r\nHello\r\nPING\r\n");
        nc.ReadUntil("PONG\r\n");
        for (int mode = 0; mode < 2; mode++)
        {
            var sl = await PollSubsz(s, mode, "?subs=1");
            sl.GetProperty("num_subscriptions").GetInt32().ShouldBe(3);
            sl.GetProperty("total").GetInt32().ShouldBe(3);
            sl.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(3);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorSubszWithOffsetAndLimit")]
    public async Task MonitorSubszWithOffsetAndLimit()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        SubscribeFoos(nc, 200);
        await ExpectSubszPage(s, "?subs=1&offset=10&limit=100", total: 200, offset: 10, limit: 100, listed: 100);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorSubszTestPubSubject")]
    public async Task MonitorSubszTestPubSubject()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        nc.SendAndFlush("SUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\n");
        for (int mode = 0; mode < 2; mode++)
        {
            var sl = await PollSubsz(s, mode, "?subs=1&test=foo.foo");
            sl.GetProperty("total").GetInt32().ShouldBe(2);
            sl.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(2);
            sl = await PollSubsz(s, mode, "?subs=1&test=foo");
            (sl.TryGetProperty("subscriptions_list", out var none) ? none.GetArrayLength() : 0).ShouldBe(0);
        }
        string testUrl = Url(s) + "subsz?subs=1&";
        foreach (var t in new[] { "*", "foo.*", "foo.>", "foo..bar" })
            await ReadBody(testUrl + "test=" + Uri.EscapeDataString(t), 400, TextPlain);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorSubszMultiAccount")]
    public async Task MonitorSubszMultiAccount()
    {
        // Go's runMonitorServerWithAccounts: users a and b in accounts A and B, no system account.
        await using var s = InProcess.RunConf("listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nno_system_account: true\naccounts {\n  A { users [{user: a, password: a}] }\n  B { users [{user: b, password: b}] }\n}\n");
        using var clients = new ProtoClients();
        foreach (var user in new[] { "a", "b" })
        {
            var c = ProtoClient.Connect("127.0.0.1", s.Port);
            clients.Add(c);
            c.Send($"CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"{user}\"}}\r\nSUB _INBOX.x 1\r\nPUB _INBOX.x 5\r\nHello\r\n");
            c.ExpectMsgs(1);
            c.Send("UNSUB 1\r\nSUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\nPUB foo.bar 5\r\nHello\r\nPUB foo.baz 5\r\nHello\r\nPUB foo.foo 5\r\nHello\r\nPING\r\n");
            c.ReadUntil("PONG\r\n");
        }
        for (int mode = 0; mode < 2; mode++)
        {
            var sl = await PollSubsz(s, mode, "?subs=1");
            sl.GetProperty("num_subscriptions").GetInt32().ShouldBe(6);
            sl.GetProperty("total").GetInt32().ShouldBe(6);
            var subs = sl.GetProperty("subscriptions_list").EnumerateArray().ToList();
            subs.Count.ShouldBe(6);
            subs.ShouldAllBe(x => x.GetProperty("account").GetString() == "A" || x.GetProperty("account").GetString() == "B");

            sl = await PollSubsz(s, mode, "?subs=1&acc=A");
            sl.GetProperty("num_subscriptions").GetInt32().ShouldBe(3);
            sl.GetProperty("total").GetInt32().ShouldBe(3);
            subs = sl.GetProperty("subscriptions_list").EnumerateArray().ToList();
            subs.Count.ShouldBe(3);
            subs.ShouldAllBe(x => x.GetProperty("account").GetString() == "A");
        }
    }
}
