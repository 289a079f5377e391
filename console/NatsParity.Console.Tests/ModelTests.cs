using System.Text.Json;
using NatsParity.Console.Live;
using NatsParity.Console.Nodes;
using NatsParity.Console.Parity;
using NatsParity.Console.Suites;
using NatsParity.ParityDb;
using Shouldly;
using Xunit;

namespace NatsParity.Console.Tests;

/// <summary>The view models: rates, sparklines, units, arguments, parity figures and suite result parsing.</summary>
public sealed class ModelTests
{
    private static VarzSample Sample(double seconds, long inMsgs, long outMsgs, long inBytes = 0, long outBytes = 0) =>
        new(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(seconds), 1, 2, inMsgs, outMsgs, inBytes, outBytes, 0, "1s", 0);

    [Fact]
    public void RatesComeFromTheDifferenceOverTime()
    {
        var s = new NodeStats();
        s.Add(Sample(0, 100, 50, 1000, 500));
        s.History.Count.ShouldBe(0);
        s.Add(Sample(2, 300, 150, 3000, 1500));
        s.InMsgsRate.ShouldBe(100);
        s.OutMsgsRate.ShouldBe(50);
        s.InBytesRate.ShouldBe(1000);
        s.OutBytesRate.ShouldBe(500);
        s.History.Single().ShouldBe(150);
    }

    [Fact]
    public void ACounterResetGivesZeroNotANegativeRate()
    {
        var s = new NodeStats();
        s.Add(Sample(0, 1000, 1000));
        s.Add(Sample(1, 10, 10));
        s.InMsgsRate.ShouldBe(0);
        s.OutMsgsRate.ShouldBe(0);
    }

    [Fact]
    public void HistoryIsBounded()
    {
        var s = new NodeStats();
        for (int i = 0; i < NodeStats.HistoryLength + 20; i++) s.Add(Sample(i, i * 10, 0));
        s.History.Count.ShouldBe(NodeStats.HistoryLength);
    }

    [Fact]
    public void VarzSampleReadsTheCounters()
    {
        using var doc = JsonDocument.Parse("""{"connections":3,"subscriptions":7,"in_msgs":10,"out_msgs":20,"in_bytes":30,"out_bytes":40,"slow_consumers":1,"uptime":"5m3s","mem":1024}""");
        var v = VarzSample.Parse(doc.RootElement, DateTime.UtcNow);
        (v.Connections, v.Subscriptions, v.InMsgs, v.OutMsgs, v.InBytes, v.OutBytes, v.SlowConsumers, v.Uptime, v.Mem)
            .ShouldBe((3L, 7L, 10L, 20L, 30L, 40L, 1L, "5m3s", 1024L));
    }

    [Fact]
    public void SparklineScalesToTheLargestValue()
    {
        Sparkline.Render([0, 1, 2, 4, 8], 10).ShouldBe(" ▁▂▄█");
        Sparkline.Render([5, 5], 10).ShouldBe("██");
        Sparkline.Render([1, 2, 3, 4], 2).Length.ShouldBe(2);
        Sparkline.Render([], 5).ShouldBe("");
    }

    [Fact]
    public void UnitsAreShort()
    {
        Units.Count(999).ShouldBe("999");
        Units.Count(12_345).ShouldBe("12.3K");
        Units.Count(2_500_000).ShouldBe("2.5M");
        Units.Bytes(512).ShouldBe("512B");
        Units.Bytes(2048).ShouldBe("2KiB");
        Units.Bytes(3 * 1024 * 1024).ShouldBe("3MiB");
    }

    [Theory]
    [InlineData(new string[0], 0, LaunchKind.Ours)]
    [InlineData(new[] { "--launch", "3" }, 3, LaunchKind.Ours)]
    [InlineData(new[] { "--launch", "7", "--kind", "mixed" }, 7, LaunchKind.Mixed)]
    [InlineData(new[] { "--kind", "reference", "--launch", "1" }, 1, LaunchKind.Reference)]
    public void ArgumentsParse(string[] args, int launch, LaunchKind kind)
    {
        var o = ConsoleApp.Parse(args, out var error);
        error.ShouldBeNull();
        o.ShouldBe(new ConsoleApp.Options(launch, kind));
    }

