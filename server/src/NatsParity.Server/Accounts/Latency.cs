using System.Globalization;
using System.Text;
using System.Text.Json;
using NatsParity.Server.Clients;
using NatsParity.Server.Monitoring;

namespace NatsParity.Server.Accounts;

/// <summary>Latency tracking of a service export (Go's serviceLatency): the share of requests measured (1-100, or 0 for
/// requests whose tracing headers ask for it) and the subject the results go to in the exporting account.</summary>
public sealed record ServiceLatencyConfig(int Sampling, string Subject)
{
    /// <summary>Go's DEFAULT_SERVICE_LATENCY_SAMPLING.</summary>
    public const int DefaultSampling = 100;
}

/// <summary>Why a response import went away before its response (Go's rsiReason).</summary>
internal enum ResponseRemoval { Ok, NoDelivery, Timeout }

public static partial class ServiceErrors
{
    public const string BadSampling = "bad sampling percentage, should be 1-100";
    public const string BadPublishSubject = "invalid publish subject";
    public const string NoSysAccount = "system account not setup";
    public const string MissingService = "service missing";
    public const string BadServiceType = "bad service response type";
}

public sealed partial class Account
{
    /// <summary>Go's ServiceLatencyType.</summary>
    internal const string ServiceLatencyType = "io.nats.server.metric.v1.service_latency";

    /// <summary>The server this account belongs to (set when it is registered); latency results are sent through it.</summary>
    internal NatsServer? Server { get; set; }

    /// <summary>Go's TrackServiceExport: latency of every request to <paramref name="service"/> published on
    /// <paramref name="results"/> here.</summary>
    public string? TrackServiceExport(string service, string results) =>
        TrackServiceExportWithSampling(service, results, ServiceLatencyConfig.DefaultSampling);

    /// <summary>Go's TrackServiceExportWithSampling: <paramref name="sampling"/> percent of requests (0: those whose
    /// tracing headers ask for it); the imports of the service in every account start tracking too.</summary>
    public string? TrackServiceExportWithSampling(string service, string results, int sampling) =>
        TrackServiceExportWithSampling(service, results, sampling, fromConfig: false);

    /// <param name="fromConfig">Set from a conf file's export (the system account may not be set up yet; Go checks
    /// it only for calls at run time).</param>
    internal string? TrackServiceExportWithSampling(string service, string results, int sampling, bool fromConfig)
    {
        if (sampling != 0 && sampling is < 1 or > 100) return ServiceErrors.BadSampling;
        if (!Subscriptions.SubjectValidation.IsValidPublishSubject(results) || IsExportService(results)) return ServiceErrors.BadPublishSubject;
        if (!fromConfig && Server is { } s && s.Events is null) return ServiceErrors.NoSysAccount;
        ServiceLatencyConfig latency;
        lock (_imu)
        {
            if (!_serviceExports.TryGetValue(service, out var se)) return ServiceErrors.MissingService;
            if (se.ResponseType != ServiceResponseType.Singleton) return ServiceErrors.BadServiceType;
            se.Latency = latency = new ServiceLatencyConfig(sampling, results);
        }
        SetImportsLatency(service, latency);
        return null;
    }

    /// <summary>Go's UnTrackServiceExport.</summary>
    public void UnTrackServiceExport(string service)
    {
        lock (_imu)
        {
            if (!_serviceExports.TryGetValue(service, out var se) || se.Latency is null) return;
            se.Latency = null;
        }
        SetImportsLatency(service, null);
    }

    /// <summary>The imports of <paramref name="service"/> (from this account) in every account take its latency setting.</summary>
    private void SetImportsLatency(string service, ServiceLatencyConfig? latency)
    {
        if (Server is null) return;
        foreach (var acc in Server.Accounts)
        {
            lock (acc._imu)
            {
                foreach (var si in acc._serviceImports.Values.SelectMany(x => x))
                    if (si.Acc.Name == Name && Subscriptions.SubjectValidation.IsSubsetMatch(si.To, service)) si.Latency = latency;
            }
        }
    }

    /// <summary>Go's IsExportService: an exported service covers <paramref name="subject"/>.</summary>
    public bool IsExportService(string subject)
    {
        lock (_imu)
        {
            if (_serviceExports.ContainsKey(subject)) return true;
            foreach (var subj in _serviceExports.Keys)
                if (Subscriptions.SubjectValidation.IsSubsetMatch(subject, subj)) return true;
            return false;
        }
    }

