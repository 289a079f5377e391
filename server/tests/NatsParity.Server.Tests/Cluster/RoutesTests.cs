using System.Text.RegularExpressions;
using NatsParity.Testing;
using Xunit;
using static NatsParity.Server.Tests.Cluster.RouteWire;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of test/routes_test.go: a raw route connection to (or from) a server configured like Go's
/// test/configs/cluster.conf, on both targets.</summary>
public sealed class RoutesTests
{
    private static readonly TimeSpan RouteConnect = TimeSpan.FromSeconds(1); // Go's DEFAULT_ROUTE_CONNECT

    private static readonly Regex RmsgWithPayload = new(@"RMSG ([^\r\n]+)\r\n([^\r\n]*)\r\n", RegexOptions.CultureInvariant);

    /// <summary>The routed messages in <paramref name="text"/>, in order.</summary>
    private static List<RmsgFrame> ParseRmsgs(string text) =>
        [.. RmsgWithPayload.Matches(text).Select(m =>
        {
            var t = m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new RmsgFrame(t[0], t[1], string.Join(' ', t[2..^1]), int.Parse(t[^1], System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value);
        })];

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouterListeningSocket")]
    public async Task RouterListeningSocket(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var c = CreateRouteConn(s.ClusterPort);
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestSendRouteInfoOnConnect")]
    public async Task SendRouteInfoOnConnect(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var rc = CreateRouteConn(s.ClusterPort);
        SetupRouteEx(rc, "RouteID");
        var info = ParseInfo(Expect(rc, InfoRe));
        Assert.True(info.GetProperty("auth_required").GetBoolean(), "Expected to see AuthRequired");
        Assert.Equal(s.ClusterPort, info.GetProperty("port").GetInt32());

        rc.Send(InfoAs(info, "RouteID"));
        rc.Send("PING\r\n");
        Expect(rc, PongRe);
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteToSelf")]
    public async Task RouteToSelf(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target, extraArgs: "-DV");
        using var rc = CreateRouteConn(s.ClusterPort);
        var m = Expect(rc, InfoRe);
        var info = ParseInfo(m);
        string selfId = info.GetProperty("server_id").GetString()!;
        SetupRouteEx(rc, selfId);
        Assert.True(info.GetProperty("auth_required").GetBoolean(), "Expected to see AuthRequired");
        Assert.Equal(s.ClusterPort, info.GetProperty("port").GetInt32());

        // The server's own INFO sent back: a route to itself, which it closes.
        rc.Send(m.Value);
        rc.Send("PING\r\n");
        rc.ExpectClosed(TimeSpan.FromSeconds(2));
        Assert.DoesNotContain("top_secret", s.Proc.Log);
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestSendRouteSubAndUnsub")]
    public async Task SendRouteSubAndUnsub(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port).Setup();

        using var rc = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(rc);
        SetupRouteEx(rc, "ROUTER:xyz");
        rc.Send("INFO {\"server_id\":\"ROUTER:xyz\"}\r\n");
        rc.Send("PING\r\n");
        Expect(rc, PongRe);

        c.Send("SUB foo 22\r\n");
        var sub = Expect(rc, RsubRe);
        Assert.Equal("$G", sub.Groups[1].Value);
        Assert.Equal("foo", sub.Groups[2].Value);

        c.Send("UNSUB 22\r\n");
        var unsub = Expect(rc, RunsubRe);
        Assert.Equal("foo", unsub.Groups[2].Value);
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestSendRouteSolicit")]
    public async Task SendRouteSolicit(ServerTarget target)
    {
        var l = Listen();
        try
        {
            await using var s = RouteTestServer.Run(target, routePorts: [Port(l), NatsServerProcess.FreePort()]);
            using var conn = AcceptRouteConn(l, 2 * RouteConnect);
            // Credentials make the server send CONNECT at once, then its INFO.
            Expect(conn, ConnectRe);
            Expect(conn, InfoRe);
        }
        finally
        {
            l.Stop();
        }
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteForwardsMsgFromClients")]
    public async Task RouteForwardsMsgFromClients(ServerTarget target)
    {
        var l = Listen();
        try
        {
            await using var s = RouteTestServer.Run(target, routePorts: [Port(l), NatsServerProcess.FreePort()]);
            using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
            using var route = AcceptRouteConn(l, 2 * RouteConnect);
            SetupRoute(route);
            Expect(route, ConnectRe);
            Expect(route, InfoRe);

            route.Send("RS+ $G foo\r\nPING\r\n");
            Expect(route, PongRe);

            client.Send("PUB foo 2\r\nok\r\nPING\r\n");
            client.ExpectLine(ProtoRegex.Pong);

            ExpectRmsg(route).Check("$G", "foo", "", 2, "ok");
        }
        finally
        {
            l.Stop();
        }
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteForwardsMsgToClients")]
    public async Task RouteForwardsMsgToClients(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        using var route = ConnectRoute(s);

        client.Send("SUB foo 1\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);

        route.Send("RMSG $G foo 2\r\nok\r\n");
        client.ExpectMsgs(1)[0].Check("foo", "1", "", 2, "ok");
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteOneHopSemantics")]
    public async Task RouteOneHopSemantics(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var route = ConnectRoute(s);

        route.Send("RS+ $G foo\r\n");
        route.Send("RMSG foo 2\r\nok\r\n");
        // Nothing comes back to the route it came from.
        route.ExpectNothing();
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteOnlySendOnce")]
    public async Task RouteOnlySendOnce(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        using var route = ConnectRoute(s);

        route.Send("RS+ $G foo\r\n");
        route.Send("RS+ $G foo\r\n");
        PingPong(route);

        client.Send("PUB foo 2\r\nok\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);

        Assert.Single(ParseRmsgs(PingPong(route)));
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteQueueSemantics")]
    public async Task RouteQueueSemantics(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        using var route = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(route);
        SetupRouteEx(route, "ROUTER:xyz");
        route.Send("INFO {\"server_id\":\"ROUTER:xyz\"}\r\n");

        // Two members of queue group bar on the route.
        route.Send("RS+ $G foo bar 1\r\n");
        route.Send("RS+ $G foo bar 2\r\n");
        PingPong(route);

        client.Send("PUB foo 2\r\nok\r\n");
        client.Flush();
        var msgs = ParseRmsgs(PingPong(route));
        Assert.Single(msgs);
        msgs[0].Check("$G", "foo", "| bar", 2, "ok");

        // A plain interest as well: still one message, which carries the queue.
        route.Send("RS+ $G foo\r\n");
        PingPong(route);
        client.Send("PUB foo 2\r\nok\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);
        msgs = ParseRmsgs(PingPong(route));
        Assert.Single(msgs);
        msgs[0].Check("$G", "foo", "| bar", 2, "ok");

        // A plain and a queue subscription on the client, each announced to the route.
        client.Send("SUB foo 1\r\n");
        client.Flush();
        Expect(route, RsubRe);
        client.Send("SUB foo bar 2\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);
        Expect(route, RsubRe);

        // A routed message for plain subscribers and queue bar reaches both.
        route.Send("RMSG $G foo | bar 2\r\nok\r\n");
        PingPong(route);
        var got = client.ExpectMsgs(2);
        got[0].Check("foo", null, "", 2, "ok");
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestSolicitRouteReconnect")]
    public async Task SolicitRouteReconnect(ServerTarget target)
    {
        var l = Listen();
        try
        {
            await using var s = RouteTestServer.Run(target, routePorts: [Port(l), NatsServerProcess.FreePort()], extraArgs: "-DV");
            var route = AcceptRouteConn(l, 2 * RouteConnect);
            route.Dispose();
            // The server solicits the explicit route again.
            route = AcceptRouteConn(l, 2 * RouteConnect);
            route.Dispose();
            Assert.DoesNotContain(":bar", s.Proc.Log);
        }
        finally
        {
            l.Stop();
        }
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestMultipleRoutesSameId")]
    public async Task MultipleRoutesSameId(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var route1 = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(route1);
        SetupRouteEx(route1, "ROUTE:2222");
        using var route2 = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(route2);
        SetupRouteEx(route2, "ROUTE:2222");

        route1.Send("RS+ $G foo\r\nPING\r\n");
        route2.Send("RS+ $G foo\r\nPING\r\n");
        Expect(route1, PongRe);
        Expect(route2, PongRe);

        // A routed message is not sent on to any route.
        route1.Send("RMSG $G foo 2\r\nok\r\n");
        route1.ExpectNothing();
        route2.ExpectNothing();

        using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        client.Send("PUB foo 2\r\nok\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);

        // Both connections claim the same remote server: it gets the message once.
        var window = TimeSpan.FromMilliseconds(100);
        var msgs = ParseRmsgs(route1.Drain(window, window));
        if (msgs.Count == 0) msgs = ParseRmsgs(route2.Drain(window, window));
        Assert.True(msgs.Count == 1, $"Expected 1 msg, got {msgs.Count}");
        msgs[0].Check("$G", "foo", "", 2, "ok");
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteResendsLocalSubsOnReconnect")]
    public async Task RouteResendsLocalSubsOnReconnect(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        client.Send("SUB foo 1\r\n");
        client.Flush();

        var route = CreateRouteConn(s.ClusterPort);
        SetupRouteEx(route, "ROUTE:1234");
        Thread.Sleep(50);
        var info = ParseInfo(Expect(route, InfoRe));
        string infoJson = InfoAs(info, "ROUTE:1234");

        // Our INFO makes the server send its local subscriptions.
        route.Send(infoJson);
        Expect(route, RsubRe);

        route.Dispose();
        ClusterTestSupport.CheckFor(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50),
            () => s.NumRoutes() is var n && n == 0 ? null : $"Expected 0 routes, got {n}");

        using var route2 = CreateRouteConn(s.ClusterPort);
        SetupRouteEx(route2, "ROUTE:1234");
        Expect(route2, InfoRe);
        route2.Send(infoJson);
        Expect(route2, RsubRe);
    }

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRoutesOnlyImportOrExport")]
    public async Task RoutesOnlyImportOrExport(ServerTarget target)
    {
        string[] contents =
        [
            "import: \"foo\"",
            "import: {\n allow: \"foo\"\n}",
            "import: {\n deny: \"foo\"\n}",
            "import: {\n allow: \"foo\"\n deny: \"foo\"\n}",
            "export: \"foo\"",
            "export: {\n allow: \"foo\"\n}",
            "export: {\n deny: \"foo\"\n}",
            "export: {\n allow: \"foo\"\n deny: \"foo\"\n}",
        ];
        foreach (var c in contents)
        {
            var config = new ServerConfig
            {
                Extra = $$"""
                    cluster {
                      name: "Z"
                      port: -1
                      authorization {
                        user: ivan
                        password: pwd
                        permissions {
                          {{c}}
                        }
                      }
                    }
                    """,
            };
            // The server starts with only one direction of route permissions.
            await using var s = NatsServerProcess.Start(target, config);
        }
    }

    /// <summary>Go's expectNothing on a client, ignoring the PING a server sends a client soon after it connects
    /// (Go's test turns that first PING off with an option no conf file has).</summary>
    private static void ExpectNothingButPings(ProtoClient c)
    {
        var window = TimeSpan.FromMilliseconds(100);
        string got = c.Drain(window, window).Replace("PING\r\n", "", StringComparison.Ordinal);
        Assert.True(got.Length == 0, $"Expected nothing, received: {ProtoClient.Escape(got)}");
    }

    /// <summary>Go's getPongAlone: the PONG to the first PING comes before, not with, the INFO that follows it.</summary>
    private static void GetPongAlone(ProtoClient c) => c.Expect("PONG\r\n");

    private static string[] ConnectUrls(System.Text.Json.JsonElement info) =>
        info.TryGetProperty("connect_urls", out var u) && u.ValueKind == System.Text.Json.JsonValueKind.Array
            ? [.. u.EnumerateArray().Select(e => e.GetString()!)]
            : [];

    private static void CheckClientConnectUrls(string[] urls, string[] expected) =>
        Assert.True(urls.Length == expected.Length && urls.All(expected.Contains),
            $"Expected ClientConnectURLs to be [{string.Join(", ", expected)}], got [{string.Join(", ", urls)}]");

    [Theory, TargetData, GoTest("test/routes_test.go", "TestRouteSendAsyncINFOToClients", Since = "2.12")]
    public async Task RouteSendAsyncInfoToClients(ServerTarget target)
    {
        Assert.SkipWhen(target == ServerTarget.Reference,
            "the INFO with connect_info after a client's first PONG came in Go 2.12; 2.9.10 sends one only after a cluster change");
        await SendAsyncInfo(target, noAdvertise: false);
        await SendAsyncInfo(target, noAdvertise: true);
    }

    private static async Task SendAsyncInfo(ServerTarget target, bool noAdvertise)
    {
        int clientPort = NatsServerProcess.FreePort();
        await using var s = RouteTestServer.Run(target, noAdvertise, clientPort);
        string clientUrl = $"127.0.0.1:{clientPort}";

        using var oldClient = ProtoClient.Connect("127.0.0.1", clientPort).Setup();
        oldClient.Flush();

        using var newClient = ProtoClient.Connect("127.0.0.1", clientPort);
        newClient.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"protocol\":1}\r\n");
        newClient.Send("PING\r\n");
        GetPongAlone(newClient);
        // A client of protocol 1 gets an INFO after its first PONG.
        Expect(newClient, InfoRe);

        string routeId = "Server-B";
        ProtoClient CreateRoute()
        {
            var rc = CreateRouteConn(s.ClusterPort);
            SetupRouteEx(rc, routeId);
            var info = ParseInfo(Expect(rc, InfoRe));
            var urls = ConnectUrls(info);
            if (noAdvertise)
                Assert.True(urls.Length == 0, $"Expected ClientConnectURLs to be empty, got [{string.Join(", ", urls)}]");
            else
            {
                Assert.True(urls.Length > 0, "Expected a list of URLs, got none");
                Assert.Equal(clientUrl, urls[0]);
            }
            return rc;
        }

        void SendRouteInfo(ProtoClient rc, string[] urls)
        {
            string list = string.Join(",", urls.Select(u => $"\"{u}\""));
            rc.Send($"INFO {{\"server_id\":\"{routeId}\",\"server_name\":\"\",\"version\":\"\",\"proto\":0,\"go\":\"\",\"host\":\"127.0.0.1\",\"port\":5222,\"headers\":false,\"max_payload\":0,\"cluster\":\"xyz\",\"connect_urls\":[{list}]}}\r\n");
            rc.Send("PING\r\n");
            Expect(rc, PongRe);
        }

        bool checkConnectInfo = false;
        void CheckInfoReceived(ProtoClient client, string[] expectedUrls)
        {
            if (noAdvertise)
            {
                if (!checkConnectInfo)
                {
                    ExpectNothingButPings(client);
                    return;
                }
                // Not advertised, yet the INFO after CONNECT still comes, without URLs.
                expectedUrls = [];
            }
            var info = ParseInfo(Expect(client, InfoRe));
            CheckClientConnectUrls(ConnectUrls(info), expectedUrls);
            if (checkConnectInfo)
            {
                Assert.True(info.TryGetProperty("connect_info", out var ci) && ci.GetBoolean(), "ConnectInfo should have been true");
                Assert.Equal("$G", info.TryGetProperty("remote_account", out var ra) ? ra.GetString() : null);
                Assert.False(info.TryGetProperty("acc_is_sys", out var sys) && sys.GetBoolean(), "IsSystemAccount should have been false");
            }
        }

        var rc = CreateRoute();
        try
        {
            string[] routeUrls = ["127.0.0.1:5222"];
            SendRouteInfo(rc, routeUrls);
            ExpectNothingButPings(oldClient);
            string[] expectedUrls = [clientUrl, routeUrls[0]];
            CheckInfoReceived(newClient, expectedUrls);

            // The route gone, its URLs go from the clients' list.
            rc.Dispose();
            ExpectNothingButPings(oldClient);
            CheckInfoReceived(newClient, [clientUrl]);

            // Back again with the same INFO: sent to clients again.
            rc = CreateRoute();
            SendRouteInfo(rc, routeUrls);
            ExpectNothingButPings(oldClient);
            CheckInfoReceived(newClient, expectedUrls);

            rc.Dispose();
            ExpectNothingButPings(oldClient);
            CheckInfoReceived(newClient, [clientUrl]);

            rc = CreateRoute();
            // One client that has not sent CONNECT yet, one that has but no PING yet.
            using var clientNoConnect = ProtoClient.Connect("127.0.0.1", clientPort, readInfo: false);
            using var clientNoPing = ProtoClient.Connect("127.0.0.1", clientPort);
            clientNoPing.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"protocol\":1}\r\n");

            // The route comes back with one more URL.
            routeUrls = [.. routeUrls, "127.0.0.1:7777"];
            expectedUrls = [.. expectedUrls, "127.0.0.1:7777"];
            SendRouteInfo(rc, routeUrls);
            ExpectNothingButPings(oldClient);
            CheckInfoReceived(newClient, expectedUrls);
            ExpectNothingButPings(clientNoPing);

            clientNoPing.Send("PING\r\n");
            GetPongAlone(clientNoPing);
            checkConnectInfo = true;
            CheckInfoReceived(clientNoPing, expectedUrls);
            checkConnectInfo = false;

            clientNoConnect.ReadInfo();
            clientNoConnect.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"protocol\":1}\r\n");
            clientNoConnect.Send("PING\r\n");
            GetPongAlone(clientNoConnect);
            checkConnectInfo = true;
            CheckInfoReceived(clientNoConnect, expectedUrls);
            checkConnectInfo = false;

            // A new client's first INFO has the whole list (none when not advertised).
            using (var cli = ProtoClient.Connect("127.0.0.1", clientPort))
            {
                var urls = ConnectUrls(cli.Info!.Value);
                if (noAdvertise)
                    Assert.True(urls.Length == 0, $"Expected ClientConnectURLs to be empty, got [{string.Join(", ", urls)}]");
                else
                    CheckClientConnectUrls(urls, expectedUrls);
            }

            // A second remote server.
            routeId = "Server-C";
            using var rc2 = CreateRoute();
            string[] rc2Urls = ["127.0.0.1:8888"];
            SendRouteInfo(rc2, rc2Urls);
            string[] totalUrls = [.. expectedUrls, .. rc2Urls];
            ExpectNothingButPings(oldClient);
            CheckInfoReceived(newClient, totalUrls);

            // The first one gone: this server's URL and the second remote's remain.
            rc.Dispose();
            ExpectNothingButPings(oldClient);
            CheckInfoReceived(newClient, [clientUrl, "127.0.0.1:8888"]);
        }
        finally
        {
            rc.Dispose();
        }
    }

    private static int Port(System.Net.Sockets.TcpListener l) => ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
}
