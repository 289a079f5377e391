using NatsParity.Testing;
using Xunit;
using static NatsParity.Server.Tests.Cluster.RouteWire;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Bad input on a raw route connection: the -ERR sent (if any), whether the route is closed and the reason
/// the server logs, the same on both targets.</summary>
public sealed class RouteProtocolErrorTests
{
    private const string Connect = "CONNECT {\"verbose\":false,\"user\":\"route_user\",\"pass\":\"top_secret\",\"name\":\"ROUTER:xyz\",\"cluster\":\"xyz\"}\r\n";

    public static TheoryData<ServerTarget, string, string, string, string> Cases()
    {
        var rows = new TheoryData<ServerTarget, string, string, string, string>();
        (string Name, string Send, string Err, string Reason)[] cases =
        [
            ("rmsg-too-few-args", Connect + "RMSG foo 2\r\nok\r\n", "", "Protocol Violation"),
            ("bad-password", "CONNECT {\"verbose\":false,\"user\":\"route_user\",\"pass\":\"nope\",\"name\":\"R2\",\"cluster\":\"xyz\"}\r\n",
                "-ERR 'Authorization Violation'\r\n", "Authentication Failure"),
            ("other-cluster", "CONNECT {\"verbose\":false,\"user\":\"route_user\",\"pass\":\"top_secret\",\"name\":\"R3\",\"cluster\":\"abc\"}\r\n",
                "-ERR 'Rejecting connection, cluster name \"abc\" does not match \"xyz\"'\r\n", "Cluster Name Conflict"),
            ("unknown-op", Connect + "FOO bar\r\n", "-ERR 'Unknown Protocol Operation'\r\n", "Protocol Violation"),
            ("rs-no-args", Connect + "RS+\r\n", "-ERR 'Unknown Protocol Operation'\r\n", "Protocol Violation"),
            ("no-connect", "PING\r\n", "-ERR 'Authorization Violation'\r\n", "Authentication Failure"),
            ("bad-connect-json", "CONNECT {bad\r\n", "", "Protocol Violation"),
        ];
        foreach (var target in ServerTargets.Selected)
            foreach (var c in cases)
                rows.Add(target, c.Name, c.Send, c.Err, c.Reason);
        return rows;
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task BadInputClosesRoute(ServerTarget target, string name, string send, string err, string reason)
    {
        _ = name;
        await using var s = RouteTestServer.Run(target);
        using var rc = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(rc);
        rc.Send(send);
        Assert.Equal(err, rc.ExpectClosed(TimeSpan.FromSeconds(2)));
        ClusterTestSupport.CheckFor(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20), () =>
            s.Proc.Log.Contains($"Router connection closed: {reason}") ? null : $"Expected \"Router connection closed: {reason}\" in the log:\n{s.Proc.Log}");
    }

    /// <summary>A PUB on a route is read (a route has no payload limit) and dropped, as a routed message of no
    /// account: the route stays.</summary>
    [Theory, TargetData]
    public async Task PubOnRouteIsDropped(ServerTarget target)
    {
        await using var s = RouteTestServer.Run(target);
        using var client = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        client.SendAndFlush("SUB foo 1\r\n");
        using var rc = CreateRouteConn(s.ClusterPort);
        ExpectAuthRequired(rc);
        rc.Send(Connect + "PUB foo 2\r\nok\r\n");
        string before = PingPong(rc);
        Assert.DoesNotContain("-ERR", before);
        client.ExpectNothing();
    }
}
