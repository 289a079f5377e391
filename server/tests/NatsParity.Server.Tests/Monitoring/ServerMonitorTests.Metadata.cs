using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go for server metadata and feature flags in varz.</summary>
public sealed partial class ServerMonitorTests
{
    private static JsonElement RenderVarz(NatsServer s)
    {
        var (json, err) = s.Monitor.Render(Monitor.VarzPath, MonitorQuery.From(new Dictionary<string, string>()));
        err.ShouldBeNull();
        using var doc = JsonDocument.Parse(json!);
        return doc.RootElement.Clone();
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorVarzMetadata")]
    public async Task MonitorVarzMetadata()
    {
        await using var s = RunMonitorServer();
        var md = RenderVarz(s).GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        md.ShouldBe(new Dictionary<string, string?> { ["key1"] = "value1", ["key2"] = "value2" }, ignoreOrder: true);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorVarzFeatureFlags")]
    public async Task MonitorVarzFeatureFlags()
    {
        // A flag the server knows, off by default, that the options turn on ("feature" and "revert_fix" are unknown).
        FeatureFlags.Defaults["fix"] = false;
        try
        {
            var expected = FeatureFlags.Defaults.ToDictionary(kv => kv.Key, kv => kv.Value);
            expected["fix"] = true;
            await using var s = RunMonitorServer();
            var flags = RenderVarz(s).GetProperty("feature_flags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean());
            flags.ShouldBe(expected, ignoreOrder: true);
        }
        finally
        {
            FeatureFlags.Defaults.TryRemove("fix", out _);
        }
    }
}
