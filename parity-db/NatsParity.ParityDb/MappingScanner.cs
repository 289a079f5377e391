using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;

namespace NatsParity.ParityDb;

internal sealed record Mapping(string GoFile, string GoTest, string DotnetTest, string Origin, string SourceFile, int SourceLine);

/// <summary>
/// Reads which Go tests the code ports: [GoTest(file, test)] on .NET test methods, by reflection over the built test
/// assemblies, and @go:file:Test tags on Gherkin scenarios.
/// </summary>
internal static partial class MappingScanner
{
    public const string AttributeName = "GoTestAttribute";

    /// <summary>Built test assemblies: **/bin/{config}/net*/X.Tests.dll (the newest build of each).</summary>
    public static List<string> FindTestAssemblies(string root, string? config = null)
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dll in Directory.EnumerateFiles(root, "*.Tests.dll", SearchOption.AllDirectories))
        {
            var norm = dll.Replace('\\', '/');
            if (!norm.Contains("/bin/", StringComparison.Ordinal) || norm.Contains("/obj/", StringComparison.Ordinal)) continue;
            if (config is not null && !norm.Contains($"/bin/{config}/", StringComparison.Ordinal)) continue;
            var name = Path.GetFileName(dll);
            // The entry assembly of a test project's output has its own .deps.json; copies of it elsewhere do not.
            if (!File.Exists(Path.ChangeExtension(dll, ".deps.json"))) continue;
            if (!found.TryGetValue(name, out var prev) || File.GetLastWriteTimeUtc(dll) > File.GetLastWriteTimeUtc(prev))
                found[name] = dll;
        }
        return [.. found.Values.Order(StringComparer.Ordinal)];
    }

    public static List<Mapping> ScanAssembly(string path, IReadOnlyDictionary<(string, string), (string File, int Line)> sourceIndex)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var alc = new AssemblyLoadContext($"scan-{Path.GetFileName(path)}", isCollectible: true);
        alc.Resolving += (ctx, name) =>
        {
            var candidate = Path.Combine(dir, name.Name + ".dll");
            return File.Exists(candidate) ? ctx.LoadFromAssemblyPath(candidate) : null;
        };
        try
        {
            var asm = alc.LoadFromAssemblyPath(Path.GetFullPath(path));
            Type[] types;
            try { types = asm.GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).ToArray()!; }
            var list = new List<Mapping>();
            foreach (var t in types)
            {
                foreach (var m in t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
                {
                    foreach (var a in m.GetCustomAttributesData())
                    {
                        if (a.AttributeType.Name != AttributeName || a.ConstructorArguments.Count < 2) continue;
                        var goFile = (string)a.ConstructorArguments[0].Value!;
                        var goTest = (string)a.ConstructorArguments[1].Value!;
                        sourceIndex.TryGetValue((goFile, goTest), out var loc);
                        list.Add(new Mapping(goFile, goTest, $"{t.FullName}.{m.Name}", "attribute", loc.File ?? "", loc.Line));
                    }
                }
            }
            return list;
        }
        finally
        {
            alc.Unload();
        }
    }

    /// <summary>Where each [GoTest("file", "Test")] is written, so a bad mapping can be reported by file and line.</summary>
    public static Dictionary<(string, string), (string File, int Line)> IndexSources(string root)
    {
        var index = new Dictionary<(string, string), (string, int)>();
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var norm = file.Replace('\\', '/');
            if (norm.Contains("/bin/", StringComparison.Ordinal) || norm.Contains("/obj/", StringComparison.Ordinal)) continue;
            int n = 0;
            foreach (var line in File.ReadLines(file))
            {
                n++;
                foreach (Match m in GoTestAttr().Matches(line))
                    index.TryAdd((m.Groups[1].Value, m.Groups[2].Value), (Path.GetRelativePath(root, file), n));
            }
        }
        return index;
    }

    /// <summary>@go:file:Test tags on scenarios (or on the feature, for all its scenarios) in specs/**/*.feature.</summary>
    public static List<Mapping> ScanFeatures(string root)
    {
        var list = new List<Mapping>();
        var specs = Path.Combine(root, "specs");
        if (!Directory.Exists(specs)) return list;
        foreach (var file in Directory.EnumerateFiles(specs, "*.feature", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, file);
            string feature = "";
            var featureTags = new List<(string, string, int)>();
            var pending = new List<(string, string, int)>();
            int n = 0;
            foreach (var raw in File.ReadLines(file))
            {
                n++;
                var line = raw.Trim();
                if (line.StartsWith('@'))
                {
                    foreach (Match m in GoTag().Matches(line)) pending.Add((m.Groups[1].Value, m.Groups[2].Value, n));
                    continue;
                }
                var fm = Keyword().Match(line);
                if (!fm.Success) continue;
                var kw = fm.Groups[1].Value;
                var name = fm.Groups[2].Value.Trim();
                if (kw == "Feature")
                {
                    feature = name;
                    featureTags = pending;
                }
                else if (kw is "Scenario" or "Scenario Outline" or "Example")
                {
                    foreach (var (f, t, l) in featureTags.Concat(pending))
                        list.Add(new Mapping(f, t, $"{feature} / {name}", "scenario", rel, l));
                }
                pending = [];
            }
        }
        return list;
    }

    [GeneratedRegex(@"GoTest\(\s*""([^""]+)""\s*,\s*""([^""]+)""")]
    private static partial Regex GoTestAttr();

    [GeneratedRegex(@"@go:([^\s:]+):(\w+)")]
    private static partial Regex GoTag();

    [GeneratedRegex(@"^(Feature|Scenario Outline|Scenario|Example|Rule|Background):(.*)$")]
    private static partial Regex Keyword();
}
