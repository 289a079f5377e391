using Gherkin;
using Gherkin.Ast;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Conformance.Scenarios;

/// <summary>The binder itself: an undefined step names its text and suggests a method to add.</summary>
public sealed class StepBinderTests
{
    [Fact]
    public async Task AnUndefinedStepFailsWithItsTextAndASuggestedSignature()
    {
        var step = new Step(new Location(3, 5), "When ", StepKeywordType.Action, "client A juggles 3 \"balls\"", null, null);
        await using var world = new ScenarioWorld(ServerTarget.Ours);
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => StepBinder.RunAsync(step, world));
        ex.Message.ShouldBe(""""
            Undefined step: "When client A juggles 3 "balls""
            Add a step method such as:
                [Step(@"client\ A\ juggles\ (\d+)\ ""([^""]*)""")]
                public void ClientAJuggles(int p0, string p1) { ... }
            """".Replace("\r", ""));
    }

    [Fact]
    public void FeatureFilesExpandOutlinesAndKeepBackgroundsAndTags()
    {
        var dir = Directory.CreateTempSubdirectory("specs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(dir, "specs", "x"));
            File.WriteAllText(Path.Combine(dir, "specs", "x", "a.feature"), """
                @go:server/a_test.go:TestA
                Feature: F
                  Background:
                    Given a server
                  @since:2.11
                  Scenario Outline: o <n>
                    When client A sends "<n>"
                    Examples:
                      | n |
                      | 1 |
                      | 2 |
                  Scenario: plain
                    Then client A receives nothing
                """);
            var cases = FeatureCatalog.Load(Path.Combine(dir, "specs"));
            cases.Select(c => c.ToString()).ShouldBe(["F / o 1 (n=1)", "F / o 2 (n=2)", "F / plain"]);
            cases[0].Steps.Select(s => s.Text).ShouldBe(["a server", "client A sends \"1\""]);
            cases[0].Since.ShouldBe("2.11");
            cases[2].Since.ShouldBeNull();
            cases[2].Tags.ShouldContain("@go:server/a_test.go:TestA");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
