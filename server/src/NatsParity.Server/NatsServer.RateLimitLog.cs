using System.Collections.Concurrent;
using System.Diagnostics;

namespace NatsParity.Server;

/// <summary>Go's rate-limited logging: a statement (or, for the format variant, a format) is logged once, then not
/// again until it has been quiet for the interval (one second unless changed).</summary>
public sealed partial class NatsServer
{
    private readonly ConcurrentDictionary<string, long> _rateLimitLogging = new(StringComparer.Ordinal);
    private long _rateLimitLogIntervalTicks = TimeSpan.FromSeconds(1).Ticks;
    private Timer? _rateLimitLogTimer;

    /// <summary>Go's startRateLimitLogExpiration: entries older than the interval are dropped at each tick.</summary>
    private void StartRateLimitLogExpiration() =>
        _rateLimitLogTimer = new Timer(_ => ExpireRateLimitLog(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    private void ExpireRateLimitLog()
    {
        long now = Stopwatch.GetTimestamp();
        var interval = TimeSpan.FromTicks(Interlocked.Read(ref _rateLimitLogIntervalTicks));
        foreach (var (k, start) in _rateLimitLogging)
            if (Stopwatch.GetElapsedTime(start, now) >= interval) _rateLimitLogging.TryRemove(k, out _);
    }

    /// <summary>Go's changeRateLimitLogInterval (tests): a new interval, also the new tick.</summary>
    internal void ChangeRateLimitLogInterval(TimeSpan d)
    {
        if (d <= TimeSpan.Zero) return;
        Interlocked.Exchange(ref _rateLimitLogIntervalTicks, d.Ticks);
        _rateLimitLogTimer?.Change(d, d);
    }

    /// <summary>True the first time <paramref name="key"/> is seen within the interval.</summary>
    internal bool RateLimitLogFirst(string key) => _rateLimitLogging.TryAdd(key, Stopwatch.GetTimestamp());

    /// <summary>Go's RateLimitWarnf.</summary>
    public void RateLimitWarn(string statement)
    {
        if (RateLimitLogFirst(statement)) Logger.Warn(statement);
    }

    /// <summary>Go's rateLimitFormatWarnf: limited by the format, whatever its values.</summary>
    internal void RateLimitFormatWarn(string format, string statement)
    {
        if (RateLimitLogFirst(format)) Logger.Warn(statement);
    }

    /// <summary>Go's RateLimitErrorf.</summary>
    public void RateLimitError(string statement)
    {
        if (RateLimitLogFirst(statement)) Logger.Error(statement);
    }

    /// <summary>Go's RateLimitDebugf.</summary>
    public void RateLimitDebug(string statement)
    {
        if (RateLimitLogFirst(statement)) Logger.Debug(statement);
    }
}
