using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>A server process (ours or the reference) configured like Go's test/configs/cluster.conf: cluster "xyz"
/// on its own port with route credentials route_user / top_secret (timeout 0.5s), soliciting two route URLs with
/// the credentials foo / bar, no system account. Ours also runs without pooling and compression, as Go's test
/// package does (the 2.9.10 reference has neither).</summary>
internal sealed class RouteTestServer : IAsyncDisposable
{
    public const string RouteUser = "route_user";
    public const string RoutePassword = "top_secret";

    public required NatsServerProcess Proc { get; init; }
    public required int ClusterPort { get; init; }

    /// <summary>Ports of the routes the server solicits (nothing listens there unless a test does).</summary>
    public required int[] RoutePorts { get; init; }

    public bool NoAdvertise { get; init; }
    public ServerTarget Target => Proc.Target;
    public int Port => Proc.Port;

    /// <summary>Go's runRouteServer. <paramref name="routePorts"/>, when given, are the solicited routes (a test
    /// binds a listener first to accept the server's route connection without racing for the port).</summary>
    public static RouteTestServer Run(ServerTarget target, bool noAdvertise = false, int? clientPort = null,
        int[]? routePorts = null, params string[] extraArgs)
    {
        int clusterPort = NatsServerProcess.FreePort();
        routePorts ??= [NatsServerProcess.FreePort(), NatsServerProcess.FreePort()];
        string ours = target == ServerTarget.Ours ? "  pool_size: -1\n  compression: off\n" : "";
        string routes = string.Join("\n", routePorts.Select(p => $"    nats-route://foo:bar@127.0.0.1:{p}"));
        var config = new ServerConfig
        {
            NoSystemAccount = true,
            Monitoring = true,
            Extra = $$"""
                cluster {
                  listen: 127.0.0.1:{{clusterPort}}
                  name: xyz
                  authorization {
                    user: {{RouteUser}}
                    password: {{RoutePassword}}
                    timeout: 0.5
                  }
                  no_advertise: {{(noAdvertise ? "true" : "false")}}
                {{ours}}  routes = [
                {{routes}}
                  ]
                }
                """,
        };
        var proc = clientPort is { } cp
            ? NatsServerProcess.StartOnPort(target, cp, config, extraArgs)
            : NatsServerProcess.Start(target, config, extraArgs);
        return new RouteTestServer { Proc = proc, ClusterPort = clusterPort, RoutePorts = routePorts, NoAdvertise = noAdvertise };
    }

    /// <summary>The number of routes the server reports in /routez.</summary>
    public int NumRoutes() => Proc.GetMonitorJsonAsync("/routez").GetAwaiter().GetResult().GetProperty("num_routes").GetInt32();

    public ValueTask DisposeAsync() => Proc.DisposeAsync();
}

/// <summary>One routed message: <c>RMSG account subject [reply-and-queues] size</c> and its payload.</summary>
internal sealed record RmsgFrame(string Account, string Subject, string ReplyAndQueues, int Size, string Payload)
{
    /// <summary>Go's checkRmsg.</summary>
    public void Check(string account, string subject, string replyAndQueues, int size, string payload)
    {
        Assert.Equal(account, Account);
        Assert.Equal(subject, Subject);
        Assert.Equal(replyAndQueues, ReplyAndQueues);
        Assert.Equal(size, Size);
        Assert.Equal(payload, Payload);
    }
}