    [Theory]
    [InlineData("--launch", "0")]
    [InlineData("--launch", "8")]
    [InlineData("--kind", "go")]
    [InlineData("--bogus", "1")]
    public void BadArgumentsAreRefused(string flag, string value)
    {
        ConsoleApp.Parse([flag, value], out var error).ShouldBeNull();
        error.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void MixedLaunchAlternatesKinds()
    {
        NodeManager.KindFor(LaunchKind.Mixed, 1).ShouldBe(NatsParity.Testing.ServerTarget.Ours);
        NodeManager.KindFor(LaunchKind.Mixed, 2).ShouldBe(NatsParity.Testing.ServerTarget.Reference);
        NodeManager.KindFor(LaunchKind.Reference, 1).ShouldBe(NatsParity.Testing.ServerTarget.Reference);
    }

    [Fact]
    public void SuiteLinesAreCountedAndShown()
    {
        var r = new SuiteRunner();
        r.Classify("    A.Test(x: 1) [STARTING]").ShouldBeNull();
        r.Classify("    A.Test(x: 1) [FINISHED] Time: 0.2s").ShouldBe("[PASS] A.Test(x: 1)");
        r.Classify("    B.Test [FAIL]").ShouldBe("[FAIL] B.Test");
        r.Classify("      Shouldly.ShouldAssertException : expected 1").ShouldBe("    Shouldly.ShouldAssertException : expected 1");
        r.Classify("        at Foo.Bar()").ShouldBeNull();
        r.Classify("    B.Test [FINISHED] Time: 0.1s").ShouldBeNull();
        r.Classify("    C.Test [SKIP]").ShouldBe("[SKIP] C.Test");
        r.Classify("  Discovering: NatsParity.Conformance").ShouldBeNull();
        (r.Passed, r.Failed, r.Skipped).ShouldBe((1, 1, 1));
    }

    /// <summary>A parity database with three Go tests: one passing port, one failing port, one unported.</summary>
    private static string MakeDatabase()
    {
        string path = Path.Combine(Path.GetTempPath(), $"natsparity-console-{Guid.NewGuid():N}.db");
        using var db = ParityDatabase.Open(path);
        db.Execute("INSERT INTO catalogues(version, source, imported_at, is_current) VALUES ('v9', 'test', 'now', 1)");
        foreach (var (file, test, sub) in new[] { ("server/a_test.go", "TestA", "alpha"), ("server/a_test.go", "TestB", "alpha"), ("server/c_test.go", "TestC", "gamma") })
            db.Execute("INSERT INTO go_tests(version, go_file, go_test, line, kind, subsystem) VALUES ('v9', $f, $t, 10, 'test', $s)", ("$f", file), ("$t", test), ("$s", sub));
        db.Execute("INSERT INTO mappings(go_file, go_test, dotnet_test, origin) VALUES ('server/a_test.go', 'TestA', 'X.A', 'attribute')");
        db.Execute("INSERT INTO mappings(go_file, go_test, dotnet_test, origin) VALUES ('server/a_test.go', 'TestB', 'X.B', 'attribute')");
        db.Execute("INSERT INTO runs(target, commit_sha, recorded_at, source) VALUES ('ours', 'abc', 'now', 'test')");
        db.Execute("INSERT INTO results(run_id, dotnet_test, display_name, outcome) VALUES (1, 'X.A', 'X.A', 'Passed')");
        db.Execute("INSERT INTO results(run_id, dotnet_test, display_name, outcome) VALUES (1, 'X.B', 'X.B', 'Failed')");
        return path;
    }

    [Fact]
    public void ParityFiguresMatchTheReport()
    {
        string path = MakeDatabase();
        var m = ParityModel.Load(out var error, path);
        error.ShouldBeNull();
        m!.Version.ShouldBe("v9");
        m.OverallText.ShouldBe("33.3% (1/3)");
        m.Subsystems.Select(s => (s.Name, s.Passing, s.Total)).ShouldBe([("alpha", 1, 2), ("gamma", 0, 1)]);
        m.Unported().Select(u => u.GoTest).ShouldBe(["TestC"]);
        m.Unported("alpha").ShouldBeEmpty();
        m.Tests(null, null, all: true).Select(t => (t.GoTest, t.State)).ShouldBe([("TestA", "passing"), ("TestB", "failing"), ("TestC", "unported")]);
        m.Tests("alpha", "TestB", all: true).Single().State.ShouldBe("failing");
        m.Unported(text: "c_test").Single().GoFile.ShouldBe("server/c_test.go");
        m.Detail("TestB").ShouldContain("  X.B: Failed");
        m.Detail("TestC").ShouldContain("  no .NET test ports it yet");
        ParityModel.Bar(50, 10).ShouldBe("█████░░░░░");
    }

    [Fact]
    public void AMissingDatabaseSaysWhatToRun()
    {
        ParityModel.Load(out var error, "/nonexistent/parity.db").ShouldBeNull();
        error!.ShouldContain("./scripts/");
    }
}
