using System.Text;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Differential;

/// <summary>Operator mode from a conf file (operator JWT, MEMORY resolver with preloaded accounts, system account)
/// run the same on ours and the Go reference: who may connect and what the user's claims allow.</summary>
public sealed class OperatorModeTests
{
    private sealed record Setup(NKeyPair Operator, NKeyPair Account, NKeyPair SysAccount, ServerConfig Config);

    private static Setup OperatorConf(Action<AccountClaims>? account = null)
    {
        var op = NKeyPair.Create(NKeys.PrefixOperator);
        var acc = NKeyPair.Create(NKeys.PrefixAccount);
        var sys = NKeyPair.Create(NKeys.PrefixAccount);
        var oc = new OperatorClaims(op.PublicKey) { Name = "OP", SystemAccount = sys.PublicKey };
        string ojwt = oc.Encode(op);
        var ac = new AccountClaims(acc.PublicKey) { Name = "A" };
        account?.Invoke(ac);
        string ajwt = ac.Encode(op);
        string sjwt = new AccountClaims(sys.PublicKey) { Name = "SYS" }.Encode(op);
        return new Setup(op, acc, sys, new ServerConfig
        {
            Extra = $"""
                operator: {ojwt}
                system_account: {sys.PublicKey}
                resolver: MEMORY
                resolver_preload: {"{"}
                  {acc.PublicKey}: {ajwt}
                  {sys.PublicKey}: {sjwt}
                {"}"}
                """,
        });
    }

    /// <summary>A connection whose CONNECT carries a user JWT signed by <paramref name="account"/> and the signed nonce.</summary>
    private static ProtoClient Connect(NatsServerProcess server, NKeyPair account, Action<UserClaims>? user = null, bool signNonce = true)
    {
        var uc = new UserClaims("");
        user?.Invoke(uc);
        var c = ProtoClient.Connect(server);
        c.Send(JwtCreds.ConnectLine(c, account, uc, signNonce: signNonce));
        return c;
    }

    [Theory, TargetData]
    public void UsersOfTrustedAccountsConnect(ServerTarget target)
    {
        var setup = OperatorConf();
        using var server = NatsServerProcess.Start(target, setup.Config);
        using var c = Connect(server, setup.Account);
        c.ExpectLine(ProtoRegex.Pong);
        c.Info!.Value.GetProperty("auth_required").GetBoolean().ShouldBeTrue();
        // Messages flow within the account.
        c.SendAndReadMsg("SUB foo 1\r\nPUB foo 2\r\nhi\r\n").Check("foo", "1", "", 2, "hi");
    }

    [Theory, TargetData]
    public void WithoutAValidJwtOrSignatureTheConnectionIsRefused(ServerTarget target)
    {
        var setup = OperatorConf();
        using var server = NatsServerProcess.Start(target, setup.Config);
        void Refused(ProtoClient c)
        {
            c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
            c.ExpectClosed();
        }
        // No JWT at all.
        using (var none = ProtoClient.Connect(server))
        {
            none.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            Refused(none);
        }
        // The nonce signed by another key.
        using (var badSig = Connect(server, setup.Account, signNonce: false)) Refused(badSig);
        // A user of an account the resolver does not know.
        using (var unknown = Connect(server, NKeyPair.Create(NKeys.PrefixAccount))) Refused(unknown);
        // An expired user.
        using (var expired = Connect(server, setup.Account, u =>
               {
                   u.IssuedAt = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds();
                   u.Expires = DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeSeconds();
               })) Refused(expired);
    }

    [Theory, TargetData]
    public void UserClaimsPermissionsApply(ServerTarget target)
    {
        var setup = OperatorConf();
        using var server = NatsServerProcess.Start(target, setup.Config);
        using var c = Connect(server, setup.Account, u =>
        {
            u.Permissions.Pub.Allow.Add("foo");
            u.Permissions.Sub.Deny.Add("bar");
        });
        c.ExpectLine(ProtoRegex.Pong);
        c.Send("PUB baz 2\r\nhi\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Publish to \"baz\"'");
        c.Send("SUB bar 1\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Subscription to \"bar\"'");
        c.SendAndReadMsg("SUB foo 2\r\nPUB foo 2\r\nok\r\n").Check("foo", "2", "", 2, "ok");
    }

    /// <summary>A scoped signing key: its users carry nothing of their own and take its template, {{name()}} made from
    /// the user's name and its payload limit applied; a user with its own limits signed by it is refused.</summary>
    [Theory, TargetData]
    public void ScopedSigningKeyTemplatesApply(ServerTarget target)
    {
        var scoped = NKeyPair.Create(NKeys.PrefixAccount);
        var setup = OperatorConf(a =>
        {
            var scope = new UserScope { Key = scoped.PublicKey, Role = "dev" };
            scope.Template.Permissions.Pub.Allow.Add("foo.{{name()}}");
            scope.Template.Permissions.Sub.Allow.Add("foo.{{name()}}");
            scope.Template.Payload = 5;
            a.AddScopedSigner(scope);
        });
        using var server = NatsServerProcess.Start(target, setup.Config);
        string accountPub = setup.Account.PublicKey;
        using (var own = ProtoClient.Connect(server))
        {
            own.Send(JwtCreds.ConnectLine(own, scoped, new UserClaims("") { Name = "me", IssuerAccount = accountPub }));
            own.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
            own.ExpectClosed();
        }
        var uc = new UserClaims("") { Name = "me", IssuerAccount = accountPub };
        uc.SetScoped(true);
        using var c = ProtoClient.Connect(server);
        c.Send(JwtCreds.ConnectLine(c, scoped, uc));
        c.ExpectLine(ProtoRegex.Pong);
        c.SendAndReadMsg("SUB foo.me 1\r\nPUB foo.me 2\r\nok\r\n").Check("foo.me", "1", "", 2, "ok");
        c.Send("PUB foo.you 2\r\nhi\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Publish to \"foo.you\"'");
        c.Send("SUB foo.you 2\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Subscription to \"foo.you\"'");
        c.Send("PUB foo.me 6\r\n123456\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Maximum Payload Violation'");
        c.ExpectClosed();
    }

