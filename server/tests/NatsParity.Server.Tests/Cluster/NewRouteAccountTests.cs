using NatsParity.Server.Accounts;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;
using static NatsParity.Server.Tests.Cluster.NewRouteConn;
using static NatsParity.Server.Tests.Cluster.NewRouteSupport;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of test/new_routes_test.go that look inside the server: accounts bound to raw clients, routed
/// interest per account, subscription counts, and imports across a cluster (in process, as Go's test package runs them).</summary>
public sealed class NewRouteAccountTests
{
    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteConnectSubsWithAccount")]
    public async Task NewRouteConnectSubsWithAccount()
    {
        await using var s = RunNewRouteServer();
        const string accName = "$FOO";
        s.RegisterAccount(accName);
        var c = ConnectWithAccount(s, accName);
        try
        {
            var subs = new System.Text.StringBuilder();
            for (int i = 0; i < 10; i++) subs.Append($"SUB foo {i}\r\nSUB foo bar {100 + i}\r\n");
            c.SendAndFlush(subs.ToString());

            using var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("RTEST_NEW:22");
            rc.SendRouteInfo("RTEST_NEW:22");
            var matches = rc.Expect(RsubRe);
            matches.Count.ShouldBe(2, "Expected 2 results");
            foreach (var m in matches)
            {
                m.Groups[1].Value.ShouldBe(accName);
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

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteRSubs")]
    public async Task NewRouteRSubs()
    {
        await using var s = RunNewRouteServer();
        var foo = s.RegisterAccount("$foo");
        var bar = s.RegisterAccount("$bar");

        var clientA = ConnectWithAccount(s, "$foo");
        var clientB = (ProtoClient?)null;
        try
        {
            clientA.Flush();
            foo.NumClients.ShouldBe(1);
            bar.NumClients.ShouldBe(0);

            using var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("RTEST_NEW:33");
            rc.SendRouteInfo("RTEST_NEW:33");
            rc.PingPong();

            clientA.SendAndFlush("SUB foo 1\r\n");

            clientB = ConnectWithAccount(s, "$bar");
            clientB.Flush();
            foo.NumClients.ShouldBe(1);
            bar.NumClients.ShouldBe(1);

            clientB.SendAndFlush("SUB foo 1\r\n");
            rc.Expect(RsubRe);

            clientA.SendAndFlush("UNSUB 1\r\n");
            rc.Expect(RunsubRe);

            clientB.SendAndFlush("UNSUB 1\r\n");
            rc.Expect(RunsubRe);

            clientA.Dispose();
            clientB.SendAndFlush("SUB foo 2\r\n");
            rc.Expect(RsubRe);

            clientB.Dispose();
            rc.Expect(RunsubRe);
        }
        finally
        {
            clientA.Dispose();
            clientB?.Dispose();
        }
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteRUnsubAccountSpecific")]
    public async Task NewRouteRUnsubAccountSpecific()
    {
        await using var s = RunNewRouteServer();
        using var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("RTEST_NEW:77");
        rc.SendRouteInfo("RTEST_NEW:77");

        var subs = new System.Text.StringBuilder();
        for (int i = 0; i < 500; i++)
        {
            string account = $"$foo.account.{i}";
            s.RegisterAccount(account);
            subs.Append($"RS+ {account} foo\r\n");
        }
        rc.Send(subs.ToString());
        rc.PingPong();

        rc.Send("RS- $foo.account.22 foo\r\n");
        rc.PingPong();

        using (var c = ConnectWithAccount(s, "$foo.account.22"))
            c.SendAndFlush("PUB foo 2\r\nok\r\n");

        using var c2 = ConnectWithAccount(s, "$foo.account.33");
        c2.SendAndFlush("PUB foo 2\r\nok\r\n");

        var matches = rc.Expect(RmsgRe);
        matches.Count.ShouldBe(1, "Expected only 1 msg");
        NewRouteWireTests.CheckRmsg(matches[0], "$foo.account.33", "foo", "", "2", "ok");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteRSubCleanupOnDisconnect")]
    public async Task NewRouteRSubCleanupOnDisconnect()
    {
        await using var s = RunNewRouteServer();
        var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("RTEST_NEW:77");
        try
        {
            rc.SendRouteInfo("RTEST_NEW:77");
            var subs = new System.Text.StringBuilder();
            for (int i = 0; i < 100; i++)
            {
                string subject = $"foo.{i}";
                subs.Append($"RS+ $foo {subject}\r\nRS+ $bar {subject}\r\nRS+ $baz {subject} bar {i + 1}\r\n");
            }
            rc.Send(subs.ToString());
            rc.PingPong();
        }
        finally { rc.Dispose(); }

        CheckFor(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10),
            () => s.NumSubscriptions() is var ns && ns != 0 ? $"Number of subscriptions is {ns}" : null);
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteSinglePublishOnNewAccount")]
    public async Task NewRouteSinglePublishOnNewAccount()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        srvA.RegisterAccount("$TEST22");
        srvB.RegisterAccount("$TEST22");

        using var clientA = ConnectWithAccount(srvA, "$TEST22");
        clientA.SendAndFlush("SUB foo 1\r\n");
        CheckExpectedSubs(1, srvB);

        using (var clientB = ConnectWithAccount(srvB, "$TEST22"))
            clientB.SendAndFlush("PUB foo 2\r\nok\r\n");

        clientA.ExpectMsgs(1)[0].Check("foo", "1", "", 2, "ok");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteSinglePublishToQueueSubscriberOnNewAccount")]
    public async Task NewRouteSinglePublishToQueueSubscriberOnNewAccount()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        srvA.RegisterAccount("$TEST22");
        srvB.RegisterAccount("$TEST22");

        using var clientA = ConnectWithAccount(srvA, "$TEST22");
        clientA.SendAndFlush("SUB foo bar 1\r\n");

        using var clientB = ConnectWithAccount(srvB, "$TEST22");
        clientB.SendAndFlush("PUB foo bar 2\r\nok\r\n");
        clientA.ExpectMsgs(1)[0].Check("foo", "1", "bar", 2, "ok");

        clientB.SendAndFlush("PUB foo bar 2\r\nok\r\n");
        clientA.ExpectMsgs(1)[0].Check("foo", "1", "bar", 2, "ok");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteSinglePublishToMultipleQueueSubscriberOnNewAccount")]
    public async Task NewRouteSinglePublishToMultipleQueueSubscriberOnNewAccount()
    {
        var (srvA, srvB, srvC) = RunThreeServers();
        await using var _a = srvA;
        await using var _b = srvB;
        await using var _c = srvC;
        srvA.RegisterAccount("$TEST22");
        srvB.RegisterAccount("$TEST22");
        srvC.RegisterAccount("$TEST22");

        using var clientA = ConnectWithAccount(srvA, "$TEST22");
        clientA.SendAndFlush("SUB foo bar 11\r\n");
        using var clientC = ConnectWithAccount(srvC, "$TEST22");
        clientC.SendAndFlush("SUB foo bar 33\r\n");
        clientA.Flush();
        clientC.Flush();

        Thread.Sleep(100);

        using var clientB = ConnectWithAccount(srvB, "$TEST22");
        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");

        // One of A and C gets it, not both.
        int gotA = DrainMsgs(clientA, TimeSpan.FromMilliseconds(100));
        int gotC = DrainMsgs(clientC, TimeSpan.FromMilliseconds(100));
        (gotA > 0 && gotC > 0).ShouldBeFalse("Expected one or the other, but got something on both");
        (gotA + gotC).ShouldBe(1, "Expected only 1 msg");

        var pubs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) pubs.Append("PUB foo 2\r\nok\r\n");
        clientB.SendAndFlush(pubs.ToString());
        var (numA, numC) = CountSplit(clientA, clientC, 100);
        if (numA < 30 || numC < 30) Assert.Fail($"Expected numbers to be close to 50/50, got {numA}/{numC}");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteQueueSubsDistribution")]
    public async Task NewRouteQueueSubsDistribution()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        using var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        using var clientB = ProtoClient.Connect("127.0.0.1", srvB.Port).Setup();

        var subs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) subs.Append($"SUB foo bar {i}\r\n");
        clientA.SendAndFlush(subs.ToString());
        clientB.SendAndFlush(subs.ToString());

        // 100 local subscriptions each, plus one for the other server's queue group.
        CheckExpectedSubs(101, srvA, srvB);

        using var sender = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        var pubs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) pubs.Append("PUB foo 2\r\nok\r\n");
        sender.SendAndFlush(pubs.ToString());

        var (numA, numB) = CountSplit(clientA, clientB, 100);
        if (numA < 30 || numB < 30) Assert.Fail($"Expected numbers to be close to 50/50, got {numA}/{numB}");
    }

    /// <summary>Counts the MSGs arriving on <paramref name="x"/> and <paramref name="y"/> until they add up to
    /// <paramref name="total"/> (within 10s) and no more follow.</summary>
    internal static (int X, int Y) CountSplit(ProtoClient x, ProtoClient y, int total)
    {
        int nx = 0, ny = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (nx + ny < total)
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Got {nx + ny} of {total} messages ({nx}/{ny})");
            nx += DrainMsgs(x, TimeSpan.FromMilliseconds(50));
            ny += DrainMsgs(y, TimeSpan.FromMilliseconds(50));
        }
        (nx + ny).ShouldBe(total);
        return (nx, ny);
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteStreamImport")]
    public Task NewRouteStreamImport() => TestNewRouteStreamImport(duplicateSub: false);

    internal static async Task TestNewRouteStreamImport(bool duplicateSub)
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var (fooA, _) = RegisterAccounts(srvA);
        var (fooB, barB) = RegisterAccounts(srvB);
        fooA.AddStreamExport("foo", null).ShouldBeNull();
        fooB.AddStreamExport("foo", null).ShouldBeNull();
        barB.AddStreamImport(fooB, "foo", "").ShouldBeNull();

        using var clientA = ConnectWithAccount(srvA, "$foo");
        using var clientB = ConnectWithAccount(srvB, "$bar");
        clientB.SendAndFlush(duplicateSub ? "SUB foo 1\r\nSUB foo 1\r\n" : "SUB foo 1\r\n");

        // $bar's foo becomes, through the import, interest in $foo's foo: that is what reaches A.
        CheckExpectedSubs(2, srvA);

        clientA.Flush();
        clientA.SendAndFlush("PUB foo 2\r\nok\r\n");
        clientB.ExpectMsgs(1)[0].Check("foo", "1", "", 2, "ok");

        clientA.SendAndFlush("PUB foo 2\r\nok\r\n");
        clientB.ExpectMsgs(1)[0].Check("foo", "1", "", 2, "ok");

        clientB.SendAndFlush("UNSUB 1\r\n");
        CheckExpectedSubs(0, srvA);

        clientA.SendAndFlush("PUB foo 2\r\nok\r\n");
        clientA.ExpectNothing();
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteStreamImportLargeFanout")]
    public async Task NewRouteStreamImportLargeFanout()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var fooA = srvA.RegisterAccount("$foo");
        var fooB = srvB.RegisterAccount("$foo");
        fooA.AddStreamExport("foo", null).ShouldBeNull();
        fooB.AddStreamExport("foo", null).ShouldBeNull();

        const int fanout = 100;
        var barA = new Account[fanout];
        for (int i = 0; i < fanout; i++)
        {
            barA[i] = srvB.RegisterAccount($"$bar-{i}");
            barA[i].AddStreamImport(fooB, "foo", "").ShouldBeNull();
        }

        using var _clients = new Disposables();
        using var clientA = ConnectWithAccount(srvA, "$foo");
        for (int i = 0; i < fanout; i++)
        {
            var cb = _clients.Add(ConnectWithAccount(srvB, barA[i].Name));
            cb.SendAndFlush("SUB foo 1\r\n");
        }

        // A knows none of the $bar accounts: their interest is dropped there, only the imported $foo interest stays.
        CheckFor(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), () =>
        {
            if (srvA.NumSubscriptions() is var na && na != 1) return $"Number of subscriptions is {na}";
            if (srvB.NumSubscriptions() is var nb && nb != 2 * fanout) return $"Number of subscriptions is {nb}";
            return null;
        });
    }

