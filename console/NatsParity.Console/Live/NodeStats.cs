using System.Text.Json;

namespace NatsParity.Console.Live;

/// <summary>One varz sample of a node.</summary>
public sealed record VarzSample(DateTime At, long Connections, long Subscriptions, long InMsgs, long OutMsgs, long InBytes,
    long OutBytes, long SlowConsumers, string Uptime, long Mem, long Routes = 0)
{
    public static VarzSample Parse(JsonElement v, DateTime at)
    {
        long L(string name) => v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : 0;
        string S(string name) => v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() ?? "" : "";
        return new VarzSample(at, L("connections"), L("subscriptions"), L("in_msgs"), L("out_msgs"), L("in_bytes"), L("out_bytes"),
            L("slow_consumers"), S("uptime"), L("mem"), L("routes"));
    }
}

/// <summary>A node's live counters: the last sample, per-second rates from the previous one, and a bounded history of
/// the message rate for the sparkline.</summary>
public sealed class NodeStats
{
    public const int HistoryLength = 60;

    private readonly Queue<double> _history = new();

    public VarzSample? Last { get; private set; }
    public double InMsgsRate { get; private set; }
    public double OutMsgsRate { get; private set; }
    public double InBytesRate { get; private set; }
    public double OutBytesRate { get; private set; }
    public string? Error { get; private set; }

    public IReadOnlyCollection<double> History => _history;

    public void Add(VarzSample s)
    {
        if (Last is { } prev && s.At > prev.At)
        {
            double dt = (s.At - prev.At).TotalSeconds;
            InMsgsRate = Math.Max(0, (s.InMsgs - prev.InMsgs) / dt);
            OutMsgsRate = Math.Max(0, (s.OutMsgs - prev.OutMsgs) / dt);
            InBytesRate = Math.Max(0, (s.InBytes - prev.InBytes) / dt);
            OutBytesRate = Math.Max(0, (s.OutBytes - prev.OutBytes) / dt);
            _history.Enqueue(InMsgsRate + OutMsgsRate);
            while (_history.Count > HistoryLength) _history.Dequeue();
        }
        Last = s;
        Error = null;
    }

    public void Fail(string error) => Error = error;
}

/// <summary>Block-character sparklines, scaled to the largest value shown.</summary>
public static class Sparkline
{
    private static readonly char[] Blocks = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

    public static string Render(IEnumerable<double> values, int width)
    {
        var v = values.TakeLast(width).ToArray();
        if (v.Length == 0) return "";
        double max = v.Max();
        var chars = new char[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            int level = max <= 0 ? 0 : (int)Math.Round(v[i] / max * (Blocks.Length - 1));
            if (v[i] > 0 && level == 0) level = 1;
            chars[i] = Blocks[level];
        }
        return new string(chars);
    }
}

/// <summary>Human-readable counts and rates.</summary>
public static class Units
{
    public static string Count(double n) => n switch
    {
        >= 1_000_000_000 => $"{n / 1_000_000_000:0.#}G",
        >= 1_000_000 => $"{n / 1_000_000:0.#}M",
        >= 10_000 => $"{n / 1_000:0.#}K",
        _ => $"{n:0}",
    };

    public static string Bytes(double n) => n switch
    {
        >= 1L << 30 => $"{n / (1L << 30):0.#}GiB",
        >= 1L << 20 => $"{n / (1L << 20):0.#}MiB",
        >= 1L << 10 => $"{n / (1L << 10):0.#}KiB",
        _ => $"{n:0}B",
    };
}
