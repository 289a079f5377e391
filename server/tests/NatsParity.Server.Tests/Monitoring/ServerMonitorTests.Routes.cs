using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Tests.Cluster;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go's route and cluster endpoints.</summary>
public sealed partial class ServerMonitorTests
{
    private static ServerOptions ClusterMonitorOptions(string name)
    {
        var o = MonitorOptions();
        o.Cluster.Name = name;
        o.Cluster.Host = "127.0.0.1";
        o.Cluster.Port = ServerOptions.RandomPort;
        return o;
    }

    private static JsonElement[] Routes(JsonElement rz) => [.. rz.GetProperty("routes").EnumerateArray()];

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzWithRoutes")]
    public async Task MonitorConnzWithRoutes()
    {
        var opts = ClusterMonitorOptions("A");
        opts.ServerName = "";
        await using var s = InProcess.Run(opts);
        var o2 = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, NoSystemAccount = true };
        o2.Cluster.Name = "A";
        o2.Cluster.Host = "127.0.0.1";
        o2.Cluster.Port = ServerOptions.RandomPort;
        o2.Routes = [new Uri($"nats-route://127.0.0.1:{s.ClusterPort}")];
        var start = DateTime.UtcNow;
        await using var sc = InProcess.Run(o2);
        ServerRoutesTests.CheckClusterFormedPooled(s, sc);

        for (int mode = 0; mode < 2; mode++)
        {
            // Routes are not connections: connz has none, routez has them.
            var c = await PollConnz(s, mode, "");
            c.GetProperty("num_connections").GetInt32().ShouldBe(0);
            c.GetProperty("connections").GetArrayLength().ShouldBe(0);
        }

        using var nc = SubscribeAndPublish(sc);
        nc.SendAndFlush("SUB hello.bar 2\r\n");
        ClusterTestSupport.CheckFor(TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(10), () =>
            s.NumSubscriptions() == 1 && sc.NumSubscriptions() == 1 ? null : $"subscriptions {s.NumSubscriptions()} and {sc.NumSubscriptions()}, expected 1");

        string[] suffixes = ["", "?subs=1", "?subs=detail"];
        for (int subs = 0; subs < suffixes.Length; subs++)
        {
            for (int mode = 0; mode < 2; mode++)
            {
                var rz = await Poll(s, mode, Monitor.RoutezPath, suffixes[subs]);
                rz.GetProperty("num_routes").GetInt32().ShouldBe(ClusterOptions.DefaultPoolSize);
                var routes = Routes(rz);
                routes.Length.ShouldBe(ClusterOptions.DefaultPoolSize);
                var route = routes[0];
                route.GetProperty("did_solicit").GetBoolean().ShouldBeFalse("Expected unsolicited route");
                var rstart = route.GetProperty("start").GetDateTime();
                rstart.ShouldBeGreaterThanOrEqualTo(start.AddMilliseconds(-1), "Unexpected start time");
                route.GetProperty("last_activity").GetDateTime().ShouldNotBe(default);
                route.GetProperty("uptime").GetString().ShouldNotBeNullOrEmpty();
                route.GetProperty("idle").GetString().ShouldNotBeNullOrEmpty();
                int nSubs = route.TryGetProperty("subscriptions_list", out var sl) ? sl.GetArrayLength() : 0;
                int nDetail = route.TryGetProperty("subscriptions_list_detail", out var sd) ? sd.GetArrayLength() : 0;
                if (subs == 0) nSubs.ShouldBe(0, "There should not be subs");
                else if (subs == 1 && nSubs != 1 && nDetail != 0) Assert.Fail($"There should be 1 sub, got {nSubs}");
                else if (subs == 2 && nDetail != 1 && nSubs != 0) Assert.Fail($"There should be 1 sub, got {nDetail}");
            }
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorRoutezWithBadParams")]
    public async Task MonitorRoutezWithBadParams()
    {
        await using var s = RunMonitorServer();
        await ReadBody($"{Url(s)}routez?subs=xxx", 400, TextPlain);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorCluster")]
    public async Task MonitorCluster()
    {
        var opts = MonitorOptions();
        opts.Cluster.Name = "A";
        opts.Cluster.Port = ServerOptions.RandomPort;
        opts.Cluster.AuthTimeout = 1;
        opts.Routes = [new Uri("nats://127.0.0.1:1234")];
        await using var s = InProcess.Run(opts);
        var c = s.Options.Cluster;
        string expected = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = "A", ["addr"] = c.Host, ["cluster_port"] = c.Port, ["auth_timeout"] = 1.0, ["urls"] = new[] { "127.0.0.1:1234" },
            ["tls_timeout"] = c.TlsTimeout, ["pool_size"] = ClusterOptions.DefaultPoolSize,
        });
        for (int mode = 0; mode < 2; mode++)
        {
            for (int again = 0; again < 2; again++)
            {
                // Each read is its own copy: the second equals the first.
                var v = await Poll(s, mode, Monitor.VarzPath);
                var cluster = v.GetProperty("cluster");
                var got = JsonSerializer.Serialize(cluster.EnumerateObject().ToDictionary(p => p.Name, p => (object)p.Value));
                got.ShouldBe(expected, $"mode={mode}");
            }
        }
    }