    /// <summary>Subject mappings in the account JWT apply to its users' publishes.</summary>
    [Theory, TargetData]
    public void AccountClaimsMappingsApply(ServerTarget target)
    {
        var setup = OperatorConf(a =>
        {
            a.AddMapping("foo1", new JwtWeightedMapping("bar1"));
            a.AddMapping("req.*", new JwtWeightedMapping("svc.{{wildcard(1)}}", 100));
        });
        using var server = NatsServerProcess.Start(target, setup.Config);
        using var c = Connect(server, setup.Account);
        c.ExpectLine(ProtoRegex.Pong);
        c.SendAndReadMsg("SUB bar1 1\r\nPUB foo1 2\r\nhi\r\n").Check("bar1", "1", "", 2, "hi");
        c.SendAndReadMsg("SUB svc.* 2\r\nPUB req.a 2\r\nok\r\n").Check("svc.a", "2", "", 2, "ok");
    }

    [Theory, TargetData]
    public void AccountClaimsLimitConnectionsAndPayload(ServerTarget target)
    {
        var setup = OperatorConf(a =>
        {
            a.Limits.Conn = 1;
            a.Limits.Payload = 8;
        });
        using var server = NatsServerProcess.Start(target, setup.Config);
        using var first = Connect(server, setup.Account);
        first.ExpectLine(ProtoRegex.Pong);
        first.Info!.Value.GetProperty("max_payload").GetInt32().ShouldBeGreaterThan(8);

        using (var second = Connect(server, setup.Account))
        {
            second.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'maximum account active connections exceeded'");
            second.ExpectClosed();
        }

        first.Send("PUB foo 10\r\n0123456789\r\n");
        first.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Maximum Payload Violation'");
        first.ExpectClosed();
    }

    [Theory, TargetData]
    public void JwtExportsAndImportsConnectAccounts(ServerTarget target)
    {
        var op = NKeyPair.Create(NKeys.PrefixOperator);
        var a = NKeyPair.Create(NKeys.PrefixAccount);
        var b = NKeyPair.Create(NKeys.PrefixAccount);
        var sys = NKeyPair.Create(NKeys.PrefixAccount);
        var ac = new AccountClaims(a.PublicKey) { Name = "A" };
        ac.Exports.Add(new JwtExport { Subject = "svc.echo", Type = "service", TokenReq = true });
        ac.Exports.Add(new JwtExport { Subject = "news", Type = "stream" });
        var bc = new AccountClaims(b.PublicKey) { Name = "B" };
        bc.Imports.Add(new JwtImport
        {
            Account = a.PublicKey, Subject = "svc.echo", Type = "service",
            Token = new ActivationClaims(b.PublicKey) { ImportSubject = "svc.echo", ImportType = "service" }.Encode(a),
        });
        bc.Imports.Add(new JwtImport { Account = a.PublicKey, Subject = "news", LocalSubject = "a.news", Type = "stream" });
        string ojwt = new OperatorClaims(op.PublicKey) { Name = "OP", SystemAccount = sys.PublicKey }.Encode(op);
        var config = new ServerConfig
        {
            Extra = $"""
                operator: {ojwt}
                system_account: {sys.PublicKey}
                resolver: MEMORY
                resolver_preload: {"{"}
                  {a.PublicKey}: {ac.Encode(op)}
                  {b.PublicKey}: {bc.Encode(op)}
                  {sys.PublicKey}: {new AccountClaims(sys.PublicKey).Encode(op)}
                {"}"}
                """,
        };
        using var server = NatsServerProcess.Start(target, config);
        using var svc = Connect(server, a);
        svc.ExpectLine(ProtoRegex.Pong);
        svc.SendAndFlush("SUB svc.echo 1\r\n");
        using var client = Connect(server, b);
        client.ExpectLine(ProtoRegex.Pong);
        client.SendAndFlush("SUB _INBOX.b 1\r\nSUB a.news 2\r\n");

        // The request crosses with a token-checked service import, the reply comes back.
        client.Send("PUB svc.echo _INBOX.b 2\r\nhi\r\n");
        var req = svc.ReadMsg(TimeSpan.FromSeconds(2));
        req.Subject.ShouldBe("svc.echo");
        req.Reply!.ShouldStartWith("_R_.");
        svc.Send($"PUB {req.Reply} 3\r\nhey\r\n");
        client.ReadMsg(TimeSpan.FromSeconds(2)).Check("_INBOX.b", "1", "", 3, "hey");

        // The public stream arrives under its local subject.
        svc.SendAndFlush("PUB news 4\r\nnews\r\n");
        client.ReadMsg(TimeSpan.FromSeconds(2)).Check("a.news", "2", "", 4, "news");
    }
}
