using System.Text;
using System.Threading.Channels;
using NATS.Client.Core;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/fanout_test.go: ordering under high fanout and route formation with many subscriptions.</summary>
public sealed class FanoutTests
{
    /// <summary>Go uses 100 connections x 100 subscriptions; 50 x 50 keeps the .NET client side within a few seconds.</summary>
    [Theory, TargetData]
    [GoTest("test/fanout_test.go", "TestNoRaceHighFanoutOrdering")]
    public async Task HighFanoutOrdering(ServerTarget target)
    {
        const int nconns = 50, nsubs = 50, npubs = 500;
        var ct = TestContext.Current.CancellationToken;
        using var server = NatsServerProcess.Start(target);

        // Wait mode: the client must not drop messages itself, or a gap would look like a server reordering.
        var opts = new NatsOpts { ConnectTimeout = TimeSpan.FromSeconds(10), Url = server.Url, SubPendingChannelFullMode = BoundedChannelFullMode.Wait };
        var subj = "_INBOX." + Guid.NewGuid().ToString("N");
        var conns = new List<NatsConnection>();
        var receivers = new List<Task>();
        try
        {
            for (var i = 0; i < nconns; i++)
            {
                var nc = new NatsConnection(opts);
                conns.Add(nc);
                await nc.ConnectAsync();
                for (var y = 0; y < nsubs; y++)
                {
                    var sub = await nc.SubscribeCoreAsync<string>(subj, cancellationToken: ct);
                    receivers.Add(ReceiveInOrder(sub, npubs, ct));
                }
                await nc.PingAsync(ct);
            }

            var pub = new NatsConnection(opts);
            conns.Add(pub);
            for (var i = 0; i < npubs; i++)
                await pub.PublishAsync(subj, i.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: ct);

            await Task.WhenAll(receivers).WaitAsync(TimeSpan.FromSeconds(60), ct);
        }
        finally
        {
            foreach (var nc in conns)
                await nc.DisposeAsync();
        }
    }

    private static async Task ReceiveInOrder(INatsSub<string> sub, int npubs, CancellationToken ct)
    {
        await using (sub)
        {
            var expected = 0;
            await foreach (var msg in sub.Msgs.ReadAllAsync(ct))
            {
                int.Parse(msg.Data!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(expected);
                if (++expected >= npubs)
                    return;
            }
            Assert.Fail($"Subscription ended after {expected} of {npubs} messages.");
        }
    }

    private static ServerConfig ClusterConfig(int listen, int peer) => new()
    {
        Monitoring = true,
        NoSystemAccount = true,
        Extra = $$"""
            cluster {
              listen: 127.0.0.1:{{listen}}
              name: xyz
              authorization {
                user: ruser
                password: top_secret
                timeout: 0.5
              }
              routes = [
                nats-route://ruser:top_secret@127.0.0.1:{{peer}}
              ]
            }
            """,
    };

    /// <summary>Polls <paramref name="check"/> (null means satisfied) until it holds or <paramref name="timeout"/> passes.</summary>
    private static async Task<string?> WaitFor(TimeSpan timeout, Func<Task<string?>> check, CancellationToken ct, bool throwOnTimeout = true)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var error = await check();
            if (error is null)
                return null;
            if (DateTime.UtcNow >= deadline)
                return throwOnTimeout ? throw new TimeoutException(error) : error;
            await Task.Delay(100, ct);
        }
    }
}
