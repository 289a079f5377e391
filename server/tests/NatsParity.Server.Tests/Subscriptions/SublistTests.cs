using NatsParity.Server.Subscriptions;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Subscriptions;

/// <summary>Ports of server/sublist_test.go. Go's paired XxxNoCache tests run as the cache=false row of the same theory.</summary>
public sealed class SublistTests
{
    private static Sublist New(bool cache) => new(cache);
    private static Subscription Sub(string subject) => new(subject);
    private static Subscription QSub(string subject, string queue) => new(subject, queue);

    private static void VerifyMember(Subscription[] r, Subscription s) => r.ShouldContain(s);

    private static void VerifyQMember(Subscription[][] q, Subscription s) =>
        q.Single(g => g[0].Queue == s.Queue).ShouldContain(s);

    private static Subscription[] QSlot(Subscription[][] q, string queue) => q.Single(g => g[0].Queue == queue);

    [Fact, GoTest("server/sublist_test.go", "TestSublistInit")]
    public void Init() => new Sublist().Count.ShouldBe(0u);

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistInsertCount"), GoTest("server/sublist_test.go", "TestSublistInsertCountNoCache")]
    public void InsertCount(bool cache)
    {
        var s = New(cache);
        s.Insert(Sub("foo"));
        s.Insert(Sub("bar"));
        s.Insert(Sub("foo.bar"));
        s.Count.ShouldBe(3u);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistSimple"), GoTest("server/sublist_test.go", "TestSublistSimpleNoCache")]
    public void Simple(bool cache)
    {
        var s = New(cache);
        var sub = Sub("foo");
        s.Insert(sub);
        var r = s.Match("foo");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, sub);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistSimpleMultiTokens"), GoTest("server/sublist_test.go", "TestSublistSimpleMultiTokensNoCache")]
    public void SimpleMultiTokens(bool cache)
    {
        var s = New(cache);
        var sub = Sub("foo.bar.baz");
        s.Insert(sub);
        var r = s.Match("foo.bar.baz");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, sub);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistPartialWildcard"), GoTest("server/sublist_test.go", "TestSublistPartialWildcardNoCache")]
    public void PartialWildcard(bool cache)
    {
        var s = New(cache);
        var lsub = Sub("a.b.c");
        var psub = Sub("a.*.c");
        s.Insert(lsub);
        s.Insert(psub);
        var r = s.Match("a.b.c");
        r.Psubs.Length.ShouldBe(2);
        VerifyMember(r.Psubs, lsub);
        VerifyMember(r.Psubs, psub);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistPartialWildcardAtEnd"), GoTest("server/sublist_test.go", "TestSublistPartialWildcardAtEndNoCache")]
    public void PartialWildcardAtEnd(bool cache)
    {
        var s = New(cache);
        var lsub = Sub("a.b.c");
        var psub = Sub("a.b.*");
        s.Insert(lsub);
        s.Insert(psub);
        var r = s.Match("a.b.c");
        r.Psubs.Length.ShouldBe(2);
        VerifyMember(r.Psubs, lsub);
        VerifyMember(r.Psubs, psub);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistFullWildcard"), GoTest("server/sublist_test.go", "TestSublistFullWildcardNoCache")]
    public void FullWildcard(bool cache)
    {
        var s = New(cache);
        var lsub = Sub("a.b.c");
        var fsub = Sub("a.>");
        s.Insert(lsub);
        s.Insert(fsub);
        var r = s.Match("a.b.c");
        r.Psubs.Length.ShouldBe(2);
        VerifyMember(r.Psubs, lsub);
        VerifyMember(r.Psubs, fsub);
        r = s.Match("a.>");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, fsub);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRemove"), GoTest("server/sublist_test.go", "TestSublistRemoveNoCache")]
    public void Remove(bool cache)
    {
        var s = New(cache);
        var sub = Sub("a.b.c.d");
        s.Insert(sub);
        s.Count.ShouldBe(1u);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(1);
        s.Remove(Sub("a.b.c"));
        s.Count.ShouldBe(1u);
        s.Remove(sub);
        s.Count.ShouldBe(0u);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(0);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRemoveWildcard"), GoTest("server/sublist_test.go", "TestSublistRemoveWildcardNoCache")]
    public void RemoveWildcard(bool cache)
    {
        var s = New(cache);
        var sub = Sub("a.b.c.d");
        var psub = Sub("a.b.*.d");
        var fsub = Sub("a.b.>");
        s.Insert(sub);
        s.Insert(psub);
        s.Insert(fsub);
        s.Count.ShouldBe(3u);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(3);
        s.Remove(sub);
        s.Count.ShouldBe(2u);
        s.Remove(fsub);
        s.Count.ShouldBe(1u);
        s.Remove(psub);
        s.Count.ShouldBe(0u);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(0);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRemoveCleanup"), GoTest("server/sublist_test.go", "TestSublistRemoveCleanupNoCache")]
    public void RemoveCleanup(bool cache)
    {
        var s = New(cache);
        const string literal = "a.b.c.d.e.f";
        var sub = Sub(literal);
        s.NumLevels().ShouldBe(0);
        s.Insert(sub);
        s.NumLevels().ShouldBe(literal.Split('.').Length);
        s.Remove(sub);
        s.NumLevels().ShouldBe(0);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRemoveCleanupWildcards"), GoTest("server/sublist_test.go", "TestSublistRemoveCleanupWildcardsNoCache")]
    public void RemoveCleanupWildcards(bool cache)
    {
        var s = New(cache);
        const string subject = "a.b.*.d.e.>";
        var sub = Sub(subject);
        s.NumLevels().ShouldBe(0);
        s.Insert(sub);
        s.NumLevels().ShouldBe(subject.Split('.').Length);
        s.Remove(sub);
        s.NumLevels().ShouldBe(0);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRemoveWithLargeSubs"), GoTest("server/sublist_test.go", "TestSublistRemoveWithLargeSubsNoCache")]
    public void RemoveWithLargeSubs(bool cache)
    {
        const int plistMin = 256;
        var s = New(cache);
        for (int i = 0; i < plistMin * 2; i++) s.Insert(Sub("foo"));
        var r = s.Match("foo");
        r.Psubs.Length.ShouldBe(plistMin * 2);
        s.Remove(r.Psubs[plistMin]);
        s.Remove(r.Psubs[0]);
        s.Remove(r.Psubs[^1]);
        s.Match("foo").Psubs.Length.ShouldBe(plistMin * 2 - 3);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistInvalidSubjectsInsert"), GoTest("server/sublist_test.go", "TestSublistInvalidSubjectsInsertNoCache")]
    public void InvalidSubjectsInsert(bool cache)
    {
        var s = New(cache);
        foreach (var bad in new[] { ".foo", "foo.", "foo..bar", "foo.bar..baz", "foo.>.bar" })
            s.Insert(Sub(bad)).ShouldBe(SublistError.InvalidSubject, bad);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistNoCacheRemoveBatch")]
    public void NoCacheRemoveBatch()
    {
        var s = New(false);
        s.Insert(Sub("foo"));
        var sub = Sub("bar");
        s.Insert(sub);
        s.RemoveBatch([sub]);
        for (int i = 0; i < 10; i++) s.Match("foo");
        s.CacheEnabled.ShouldBeFalse();
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistRemoveBatchWithError")]
    public void RemoveBatchWithError()
    {
        var s = New(false);
        var sub1 = Sub("foo");
        var sub2 = Sub("bar");
        var sub3 = Sub("baz");
        s.Insert(sub1);
        s.Insert(sub2);
        s.Insert(sub3);
        s.RemoveBatch([Sub("not.inserted"), sub1, sub3]).ShouldBe(SublistError.NotFound);
        s.Count.ShouldBe(1u);
        var r = s.Match("bar");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, sub2);
        s.Match("foo").Psubs.Length.ShouldBe(0);
        s.Match("baz").Psubs.Length.ShouldBe(0);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistCache")]
    public async Task Cache()
    {
        var s = New(true);
        var sub = Sub("a.b.c.d");
        var psub = Sub("a.b.*.d");
        var fsub = Sub("a.b.>");
        s.Insert(sub);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(1);
        s.Insert(psub);
        s.Insert(fsub);
        s.Count.ShouldBe(3u);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(3);
        s.Remove(sub);
        s.Count.ShouldBe(2u);
        s.Remove(fsub);
        s.Count.ShouldBe(1u);
        s.Remove(psub);
        s.Count.ShouldBe(0u);
        s.CacheCount.ShouldBe(0);
        s.Match("a.b.c.d").Psubs.Length.ShouldBe(0);

        const int cacheMax = 1024;
        for (int i = 0; i < 2 * cacheMax; i++) s.Match($"foo-{i}\n");
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (s.CacheCount > cacheMax && DateTime.UtcNow < deadline) await Task.Delay(10);
        s.CacheCount.ShouldBeLessThanOrEqualTo(cacheMax);

        // A wildcard inserted after a literal was cached must show up in the cached result.
        s = New(true);
        s.Insert(Sub("foo.*"));
        s.Insert(Sub("foo.bar"));
        s.Match("foo.baz").Psubs.Length.ShouldBe(1);
        s.Match("foo.bar").Psubs.Length.ShouldBe(2);
        s.Insert(Sub("foo.>"));
        s.Match("foo.bar").Psubs.Length.ShouldBe(3);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistBasicQueueResults"), GoTest("server/sublist_test.go", "TestSublistBasicQueueResultsNoCache")]
    public void BasicQueueResults(bool cache)
    {
        var s = New(cache);
        var sub = Sub("foo");
        var sub1 = QSub("foo", "bar");
        var sub2 = QSub("foo", "baz");

        s.Insert(sub1);
        var r = s.Match("foo");
        r.Psubs.Length.ShouldBe(0);
        r.Qsubs.Length.ShouldBe(1);
        r.Qsubs[0].Length.ShouldBe(1);
        VerifyQMember(r.Qsubs, sub1);

        s.Insert(sub2);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(0);
        r.Qsubs.Length.ShouldBe(2);
        r.Qsubs[0].Length.ShouldBe(1);
        r.Qsubs[1].Length.ShouldBe(1);
        VerifyQMember(r.Qsubs, sub1);
        VerifyQMember(r.Qsubs, sub2);

        s.Insert(sub);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(1);
        r.Qsubs.Length.ShouldBe(2);
        VerifyQMember(r.Qsubs, sub1);
        VerifyQMember(r.Qsubs, sub2);
        VerifyMember(r.Psubs, sub);

        var sub3 = QSub("foo", "bar");
        var sub4 = QSub("foo", "baz");
        s.Insert(sub3);
        s.Insert(sub4);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(1);
        r.Qsubs.Length.ShouldBe(2);
        r.Qsubs[0].Length.ShouldBe(2);
        r.Qsubs[1].Length.ShouldBe(2);
        VerifyQMember(r.Qsubs, sub1);
        VerifyQMember(r.Qsubs, sub2);
        VerifyQMember(r.Qsubs, sub3);
        VerifyQMember(r.Qsubs, sub4);
        VerifyMember(r.Psubs, sub);

        s.Remove(sub);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(0);
        r.Qsubs.Length.ShouldBe(2);
        r.Qsubs[0].Length.ShouldBe(2);
        r.Qsubs[1].Length.ShouldBe(2);
        VerifyQMember(r.Qsubs, sub1);
        VerifyQMember(r.Qsubs, sub2);

        s.Remove(sub1);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(0);
        r.Qsubs.Length.ShouldBe(2);
        QSlot(r.Qsubs, "bar").Length.ShouldBe(1);
        QSlot(r.Qsubs, "baz").Length.ShouldBe(2);
        VerifyQMember(r.Qsubs, sub2);
        VerifyQMember(r.Qsubs, sub3);
        VerifyQMember(r.Qsubs, sub4);

        s.Remove(sub3);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(0);
        r.Qsubs.Length.ShouldBe(1);
        r.Qsubs[0].Length.ShouldBe(2);
        VerifyQMember(r.Qsubs, sub2);

        s.Remove(sub2);
        s.Remove(sub4);
        r = s.Match("foo");
        r.Psubs.Length.ShouldBe(0);
        r.Qsubs.Length.ShouldBe(0);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistValidLiteralSubjects")]
    public void ValidLiteralSubjects()
    {
        var cases = new (string, bool)[]
        {
            ("foo", true), (".foo", false), ("foo.", false), ("foo..bar", false), ("foo.bar.*", false), ("foo.bar.>", false),
            ("*", false), (">", false), ("foo*", true), ("foo**", true), ("foo.**", true), ("foo*bar", true), ("foo.*bar", true),
            ("foo*.bar", true), ("*bar", true), ("foo>", true), ("foo>>", true), ("foo.>>", true), ("foo>bar", true),
            ("foo.>bar", true), ("foo>.bar", true), (">bar", true),
        };
        foreach (var (subject, valid) in cases) SubjectValidation.IsValidLiteralSubject(subject).ShouldBe(valid, subject);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistValidSubjects")]
    public void ValidSubjects()
    {
        var cases = new (string, bool)[]
        {
            (".", false), (".foo", false), ("foo.", false), ("foo..bar", false), (">.bar", false), ("foo.>.bar", false),
            ("foo", true), ("foo.bar.*", true), ("foo.bar.>", true), ("*", true), (">", true), ("foo*", true), ("foo**", true),
            ("foo.**", true), ("foo*bar", true), ("foo.*bar", true), ("foo*.bar", true), ("*bar", true), ("foo>", true),
            ("foo.>>", true), ("foo>bar", true), ("foo.>bar", true), ("foo>.bar", true), (">bar", true),
        };
        foreach (var (subject, valid) in cases) SubjectValidation.IsValidSubject(subject).ShouldBe(valid, subject);
        SubjectValidation.IsValidSubject("foo.bar.baz.\0", checkRunes: true).ShouldBeFalse();
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistMatchLiterals")]
    public void MatchLiterals()
    {
        var cases = new (string, string, bool)[]
        {
            ("foo", "foo", true), ("foo", "bar", false), ("foo", "*", true), ("foo", ">", true), ("foo.bar", ">", true),
            ("foo.bar", "foo.>", true), ("foo.bar", "bar.>", false), ("stats.test.22", "stats.>", true),
            ("stats.test.22", "stats.*.*", true), ("foo.bar", "foo", false), ("stats.test.foos", "stats.test.foos", true),
            ("stats.test.foos", "stats.test.foo", false), ("stats.test", "stats.test.*", false), ("stats.test.foos", "stats.*", false),
            ("stats.test.foos", "stats.*.*.foos", false), ("*bar", "*bar", true), ("foo*", "foo*", true), ("foo*bar", "foo*bar", true),
            ("foo.***.bar", "foo.***.bar", true), (">bar", ">bar", true), ("foo>", "foo>", true), ("foo>bar", "foo>bar", true),
            ("foo.>>>.bar", "foo.>>>.bar", true),
        };
        foreach (var (literal, pattern, match) in cases) SubjectValidation.MatchLiteral(literal, pattern).ShouldBe(match, $"{literal} ~ {pattern}");
    }

    [Fact, GoTest("server/sublist_test.go", "TestSubjectIsLiteral")]
    public void SubjectIsLiteral()
    {
        var cases = new (string, bool)[]
        {
            ("foo", true), ("foo.bar", true), ("foo*.bar", true), ("*", false), (">", false), ("foo.*", false), ("foo.>", false),
            ("foo.*.>", false), ("foo.*.bar", false), ("foo.bar.>", false),
        };
        foreach (var (subject, literal) in cases) SubjectValidation.SubjectIsLiteral(subject).ShouldBe(literal, subject);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistBadSubjectOnRemove"), GoTest("server/sublist_test.go", "TestSublistBadSubjectOnRemoveNoCache")]
    public void BadSubjectOnRemove(bool cache)
    {
        var s = New(cache);
        var sub = Sub("a.b..d");
        s.Insert(sub).ShouldBe(SublistError.InvalidSubject);
        s.Remove(sub).ShouldBe(SublistError.InvalidSubject);
        s.Remove(Sub("a.>.b")).ShouldBe(SublistError.InvalidSubject);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistTwoTokenPubMatchSingleTokenSub"), GoTest("server/sublist_test.go", "TestSublistTwoTokenPubMatchSingleTokenSubNoCache")]
    public void TwoTokenPubMatchSingleTokenSub(bool cache)
    {
        var s = New(cache);
        var sub = Sub("foo");
        s.Insert(sub);
        var r = s.Match("foo");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, sub);
        s.Match("foo.bar").Psubs.Length.ShouldBe(0);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistInsertWithWildcardsAsLiterals"), GoTest("server/sublist_test.go", "TestSublistInsertWithWildcardsAsLiteralsNoCache")]
    public void InsertWithWildcardsAsLiterals(bool cache)
    {
        var s = New(cache);
        foreach (var subject in new[] { "foo.*-", "foo.>-" })
        {
            s.Insert(Sub(subject));
            s.Match("foo.bar").Psubs.Length.ShouldBe(0);
            s.Match(subject).Psubs.Length.ShouldBe(1);
        }
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRemoveWithWildcardsAsLiterals"), GoTest("server/sublist_test.go", "TestSublistRemoveWithWildcardsAsLiteralsNoCache")]
    public void RemoveWithWildcardsAsLiterals(bool cache)
    {
        var s = New(cache);
        foreach (var subject in new[] { "foo.*-", "foo.>-" })
        {
            var sub = Sub(subject);
            s.Insert(sub);
            s.Remove(Sub("foo.bar"));
            s.Count.ShouldBe(1u);
            s.Remove(sub);
            s.Count.ShouldBe(0u);
        }
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRaceOnRemove"), GoTest("server/sublist_test.go", "TestSublistRaceOnRemoveNoCache")]
    public void RaceOnRemove(bool cache)
    {
        var s = New(cache);
        const int total = 100;
        var qsubs = Enumerable.Range(0, total).Select(_ => QSub("foo", "bar")).OrderBy(_ => Random.Shared.Next()).ToList();
        for (int round = 0; round < 2; round++)
        {
            foreach (var sub in qsubs) s.Insert(sub);
            if (round == 1) s.Match("foo");
            var r = s.Match("foo");
            var remover = Task.Run(() => { foreach (var sub in qsubs) s.Remove(sub); });
            foreach (var group in r.Qsubs)
                foreach (var sub in group) sub.Queue.ShouldBe("bar");
            remover.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();
        }
        var psubs = Enumerable.Range(0, total).Select(_ => Sub("foo")).OrderBy(_ => Random.Shared.Next()).ToList();
        for (int round = 0; round < 2; round++)
        {
            foreach (var sub in psubs) s.Insert(sub);
            if (round == 1) s.Match("foo");
            var r = s.Match("foo");
            var remover = Task.Run(() => { foreach (var sub in psubs) s.Remove(sub); });
            foreach (var sub in r.Psubs) sub.Subject.ShouldBe("foo");
            remover.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();
        }
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistRaceOnInsert"), GoTest("server/sublist_test.go", "TestSublistRaceOnInsertNoCache")]
    public void RaceOnInsert(bool cache)
    {
        var s = New(cache);
        const int total = 100;
        var qsubs = Enumerable.Range(0, total).Select(_ => QSub("foo", "bar")).ToList();
        var inserter = Task.Run(() => { foreach (var sub in qsubs) s.Insert(sub); });
        for (int i = 0; i < 1000; i++)
            foreach (var group in s.Match("foo").Qsubs)
                foreach (var q in group) q.Queue.ShouldBe("bar");
        inserter.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();

        var psubs = Enumerable.Range(0, total).Select(_ => Sub("foo")).ToList();
        inserter = Task.Run(() => { foreach (var sub in psubs) s.Insert(sub); });
        for (int i = 0; i < 1000; i++)
            foreach (var sub in s.Match("foo").Psubs) sub.Subject.ShouldBe("foo");
        inserter.Wait(TimeSpan.FromSeconds(10)).ShouldBeTrue();
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistRaceOnMatch")]
    public void RaceOnMatch()
    {
        var s = New(false);
        s.Insert(QSub("foo.*", "workers"));
        s.Insert(QSub("foo.bar", "workers"));
        s.Insert(Sub("foo.*"));
        s.Insert(Sub("foo.bar"));
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Check()
        {
            for (int i = 0; i < 10; i++)
            {
                var r = s.Match("foo.bar");
                foreach (var sub in r.Psubs)
                    if (!sub.Subject.StartsWith("foo.", StringComparison.Ordinal)) errors.Enqueue($"Wrong subject: {sub.Subject}");
                foreach (var group in r.Qsubs)
                    foreach (var sub in group)
                        if (sub.Queue != "workers") errors.Enqueue($"Wrong queue name: {sub.Queue}");
            }
        }
        Task.WaitAll([Task.Run(Check), Task.Run(Check)], TimeSpan.FromSeconds(10)).ShouldBeTrue();
        errors.ShouldBeEmpty();
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistSharedEmptyResult")]
    public void SharedEmptyResult()
    {
        var s = New(true);
        var r1 = s.Match("foo");
        r1.Psubs.Length.ShouldBe(0);
        r1.Qsubs.Length.ShouldBe(0);
        var r2 = s.Match("bar");
        r2.Psubs.Length.ShouldBe(0);
        r2.Qsubs.Length.ShouldBe(0);
        r1.ShouldBeSameAs(r2);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistNoCacheStats")]
    public void NoCacheStats()
    {
        var s = New(false);
        s.Insert(Sub("foo"));
        s.Insert(Sub("bar"));
        s.Insert(Sub("baz"));
        s.Insert(Sub("foo.bar.baz"));
        s.Match("a.b.c");
        s.Match("bar");
        s.Stats().NumCache.ShouldBe(0u);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistAll")]
    public void All()
    {
        var s = New(false);
        Subscription[] subs = [Sub("foo.bar.baz"), Sub("foo"), Sub("baz")];
        foreach (var sub in subs) s.Insert(sub);
        var output = new List<Subscription>();
        s.All(output);
        output.Count.ShouldBe(subs.Length);
    }

    [Fact, GoTest("server/sublist_test.go", "TestIsSubsetMatch")]
    public void IsSubsetMatch()
    {
        var cases = new (string Subject, string Test, bool Result)[]
        {
            ("foo.bar", "foo.bar", true), ("foo.*", ">", true), ("foo.*", "*.*", true), ("foo.*", "foo.*", true),
            ("foo.*", "foo.bar", false), ("foo.>", ">", true), ("foo.>", "*.>", true), ("foo.>", "foo.>", true),
            ("foo.>", "foo.bar", false), ("foo..bar", "foo.*", false), ("foo.*", "foo..bar", false),
        };
        foreach (var (subject, test, result) in cases)
            SubjectValidation.IsSubsetMatch(subject, test).ShouldBe(result, $"{test} subset of {subject}");
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistReverseMatch")]
    public void ReverseMatch()
    {
        var s = New(true);
        var fooSub = Sub("foo");
        var barSub = Sub("bar");
        var fooBarSub = Sub("foo.bar");
        var fooBazSub = Sub("foo.baz");
        var fooBarBazSub = Sub("foo.bar.baz");
        foreach (var sub in new[] { fooSub, barSub, fooBarSub, fooBazSub, fooBarBazSub }) s.Insert(sub);

        void Expect(string subject, params Subscription[] members)
        {
            var r = s.ReverseMatch(subject);
            r.Psubs.Length.ShouldBe(members.Length, subject);
            foreach (var m in members) VerifyMember(r.Psubs, m);
        }
        Expect("foo", fooSub);
        Expect("bar", barSub);
        Expect("*", fooSub, barSub);
        Expect("baz");
        Expect("foo.*", fooBarSub, fooBazSub);
        Expect("*.*", fooBarSub, fooBazSub);
        Expect("*.bar", fooBarSub);
        Expect("*.baz", fooBazSub);
        Expect("bar.*");
        Expect("*.bat");
        Expect("foo.>", fooBarSub, fooBazSub, fooBarBazSub);
        Expect(">", fooSub, barSub, fooBarSub, fooBazSub, fooBarBazSub);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistReverseMatchWider")]
    public void ReverseMatchWider()
    {
        var s = New(true);
        var sub = Sub("uplink.*.*.>");
        s.Insert(sub);
        var r = s.ReverseMatch("uplink.1.*.*.>");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, sub);
        r = s.ReverseMatch("uplink.1.2.3.>");
        r.Psubs.Length.ShouldBe(1);
        VerifyMember(r.Psubs, sub);
    }

    [Theory, InlineData(true), InlineData(false)]
    [GoTest("server/sublist_test.go", "TestSublistMatchWithEmptyTokens")]
    public void MatchWithEmptyTokens(bool cache)
    {
        var s = New(cache);
        s.Insert(Sub(">"));
        s.Insert(QSub(">", "queue"));
        foreach (var subject in new[] { ".foo", "..foo", "foo..", "foo.", "foo..bar", "foo...bar" })
        {
            var r = s.Match(subject);
            r.Psubs.Length.ShouldBe(0, subject);
            r.Qsubs.Length.ShouldBe(0, subject);
        }
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistSubjectCollide")]
    public void SubjectCollide()
    {
        SubjectValidation.SubjectsCollide("foo.*", "foo.*.bar.>").ShouldBeFalse();
        SubjectValidation.SubjectsCollide("foo.*.bar.>", "foo.*").ShouldBeFalse();
        SubjectValidation.SubjectsCollide("foo.*", "foo.foo").ShouldBeTrue();
        SubjectValidation.SubjectsCollide("foo.*", "*.foo").ShouldBeTrue();
        SubjectValidation.SubjectsCollide("foo.bar.>", "*.bar.foo").ShouldBeTrue();
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistAddCacheHitRate")]
    public void AddCacheHitRate()
    {
        var sl1 = New(true);
        sl1.Insert(Sub("foo"));
        for (int i = 0; i < 4; i++) sl1.Match("foo");
        var stats1 = sl1.Stats();
        stats1.CacheHitRate.ShouldBe(0.75);

        var sl2 = New(true);
        sl2.Insert(Sub("bar"));
        for (int i = 0; i < 4; i++) sl2.Match("bar");
        var stats2 = sl2.Stats();
        stats2.CacheHitRate.ShouldBe(0.75);

        var ts = new SublistStats();
        ts.Add(stats1);
        ts.Add(stats2);
        ts.CacheHitRate.ShouldBe(0.75);
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistHasInterest")]
    public void HasInterest()
    {
        var sl = New(true);
        var fooSub = Sub("foo");
        sl.Insert(fooSub);
        sl.HasInterest("foo").ShouldBeTrue();
        sl.HasInterest("bar").ShouldBeFalse();
        sl.CacheHits.ShouldBe(0);
        sl.Match("foo");
        sl.CacheHits.ShouldBe(0);
        for (int i = 1; i <= 5; i++)
        {
            sl.HasInterest("foo").ShouldBeTrue();
            sl.CacheHits.ShouldBe(i);
        }
        long hits = sl.CacheHits;
        sl.Match("bar");
        sl.HasInterest("bar").ShouldBeFalse();
        sl.CacheHits.ShouldBe(hits + 1);
        sl.Remove(fooSub);
        sl.HasInterest("foo").ShouldBeFalse();

        void Check(Subscription sub, params (string Subject, bool Interest)[] expectations)
        {
            sl.Insert(sub);
            foreach (var (subject, interest) in expectations) sl.HasInterest(subject).ShouldBe(interest, $"{sub} / {subject}");
            sl.Remove(sub);
        }
        Check(Sub("foo.*"), ("foo", false), ("foo.bar", true), ("foo.bar.baz", false));
        foreach (var subject in new[] { "foo", "foo.bar", "foo.bar.baz" }) sl.HasInterest(subject).ShouldBeFalse();
        Check(Sub("foo.>"), ("foo", false), ("foo.bar", true), ("foo.bar.baz", true));
        foreach (var subject in new[] { "foo", "foo.bar", "foo.bar.baz" }) sl.HasInterest(subject).ShouldBeFalse();
        Check(Sub("*.>"), ("foo", false), ("foo.bar", true), ("foo.baz", true));
        Check(Sub("*.bar"), ("foo", false), ("foo.bar", true), ("foo.baz", false));
        Check(Sub("*"), ("foo", true), ("foo.bar", false));

        var qsub = QSub("foo", "bar");
        sl.Insert(qsub);
        sl.HasInterest("foo").ShouldBeTrue();
        sl.HasInterest("foo.bar").ShouldBeFalse();
        var qsub2 = QSub("foo", "baz");
        sl.Insert(qsub2);
        sl.HasInterest("foo").ShouldBeTrue();
        sl.HasInterest("foo.bar").ShouldBeFalse();
        sl.Remove(qsub);
        sl.HasInterest("foo").ShouldBeTrue();
        sl.HasInterest("foo.bar").ShouldBeFalse();
        sl.Remove(qsub2);
        sl.HasInterest("foo").ShouldBeFalse();
        sl.HasInterest("foo.bar").ShouldBeFalse();

        foreach (var (pattern, interest) in new[] { ("foo.*", new[] { false, true, false }), ("foo.>", new[] { false, true, true }) })
        {
            qsub = QSub(pattern, "bar");
            sl.Insert(qsub);
            qsub2 = QSub(pattern, "baz");
            sl.Insert(qsub2);
            sl.HasInterest("foo").ShouldBe(interest[0]);
            sl.HasInterest("foo.bar").ShouldBe(interest[1]);
            sl.HasInterest("foo.bar.baz").ShouldBe(interest[2]);
            sl.Remove(qsub);
            sl.HasInterest("foo").ShouldBe(interest[0]);
            sl.HasInterest("foo.bar").ShouldBe(interest[1]);
            sl.HasInterest("foo.bar.baz").ShouldBe(interest[2]);
            sl.Remove(qsub2);
            foreach (var subject in new[] { "foo", "foo.bar", "foo.bar.baz" }) sl.HasInterest(subject).ShouldBeFalse();
        }
        Check(QSub("*.>", "bar"), ("foo", false), ("foo.bar", true), ("foo.baz", true));
        Check(QSub("*.bar", "bar"), ("foo", false), ("foo.bar", true), ("foo.baz", false));
        Check(QSub("*", "bar"), ("foo", true), ("foo.bar", false));
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistHasInterestOverlapping")]
    public void HasInterestOverlapping()
    {
        var sl = New(true);
        sl.Insert(Sub("stream.A.child")).ShouldBe(SublistError.None);
        sl.Insert(Sub("stream.*")).ShouldBe(SublistError.None);
        sl.HasInterest("stream.A.child").ShouldBeTrue();
        sl.HasInterest("stream.A").ShouldBeTrue();
    }

    [Fact, GoTest("server/sublist_test.go", "TestSubjectToken")]
    public void SubjectToken()
    {
        SubjectValidation.TokenAt("foo.bar.baz.*", 0).ShouldBe("");
        SubjectValidation.TokenAt("foo.bar.baz.*", 1).ShouldBe("foo");
        SubjectValidation.TokenAt("foo.bar.baz.*", 2).ShouldBe("bar");
        SubjectValidation.TokenAt("foo.bar.baz.*", 3).ShouldBe("baz");
        SubjectValidation.TokenAt("foo.bar.baz.*", 4).ShouldBe("*");
        SubjectValidation.TokenAt("foo.bar.baz.*", 5).ShouldBe("");
    }

    [Fact, GoTest("server/sublist_test.go", "TestSublistNumInterest")]
    public void NumInterest()
    {
        var sl = New(true);
        void Require(string subject, int np, int nq) => sl.NumInterest(subject).ShouldBe((np, nq), subject);

        var fooSub = Sub("foo");
        sl.Insert(fooSub);
        Require("foo", 1, 0);
        Require("bar", 0, 0);
        sl.CacheHits.ShouldBe(0);
        sl.Match("foo");
        sl.CacheHits.ShouldBe(0);
        for (int i = 1; i <= 5; i++)
        {
            Require("foo", 1, 0);
            sl.CacheHits.ShouldBe(i);
        }
        long hits = sl.CacheHits;
        sl.Match("bar");
        Require("bar", 0, 0);
        sl.CacheHits.ShouldBe(hits + 1);
        sl.Remove(fooSub);
        Require("foo", 0, 0);

        void Plain(string pattern, params (string Subject, int Np)[] expect)
        {
            var sub = Sub(pattern);
            sl.Insert(sub);
            foreach (var (subject, np) in expect) Require(subject, np, 0);
            sl.Remove(sub);
        }
        Plain("foo.*", ("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 0));
        Require("foo", 0, 0); Require("foo.bar", 0, 0); Require("foo.bar.baz", 0, 0);
        Plain("foo.>", ("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 1));
        Require("foo", 0, 0); Require("foo.bar", 0, 0); Require("foo.bar.baz", 0, 0);
        Plain("*.>", ("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 1));
        Plain("*.bar", ("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 0));
        Plain("*", ("foo", 1), ("foo.bar", 0));

        // Three queue subscribers (two groups) on one pattern, then removed one by one.
        void Queues(string pattern, string[] subjects, bool[] matches)
        {
            var q1 = QSub(pattern, "bar");
            var q2 = QSub(pattern, "baz");
            var q3 = QSub(pattern, "baz");
            void Check(int n) { for (int i = 0; i < subjects.Length; i++) Require(subjects[i], 0, matches[i] ? n : 0); }
            sl.Insert(q1); Check(1);
            sl.Insert(q2); Check(2);
            sl.Insert(q3); Check(3);
            sl.Remove(q1); Check(2);
            sl.Remove(q2); Check(1);
            sl.Remove(q3); Check(0);
        }
        Queues("foo", ["foo", "foo.bar"], [true, false]);
        Queues("foo.*", ["foo", "foo.bar", "foo.bar.baz"], [false, true, false]);
        Queues("foo.>", ["foo", "foo.bar", "foo.bar.baz"], [false, true, true]);

        void OneQueue(string pattern, params (string Subject, int Nq)[] expect)
        {
            var q = QSub(pattern, "bar");
            sl.Insert(q);
            foreach (var (subject, nq) in expect) Require(subject, 0, nq);
            sl.Remove(q);
        }
        OneQueue("*.>", ("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 1));
        OneQueue("*.bar", ("foo", 0), ("foo.bar", 1), ("foo.bar.baz", 0));
        OneQueue("*", ("foo", 1), ("foo.bar", 0));
    }

    [Fact]
    public void CacheHitAllocatesNothing()
    {
        var s = New(true);
        s.Insert(Sub("foo.*"));
        var subject = "foo.bar"u8.ToArray();
        // Warm up past tiered compilation (call counting, then tier-1 in the background) so it cannot run mid-measurement.
        for (int i = 0; i < 50_000; i++) s.Match(subject);
        Thread.Sleep(300);
        for (int i = 0; i < 1_000; i++) s.Match(subject);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) s.Match(subject);
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBe(0);
    }
}
