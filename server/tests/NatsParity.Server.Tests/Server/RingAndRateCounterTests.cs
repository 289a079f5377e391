using NatsParity.Server.Auth;
using NatsParity.Server.Clients;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/ring_test.go (the closed-connections ring) and server/rate_counter_test.go.</summary>
public sealed class RingAndRateCounterTests
{
    private static readonly string[] NoSubs = [];

    private static ClosedConnection Closed(string user = "") =>
        new(0, "", 0, default, default, ClosedState.ClientClosed, "", "", "", 0, 0, 0, 0, NoSubs, User: user);

    [Fact, GoTest("server/ring_test.go", "TestRBAppendAndLenAndTotal")]
    public void AppendAndLenAndTotal()
    {
        var rb = new ClosedConnections(10);
        for (int i = 0; i < 5; i++) rb.Add(Closed());
        rb.Count.ShouldBe(5);
        rb.TotalClosed.ShouldBe(5);
        for (int i = 0; i < 25; i++) rb.Add(Closed());
        rb.Count.ShouldBe(10);
        rb.TotalClosed.ShouldBe(30);
    }

    [Fact, GoTest("server/ring_test.go", "TestRBclosedClients")]
    public void ClosedClients()
    {
        var rb = new ClosedConnections(10);
        const int max = 100;
        var master = Enumerable.Range(1, max).Select(i => Closed(i.ToString())).ToList();
        int ui = 0;
        for (int i = 0; i < max; i++)
        {
            rb.Add(Closed((++ui).ToString()));
            var ccs = rb.Snapshot();
            int start = (int)rb.TotalClosed - ccs.Count;
            ccs.ShouldBe(master.GetRange(start, ccs.Count), $"test {i}");
        }
    }

    [Fact, GoTest("server/rate_counter_test.go", "TestRateCounter")]
    public async Task RateCounterWindow()
    {
        var counter = new RateCounter(10) { Interval = TimeSpan.FromMilliseconds(100) };
        for (int i = 0; i < 10; i++) counter.Allow().ShouldBeTrue($"counter should allow (iteration {i})");
        for (int i = 0; i < 5; i++) counter.Allow().ShouldBeFalse($"counter should not allow (iteration {i})");
        counter.CountBlocked().ShouldBe(5UL);
        counter.CountBlocked().ShouldBe(0UL);
        await Task.Delay(150, TestContext.Current.CancellationToken);
        counter.Allow().ShouldBeTrue("Expected true after current time window expired");
    }
}
