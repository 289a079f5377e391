using System.Buffers.Binary;
using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.WebSockets;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.WebSockets;

/// <summary>Go's websocket_test.go tests of the frame codec: headers, masking, close messages and the decoding of
/// client frames on a socketless websocket client.</summary>
public sealed class WebSocketFrameTests
{
    private static readonly byte[] Key = [1, 2, 3, 4];

    /// <summary>Go's testWSSetupForRead: a websocket client without a socket, and a reader expecting masked frames.</summary>
    private static (ClientConnection C, WsReadInfo Ri) SetupForRead()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true, Host = "127.0.0.1" });
        var c = ClientConnection.ForWebsocketTest(s, 1, new WsClientState());
        return (c, new WsReadInfo(mask: true));
    }

    /// <summary>Go's wsRead: the payloads of <paramref name="rb"/>, and the error (EOF for a close frame).</summary>
    private static (List<byte[]> Bufs, string? Err) Read(ClientConnection c, WsReadInfo ri, byte[] rb)
    {
        var bufs = new List<byte[]>();
        var sink = new ClientConnection.CollectSink(bufs);
        var buf = rb.ToArray();
        string? err = c.WsReadLoop(ri, buf, buf.Length, ref sink);
        return (bufs, err);
    }

    private static byte[] Msg(int op, int frameNum, bool final, bool compressed, string payload) =>
        WsTestClient.CreateClientMsg(op, frameNum, final, compressed, Encoding.ASCII.GetBytes(payload));

    private static byte[] Msg(int op, int frameNum, bool final, bool compressed, byte[] payload) =>
        WsTestClient.CreateClientMsg(op, frameNum, final, compressed, payload);

    private static string Str(byte[] b) => Encoding.ASCII.GetString(b);

    [Fact, GoTest("server/websocket_test.go", "TestWSIsControlFrame")]
    public void IsControlFrame()
    {
        WsFrames.IsControlFrame(WsOpCode.Binary).ShouldBeFalse();
        WsFrames.IsControlFrame(WsOpCode.Text).ShouldBeFalse();
        WsFrames.IsControlFrame(WsOpCode.Ping).ShouldBeTrue();
        WsFrames.IsControlFrame(WsOpCode.Pong).ShouldBeTrue();
        WsFrames.IsControlFrame(WsOpCode.Close).ShouldBeTrue();
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSUnmask")]
    public void Unmask()
    {
        byte[] org = Encoding.ASCII.GetBytes("this is a clear text");
        byte[] Mask()
        {
            var buf = org.ToArray();
            for (int i = 0; i < buf.Length; i++) buf[i] ^= Key[i & 3];
            buf.ShouldNotBe(org, "masking did nothing");
            return buf;
        }
        var ri = new WsReadInfo(mask: true) { MaskKey = BinaryPrimitives.ReadUInt32BigEndian(Key) };

        var b = Mask();
        ri.Unmask(b);
        b.ShouldBe(org);

        b = Mask();
        ri.MaskPos = 0;
        ri.Unmask(b.AsSpan(0, 3));
        ri.Unmask(b.AsSpan(3, 8));
        ri.Unmask(b.AsSpan(11));
        b.ShouldBe(org);
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSCreateCloseMessage")]
    [InlineData(WsFrames.CloseStatusInternalSrvError, 10, false)]
    [InlineData(WsFrames.CloseStatusProtocolError, WsFrames.MaxControlPayloadSize + 10, true)]
    public void CreateCloseMessage(int status, int psize, bool truncated)
    {
        var payload = new byte[psize];
        for (int i = 0; i < payload.Length; i++) payload[i] = (byte)('A' + i % 26);
        var res = WsFrames.CreateCloseMessage(status, Str(payload));
        BinaryPrimitives.ReadUInt16BigEndian(res).ShouldBe((ushort)status);
        if (!truncated)
        {
            (res.Length - 2).ShouldBe(psize);
            res[2..].ShouldBe(payload);
            return;
        }
        (res.Length - 2).ShouldBe(WsFrames.MaxControlPayloadSize - 2, "capped");
        Str(res[^3..]).ShouldBe("...");
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSCreateFrameHeader")]
    [InlineData(WsOpCode.Binary, false, 10)]
    [InlineData(WsOpCode.Text, false, 600)]
    [InlineData(WsOpCode.Text, false, 100000)]
    [InlineData(WsOpCode.Binary, true, 10)]
    [InlineData(WsOpCode.Binary, true, 600)]
    [InlineData(WsOpCode.Text, true, 100000)]
    internal void CreateFrameHeader(WsOpCode frameType, bool compressed, int len)
    {
        var res = WsFrames.CreateFrameHeader(false, compressed, frameType, len, out _);
        byte expected = (byte)((byte)frameType | WsFrames.FinalBit | (compressed ? WsFrames.Rsv1Bit : 0));
        res[0].ShouldBe(expected);
        if (len <= 125)
        {
            res.Length.ShouldBe(2);
            res[1].ShouldBe((byte)len);
        }
        else if (len < 65536)
        {
            res.Length.ShouldBe(4);
            res[1].ShouldBe((byte)126);
            BinaryPrimitives.ReadUInt16BigEndian(res.AsSpan(2)).ShouldBe((ushort)len);
        }
        else
        {
            res.Length.ShouldBe(10);
            res[1].ShouldBe((byte)127);
            BinaryPrimitives.ReadUInt64BigEndian(res.AsSpan(2)).ShouldBe((ulong)len);
        }
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSReadUncompressedFrames")]
    public void ReadUncompressedFrames()
    {
        var (c, ri) = SetupForRead();
        byte[] orgrb = [.. Msg(2, 1, true, false, "first message"), .. Msg(2, 1, true, false, "second message")];
        var (bufs, err) = Read(c, ri, orgrb);
        err.ShouldBeNull();
        bufs.Count.ShouldBe(2);
        Str(bufs[0]).ShouldBe("first message");
        Str(bufs[1]).ShouldBe("second message");

        // A read buffer that does not hold a whole frame: 1+1+4 header bytes and "first".
        (c, ri) = SetupForRead();
        (bufs, err) = Read(c, ri, orgrb[..11]);
        err.ShouldBeNull();
        bufs.Select(Str).ShouldBe(["first"]);
        (bufs, err) = Read(c, ri, orgrb[11..32]);
        err.ShouldBeNull();
        bufs.Select(Str).ShouldBe([" message", "second "]);
        (bufs, err) = Read(c, ri, orgrb[32..]);
        err.ShouldBeNull();
        bufs.Select(Str).ShouldBe(["message"]);
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSReadVariousFrameSizes")]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(70000)]
    public void ReadVariousFrameSizes(int size)
    {
        var (c, ri) = SetupForRead();
        var uncompressed = new byte[size];
        for (int i = 0; i < size; i++) uncompressed[i] = (byte)('A' + i % 26);
        var (bufs, err) = Read(c, ri, Msg(2, 1, true, false, uncompressed));
        err.ShouldBeNull();
        bufs.Count.ShouldBe(1);
        bufs[0].ShouldBe(uncompressed);
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSReadFragmentedFrames")]
    public void ReadFragmentedFrames()
    {
        var (c, ri) = SetupForRead();
        string[] payloads = ["first", "second", "third"];
        var rb = new List<byte>();
        for (int i = 0; i < payloads.Length; i++) rb.AddRange(Msg(2, i + 1, i == payloads.Length - 1, false, payloads[i]));
        var (bufs, err) = Read(c, ri, [.. rb]);
        err.ShouldBeNull();
        bufs.Select(Str).ShouldBe(payloads);
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSReadPartialFrameHeaderAtEndOfReadBuffer")]
    public void ReadPartialFrameHeaderAtEndOfReadBuffer()
    {
        var (c, ri) = SetupForRead();
        var msg1 = Msg(2, 1, true, false, "msg1");
        byte[] rb = [.. msg1, .. Msg(2, 1, true, false, "msg2")];
        // The first frame and the first byte of the next one.
        var (bufs, err) = Read(c, ri, rb[..(msg1.Length + 1)]);
        err.ShouldBeNull();
        bufs.Count.ShouldBe(1);
        // Go reads only the rest of the header from the connection; here that one byte is all that is kept.
        ri.HeaderLen.ShouldBe(1);
        (bufs, err) = Read(c, ri, rb[(msg1.Length + 1)..]);
        err.ShouldBeNull();
        bufs.Select(Str).ShouldBe(["msg2"]);
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSReadPingFrame")]
    [InlineData("")]
    [InlineData("optional payload")]
    public void ReadPingFrame(string payload)
    {
        var (c, ri) = SetupForRead();
        var (bufs, err) = Read(c, ri, Msg(9, 1, true, false, payload));
        err.ShouldBeNull();
        bufs.ShouldBeEmpty();
        var nb = c.WsCollapseForTest();
        nb.ShouldNotBeEmpty();
        nb[0].Length.ShouldBe(2 + payload.Length);
        (nb[0][0] & WsFrames.FinalBit).ShouldNotBe(0, "control frames are final");
        (nb[0][0] & (byte)WsOpCode.Pong).ShouldNotBe(0, "a PONG");
        if (payload.Length > 0) Str(nb[0][2..]).ShouldBe(payload);
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSReadPongFrame")]
    [InlineData("")]
    [InlineData("optional payload")]
    public void ReadPongFrame(string payload)
    {
        var (c, ri) = SetupForRead();
        var (bufs, err) = Read(c, ri, Msg(10, 1, true, false, payload));
        err.ShouldBeNull();
        bufs.ShouldBeEmpty();
        c.WsCollapseForTest().ShouldBeEmpty("nothing is sent for a pong");
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSReadCloseFrame")]
    [InlineData(false, "")]
    [InlineData(false, "optional payload")]
    [InlineData(true, "")]
    public void ReadCloseFrame(bool noStatus, string text)
    {
        var (c, ri) = SetupForRead();
        byte[] payload = [];
        if (!noStatus)
        {
            payload = new byte[2 + text.Length];
            BinaryPrimitives.WriteUInt16BigEndian(payload, WsFrames.CloseStatusNormalClosure);
            Encoding.ASCII.GetBytes(text).CopyTo(payload, 2);
        }
        // A normal frame first: it is returned along with the EOF of the close.
        byte[] rb = [.. Msg(2, 1, true, false, "msg"), .. Msg(8, 1, true, false, payload)];
        var (bufs, err) = Read(c, ri, rb);
        err.ShouldBe(ClientConnection.WsEof);
        bufs.Select(Str).ShouldBe(["msg"]);
        var nb = c.WsCollapseForTest();
        nb.ShouldNotBeEmpty();
        nb[0].Length.ShouldBe(noStatus ? 2 : 2 + 2 + text.Length);
        (nb[0][0] & WsFrames.FinalBit).ShouldNotBe(0);
        (nb[0][0] & (byte)WsOpCode.Close).ShouldNotBe(0);
        if (!noStatus)
        {
            BinaryPrimitives.ReadUInt16BigEndian(nb[0].AsSpan(2)).ShouldBe((ushort)WsFrames.CloseStatusNormalClosure);
            Str(nb[0][4..]).ShouldBe(text);
        }
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSReadControlFrameBetweebFragmentedFrames")]
    public void ReadControlFrameBetweenFragmentedFrames()
    {
        var (c, ri) = SetupForRead();
        byte[] rb = [.. Msg(2, 1, false, false, "first"), .. Msg(10, 1, true, false, ""), .. Msg(2, 2, true, false, "second")];
        var (bufs, err) = Read(c, ri, rb);
        err.ShouldBeNull();
        bufs.Select(Str).ShouldBe(["first", "second"]);
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSCloseFrameWithPartialOrInvalid")]
    public void CloseFrameWithPartialOrInvalid()
    {
        var (c, ri) = SetupForRead();
        byte[] payload = [0, 0, .. "hello"u8];
        BinaryPrimitives.WriteUInt16BigEndian(payload, WsFrames.CloseStatusNormalClosure);
        var closeMsg = Msg(8, 1, true, false, payload);
        // Only the first byte in this read; the rest comes with the next.
        var (bufs, err) = Read(c, ri, closeMsg[..1]);
        err.ShouldBeNull();
        bufs.ShouldBeEmpty();
        (bufs, err) = Read(c, ri, closeMsg[1..]);
        err.ShouldBe(ClientConnection.WsEof);
        bufs.ShouldBeEmpty();
        var nb = c.WsCollapseForTest();
        nb.ShouldNotBeEmpty();
        nb[0].Length.ShouldBe(2 + 2 + 5);
        (nb[0][0] & WsFrames.FinalBit).ShouldNotBe(0);
        (nb[0][0] & (byte)WsOpCode.Close).ShouldNotBe(0);
        BinaryPrimitives.ReadUInt16BigEndian(nb[0].AsSpan(2)).ShouldBe((ushort)WsFrames.CloseStatusNormalClosure);
        Str(nb[0][4..]).ShouldBe("hello");

        // A status of 1 byte instead of 2.
        (c, ri) = SetupForRead();
        closeMsg = Msg(8, 1, true, false, payload[..1]);
        (bufs, err) = Read(c, ri, closeMsg[..1]);
        err.ShouldBeNull();
        (bufs, err) = Read(c, ri, closeMsg[1..]);
        err.ShouldNotBeNull();
        err.ShouldContain("close frame payload cannot be 1 byte");
        bufs.ShouldBeEmpty();
        nb = c.WsCollapseForTest();
        nb.ShouldNotBeEmpty();
        nb[0].Length.ShouldBeGreaterThanOrEqualTo(4);
        (nb[0][0] & WsFrames.FinalBit).ShouldNotBe(0);
        (nb[0][0] & (byte)WsOpCode.Close).ShouldNotBe(0);
        BinaryPrimitives.ReadUInt16BigEndian(nb[0].AsSpan(2)).ShouldBe((ushort)WsFrames.CloseStatusProtocolError);

        // An invalid status code.
        (c, ri) = SetupForRead();
        payload = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(payload, WsFrames.CloseStatusNoStatusReceived);
        closeMsg = Msg(8, 1, true, false, payload);
        (bufs, err) = Read(c, ri, closeMsg[..1]);
        err.ShouldBeNull();
        (bufs, err) = Read(c, ri, closeMsg[1..]);
        err.ShouldNotBeNull();
        err.ShouldContain("invalid close status code");
        bufs.ShouldBeEmpty();
        nb = c.WsCollapseForTest();
        nb.ShouldNotBeEmpty();
        nb[0].Length.ShouldBeGreaterThanOrEqualTo(4);
        BinaryPrimitives.ReadUInt16BigEndian(nb[0].AsSpan(2)).ShouldBe((ushort)WsFrames.CloseStatusProtocolError);
    }

    public static TheoryData<string, string, int> ReadErrorCases()
    {
        byte[] NoMask()
        {
            var m = Msg(2, 1, true, false, "hello");
            m[1] &= unchecked((byte)~WsFrames.MaskBit);
            return m;
        }
        byte[] HugeLen()
        {
            byte[] m = [.. Msg(2, 1, true, false, ""), 0, 0, 0, 0];
            m[1] = 127 | WsFrames.MaskBit;
            BinaryPrimitives.WriteUInt64BigEndian(m.AsSpan(2), 1UL << 63);
            return m;
        }
        return new()
        {
            { Convert.ToBase64String(NoMask()), "mask bit missing", 1 },
            { Convert.ToBase64String(Msg(9, 1, true, false, new byte[200])), "control frame length bigger than maximum allowed", 1 },
            { Convert.ToBase64String(Msg(9, 1, false, false, "hello")), "control frame does not have final bit set", 1 },
            { Convert.ToBase64String([.. Msg(2, 1, false, false, "frag1"), .. Msg(2, 1, true, false, "new message")]),
                "new message started before final frame for previous message was received", 2 },
            { Convert.ToBase64String([.. Msg(2, 1, true, false, "frame"), .. Msg(2, 2, false, false, "continuation")]), "invalid continuation frame", 2 },
            { Convert.ToBase64String(Msg(2, 2, false, false, "frame")), "invalid continuation frame", 1 },
            { Convert.ToBase64String(Msg(11, 1, false, false, "hello")), "unknown opcode", 1 },
            { Convert.ToBase64String(HugeLen()), "invalid 64-bit payload length", 1 },
            { Convert.ToBase64String(Msg(2, 1, true, true, "compressed")), "compressed frame received without negotiated permessage-deflate", 1 },
        };
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSReadErrors")]
    [MemberData(nameof(ReadErrorCases))]
    public void ReadErrors(string badFrame, string expectedErr, int nbufs)
    {
        var (c, ri) = SetupForRead();
        byte[] rb = [.. Msg(2, 1, true, false, "hello"), .. Convert.FromBase64String(badFrame)];
        var (bufs, err) = Read(c, ri, rb);
        err.ShouldNotBeNull();
        err.ShouldContain(expectedErr);
        bufs.Count.ShouldBe(nbufs);
        Str(bufs[0]).ShouldBe("hello");
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSReadHugePayloadLenDoesNotPanic")]
    public void ReadHugePayloadLenDoesNotPanic()
    {
        var (c, ri) = SetupForRead();
        var rb = new byte[14];
        rb[0] = (byte)WsOpCode.Binary | WsFrames.FinalBit;
        rb[1] = 127 | WsFrames.MaskBit;
        BinaryPrimitives.WriteUInt64BigEndian(rb.AsSpan(2), ulong.MaxValue);
        Key.CopyTo(rb, 10);
        Read(c, ri, rb).Err.ShouldBe("invalid 64-bit payload length");
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSEnqueueCloseMsg")]
    [InlineData(ClosedState.ClientClosed, WsFrames.CloseStatusNormalClosure)]
    [InlineData(ClosedState.AuthenticationTimeout, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.AuthenticationViolation, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.SlowConsumerPendingBytes, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.SlowConsumerWriteDeadline, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.MaxAccountConnectionsExceeded, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.MaxConnectionsExceeded, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.MaxControlLineExceeded, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.MaxSubscriptionsExceeded, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.MissingAccount, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.AuthenticationExpired, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.Revocation, WsFrames.CloseStatusPolicyViolation)]
    [InlineData(ClosedState.TLSHandshakeError, WsFrames.CloseStatusTlsHandshake)]
    [InlineData(ClosedState.ParseError, WsFrames.CloseStatusProtocolError)]
    [InlineData(ClosedState.ProtocolViolation, WsFrames.CloseStatusProtocolError)]
    [InlineData(ClosedState.BadClientProtocolVersion, WsFrames.CloseStatusProtocolError)]
    [InlineData(ClosedState.MaxPayloadExceeded, WsFrames.CloseStatusMessageTooBig)]
    [InlineData(ClosedState.ServerShutdown, WsFrames.CloseStatusGoingAway)]
    [InlineData(ClosedState.WriteError, WsFrames.CloseStatusGoingAway)]
    [InlineData(ClosedState.ReadError, WsFrames.CloseStatusGoingAway)]
    [InlineData(ClosedState.StaleConnection, WsFrames.CloseStatusGoingAway)]
    [InlineData((ClosedState)254, WsFrames.CloseStatusInternalSrvError)]
    public void EnqueueCloseMsg(ClosedState reason, int status)
    {
        var (c, _) = SetupForRead();
        c.WsEnqueueCloseMessageForTest(reason);
        var nb = c.WsCollapseForTest();
        nb.Count.ShouldBe(1);
        (nb[0][0] & WsFrames.FinalBit).ShouldNotBe(0);
        (nb[0][0] & (byte)WsOpCode.Close).ShouldNotBe(0);
        BinaryPrimitives.ReadUInt16BigEndian(nb[0].AsSpan(2)).ShouldBe((ushort)status);
        Str(nb[0][4..]).ShouldBe(reason.Text());
    }

    [Theory, GoTest("server/websocket_test.go", "TestWSFrameOutbound")]
    [InlineData(false)]
    [InlineData(true)]
    public void FrameOutbound(bool maskingWrite)
    {
        var (c, _) = SetupForRead();
        var ws = c.WebsocketState!;
        ws.MaskWrite = maskingWrite;
        static uint KeyOf(byte[] header) => BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(header.Length - 4));
        static byte[] Unmasked(uint key, params byte[][] parts)
        {
            byte[] all = [.. parts.SelectMany(p => p)];
            WsFrames.Mask(key, all);
            return all;
        }
        static long Size(List<byte[]> res) => res.Sum(b => (long)b.Length);
        const int mfs = WsFrames.FrameSizeForBrowsers;

        byte[][] bufs = [.. new[] { "this ", "is ", "a ", "set ", "of ", "buffers" }.Select(Encoding.ASCII.GetBytes)];
        int en = 2 + bufs.Sum(b => b.Length) + (maskingWrite ? 4 : 0);
        var res = c.WsCollapseForTest(bufs);
        Size(res).ShouldBe(en);
        res.Count.ShouldBe(1 + bufs.Length);
        byte[] ob = [.. res.Skip(1).SelectMany(b => b)];
        if (maskingWrite) ob = Unmasked(KeyOf(res[0]), ob);
        Str(ob).ShouldBe("this is a set of buffers");

        ws.Browser = true;
        bufs = [Encoding.ASCII.GetBytes("some smaller "), Encoding.ASCII.GetBytes("buffers"), new byte[mfs + 10], Encoding.ASCII.GetBytes("then some more")];
        en = 2 + bufs[0].Length + bufs[1].Length + 4 + bufs[2].Length - 10 + 2 + bufs[3].Length + 10 + (maskingWrite ? 3 * 4 : 0);
        res = c.WsCollapseForTest(bufs);
        Size(res).ShouldBe(en);
        res.Count.ShouldBe(8);
        res[4].Length.ShouldBe(mfs, "the big frame is limited");
        res[6].Length.ShouldBe(10, "frame 6 has the partial of 10 bytes");
        if (maskingWrite)
        {
            Str(Unmasked(KeyOf(res[0]), res[1], res[2])).ShouldBe("some smaller buffers");
            Unmasked(KeyOf(res[3]), res[4]).ShouldAllBe(b => b == 0);
            var ud = Unmasked(KeyOf(res[5]), res[6], res[7]);
            ud[..10].ShouldAllBe(b => b == 0);
            Str(ud[10..]).ShouldBe("then some more");
        }

        // One buffer of exactly the maximum size.
        bufs = [Encoding.ASCII.GetBytes("some smaller "), Encoding.ASCII.GetBytes("buffers"), new byte[mfs], Encoding.ASCII.GetBytes("then some more")];
        en = 2 + bufs[0].Length + bufs[1].Length + 4 + bufs[2].Length + 2 + bufs[3].Length + (maskingWrite ? 3 * 4 : 0);
        res = c.WsCollapseForTest(bufs);
        Size(res).ShouldBe(en);
        res.Count.ShouldBe(7);
        res[4].Length.ShouldBe(mfs);
        Str(maskingWrite ? Unmasked(KeyOf(res[5]), res[6]) : res[6]).ShouldBe("then some more");

        // One of the maximum size, last in the list.
        bufs = [Encoding.ASCII.GetBytes("some smaller "), Encoding.ASCII.GetBytes("buffers"), new byte[mfs]];
        en = 2 + bufs[0].Length + bufs[1].Length + 4 + bufs[2].Length + (maskingWrite ? 2 * 4 : 0);
        res = c.WsCollapseForTest(bufs);
        Size(res).ShouldBe(en);
        res.Count.ShouldBe(5);
        res[4].Length.ShouldBe(mfs);

        bufs = [Encoding.ASCII.GetBytes("some smaller buffer"), new byte[mfs - 5], Encoding.ASCII.GetBytes("then some more")];
        en = 2 + bufs[0].Length + 4 + bufs[1].Length + 2 + bufs[2].Length + (maskingWrite ? 3 * 4 : 0);
        res = c.WsCollapseForTest(bufs);
        Size(res).ShouldBe(en);
        res.Count.ShouldBe(6);
        res[3].Length.ShouldBe(mfs - 5);
        Str(maskingWrite ? Unmasked(KeyOf(res[4]), res[5]) : res[5]).ShouldBe("then some more");

        res = c.WsCollapseForTest([new byte[mfs + 100]]);
        res.Count.ShouldBe(4, "frames");
    }
}
