using Xunit.v3;

namespace NatsParity.Testing;

/// <summary>
/// Names the Go test a .NET test ports, e.g. <c>[GoTest("server/client_test.go", "TestClientSimplePubSub")]</c>.
/// parity-db reads it by reflection; it also surfaces as the xunit trait <c>go</c> so a run can be filtered by Go test.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class GoTestAttribute(string goFile, string goTest) : Attribute, ITraitAttribute
{
    public string GoFile { get; } = goFile;
    public string GoTest { get; } = goTest;

    /// <summary>The Go version that changed the behaviour this port checks, when it differs from the reference.</summary>
    public string? Since { get; init; }

    public IReadOnlyCollection<KeyValuePair<string, string>> GetTraits() =>
        [new("go", $"{GoFile}:{GoTest}")];
}