    /// <summary>Go's service import round trip across the route: B's request reaches A's responder under a randomized
    /// reply, A's answer comes back to B, and A keeps the responder and the service reply wildcard, which its route
    /// also carries.</summary>
    private static void CheckServiceRoundTrip(NatsServer srvA, Account fooA, ProtoClient clientA, ProtoClient clientB, string pubSubject, string requestSubject)
    {
        clientB.SendAndFlush($"PUB {pubSubject} reply 2\r\nhi\r\n");
        var req = clientA.ExpectMsgs(1)[0];
        string reply = req.Reply ?? "";
        req.Check(requestSubject, "1", reply, 2, "hi");
        reply.ShouldNotBe("reply", "Expected randomized reply, but got original");

        clientA.SendAndFlush($"PUB {reply} 2\r\nok\r\n");
        clientB.ExpectMsgs(1)[0].Check("reply", "1", "", 2, "ok");

        fooA.Sublist.Count.ShouldBe(2u, "Expected two subs to be left on fooA");
        var routes = srvA.RouteConnections();
        routes.Count.ShouldBe(1, "Expected 1 route");
        routes[0].RemoteSubs().Count.ShouldBe(2, "Expected 2 subs in the route connection");
    }

    /// <summary>Go's service import tests across a route: $foo exports <paramref name="export"/> on both servers
    /// (to $bar only unless <paramref name="isPublic"/>), $bar imports it as <paramref name="import"/>; A's $foo
    /// client subscribes with <paramref name="subA"/>, B's $bar client with <paramref name="subB"/>, then the request
    /// makes its round trip.</summary>
    private static async Task ServiceImportAcrossRoute(string export, string import, string importTo, bool isPublic,
        string subA, string subB, string requestSubject)
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var (fooA, barA) = RegisterAccounts(srvA);
        var (fooB, barB) = RegisterAccounts(srvB);
        fooA.AddServiceExport(export, isPublic ? null : [barA]).ShouldBeNull();
        fooB.AddServiceExport(export, isPublic ? null : [barB]).ShouldBeNull();
        barB.AddServiceImport(fooB, import, importTo).ShouldBeNull();
        barA.AddServiceImport(fooA, import, importTo).ShouldBeNull();

