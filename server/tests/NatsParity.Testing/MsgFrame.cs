using System.Buffers.Text;
using System.Text;

namespace NatsParity.Testing;

/// <summary>
/// A delivered MSG or HMSG frame: <c>MSG subject sid [reply] len</c> or <c>HMSG subject sid [reply] hlen len</c>,
/// then the header and payload bytes.
/// </summary>
public sealed record MsgFrame(string Op, string Subject, string Sid, string? Reply, byte[] Header, byte[] Payload)
{
    public int HeaderLength => Header.Length;
    public int TotalLength => Header.Length + Payload.Length;
    public string HeaderText => Encoding.UTF8.GetString(Header);
    public string PayloadText => Encoding.UTF8.GetString(Payload);

    /// <summary>
    /// Go's checkMsg: subject, reply (empty for none), total length and payload must match; sid is checked unless null.
    /// </summary>
    public void Check(string subject, string? sid, string reply, int length, string payload)
    {
        var errors = new List<string>();
        if (Subject != subject) errors.Add($"subject '{Subject}' != '{subject}'");
        if (sid is not null && Sid != sid) errors.Add($"sid '{Sid}' != '{sid}'");
        if ((Reply ?? "") != reply) errors.Add($"reply '{Reply}' != '{reply}'");
        if (TotalLength != length) errors.Add($"length {TotalLength} != {length}");
        if (PayloadText != payload) errors.Add($"payload '{PayloadText}' != '{payload}'");
        if (errors.Count > 0)
            throw new ProtoException($"Unexpected {this}: {string.Join("; ", errors)}");
    }

    /// <summary>Go's checkHmsg: as <see cref="Check"/> plus the header length and header block.</summary>
    public void CheckHeaders(string subject, string? sid, string reply, int headerLength, int length, string header, string payload)
    {
        Check(subject, sid, reply, length, payload);
        if (HeaderLength != headerLength || HeaderText != header)
            throw new ProtoException($"Unexpected header in {this}: expected {headerLength} bytes {ProtoClient.Escape(header)}");
    }

    public override string ToString() =>
        $"{Op} {Subject} {Sid}{(Reply is null ? "" : " " + Reply)} " +
        (Op == "HMSG" ? $"{HeaderLength} {TotalLength} hdr={ProtoClient.Escape(HeaderText)} " : $"{TotalLength} ") +
        $"payload={ProtoClient.Escape(PayloadText)}";

    /// <summary>
    /// Parses one complete frame at the start of <paramref name="data"/>. Returns false with a null
    /// <paramref name="error"/> when more bytes are needed, or with an error when the data is not a frame.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out MsgFrame frame, out int consumed, out string? error)
    {
        frame = null!;
        consumed = 0;
        error = null;
        var eol = data.IndexOf("\r\n"u8);
        if (eol < 0)
        {
            if (data.Length >= 4 && !data.StartsWith("MSG "u8) && !data.StartsWith("HMSG"u8))
                error = $"received {ProtoClient.Escape(Encoding.UTF8.GetString(data[..Math.Min(data.Length, 200)]))}";
            return false;
        }
        var line = Encoding.UTF8.GetString(data[..eol]);
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var isHeader = parts.Length > 0 && parts[0] == "HMSG";
        var isMsg = parts.Length > 0 && parts[0] == "MSG";
        var argCount = parts.Length - 1;
        if (!(isMsg && argCount is 3 or 4) && !(isHeader && argCount is 4 or 5))
        {
            error = $"received line {ProtoClient.Escape(line)}";
            return false;
        }
        var numbers = isHeader ? 2 : 1;
        var reply = argCount == numbers + 3 ? parts[3] : null;
        var hlen = 0;
        if (!TryInt(parts[^1], out var total) || (isHeader && !TryInt(parts[^2], out hlen)) || hlen > total)
        {
            error = $"bad lengths in {ProtoClient.Escape(line)}";
            return false;
        }
        var needed = eol + 2 + total + 2;
        if (data.Length < needed)
            return false;
        var body = data.Slice(eol + 2, total);
        if (!data.Slice(eol + 2 + total, 2).SequenceEqual("\r\n"u8))
        {
            error = $"payload of {ProtoClient.Escape(line)} not followed by CRLF";
            return false;
        }
        frame = new MsgFrame(parts[0], parts[1], parts[2], reply, body[..hlen].ToArray(), body[hlen..].ToArray());
        consumed = needed;
        return true;
    }

    private static bool TryInt(string s, out int value) =>
        Utf8Parser.TryParse(Encoding.ASCII.GetBytes(s), out value, out var used) && used == s.Length && value >= 0;
}
