using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of test/monitor_test.go: the monitoring port over HTTP against an in-process server.</summary>
public sealed class MonitorTests
{
    /// <summary>Go's runMonitorServer: the test options with monitoring on 127.0.0.1 and no system account.</summary>
    private static NatsServer RunMonitorServer() =>
        InProcess.Run(new ServerOptions { HttpHost = "127.0.0.1", HttpPort = ServerOptions.RandomPort, NoSystemAccount = true });

    private static NatsServer RunWithConfig(string content)
    {
        return InProcess.RunConf(content);
    }

    private static string Url(NatsServer s) => $"http://127.0.0.1:{s.Monitor.Port}/";

    private static async Task<JsonElement> Get(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var resp = await http.GetAsync(url);
        ((int)resp.StatusCode).ShouldBe(200);
        using var doc = JsonDocument.Parse(await resp.Content.ReadAsStringAsync());
        return doc.RootElement.Clone();
    }

    private static async Task<string> GetText(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        using var resp = await http.GetAsync(url);
        ((int)resp.StatusCode).ShouldBe(200);
        return await resp.Content.ReadAsStringAsync();
    }

    private static async Task ShouldRefuse(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync(url));
    }

    /// <summary>Go's createClientConnSubscribeAndPublish: SUB foo, PUB foo "hello", the message back.</summary>
    private static ProtoClient SubscribeAndPublish(NatsServer s)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Setup();
        c.Send("SUB foo 1\r\nPUB foo 5\r\nhello\r\n");
        c.ExpectMsgs(1);
        return c;
    }

    /// <summary>A port nothing listens on, found by binding and releasing it.</summary>
    private static int UnusedPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>The connz entry of a client that subscribed once and received its own 5-byte message.</summary>
    private static void CheckOneSubscriberThatGotItsMessage(JsonElement ci)
    {
        ci.GetProperty("cid").GetUInt64().ShouldNotBe(0ul);
        ci.GetProperty("ip").GetString().ShouldBe("127.0.0.1");
        ci.GetProperty("port").GetInt32().ShouldNotBe(0);
        ci.GetProperty("subscriptions").GetInt32().ShouldBe(1);
        ci.TryGetProperty("subscriptions_list", out _).ShouldBeFalse();
        ci.GetProperty("in_msgs").GetInt64().ShouldBe(1);
        ci.GetProperty("out_msgs").GetInt64().ShouldBe(1);
        ci.GetProperty("in_bytes").GetInt64().ShouldBe(5);
        ci.GetProperty("out_bytes").GetInt64().ShouldBe(5);
    }

    [Fact, GoTest("test/monitor_test.go", "TestNoMonitorPort")]
    public async Task NoMonitorPort()
    {
        int port = UnusedPort();
        await using var s = InProcess.Run(new ServerOptions { NoSystemAccount = true });
        s.Monitor.HttpRunning.ShouldBeFalse();
        string url = $"http://127.0.0.1:{port}/";
        await ShouldRefuse(url + "varz");
        await ShouldRefuse(url + "healthz");
        await ShouldRefuse(url + "connz");
    }

    [Fact, GoTest("test/monitor_test.go", "TestVarz")]
    public async Task Varz()
    {
        await using var s = RunMonitorServer();
        var v = await Get(Url(s) + "varz");
        (DateTime.UtcNow - v.GetProperty("start").GetDateTime().ToUniversalTime()).ShouldBeLessThan(TimeSpan.FromSeconds(10));

        using var cl = SubscribeAndPublish(s);
        string body = await GetText(Url(s) + "varz");
        body.ShouldNotContain("cluster_port");
        v = JsonDocument.Parse(body).RootElement;
        v.GetProperty("connections").GetInt32().ShouldBe(1);
        v.GetProperty("in_msgs").GetInt64().ShouldBe(1);
        v.GetProperty("out_msgs").GetInt64().ShouldBe(1);
        v.GetProperty("in_bytes").GetInt64().ShouldBe(5);
        v.GetProperty("out_bytes").GetInt64().ShouldBe(5);
        v.GetProperty("max_pending").GetInt64().ShouldBe(64L * 1024 * 1024);
        v.GetProperty("write_deadline").GetInt64().ShouldBe(10L * 1_000_000_000);
    }

    [Fact, GoTest("test/monitor_test.go", "TestConnz")]
    public async Task Connz()
    {
        await using var s = RunMonitorServer();
        var c = await Get(Url(s) + "connz");
        c.GetProperty("num_connections").GetInt32().ShouldBe(0);
        c.GetProperty("total").GetInt32().ShouldBe(0);
        c.GetProperty("connections").ValueKind.ShouldBe(JsonValueKind.Array);
        c.GetProperty("connections").GetArrayLength().ShouldBe(0);

        using var cl = SubscribeAndPublish(s);
        c = await Get(Url(s) + "connz");
        ConnzChecks.ExpectPage(c, connections: 1, total: 1);

        var ci = c.GetProperty("connections")[0];
        CheckOneSubscriberThatGotItsMessage(ci);
    }

    [Fact, GoTest("test/monitor_test.go", "TestTLSConnz")]
    public async Task TlsConnz()
    {
        // Go's test/configs/tls.conf with certificates the test makes, on free ports.
        using var pki = new TestPki();
        await using var s = RunWithConfig($"listen: 127.0.0.1:-1\nhttps: 127.0.0.1:-1\ntls {{\n  cert_file: \"{pki.ServerCertFile}\"\n  key_file: \"{pki.ServerKeyFile}\"\n  timeout: 2\n}}\nauthorization {{\n  user: derek\n  password: monkey\n  timeout: 1\n}}\n");
        s.Monitor.Secure.ShouldBeTrue();
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.UpgradeToTls(null, pki.Ca);
        nc.Send("CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"monkey\"}\r\nSUB foo 1\r\nPUB foo 5\r\nHello\r\n");
        nc.ExpectMsgs(1);

        var client = pki.Client("client", "CN=client");
        using var handler = new HttpClientHandler();
        handler.ClientCertificates.Add(client.Cert);
        handler.ServerCertificateCustomValidationCallback = (_, cert, chain, _) =>
        {
            chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(pki.Ca);
            chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            return chain.Build(cert!);
        };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        using var resp = await http.GetAsync($"https://127.0.0.1:{s.Monitor.Port}/connz");
        ((int)resp.StatusCode).ShouldBe(200);
        var c = JsonDocument.Parse(await resp.Content.ReadAsStringAsync()).RootElement;
        c.GetProperty("num_connections").GetInt32().ShouldBe(1);
        c.GetProperty("total").GetInt32().ShouldBe(1);
        c.GetProperty("connections").GetArrayLength().ShouldBe(1);
        var ci = c.GetProperty("connections")[0];
        CheckOneSubscriberThatGotItsMessage(ci);
        var start = ci.GetProperty("start").GetDateTime();
        start.ShouldNotBe(default);
        ci.GetProperty("uptime").GetString().ShouldNotBeNullOrEmpty();
        var last = ci.GetProperty("last_activity").GetDateTime();
        last.ShouldNotBe(default);
        last.ShouldBeGreaterThanOrEqualTo(start);
        ci.GetProperty("idle").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact, GoTest("test/monitor_test.go", "TestConnzWithSubs")]
    public async Task ConnzWithSubs()
    {
        await using var s = RunMonitorServer();
        using var cl = SubscribeAndPublish(s);
        var c = await Get(Url(s) + "connz?subs=1");
        var subs = c.GetProperty("connections")[0].GetProperty("subscriptions_list");
        subs.GetArrayLength().ShouldBe(1);
        subs[0].GetString().ShouldBe("foo");
    }

    [Fact, GoTest("test/monitor_test.go", "TestConnzWithAuth")]
    public async Task ConnzWithAuth()
    {
        // Go's test/configs/multi_user.conf, on free ports.
        await using var s = RunWithConfig("listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\n\nauthorization {\n    users = [\n      {user: alice, password: foo}\n      {user: bob,   password: bar}\n    ]\n}\n");
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false,\"user\":\"alice\",\"pass\":\"foo\"}\r\nSUB foo 1\r\nPUB foo 5\r\nHello\r\n");
        nc.ExpectMsgs(1);

        var c = await Get(Url(s) + "connz?auth=1");
        c.GetProperty("connections")[0].GetProperty("authorized_user").GetString().ShouldBe("alice");
    }

    [Fact, GoTest("test/monitor_test.go", "TestConnzWithAccounts")]
    public async Task ConnzWithAccounts()
    {
        // Go's test/configs/multi_accounts.conf, on free ports.
        await using var s = RunWithConfig("""
            listen: 127.0.0.1:-1
            http: 127.0.0.1:-1

            password = "s3cr3t!"

            accounts: {
               engineering: {
                  users = [
                    {user: alice, password: $password}
                    {user: bob,   password: $password}
                  ]
                }

                legal: {
                  users = [
                    {user: john,  password: $password}
                    {user: mary,  password: $password}
                  ]
                }

                finance: {
                  users = [
                    {user: peter, password: $password}
                    {user: paul,  password: $password}
                  ]
                }
            }

            no_sys_acc: true
            """);
        var utoa = new Dictionary<string, string>
        {
            ["alice"] = "engineering", ["bob"] = "engineering", ["john"] = "legal", ["mary"] = "legal",
            ["peter"] = "finance", ["paul"] = "finance",
        };
        s.Options.Users!.Count.ShouldBe(6);
        s.Options.Accounts.Count.ShouldBe(3);
        using var conns = new ProtoClients(utoa.Keys.Select(user => ProtoClient.Login("127.0.0.1", s.Port, user, "s3cr3t!")));

        async Task<JsonElement> GrabConnz(string args) => await Get(Url(s) + "connz?auth=1" + (args.Length > 0 ? "&" + args : ""));

        var c = await GrabConnz("");
        c.GetProperty("num_connections").GetInt32().ShouldBe(6);
        int i = 0;
        foreach (var ci in c.GetProperty("connections").EnumerateArray())
        {
            ci.GetProperty("cid").GetUInt64().ShouldBe((ulong)(++i));
            string user = ci.GetProperty("authorized_user").GetString()!;
            utoa.ShouldContainKey(user);
            ci.GetProperty("account").GetString().ShouldBe(utoa[user]);
        }

        async Task PullByAccount(string acc, string state)
        {
            var r = await GrabConnz($"acc={acc}&state={state}");
            r.GetProperty("num_connections").GetInt32().ShouldBe(2, $"{acc} {state}");
            foreach (var ci in r.GetProperty("connections").EnumerateArray()) ci.GetProperty("account").GetString().ShouldBe(acc);
        }

        async Task PullByUser(string user, string state)
        {
            var r = await GrabConnz($"user={user}&state={state}");
            r.GetProperty("num_connections").GetInt32().ShouldBe(1, $"{user} {state}");
            r.GetProperty("connections")[0].GetProperty("authorized_user").GetString().ShouldBe(user);
        }

        foreach (var acc in new[] { "engineering", "finance", "legal" }) await PullByAccount(acc, "open");
        foreach (var user in utoa.Keys) await PullByUser(user, "open");

        conns.Dispose();
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(1), 10)).ShouldBeTrue();

        foreach (var acc in new[] { "engineering", "finance", "legal" }) await PullByAccount(acc, "closed");
        foreach (var user in utoa.Keys) await PullByUser(user, "closed");
    }

    [Fact, GoTest("test/monitor_test.go", "TestConnzWithOffsetAndLimit")]
    public async Task ConnzWithOffsetAndLimit()
    {
        await using var s = RunMonitorServer();
        using var cl1 = SubscribeAndPublish(s);
        using var cl2 = SubscribeAndPublish(s);
        var c = await Get(Url(s) + "connz?offset=1&limit=1");
        c.GetProperty("limit").GetInt32().ShouldBe(1);
        c.GetProperty("offset").GetInt32().ShouldBe(1);
        c.GetProperty("connections").GetArrayLength().ShouldBe(1);
    }

    [Fact, GoTest("test/monitor_test.go", "TestSubsz")]
    public async Task Subsz()
    {
        await using var s = RunMonitorServer();
        using var cl = SubscribeAndPublish(s);
        var su = await Get(Url(s) + "subscriptionsz");
        su.GetProperty("num_subscriptions").GetInt32().ShouldBe(1);
    }

    [Fact, GoTest("test/monitor_test.go", "TestHTTPHost")]
    public async Task HttpHost()
    {
        await using var s = RunMonitorServer();
        // A non-loopback IPv4 address of this machine: the monitor listens on 127.0.0.1 only.
        var ip = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        ip.ShouldNotBeNull("Could not find non-loopback IPV4 address");
        await ShouldRefuse($"http://{ip}:{s.Monitor.Port}/varz");
    }

    [Fact, GoTest("test/monitor_test.go", "TestMonitorNoTLSConfig")]
    public async Task MonitorNoTlsConfig()
    {
        var o = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, HttpHost = "127.0.0.1", HttpsPort = ServerOptions.RandomPort, NoLog = true };
        await using var s = new NatsServer(o);
        s.StartMonitoring()!.ShouldContain("TLS");
        // Start reports the same error as fatal.
        Should.Throw<InvalidOperationException>(() => s.Start()).Message.ShouldContain("TLS");
    }

    [Fact, GoTest("test/monitor_test.go", "TestMonitorErrorOnListen")]
    public async Task MonitorErrorOnListen()
    {
        await using var s = RunMonitorServer();
        var o = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, HttpHost = "127.0.0.1", HttpPort = s.Monitor.Port, NoLog = true };
        await using var s2 = new NatsServer(o);
        s2.StartMonitoring()!.ShouldContain("listen");
    }

    [Fact, GoTest("test/monitor_test.go", "TestMonitorBothPortsConfigured")]
    public async Task MonitorBothPortsConfigured()
    {
        var o = new ServerOptions
        {
            Host = "127.0.0.1", Port = ServerOptions.RandomPort, HttpHost = "127.0.0.1", HttpPort = UnusedPort(), NoLog = true,
        };
        o.HttpsPort = o.HttpPort + 1;
        await using var s = new NatsServer(o);
        s.StartMonitoring()!.ShouldContain("specify both");
    }

    [Fact, GoTest("test/monitor_test.go", "TestMonitorStop")]
    public async Task MonitorStop()
    {
        var o = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, HttpHost = "127.0.0.1", HttpPort = ServerOptions.RandomPort, NoLog = true };
        // Only the monitoring port is started, not the server.
        var s = new NatsServer(o);
        s.StartMonitoring().ShouldBeNull();
        string url = $"http://127.0.0.1:{s.Monitor.Port}/";
        (await GetText(url + "varz")).ShouldNotBeEmpty();
        // Shutdown stops the monitoring port even though the server never started.
        await s.ShutdownAsync();
        await ShouldRefuse(url + "varz");
    }
}