        using var clientA = ConnectWithAccount(srvA, "$foo");
        clientA.SendAndFlush($"{subA}\r\n");
        using var clientB = ConnectWithAccount(srvB, "$bar");
        clientB.SendAndFlush($"{subB}\r\n");

        // 1 on $foo, 2 on $bar (the import's own subscription).
        CheckExpectedSubs(3, srvA, srvB);

        CheckServiceRoundTrip(srvA, fooA, clientA, clientB, import, requestSubject);
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteServiceImport")]
    public Task NewRouteServiceImport() =>
        ServiceImportAcrossRoute("test.request", "foo.request", "test.request", true, "SUB test.request 1", "SUB reply 1", "test.request");

    [Theory, InlineData(true), InlineData(false), GoTest("test/new_routes_test.go", "TestNewRouteServiceExportWithWildcards")]
    public Task NewRouteServiceExportWithWildcards(bool isPublic) =>
        ServiceImportAcrossRoute("ngs.update.*", "ngs.update", "ngs.update.$bar", isPublic, "SUB ngs.update.* 1", "SUB reply 1", "ngs.update.$bar");

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteServiceImportQueueGroups")]
    public Task NewRouteServiceImportQueueGroups() =>
        ServiceImportAcrossRoute("test.request", "foo.request", "test.request", true, "SUB test.request QGROUP 1", "SUB reply QGROUP_TOO 1", "test.request");

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteServiceImportDanglingRemoteSubs")]
    public async Task NewRouteServiceImportDanglingRemoteSubs()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var (fooA, _) = RegisterAccounts(srvA);
        var (fooB, barB) = RegisterAccounts(srvB);
        fooA.AddServiceExport("test.request", null).ShouldBeNull();
        // Go's addServiceExport helper adds it again to both, ignoring what it returns.
        fooA.AddServiceExport("test.request", null);
        fooB.AddServiceExport("test.request", null);
        barB.AddServiceImport(fooB, "foo.request", "test.request").ShouldBeNull();