/// <summary>Go's raw route helpers from test/test.go: route connections opened to (or accepted from) a server and
/// the route protocol expected on them.</summary>
internal static class RouteWire
{
    public static readonly Regex InfoRe = new(@"INFO\s+([^\r\n]+)\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex ConnectRe = new(@"CONNECT\s+([^\r\n]+)\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex PongRe = new(@"PONG\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex RsubRe = new(@"RS\+\s+([^\s]+)\s+([^\s]+)\s*([^\s]+)?\s*(\d+)?\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex RunsubRe = new(@"RS\-\s+([^\s]+)\s+([^\s]+)\s*([^\s]+)?\r\n", RegexOptions.CultureInvariant);
    private static readonly Regex RmsgLine = new(@"RMSG ([^\r\n]+)\r\n", RegexOptions.CultureInvariant);

    /// <summary>Go's createRouteConn: a plain TCP connection to the cluster port (retried briefly while the
    /// listener comes up). Nothing is read.</summary>
    public static ProtoClient CreateRouteConn(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (true)
        {
            try
            {
                return ProtoClient.Connect("127.0.0.1", port, readInfo: false);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(25);
            }
        }
    }

    /// <summary>A listener on a free loopback port, for a server to solicit a route to.</summary>
    public static TcpListener Listen()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return l;
    }

    /// <summary>Go's acceptRouteConn: the next route connection the server makes to <paramref name="l"/>, within
    /// <paramref name="timeout"/>.</summary>
    public static ProtoClient AcceptRouteConn(TcpListener l, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var socket = l.AcceptSocketAsync(cts.Token).AsTask().GetAwaiter().GetResult();
            return ProtoClient.FromAccepted(socket);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Did not receive a route connection request within {timeout.TotalMilliseconds} ms");
            throw;
        }
    }

    /// <summary>Go's setupRouteEx: sends the route CONNECT (Go's routeConnectProto) with the given id.</summary>
    public static void SetupRouteEx(ProtoClient rc, string id, string user = RouteTestServer.RouteUser, string pass = RouteTestServer.RoutePassword) =>
        rc.Send($"CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"{pass}\",\"name\":\"{id}\",\"cluster\":\"xyz\"}}\r\n");

    /// <summary>Go's setupRoute: <see cref="SetupRouteEx"/> with a random ROUTER: id.</summary>
    public static void SetupRoute(ProtoClient rc) => SetupRouteEx(rc, "ROUTER:" + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));

    /// <summary>Go's createRouteConn, expectAuthRequired and setupRoute in a row: a route connected as a server.</summary>
    public static ProtoClient ConnectRoute(RouteTestServer s)
    {
        var route = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(route);
        SetupRoute(route);
        return route;
    }

    /// <summary>Go's expectResult with an unanchored regex: reads until it matches; the match.</summary>
    public static Match Expect(ProtoClient c, Regex re) => c.ReadUntil(re);

    /// <summary>Go's expectAuthRequired: the INFO the cluster port greets with asks for authentication.</summary>
    public static JsonElement ExpectAuthRequired(ProtoClient rc)
    {
        var info = ParseInfo(Expect(rc, InfoRe));
        Assert.True(info.TryGetProperty("auth_required", out var ar) && ar.GetBoolean(), "Expected auth_required in the route INFO");
        return info;
    }

    public static JsonElement ParseInfo(Match m)
    {
        using var doc = JsonDocument.Parse(m.Groups[1].Value);
        return doc.RootElement.Clone();
    }

    /// <summary>The server's INFO sent back as another server's: a different id and no name (else the server sees
    /// a route to itself).</summary>
    public static string InfoAs(JsonElement info, string id)
    {
        var node = JsonNode.Parse(info.GetRawText())!.AsObject();
        node["server_id"] = id;
        node["server_name"] = "";
        return $"INFO {node.ToJsonString()}\r\n";
    }

    /// <summary>Reads the next routed message (skipping other protocol lines before it).</summary>
    public static RmsgFrame ExpectRmsg(ProtoClient c)
    {
        var m = c.ReadUntil(RmsgLine);
        var tokens = m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int size = int.Parse(tokens[^1], System.Globalization.CultureInfo.InvariantCulture);
        string middle = string.Join(' ', tokens[2..^1]);
        string line = c.ReadLine();
        Assert.Equal(size + 2, line.Length);
        return new RmsgFrame(tokens[0], tokens[1], middle, size, line[..size]);
    }

    /// <summary>PING and the PONG back; every line received before the PONG (Go's routeSend("PING") and
    /// routeExpect(pongRe) seeing the whole buffer).</summary>
    public static string PingPong(ProtoClient c)
    {
        c.Send("PING\r\n");
        string text = c.ReadUntil("PONG\r\n");
        return text[..^"PONG\r\n".Length];
    }

    /// <summary>Count of routed messages in <paramref name="text"/>.</summary>
    public static int CountRmsgs(string text) => RmsgLine.Matches(text).Count;
}
