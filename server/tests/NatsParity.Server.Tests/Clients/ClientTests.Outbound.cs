using System.Text;
using NATS.Client.Core;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestClientSlowConsumerWithoutConnect")]
    public async Task ClientSlowConsumerWithoutConnect()
    {
        await using var s = InProcess.Run(new ServerOptions { WriteDeadline = TimeSpan.FromMilliseconds(100) });
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        c.Send("SUB foo 1\r\n");

        await using var nc = new NatsConnection(InProcess.ClientOpts(s));
        var payload = new byte[10000];
        for (int i = 0; i < 10000; i++) await nc.PublishAsync("foo", payload);
        await nc.PingAsync();
        (await InProcess.WaitFor(() => Interlocked.Read(ref s.SlowConsumers) == 1, TimeSpan.FromSeconds(1), pollMs: 15)).ShouldBeTrue(
            $"expected 1 slow consumer, got {Interlocked.Read(ref s.SlowConsumers)}");
    }

    [Fact, GoTest("server/client_test.go", "TestPBNotIncreasedOnMaxPending")]
    public void PBNotIncreasedOnMaxPending()
    {
        var (_, c) = SetupClient(new ServerOptions { NoLog = true, MaxPending = 100, MaxPayload = 100 });
        c.C.EnqueueProto(new byte[200]);
        c.C.PendingBytes.ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestClientFlushOutboundNoSlowConsumer")]
    public async Task ClientFlushOutboundNoSlowConsumer()
    {
        await using var s = InProcess.Run(new ServerOptions
        {
            MaxPending = 140L * 1024 * 1024, MaxPayload = 16 * 1024 * 1024, WriteDeadline = TimeSpan.FromSeconds(30),
        });
        // Go throttles this subscriber through an 8MB/s proxy so its queue outgrows 64MB; here it simply does not read
        // until all 128MB are queued, then drains.
        using var nca = ProtoClient.Connect("127.0.0.1", s.Port, timeout: TimeSpan.FromSeconds(30));
        nca.Send("CONNECT {\"verbose\":false}\r\nSUB test 1\r\nPING\r\n");
        nca.ReadLine().ShouldBe("PONG\r\n");
        var cid = nca.Info!.Value.GetProperty("client_id").GetUInt64();

        using var ncb = ProtoClient.Connect("127.0.0.1", s.Port, timeout: TimeSpan.FromSeconds(30));
        ncb.Send("CONNECT {\"verbose\":false}\r\n");
        const int size = 16 * 1024 * 1024;
        var op = Encoding.ASCII.GetBytes($"PUB test {size}\r\n");
        var pub = new byte[op.Length + size + 2];
        op.CopyTo(pub, 0);
        "\r\n"u8.CopyTo(pub.AsSpan(op.Length + size));
        for (int i = 0; i < 8; i++) ncb.Send(pub);
        ncb.Send("PING\r\n");
        ncb.ReadLine().ShouldBe("PONG\r\n");

        var ca = s.Clients.Single(x => x.Cid == cid);
        ca.PendingBytes.ShouldBeGreaterThan(64L * 1024 * 1024);

        var msgs = nca.ExpectMsgs(8, TimeSpan.FromSeconds(30));
        msgs.Count.ShouldBe(8);
        msgs.ShouldAllBe(m => m.Payload.Length == size);
        Interlocked.Read(ref s.SlowConsumers).ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestClientOutboundQueueCoalesce")]
    public void ClientOutboundQueueCoalesce()
    {
        var (_, c) = SetupClient();
        c.C.EnqueueProto([1, 2, 3, 4, 5]);
        c.C.QueuedChunkLengths().ShouldBe([5]);

        c.C.EnqueueProto([6, 7, 8, 9, 10]);
        c.C.QueuedChunkLengths().ShouldBe([10]);

        c.C.EnqueueProto(new byte[ClientConnection.ChunkSize]);
        c.C.QueuedChunkLengths().ShouldBe([ClientConnection.ChunkSize, 10]);
    }
}
