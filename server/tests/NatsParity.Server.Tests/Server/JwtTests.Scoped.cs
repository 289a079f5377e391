using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/jwt_test.go and server/auth_test.go for scoped signing keys: users signed by a scoped key
/// take the key's template, its {{...}} operations made concrete for each user.</summary>
public sealed partial class JwtTests
{
    /// <summary>A scoped user of the account <paramref name="accountPub"/> (Go's newJWTTestUserClaims + SetScoped(true)).</summary>
    private static UserClaims ScopedUser(string subject, string accountPub, string name = "myname", params string[] tags)
    {
        var uc = new UserClaims(subject) { Name = name, IssuerAccount = accountPub };
        uc.SetScoped(true);
        uc.Tags.AddRange(tags);
        return uc;
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTTemplates")]
    public void JwtTemplates()
    {
        string aPub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string upub = NKeyPair.Create(NKeys.PrefixUser).PublicKey;
        var uclaim = ScopedUser(upub, aPub, "myname", "foo:foo1", "foo:foo2", "bar:bar1", "bar:bar2", "bar:bar3");

        var lim = UserPermissionLimits.Zero();
        lim.Permissions.Pub.Allow.Add("{{tag(foo)}}.none.{{tag(bar)}}");
        lim.Permissions.Pub.Deny.Add("{{tag(foo)}}.{{account-tag(acc)}}");
        lim.Permissions.Sub.Allow.Add("{{tag(NOT_THERE)}}"); // not emitted
        lim.Permissions.Sub.Deny.Add("foo.{{name()}}.{{subject()}}.{{account-name()}}.{{account-subject()}}.bar");
        string[] accTags = ["acc:acc1", "acc:acc2"];

        var (res, err) = PermissionTemplates.Apply(lim, uclaim, "accname", accTags);
        err.ShouldBeNull();
        res!.Permissions.Pub.Allow.ShouldBe(["foo1.none.bar1", "foo1.none.bar2", "foo1.none.bar3",
            "foo2.none.bar1", "foo2.none.bar2", "foo2.none.bar3"], ignoreOrder: true);
        res.Permissions.Pub.Deny.ShouldBe(["foo1.acc1", "foo1.acc2", "foo2.acc1", "foo2.acc2"], ignoreOrder: true);
        res.Permissions.Sub.Allow.ShouldBeEmpty();
        res.Permissions.Sub.Deny.Count.ShouldBe(2);
        res.Permissions.Sub.Deny[0].ShouldContain($"foo.myname.{upub}.accname.{aPub}.bar");
        // Added because the allow list came out empty.
        res.Permissions.Sub.Deny[1].ShouldContain(">");

        lim.Permissions.Pub.Deny.Add("{{tag(NOT_THERE)}}");
        (_, err) = PermissionTemplates.Apply(lim, uclaim, "accname", accTags);
        err.ShouldNotBeNull();
        err.ShouldContain("generated invalid subject");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTInLineTemplates")]
    public void JwtInLineTemplates()
    {
        string aPub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        var uclaim = ScopedUser(NKeyPair.Create(NKeys.PrefixUser).PublicKey, aPub, "myname", "bucket:a");
        var lim = UserPermissionLimits.Zero();
        lim.Permissions.Pub.Allow.Add("$JS.API.STREAM.INFO.KV_{{tag(bucket)}}");

        var (res, err) = PermissionTemplates.Apply(lim, uclaim, "accname", ["acc:acc1", "acc:acc2"]);
        err.ShouldBeNull();
        res!.Permissions.Pub.Allow.ShouldBe(["$JS.API.STREAM.INFO.KV_a"]);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTTemplateGoodTagAfterBadTag")]
    public void JwtTemplateGoodTagAfterBadTag()
    {
        string aPub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        var uclaim = ScopedUser(NKeyPair.Create(NKeys.PrefixUser).PublicKey, aPub, "myname", "foo:foo1");
        var lim = UserPermissionLimits.Zero();
        lim.Permissions.Pub.Deny.Add("{{tag(NOT_THERE)}}.{{tag(foo)}}");

        var (_, err) = PermissionTemplates.Apply(lim, uclaim, "accname", ["acc:acc1", "acc:acc2"]);
        err.ShouldNotBeNull();
        err.ShouldContain("generated invalid subject");
    }

    [Fact, GoTest("server/auth_test.go", "TestProcessUserPermissionsTemplateMalformedOpDoesNotPanic")]
    public void ProcessUserPermissionsTemplateMalformedOpDoesNotPanic()
    {
        var lim = UserPermissionLimits.Zero();
        lim.Permissions.Sub.Deny = ["foo.{{x}}"];
        PermissionTemplates.Apply(lim, new UserClaims(""), "", []).Error.ShouldNotBeNull();
    }

    [Fact, GoTest("server/auth_test.go", "TestProcessUserPermissionsTemplateUnknownAllowOpDoesNotPanic")]
    public void ProcessUserPermissionsTemplateUnknownAllowOpDoesNotPanic()
    {
        var lim = UserPermissionLimits.Zero();
        lim.Permissions.Pub.Allow = ["foo.{{unknown()}}"];
        PermissionTemplates.Apply(lim, new UserClaims(""), "", []).Error.ShouldNotBeNull();
    }

    [Fact, GoTest("server/auth_test.go", "TestProcessUserPermissionsTemplateRejectsExcessiveTagExpansions")]
    public void ProcessUserPermissionsTemplateRejectsExcessiveTagExpansions()
    {
        var lim = UserPermissionLimits.Zero();
        lim.Permissions.Pub.Allow = ["foo.{{tag(a)}}.{{tag(b)}}"];
        var uc = new UserClaims("");
        for (int i = 0; i < 128; i++)
        {
            uc.Tags.Add($"a:v{i}");
            uc.Tags.Add($"b:v{i}");
        }
        // 128 x 128 subjects would exceed the limit.
        PermissionTemplates.Apply(lim, uc, "", []).Error.ShouldNotBeNull();
    }

    /// <summary>An account whose scoped signing key denies "denied", allows foo.{{name()}} and sets no limits, in a
    /// MEMORY resolver preloaded from the conf file.</summary>
    private static (NatsServer Server, string AccountPub, NKeyPair ScopedKey, UserScope Scope) LimitsTemplateServer()
    {
        var kp = NKeyPair.Create(NKeys.PrefixAccount);
        var claim = new AccountClaims(kp.PublicKey);
        var scopedKp = NKeyPair.Create(NKeys.PrefixAccount);
        var signer = new UserScope { Key = scopedKp.PublicKey };
        signer.Template.Permissions.Pub.Deny.Add("denied");
        signer.Template.Permissions.Pub.Allow.Add("foo.{{name()}}");
        signer.Template.Permissions.Sub.Allow.Add("foo.{{name()}}");
        claim.AddScopedSigner(signer);
        string ajwt = claim.Encode(Operator);
        string ojwt = new OperatorClaims(Operator.PublicKey).Encode(Operator);
        string conf = InProcess.WriteConf($"listen: 127.0.0.1:-1\noperator: {ojwt}\nresolver: MEM\nresolver_preload: {{\n  {kp.PublicKey}: {ajwt}\n}}\n");
        return (InProcess.Run(ServerOptions.FromConfigFile(conf)), kp.PublicKey, scopedKp, signer);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTLimitsTemplate")]
    public async Task JwtLimitsTemplate()
    {
        var (s, aPub, scopedKp, _) = LimitsTemplateServer();
        await using var _ = s;
        var ukp = NKeyPair.Create(NKeys.PrefixUser);

        // pass: the user's own subject, made from its name, may be used both ways.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send(JwtCreds.ConnectLine(c, scopedKp, ScopedUser(ukp.PublicKey, aPub), user: ukp));
            c.ExpectLine(ProtoRegex.Pong);
            c.SendAndReadMsg("SUB foo.myname 1\r\nPUB foo.myname 0\r\n\r\n", TimeSpan.FromSeconds(1)).Subject.ShouldBe("foo.myname");
        }
        // fail: another name's subject is refused.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send(JwtCreds.ConnectLine(c, scopedKp, ScopedUser(ukp.PublicKey, aPub), user: ukp));
            c.ExpectLine(ProtoRegex.Pong);
            c.Send("PUB foo.othername 0\r\n\r\n");
            c.ReadLine(TimeSpan.FromSeconds(2)).ShouldContain("Permissions Violation for Publish to \"foo.othername\"");
        }
    }

    /// <summary>A user signed by a scoped key must carry no permissions or limits of its own (jwt's
    /// ValidateScopedSigner); one that does is refused, as the "bad-scoped-signing-key" step of Go's
    /// TestJWTScopedSigningKeys.</summary>
    [Fact]
    public async Task ScopedSigningKeyRefusesUsersWithTheirOwnLimits()
    {
        var (s, aPub, scopedKp, _) = LimitsTemplateServer();
        await using var _ = s;
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        // Not scoped: the default user claims carry unlimited limits.
        c.Send(JwtCreds.ConnectLine(c, scopedKp, new UserClaims("") { Name = "myname", IssuerAccount = aPub }));
        c.ReadLine(TimeSpan.FromSeconds(2)).ShouldBe("-ERR 'Authorization Violation'\r\n");
    }

    /// <summary>The "scoped-signing-key-reload" step of Go's TestJWTScopedSigningKeys on one node: when the account's
    /// claims change a scoped key's template, the key's users are disconnected; reconnecting they get the new
    /// template.</summary>
    [Fact]
    public async Task ChangedScopeDisconnectsItsUsers()
    {
        var (s, aPub, scopedKp, signer) = LimitsTemplateServer();
        await using var _ = s;
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, scopedKp, ScopedUser(ukp.PublicKey, aPub), user: ukp));
        c.ExpectLine(ProtoRegex.Pong);
        var acc = s.LookupAccount(aPub)!;

        var updated = AccountClaims.Decode(acc.ClaimJwt);
        signer.Template.Permissions.Pub.Deny.Clear();
        signer.Template.Payload = 5;
        updated.AddScopedSigner(signer);
        s.UpdateAccountClaims(acc, updated, updated.Encode(Operator));
        c.ExpectClosed(TimeSpan.FromSeconds(2));

        using var again = ProtoClient.Connect("127.0.0.1", s.Port);
        again.Send(JwtCreds.ConnectLine(again, scopedKp, ScopedUser(ukp.PublicKey, aPub), user: ukp));
        again.ExpectLine(ProtoRegex.Pong);
        // The template's payload limit of 5 now applies.
        again.Send("PUB foo.myname 6\r\n123456\r\n");
        again.ReadLine(TimeSpan.FromSeconds(2)).ShouldContain("Maximum Payload Violation");
    }
}
