using System.Net;
using System.Net.Sockets;
using System.Text;
using NatsParity.Server.Config;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Performance;

/// <summary>The PUB→MSG path allocates nothing per message: measured in-process over real loopback sockets (alone, since the
/// allocation counter is process-wide).</summary>
[Collection(nameof(TimingSensitive))]
public sealed class HotPathAllocationTests
{
    private const int Messages = 100_000;
    private const int PayloadSize = 16;

    [Fact]
    public async Task PubToMsgAllocatesUnder16BytesPerDeliveredMessage()
    {
        await using var server = InProcess.Run(new ServerOptions());

        using var sub = Connect(server.Port);
        using var pub = Connect(server.Port);
        Send(sub, "SUB foo 1\r\nPING\r\n");
        ReadUntil(sub, "PONG\r\n");
        Send(pub, "PING\r\n");
        ReadUntil(pub, "PONG\r\n");

        byte[] frame = Encoding.ASCII.GetBytes($"PUB foo {PayloadSize}\r\n{new string('x', PayloadSize)}\r\n");
        int msgFrameLen = Encoding.ASCII.GetByteCount($"MSG foo 1 {PayloadSize}\r\n") + PayloadSize + 2;
        const int batch = 100;
        byte[] batchBuf = new byte[frame.Length * batch];
        for (int i = 0; i < batch; i++) frame.CopyTo(batchBuf, i * frame.Length);
        byte[] readBuf = new byte[256 * 1024];

        // Warm up pools, caches and tiered JIT, then measure a second full run.
        RunOnce(pub, sub, batchBuf, batch, readBuf, (long)msgFrameLen * Messages);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        RunOnce(pub, sub, batchBuf, batch, readBuf, (long)msgFrameLen * Messages);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        double perMessage = (double)allocated / Messages;
        TestContext.Current.SendDiagnosticMessage($"allocated {allocated} bytes for {Messages} messages: {perMessage:F2} B/msg");
        perMessage.ShouldBeLessThan(16, $"allocated {allocated} bytes for {Messages} messages");
    }

    private static void RunOnce(Socket pub, Socket sub, byte[] batchBuf, int batch, byte[] readBuf, long expectedBytes)
    {
        long received = 0;
        var reader = new Thread(() =>
        {
            sub.ReceiveTimeout = 10_000;
            while (received < expectedBytes)
            {
                int n = sub.Receive(readBuf);
                if (n <= 0) break;
                received += n;
            }
        }) { IsBackground = true };
        reader.Start();
        for (int sent = 0; sent < Messages; sent += batch)
            pub.Send(batchBuf);
        reader.Join(TimeSpan.FromSeconds(30)).ShouldBeTrue("subscriber did not receive every message in time");
        received.ShouldBe(expectedBytes);
    }

    private static Socket Connect(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        s.Connect(new IPEndPoint(IPAddress.Loopback, port));
        ReadUntil(s, "\r\n"); // INFO
        Send(s, "CONNECT {\"verbose\":false,\"pedantic\":false}\r\n");
        return s;
    }

    private static void Send(Socket s, string text) => s.Send(Encoding.ASCII.GetBytes(text));

    private static void ReadUntil(Socket s, string marker)
    {
        var sb = new StringBuilder();
        var buf = new byte[4096];
        s.ReceiveTimeout = 5000;
        while (!sb.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int n = s.Receive(buf);
            if (n <= 0) throw new InvalidOperationException($"closed while waiting for {marker}: {sb}");
            sb.Append(Encoding.ASCII.GetString(buf, 0, n));
        }
    }
}
