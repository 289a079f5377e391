using System.Diagnostics;
using System.Text;
using System.Text.Json;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/norace_*_test.go that run on one server. They measure time, so they run alone.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class NoRaceTests
{
    [Fact, GoTest("server/norace_2_test.go", "TestNoRaceProducerStallLimits")]
    public async Task NoRaceProducerStallLimits()
    {
        await using var s = InProcess.RunConf("listen: \"127.0.0.1:-1\"\n");
        var ct = TestContext.Current.CancellationToken;

        // The receiver answers every request it gets.
        using var ncSlow = ProtoClient.Login("127.0.0.1", s.Port, commands: "SUB foo 1\r\n", connectFields: ",\"name\":\"slow\"");
        ncSlow.Flush();
        // On a thread of its own, as nats.go's subscription handler has its goroutine: a pool thread blocked reading
        // would hold up the server's own work on two cores.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var responder = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                MsgFrame m;
                try { m = ncSlow.ReadMsg(TimeSpan.FromMilliseconds(200)); }
                catch (Exception) when (stop.IsCancellationRequested) { return; }
                catch (ProtoException) { continue; }
                if (m.Reply is { } reply) ncSlow.Send($"PUB {reply} 2\r\n42\r\n");
            }
        }) { IsBackground = true };
        responder.Start();

        using var ncProd = ProtoClient.Login("127.0.0.1", s.Port, commands: "SUB resp.* 9\r\n", connectFields: ",\"name\":\"fast\"");
        ncProd.Flush();
        var c = s.Clients.Single(x => x.Options.Name == "slow");
        // One round trip first, so that what is timed below is not the first (JIT-compiling) run of these paths.
        ncProd.Send("PUB foo resp.0 5\r\nHELLO\r\n");
        ncProd.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("resp.0");

        // A stall gate set by hand on the receiver: nothing opens it, so the request waits out one stall.
        c.SetStallGateForTest();
        var sw = Stopwatch.StartNew();
        ncProd.Send("PUB foo resp.1 5\r\nHELLO\r\n");
        ncProd.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("resp.1");
        var elapsed = sw.Elapsed;
        elapsed.ShouldBeGreaterThanOrEqualTo(ClientConnection.StallMin);
        elapsed.ShouldBeLessThan(ClientConnection.StallMax + TimeSpan.FromMilliseconds(5));

        // With the receiver's queue kept over three quarters of max_pending, each delivery stalls, up to the total
        // allowed for what one read brought.
        c.SetStallGateForTest(s.Options.MaxPending / 4 * 3 + 100);
        var batch = new StringBuilder();
        for (int i = 0; i < 10; i++) batch.Append("PUB foo bar 5\r\nHELLO\r\n");
        batch.Append("PUB foo resp.2 5\r\nHELLO\r\n");
        sw.Restart();
        ncProd.Send(batch.ToString());
        ncProd.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("resp.2");
        elapsed = sw.Elapsed;
        elapsed.ShouldBeGreaterThanOrEqualTo(ClientConnection.StallTotalAllowed);
        elapsed.ShouldBeLessThan(ClientConnection.StallTotalAllowed + TimeSpan.FromMilliseconds(20));

        Interlocked.Read(ref c.Stalls).ShouldBeGreaterThan(0, "Expected stalls count to be incremented");
        var (json, err) = s.Monitor.Render(NatsParity.Server.Monitoring.Monitor.ConnzPath, MonitorQuery.From(new Dictionary<string, string>()));
        err.ShouldBeNull();
        var conn = JsonDocument.Parse(json!).RootElement.GetProperty("connections").EnumerateArray()
            .Single(x => x.GetProperty("cid").GetUInt64() == c.Cid);
        (conn.TryGetProperty("stalls", out var st) ? st.GetInt64() : 0).ShouldBeGreaterThanOrEqualTo(1, "Expected connz stalls count to be incremented");
        Interlocked.Read(ref s.StalledClients).ShouldBeGreaterThanOrEqualTo(1, "Expected total stalled clients to be incremented");

        await stop.CancelAsync();
        responder.Join();
    }

    /// <summary>no_fast_producer_stall (what Go's TestNoRaceNoFastProducerStall checks through message tracing, which is
    /// not built): a receiver falling behind misses the message rather than holding the publisher back; a reload
    /// turns stalling back on.</summary>
    [Fact]
    public async Task NoFastProducerStallSkipsTheReceiver()
    {
        const string tmpl = "listen: \"127.0.0.1:-1\"\nno_fast_producer_stall: {0}\n";
        await using var s = InProcess.RunConf(string.Format(tmpl, "true"), out var conf);
        using var ncSlow = ProtoClient.Login("127.0.0.1", s.Port, commands: "SUB foo 1\r\n", connectFields: ",\"name\":\"slow\"");
        ncSlow.Flush();
        using var ncProd = ProtoClient.Login("127.0.0.1", s.Port);
        ncProd.Flush();
        var c = s.Clients.Single(x => x.Options.Name == "slow");

        c.SetStallGateForTest();
        ncProd.Send("PUB foo 5\r\nHELLO\r\n");
        ncProd.Flush();
        // The message was not queued for the receiver: its next line is the PONG.
        ncSlow.Send("PING\r\n");
        ncSlow.ReadLine().ShouldBe("PONG\r\n");
        Interlocked.Read(ref c.Stalls).ShouldBe(0);

        File.WriteAllText(conf, string.Format(tmpl, "false"));
        s.Reload().ShouldBeNull();
        c.SetStallGateForTest();
        ncProd.Send("PUB foo 5\r\nHELLO\r\n");
        ncProd.Flush();
        ncSlow.ReadMsg().PayloadText.ShouldBe("HELLO");
        Interlocked.Read(ref c.Stalls).ShouldBe(1);
    }
}