    private const string RoutezPoolConf = """
        port: -1
        http: -1
        cluster {
            port: -1
            name: "local"
            %ROUTES%
            pool_size: 5
        }
        no_sys_acc: true
        """;

    [Fact, GoTest("server/monitor_test.go", "TestMonitorRoutezPoolSize")]
    public async Task MonitorRoutezPoolSize()
    {
        await using var s1 = InProcess.RunConf(RoutezPoolConf.Replace("%ROUTES%", ""));
        string conf23 = RoutezPoolConf.Replace("%ROUTES%", $"routes: [\"nats://127.0.0.1:{s1.ClusterPort}\"]");
        await using var s2 = InProcess.RunConf(conf23);
        await using var s3 = InProcess.RunConf(conf23);
        ServerRoutesTests.CheckClusterFormedPooled(s1, s2, s3);

        NatsServer[] all = [s1, s2, s3];
        for (int i = 0; i < all.Length; i++)
        {
            var s = all[i];
            for (int mode = 0; mode < 2; mode++)
            {
                var v = await Poll(s, mode, Monitor.VarzPath);
                v.GetProperty("cluster").GetProperty("pool_size").GetInt32().ShouldBe(5);
                v.GetProperty("remotes").GetInt32().ShouldBe(2);
                v.GetProperty("routes").GetInt32().ShouldBe(10);
            }
            for (int mode = 0; mode < 2; mode++)
            {
                var rz = await Poll(s, mode, Monitor.RoutezPath);
                rz.GetProperty("num_routes").GetInt32().ShouldBe(10);
                var routes = Routes(rz);
                routes.Length.ShouldBe(10);
                var remotes = routes.GroupBy(r => r.GetProperty("remote_id").GetString()!).ToDictionary(g => g.Key, g => g.Count());
                remotes.Count.ShouldBe(2);
                foreach (var other in all.Where(x => !ReferenceEquals(x, s)))
                    remotes[other.ServerId].ShouldBe(5, $"routes from S{i + 1} to another server");
            }
        }
    }

    private const string RoutezPerAccountConf = """
        port: -1
        http: -1
        accounts {
            A { users: [{user: "a", password: "pwd"}] }
        }
        cluster {
            port: -1
            name: "local"
            %ROUTES%
            accounts: ["A"]
        }
        """;