        using var clientA = ConnectWithAccount(srvA, "$foo");
        clientA.SendAndFlush("SUB test.request 1\r\n");
        using var clientB = ConnectWithAccount(srvB, "$bar");
        clientB.SendAndFlush("SUB reply 1\r\n");

        // A does not import: $foo and $bar once each there; B has the import's subscription too.
        CheckExpectedSubs(2, srvA);
        CheckExpectedSubs(3, srvB);

        var pubs = new System.Text.StringBuilder();
        for (int i = 0; i < 100; i++) pubs.Append("PUB foo.request reply 2\r\nhi\r\n");
        clientB.SendAndFlush(pubs.ToString());

        int numRequests = 0;
        CheckFor(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10), () =>
        {
            numRequests += DrainMsgs(clientA, TimeSpan.FromMilliseconds(10));
            return numRequests != 100 ? $"Number of requests is {numRequests}" : null;
        });

        clientB.ExpectNothing();

        // The unanswered replies hang off $foo on A until the responder leaves.
        clientA.SendAndFlush("UNSUB 1\r\n");
        CheckFor(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10),
            () => fooA.Sublist.Count is var ts && ts != 1 ? $"Number of subs is {ts}, should be only 1" : null);
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteDuplicateSubscription")]
    public async Task NewRouteDuplicateSubscription()
    {
        await TestNewRouteStreamImport(duplicateSub: true);

        await using var s = RunNewRouteServer(o => o.DisableShortFirstPing = true);
        using var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("RTEST_DUPLICATE:22");
        rc.SendRouteInfo("RTEST_DUPLICATE:22");
        rc.PingPong();

        using var c = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        // The same sid twice: one subscription, one RS+.
        c.SendAndFlush("SUB foo 1\r\nSUB foo 1\r\n");
        rc.Expect(RsubRe);

        // And its UNSUB takes the interest away: RS-.
        c.SendAndFlush("UNSUB 1\r\n");
        rc.Expect(RunsubRe);
    }

    /// <summary>The route side of Go's TestNewRouteLeafNodeOriginSupport (not a port: that test needs a leafnode
    /// server): LS+ with an origin cluster registers interest, LS- takes it away with or without the origin as the
    /// remote announced lnocu or not, and LMSG (an origin before the account) reaches local subscribers.</summary>
    [Fact]
    public async Task NewRouteLeafOriginProtocolsOnRoute()
    {
        await using var s = RunNewRouteServer();
        var gacc = s.LookupAccount("$G")!;
        using var c = ProtoClient.Connect("127.0.0.1", s.Port).Setup();
        c.SendAndFlush("SUB bar 1\r\nSUB foo bar 2\r\nSUB foo baz 3\r\n");

        void LsProtos(NewRouteConn rc, bool lnocu)
        {
            rc.Send("LS+ ln1 $G lsub\r\n");
            rc.PingPong();
            gacc.Sublist.HasInterest("lsub").ShouldBeTrue("Expected interest on \"lsub\"");
            rc.Send(lnocu ? "LS- ln1 $G lsub\r\n" : "LS- $G lsub\r\n");
            rc.PingPong();
            gacc.Sublist.HasInterest("lsub").ShouldBeFalse("Expected no interest on \"lsub\"");

            rc.Send("LS+ ln1 $G lsub q 1\r\n");
            rc.PingPong();
            gacc.Sublist.HasInterest("lsub").ShouldBeTrue("Expected interest on \"lsub\"");
            rc.Send(lnocu ? "LS- ln1 $G lsub q\r\n" : "LS- $G lsub q\r\n");
            rc.PingPong();
            gacc.Sublist.HasInterest("lsub").ShouldBeFalse("Expected no interest on \"lsub\"");

            rc.Send("LMSG ln1 $G bar 0 2\r\nok\r\n");
            rc.PingPong();
            c.ExpectMsgs(1)[0].Check("bar", "1", "", 2, "ok");
            rc.Send("LMSG ln1 $G foo + reply bar baz 0 2\r\nok\r\n");
            rc.PingPong();
            var msgs = c.ExpectMsgs(2);
            msgs.Select(m => m.Sid).Order().ShouldBe(["2", "3"]);
            foreach (var m in msgs) m.Check("foo", null, "reply", 2, "ok");
            c.ExpectNothing();
        }

        // A remote without origin support in LS-.
        using (var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("LNOC:22"))
        {
            rc.SendRouteInfo("LNOC:22", info => { info["lnoc"] = true; info["lnocu"] = false; });
            rc.Expect(RsubRe);
            rc.PingPong();
            LsProtos(rc, lnocu: false);
        }
        CheckFor(TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(10), () => s.NumRoutes != 0 ? $"Expected no route, got {s.NumRoutes}" : null);

        // One with it.
        using (var rc = NewRouteConn.Create("127.0.0.1", s.ClusterPort).Setup("LNOC:22"))
        {
            rc.SendRouteInfo("LNOC:22", info => { info["lnoc"] = true; info["lnocu"] = true; });
            rc.Expect(RsubRe);
            rc.PingPong();
            LsProtos(rc, lnocu: true);
        }
    }

    private sealed class Disposables : IDisposable
    {
        private readonly List<IDisposable> _items = [];
        public T Add<T>(T item) where T : IDisposable { _items.Add(item); return item; }
        public void Dispose() { foreach (var d in _items) d.Dispose(); }
    }
}
