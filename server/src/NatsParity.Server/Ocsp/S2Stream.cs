using System.Numerics;

namespace NatsParity.Server.Ocsp;

/// <summary>The S2 stream format Go's klauspost/compress/s2 writer produces (the OCSP peer cache stores responses
/// in it): a stream identifier, then chunks of compressed or stored data with their masked CRC-32C.</summary>
internal static class S2Stream
{
    private static readonly byte[] StreamId = [0xff, 0x06, 0x00, 0x00, (byte)'S', (byte)'2', (byte)'s', (byte)'T', (byte)'w', (byte)'O'];
    private const int MaxChunk = 65536;

    /// <summary>Compressed with Snappy blocks, which are valid S2 blocks.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> data)
    {
        var ms = new MemoryStream();
        ms.Write(StreamId);
        for (int off = 0; off < data.Length; off += MaxChunk)
        {
            var chunk = data.Slice(off, Math.Min(MaxChunk, data.Length - off));
            var compressed = IronSnappy.Snappy.Encode(chunk);
            int len = compressed.Length + 4;
            ms.Write([0x00, (byte)len, (byte)(len >> 8), (byte)(len >> 16)]);
            ms.Write(BitConverter.GetBytes(MaskedCrc(chunk)));
            ms.Write(compressed);
        }
        return ms.ToArray();
    }

    public static byte[] Decode(ReadOnlySpan<byte> src)
    {
        var output = new List<byte>(src.Length * 2);
        bool sawId = false;
        while (src.Length > 0)
        {
            if (src.Length < 4) throw new InvalidDataException("s2: corrupt input");
            int type = src[0], len = src[1] | src[2] << 8 | src[3] << 16;
            if (src.Length < 4 + len) throw new InvalidDataException("s2: corrupt input");
            var body = src.Slice(4, len);
            src = src[(4 + len)..];
            if (type == 0xff)
            {
                if (!body.SequenceEqual(StreamId.AsSpan(4)) && !body.SequenceEqual("sNaPpY"u8)) throw new InvalidDataException("s2: corrupt input");
                sawId = true;
                continue;
            }
            if (!sawId) throw new InvalidDataException("s2: corrupt input");
            if (type is 0x00 or 0x01)
            {
                if (body.Length < 4) throw new InvalidDataException("s2: corrupt input");
                uint crc = BitConverter.ToUInt32(body[..4]);
                byte[] chunk = type == 0x00 ? DecodeBlock(body[4..]) : body[4..].ToArray();
                if (MaskedCrc(chunk) != crc) throw new InvalidDataException("s2: corrupt input, crc mismatch");
                output.AddRange(chunk);
            }
            else if (type <= 0x7f)
            {
                throw new InvalidDataException("s2: unsupported input");
            }
        }
        return output.ToArray();
    }

    /// <summary>An S2 block: Snappy's literals and copies plus S2's repeat of the previous offset (a one-byte-offset
    /// copy with offset zero).</summary>
    private static byte[] DecodeBlock(ReadOnlySpan<byte> src)
    {
        int pos = 0;
        ulong n = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (pos >= src.Length || shift > 63) throw new InvalidDataException("s2: corrupt input");
            byte b = src[pos++];
            n |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80) break;
        }
        if (n > 4 << 20) throw new InvalidDataException("s2: decoded block is too large");
        var dst = new byte[n];
        int d = 0, offset = 0;
        while (pos < src.Length)
        {
            byte tag = src[pos++];
            int length;
            switch (tag & 3)
            {
                case 0:
                    length = tag >> 2;
                    if (length >= 60)
                    {
                        int extra = length - 59;
                        length = 0;
                        for (int i = 0; i < extra; i++) length |= src[pos++] << (8 * i);
                    }
                    length++;
                    src.Slice(pos, length).CopyTo(dst.AsSpan(d));
                    pos += length;
                    d += length;
                    continue;
                case 1:
                    length = (tag >> 2) & 7;
                    int off1 = (tag & 0xe0) << 3 | src[pos++];
                    if (off1 == 0)
                    {
                        length = length switch
                        {
                            5 => src[pos++] + 4,
                            6 => (src[pos++] | src[pos++] << 8) + (1 << 8),
                            7 => (src[pos++] | src[pos++] << 8 | src[pos++] << 16) + (1 << 16),
                            _ => length,
                        } + 4;
                    }
                    else
                    {
                        offset = off1;
                        length += 4;
                    }
                    break;
                case 2:
                    length = (tag >> 2) + 1;
                    offset = src[pos] | src[pos + 1] << 8;
                    pos += 2;
                    break;
                default:
                    length = (tag >> 2) + 1;
                    offset = src[pos] | src[pos + 1] << 8 | src[pos + 2] << 16 | src[pos + 3] << 24;
                    pos += 4;
                    break;
            }
            if (offset <= 0 || offset > d || length > dst.Length - d) throw new InvalidDataException("s2: corrupt input");
            for (int i = 0; i < length; i++, d++) dst[d] = dst[d - offset];
        }
        if (d != dst.Length) throw new InvalidDataException("s2: corrupt input");
        return dst;
    }

    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xffffffff;
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
