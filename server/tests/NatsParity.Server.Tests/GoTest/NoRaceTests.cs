using System.Net;
using System.Net.Sockets;
using System.Text;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/norace_test.go. The allocation counter is process-wide, so these run alone, against the
/// in-process server as Go's do.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class NoRaceTests
{
    private static readonly byte[] Ok = "+OK\r\n"u8.ToArray();

    [Fact, GoTest("test/norace_test.go", "TestNoRaceDynamicResponsePermsMemory")]
    public async Task NoRaceDynamicResponsePermsMemory()
    {
        await using var s = InProcess.RunConf("port: -1\n" + UserAuthorizationTests.AuthorizationConf);

        // alice may do anything: the requestor. svcb's response permissions (allow_responses) live 50ms.
        using var rc = Login(s.Port, "alice");
        using var c = Login(s.Port, "svcb");
        c.Send("SUB my.service.req 1\r\n"u8);
        Expect(c, Ok);

        // Requests that are never answered leave reply permissions behind; what they cost stays bounded.
        long used = AllocatedForUnansweredRequests(rc, c, 10_000);
        const long max = 20 * 1024 * 1024;
        TestContext.Current.SendDiagnosticMessage($"allocated {used} bytes for 10000 unanswered requests");
        used.ShouldBeLessThan(max, $"Using too much memory, expect < 20MB, got {used / (1024 * 1024)}MB");
    }

    /// <summary>Bytes allocated while <paramref name="rc"/> sends <paramref name="count"/> requests that
    /// <paramref name="c"/> receives and never answers. The buffers are made up front so the test's own traffic does
    /// not count.</summary>
    private static long AllocatedForUnansweredRequests(Socket rc, Socket c, int count)
    {
        byte[] pub = new byte[64], msg = new byte[64], readBuf = new byte[32768];
        ReadOnlySpan<byte> pubPre = "PUB my.service.req resp."u8, msgPre = "MSG my.service.req 1 resp."u8;
        pubPre.CopyTo(pub);
        msgPre.CopyTo(msg);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < count; i++)
        {
            int pubLen = Frame(pub, pubPre.Length, i, " 2\r\nok\r\n"u8);
            int msgLen = Frame(msg, msgPre.Length, i, " 2\r\nok\r\n"u8);
            rc.Send(pub.AsSpan(0, pubLen));
            Expect(rc, Ok, readBuf);
            Expect(c, msg.AsSpan(0, msgLen), readBuf);
        }
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }

    /// <summary>The frame prefix (already in <paramref name="buf"/>), the request number and the rest; its length.</summary>
    private static int Frame(byte[] buf, int prefix, int n, ReadOnlySpan<byte> rest)
    {
        n.TryFormat(buf.AsSpan(prefix), out int w).ShouldBeTrue();
        rest.CopyTo(buf.AsSpan(prefix + w));
        return prefix + w + rest.Length;
    }

    /// <summary>Go's createClientConn, expectAuthRequired, doAuthConnect (verbose) and the +OK it gets.</summary>
    private static Socket Login(int port, string user)
    {
        var sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        sock.Connect(new IPEndPoint(IPAddress.Loopback, port));
        sock.ReceiveTimeout = 2000;
        var info = new byte[4096];
        int n = 0;
        while (n < 2 || info[n - 2] != '\r' || info[n - 1] != '\n')
        {
            int r = sock.Receive(info, n, info.Length - n, SocketFlags.None);
            if (r <= 0) throw new IOException("connection closed before INFO");
            n += r;
        }
        Encoding.ASCII.GetString(info, 0, n).ShouldContain("\"auth_required\":true");
        sock.Send(Encoding.ASCII.GetBytes($"CONNECT {{\"verbose\":true,\"user\":\"{user}\",\"pass\":\"foo\",\"auth_token\":\"\"}}\r\n"));
        Expect(sock, Ok);
        return sock;
    }

    private static void Expect(Socket sock, ReadOnlySpan<byte> expected) => Expect(sock, expected, new byte[32768]);

    /// <summary>Reads exactly the expected frame (within 2 seconds, as Go's expect) and compares it.</summary>
    private static void Expect(Socket sock, ReadOnlySpan<byte> expected, byte[] buf)
    {
        int n = 0;
        while (n < expected.Length)
        {
            int r = sock.Receive(buf, n, expected.Length - n, SocketFlags.None);
            if (r <= 0) throw new IOException("connection closed");
            n += r;
        }
        if (!buf.AsSpan(0, n).SequenceEqual(expected))
            Assert.Fail($"Response did not match expected:\n\tReceived:'{Encoding.ASCII.GetString(buf, 0, n)}'\n\tExpected:'{Encoding.ASCII.GetString(expected)}'");
    }
}
