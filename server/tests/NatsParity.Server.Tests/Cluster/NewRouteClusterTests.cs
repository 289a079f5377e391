using NATS.Client.Core;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using static NatsParity.Server.Tests.Cluster.ClusterTestSupport;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Ports of test/new_routes_test.go on two in-process servers (srv_a and srv_b): headers between servers with
/// and without header support, and queue groups seen through the NATS client.</summary>
public sealed class NewRouteClusterTests
{
    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteHeaderSupport")]
    public async Task NewRouteHeaderSupport()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        using var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup(headers: true);
        using var clientB = ProtoClient.Connect("127.0.0.1", srvB.Port).Setup(headers: true);

        clientA.SendAndFlush("SUB foo bar 22\r\n");
        CheckExpectedSubs(1, srvA, srvB);

        clientB.SendAndFlush("HPUB foo reply 12 14\r\nK1:V1,K2:V2 ok\r\n");
        clientA.ExpectHeaderMsgs(1)[0].CheckHeaders("foo", "22", "reply", 12, 14, "K1:V1,K2:V2 ", "ok");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteHeaderSupportOldAndNew")]
    public async Task NewRouteHeaderSupportOldAndNew()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        var optsA = SrvConf(pa, pb);
        optsA.NoHeaderSupport = true;
        await using var srvA = RunTestPackageServer(optsA);
        await using var srvB = RunTestPackageServer(SrvConf(pb, pa));
        CheckClusterFormed(srvA, srvB);

        using var clientA = ProtoClient.Connect("127.0.0.1", srvA.Port).Setup(headers: true);
        using var clientB = ProtoClient.Connect("127.0.0.1", srvB.Port).Setup(headers: true);

        clientA.SendAndFlush("SUB foo bar 22\r\n");
        CheckExpectedSubs(1, srvA, srvB);

        // A does not do headers: the message reaches its client without them.
        clientB.SendAndFlush("HPUB foo reply 12 14\r\nK1:V1,K2:V2 ok\r\n");
        clientA.ExpectMsgs(1)[0].Check("foo", "22", "reply", 2, "ok");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteNoQueueSubscribersBounce")]
    public async Task NewRouteNoQueueSubscribersBounce()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        var ncA = new NatsConnection(InProcess.ClientOpts(srvA));
        await using var _ncA = ncA;
        await using var ncB = new NatsConnection(InProcess.ClientOpts(srvB));
        await ncA.ConnectAsync();
        await ncB.ConnectAsync();

        byte[] response = "I will help you"u8.ToArray();
        var responders = new List<Task>();
        async Task Serve(NatsConnection nc)
        {
            var sub = await nc.SubscribeCoreAsync<byte[]>("foo.request", queueGroup: "workers");
            responders.Add(Task.Run(async () =>
            {
                try
                {
                    await foreach (var m in sub.Msgs.ReadAllAsync())
                        if (m.ReplyTo is { } r) await nc.PublishAsync(r, response);
                }
                catch (Exception) { /* the connection closed under it */ }
            }));
        }

        // Many queue members on A, one on B.
        await Serve(ncB);
        for (int i = 0; i < 100; i++) await Serve(ncA);
        await ncB.PingAsync();
        await ncA.PingAsync();

        int numAnswers = 0;
        var replyOpts = new NatsSubOpts { Timeout = TimeSpan.FromSeconds(1) };
        for (int i = 0; i < 500; i++)
        {
            try
            {
                await ncB.RequestAsync<byte[], byte[]>("foo.request", "Help Me"u8.ToArray(), replyOpts: replyOpts);
            }
            catch (Exception e)
            {
                Assert.Fail($"Received an error on Request test [{i}]: {e.Message}");
            }
            numAnswers++;
            // Once 20 have been answered the members on A go away.
            if (i == 20) await ncA.DisposeAsync();
        }
        numAnswers.ShouldBe(500, "Expect to get all 500 responses");
    }

    [Fact, GoTest("test/new_routes_test.go", "TestNewRouteLargeDistinctQueueSubscribers")]
    public async Task NewRouteLargeDistinctQueueSubscribers()
    {
        var (srvA, srvB) = RunServers();
        await using var _a = srvA;
        await using var _b = srvB;
        await using var ncA = new NatsConnection(InProcess.ClientOpts(srvA));
        await using var ncB = new NatsConnection(InProcess.ClientOpts(srvB));
        await ncA.ConnectAsync();
        await ncB.ConnectAsync();

        const int nqsubs = 100;
        var qsubs = new INatsSub<byte[]>[nqsubs];
        for (int i = 0; i < nqsubs; i++)
            qsubs[i] = await ncB.SubscribeCoreAsync<byte[]>("foo", queueGroup: $"worker-{i}");
        await ncB.PingAsync();
        // NATS.Client.Core subscribes its reply inbox as it connects (nats.go only at a first request): those two
        // subscriptions are not counted.
        CheckFor(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(10),
            () => NonInboxSubs(srvA) is var ns && ns != 100 ? $"Number of subscriptions is {ns}: {SubjectsOf(srvA)}" : null);

        // Every group gets each of the 10 messages.
        for (int i = 0; i < 10; i++) await ncA.PublishAsync<byte[]>("foo", []);
        await ncA.PingAsync();

        CheckFor(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10), () =>
        {
            foreach (var q in qsubs)
                if (q.Msgs.Count is var n && n != 10) return $"Number of messages is {n}";
            return null;
        });
        foreach (var q in qsubs) await q.DisposeAsync();
    }

    private static int NonInboxSubs(NatsServer s)
    {
        int n = 0;
        foreach (var a in s.Accounts)
        {
            var subs = new List<NatsParity.Server.Subscriptions.Subscription>();
            a.Sublist.All(subs);
            n += subs.Count(x => !x.Subject.StartsWith("_INBOX.", StringComparison.Ordinal));
        }
        return n;
    }

    /// <summary>The subjects (and queues) of every subscription on <paramref name="s"/>, for failure messages.</summary>
    private static string SubjectsOf(NatsServer s)
    {
        var all = new List<string>();
        foreach (var a in s.Accounts)
        {
            var subs = new List<NatsParity.Server.Subscriptions.Subscription>();
            a.Sublist.All(subs);
            all.AddRange(subs.Select(x => $"{a.Name}:{x.Subject}{(x.Queue is null ? "" : " " + x.Queue)}"));
        }
        return string.Join(", ", all.Order().Take(10));
    }
}
