using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Differential;

/// <summary>
/// Runs each raw-protocol session against ours and the reference and requires identical transcripts
/// (INFO fields that vary are masked). Needs both targets selected.
/// </summary>
public sealed class RawSessionTests
{
    private const string Connect = "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n";
    private const string HeadersConnect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true}\r\n";
    private const string Hdr = "NATS/1.0\r\nA: B\r\n\r\n";

    /// <summary>A session; <paramref name="Since"/> marks behaviour newer than the 2.9.10 reference, in which case
    /// ours is held to <paramref name="Expected"/> (its transcript after the INFO line) instead of to the reference.</summary>
    private sealed record RawSession(string[] Steps, ServerConfig? Config = null, bool ByteByByte = false, string? Since = null, string? Expected = null);

    private static readonly Dictionary<string, RawSession> Sessions = new()
    {
        ["connect-ping"] = new([Connect, "PING\r\n"]),
        ["ping-before-connect"] = new(["PING\r\n", Connect, "PING\r\n"]),
        ["connect-verbose"] = new(["CONNECT {\"verbose\":true}\r\n", "PING\r\n", "SUB foo 1\r\n", "PUB foo 5\r\nhello\r\n", "UNSUB 1\r\n", "PING\r\n"]),
        ["connect-pedantic-bad-subjects"] = new(["CONNECT {\"verbose\":false,\"pedantic\":true}\r\n", "SUB foo. 1\r\n", "SUB foo.>.bar 2\r\n", "PUB foo.* 2\r\nok\r\n", "PING\r\n"]),
        ["connect-unknown-field"] = new(["CONNECT {\"verbose\":false,\"not_a_field\":42}\r\n", "PING\r\n"]),
        ["connect-invalid-json"] = new(["CONNECT {verbose:\r\n"]),
        ["connect-lowercase-ops"] = new(["connect {}\r\n", "sub foo 1\r\n", "pub foo 2\r\nok\r\n", "ping\r\n"]),
        ["pub-sub-unsub"] = new([Connect, "SUB foo 1\r\nSUB foo.* 2\r\n", "PUB foo 5\r\nhello\r\n", "PUB foo.bar 5\r\nworld\r\n", "UNSUB 1\r\n", "PUB foo 2\r\nok\r\nPING\r\n"]),
        ["pub-with-reply"] = new([Connect, "SUB foo 1\r\n", "PUB foo bar 2\r\nhi\r\n", "PING\r\n"]),
        ["queue-group"] = new([Connect, "SUB foo q 1\r\n", "PUB foo 2\r\nok\r\n", "PING\r\n"]),
        ["unsub-max"] = new([Connect, "SUB foo 1\r\nUNSUB 1 1\r\n", "PUB foo 1\r\na\r\nPUB foo 1\r\nb\r\n", "PING\r\n"]),
        ["unsub-unknown-sid"] = new([Connect, "UNSUB 99\r\n", "PING\r\n"]),
        ["empty-payload"] = new([Connect, "SUB foo 1\r\n", "PUB foo 0\r\n\r\n", "PING\r\n"]),
        ["tabs-and-extra-spaces"] = new([Connect, "SUB\tfoo   1\r\n", "PUB  foo\t2\r\nok\r\n", "PING\r\n"]),
        ["unknown-op"] = new([Connect, "ZZZ\r\n"]),
        ["bad-subject"] = new([Connect, "SUB foo..bar 1\r\n", "PING\r\n"]),
        ["pub-missing-size"] = new([Connect, "PUB foo\r\n"]),
        ["sub-missing-sid"] = new([Connect, "SUB foo\r\n"]),
        ["payload-longer-than-size"] = new([Connect, "PUB foo 2\r\nhello\r\n"]),
        ["max-payload-exceeded"] = new([Connect, "PUB foo 2048\r\n"], new ServerConfig { MaxPayload = 1024 }),
        ["max-control-line-exceeded"] = new([Connect, "PUB " + new string('a', 300) + " 2\r\nok\r\n"], new ServerConfig { MaxControlLine = 256 }),
        ["split-control-lines"] = new([Connect + "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n"], ByteByByte: true),
        ["hpub"] = new([HeadersConnect, "SUB foo 1\r\n", $"HPUB foo {Hdr.Length} {Hdr.Length + 5}\r\n{Hdr}hello\r\n", "PING\r\n"]),
        ["hpub-with-reply-to-pub-sub"] = new([HeadersConnect, "SUB foo 1\r\n", $"HPUB foo bar {Hdr.Length} {Hdr.Length}\r\n{Hdr}\r\n", "PING\r\n"]),
        ["hpub-without-headers-connect"] = new([Connect, $"HPUB foo {Hdr.Length} {Hdr.Length + 5}\r\n{Hdr}hello\r\n"]),
        // Since 2.12 the 503 status carries the original subject in Nats-Subject (client.go processInboundClientMsg).
        ["no-responders"] = new(["CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n", "SUB reply 1\r\n", "PUB foo reply 2\r\nhi\r\n", "PING\r\n"],
            Since: "2.12",
            Expected: """
                > "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\n"
                > "SUB reply 1\r\n"
                > "PUB foo reply 2\r\nhi\r\n"
                < HMSG reply 1 35 35
                < NATS/1.0 503
                < Nats-Subject: foo
                < 
                < 
                > "PING\r\n"
                < PONG
                = open

                """),
        ["auth-token-good"] = new(["CONNECT {\"verbose\":false,\"auth_token\":\"s3cr3t\"}\r\n", "PING\r\n"], new ServerConfig { AuthToken = "s3cr3t" }),
        ["auth-token-bad"] = new(["CONNECT {\"verbose\":false,\"auth_token\":\"wrong\"}\r\n"], new ServerConfig { AuthToken = "s3cr3t" }),
        ["auth-user-before-connect"] = new(["SUB foo 1\r\n"], new ServerConfig { AuthUser = "u", AuthPassword = "p" }),
    };

    public static TheoryData<string> SessionNames => new(Sessions.Keys);

    [Theory, MemberData(nameof(SessionNames))]
    public async Task SameTranscript(string session)
    {
        Assert.SkipUnless(
            ServerTargets.IsSelected(ServerTarget.Ours) && ServerTargets.IsSelected(ServerTarget.Reference),
            $"Differential sessions compare two targets; {ServerTargets.TargetVariable} selects only {string.Join(", ", ServerTargets.Selected)}.");

        var s = Sessions[session];
        if (s.Since is not null)
        {
            var oursOnly = Record(ServerTarget.Ours, s);
            var afterInfo = oursOnly[(oursOnly.IndexOf('\n') + 1)..];
            Assert.Equal(s.Expected, afterInfo);
            return;
        }
        var transcripts = await Task.WhenAll(
            Task.Run(() => Record(ServerTarget.Reference, s)),
            Task.Run(() => Record(ServerTarget.Ours, s)));
        var (reference, ours) = (transcripts[0], transcripts[1]);

        if (reference != ours)
        {
            var refLines = reference.Split('\n');
            var ourLines = ours.Split('\n');
            var first = Enumerable.Range(0, Math.Min(refLines.Length, ourLines.Length)).FirstOrDefault(i => refLines[i] != ourLines[i], Math.Min(refLines.Length, ourLines.Length));
            Assert.Fail($"Session '{session}' differs from the reference at transcript line {first + 1}.\n--- reference\n{reference}--- ours\n{ours}");
        }
    }

    private static string Record(ServerTarget target, RawSession session)
    {
        using var server = NatsServerProcess.Start(target, session.Config);
        return WireTranscript.Record(server, session.Steps, session.ByteByByte);
    }
}
