using NatsParity.Server.Auth;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of internal/ldap/dn_test.go: parsing distinguished names and comparing them.</summary>
public sealed class LdapDnTests
{
    private static string Show(IEnumerable<IEnumerable<(string Type, string Value)>> rdns) =>
        string.Join(" | ", rdns.Select(r => string.Join(" + ", r.Select(a => $"[{a.Type}]=[{a.Value}]"))));

    public static TheoryData<string, (string, string)[][]> Parsed => new()
    {
        { "", [] },
        { "cn=Jim\\2C \\22Hasse Hö\\22 Hansson!,dc=dummy,dc=com",
            [[("cn", "Jim, \"Hasse Hö\" Hansson!")], [("dc", "dummy")], [("dc", "com")]] },
        { "UID=jsmith,DC=example,DC=net", [[("UID", "jsmith")], [("DC", "example")], [("DC", "net")]] },
        { "OU=Sales+CN=J. Smith,DC=example,DC=net", [[("OU", "Sales"), ("CN", "J. Smith")], [("DC", "example")], [("DC", "net")]] },
        { "CN=Lu\\C4\\8Di\\C4\\87", [[("CN", "Lučić")]] },
        { "  CN  =  Lu\\C4\\8Di\\C4\\87  ", [[("CN", "Lučić")]] },
        { "   A   =   1   ,   B   =   2   ", [[("A", "1")], [("B", "2")]] },
        { "   A   =   1   +   B   =   2   ", [[("A", "1"), ("B", "2")]] },
        { @"   \ \ A\ \    =   \ \ 1\ \    ,   \ \ B\ \    =   \ \ 2\ \    ", [[("  A  ", "  1  ")], [("  B  ", "  2  ")]] },
        { @"   \ \ A\ \    =   \ \ 1\ \    +   \ \ B\ \    =   \ \ 2\ \    ", [[("  A  ", "  1  "), ("  B  ", "  2  ")]] },
    };

    [Theory, MemberData(nameof(Parsed)), GoTest("internal/ldap/dn_test.go", "TestSuccessfulDNParsing")]
    public void SuccessfulDnParsing(string text, (string, string)[][] expected) =>
        Show(LdapDn.Parse(text).Rdns).ShouldBe(Show(expected));

    [Theory, GoTest("internal/ldap/dn_test.go", "TestErrorDNParsing")]
    [InlineData("*", "DN ended with incomplete type, value pair")]
    [InlineData("cn=Jim\\0Test", "failed to decode escaped character: encoding/hex: invalid byte: U+0054 'T'")]
    [InlineData("cn=Jim\\0", "got corrupted escaped character")]
    [InlineData("DC=example,=net", "DN ended with incomplete type, value pair")]
    [InlineData("test,DC=example,DC=com", "incomplete type, value pair")]
    [InlineData("=test,DC=example,DC=com", "incomplete type, value pair")]
    public void ErrorDnParsing(string text, string error) =>
        Should.Throw<FormatException>(() => LdapDn.Parse(text)).Message.ShouldBe(error);

    [Theory, GoTest("internal/ldap/dn_test.go", "TestDNEqual")]
    [InlineData("", "", true)]
    [InlineData("o=A", "o=A", true)]
    [InlineData("o=A", "o=B", false)]
    [InlineData("o=A,o=B", "o=A,o=B", true)]
    [InlineData("o=A,o=B", "o=A,o=C", false)]
    [InlineData("o=A+o=B", "o=A+o=B", true)]
    [InlineData("o=A+o=B", "o=A+o=C", false)]
    // Types compare case-insensitively, values exactly.
    [InlineData("o=A", "O=A", true)]
    [InlineData("o=A,o=B", "o=A,O=B", true)]
    [InlineData("o=A+o=B", "o=A+O=B", true)]
    [InlineData("o=a", "O=A", false)]
    [InlineData("o=a,o=B", "o=A,O=B", false)]
    [InlineData("o=a+o=B", "o=A+O=B", false)]
    // Values of one relative name in any order, but all of them and no more.
    [InlineData("o=A+o=B", "O=B+o=A", true)]
    [InlineData("o=A+o=B", "O=B+o=A+O=B", false)]
    [InlineData("o=A+o=B", "O=B+o=A+O=C", false)]
    [InlineData("o=A+o=B+o=C", "O=B+o=A", false)]
    // Spaces around separators do not count; inside values they do.
    [InlineData("cn=John Doe, ou=People, dc=sun.com", "cn=John Doe, ou=People, dc=sun.com", true)]
    [InlineData("cn=John Doe, ou=People, dc=sun.com", "cn=John Doe,ou=People,dc=sun.com", true)]
    [InlineData("cn=John Doe, ou=People, dc=sun.com", "cn=John  Doe, ou=People, dc=sun.com", false)]
    public void DnEqual(string a, string b, bool equal)
    {
        LdapDn da = LdapDn.Parse(a), db = LdapDn.Parse(b);
        da.EqualTo(db).ShouldBe(equal);
        db.EqualTo(da).ShouldBe(equal);
    }

    [Theory, GoTest("internal/ldap/dn_test.go", "TestDNAncestor")]
    [InlineData("", "", false)]
    [InlineData("o=A", "o=A", false)]
    [InlineData("o=A,o=B", "o=A,o=B", false)]
    [InlineData("o=A+o=B", "o=A+o=B", false)]
    [InlineData("ou=C,ou=B,o=A", "ou=E,ou=D,ou=B,o=A", false)]
    [InlineData("ou=C,ou=B,o=A", "ou=E,ou=C,ou=B,o=A", true)]
    public void DnAncestor(string a, string b, bool ancestor) =>
        LdapDn.Parse(a).AncestorOf(LdapDn.Parse(b)).ShouldBe(ancestor);

    [Fact, GoTest("internal/ldap/dn_test.go", "TestDNReverseMatchDuplicates")]
    public void DnReverseMatchDuplicates() =>
        LdapDn.Parse("CN=Alice,CN=Alice,O=NATS").RdnsMatch(LdapDn.Parse("CN=Alice,O=NATS,OU=Users")).ShouldBeFalse();
}
