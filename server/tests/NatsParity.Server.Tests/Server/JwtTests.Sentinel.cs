using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Port of TestDefaultSentinelUser: clients without credentials use the default sentinel user JWT, which
/// must be a bearer token or a scoped user whose signing key's template makes it one.</summary>
public sealed partial class JwtTests
{
    [Fact, GoTest("server/jwt_test.go", "TestDefaultSentinelUser")]
    public async Task DefaultSentinelUser()
    {
        var preload = new Dictionary<string, string>(StringComparer.Ordinal);
        var (_, sysPub, sysAc) = NewJwtAccountClaim("SYS");
        preload[sysPub] = sysAc.Encode(Operator);

        var (aKp, aPub, aAc) = NewJwtAccountClaim("A");
        var aScopedKp = NKeyPair.Create(NKeys.PrefixAccount);
        var sentinelScope = new UserScope { Key = aScopedKp.PublicKey, Role = "sentinel", Description = "Sentinel Role" };
        sentinelScope.Template = UserPermissionLimits.Zero();
        sentinelScope.Template.BearerToken = true;
        sentinelScope.Template.Permissions.Pub.Deny.Add(">");
        sentinelScope.Template.Permissions.Sub.Deny.Add(">");
        aAc.AddScopedSigner(sentinelScope);
        preload[aPub] = aAc.Encode(Operator);
        string preloadConfig = JsonSerializer.Serialize(preload, new JsonSerializerOptions { WriteIndented = true });

        string Conf(string sentinel = "") =>
            $"listen: 127.0.0.1:-1\noperator: {OperatorJwt}\nsystem_account: {sysPub}\nresolver: MEM\nresolver_preload: {preloadConfig}\n"
            + (sentinel.Length > 0 ? $"default_sentinel: {sentinel}\n" : "");

        // Without a sentinel, a client without credentials is refused.
        await using (var ns = InProcess.RunConf(Conf()))
        {
            using var c = ProtoClient.Connect("127.0.0.1", ns.Port);
            c.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            c.ReadLine().ShouldBe("-ERR 'Authorization Violation'\r\n");
        }

        // A sentinel that is not a bearer token is refused when the server is made.
        var uKp = NKeyPair.Create(NKeys.PrefixUser);
        var uc = new UserClaims(uKp.PublicKey) { Name = "sentinel", BearerToken = false };
        var opts = ServerOptions.FromConfigFile(InProcess.WriteConf(Conf(uc.Encode(aKp))));
        opts.NoLog = true;
        Should.Throw<ArgumentException>(() => new NatsServer(opts)).Message.ShouldStartWith("default sentinel must be a bearer token");

        // A bearer sentinel: clients without credentials are that user.
        uc.BearerToken = true;
        await using (var ns = InProcess.RunConf(Conf(uc.Encode(aKp))))
        {
            using var nc = ProtoClient.Connect("127.0.0.1", ns.Port);
            nc.Send("CONNECT {\"verbose\":false,\"headers\":true}\r\nPING\r\n");
            nc.ExpectLine(ProtoRegex.Pong);
            var r = InboxRequest(nc, "$SYS.REQ.USER.INFO", timeout: TimeSpan.FromSeconds(5));
            using var doc = JsonDocument.Parse(r.Payload);
            doc.RootElement.GetProperty("data").GetProperty("user").GetString().ShouldBe(uKp.PublicKey);
        }

        // A scoped user as sentinel: its signing key's template makes it a bearer token.
        var scoped = new UserClaims(uKp.PublicKey) { IssuerAccount = aPub };
        scoped.UserPermissionLimits = UserPermissionLimits.Zero();
        await using (var ns = InProcess.RunConf(Conf(scoped.Encode(aScopedKp))))
        {
            using var nc = ProtoClient.Connect("127.0.0.1", ns.Port);
            nc.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            nc.ExpectLine(ProtoRegex.Pong);
        }
    }
}

/// <summary>Port of TestJWTUserLimitsOverflowInt32SubPub: limits beyond 32 bits are clamped, not wrapped negative.</summary>
public sealed partial class JwtTests
{
    [Fact, GoTest("server/jwt_test.go", "TestJWTUserLimitsOverflowInt32SubPub")]
    public async Task JwtUserLimitsOverflowInt32SubPub()
    {
        // Subs: subscriptions still allowed.
        {
            var (s, _, c) = SetupJwtTest(null, new UserClaims("") { Subs = (long)int.MaxValue + 1 }, "+OK");
            await using var _ = s;
            using var __ = c;
            c.ExpectLine(ProtoRegex.Pong);
            c.Send("SUB foo 1\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
        }
        // Payload: publishes still allowed.
        {
            var (s, _, c) = SetupJwtTest(null, new UserClaims("") { Payload = (long)int.MaxValue + 1 }, "+OK");
            await using var _ = s;
            using var __ = c;
            c.ExpectLine(ProtoRegex.Pong);
            c.Send("PUB baz 5\r\nhello\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
        }
        // ScopedSigningKey: the scope's template limits are clamped too.
        {
            var akp = NKeyPair.Create(NKeys.PrefixAccount);
            var nac = new AccountClaims(akp.PublicKey);
            var skp = NKeyPair.Create(NKeys.PrefixAccount);
            var scope = new UserScope { Key = skp.PublicKey };
            scope.Template.Subs = (long)int.MaxValue + 1;
            scope.Template.Payload = (long)int.MaxValue + 1;
            nac.AddScopedSigner(scope);
            await using var s = OpTrustBasicSetup(memResolver: true);
            s.AccountResolver!.Store(akp.PublicKey, nac.Encode(Operator));
            var nuc = new UserClaims("") { IssuerAccount = akp.PublicKey };
            nuc.SetScoped(true);
            var (c, cs) = CreateClient(s, skp, nuc, ",\"verbose\":true,\"pedantic\":true");
            using var _ = c;
            c.Send(cs);
            c.ReadLine().ShouldStartWith("+OK");
            c.ExpectLine(ProtoRegex.Pong);
            c.Send("SUB foo 1\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
            c.ExpectLine(ProtoRegex.Pong);
            c.Send("PUB baz 5\r\nhello\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
        }
    }
}
