using NatsParity.Server.Subscriptions;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using K = NatsParity.Server.Subscriptions.SubjectTransform;

namespace NatsParity.Server.Tests.Subscriptions;

/// <summary>Ports of server/subject_transform_test.go.</summary>
public sealed class SubjectTransformTests
{
    [Fact, GoTest("server/subject_transform_test.go", "TestPlaceHolderIndex")]
    public void PlaceHolderIndex()
    {
        void Check(string token, K.Kind type, int[] indexes, int intArg)
        {
            var (t, idx, n, _) = K.IndexPlaceHolders(token);
            t.ShouldBe(type, token);
            idx.ShouldBe(indexes, token);
            n.ShouldBe(intArg, token);
        }
        Check("$1", K.Kind.Wildcard, [1], -1);
        Check("{{partition(10,1,2,3)}}", K.Kind.Partition, [1, 2, 3], 10);
        Check("{{ Partition (10,1,2,3) }}", K.Kind.Partition, [1, 2, 3], 10);
        Check("{{wildcard(2)}}", K.Kind.Wildcard, [2], -1);
        Check("{{SplitFromLeft(2,1)}}", K.Kind.SplitFromLeft, [2], 1);
        Check("{{SplitFromRight(3,2)}}", K.Kind.SplitFromRight, [3], 2);
        Check("{{SliceFromLeft(2,2)}}", K.Kind.SliceFromLeft, [2], 2);
        Check("{{Left(3,2)}}", K.Kind.Left, [3], 2);
        Check("{{Right(3,2)}}", K.Kind.Right, [3], 2);
    }

    [Fact, GoTest("server/subject_transform_test.go", "TestSubjectTransformHelpers")]
    public void SubjectTransformHelpers()
    {
        var (filter, phs) = K.Untokenize("bar");
        filter.ShouldBe("bar");
        phs.ShouldBeEmpty();
        (filter, phs) = K.Untokenize("foo.$2.$1");
        filter.ShouldBe("foo.*.*");
        phs.ShouldBe(["$2", "$1"]);
        (filter, phs) = K.Untokenize("foo.{{wildcard(2)}}.{{wildcard(1)}}");
        filter.ShouldBe("foo.*.*");
        phs.ShouldBe(["{{wildcard(2)}}", "{{wildcard(1)}}"]);

        var tr = K.CreateStrict("foo.*.*", "bar.$2.{{Wildcard(1)}}")!;
        const string subject = "foo.b.a";
        string transformed = tr.TransformSubject(subject);
        tr.Reverse()!.TransformSubject(transformed).ShouldBe(subject);
    }

    private static void ShouldErr(string src, string dest, bool strict)
    {
        var e = Should.Throw<SubjectTransformException>(() => K.Create(src, dest, strict), $"src={src} dest={dest}");
        (e.Error == K.ErrBadSubject || e.Is(K.ErrInvalidMappingDestination)).ShouldBeTrue(e.Message);
    }

    private static K? ShouldBeOK(string src, string dest, bool strict) => K.Create(src, dest, strict);

    private static void ShouldMatch(string src, string dest, string sample, params string[] expected)
    {
        var tr = ShouldBeOK(src, dest, false);
        if (tr is null) return;
        expected.ShouldContain(tr.Match(sample));
    }

