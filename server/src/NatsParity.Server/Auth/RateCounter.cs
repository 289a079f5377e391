namespace NatsParity.Server.Auth;

/// <summary>Go's rateCounter: at most <c>limit</c> events per one-second window; the ones refused are counted until
/// read.</summary>
internal sealed class RateCounter(long limit)
{
    private readonly Lock _mu = new();
    private long _count;
    private ulong _blocked;
    private long _endTicks;

    /// <summary>The window's length: a second, as Go's; tests shorten it.</summary>
    internal TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    public bool Allow()
    {
        long now = DateTime.UtcNow.Ticks;
        lock (_mu)
        {
            if (now > _endTicks)
            {
                _count = 0;
                _endTicks = now + Interval.Ticks;
            }
            else
            {
                _count++;
            }
            bool allow = _count < limit;
            if (!allow) _blocked++;
            return allow;
        }
    }

    /// <summary>The events refused since the last call.</summary>
    public ulong CountBlocked()
    {
        lock (_mu)
        {
            ulong b = _blocked;
            _blocked = 0;
            return b;
        }
    }
}
