using NatsParity.Testing;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of test/cluster_test.go: two and three servers in a cluster, clients on each.</summary>
public sealed partial class ClusterTests
{
    [Fact, GoTest("test/cluster_test.go", "TestDoubleRouteConfig")]
    public async Task DoubleRouteConfig()
    {
        var (a, b) = RunServers();
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Fact, GoTest("test/cluster_test.go", "TestBasicClusterPubSub")]
    public async Task BasicClusterPubSub()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        using var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        using var clientB = ProtoClient.Connect("127.0.0.1", srvB.Port).Setup();
        clientA.SendAndFlush("SUB foo 22\r\n");
        CheckExpectedSubs(1, srvA, srvB);
        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");
        var m = clientA.ExpectMsgs(1);
        m[0].Check("foo", "22", "", 2, "ok");
    }

    [Fact, GoTest("test/cluster_test.go", "TestClusterQueueSubs")]
    public async Task ClusterQueueSubs()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        using var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup();
        using var clientB = ProtoClient.Connect("127.0.0.1", srvB.Port).Setup();

        string[] qg1SidsA = ["1", "2", "3"];
        foreach (var sid in qg1SidsA) clientA.Send($"SUB foo qg1 {sid}\r\n");
        clientA.Flush();
        // One interest on B for the whole queue group.
        CheckExpectedSubs(1, srvB);

        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");
        var matches = clientA.ExpectMsgs(1);
        matches[0].Check("foo", null, "", 2, "ok");

        List<string> pSids = ["4", "5", "6"];
        foreach (var sid in pSids) clientA.Send($"SUB foo {sid}\r\n");
        pSids.Add("7");
        clientA.Send("SUB > 7\r\n");
        clientA.Flush();
        CheckExpectedSubs(3, srvB);

        clientB.SendAndFlush("PUB foo 2\r\nok\r\n");
        Thread.Sleep(250);
        matches = clientA.ExpectMsgs(5);
        CheckForQueueSid(matches, qg1SidsA);
        CheckForPubSids(matches, [.. pSids]);

        clientA.Send("PUB foo 2\r\nok\r\n");
        Thread.Sleep(250);
        matches = clientA.ExpectMsgs(5);
        CheckForQueueSid(matches, qg1SidsA);
        CheckForPubSids(matches, [.. pSids]);

        string[] qg2SidsB = ["1", "2", "3"];
        foreach (var sid in qg2SidsB) clientB.Send($"SUB foo qg2 {sid}\r\n");
        clientB.Flush();
        CheckExpectedSubs(qg1SidsA.Length + pSids.Count + 1, srvA);

        clientB.Send("PUB foo 2\r\nok\r\n");
        Thread.Sleep(250);
        matches = clientB.ExpectMsgs(1);
        CheckForQueueSid(matches, qg2SidsB);
        matches = clientA.ExpectMsgs(5);
        CheckForQueueSid(matches, qg1SidsA);
        CheckForPubSids(matches, [.. pSids]);

        foreach (var sid in qg1SidsA) clientA.Send($"UNSUB {sid}\r\n");
        clientA.Flush();
        CheckExpectedSubs(1 + 1 + qg2SidsB.Length, srvB);

        clientB.Send("PUB foo 2\r\nok\r\n");
        matches = clientB.ExpectMsgs(1);
        CheckForQueueSid(matches, qg2SidsB);
        clientB.Flush();
        matches = clientA.ExpectMsgs(4);
        CheckForPubSids(matches, [.. pSids]);

        clientA.Send("PUB foo 2\r\nok\r\n");
        Thread.Sleep(250);
        matches = clientA.ExpectMsgs(4);
        CheckForPubSids(matches, [.. pSids]);
    }
}
