using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestTypeString")]
    public void TypeString()
    {
        (int Kind, string Str)[] cases =
        [
            ((int)ClientKind.Client, "Client"),
            ((int)ClientKind.Router, "Router"),
            ((int)ClientKind.Gateway, "Gateway"),
            ((int)ClientKind.Leaf, "Leafnode"),
            ((int)ClientKind.JetStream, "JetStream"),
            ((int)ClientKind.Account, "Account"),
            ((int)ClientKind.System, "System"),
            (-1, "Unknown Type"),
        ];
        foreach (var (kind, str) in cases) ClientConnection.KindString((ClientKind)kind).ShouldBe(str);
    }

    [Fact, GoTest("server/client_test.go", "TestFlushOutboundNoSliceReuseIfPartial")]
    public async Task FlushOutboundNoSliceReuseIfPartial()
    {
        // Go makes the server without validating its options; max_payload may not exceed max_pending here.
        await using var s = InProcess.Run(new ServerOptions { MaxPending = 1024, MaxPayload = 1024, NoSystemAccount = true });
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false}\r\n");
        nc.Flush();
        ulong cid = nc.Info!.Value.GetProperty("client_id").GetUInt64();
        var c = s.Clients.Single(x => x.Cid == cid);

        // As Go's testConnWritePartial: what is written is kept, not sent; the first write takes only half (plus one)
        // of what it is given, and the next buffer is queued before the flush goes on with the rest.
        var written = new MemoryStream();
        var partialWritten = new SemaphoreSlim(0);
        var resume = new SemaphoreSlim(0);
        bool partial = true;
        lock (c.SyncRoot)
        {
            c.WriteHook = async (data, _, _) =>
            {
                int n = data.Length;
                if (partial)
                {
                    partial = false;
                    n = n / 2 + 1;
                    lock (written) written.Write(data.Span[..n]);
                    partialWritten.Release();
                    (await resume.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue();
                    return n;
                }
                lock (written) written.Write(data.Span[..n]);
                return n;
            };
        }

        string[] bufs = ["ABCDEFGHIJKLMNOPQRSTUVWXYZ", "------", "0123456789"];
        c.EnqueueProto(Encoding.ASCII.GetBytes(bufs[0]));
        (await partialWritten.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBeTrue("no partial write");
        // The rest of the first buffer is still pending when the next one is queued.
        c.EnqueueProto(Encoding.ASCII.GetBytes(bufs[1]));
        resume.Release();
        c.EnqueueProto(Encoding.ASCII.GetBytes(bufs[2]));
        var expected = string.Concat(bufs);

        string Written() { lock (written) return Encoding.ASCII.GetString(written.ToArray()); }
        (await InProcess.WaitFor(() => Written().Length >= expected.Length && c.PendingBytes == 0, TimeSpan.FromSeconds(2), pollMs: 15))
            .ShouldBeTrue($"not everything was flushed: {Written()}");
        Written().ShouldBe(expected);
    }
}