    /// <summary>Go's shouldSample: whether a request is measured, and the tracing headers that made it so (kept in the
    /// result). A sampling percentage decides by chance; header-triggered sampling reads Uber, B3 and W3C trace context.</summary>
    internal static (bool Sample, Dictionary<string, List<string>>? Header) ShouldSample(ServiceLatencyConfig? l, ReadOnlySpan<byte> hdr)
    {
        if (l is null || l.Sampling < 0) return (false, null);
        if (l.Sampling >= 100) return (true, null);
        if (l.Sampling > 0 && Random.Shared.Next(100) <= l.Sampling) return (true, null);
        var h = ParseHeader(hdr);
        if (h.Count == 0) return (false, null);
        if (h.TryGetValue("Uber-Trace-Id", out var uber))
        {
            // trace:span:parent:flags; Go decodes "0" and the flags' last hex digit, bit 0 being "sampled".
            string[] tk = uber[0].Split(':');
            if (tk.Length == 4 && tk[3].Length is > 0 and <= 2 && HexNibble(tk[3][^1]) is int flags && (flags & 1) == 1)
            {
                var ret = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["Uber-Trace-Id"] = uber };
                foreach (var (k, v) in h) if (k.StartsWith("Uberctx-", StringComparison.Ordinal)) ret[k] = v;
                return (true, ret);
            }
            return (false, null);
        }
        if (h.TryGetValue("X-B3-Sampled", out var sampled) && sampled[0] == "1") return (true, B3Header(h));
        if (sampled is not null && sampled[0] == "0") return (false, null);
        if (h.ContainsKey("X-B3-Traceid")) return (true, B3Header(h));
        if (h.TryGetValue("B3", out var b3))
        {
            string[] tk = b3[0].Split('-');
            if ((tk.Length > 2 && tk[2] == "0") || (tk.Length == 1 && tk[0] == "0")) return (false, null);
            return (true, new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["B3"] = b3 });
        }
        if (h.TryGetValue("Traceparent", out var ctx))
        {
            // version-trace-parent-flags; Go's strconv.ParseInt(flags, 16, 8): two hex digits up to 0x7f, bit 0 "sampled".
            string[] tk = ctx[0].Split('-');
            bool sample = tk.Length == 4 && tk[3].Length == 2 && HexNibble(tk[3][0]) is int hi and <= 7 && HexNibble(tk[3][1]) is int lo
                && (lo & 1) == 1;
            if (!sample) return (false, null);
            var ret = new Dictionary<string, List<string>>(StringComparer.Ordinal) { ["Traceparent"] = ctx };
            if (h.TryGetValue("Tracestate", out var st)) ret["Tracestate"] = st;
            return (true, ret);
        }
        return (false, null);
    }

    private static int? HexNibble(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => null,
    };

    private static Dictionary<string, List<string>> B3Header(Dictionary<string, List<string>> h)
    {
        var ret = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var k in (string[])["X-B3-Sampled", "X-B3-Traceid", "X-B3-Parentspanid", "X-B3-Spanid"])
            if (h.TryGetValue(k, out var v)) ret[k] = v;
        return ret;
    }

    /// <summary>A NATS header block as Go's textproto reads it: canonical keys, trimmed values, repeats kept in order.</summary>
    internal static Dictionary<string, List<string>> ParseHeader(ReadOnlySpan<byte> hdr)
    {
        var h = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        // The first line is the status line.
        int nl = hdr.IndexOf((byte)'\n');
        if (nl < 0) return h;
        var rest = hdr[(nl + 1)..];
        while (rest.Length > 0)
        {
            int end = rest.IndexOf((byte)'\n');
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? default : rest[(end + 1)..];
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0) continue;
            string key = CanonicalHeaderKey(Encoding.UTF8.GetString(line[..colon]));
            string value = Encoding.UTF8.GetString(line[(colon + 1)..]).Trim(' ', '\t');
            if (!h.TryGetValue(key, out var values)) h[key] = values = [];
            values.Add(value);
        }
        return h;
    }

    /// <summary>Go's textproto.CanonicalMIMEHeaderKey: upper case after the start and each '-', lower case elsewhere
    /// (keys with characters outside a token are left as they are).</summary>
    internal static string CanonicalHeaderKey(string key)
    {
        foreach (char c in key)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~'))
                return key;
        var chars = key.ToCharArray();
        bool upper = true;
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = upper ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
            upper = chars[i] == '-';
        }
        return new string(chars);
    }

    /// <summary>Go's sendBadRequestTrackingLatency: a tracked request without a reply subject (400).</summary>
    internal void SendBadRequestTrackingLatency(ServiceImport si, ClientConnection requestor, Dictionary<string, List<string>>? header)
    {
        string req = requestor.ClientInfoJson(si.Share);
        SendLatencyResult(si, 400, "Bad Request", req, null, header, DateTime.UtcNow - requestor.Rtt, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
    }

    /// <summary>Go's sendReplyInterestLostTrackLatency: the requestor stopped listening before the response (408).</summary>
    internal void SendReplyInterestLostTrackLatency(ServiceImport si)
    {
        var rc = si.Requestor;
        SendLatencyResult(si, 408, "Request Timeout", rc?.ClientInfoJson(si.Share), null, si.TrackingHeader,
            si.Created - (rc?.Rtt ?? TimeSpan.Zero), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
    }

    /// <summary>Go's sendBackendErrorTrackingLatency: the request reached no responder (503) or got no response in time (504).</summary>
    internal void SendBackendErrorTrackingLatency(ServiceImport si, ResponseRemoval reason)
    {
        var rc = si.Requestor;
        var (status, error) = reason switch
        {
            ResponseRemoval.NoDelivery => (503, "Service Unavailable"),
            ResponseRemoval.Timeout => (504, "Service Timeout"),
            _ => (0, ""),
        };
        SendLatencyResult(si, status, error, rc?.ClientInfoJson(si.Share), null, si.TrackingHeader,
            si.Created - (rc?.Rtt ?? TimeSpan.Zero), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
    }

    /// <summary>Go's sendTrackingLatency: the response arrived; service, system and total latency with both clients'
    /// round trips.</summary>
    internal void SendTrackingLatency(ServiceImport si, ClientConnection responder)
    {
        var rc = si.Requestor;
        if (rc is null) return;
        var ts = DateTime.UtcNow;
        var serviceRtt = ts - si.Created;
        string? responderInfo = responder.IsInternal && responder.IsSystemClient ? null : responder.ClientInfoJson(true);
        var respRtt = responderInfo is null ? TimeSpan.Zero : responder.Rtt;
        var reqRtt = rc.Rtt;
        var service = serviceRtt - respRtt;
        var total = reqRtt + serviceRtt;
        var system = TimeSpan.Zero;
        if (respRtt > TimeSpan.Zero)
        {
            system = DateTime.UtcNow - ts;
            total += system;
        }
        if (service < TimeSpan.Zero) service = TimeSpan.Zero;
        if (system < TimeSpan.Zero) system = TimeSpan.Zero;
        SendLatencyResult(si, 200, "", rc.ClientInfoJson(si.Share), responderInfo, si.TrackingHeader, si.Created - reqRtt, service, system, total);
    }

    /// <summary>Go's sendLatencyResult: a ServiceLatency event on the export's results subject, published here.</summary>
    private void SendLatencyResult(ServiceImport si, int status, string error, string? requestor, string? responder,
        Dictionary<string, List<string>>? header, DateTime start, TimeSpan service, TimeSpan system, TimeSpan total)
    {
        var latency = si.Latency;
        si.Requestor = null;
        if (latency is null || Server?.Events is not { } events) return;
        var buf = new MemoryStream();
        using (var w = new Utf8JsonWriter(buf, GoJson.Compact))
        {
            w.WriteStartObject();
            w.WriteString("type", ServiceLatencyType);
            w.WriteString("id", Events.SystemEvents.NextEventId());
            w.WriteString("timestamp", GoJson.Time(DateTime.UtcNow));
            w.WriteNumber("status", status);
            if (error.Length > 0) w.WriteString("description", error);
            if (requestor is not null)
            {
                w.WritePropertyName("requestor");
                w.WriteRawValue(requestor);
            }
            if (responder is not null)
            {
                w.WritePropertyName("responder");
                w.WriteRawValue(responder);
            }
            w.HeaderMap("header", header);
            w.WriteString("start", GoJson.Time(start));
            w.WriteNumber("service", service.Ticks * 100);
            w.WriteNumber("system", system.Ticks * 100);
            w.WriteNumber("total", total.Ticks * 100);
            w.WriteEndObject();
        }
        events.SendInternalAccountMsg(this, latency.Subject, "", null, buf.ToArray());
    }
}
