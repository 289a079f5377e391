using System.Xml.Linq;

namespace NatsParity.ParityDb;

internal sealed record TestOutcome(string DotnetTest, string DisplayName, string Outcome, string Target);

/// <summary>Reads test results from TRX files: one outcome per test case, with its target from the theory row.</summary>
internal static class ResultRecorder
{
    private static readonly System.Text.RegularExpressions.Regex ScenarioName = new(@"^(.+ / .+) \[(ours|reference)\]");

    public static List<TestOutcome> ReadTrx(string path, string? forcedTarget)
    {
        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var doc = XDocument.Load(path);
        var methods = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var ut in doc.Descendants(ns + "UnitTest"))
        {
            var tm = ut.Element(ns + "TestMethod");
            var id = (string?)ut.Attribute("id");
            if (tm is null || id is null) continue;
            methods[id] = $"{(string?)tm.Attribute("className")}.{(string?)tm.Attribute("name")}";
        }
        var list = new List<TestOutcome>();
        foreach (var r in doc.Descendants(ns + "UnitTestResult"))
        {
            var id = (string?)r.Attribute("testId") ?? "";
            var display = (string?)r.Attribute("testName") ?? "";
            var outcome = (string?)r.Attribute("outcome") ?? "Unknown";
            var scenario = ScenarioName.Match(display);
            if (scenario.Success)
            {
                // Gherkin scenarios: one xunit theory, one row per scenario × target, named "<feature> / <scenario> [target]".
                list.Add(new TestOutcome(scenario.Groups[1].Value, display, outcome, forcedTarget ?? scenario.Groups[2].Value));
                continue;
            }
            var test = methods.TryGetValue(id, out var m) ? m : StripArguments(display);
            list.Add(new TestOutcome(test, display, outcome, forcedTarget ?? TargetOf(display)));
        }
        return list;
    }

    /// <summary>Black-box theories carry their target as an argument: "X(target: Reference)". Others ran on ours.</summary>
    public static string TargetOf(string displayName) =>
        displayName.Contains("target: Reference", StringComparison.OrdinalIgnoreCase) ? "reference" : "ours";

    private static string StripArguments(string display)
    {
        int p = display.IndexOf('(');
        return p < 0 ? display : display[..p];
    }
}
