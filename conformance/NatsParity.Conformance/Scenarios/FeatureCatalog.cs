using Gherkin;
using Gherkin.Ast;

namespace NatsParity.Conformance.Scenarios;

/// <summary>One runnable scenario: background steps then its own, with Scenario Outline values substituted.</summary>
public sealed record ScenarioCase(string FeatureFile, string Feature, string Name, IReadOnlyList<string> Tags, IReadOnlyList<Step> Steps)
{
    public override string ToString() => $"{Feature} / {Name}";

    /// <summary>The Go version that introduced the behaviour (@since:2.10), when newer than the reference.</summary>
    public string? Since => Tags.Where(t => t.StartsWith("@since:", StringComparison.Ordinal)).Select(t => t["@since:".Length..]).FirstOrDefault();
}

/// <summary>Reads specs/**/*.feature with the official Gherkin parser and expands them into scenario cases.</summary>
public static class FeatureCatalog
{
    public static string SpecsRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "NatsParity.sln"))) return Path.Combine(d.FullName, "specs");
        throw new InvalidOperationException("cannot find the repository's specs/ folder from " + AppContext.BaseDirectory);
    }

    private static readonly Lazy<IReadOnlyList<ScenarioCase>> All = new(() => Load(SpecsRoot()));

    public static IReadOnlyList<ScenarioCase> Cases => All.Value;

    public static IReadOnlyList<ScenarioCase> Load(string specsRoot)
    {
        var list = new List<ScenarioCase>();
        var parser = new Parser();
        foreach (var file in Directory.EnumerateFiles(specsRoot, "*.feature", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var doc = parser.Parse(file);
            if (doc.Feature is null) continue;
            var rel = Path.GetRelativePath(Path.GetDirectoryName(specsRoot)!, file);
            var featureTags = doc.Feature.Tags.Select(t => t.Name).ToList();
            Collect(list, rel, doc.Feature.Name, featureTags, doc.Feature.Children, []);
        }
        return list;
    }

    private static void Collect(List<ScenarioCase> list, string file, string feature, List<string> tags, IEnumerable<IHasLocation> children, List<Step> inheritedBackground)
    {
        var background = new List<Step>(inheritedBackground);
        foreach (var child in children)
        {
            switch (child)
            {
                case Background b:
                    background.AddRange(b.Steps);
                    break;
                case Rule r:
                    Collect(list, file, feature, [.. tags, .. r.Tags.Select(t => t.Name)], r.Children, background);
                    break;
                case Scenario s when !s.Examples.Any():
                    list.Add(new ScenarioCase(file, feature, s.Name, [.. tags, .. s.Tags.Select(t => t.Name)], [.. background, .. s.Steps]));
                    break;
                case Scenario s:
                    foreach (var ex in s.Examples)
                    {
                        var header = ex.TableHeader.Cells.Select(c => c.Value).ToList();
                        foreach (var row in ex.TableBody)
                        {
                            var values = header.Zip(row.Cells.Select(c => c.Value)).ToDictionary(p => p.First, p => p.Second);
                            string Sub(string text) => values.Aggregate(text, (t, kv) => t.Replace($"<{kv.Key}>", kv.Value));
                            var steps = s.Steps.Select(st => new Step(st.Location, st.Keyword, st.KeywordType, Sub(st.Text), st.DataTable,
                                st.DocString is { } d ? new DocString(d.Location, d.ContentType, Sub(d.Content), d.Delimiter) : null)).ToList();
                            var name = $"{Sub(s.Name)} ({string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value}"))})";
                            list.Add(new ScenarioCase(file, feature, name, [.. tags, .. s.Tags.Select(t => t.Name), .. ex.Tags.Select(t => t.Name)], [.. background, .. steps]));
                        }
                    }
                    break;
            }
        }
    }
}
