using NATS.Client.Core;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/maxpayload_test.go: max_payload enforcement for clients that honour INFO and for those that do not.</summary>
public sealed class MaxPayloadTests
{
    [Theory, TargetData]
    [GoTest("test/maxpayload_test.go", "TestMaxPayload")]
    public async Task MaxPayload(ServerTarget target)
    {
        // configs/override.conf
        using var server = NatsServerProcess.Start(target, new ServerConfig { MaxPayload = 2222 });
        await using var nc = new NatsConnection(new NatsOpts { ConnectTimeout = TimeSpan.FromSeconds(10), Url = server.Url });
        await nc.ConnectAsync();

        const int size = 4 * 1024 * 1024;
        var big = new byte[size];
        await Should.ThrowAsync<NatsPayloadTooLargeException>(async () => await nc.PublishAsync("foo", big));

        using var c = ProtoClient.Connect(server);
        c.Send($"PUB bar {size}\r\n");
        c.ReadLine().ShouldContain("Maximum Payload Violation");

        // The client that checked INFO's max_payload before sending keeps its connection.
        nc.ConnectionState.ShouldNotBe(NatsConnectionState.Closed);

        // The raw client that went ahead is disconnected, so sending the payload fails.
        Should.Throw<IOException>(() => c.Send(big));
    }

    [Theory, TargetData]
    [GoTest("test/maxpayload_test.go", "TestMaxPayloadOverrun")]
    public void MaxPayloadOverrun(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with { MaxPayload = 10000 });

        // A size that overflows int32.
        using (var c = ProtoClient.Connect(server).Setup())
        {
            c.Send("PUB foo 199380988\r\n");
            c.ExpectLine(ProtoRegex.Err);
        }

        // A size that overflows int64 is unparseable; the server just drops the connection.
        using (var c = ProtoClient.Connect(server).Setup())
        {
            c.Send("PUB foo 18446744073709551615123\r\n");
            c.ExpectClosed(TimeSpan.FromMilliseconds(200)).ShouldBe("");
        }
    }
}
