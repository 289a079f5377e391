using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NatsParity.Server.Clients;

namespace NatsParity.Server.WebSockets;

/// <summary>RFC 6455 opcodes (Go's wsOpCode).</summary>
internal enum WsOpCode
{
    Continuation = 0,
    Text = 1,
    Binary = 2,
    Close = 8,
    Ping = 9,
    Pong = 10,
}

/// <summary>Frame headers, close messages and the handshake's accept key, as Go's websocket.go builds them.</summary>
internal static class WsFrames
{
    public const byte FinalBit = 1 << 7, Rsv1Bit = 1 << 6, Rsv2Bit = 1 << 5, Rsv3Bit = 1 << 4, MaskBit = 1 << 7;
    public const int MaxFrameHeaderSize = 14;
    public const int MaxControlPayloadSize = 125;
    public const int FrameSizeForBrowsers = 4096;
    public const int CompressThreshold = 64;
    public const int MaxMsgPayloadMultiple = 8;
    public const int MaxMsgPayloadLimit = 64 * 1024 * 1024;
    public const int CloseStatusSize = 2;

    public const int CloseStatusNormalClosure = 1000, CloseStatusGoingAway = 1001, CloseStatusProtocolError = 1002,
        CloseStatusUnsupportedData = 1003, CloseStatusNoStatusReceived = 1005, CloseStatusInvalidPayloadData = 1007,
        CloseStatusPolicyViolation = 1008, CloseStatusMessageTooBig = 1009, CloseStatusInternalSrvError = 1011,
        CloseStatusTlsHandshake = 1015;

    /// <summary>The sync-flush trailer a permessage-deflate sender strips, plus an empty final block so that the
    /// inflater sees the end of the stream (Go's compressLastBlock).</summary>
    public static ReadOnlySpan<byte> CompressLastBlock => [0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff];

    private static ReadOnlySpan<byte> Guid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>Go's wsMaxMessageSize: how much compressed data one message may accumulate.</summary>
    public static ulong MaxMessageSize(int mpay)
    {
        if (mpay <= 0) mpay = 1024 * 1024;
        ulong limit = (ulong)mpay * MaxMsgPayloadMultiple;
        return limit > MaxMsgPayloadLimit ? MaxMsgPayloadLimit : limit;
    }

    public static bool IsControlFrame(WsOpCode op) => op >= WsOpCode.Close;

    /// <summary>Go's wsFillFrameHeader: writes the header into <paramref name="fh"/> and returns its length; with
    /// masking, <paramref name="key"/> is the random key written at its end.</summary>
    public static int FillFrameHeader(Span<byte> fh, bool useMasking, bool first, bool final, bool compressed, WsOpCode op, int len,
        out uint key)
    {
        byte b = first ? (byte)op : (byte)0;
        if (final) b |= FinalBit;
        if (compressed) b |= Rsv1Bit;
        byte b1 = useMasking ? MaskBit : (byte)0;
        int n;
        fh[0] = b;
        if (len <= 125)
        {
            n = 2;
            fh[1] = (byte)(b1 | len);
        }
        else if (len < 65536)
        {
            n = 4;
            fh[1] = (byte)(b1 | 126);
            BinaryPrimitives.WriteUInt16BigEndian(fh[2..], (ushort)len);
        }
        else
        {
            n = 10;
            fh[1] = (byte)(b1 | 127);
            BinaryPrimitives.WriteUInt64BigEndian(fh[2..], (ulong)len);
        }
        key = 0;
        if (useMasking)
        {
            RandomNumberGenerator.Fill(fh.Slice(n, 4));
            key = BinaryPrimitives.ReadUInt32BigEndian(fh.Slice(n, 4));
            n += 4;
        }
        return n;
    }

    /// <summary>Go's wsCreateFrameHeader: a first and final frame's header.</summary>
    public static byte[] CreateFrameHeader(bool useMasking, bool compressed, WsOpCode op, int len, out uint key)
    {
        Span<byte> fh = stackalloc byte[MaxFrameHeaderSize];
        int n = FillFrameHeader(fh, useMasking, true, true, compressed, op, len, out key);
        return fh[..n].ToArray();
    }

    /// <summary>Go's wsMaskBuf and wsMaskBufs: XORs with the key as if the spans were one, from <paramref name="pos"/>.</summary>
    public static int Mask(uint key, Span<byte> buf, int pos = 0)
    {
        for (int i = 0; i < buf.Length; i++, pos++) buf[i] ^= (byte)(key >> (24 - 8 * (pos & 3)));
        return pos;
    }

    /// <summary>Go's wsCreateCloseMessage: the status, then the body cut to fit a control frame (with "..." when cut).</summary>
    public static byte[] CreateCloseMessage(int status, string body)
    {
        byte[] text = Encoding.UTF8.GetBytes(body);
        if (text.Length > MaxControlPayloadSize - 2)
            text = [.. text.AsSpan(0, MaxControlPayloadSize - 5), .. "..."u8];
        var buf = new byte[2 + text.Length];
        BinaryPrimitives.WriteUInt16BigEndian(buf, (ushort)status);
        text.CopyTo(buf, 2);
        return buf;
    }

    /// <summary>Go's wsIsValidCloseStatus.</summary>
    public static bool IsValidCloseStatus(int code)
    {
        if (code is CloseStatusNoStatusReceived or 1004 or 1006 or CloseStatusTlsHandshake) return false;
        if (code < 1000 || code >= 5000) return false;
        return code < 1016 || code > 2999;
    }

    /// <summary>The close status Go's wsEnqueueCloseMessage sends for a connection closed for <paramref name="reason"/>.</summary>
    public static int CloseStatusFor(ClosedState reason) => reason switch
    {
        ClosedState.ClientClosed => CloseStatusNormalClosure,
        ClosedState.AuthenticationTimeout or ClosedState.AuthenticationViolation or ClosedState.SlowConsumerPendingBytes
            or ClosedState.SlowConsumerWriteDeadline or ClosedState.MaxAccountConnectionsExceeded or ClosedState.MaxConnectionsExceeded
            or ClosedState.MaxControlLineExceeded or ClosedState.MaxSubscriptionsExceeded or ClosedState.MissingAccount
            or ClosedState.AuthenticationExpired or ClosedState.Revocation => CloseStatusPolicyViolation,
        ClosedState.TLSHandshakeError => CloseStatusTlsHandshake,
        ClosedState.ParseError or ClosedState.ProtocolViolation or ClosedState.BadClientProtocolVersion => CloseStatusProtocolError,
        ClosedState.MaxPayloadExceeded => CloseStatusMessageTooBig,
        ClosedState.WriteError or ClosedState.ReadError or ClosedState.StaleConnection or ClosedState.ServerShutdown => CloseStatusGoingAway,
        _ => CloseStatusInternalSrvError,
    };

    /// <summary>Go's wsAcceptKey: base64 of SHA-1 over the client's key and the RFC 6455 GUID.</summary>
    public static string AcceptKey(string key)
    {
        byte[] input = [.. Encoding.ASCII.GetBytes(key), .. Guid];
        return Convert.ToBase64String(SHA1.HashData(input));
    }
}
