using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go's subsz paging, ids, request counters, accounts and health tests.</summary>
public sealed partial class ServerMonitorTests
{
    /// <summary>Go's poll helpers for any endpoint: mode 0 over HTTP, mode 1 through the server's monitor.</summary>
    private static async Task<JsonElement> Poll(NatsServer s, int mode, string path, string query = "")
    {
        if (mode == 0) return JsonDocument.Parse(await ReadBody($"http://127.0.0.1:{s.Monitor.Port}{path}{query}")).RootElement;
        return Render(s, path, query);
    }

    private static JsonElement Render(NatsServer s, string path, string query = "")
    {
        var q = System.Web.HttpUtility.ParseQueryString(query.TrimStart('?'));
        var d = q.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => q[k]!);
        var (json, err) = s.Monitor.Render(path, MonitorQuery.From(d));
        err.ShouldBeNull();
        return JsonDocument.Parse(json!).RootElement;
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorSubszOffsetOverflow")]
    public async Task MonitorSubszOffsetOverflow()
    {
        await using var s = RunMonitorServer();
        using var nc = SubscribeAndPublish(s);
        nc.SendAndFlush("SUB foo.* 2\r\nSUB foo.bar 3\r\nSUB foo.foo 4\r\n");
        for (int mode = 0; mode < 2; mode++)
        {
            var sl = await PollSubsz(s, mode, $"?subs=1&offset={long.MaxValue}&limit=1");
            (sl.TryGetProperty("subscriptions_list", out var list) ? list.GetArrayLength() : 0).ShouldBe(0);
        }
        Render(s, Monitor.SubszPath, $"?subs=1&offset={long.MaxValue}&limit={long.MaxValue}");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorSubszMultiAccountWithOffsetAndLimit")]
    public async Task MonitorSubszMultiAccountWithOffsetAndLimit()
    {
        await using var s = RunMonitorServer();
        using var ncA = SubscribeAndPublish(s, user: "a", pass: "a");
        SubscribeFoos(ncA, 200);
        using var ncB = SubscribeAndPublish(s, user: "b", pass: "b");
        SubscribeFoos(ncB, 200);
        await ExpectSubszPage(s, "?subs=1&offset=10&limit=100", total: 400, offset: 10, limit: 100, listed: 100);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorServerIDs")]
    public async Task MonitorServerIds()
    {
        await using var s = RunMonitorServer();
        for (int mode = 0; mode < 2; mode++)
        {
            string v = (await Poll(s, mode, Monitor.VarzPath)).GetProperty("server_id").GetString()!;
            string c = (await Poll(s, mode, Monitor.ConnzPath)).GetProperty("server_id").GetString()!;
            string r = (await Poll(s, mode, Monitor.RoutezPath)).GetProperty("server_id").GetString()!;
            v.ShouldNotBeNullOrEmpty();
            c.ShouldNotBeNullOrEmpty();
            r.ShouldNotBeNullOrEmpty();
            c.ShouldBe(v);
            r.ShouldBe(v);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorHttpStatsNoUpdatedWhenUsingServerFuncs")]
    public async Task MonitorHttpStatsNoUpdatedWhenUsingServerFuncs()
    {
        await using var s = RunMonitorServer();
        for (int i = 0; i < 10; i++)
        {
            Render(s, Monitor.VarzPath);
            Render(s, Monitor.ConnzPath);
            Render(s, Monitor.RoutezPath);
            Render(s, Monitor.SubszPath);
        }
        var v = Render(s, Monitor.VarzPath);
        foreach (var e in new[] { Monitor.VarzPath, Monitor.ConnzPath, Monitor.RoutezPath, Monitor.SubszPath })
        {
            ulong stats = v.TryGetProperty("http_req_stats", out var hs) && hs.TryGetProperty(e, out var n) ? n.GetUInt64() : 0;
            stats.ShouldBe(0UL, e);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorClusterEmptyWhenNotDefined")]
    public async Task MonitorClusterEmptyWhenNotDefined()
    {
        await using var s = RunMonitorServer();
        var v = JsonDocument.Parse(await ReadBody(Url(s) + "varz")).RootElement;
        // The cluster may be absent, or present and empty.
        if (v.TryGetProperty("cluster", out var c))
            c.EnumerateObject().Count().ShouldBe(0);
    }

    /// <summary>Go's RunServer(DefaultMonitorOptions()): the monitor server with the system account.</summary>
    private static NatsServer RunMonitorServerWithSystemAccount()
    {
        var o = MonitorOptions();
        o.NoSystemAccount = false;
        return InProcess.Run(o);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorAccountz")]
    public async Task MonitorAccountz()
    {
        await using var s = RunMonitorServerWithSystemAccount();
        for (int mode = 0; mode < 2; mode++)
        {
            var a = await Poll(s, mode, Monitor.AccountzPath);
            a.GetProperty("server_id").GetString().ShouldBe(s.ServerId);
            var accounts = a.GetProperty("accounts").EnumerateArray().Select(x => x.GetString()).ToList();
            accounts.Count.ShouldBe(2);
            accounts.ShouldBeSubsetOf(["$SYS", "$G"]);
            a.GetProperty("system_account").GetString().ShouldBe("$SYS");
        }
        for (int mode = 0; mode < 2; mode++)
        {
            var a = await Poll(s, mode, Monitor.AccountzPath, "?acc=$SYS");
            var acc = a.GetProperty("account_detail");
            acc.GetProperty("account_name").GetString().ShouldBe("$SYS");
            acc.GetProperty("name_tag").GetString().ShouldBe("$SYS");
            acc.GetProperty("is_system").GetBoolean().ShouldBeTrue();
            a.GetProperty("system_account").GetString().ShouldBe("$SYS");
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorAccountStatz")]
    public async Task MonitorAccountStatz()
    {
        await using var s = RunMonitorServerWithSystemAccount();
        for (int mode = 0; mode < 2; mode++)
        {
            var a = await Poll(s, mode, Monitor.AccountStatzPath, "?unused=1");
            a.GetProperty("server_id").GetString().ShouldBe(s.ServerId);
            var accounts = a.GetProperty("account_statz").EnumerateArray().ToList();
            accounts.Count.ShouldBe(2);
            foreach (var acc in accounts)
            {
                string name = acc.GetProperty("acc").GetString()!;
                name.ShouldBeOneOf("$G", "$SYS");
                acc.GetProperty("name").GetString().ShouldBe(name);
                acc.GetProperty("conns").GetInt32().ShouldBe(0);
            }
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzSortByRTT")]
    public async Task MonitorConnzSortByRtt()
    {
        await using var s = RunMonitorServer();
        using var clients = new ProtoClients();
        for (int i = 0; i < 10; i++)
        {
            clients.Add(ProtoClient.Login("127.0.0.1", s.Port, connectFields: ",\"lang\":\"go\""));
        }
        await ExpectConnzOrder(s, "?sort=rtt", (c, _) => GoDuration(c.GetProperty("rtt").GetString()!), descending: true, "descending by RTT",
            count: 10, modes: [1, 0]);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorAccountszMappingOrderReporting")]
    public async Task MonitorAccountszMappingOrderReporting()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            server_name: SR22
            accounts {
              CLOUD {
                exports [ { service: "downlink.>" } ]
              }
              CLOUD2 {
                exports [ { service: "downlink.>" } ]
              }
              APP {
                imports [
                  { service: { account: CLOUD, subject: "downlink.>"}, to: "event.>"}
                  { service: { account: CLOUD2, subject: "downlink.>"}, to: "event.>"}
                ]
              }
            }
            """);
        var az = Render(s, Monitor.AccountzPath, "?acc=APP");
        var imports = az.GetProperty("account_detail").GetProperty("imports").EnumerateArray().ToList();
        imports.Count.ShouldBeGreaterThan(0);
        var from = new HashSet<string>();
        // Go's ExtImport embeds jwt.Import: its fields sit on the entry itself.
        foreach (var imp in imports)
        {
            if (imp.GetProperty("subject").GetString() != "downlink.>") continue;
            imp.GetProperty("local_subject").GetString().ShouldBe("event.>");
            from.Add(imp.GetProperty("account").GetString()!);
        }
        from.ShouldBe(["CLOUD", "CLOUD2"], ignoreOrder: true);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorHealthzStatusOK")]
    public async Task MonitorHealthzStatusOk()
    {
        await using var s = RunMonitorServer();
        foreach (var q in new[] { "", "?js-enabled-only=true", "?js-server-only=true" })
        {
            var h = JsonDocument.Parse(await ReadBody(Url(s) + "healthz" + q)).RootElement;
            h.GetProperty("status").GetString().ShouldBe("ok", q);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorHealthzStatusError")]
    public async Task MonitorHealthzStatusError()
    {
        await using var s = RunMonitorServer();
        // Without its client listener the server is not ready for connections.
        var listener = s.Listener;
        s.Listener = null;
        try
        {
            foreach (var q in new[] { "", "?js-enabled-only=true", "?js-server-only=true" })
            {
                var h = JsonDocument.Parse(await ReadBody(Url(s) + "healthz" + q, 500)).RootElement;
                h.GetProperty("status").GetString().ShouldBe("error", q);
            }
        }
        finally
        {
            s.Listener = listener;
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorJszNonJszServer")]
    public async Task MonitorJszNonJszServer()
    {
        await using var srv = InProcess.Run(new ServerOptions());
        srv.ReadyForConnections(TimeSpan.FromSeconds(5)).ShouldBeNull("server did not become ready");

        var jsi = Render(srv, Monitor.JszPath);
        jsi.GetProperty("server_id").GetString().ShouldBe(srv.ServerId, "did not receive valid info");

        // Asked for the leader only, a server without JetStream has nothing to say.
        var (json, err) = srv.Monitor.Render(Monitor.JszPath, MonitorQuery.From(new Dictionary<string, string> { ["leader-only"] = "true" }));
        Monitor.IsSkip(err).ShouldBeTrue($"expected a skip z req error: {err}");
        json.ShouldBeNull("expected no jsi");
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorServerIDZRequest")]
    public async Task MonitorServerIdzRequest()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            server_name: TEST22
            # For access to system account.
            accounts { $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] } }
            """);
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"s3cr3t!\"}\r\nSUB _INBOX.idz 1\r\nPUB $SYS.REQ.SERVER.PING.IDZ _INBOX.idz 0\r\n\r\n");
        var msg = nc.ReadMsg(TimeSpan.FromSeconds(2));
        var sid = JsonDocument.Parse(msg.Payload).RootElement;
        sid.GetProperty("name").GetString().ShouldBe("TEST22");
        sid.GetProperty("id").GetString()!.ShouldStartWith("N");
    }
}
