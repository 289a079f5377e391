using System.Text.Json;
using NATS.Client.Core;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
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
    [Theory, TargetData]
    [GoTest("test/maxpayload_test.go", "TestAsyncInfoWithSmallerMaxPayload")]
    public void AsyncInfoWithSmallerMaxPayload(ServerTarget target)
    {
        const int testMaxPayload = 522;
        // Go's runOperatorServer (configs/operator.conf: the tests' operator, a memory resolver) with an account whose
        // JWT limits the payload; the reference cannot be handed the JWT at run time, so the resolver is preloaded.
        var op = JwtCreds.Operator;
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var ac = new AccountClaims(akp.PublicKey);
        ac.Limits.Payload = testMaxPayload;
        string ojwt = new OperatorClaims(op.PublicKey) { Name = "OP" }.Encode(op);
        var config = GoTestServers.Default with
        {
            Extra = $"operator: {ojwt}\nresolver: MEMORY\nresolver_preload: {{\n  {akp.PublicKey}: {ac.Encode(op)}\n}}\n",
        };
        using var server = NatsServerProcess.Start(target, config);

        // What a client that honours async INFO (protocol 1, as Go's nats.Connect) takes as the max payload once it
        // has connected and flushed.
        using var c = ProtoClient.Connect(server);
        long mp = c.Info!.Value.GetProperty("max_payload").GetInt64();
        c.Send(JwtCreds.ConnectLine(c, akp, fields: ",\"protocol\":1"));
        mp = ReadUntilPong(c, mp);
        c.Send("PING\r\n");
        mp = ReadUntilPong(c, mp);
        mp.ShouldBe(testMaxPayload);
    }

    /// <summary>Reads up to the next PONG; the max_payload of the last INFO read, else <paramref name="mp"/>.</summary>
    private static long ReadUntilPong(ProtoClient c, long mp)
    {
        for (int i = 0; i < 10; i++)
        {
            string line = c.ReadLine(TimeSpan.FromSeconds(2));
            if (line == "PONG\r\n") return mp;
            line.ShouldStartWith("INFO ");
            mp = JsonDocument.Parse(line[5..]).RootElement.GetProperty("max_payload").GetInt64();
        }
        throw new InvalidOperationException("no PONG");
    }
}
