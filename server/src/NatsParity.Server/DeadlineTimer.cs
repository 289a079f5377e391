namespace NatsParity.Server;

/// <summary>A one-shot timer for a deadline (a JWT's expiry) that may lie further off than a
/// <see cref="Timer"/> can wait (about 49 days): it waits in steps until the deadline passes, then fires once.</summary>
internal sealed class DeadlineTimer : IDisposable
{
    private static readonly TimeSpan MaxStep = TimeSpan.FromDays(30);
    private readonly DateTimeOffset _at;
    private readonly Action _fire;
    private readonly Timer _timer;

    public DeadlineTimer(DateTimeOffset at, Action fire)
    {
        _at = at;
        _fire = fire;
        _timer = new Timer(static s => ((DeadlineTimer)s!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _timer.Change(Step(), Timeout.InfiniteTimeSpan);
    }

    private TimeSpan Step()
    {
        var left = _at - DateTimeOffset.UtcNow;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left > MaxStep ? MaxStep : left;
    }

    private void Tick()
    {
        if (_at > DateTimeOffset.UtcNow)
        {
            try { _timer.Change(Step(), Timeout.InfiniteTimeSpan); }
            catch (ObjectDisposedException) { }
            return;
        }
        _fire();
    }

    public void Dispose() => _timer.Dispose();
}
