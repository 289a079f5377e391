using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using NatsParity.Testing;

namespace NatsParity.Bench;

/// <summary>One measured figure; throughput is better higher, latency and memory lower.</summary>
internal sealed record Measure(string Scenario, string Unit, bool HigherIsBetter, double Value);

/// <summary>The load scenarios: each starts from a fresh server, is bounded in count and time, and uses loopback only.</summary>
internal sealed class Scenarios(bool quick)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);
    private int Scale(int full) => quick ? Math.Max(1, full / 5) : full;

    /// <summary>Each scenario with a warm-up: a shorter run on the same server first, discarded, so both targets (and
    /// the load generator) are measured warm, as long-running servers are. Memory scenarios start from a fresh server.</summary>
    public IEnumerable<(string Name, Func<NatsServerProcess, IEnumerable<Measure>>? WarmUp, Func<NatsServerProcess, IEnumerable<Measure>> Run)> All()
    {
        (string, Func<NatsServerProcess, IEnumerable<Measure>>?, Func<NatsServerProcess, IEnumerable<Measure>>) Throughput(
            string name, int payload, int pubs, int subs, bool queue, int count) =>
            (name, s => [PubSub(s, name, payload, pubs, subs, queue, Math.Max(pubs * 1000, count / 5))],
                s => [PubSub(s, name, payload, pubs, subs, queue, count)]);

        yield return Throughput("pub-only 16 B", 16, pubs: 1, subs: 0, queue: false, Scale(2_000_000));
        yield return Throughput("1→1 16 B", 16, 1, 1, false, Scale(1_000_000));
        yield return Throughput("1→1 1 KiB", 1024, 1, 1, false, Scale(200_000));
        yield return Throughput("1→4 fan-out 16 B", 16, 1, 4, false, Scale(500_000));
        yield return Throughput("4→4 16 B", 16, 4, 4, false, Scale(250_000));
        yield return Throughput("queue 1→4 members 16 B", 16, 1, 4, true, Scale(1_000_000));
        yield return ("request/reply latency", s => RequestReply(s, Scale(4_000)), s => RequestReply(s, Scale(20_000)));
        yield return ("connection churn", s => [Churn(s, Scale(200))], s => [Churn(s, Scale(1_000))]);
        yield return ("100,000 subscriptions", null, s => ManySubscriptions(s, quick ? 20_000 : 100_000));
        yield return ("1,000 idle connections", null, s => [IdleConnections(s, quick ? 200 : 1_000)]);
    }

    /// <summary>Publishers send <paramref name="count"/> messages each... split evenly; every subscriber (or one queue
    /// member per message) receives them; the rate is delivered messages per second (published, without subscribers).</summary>
    private static Measure PubSub(NatsServerProcess s, string name, int payload, int pubs, int subs, bool queue, int count)
    {
        const string subject = "bench.s";
        var body = new string('x', payload);
        var subsConns = new List<LoadClient>();
        for (int i = 0; i < subs; i++)
        {
            var c = new LoadClient(s.Port);
            c.Handshake();
            c.Send(queue ? $"SUB {subject} q {i + 1}\r\n" : $"SUB {subject} {i + 1}\r\n");
            c.Flush();
            subsConns.Add(c);
        }
        var pubConns = Enumerable.Range(0, pubs).Select(_ => { var c = new LoadClient(s.Port); c.Handshake(); return c; }).ToList();
        int perPub = count / pubs;
        const int batch = 1000;
        var frame = Encoding.ASCII.GetBytes($"PUB {subject} {payload}\r\n{body}\r\n");
        var batchBytes = new byte[frame.Length * batch];
        for (int i = 0; i < batch; i++) frame.CopyTo(batchBytes, i * frame.Length);

        long totalMsgs = (long)perPub * pubs;
        long delivered = subs == 0 ? totalMsgs : queue ? totalMsgs : totalMsgs * subs;
        // Sids 1..9 keep every MSG frame the same length, so the bytes to expect are known exactly.
        long frameLen = Encoding.ASCII.GetByteCount($"MSG {subject} 1 {payload}\r\n") + payload + 2;
        var totals = subsConns.Select(_ => new StrongBox<long>()).ToList();
        var shared = new StrongBox<long>();
        var sw = Stopwatch.StartNew();
        var receivers = subsConns.Select((c, i) => Task.Factory.StartNew(
            () => c.Drain(queue ? shared : totals[i], frameLen * totalMsgs, RunTimeout), TaskCreationOptions.LongRunning)).ToList();
        var senders = pubConns.Select(c => Task.Factory.StartNew(() =>
        {
            for (int sent = 0; sent < perPub; sent += batch)
            {
                if (sent + batch <= perPub) c.Send(batchBytes);
                else c.Send(batchBytes.AsSpan(0, frame.Length * (perPub - sent)).ToArray());
            }
            c.Flush();
        }, TaskCreationOptions.LongRunning)).ToList();
        Task.WaitAll([.. senders], RunTimeout).ShouldHold($"{name}: publishers did not finish in time");
        Task.WaitAll([.. receivers], RunTimeout).ShouldHold($"{name}: subscribers did not finish in time");
        sw.Stop();
        long got = queue ? shared.Value : totals.Sum(t => t.Value);
        long want = frameLen * (queue ? totalMsgs : totalMsgs * subs);
        (got >= want).ShouldHold($"{name}: received {got} of {want} bytes");
        Dispose(subsConns, pubConns);
        return new Measure(name, "msgs/s", true, delivered / sw.Elapsed.TotalSeconds);
    }

    private static IEnumerable<Measure> RequestReply(NatsServerProcess s, int count)
    {
        using var responder = new LoadClient(s.Port);
        responder.Handshake();
        responder.Send("SUB bench.req 1\r\n");
        responder.Flush();
        using var stop = new CancellationTokenSource();
        var serve = Task.Factory.StartNew(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var line = responder.ReadLine();
                    if (!line.StartsWith("MSG ", StringComparison.Ordinal)) continue;
                    var f = line.Split(' ');
                    int size = int.Parse(f[^1]);
                    var payload = responder.ReadBytes(size + 2);
                    responder.Send(Encoding.ASCII.GetBytes($"PUB {f[3]} {size}\r\n").Concat(payload).ToArray());
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException) { }
        }, TaskCreationOptions.LongRunning);

        using var requester = new LoadClient(s.Port);
        requester.Handshake();
        requester.Send("SUB bench.reply 1\r\n");
        requester.Flush();
        var request = Encoding.ASCII.GetBytes("PUB bench.req bench.reply 16\r\n0123456789abcdef\r\n");
        var lat = new double[count];
        for (int i = -200; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            requester.Send(request);
            string line;
            do line = requester.ReadLine(); while (!line.StartsWith("MSG ", StringComparison.Ordinal));
            requester.ReadBytes(18);
            if (i >= 0) lat[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }
        stop.Cancel();
        Array.Sort(lat);
        double P(double q) => lat[Math.Min(lat.Length - 1, (int)(q * lat.Length))];
        return
        [
            new Measure("request/reply p50", "µs", false, P(0.50)),
            new Measure("request/reply p99", "µs", false, P(0.99)),
            new Measure("request/reply p99.9", "µs", false, P(0.999)),
        ];
    }

    private static Measure Churn(NatsServerProcess s, int count)
    {
        var sw = Stopwatch.StartNew();
        int done = 0;
        for (; done < count && sw.Elapsed < RunTimeout; done++)
        {
            using var c = new LoadClient(s.Port);
            c.Handshake();
        }
        return new Measure("connection churn", "conns/s", true, done / sw.Elapsed.TotalSeconds);
    }

    private static IEnumerable<Measure> ManySubscriptions(NatsServerProcess s, int count)
    {
        long before = Rss(s.Pid);
        using var c = new LoadClient(s.Port);
        c.Handshake();
        var sb = new StringBuilder();
        for (int i = 0; i < count; i++) sb.Append("SUB bench.sub.").Append(i).Append(' ').Append(i + 1).Append("\r\n");
        var sw = Stopwatch.StartNew();
        c.Send(sb.ToString());
        c.Flush();
        var subscribeRate = count / sw.Elapsed.TotalSeconds;
        Thread.Sleep(200);
        long after = Rss(s.Pid);

        // Match rate: publish to subscribed subjects spread over the whole set, from another connection.
        using var p = new LoadClient(s.Port);
        p.Handshake();
        int msgs = Math.Min(count, 100_000);
        var rnd = new Random(7);
        var pubs = new StringBuilder();
        long expected = 0;
        for (int i = 0; i < msgs; i++)
        {
            int k = rnd.Next(count);
            pubs.Append("PUB bench.sub.").Append(k).Append(" 2\r\nok\r\n");
            expected += Encoding.ASCII.GetByteCount($"MSG bench.sub.{k} {k + 1} 2\r\n") + 4;
        }
        var bytes = Encoding.ASCII.GetBytes(pubs.ToString());
        sw.Restart();
        var received = new StrongBox<long>();
        var recv = Task.Factory.StartNew(() => c.Drain(received, expected, RunTimeout), TaskCreationOptions.LongRunning);
        p.Send(bytes);
        recv.Wait(RunTimeout);
        var matchRate = msgs / sw.Elapsed.TotalSeconds;
        return
        [
            new Measure("100,000 subscriptions: subscribe rate", "subs/s", true, subscribeRate),
            new Measure("100,000 subscriptions: memory per subscription", "bytes", false, Math.Max(0, after - before) / (double)count),
            new Measure("100,000 subscriptions: match and deliver", "msgs/s", true, matchRate),
        ];
    }

    private static Measure IdleConnections(NatsServerProcess s, int count)
    {
        Thread.Sleep(300);
        long before = Rss(s.Pid);
        var conns = new List<LoadClient>();
        for (int i = 0; i < count; i++)
        {
            var c = new LoadClient(s.Port);
            c.Handshake();
            conns.Add(c);
        }
        Thread.Sleep(500);
        long after = Rss(s.Pid);
        foreach (var c in conns) c.Dispose();
        return new Measure("1,000 idle connections: memory per connection", "bytes", false, Math.Max(0, after - before) / (double)count);
    }

    /// <summary>Resident memory of a process in bytes (Linux /proc).</summary>
    private static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    private static void Dispose(List<LoadClient> a, List<LoadClient> b)
    {
        foreach (var c in a.Concat(b)) c.Dispose();
    }
}

internal static class BoolChecks
{
    public static void ShouldHold(this bool ok, string message)
    {
        if (!ok) throw new InvalidOperationException(message);
    }
}
