using System.Text.Json;

namespace NatsParity.Testing;

/// <summary>The shape of a JSON document for comparing ours with the reference: every key path with its JSON type.
/// Array elements collapse to "[]" so lists of any length compare; true and false are one type; maps keyed by data
/// (http_req_stats) compare as maps, not by their keys.</summary>
public static class JsonPaths
{
    public static Dictionary<string, JsonValueKind> Of(JsonElement e)
    {
        var into = new Dictionary<string, JsonValueKind>(StringComparer.Ordinal);
        Walk(e, "$", into);
        return into;
    }

    private static void Walk(JsonElement e, string prefix, Dictionary<string, JsonValueKind> into)
    {
        var kind = e.ValueKind is JsonValueKind.True or JsonValueKind.False ? JsonValueKind.True : e.ValueKind;
        into.TryAdd(prefix, kind);
        if (e.ValueKind == JsonValueKind.Object)
        {
            if (prefix.EndsWith(".http_req_stats", StringComparison.Ordinal)) return;
            foreach (var p in e.EnumerateObject()) Walk(p.Value, $"{prefix}.{p.Name}", into);
        }
        else if (e.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in e.EnumerateArray()) Walk(item, prefix + "[]", into);
        }
    }
}
