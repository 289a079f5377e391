using NatsParity.Testing;
using Xunit;

namespace NatsParity.Conformance.Golden;

/// <summary>
/// Each golden fixture is a test: its client bytes are replayed against ours and the transcript must match the one
/// recorded from the Go reference. With GOLDEN_RECORD=1 the fixtures are re-recorded from the reference instead.
/// </summary>
public sealed class GoldenTests
{
    public static bool Recording => Environment.GetEnvironmentVariable("GOLDEN_RECORD") == "1";
    private static string? Filter => Environment.GetEnvironmentVariable("GOLDEN_FILTER") is { Length: > 0 } f ? f : null;

    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in GoldenFixture.All())
            if (Filter is null || f.Name.Contains(Filter, StringComparison.OrdinalIgnoreCase)) data.Add(f.Name);
        return data;
    }

    [Theory, MemberData(nameof(Fixtures))]
    public void Golden(string fixture)
    {
        var f = GoldenFixture.Load(Path.Combine(GoldenFixture.Root(), fixture + ".golden"));
        if (Recording)
        {
            using var reference = NatsServerProcess.Start(ServerTarget.Reference, f.Config);
            f.Save(WireTranscript.Record(reference, f.Steps, f.ByteByByte));
            return;
        }
        Assert.SkipUnless(ServerTargets.IsSelected(ServerTarget.Ours), "golden fixtures replay against ours; NATS_TARGET does not select it");
        using var ours = NatsServerProcess.Start(ServerTarget.Ours, f.Config);
        var actual = WireTranscript.Record(ours, f.Steps, f.ByteByByte);
        var diff = UnifiedDiff.Create(f.Transcript, actual, $"golden-fixtures/{fixture}.golden (reference)", "ours");
        if (diff.Length > 0) Assert.Fail($"golden fixture {fixture} differs:\n{diff}");
    }
}
