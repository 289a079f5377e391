using NatsParity.Server.Subscriptions;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Subscriptions;

/// <summary>Port of server/sublist_test.go's TestValidateDestinationSubject: which mapping destinations are valid.</summary>
public sealed class ValidateMappingTests
{
    /// <summary>Go's checkError with errors.Is: null when valid, else the sentinel the error must be.</summary>
    private static void Check(string src, string dest, string? expected)
    {
        if (expected is null)
        {
            Should.NotThrow(() => SubjectTransform.ValidateMapping(src, dest), $"{src} -> {dest}");
            return;
        }
        var e = Should.Throw<SubjectTransformException>(() => SubjectTransform.ValidateMapping(src, dest), $"{src} -> {dest}");
        e.Is(expected).ShouldBeTrue($"{src} -> {dest}: expected {expected}, got {e.Message}");
    }

    [Fact, GoTest("server/sublist_test.go", "TestValidateDestinationSubject")]
    public void ValidateDestinationSubject()
    {
        Check("bar", "foo", null);
        Check("foo", "foo.bar", null);
        Check("*", "{{wildcard(1)}}", null);
        Check("foo.>", ">", null);
        Check("foo.*", "bar.{{wildcard(1)}}", null);
        Check("foo.>", "bar.>", null);
        Check("foo.*.>", "bar.{{wildcard(1)}}.>", null);
        Check("foo.*.bar", "bar.{{wildcard(1)}}.foo", null);
        Check("foo.bar.>", "foo.bar.foo.>", null);
        Check("*", "foo.{{wildcard(1)}}", null);
        Check("*", "foo.{{ wildcard(1) }}", null);
        Check("*", "foo.{{wildcard( 1 )}}", null);
        Check("*", "foo.{{partition(2,1)}}", null);
        Check("*.*", "foo.{{SplitFromLeft(2,1)}}", null);
        Check("*.*", "foo.{{SplitFromRight(2,1)}}", null);
        Check("*", "foo.{{unknown(1)}}", SubjectTransform.ErrInvalidMappingDestination);
        Check("foo", "foo..}", SubjectTransform.ErrInvalidMappingDestination);
        Check("foo", "foo. bar}", SubjectTransform.ErrInvalidMappingDestinationSubject);
    }
}
