using NatsParity.Testing;
using Xunit;

namespace NatsParity.Conformance.Scenarios;

/// <summary>One test case per scenario × selected target: "&lt;feature&gt; / &lt;scenario&gt; [target]".</summary>
public sealed class ScenarioTests
{
    public static IEnumerable<ITheoryDataRow> Cases()
    {
        foreach (var c in FeatureCatalog.Cases)
        {
            foreach (var target in ServerTargets.Selected)
            {
                var row = new TheoryDataRow<string, ServerTarget>(c.ToString(), target)
                {
                    TestDisplayName = $"{c} [{target.ToString().ToLowerInvariant()}]",
                    Traits = new Dictionary<string, HashSet<string>> { ["go"] = [.. c.Tags.Where(t => t.StartsWith("@go:", StringComparison.Ordinal)).Select(t => t[4..])] },
                };
                if (target == ServerTarget.Reference && c.Since is { } since)
                    row.Skip = $"behaviour since Go {since}; the reference is 2.9.10";
                yield return row;
            }
        }
    }

    [Theory, MemberData(nameof(Cases))]
    public async Task Scenario(string scenario, ServerTarget target)
    {
        var c = FeatureCatalog.Cases.Single(x => x.ToString() == scenario);
        await using var world = new ScenarioWorld(target);
        foreach (var step in c.Steps)
        {
            try
            {
                await StepBinder.RunAsync(step, world);
            }
            catch (Exception e)
            {
                throw new ScenarioStepException($"{c.FeatureFile}:{step.Location.Line}: {step.Keyword.Trim()} {step.Text}\n{e.Message}", e);
            }
        }
    }
}

public sealed class ScenarioStepException(string message, Exception inner) : Exception(message, inner);
