using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/feature_flags_test.go.</summary>
public sealed class FeatureFlagsTests
{
    [Fact, GoTest("server/feature_flags_test.go", "TestGetFeatureFlag")]
    public void GetFeatureFlag()
    {
        var known = new Dictionary<string, bool>(StringComparer.Ordinal) { ["test_flag"] = true };

        // Without the user's values, the defaults.
        var o = new ServerOptions();
        FeatureFlags.Get(o, "", known).ShouldBeFalse();
        FeatureFlags.Get(o, "test_flag", known).ShouldBeTrue();

        // The user's value wins.
        o.FeatureFlags = new() { ["test_flag"] = false };
        FeatureFlags.Get(o, "test_flag", known).ShouldBeFalse();

        // A flag the server no longer knows is off, whatever the user says.
        known.Remove("test_flag");
        o.FeatureFlags = new() { ["test_flag"] = true };
        FeatureFlags.Get(o, "test_flag", known).ShouldBeFalse();
    }

    [Fact, GoTest("server/feature_flags_test.go", "TestFeatureFlagsConfigParseNonBool")]
    public void FeatureFlagsConfigParseNonBool()
    {
        string conf = InProcess.WriteConf("feature_flags {\n    opt_in_flag: \"true\"\n}\n");
        var e = Should.Throw<Exception>(() => new ServerOptions().ProcessConfigFile(conf));
        e.Message.ShouldContain("error parsing feature flag \"opt_in_flag\": expected bool, got string");
    }

    [Fact, GoTest("server/feature_flags_test.go", "TestGetMergedFeatureFlags")]
    public void GetMergedFeatureFlags()
    {
        var known = new Dictionary<string, bool>(StringComparer.Ordinal) { ["test_flag"] = true, ["test_flag_default"] = true };
        var o = new ServerOptions { FeatureFlags = new() { ["test_flag"] = false, ["unknown_flag"] = false } };

        // Only known flags, the user's values first.
        FeatureFlags.Merged(o, known).ShouldBe(new SortedDictionary<string, bool>(StringComparer.Ordinal)
        {
            ["test_flag"] = false, ["test_flag_default"] = true,
        });
    }
}
