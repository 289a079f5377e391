using System.Text;
using CsCheck;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Conformance.Properties;

/// <summary>
/// Random protocol sessions (valid and invalid commands, random payloads, random split points across TCP writes) sent to
/// the reference and to ours: the observable outcome must agree and ours must stay healthy. A failure prints CsCheck's
/// seed; FUZZ_SEED=seed replays it, FUZZ_ITER=n runs more sessions than CI's bounded default.
/// </summary>
public sealed class DifferentialFuzzTests
{
    private const int MaxPayload = 64;
    private static readonly ServerConfig Config = new() { MaxPayload = MaxPayload };

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static readonly Gen<string> Subject = Pick("foo", "foo.bar", "foo.baz", "bar");
    private static readonly Gen<string> SubPattern = Pick("foo", "foo.bar", "foo.*", "foo.>", ">", "bar", "foo..bar", "foo.>.bar");
    private static readonly Gen<string> Payload = Gen.String[Gen.Char['a', 'z'], 0, 20];

    /// <remarks>Pedantic stays off: Go repeats a pedantic -ERR when the PUB's payload spans one of the server's reads
    /// (clonePubArg re-runs processPub), and where the server's reads split depends on TCP timing on either side.
    /// Ours does the same (see the parser), and the specs and golden fixtures cover pedantic mode.</remarks>
    private static readonly Gen<string> Connect =
        Gen.Select(Gen.Bool, Gen.Bool, Gen.Bool, (verbose, headers, echo) =>
            $"CONNECT {{\"verbose\":{L(verbose)},\"pedantic\":false,\"headers\":{L(headers)},\"echo\":{L(echo)}}}\r\n");

    private static string L(bool b) => b ? "true" : "false";

    private static readonly Gen<string> Command = Gen.Frequency(
        (5, Gen.Select(SubPattern, Pick<string?>(null, null, "q1", "q2"), Gen.Int[1, 6],
            (s, q, sid) => q is null ? $"SUB {s} {sid}\r\n" : $"SUB {s} {q} {sid}\r\n")),
        (2, Gen.Select(Gen.Int[1, 6], Gen.Int[-1, 3], (sid, max) => max < 0 ? $"UNSUB {sid}\r\n" : $"UNSUB {sid} {max}\r\n")),
        (8, Gen.Select(Subject, Pick<string?>(null, null, "reply.x"), Payload,
            (s, r, p) => r is null ? $"PUB {s} {p.Length}\r\n{p}\r\n" : $"PUB {s} {r} {p.Length}\r\n{p}\r\n")),
        (2, Gen.Select(Subject, Payload, (s, p) => $"HPUB {s} 12 {12 + p.Length}\r\nNATS/1.0\r\n\r\n{p}\r\n")),
        (1, Gen.Const("PUB foo.* 2\r\nok\r\n")),
        (2, Gen.Const("PING\r\n")));

    private static readonly Gen<string> Ending = Gen.Frequency(
        (12, Gen.Const("")),
        (1, Gen.Const("ZZZ\r\n")),
        (1, Gen.Const($"PUB foo {MaxPayload + 1}\r\n")),
        (1, Gen.Const("PUB foo\r\n")));

    private sealed record Session(string Connect, string[] Commands, string Ending, int[] Splits)
    {
        public string Bytes => Connect + string.Concat(Commands) + Ending + "PING\r\n";
        public override string ToString() => ProtoClient.Escape(Bytes) + $" split at [{string.Join(",", Splits)}]";
    }

    private static readonly Gen<Session> Sessions =
        Gen.Select(Connect, Command.Array[0, 12], Ending, Gen.Int[0, 400].Array[0, 3],
            (c, cmds, end, splits) => new Session(c, UniqueSids(cmds), end, splits));

    /// <summary>Each SUB gets a sid of its own and each UNSUB names an earlier one, so a sid never changes queue group
    /// mid-session (the outcome labels queue deliveries by group, which a reused sid would make ambiguous). A queue
    /// member is never given a message limit: which member a server picks is random, so which one uses up its limit
    /// (and so who gets later messages) would differ between runs of the same server.</summary>
    private static string[] UniqueSids(string[] cmds)
    {
        int next = 0;
        var queueSids = new HashSet<string>(StringComparer.Ordinal);
        var result = new string[cmds.Length];
        for (int i = 0; i < cmds.Length; i++)
        {
            var f = cmds[i].TrimEnd().Split(' ');
            if (f[0] == "SUB")
            {
                f[^1] = (++next).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (f.Length == 4) queueSids.Add(f[^1]);
                result[i] = string.Join(' ', f) + "\r\n";
            }
            else if (f[0] == "UNSUB")
            {
                f[1] = (next == 0 ? 1 : (int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) - 1) % next + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (queueSids.Contains(f[1])) f = f[..2];
                result[i] = string.Join(' ', f) + "\r\n";
            }
            else
            {
                result[i] = cmds[i];
            }
        }
        return result;
    }

