using System.Text;
using CsCheck;
using NatsParity.Server.Subscriptions;
using Shouldly;
using Xunit;

namespace NatsParity.Conformance.Properties;

/// <summary>The sublist against a naive model: every match equals a linear scan of the live subscriptions.</summary>
public sealed class SublistModelTests
{
    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static readonly Gen<string> Token = Pick("a", "b", "c", "foo", "bar");
    private static readonly Gen<string> Literal = Token.Array[1, 4].Select(t => string.Join('.', t));
    private static readonly Gen<string> Pattern =
        Gen.Frequency((4, Token), (2, Gen.Const("*")))
            .Array[1, 4]
            .Select(Gen.Bool, (t, fwc) => fwc ? string.Join('.', t.Append(">")) : string.Join('.', t));

    private abstract record Op;
    private sealed record Insert(string Subject, string? Queue) : Op;
    private sealed record RemoveAt(int Index) : Op;
    private sealed record MatchOp(string Subject) : Op;

    private static readonly Gen<Op> Ops = Gen.Frequency(
        (4, Pattern.Select(Pick<string?>(null, null, "q1", "q2"), (s, q) => (Op)new Insert(s, q))),
        (2, Gen.Int[0, 1000].Select(i => (Op)new RemoveAt(i))),
        (4, Literal.Select(s => (Op)new MatchOp(s))));

    /// <summary>A literal subject against a pattern, token by token: the definition, not an optimisation.</summary>
    private static bool NaiveMatch(string subject, string pattern)
    {
        var s = subject.Split('.');
        var p = pattern.Split('.');
        for (int i = 0; i < p.Length; i++)
        {
            if (p[i] == ">") return s.Length > i;
            if (i >= s.Length) return false;
            if (p[i] != "*" && p[i] != s[i]) return false;
        }
        return s.Length == p.Length;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void MatchesEqualANaiveScanUnderInsertsAndRemoves(bool cache)
    {
        Ops.Array[1, 60].Sample(ops =>
        {
            var sl = new Sublist(cache);
            var live = new List<Subscription>();
            foreach (var op in ops)
            {
                switch (op)
                {
                    case Insert i:
                        var sub = new Subscription(i.Subject, i.Queue);
                        sl.TryInsert(sub).ShouldBeTrue(i.Subject);
                        live.Add(sub);
                        break;
                    case RemoveAt r when live.Count > 0:
                        var victim = live[r.Index % live.Count];
                        sl.Remove(victim).ShouldBe(SublistError.None);
                        live.Remove(victim);
                        break;
                    case MatchOp m:
                        foreach (var result in new[] { sl.Match(m.Subject), sl.Match(Encoding.ASCII.GetBytes(m.Subject)) })
                        {
                            var expected = live.Where(x => NaiveMatch(m.Subject, x.Subject)).ToList();
                            result.Psubs.ShouldBe(expected.Where(x => x.Queue is null), ignoreOrder: true);
                            result.Qsubs.SelectMany(q => q).ShouldBe(expected.Where(x => x.Queue is not null), ignoreOrder: true);
                            foreach (var group in result.Qsubs) group.Select(x => x.Queue).Distinct().Count().ShouldBe(1);
                        }
                        break;
                }
            }
            sl.Count.ShouldBe((uint)live.Count);
        }, iter: 300);
    }

    [Fact]
    public void ValidSubjectsAreExactlyThoseWithNonEmptyTokensAndTrailingFullWildcard()
    {
        var token = Pick("a", "bb", "*", ">", "", " ", "x y");
        token.Array[1, 5].Select(t => string.Join('.', t)).Sample(subject =>
        {
            var tokens = subject.Split('.');
            bool expected = tokens.All(t => t.Length > 0 && !t.Any(char.IsWhiteSpace)) &&
                            tokens.Take(tokens.Length - 1).All(t => t != ">");
            SubjectValidation.IsValidSubject(subject).ShouldBe(expected, subject);
            // Go's IsValidLiteralSubject checks only for empty and wildcard tokens.
            bool literal = tokens.All(t => t.Length > 0 && t is not ("*" or ">"));
            SubjectValidation.IsValidLiteralSubject(Encoding.ASCII.GetBytes(subject)).ShouldBe(literal, subject);
        }, iter: 2000);
    }
}
