using System.Text;
using System.Text.RegularExpressions;

namespace NatsParity.Testing;

/// <summary>
/// Records a raw client session as a readable transcript (<c>&gt; </c> sent, <c>&lt; </c> received) with the INFO
/// fields that differ between servers and runs masked, so two servers' transcripts can be compared byte for byte.
/// </summary>
public static class WireTranscript
{
    /// <summary>INFO fields that vary per server, per run or per connection.</summary>
    public static readonly IReadOnlyList<string> MaskedInfoFields =
        ["server_id", "server_name", "nonce", "client_id", "client_ip", "port", "host", "version", "go", "git_commit"];

    public const string Mask = "\"*\"";

    /// <summary>INFO fields the current Go source sends and the 2.9.10 reference does not (xkey: since 2.10);
    /// they vary per server too, so a transcript leaves them out rather than masking them.</summary>
    public static readonly IReadOnlyList<string> NewerInfoFields = ["xkey"];

    private static readonly Regex NewerInfoField = new(
        ",\"(" + string.Join('|', NewerInfoFields) + ")\":\"(?:[^\"\\\\]|\\\\.)*\"",
        RegexOptions.CultureInvariant);

    // A JSON string or integer value of one of the masked fields.
    private static readonly Regex InfoField = new(
        "\"(" + string.Join('|', MaskedInfoFields) + ")\":(\"(?:[^\"\\\\]|\\\\.)*\"|-?[0-9]+)",
        RegexOptions.CultureInvariant);

    /// <summary>How long the server must stay silent before a step's reply is considered complete.</summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(80);

    /// <summary>
    /// Connects, records the greeting, sends each step (whole, or one byte at a time) and records what follows it.
    /// The session stops at the first step after which the server has closed the connection.
    /// </summary>
    public static string Record(NatsServerProcess server, IEnumerable<string> steps, bool byteByByte = false)
    {
        var transcript = new StringBuilder();
        using var c = ProtoClient.Connect(server, readInfo: false);
        // A server greets first: wait for that line however loaded the machine is, then for anything behind it.
        c.WaitForLine(TimeSpan.FromSeconds(2));
        AppendReceived(transcript, c.Drain(Quiet, TimeSpan.FromSeconds(2)));
        foreach (var step in steps)
        {
            if (c.IsClosed)
                break;
            transcript.Append("> ").Append(ProtoClient.Escape(step)).Append('\n');
            try
            {
                if (byteByByte)
                {
                    foreach (var b in Encoding.UTF8.GetBytes(step))
                    {
                        c.Send([b]);
                        Thread.Sleep(1);
                    }
                }
                else
                {
                    c.Send(step);
                }
            }
            catch (IOException)
            {
                transcript.Append("! send failed\n");
                break;
            }
            AppendReceived(transcript, c.Drain(Quiet, TimeSpan.FromSeconds(2)));
        }
        if (!c.IsClosed)
            AppendReceived(transcript, c.Drain(Quiet * 3, TimeSpan.FromSeconds(1)));
        transcript.Append(c.IsClosed ? "= closed by server\n" : "= open\n");
        return transcript.ToString();
    }

    /// <summary>Replaces the values of <see cref="MaskedInfoFields"/> in INFO lines; everything else is kept as sent.</summary>
    public static string MaskInfo(string line) =>
        line.StartsWith("INFO ", StringComparison.Ordinal)
            ? InfoField.Replace(NewerInfoField.Replace(line, ""), m => $"\"{m.Groups[1].Value}\":{Mask}")
            : line;

    private static void AppendReceived(StringBuilder transcript, string received)
    {
        var start = 0;
        while (start < received.Length)
        {
            var eol = received.IndexOf("\r\n", start, StringComparison.Ordinal);
            if (eol < 0)
            {
                transcript.Append("< ").Append(ProtoClient.Escape(received[start..])).Append(" (no CRLF)\n");
                break;
            }
            transcript.Append("< ").Append(MaskInfo(received[start..eol])).Append('\n');
            start = eol + 2;
        }
    }
}
