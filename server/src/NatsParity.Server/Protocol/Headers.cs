using System.Text;

namespace NatsParity.Server.Protocol;

/// <summary>NATS message header helpers over byte buffers, as Go's client.go (genHeader, setHeader, sliceHeader,
/// getHeader, getHeaderKeyIndex, removeHeaderIfPresent, removeHeaderIfPrefixPresent). Segments stand for Go's slices:
/// a result that views the input shares its array, a new buffer does not.</summary>
public static class Headers
{
    /// <summary>Go's hdrLine.</summary>
    public const string HdrLine = "NATS/1.0\r\n";
    private const int EmptyHdrLineLen = 12; // "NATS/1.0\r\n\r\n"

    // Header names the helpers are exercised with (Go's stream.go constants).
    public const string JSExpectedStream = "Nats-Expected-Stream";
    public const string JSExpectedLastSeq = "Nats-Expected-Last-Sequence";
    public const string JSExpectedLastSubjSeq = "Nats-Expected-Last-Subject-Sequence";
    public const string JSExpectedLastSubjSeqSubj = "Nats-Expected-Last-Subject-Sequence-Subject";
    public const string JSExpectedLastMsgId = "Nats-Expected-Last-Msg-Id";

    /// <summary>Go's genHeader: the header block (a fresh one when <paramref name="hdr"/> is empty) with
    /// "key: value" added before its closing CRLF.</summary>
    public static byte[] GenHeader(ReadOnlySpan<byte> hdr, string key, string value)
    {
        var ms = new MemoryStream();
        if (hdr.Length > 2) ms.Write(hdr[..^2]);
        else ms.Write(Encoding.ASCII.GetBytes(HdrLine));
        // http.Header.Write: newlines in values become spaces and the value is trimmed.
        string v = value.Replace("\r\n", " ").Replace('\r', ' ').Replace('\n', ' ').Trim(' ', '\t');
        ms.Write(Encoding.UTF8.GetBytes($"{key}: {v}\r\n"));
        ms.Write("\r\n"u8);
        return ms.ToArray();
    }

    /// <summary>Go's getHeaderKeyIndex: where "key:" starts a header line, or -1.</summary>
    public static int GetHeaderKeyIndex(string key, ReadOnlySpan<byte> hdr)
    {
        if (hdr.Length == 0) return -1;
        var bkey = Encoding.UTF8.GetBytes(key);
        int keyLen = bkey.Length, hdrLen = hdr.Length, offset = 0;
        while (true)
        {
            int index = hdr[offset..].IndexOf(bkey);
            // As Go: the index relative to the offset must leave room for a preceding CRLF.
            if (index < 2) return -1;
            index += offset;
            if (index >= hdrLen - 1 || hdr[index - 1] != '\n' || hdr[index - 2] != '\r')
            {
                offset = index + keyLen;
                continue;
            }
            if (index + keyLen >= hdrLen) return -1;
            if (hdr[index + keyLen] != ':')
            {
                offset = index + keyLen;
                continue;
            }
            return index;
        }
    }

    /// <summary>Go's sliceHeader: the value of <paramref name="key"/> as a view into <paramref name="hdr"/>, or null.</summary>
    public static ArraySegment<byte>? SliceHeader(string key, ArraySegment<byte> hdr)
    {
        if (hdr.Count == 0) return null;
        int index = GetHeaderKeyIndex(key, hdr);
        if (index == -1) return null;
        index += Encoding.UTF8.GetByteCount(key) + 1;
        int hdrLen = hdr.Count;
        while (index < hdrLen && hdr[index] == ' ') index++;
        int start = index;
        while (index < hdrLen)
        {
            if (hdr[index] == '\r' && index < hdrLen - 1 && hdr[index + 1] == '\n') break;
            index++;
        }
        return hdr.Slice(start, index - start);
    }

    /// <summary>Go's getHeader: a copy of the value, or null.</summary>
    public static byte[]? GetHeader(string key, ArraySegment<byte> hdr) => SliceHeader(key, hdr)?.ToArray();

