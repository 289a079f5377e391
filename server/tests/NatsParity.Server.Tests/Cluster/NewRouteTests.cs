using NatsParity.Testing;
using Shouldly;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;
using static NatsParity.Server.Tests.Cluster.NewRouteConn;
using static NatsParity.Server.Tests.Cluster.NewRouteSupport;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of test/new_routes_test.go that only speak the wire: a raw route connection and raw clients against
/// a server configured like test/configs/new_cluster.conf, on each target.</summary>
public sealed class NewRouteWireTests
{
    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteInfoOnConnect")]
    public async Task NewRouteInfoOnConnect(ServerTarget target)
    {
        Assert.SkipWhen(target == ServerTarget.Reference, "lnocu (leafnode origin in LS-) is advertised from Go 2.10; 2.9.10 has lnoc only");
        await using var s = NewRouteServer.Start(target);
        using var rc = NewRouteConn.Create(s.Host, s.ClusterPort);
        var info = rc.Info;
        ((int)info["port"]!).ShouldBe(s.ClusterPort, "Received wrong information for port");
        ((int)info["proto"]!).ShouldBeGreaterThanOrEqualTo(2, "Expected routeProtoV2 or above");
        ((string?)info["nonce"]).ShouldNotBeNullOrEmpty("Expected a non empty nonce in new route INFO");
        ((bool?)info["headers"] ?? false).ShouldBeTrue("Expected to have headers on by default");
        ((bool?)info["lnoc"] ?? false).ShouldBeTrue("Expected to have leafnode origin cluster support");
        ((bool?)info["lnocu"] ?? false).ShouldBeTrue("Expected to have leafnode origin cluster in unsub protocol support");
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteConnectSubs")]
    public async Task NewRouteConnectSubs(ServerTarget target)
    {
        await using var s = NewRouteServer.Start(target);
        var c = ProtoClient.Connect(s.Host, s.Port).Setup();
        try
        {
            var subs = new System.Text.StringBuilder();
            for (int i = 0; i < 10; i++) subs.Append($"SUB foo {i}\r\nSUB foo bar {100 + i}\r\n");
            c.SendAndFlush(subs.ToString());

            using var rc = NewRouteConn.Create(s.Host, s.ClusterPort).Setup("RTEST_NEW:22");
            rc.SendRouteInfo("RTEST_NEW:22");
            var matches = rc.Expect(RsubRe);
            matches.Count.ShouldBe(2, "Expected 2 results");
            foreach (var m in matches)
            {
                m.Groups[1].Value.ShouldBe("$G");
                m.Groups[2].Value.ShouldBe("foo");
                if (m.Groups[3].Success)
                {
                    m.Groups[3].Value.ShouldBe("bar");
                    m.Groups[4].Value.ShouldBe("10", "Expected a weight of 10 for the queue group");
                }
            }

            c.Dispose();
            rc.ExpectCount(RunsubRe, 2);
        }
        finally { c.Dispose(); }
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteProgressiveNormalSubs")]
    public async Task NewRouteProgressiveNormalSubs(ServerTarget target)
    {
        await using var s = NewRouteServer.Start(target);
        using var c = ProtoClient.Connect(s.Host, s.Port).Setup();
        using var rc = NewRouteConn.Create(s.Host, s.ClusterPort).Setup("RTEST_NEW:33");
        rc.SendRouteInfo("RTEST_NEW:33");
        rc.PingPong();

        // Only the first plain subscription on a subject is announced.
        c.SendAndFlush("SUB foo 1\r\n");
        rc.Expect(RsubRe);
        c.SendAndFlush("SUB foo 2\r\n");
        rc.ExpectNothing();

        void CheckQueueSub(List<System.Text.RegularExpressions.Match> matches, string n)
        {
            matches.Count.ShouldBe(1);
            matches[0].Groups[4].Success.ShouldBeTrue("Expected a weight for the queue group");
            matches[0].Groups[4].Value.ShouldBe(n);
        }

        // Every queue subscription change is announced with the group's weight.
        c.SendAndFlush("SUB foo bar 3\r\n");
        CheckQueueSub(rc.Expect(RsubRe), "1");
        c.SendAndFlush("SUB foo bar 4\r\n");
        CheckQueueSub(rc.Expect(RsubRe), "2");
        c.SendAndFlush("SUB foo bar 5\r\n");
        CheckQueueSub(rc.Expect(RsubRe), "3");

        c.SendAndFlush("UNSUB 5\r\n");
        CheckQueueSub(rc.Expect(RsubRe), "2");
        c.SendAndFlush("UNSUB 4\r\n");
        CheckQueueSub(rc.Expect(RsubRe), "1");
        c.SendAndFlush("UNSUB 3\r\n");
        rc.Expect(RunsubRe);

        c.SendAndFlush("UNSUB 1\r\n");
        rc.ExpectNothing();
        c.SendAndFlush("UNSUB 2\r\n");
        rc.Expect(RunsubRe);
    }

    /// <summary>Go's client-closed tests: after <paramref name="subscribe"/> made a client's interest known to a raw
    /// route, closing the client sends the route one RS- and nothing else.</summary>
    private static async Task ClientClosedSendsOneUnsub(ServerTarget target, Action<ProtoClient, NewRouteConn> subscribe)
    {
        await using var s = NewRouteServer.Start(target);
        var c = ProtoClient.Connect(s.Host, s.Port).Setup();
        try
        {
            using var rc = NewRouteConn.Create(s.Host, s.ClusterPort).Setup("RTEST_NEW:44");
            rc.SendRouteInfo("RTEST_NEW:44");
            rc.PingPong();

            subscribe(c, rc);

            c.Dispose();
            rc.Expect(RunsubRe).Count.ShouldBe(1, "Expected only 1 unsub response when closing client connection");
            rc.ExpectNothing();
        }
        finally { c.Dispose(); }
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteClientClosedWithNormalSubscriptions")]
    public Task NewRouteClientClosedWithNormalSubscriptions(ServerTarget target) => ClientClosedSendsOneUnsub(target, (c, rc) =>
    {
        c.SendAndFlush("SUB foo 1\r\n");
        rc.Expect(RsubRe);
        var subs = new System.Text.StringBuilder();
        for (int i = 2; i < 100; i++) subs.Append($"SUB foo {i}\r\n");
        c.SendAndFlush(subs.ToString());
        rc.ExpectNothing();
    });

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteClientClosedWithQueueSubscriptions")]
    public Task NewRouteClientClosedWithQueueSubscriptions(ServerTarget target) => ClientClosedSendsOneUnsub(target, (c, rc) =>
    {
        var subs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) subs.Append($"SUB foo bar {i}\r\n");
        c.SendAndFlush(subs.ToString());
        rc.ExpectCount(RsubRe, 100);
    });

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteSendSubsAndMsgs")]
    public async Task NewRouteSendSubsAndMsgs(ServerTarget target)
    {
        await using var s = NewRouteServer.Start(target);
        using var rc = NewRouteConn.Create(s.Host, s.ClusterPort).Setup("RTEST_NEW:44");
        rc.SendRouteInfo("RTEST_NEW:44");
        rc.PingPong();

        rc.Send("RS+ $G foo\r\n");
        rc.PingPong();

        using var c = ProtoClient.Connect(s.Host, s.Port).Setup();
        void PubExpect(string pub, string replyAndQueues)
        {
            c.SendAndFlush(pub);
            var matches = rc.Expect(RmsgRe);
            matches.Count.ShouldBe(1, "Expected only 1 msg");
            CheckRmsg(matches[0], "$G", "foo", replyAndQueues, "2", "ok");
        }

        PubExpect("PUB foo 2\r\nok\r\n", "");

        rc.Send("RS+ $G foo bar 1\r\n");
        rc.PingPong();
        PubExpect("PUB foo reply 2\r\nok\r\n", "+ reply bar");

        rc.Send("RS+ $G foo baz 1\r\n");
        rc.PingPong();
        PubExpect("PUB foo reply 2\r\nok\r\n", "+ reply bar baz");

        rc.Send("RS+ $G *\r\n");
        rc.PingPong();
        PubExpect("PUB foo reply 2\r\nok\r\n", "+ reply bar baz");
        PubExpect("PUB foo 2\r\nok\r\n", "| bar baz");

        rc.Send("RS- $G foo baz\r\nRS- $G foo bar\r\n");
        rc.PingPong();
        PubExpect("PUB foo 2\r\nok\r\n", "");

        rc.Send("RS- $G foo\r\nRS- $G *\r\n");
        rc.PingPong();
        c.SendAndFlush("PUB foo 2\r\nok\r\n");
        rc.ExpectNothing();
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteProcessRoutedMsgs")]
    public async Task NewRouteProcessRoutedMsgs(ServerTarget target)
    {
        await using var s = NewRouteServer.Start(target);
        using var rc = NewRouteConn.Create(s.Host, s.ClusterPort).Setup("RTEST_NEW:55");
        rc.SendRouteInfo("RTEST_NEW:55");
        rc.PingPong();

        using var c = ProtoClient.Connect(s.Host, s.Port).Setup();
        c.SendAndFlush("SUB foo 1\r\n");
        rc.Expect(RsubRe);

        rc.Send("RMSG $G foo 2\r\nok\r\n");
        rc.PingPong();
        c.ExpectMsgs(1)[0].Check("foo", "1", "", 2, "ok");

        rc.Send("RMSG $G foo reply 2\r\nok\r\n");
        rc.PingPong();
        c.ExpectMsgs(1)[0].Check("foo", "1", "reply", 2, "ok");

        c.SendAndFlush("SUB foo bar 11\r\n");
        rc.Expect(RsubRe);
        c.SendAndFlush("SUB foo baz 22\r\n");
        rc.Expect(RsubRe);

        // Without queues only the plain subscription gets it.
        rc.Send("RMSG $G foo 2\r\nok\r\n");
        rc.PingPong();
        c.ExpectMsgs(1)[0].Check("foo", "1", "", 2, "ok");
        c.ExpectNothing();

        rc.Send("RMSG $G foo | bar 2\r\nok\r\n");
        rc.PingPong();
        c.ExpectMsgs(2)[0].Check("foo", "1", "", 2, "ok");
        c.ExpectNothing();

        rc.Send("RMSG $G foo | bar baz 2\r\nok\r\n");
        rc.PingPong();
        c.ExpectMsgs(3)[0].Check("foo", "1", "", 2, "ok");
        c.ExpectNothing();

        rc.Send("RMSG $G foo + reply bar baz 2\r\nok\r\n");
        rc.PingPong();
        c.ExpectMsgs(3)[0].Check("foo", "1", "reply", 2, "ok");
        c.ExpectNothing();
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteReservedReply")]
    public async Task NewRouteReservedReply(ServerTarget target)
    {
        await using var s = NewRouteServer.Start(target);
        using var c = ProtoClient.Connect(s.Host, s.Port).Setup();
        c.Send("PUB foo _R_.foo 2\r\nok\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Err);
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteHeaderSupport")]
    public async Task NewRouteHeaderSupportOnTarget(ServerTarget target)
    {
        await using var srv = await NewRoutePair.StartAsync(target);
        using var clientA = ProtoClient.Connect(srv.A).Setup(headers: true);
        using var clientB = ProtoClient.Connect(srv.B).Setup(headers: true);

        clientA.SendAndFlush("SUB foo bar 22\r\n");
        await srv.CheckExpectedSubsAsync(1);

        clientB.SendAndFlush("HPUB foo reply 12 14\r\nK1:V1,K2:V2 ok\r\n");
        clientA.ExpectHeaderMsgs(1)[0].CheckHeaders("foo", "22", "reply", 12, 14, "K1:V1,K2:V2 ", "ok");
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteHeaderSupportOldAndNew")]
    public async Task NewRouteHeaderSupportOldAndNewOnTarget(ServerTarget target)
    {
        await using var srv = await NewRoutePair.StartAsync(target, extraA: "no_header_support: true\n");
        using var clientA = ProtoClient.Connect(srv.A).Setup(headers: true);
        using var clientB = ProtoClient.Connect(srv.B).Setup(headers: true);

        clientA.SendAndFlush("SUB foo bar 22\r\n");
        await srv.CheckExpectedSubsAsync(1);

        // A does not do headers: the message reaches its client without them.
        clientB.SendAndFlush("HPUB foo reply 12 14\r\nK1:V1,K2:V2 ok\r\n");
        clientA.ExpectMsgs(1)[0].Check("foo", "22", "reply", 2, "ok");
    }

    [Theory, TargetData, GoTest("test/new_routes_test.go", "TestNewRouteQueueSubsDistribution")]
    public async Task NewRouteQueueSubsDistributionOnTarget(ServerTarget target)
    {
        await using var srv = await NewRoutePair.StartAsync(target);
        using var clientA = ProtoClient.Connect(srv.A).Setup();
        using var clientB = ProtoClient.Connect(srv.B).Setup();

        var subs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) subs.Append($"SUB foo bar {i}\r\n");
        clientA.SendAndFlush(subs.ToString());
        clientB.SendAndFlush(subs.ToString());
        // 100 local subscriptions each, plus one for the other server's queue group.
        await srv.CheckExpectedSubsAsync(101);

        using var sender = ProtoClient.Connect(srv.A).Setup();
        var pubs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) pubs.Append("PUB foo 2\r\nok\r\n");
        sender.SendAndFlush(pubs.ToString());

        var (numA, numB) = NewRouteAccountTests.CountSplit(clientA, clientB, 100);
        if (numA < 30 || numB < 30) Assert.Fail($"Expected numbers to be close to 50/50, got {numA}/{numB}");
    }

    /// <summary>Go's checkRmsg: account, subject, reply and queues, and length of a routed message.</summary>
    internal static void CheckRmsg(System.Text.RegularExpressions.Match m, string account, string subject, string replyAndQueues, string len, string msg)
    {
        m.Groups[1].Value.ShouldBe(account, "Did not get correct account");
        m.Groups[2].Value.ShouldBe(subject, "Did not get correct subject");
        m.Groups[5].Value.ShouldBe(len, "Did not get correct msg length");
        m.Groups[3].Value.ShouldBe(replyAndQueues, "Did not get correct reply/queues");
        m.Groups[6].Value.ShouldBe(msg, "Did not get correct msg");
    }
}
