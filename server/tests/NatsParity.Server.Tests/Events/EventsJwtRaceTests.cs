using System.Text;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Events;

/// <summary>Go's TestSysSubscribeRace: a publisher holds a core in a loop, so it runs alone, after the parallel tests.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class EventsJwtRaceTests
{
    [Fact, GoTest("server/events_test.go", "TestSysSubscribeRace")]
    public async Task SysSubscribeRace()
    {
        var (s, _, akp) = EventsJwtTests.RunTrustedServerWithSystemAccount();
        await using var _ = s;
        using var nc = EventsJwtTests.Connect(s, akp);

        // A client publishing on foo without pause (bounded by time) while the internal subscription is made.
        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var publisher = Task.Run(() =>
        {
            var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("PUB foo 5\r\nhello\r\n", 64)));
            while (!done.IsCancellationRequested)
            {
                try { nc.Send(batch); }
                catch (IOException) { return; }
            }
        });
        await Task.Delay(10);

        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (sub, err) = s.SysSubscribe("foo", (_, _, _, _, _) => received.TrySetResult());
        err.ShouldBeNull();
        sub.ShouldNotBeNull();
        // Go waits a second; the publisher's loop holds one of two cores here, and other tests may hold the other.
        (await Task.WhenAny(received.Task, Task.Delay(TimeSpan.FromSeconds(5)))).ShouldBe(received.Task, "did not receive the message");
        done.Cancel();
        await publisher;
    }
}