    /// <summary>Go's removeHeaderIfPresent: every "key:" line removed; null when only the empty block is left.</summary>
    public static byte[]? RemoveHeaderIfPresent(byte[]? hdr, string key)
    {
        if (hdr is null) return null;
        var list = new List<byte>(hdr);
        int keyLen = Encoding.UTF8.GetByteCount(key);
        while (true)
        {
            var cur = list.ToArray();
            int start = GetHeaderKeyIndex(key, cur);
            if (start < 1 || cur[start - 1] != '\n') return cur;
            int index = start + keyLen;
            if (index >= cur.Length || cur[index] != ':') return cur;
            int end = cur.AsSpan(start).IndexOf("\r\n"u8);
            if (end < 0) return cur;
            list.RemoveRange(start, end + 2);
            if (list.Count <= EmptyHdrLineLen) return null;
        }
    }

    /// <summary>Go's removeHeaderIfPrefixPresent: every header line starting with <paramref name="prefix"/> removed.</summary>
    public static byte[]? RemoveHeaderIfPrefixPresent(byte[]? hdr, string prefix)
    {
        if (hdr is null) return null;
        var p = Encoding.UTF8.GetBytes(prefix);
        var list = new List<byte>(hdr);
        int index = 0;
        while (true)
        {
            var cur = list.ToArray();
            if (index >= cur.Length) return cur;
            int start = cur.AsSpan(index).IndexOf(p);
            if (start < 0) return cur;
            index += start;
            if (index < 1 || cur[index - 1] != '\n')
            {
                index += p.Length;
                continue;
            }
            int end = cur.AsSpan(index + p.Length).IndexOf("\r\n"u8);
            if (end < 0) return cur;
            list.RemoveRange(index, end + p.Length + 2);
            if (list.Count <= EmptyHdrLineLen) return null;
        }
    }

    /// <summary>Go's setHeader(key, val, hdr): replaces the value in place when it fits (the input array changes), else
    /// returns a new buffer and leaves the input alone; a new key goes at the end.</summary>
    public static ArraySegment<byte> SetHeader(string key, string val, ArraySegment<byte> hdr)
    {
        int start = GetHeaderKeyIndex(key, hdr);
        var vb = Encoding.UTF8.GetBytes(val);
        if (start >= 0)
        {
            int valStart = start + Encoding.UTF8.GetByteCount(key) + 1;
            int hdrLen = hdr.Count;
            if (valStart < hdrLen && hdr[valStart] == ' ') valStart++;
            int valEnd = hdr.AsSpan(valStart).IndexOf((byte)'\r');
            if (valEnd < 0) return hdr;
            valEnd += valStart;
            int oldValLen = valEnd - valStart;
            int extra = vb.Length - oldValLen;
            if (extra > 0)
            {
                var newHdr = new byte[hdrLen + extra];
                hdr.AsSpan(0, valStart).CopyTo(newHdr);
                vb.CopyTo(newHdr, valStart);
                hdr.AsSpan(valEnd).CopyTo(newHdr.AsSpan(valStart + vb.Length));
                return newHdr;
            }
            var span = hdr.AsSpan();
            vb.CopyTo(span[valStart..]);
            int n = vb.Length;
            var tail = span[valEnd..].ToArray();
            tail.CopyTo(span[(valStart + n)..]);
            n += tail.Length;
            return hdr.Slice(0, valStart + n);
        }
        var baseHdr = hdr.AsSpan();
        string suffix = "";
        if (baseHdr.Length > 0 && baseHdr.EndsWith("\r\n"u8))
        {
            baseHdr = baseHdr[..^2];
            suffix = "\r\n";
        }
        var ms = new MemoryStream(baseHdr.Length + key.Length + vb.Length + 6);
        ms.Write(baseHdr);
        ms.Write(Encoding.UTF8.GetBytes($"{key}: {val}{suffix}\r\n"));
        return ms.ToArray();
    }

    /// <summary>Go's isJSAckSubject.</summary>
    public static bool IsJSAckSubject(ReadOnlySpan<byte> subject) => subject.Length > 8 && subject.StartsWith("$JS.ACK."u8);

    /// <summary>Go's jsAckDeliverIdx: the '@' after at least eight dots of a $JS.ACK reply, or -1.</summary>
    public static int JSAckDeliverIdx(ReadOnlySpan<byte> reply)
    {
        if (!IsJSAckSubject(reply)) return -1;
        int dots = 0;
        for (int i = 0; i < reply.Length; i++)
        {
            if (reply[i] == '.') dots++;
            else if (reply[i] == '@' && dots >= 8) return i;
        }
        return -1;
    }

    /// <summary>Go's replyHasJSAckSuffix.</summary>
    public static bool ReplyHasJSAckSuffix(ReadOnlySpan<byte> reply) => JSAckDeliverIdx(reply) != -1;
}
