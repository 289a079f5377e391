using System.Buffers.Binary;

namespace NatsParity.Server.WebSockets;

/// <summary>A connection's inbound frame state (Go's wsReadInfo). Go reads a header cut by the end of a read
/// straight from the connection; here the header (and a control frame's payload) is kept until the next read
/// completes it, so the read loop never blocks inside the decoder.</summary>
internal sealed class WsReadInfo
{
    /// <summary>Go's rem: payload bytes left in the current frame.</summary>
    public ulong Rem;
    /// <summary>Go's fs (expecting a frame start), ff (the message's final frame was seen) and fc (compressed message).</summary>
    public bool Fs = true, Ff = true, Fc;
    public bool Mask;
    public byte MaskPos;
    public uint MaskKey;

    // A frame header being assembled across reads.
    public readonly byte[] Header = new byte[WsFrames.MaxFrameHeaderSize];
    public int HeaderLen;

    // A control frame whose payload is being read.
    public WsOpCode? Control;
    public readonly byte[] ControlPayload = new byte[WsFrames.MaxControlPayloadSize];
    public int ControlLen;

    // The compressed message accumulated until its final frame (Go's cbufs and csz).
    public MemoryStream? Compressed;

    public WsReadInfo(bool mask) => Mask = mask;

    /// <summary>Go's resetCompressedState.</summary>
    public void ResetCompressedState()
    {
        Fs = Ff = true;
        Fc = false;
        Rem = 0;
        Compressed = null;
    }

    /// <summary>Go's unmask: XORs with the frame's key, carrying the key position across calls.</summary>
    public void Unmask(Span<byte> buf)
    {
        int p = MaskPos;
        if (buf.Length >= 16)
        {
            Span<byte> k = stackalloc byte[8];
            for (int i = 0; i < 8; i++) k[i] = KeyByte(p + i);
            ulong km = BinaryPrimitives.ReadUInt64BigEndian(k);
            int n = buf.Length / 8 * 8;
            for (int i = 0; i < n; i += 8)
                BinaryPrimitives.WriteUInt64BigEndian(buf[i..], BinaryPrimitives.ReadUInt64BigEndian(buf[i..]) ^ km);
            buf = buf[n..];
        }
        for (int i = 0; i < buf.Length; i++, p++) buf[i] ^= KeyByte(p);
        MaskPos = (byte)(p & 3);
    }

    private byte KeyByte(int p) => (byte)(MaskKey >> (24 - 8 * (p & 3)));

    /// <summary>How long the header in <see cref="Header"/> is, once its first <paramref name="have"/> bytes say.</summary>
    public int HeaderSize(int have)
    {
        if (have < 2) return 2;
        int n = 2;
        int len = Header[1] & 0x7f;
        if (len == 126) n += 2;
        else if (len == 127) n += 8;
        if (Mask) n += 4;
        return n;
    }
}
