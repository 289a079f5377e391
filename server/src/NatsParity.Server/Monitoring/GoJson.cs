using System.Globalization;
using System.Text.Json;

namespace NatsParity.Server.Monitoring;

/// <summary>Go's encodings for monitoring JSON: RFC 3339 times with trimmed nanoseconds, time.Duration strings and
/// the uptime format.</summary>
internal static class GoJson
{
    public static readonly JsonWriterOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    public static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Go's time.Time JSON: RFC 3339 with up to nanoseconds, trailing zeros trimmed.</summary>
    public static string Time(DateTime t) => t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Go's time.Duration String().</summary>
    public static string Duration(TimeSpan d) => Config.ServerOptions.GoDuration(d);

    /// <summary>Go's myUptime: "1y2d3h4m5s" with leading zero units left out.</summary>
    public static string Uptime(TimeSpan d)
    {
        long tsecs = (long)d.TotalSeconds, tmins = tsecs / 60, thrs = tmins / 60, tdays = thrs / 24, tyrs = tdays / 365;
        if (tyrs > 0) return $"{tyrs}y{tdays % 365}d{thrs % 24}h{tmins % 60}m{tsecs % 60}s";
        if (tdays > 0) return $"{tdays}d{thrs % 24}h{tmins % 60}m{tsecs % 60}s";
        if (thrs > 0) return $"{thrs}h{tmins % 60}m{tsecs % 60}s";
        if (tmins > 0) return $"{tmins}m{tsecs % 60}s";
        return $"{tsecs}s";
    }

    public static void Str(this Utf8JsonWriter w, string name, string? value, bool omitEmpty = false)
    {
        if (omitEmpty && string.IsNullOrEmpty(value)) return;
        w.WriteString(name, value ?? "");
    }

    public static void Num(this Utf8JsonWriter w, string name, long value, bool omitEmpty = false)
    {
        if (omitEmpty && value == 0) return;
        w.WriteNumber(name, value);
    }

    public static void Flt(this Utf8JsonWriter w, string name, double value) => w.WriteNumber(name, value);

    public static void Bool(this Utf8JsonWriter w, string name, bool value, bool omitEmpty = false)
    {
        if (omitEmpty && !value) return;
        w.WriteBoolean(name, value);
    }

    /// <summary>Go's SlowConsumersStats / StaleConnectionStats: counts per connection kind; only clients exist here.</summary>
    /// <summary>An http.Header as Go marshals it: keys in order, each with its array of values; nothing when empty.</summary>
    public static void HeaderMap(this Utf8JsonWriter w, string name, Dictionary<string, List<string>>? header)
    {
        if (header is not { Count: > 0 }) return;
        w.WriteStartObject(name);
        foreach (var (k, values) in header.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            w.WriteStartArray(k);
            foreach (var v in values) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    public static void KindStats(this Utf8JsonWriter w, string name, long clients)
    {
        w.WriteStartObject(name);
        w.Num("clients", clients);
        w.Num("routes", 0);
        w.Num("gateways", 0);
        w.Num("leafs", 0);
        w.WriteEndObject();
    }
}