    [Fact, GoTest("server/subject_transform_test.go", "TestSubjectTransforms")]
    public void SubjectTransforms()
    {
        ShouldErr("foo..", "bar", false);
        ShouldErr("foo.*", "bar.*", false);
        ShouldErr("foo.*", "bar.$2", false);
        ShouldErr("foo.*", "bar.$1.>", false);
        ShouldErr("foo.>", "bar.baz", false);
        ShouldErr("foo.*.*", "bar.$2", true);
        ShouldErr("foo.*", "foo.$foo", true);
        ShouldErr("foo.*", "bar.{{Partition(2,1)}}", true);
        ShouldErr("foo.*", "foo.{{wildcard(2)}}", false);
        ShouldErr("foo.*", "foo.{{unimplemented(1)}}", false);
        ShouldErr("foo.*", "foo.{{partition()}}", false);
        ShouldErr("foo.*", "foo.{{random()}}", false);
        ShouldErr("foo.*", "foo.{{wildcard(foo)}}", false);
        ShouldErr("foo.*", "foo.{{wildcard()}}", false);
        ShouldErr("foo.*", "foo.{{wildcard(1,2)}}", false);
        ShouldErr("foo.*", "foo.{{ wildcard5) }}", false);
        ShouldErr("foo.*", "foo.{{splitLeft(2,2}}", false);
        ShouldErr("foo", "bla.{{wildcard(1)}}", false);
        ShouldErr("foo.*", $"foo.{{{{partition({(long)int.MaxValue + 1})}}}}", false);
        ShouldErr("foo.*", $"foo.{{{{random({(long)int.MaxValue + 1})}}}}", false);

        ShouldBeOK("foo.*", "bar.{{Wildcard(1)}}", true).ShouldNotBeNull();
        ShouldBeOK("foo.*.*", "bar.$2", false).ShouldNotBeNull();
        ShouldBeOK("foo.*.*", "bar.{{wildcard(1)}}", false).ShouldNotBeNull();
        ShouldBeOK("foo.*.*", "bar.{{partition(1)}}", false).ShouldNotBeNull();
        ShouldBeOK("foo.*.*", "bar.{{random(5)}}", false).ShouldNotBeNull();
        ShouldBeOK("foo", "bar", false).ShouldNotBeNull();
        ShouldBeOK("foo.*.bar.*.baz", "req.$2.$1", false).ShouldNotBeNull();
        ShouldBeOK("baz.>", "mybaz.>", false).ShouldNotBeNull();
        ShouldBeOK("*", "{{splitfromleft(1,1)}}", false).ShouldNotBeNull();
        ShouldBeOK("", "prefix.>", false).ShouldNotBeNull();
        ShouldBeOK("*.*", "{{partition(10,1,2)}}", false).ShouldNotBeNull();
        ShouldBeOK("foo.*.*", "foo.{{wildcard(1)}}.{{wildcard(2)}}.{{partition(5,1,2)}}", false).ShouldNotBeNull();
        ShouldBeOK("foo.*", $"foo.{{{{partition({int.MaxValue})}}}}", false).ShouldNotBeNull();
        ShouldBeOK("foo.*", $"foo.{{{{random({int.MaxValue})}}}}", false).ShouldNotBeNull();
        ShouldBeOK("foo.bar", $"foo.{{{{random({int.MaxValue})}}}}", false).ShouldNotBeNull();

        ShouldMatch("", "prefix.>", "foo", "prefix.foo");
        ShouldMatch("foo", "", "foo", "foo");
        ShouldMatch("foo", "bar", "foo", "bar");
        ShouldMatch("foo.*.bar.*.baz", "req.$2.$1", "foo.A.bar.B.baz", "req.B.A");
        ShouldMatch("foo.*.bar.*.baz", "req.{{wildcard(2)}}.{{wildcard(1)}}", "foo.A.bar.B.baz", "req.B.A");
        ShouldMatch("baz.>", "my.pre.>", "baz.1.2.3", "my.pre.1.2.3");
        ShouldMatch("baz.>", "foo.bar.>", "baz.1.2.3", "foo.bar.1.2.3");
        ShouldMatch("*", "foo.bar.$1", "foo", "foo.bar.foo");
        ShouldMatch("*", "{{splitfromleft(1,3)}}", "12345", "123.45");
        ShouldMatch("*", "{{SplitFromRight(1,3)}}", "12345", "12.345");
        ShouldMatch("*", "{{SliceFromLeft(1,3)}}", "1234567890", "123.456.789.0");
        ShouldMatch("*", "{{SliceFromRight(1,3)}}", "1234567890", "1.234.567.890");
        ShouldMatch("*", "{{split(1,-)}}", "-abc-def--ghi-", "abc.def.ghi");
        ShouldMatch("*", "{{split(1,-)}}", "abc-def--ghi-", "abc.def.ghi");
        ShouldMatch("*.*", "{{split(2,-)}}.{{splitfromleft(1,2)}}", "foo.-abc-def--ghij-", "abc.def.ghij.fo.o");
        ShouldMatch("*", "{{right(1,1)}}", "1234", "4");
        ShouldMatch("*", "{{right(1,3)}}", "1234", "234");
        ShouldMatch("*", "{{right(1,6)}}", "1234", "1234");
        ShouldMatch("*", "{{left(1,1)}}", "1234", "1");
        ShouldMatch("*", "{{left(1,3)}}", "1234", "123");
        ShouldMatch("*", "{{left(1,6)}}", "1234", "1234");
        ShouldMatch("*", "bar.{{partition(0)}}", "baz", "bar.0");
        ShouldMatch("*", "bar.{{partition(10, 0)}}", "foo", "bar.3");
        ShouldMatch("*.*", "bar.{{partition(10)}}", "foo.bar", "bar.6");
        ShouldMatch("*", "bar.{{partition(10)}}", "foo", "bar.3");
        ShouldMatch("*", "bar.{{partition(10)}}", "baz", "bar.0");
        ShouldMatch("*", "bar.{{partition(10)}}", "qux", "bar.9");
        ShouldMatch("*", "bar.{{random(0)}}", "qux", "bar.0");
        for (int i = 0; i < 100; i++)
            ShouldMatch("*", "bar.{{random(6)}}", "qux", "bar.0", "bar.1", "bar.2", "bar.3", "bar.4", "bar.5");
        ShouldBeOK("foo.bar", "baz.{{partition(10)}}", false).ShouldNotBeNull();
        ShouldMatch("foo.bar", "baz.{{partition(10)}}", "foo.bar", "baz.6");
        ShouldMatch("foo.baz", "qux.{{partition(10)}}", "foo.baz", "qux.4");
        ShouldMatch("test.subject", "result.{{partition(5)}}", "test.subject", "result.0");
    }

    [Fact, GoTest("server/subject_transform_test.go", "TestSubjectTransformDoesntPanicTransformingMissingToken")]
    public void SubjectTransformDoesntPanicTransformingMissingToken()
    {
        var tr = K.Create("foo.*", "one.two.{{wildcard(1)}}")!;
        tr.TransformTokenized(["foo"]).ShouldBe("one.two.");
    }
}