    [Fact, GoTest("server/monitor_test.go", "TestMonitorRoutezPerAccount")]
    public async Task MonitorRoutezPerAccount()
    {
        await using var s1 = InProcess.RunConf(RoutezPerAccountConf.Replace("%ROUTES%", ""));
        string conf23 = RoutezPerAccountConf.Replace("%ROUTES%", $"routes: [\"nats://127.0.0.1:{s1.ClusterPort}\"]");
        await using var s2 = InProcess.RunConf(conf23);
        await using var s3 = InProcess.RunConf(conf23);
        ServerRoutesTests.CheckClusterFormedPooled(s1, s2, s3);

        // The default pool, account A's route and the system account's, to each of two servers.
        int enr = 2 * (ClusterOptions.DefaultPoolSize + 1 + 1);
        foreach (var s in new[] { s1, s2, s3 })
        {
            for (int mode = 0; mode < 2; mode++)
            {
                var v = await Poll(s, mode, Monitor.VarzPath);
                v.GetProperty("remotes").GetInt32().ShouldBe(2);
                v.GetProperty("routes").GetInt32().ShouldBe(enr);
            }
            for (int mode = 0; mode < 2; mode++)
            {
                var rz = await Poll(s, mode, Monitor.RoutezPath);
                rz.GetProperty("num_routes").GetInt32().ShouldBe(enr);
                var routes = Routes(rz);
                routes.Length.ShouldBe(enr);
                var remotes = new Dictionary<string, int>();
                foreach (var r in routes)
                {
                    string id = r.GetProperty("remote_id").GetString()!;
                    int acc = r.TryGetProperty("account", out var a) && a.GetString() == "A" ? 1 : 0;
                    remotes[id] = remotes.GetValueOrDefault(id) + acc;
                }
                remotes.Count.ShouldBe(2);
                foreach (var (id, n) in remotes) n.ShouldBe(1, $"one and only one connection for account A for remote {id}");
            }
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorRoutezRTT")]
    public async Task MonitorRoutezRtt()
    {
        static ServerOptions Default()
        {
            // Go's DefaultOptions: no server name (two servers of one name refuse each other's routes).
            var o = MonitorOptions();
            o.ServerName = "";
            o.NoSystemAccount = false;
            o.Cluster.Name = "abc";
            o.Cluster.Host = "127.0.0.1";
            o.Cluster.Port = ServerOptions.RandomPort;
            return o;
        }
        await using var sb = InProcess.Run(Default());
        var oa = Default();
        oa.Routes = [new Uri($"nats://127.0.0.1:{sb.ClusterPort}")];
        await using var sa = InProcess.Run(oa);
        ServerRoutesTests.CheckClusterFormedPooled(sa, sb);

        foreach (var s in new[] { sa, sb })
        {
            for (int mode = 0; mode < 2; mode++)
            {
                // Within two first-PING intervals, every route (the pool and the system account's) has an RTT.
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
                string? err;
                while (true)
                {
                    var routes = Routes(await Poll(s, mode, Monitor.RoutezPath));
                    err = routes.Length != ClusterOptions.DefaultPoolSize + 1 ? $"Expected {ClusterOptions.DefaultPoolSize + 1} route, got {routes.Length}"
                        : routes.Any(r => string.IsNullOrEmpty(r.TryGetProperty("rtt", out var rtt) ? rtt.GetString() : null)) ? "Route's RTT not reported" : null;
                    if (err is null || DateTime.UtcNow > deadline) break;
                    await Task.Delay(15);
                }
                err.ShouldBeNull();
            }
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorClusterURLs")]
    public async Task MonitorClusterUrls()
    {
        var o2 = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort };
        o2.Cluster.Host = "127.0.0.1";
        o2.Cluster.Port = ServerOptions.RandomPort;
        o2.Cluster.Name = "A";
        await using var s2 = InProcess.Run(o2);
        string s2ClusterHostPort = $"127.0.0.1:{s2.ClusterPort}";
        const string template = """
            port: -1
            http: -1
            cluster: {
                name: "A"
                port: -1
                routes [
                    %1
                    %2
                ]
            }
            """;
        string Conf(string r1, string r2) => template.Replace("%1", r1).Replace("%2", r2);
        await using var s1 = InProcess.RunConf(Conf("nats://" + s2ClusterHostPort, ""), out string conf);
        ServerRoutesTests.CheckClusterFormedPooled(s1, s2);

        async Task<string[]> Urls(int mode) =>
            (await Poll(s1, mode, Monitor.VarzPath)).GetProperty("cluster") is var c && c.TryGetProperty("urls", out var u)
                ? [.. u.EnumerateArray().Select(x => x.GetString()!)] : [];
        for (int mode = 0; mode < 2; mode++)
            (await Urls(mode)).ShouldBe([s2ClusterHostPort], $"mode={mode}");

        const string other = "127.0.0.1:1234";
        File.WriteAllText(conf, Conf("nats://" + s2ClusterHostPort, "nats://" + other));
        s1.Reload().ShouldBeNull();
        ServerRoutesTests.CheckClusterFormedPooled(s1, s2);
        for (int mode = 0; mode < 2; mode++)
            (await Urls(mode)).Order().ShouldBe(new[] { s2ClusterHostPort, other }.Order(), $"mode={mode}");

        File.WriteAllText(conf, Conf("", ""));
        s1.Reload().ShouldBeNull();
        for (int mode = 0; mode < 2; mode++)
            (await Urls(mode)).ShouldBeEmpty($"mode={mode}");
    }
}
