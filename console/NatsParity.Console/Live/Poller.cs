using System.Collections.Concurrent;
using System.Text.Json;
using NatsParity.Console.Nodes;

namespace NatsParity.Console.Live;

/// <summary>Polls every running node's /varz (and the selected node's /connz) from its monitoring port.</summary>
public sealed class Poller : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly ConcurrentDictionary<Node, NodeStats> _stats = new(ReferenceEqualityComparer.Instance);

    public NodeStats StatsFor(Node node) => _stats.GetOrAdd(node, _ => new NodeStats());

    public async Task PollAsync(IEnumerable<Node> nodes, CancellationToken ct = default)
    {
        await Task.WhenAll(nodes.Where(n => n.State == NodeState.Running && n.MonitorUrl is not null).Select(async n =>
        {
            var stats = StatsFor(n);
            try
            {
                using var doc = JsonDocument.Parse(await _http.GetStringAsync(n.MonitorUrl + "/varz", ct).ConfigureAwait(false));
                stats.Add(VarzSample.Parse(doc.RootElement, DateTime.UtcNow));
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                stats.Fail(e.Message);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>The node's connections as table rows (cid, name, ip:port, subs, in/out msgs, uptime).</summary>
    public async Task<IReadOnlyList<string>> ConnzAsync(Node node, CancellationToken ct = default)
    {
        if (node.MonitorUrl is null) return [];
        try
        {
            using var doc = JsonDocument.Parse(await _http.GetStringAsync(node.MonitorUrl + "/connz", ct).ConfigureAwait(false));
            var rows = new List<string> { $"{"cid",5} {"name",-16} {"remote",-21} {"subs",5} {"in msgs",9} {"out msgs",9} {"uptime",9}" };
            foreach (var c in doc.RootElement.GetProperty("connections").EnumerateArray())
            {
                string S(string p) => c.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";
                long L(string p) => c.TryGetProperty(p, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0;
                rows.Add($"{L("cid"),5} {Trim(S("name"), 16),-16} {Trim($"{S("ip")}:{L("port")}", 21),-21} {L("subscriptions"),5} {Units.Count(L("in_msgs")),9} {Units.Count(L("out_msgs")),9} {S("uptime"),9}");
            }
            return rows;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            return [$"connz unavailable: {e.Message}"];
        }
    }

    private static string Trim(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    public void Dispose() => _http.Dispose();
}