    [Fact]
    public void RandomSessionsHaveTheSameOutcomeOnBothTargets()
    {
        Assert.SkipUnless(ServerTargets.IsSelected(ServerTarget.Ours) && ServerTargets.IsSelected(ServerTarget.Reference),
            "differential fuzzing compares two targets; select both with NATS_TARGET=both");
        using var reference = NatsServerProcess.Start(ServerTarget.Reference, Config);
        using var ours = NatsServerProcess.Start(ServerTarget.Ours, Config);

        int iter = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITER"), out var n) ? n : 500;
        string? seed = Environment.GetEnvironmentVariable("FUZZ_SEED") is { Length: > 0 } s ? s : null;
        Sessions.Sample(session =>
        {
            var refTask = Task.Run(() => Run(reference, session));
            var ourOutcome = Run(ours, session);
            var refOutcome = refTask.GetAwaiter().GetResult();
            ourOutcome.ShouldBe(refOutcome, $"session {session}");
        }, iter: seed is null ? iter : 1, seed: seed, threads: 1);

        // Ours is still healthy after everything it was sent.
        using var probe = ProtoClient.Connect(ours);
        probe.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        probe.ReadLine().ShouldBe("PONG\r\n");
    }

    /// <summary>The observable outcome: the frames and lines the client saw (INFO left out; runs of MSG frames sorted, since
    /// Go delivers to subscriptions on one node in map order), and whether the server closed the connection.</summary>
    private static string Run(NatsServerProcess server, Session session)
    {
        using var c = ProtoClient.Connect(server);
        var bytes = Encoding.ASCII.GetBytes(session.Bytes);
        int prev = 0;
        foreach (int split in session.Splits.Select(x => Math.Min(x, bytes.Length)).Order().Append(bytes.Length))
        {
            if (split <= prev) continue;
            try { c.Send(bytes.AsSpan(prev, split - prev)); } catch (IOException) { break; }
            prev = split;
            Thread.Sleep(2);
        }
        int pings = CountOf(session.Bytes, "PING\r\n");
        var received = new StringBuilder();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (!c.IsClosed && CountOf(received.ToString(), "PONG\r\n") < pings && DateTime.UtcNow < deadline)
            received.Append(c.Drain(TimeSpan.FromMilliseconds(30), TimeSpan.FromMilliseconds(300)));
        if (!c.IsClosed) received.Append(c.Drain(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(100)));
        return Canonical(received.ToString(), session) + (c.IsClosed ? "= closed" : "= open");
    }

    private static string Canonical(string text, Session session)
    {
        // Which queue group each sid belongs to: every SUB has a sid of its own (see UniqueSids), so this never changes.
        var queueSids = new Dictionary<string, string>();
        foreach (var cmd in session.Commands)
        {
            var f = cmd.TrimEnd().Split(' ');
            if (f[0] == "SUB" && f.Length == 4) queueSids[f[3]] = f[2];
        }
        var lines = new List<string>();
        var run = new List<string>();
        void Flush() { run.Sort(StringComparer.Ordinal); lines.AddRange(run); run.Clear(); }
        var data = Encoding.ASCII.GetBytes(text);
        int i = 0;
        while (i < data.Length)
        {
            var rest = data.AsSpan(i);
            if (rest.StartsWith("MSG "u8) || rest.StartsWith("HMSG "u8))
            {
                if (!MsgFrame.TryParse(rest, out var frame, out int used, out _) || used == 0) { lines.Add("partial frame"); break; }
                var sid = queueSids.TryGetValue(frame.Sid, out var q) ? $"queue:{q}" : frame.Sid;
                run.Add($"{frame.Op} {frame.Subject} {sid} {frame.Reply} [{Encoding.ASCII.GetString(frame.Header)}] {Encoding.ASCII.GetString(frame.Payload)}");
                i += used;
                continue;
            }
            Flush();
            int eol = rest.IndexOf("\r\n"u8);
            if (eol < 0) { lines.Add("partial: " + Encoding.ASCII.GetString(rest)); break; }
            var line = Encoding.ASCII.GetString(rest[..eol]);
            if (!line.StartsWith("INFO ", StringComparison.Ordinal)) lines.Add(line);
            i += eol + 2;
        }
        Flush();
        return string.Join("\n", lines) + "\n";
    }

    private static int CountOf(string s, string what)
    {
        int n = 0, i = 0;
        while ((i = s.IndexOf(what, i, StringComparison.Ordinal)) >= 0) { n++; i += what.Length; }
        return n;
    }
}
