using System.Globalization;
using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Protocol;

namespace NatsParity.Server.Clients;

/// <summary>Service imports on the publishing side (Go's processServiceImport): the request crosses into the exporting
/// account with a generated reply subject and a Nats-Request-Info header; the response finds its way back.</summary>
public sealed partial class ClientConnection
{
    /// <summary>Go's ClientInfoHdr.</summary>
    internal const string ClientInfoHeader = "Nats-Request-Info";

    // The service imports this message already went through (Go's c.pa.psi), so a cycle stops.
    private readonly List<ServiceImport> _psi = [];

    internal bool ProcessServiceImport(ServiceImport si, Account acc, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply,
        int hdr, ReadOnlySpan<byte> msg)
    {
        if (si.Invalid) return false;
        bool isResponse = si.IsResponse;
        foreach (var prev in _psi)
            if (prev.Export is not null && ReferenceEquals(prev.Export, si.Export)) return false;
        var siAcc = si.Acc;

        ServiceImport? rsi = null;
        byte[] nrr = [];
        var (tracking, trackingHeader) = si.Latency is null ? (false, null) : Account.ShouldSample(si.Latency, hdr > 0 ? msg[..hdr] : default);
        if (reply.Length > 0)
        {
            if (!reply.StartsWith("$JS.ACK."u8))
            {
                rsi = si.Acc.AddRespServiceImport(acc, Encoding.UTF8.GetString(reply), si, tracking, trackingHeader);
                nrr = Encoding.UTF8.GetBytes(rsi.From);
                if (si.Latency is not null)
                {
                    // Go's setupResponseServiceImport: the requestor's round trip is part of the measurement, which
                    // starts when the request arrived.
                    if (Volatile.Read(ref _rttTicks) == 0) SendRttPing();
                    rsi.Requestor = this;
                    rsi.Created = ReceivedUtc;
                }
            }
            else nrr = reply.ToArray();
        }
        else if (!isResponse && si.Latency is not null && tracking)
        {
            siAcc.SendBadRequestTrackingLatency(si, this, trackingHeader);
        }

        // The response to a measured request: the measurement goes out as the response is delivered.
        if (si.Tracking && !si.DidDeliver)
        {
            si.DidDeliver = true;
            acc.SendTrackingLatency(si, this);
        }

        ReadOnlySpan<byte> to = si.Transform is { } tr ? Encoding.UTF8.GetBytes(tr.TransformSubject(Encoding.UTF8.GetString(subject)))
            : si.UsePub ? subject : si.ToBytes;
        byte[]? rewritten = null;
        if (!isResponse)
        {
            bool share = _psi.Count > 0 ? _psi[^1].Share : si.Share;
            (rewritten, hdr) = SetHeader(ClientInfoHeader, ClientInfoJson(share), hdr, msg);
            msg = rewritten;
        }

        _psi.Add(si);
        bool delivered;
        try
        {
            var r = siAcc.Sublist.Match(to);
            delivered = ProcessMsgResults(siAcc, r, to, nrr, hdr, msg, fromService: true, routeToRoute: isResponse);
        }
        finally
        {
            _psi.RemoveAt(_psi.Count - 1);
        }

        bool shouldRemove = !delivered || (isResponse && (si.ResponseType == ServiceResponseType.Singleton || msg.Length == 2));
        if (si.ResponseType != ServiceResponseType.Singleton && delivered) si.Created = DateTime.UtcNow;
        if (shouldRemove)
        {
            var reason = delivered ? ResponseRemoval.Ok : ResponseRemoval.NoDelivery;
            if (isResponse) acc.RemoveRespServiceImport(si, reason);
            else siAcc.RemoveRespServiceImport(rsi, reason);
        }
        return delivered;
    }

    /// <summary>Go's getClientInfo as JSON: account and RTT, and with <paramref name="detailed"/> (a shared import) the
    /// client's identity and server as well, in ClientInfo's field order with omitempty.</summary>
    internal string ClientInfoJson(bool detailed)
    {
        var sb = new StringBuilder("{");
        void Str(string key, string? v)
        {
            if (string.IsNullOrEmpty(v)) return;
            if (sb.Length > 1) sb.Append(',');
            sb.Append('"').Append(key).Append("\":").Append(System.Text.Json.JsonSerializer.Serialize(v));
        }
        void Num(string key, long v)
        {
            if (v == 0) return;
            if (sb.Length > 1) sb.Append(',');
            sb.Append('"').Append(key).Append("\":").Append(v.ToString(CultureInfo.InvariantCulture));
        }
        if (detailed)
        {
            Str("start", StartTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            Str("host", RemoteHost);
            Num("id", (long)Cid);
        }
        Str("acc", _acc.Name);
        if (detailed)
        {
            Str("user", RawAuthUser);
            Str("name", _opts.Name);
            Str("lang", _opts.Lang);
            Str("ver", _opts.Version);
        }
        Num("rtt", _rttTicks * 100);
        if (detailed)
        {
            Str("server", _server.Name);
            Str("jwt", _opts.Jwt);
            Str("issuer_key", IssuerKey);
            Str("name_tag", JwtName);
            if (JwtTags.Count > 0)
            {
                sb.Append(",\"tags\":").Append(System.Text.Json.JsonSerializer.Serialize(JwtTags));
            }
            Str("kind", KindString(Kind));
            Str("client_type", ClientTypeString);
        }
        return sb.Append('}').ToString();
    }

    /// <summary>Go's client.setHeader: the header block without <paramref name="key"/>, then "key: value"; the input
    /// message is not modified. Returns the new message and header length.</summary>
    internal static (byte[] Msg, int Hdr) SetHeader(string key, string value, int hdr, ReadOnlySpan<byte> msg)
    {
        var ms = new MemoryStream(msg.Length + key.Length + value.Length + 16);
        int omi = 0;
        if (hdr > 2)
        {
            omi = hdr;
            var h = Protocol.Headers.RemoveHeaderIfPresent(msg[..(hdr - 2)].ToArray(), key);
            if (h is null || h.Length == 0) ms.Write(Encoding.ASCII.GetBytes(Protocol.Headers.HdrLine));
            else ms.Write(h);
        }
        else
        {
            ms.Write(Encoding.ASCII.GetBytes(Protocol.Headers.HdrLine));
        }
        ms.Write(Encoding.UTF8.GetBytes($"{key}: {value}\r\n\r\n"));
        int nhdr = (int)ms.Length;
        ms.Write(msg[omi..]);
        return (ms.ToArray(), nhdr);
    }
}
