using System.Reflection;
using System.Reflection.Emit;
using Shouldly;
using Xunit;

namespace NatsParity.ParityDb.Tests;

/// <summary>The parity tool against small fixtures: a fake repository root with its own ../shared catalogue.</summary>
public sealed class ParityToolTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parity-tests-").FullName;
    private readonly Paths _paths;

    private const string Catalogue = """
        go_file	go_test	line	kind	subsystem	build_tags	skips
        server/sublist_test.go	TestSublistInit	40	test	sublist		
        server/sublist_test.go	TestSublistInsertCount	50	test	sublist		
        server/sublist_test.go	TestSublistSimple	60	test	sublist		
        server/parser_test.go	TestParsePing	35	test	parser		
        server/certstore_windows_test.go	TestWindowsOnly	10	test	certstore	windows	
        server/sublist_test.go	BenchmarkSublistMatch	900	benchmark	sublist		
        """;

    public ParityToolTests()
    {
        var root = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(Path.Combine(root, "parity-db"));
        File.WriteAllText(Path.Combine(root, "NatsParity.sln"), "");
        Directory.CreateDirectory(Path.Combine(_dir, "shared", "go-tests"));
        File.WriteAllText(Path.Combine(_dir, "shared", "go-tests", "nats-server-v9.9.9.tsv"), Catalogue.Replace("\r", ""));
        File.WriteAllText(Path.Combine(root, "parity-db", "exclusions.tsv"),
            "go_file\tgo_test\treason\nserver/certstore_windows_test.go\tTestWindowsOnly\tWindows-only certificate store\n");
        _paths = new Paths(root);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Output) Run(params string[] args)
    {
        var w = new StringWriter();
        int code = ParityCli.Run(args, _paths, w);
        return (code, w.ToString());
    }

    [Fact]
    public void ImportsTheNewestSharedCatalogueWithItsVersion()
    {
        var (code, output) = Run("import");
        code.ShouldBe(0);
        output.ShouldContain("imported 6 Go functions (5 tests) of nats-server v9.9.9");
        Run("sql", "SELECT COUNT(*) AS n FROM go_tests WHERE version = 'v9.9.9' AND kind = 'test'").Output.ShouldBe("n\n5\n");
    }

    [Fact]
    public void ScansAGoTreeForTestsBenchmarksFuzzTagsAndSkips()
    {
        var tree = Path.Combine(_dir, "go");
        Directory.CreateDirectory(Path.Combine(tree, "server"));
        File.WriteAllText(Path.Combine(tree, "server", "const.go"), "package server\nconst (\n\tVERSION = \"2.99.0\"\n)\n");
        File.WriteAllText(Path.Combine(tree, "server", "jetstream_cluster_2_test.go"), """
            //go:build !skip_js_tests

            package server

            func TestJetStreamA(t *testing.T) {
            	t.Skip("flaky")
            }

            func helperNotATest(t *testing.T) {}

            func BenchmarkJetStreamB(b *testing.B) {
            }

            func FuzzJetStreamC(f *testing.F) {
            }

            func TestMain(m *testing.M) {}
            """);
        var (version, rows) = NatsParity.ParityDb.Catalogue.ScanGoTree(tree);
        version.ShouldBe("v2.99.0");
        rows.Select(r => (r.GoFile, r.GoTest, r.Line, r.Kind, r.Subsystem, r.BuildTags, r.Skips)).ShouldBe(
        [
            ("server/jetstream_cluster_2_test.go", "TestJetStreamA", 5, "test", "jetstream_cluster", "!skip_js_tests", "skip"),
            ("server/jetstream_cluster_2_test.go", "BenchmarkJetStreamB", 11, "benchmark", "jetstream_cluster", "!skip_js_tests", ""),
            ("server/jetstream_cluster_2_test.go", "FuzzJetStreamC", 14, "fuzz", "jetstream_cluster", "!skip_js_tests", ""),
        ]);
    }

    [Fact]
    public void ScansGoTestAttributesFromABuiltAssembly()
    {
        var dll = EmitFixtureAssembly(Path.Combine(_dir, "fixture"), ("server/sublist_test.go", "TestSublistInit"), ("server/parser_test.go", "TestParsePing"));
        var mappings = MappingScanner.ScanAssembly(dll, new Dictionary<(string, string), (string, int)>());
        mappings.Select(m => (m.GoFile, m.GoTest, m.DotnetTest, m.Origin)).OrderBy(m => m.GoTest).ShouldBe(
        [
            ("server/parser_test.go", "TestParsePing", "Fixture.Tests.Ports.Port1", "attribute"),
            ("server/sublist_test.go", "TestSublistInit", "Fixture.Tests.Ports.Port0", "attribute"),
        ]);
    }

    [Fact]
    public void ScanRejectsAMappingToAGoTestNotInTheCatalogue()
    {
        Run("import");
        var src = Path.Combine(_paths.Root, "tests", "BadPort.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(src)!);
        File.WriteAllText(src, "class X {\n    [GoTest(\"server/sublist_test.go\", \"TestDoesNotExist\")]\n    void Y() {}\n}\n");
        var dll = EmitFixtureAssembly(Path.Combine(_paths.Root, "tests", "bin", "Release", "net10.0"), ("server/sublist_test.go", "TestDoesNotExist"));
        var ex = Should.Throw<ParityException>(() => Run("scan", dll));
        ex.Message.ShouldBe("tests/BadPort.cs:2: maps to server/sublist_test.go:TestDoesNotExist, which is not in the v9.9.9 catalogue");
    }

    [Fact]
    public void RecordsTrxWithTheTargetOfEachTheoryRow()
    {
        var trx = WriteTrx(("Fixture.Tests.Ports", "Port0", "Port0(target: Ours)", "Passed"), ("Fixture.Tests.Ports", "Port0", "Port0(target: Reference)", "Failed"), ("Fixture.Tests.Ports", "Port1", "Port1", "Passed"));
        var rows = ResultRecorder.ReadTrx(trx, null);
        rows.Select(r => (r.DotnetTest, r.Outcome, r.Target)).ShouldBe(
        [
            ("Fixture.Tests.Ports.Port0", "Passed", "ours"),
            ("Fixture.Tests.Ports.Port0", "Failed", "reference"),
            ("Fixture.Tests.Ports.Port1", "Passed", "ours"),
        ]);
    }

    [Fact]
    public void UnportedListsExactlyTheTestsNotPassingAndReportAddsUp()
    {
        Run("import");
        var dll = EmitFixtureAssembly(Path.Combine(_paths.Root, "tests", "bin", "Release", "net10.0"),
            ("server/sublist_test.go", "TestSublistInit"), ("server/sublist_test.go", "TestSublistInsertCount"));
        Run("scan", dll).Code.ShouldBe(0);
        var trx = WriteTrx(("Fixture.Tests.Ports", "Port0", "Port0", "Passed"), ("Fixture.Tests.Ports", "Port1", "Port1", "Failed"));
        Run("record", trx).Code.ShouldBe(0);

        Run("unported", "--subsystem", "sublist").Output.ShouldBe(
            "server/sublist_test.go\tTestSublistInsertCount\t50\nserver/sublist_test.go\tTestSublistSimple\t60\n");
        Run("unported", "--limit", "1").Output.ShouldBe("server/parser_test.go\tTestParsePing\t35\n");

        var report = Run("report");
        report.Output.ShouldEndWith("parity: 25.0% (1/4 Go tests passing)\n");
        var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(_paths.Reports, "parity.json"))).RootElement;
        foreach (var row in json.GetProperty("subsystems").EnumerateArray().Append(json.GetProperty("overall")))
        {
            (row.GetProperty("passing").GetInt32() + row.GetProperty("failing").GetInt32() + row.GetProperty("unported").GetInt32()
                + row.GetProperty("excluded").GetInt32()).ShouldBe(row.GetProperty("total").GetInt32());
        }
        File.ReadAllText(Path.Combine(_paths.Reports, "parity.svg")).ShouldStartWith("<svg");
        Run("show", "TestSublistInsertCount").Output.ShouldContain("Fixture.Tests.Ports.Port1: ours Failed; reference not run");
    }

    [Fact]
    public void GateFailsBelowTheBaselineAndUpdateNeverLowersIt()
    {
        Run("import");
        var dll = EmitFixtureAssembly(Path.Combine(_paths.Root, "tests", "bin", "Release", "net10.0"), ("server/sublist_test.go", "TestSublistInit"));
        Run("scan", dll);
        Run("record", WriteTrx(("Fixture.Tests.Ports", "Port0", "Port0", "Passed")));

        File.WriteAllText(_paths.Baseline, """{"overall": 2, "subsystems": {"sublist": 2}}""");
        var failing = Run("gate");
        failing.Code.ShouldBe(1);
        failing.Output.ShouldBe("parity dropped: overall: 1 passing < baseline 2\nparity dropped: sublist: 1 passing < baseline 2\n");

        File.WriteAllText(_paths.Baseline, """{"overall": 0, "subsystems": {"parser": 0}}""");
        Run("gate").Code.ShouldBe(0);
        Run("gate", "--update").Code.ShouldBe(0);
        var raised = System.Text.Json.JsonDocument.Parse(File.ReadAllText(_paths.Baseline)).RootElement;
        raised.GetProperty("overall").GetInt32().ShouldBe(1);
        raised.GetProperty("subsystems").GetProperty("sublist").GetInt32().ShouldBe(1);

        Run("record", WriteTrx(("Fixture.Tests.Ports", "Port0", "Port0", "Failed")));
        Run("gate", "--update");
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(_paths.Baseline)).RootElement.GetProperty("overall").GetInt32().ShouldBe(1);
        Run("gate").Code.ShouldBe(1);
    }

    private string WriteTrx(params (string Class, string Method, string Display, string Outcome)[] rows)
    {
        var unitTests = string.Join("\n", rows.Select((r, i) =>
            $"<UnitTest name=\"{r.Class}.{r.Display}\" id=\"id{i}\"><TestMethod className=\"{r.Class}\" name=\"{r.Method}\" /></UnitTest>"));
        var results = string.Join("\n", rows.Select((r, i) => $"<UnitTestResult testName=\"{r.Class}.{r.Display}\" testId=\"id{i}\" outcome=\"{r.Outcome}\" />"));
        var path = Path.Combine(_dir, $"run-{Guid.NewGuid():N}.trx");
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
              <Results>{results}</Results>
              <TestDefinitions>{unitTests}</TestDefinitions>
            </TestRun>
            """);
        return path;
    }

    /// <summary>A real assembly on disk with a GoTestAttribute type and one method per Go test it ports.</summary>
    private static string EmitFixtureAssembly(string dir, params (string GoFile, string GoTest)[] ports)
    {
        Directory.CreateDirectory(dir);
        var ab = new PersistedAssemblyBuilder(new AssemblyName("Fixture.Tests"), typeof(object).Assembly);
        var module = ab.DefineDynamicModule("Fixture.Tests");
        var attr = module.DefineType("Fixture.Testing.GoTestAttribute", TypeAttributes.Public | TypeAttributes.Sealed, typeof(Attribute));
        var ctor = attr.DefineConstructor(MethodAttributes.Public, CallingConventions.Standard, [typeof(string), typeof(string)]);
        var il = ctor.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Call, typeof(Attribute).GetConstructor(BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes)!);
        il.Emit(OpCodes.Ret);
        attr.CreateType();
        var type = module.DefineType("Fixture.Tests.Ports", TypeAttributes.Public);
        for (int i = 0; i < ports.Length; i++)
        {
            var m = type.DefineMethod($"Port{i}", MethodAttributes.Public, typeof(void), Type.EmptyTypes);
            m.GetILGenerator().Emit(OpCodes.Ret);
            m.SetCustomAttribute(new CustomAttributeBuilder(ctor, [ports[i].GoFile, ports[i].GoTest]));
        }
        type.CreateType();
        var path = Path.Combine(dir, "Fixture.Tests.dll");
        ab.Save(path);
        return path;
    }
}
