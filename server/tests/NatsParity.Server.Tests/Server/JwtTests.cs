using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/jwt_test.go: operator mode with trusted keys and a memory account resolver, users
/// authenticating with a user JWT and a signature of the server's nonce.</summary>
public sealed partial class JwtTests
{
    private static readonly NKeyPair Operator = JwtCreds.Operator;

    /// <summary>Go's opTrustBasicSetup: a server trusting the operator key (optionally with a memory resolver).</summary>
    private static NatsServer OpTrustBasicSetup(bool memResolver = false, string? trustedKey = null, int maxSubs = 0, int maxPayload = 0) =>
        InProcess.Run(new ServerOptions
        {
            MaxSubscriptions = maxSubs,
            MaxPayload = maxPayload > 0 ? maxPayload : 1024 * 1024,
            TrustedKeys = [trustedKey ?? Operator.PublicKey],
            AccountResolver = memResolver ? new MemoryAccountResolver() : null,
            // Go's tests make this server without starting it, so it has no system account.
            NoSystemAccount = true,
        });

    /// <summary>Go's createClient: a connection with a fresh user JWT signed by <paramref name="akp"/> and the CONNECT
    /// that signs this connection's nonce.</summary>
    private static (ProtoClient Client, string Connect) CreateClient(NatsServer s, NKeyPair akp, UserClaims? claims = null,
        string connectFields = "")
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        return (c, JwtCreds.ConnectLine(c, akp, claims, connectFields));
    }

    /// <summary>A user of <paramref name="akp"/> connected (its PONG read).</summary>
    private static ProtoClient Connected(NatsServer s, NKeyPair akp, UserClaims? claims = null)
    {
        var (c, cs) = CreateClient(s, akp, claims);
        c.Send(cs);
        c.ExpectLine(ProtoRegex.Pong);
        return c;
    }

    /// <summary>The server requires authentication, and a CONNECT without a JWT gets an error.</summary>
    private static void ExpectJwtRequired(NatsServer s)
    {
        using var probe = ProtoClient.Connect("127.0.0.1", s.Port);
        probe.Info!.Value.GetProperty("auth_required").GetBoolean().ShouldBeTrue();
        probe.Send("CONNECT {\"verbose\":true,\"pedantic\":true}\r\nPING\r\n");
        probe.ReadLine().ShouldStartWith("-ERR ");
    }

    /// <summary>Claims issued ten seconds ago that expired two seconds ago.</summary>
    private static T Expired<T>(T claims) where T : JwtClaims
    {
        claims.IssuedAt = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds();
        claims.Expires = DateTimeOffset.UtcNow.AddSeconds(-2).ToUnixTimeSeconds();
        return claims;
    }

    /// <summary>Go's setupJWTTestWithClaims: an account (its claims signed by the operator) in a memory resolver, a user
    /// of it connecting verbose and pedantic; the first line it gets starts with <paramref name="expected"/>.</summary>
    private static (NatsServer Server, NKeyPair Account, ProtoClient Client) SetupJwtTest(AccountClaims? nac, UserClaims? nuc, string expected)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        nac ??= new AccountClaims(akp.PublicKey);
        nac.Subject = akp.PublicKey;
        string ajwt = nac.Encode(Operator);
        var s = OpTrustBasicSetup(memResolver: true);
        s.AccountResolver!.Store(akp.PublicKey, ajwt);
        var (c, cs) = CreateClient(s, akp, nuc, ",\"verbose\":true,\"pedantic\":true");
        c.Send(cs);
        c.ReadLine(TimeSpan.FromSeconds(2)).ShouldStartWith(expected);
        return (s, akp, c);
    }

    /// <summary>The server's side of a connection, by the client id its INFO gave.</summary>
    private static NatsParity.Server.Clients.ClientConnection ServerSide(NatsServer s, ProtoClient c)
    {
        ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
        return s.Clients.Single(x => x.Cid == cid);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUser")]
    public async Task JwtUser()
    {
        await using var s = OpTrustBasicSetup();
        ExpectJwtRequired(s);

        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);

        // No account resolver yet: refused.
        var (c1, cs1) = CreateClient(s, akp);
        using (c1)
        {
            c1.Send(cs1);
            c1.ReadLine().ShouldStartWith("-ERR ");
        }

        // With a memory resolver that has the account.
        var resolver = new MemoryAccountResolver();
        s.SetAccountResolver(resolver);
        resolver.Store(akp.PublicKey, ajwt);
        var (c2, cs2) = CreateClient(s, akp);
        using (c2)
        {
            c2.Send(cs2);
            c2.ReadLine().ShouldStartWith("PONG");
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserBadTrusted")]
    public async Task JwtUserBadTrusted()
    {
        // Go swaps the server's trusted keys for a bad one; here the server trusts another operator than the one that
        // signed the account.
        await using var s = OpTrustBasicSetup(memResolver: true, trustedKey: NKeyPair.Create(NKeys.PrefixOperator).PublicKey);
        using (var probe = ProtoClient.Connect("127.0.0.1", s.Port))
            probe.Info!.Value.GetProperty("auth_required").GetBoolean().ShouldBeTrue();
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        s.AccountResolver!.Store(akp.PublicKey, new AccountClaims(akp.PublicKey).Encode(Operator));
        var (c, cs) = CreateClient(s, akp);
        using (c)
        {
            c.Send(cs);
            c.ReadLine().ShouldStartWith("-ERR ");
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserExpired")]
    public async Task JwtUserExpired()
    {
        var (s, _, c) = SetupJwtTest(null, Expired(new UserClaims("temp")), "-ERR ");
        c.Dispose();
        await s.DisposeAsync();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserExpiresAfterConnect")]
    public async Task JwtUserExpiresAfterConnect()
    {
        var now = DateTimeOffset.UtcNow;
        var nuc = new UserClaims("temp") { IssuedAt = now.ToUnixTimeSeconds(), Expires = now.ToUnixTimeSeconds() + 2 };
        var (s, _, c) = SetupJwtTest(null, nuc, "+OK");
        await using var _ = s;
        using var __ = c;
        c.ReadLine().ShouldStartWith("PONG");
        string l = c.ReadLine(TimeSpan.FromSeconds(5));
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("Expired");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserPermissionClaims")]
    public async Task JwtUserPermissionClaims()
    {
        var nuc = new UserClaims("temp");
        nuc.Permissions.Pub.Allow.AddRange(["foo", "bar"]);
        nuc.Permissions.Pub.Deny.Add("baz");
        nuc.Permissions.Sub.Allow.AddRange(["foo", "bar"]);
        nuc.Permissions.Sub.Deny.Add("baz");
        var (s, _, c) = SetupJwtTest(null, nuc, "+OK");
        await using var _ = s;
        using var __ = c;
        var perms = ServerSide(s, c).Permissions;
        perms.ShouldNotBeNull();
        perms.PubAllow!.Count.ShouldBe(2u);
        perms.PubDeny!.Count.ShouldBe(1u);
        perms.SubAllow!.Count.ShouldBe(2u);
        perms.SubDeny!.Count.ShouldBe(1u);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserResponsePermissionClaims")]
    public Task JwtUserResponsePermissionClaims() =>
        CheckResponsePermissions((22, TimeSpan.FromMilliseconds(100)), 22, TimeSpan.FromMilliseconds(100));

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserResponsePermissionClaimsDefaultValues")]
    public Task JwtUserResponsePermissionClaimsDefaultValues() =>
        CheckResponsePermissions((0, TimeSpan.Zero), ResponsePermission.DefaultMaxMsgs, ResponsePermission.DefaultExpires);

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserResponsePermissionClaimsNegativeValues")]
    public Task JwtUserResponsePermissionClaimsNegativeValues() =>
        CheckResponsePermissions((-1, TimeSpan.FromSeconds(-1)), -1, TimeSpan.FromSeconds(-1));

    /// <summary>Response permissions from the claims: publishing allows nothing else, and the values arrive as Go's
    /// buildInternalNkeyUser sets them.</summary>
    private static async Task CheckResponsePermissions((int, TimeSpan) resp, int wantMax, TimeSpan wantExpires)
    {
        var nuc = new UserClaims("temp");
        nuc.Permissions.Resp = resp;
        var (s, _, c) = SetupJwtTest(null, nuc, "+OK");
        await using var _ = s;
        using var __ = c;
        var perms = ServerSide(s, c).Permissions;
        perms.ShouldNotBeNull();
        perms.PubAllow.ShouldNotBeNull();
        perms.PubAllow.Count.ShouldBe(0u);
        perms.Response.ShouldNotBeNull();
        perms.Response.MaxMsgs.ShouldBe(wantMax);
        perms.Response.Expires.ShouldBe(wantExpires);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountExpired")]
    public async Task JwtAccountExpired()
    {
        var (s, _, c) = SetupJwtTest(Expired(new AccountClaims("temp")), null, "-ERR ");
        c.Dispose();
        await s.DisposeAsync();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountExpiresAfterConnect")]
    public async Task JwtAccountExpiresAfterConnect()
    {
        var now = DateTimeOffset.UtcNow;
        var nac = new AccountClaims("temp")
        {
            IssuedAt = now.AddSeconds(-10).ToUnixTimeSeconds(),
            Expires = DateTimeOffset.FromUnixTimeMilliseconds((now.ToUnixTimeMilliseconds() + 500) / 1000 * 1000).AddSeconds(1).ToUnixTimeSeconds(),
        };
        var (s, akp, c) = SetupJwtTest(nac, null, "+OK");
        await using var _ = s;
        using var __ = c;
        var acc = s.LookupOrFetchAccount(akp.PublicKey);
        acc.ShouldNotBeNull();
        c.ReadLine().ShouldStartWith("PONG");

        (await InProcess.WaitFor(() => acc.IsExpired, TimeSpan.FromSeconds(3), 100)).ShouldBeTrue("account not expired yet");
        string l = c.ReadLine(TimeSpan.FromSeconds(3));
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("Expired");

        // An expired account refuses new users.
        var (c2, cs2) = CreateClient(s, akp);
        using (c2)
        {
            c2.Send(cs2);
            c2.ReadLine().ShouldStartWith("-ERR ");
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountLimitsMaxPayload")]
    public async Task JwtAccountLimitsMaxPayload()
    {
        var fooAc = new AccountClaims("temp");
        fooAc.Limits.Payload = 8;
        var (s, fooKp, c0) = SetupJwtTest(fooAc, null, "+OK");
        await using var _ = s;
        using var __ = c0;
        using var c = Connected(s, fooKp);

        // The account and the client have the limit.
        s.LookupOrFetchAccount(fooKp.PublicKey)!.MaxPayload.ShouldBe(8);
        ServerSide(s, c).MaxPayload.ShouldBe(8);

        c.Send("PUB foo 4\r\nXXXX\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Pong);
        c.Send("PUB foo 10\r\nXXXXXXXXXX\r\nPING\r\n");
        string l = c.ReadLine();
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("Maximum Payload");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountLimitsMaxConns")]
    public async Task JwtAccountLimitsMaxConns()
    {
        var fooAc = new AccountClaims("temp");
        fooAc.Limits.Conn = 8;
        var (s, fooKp, c0) = SetupJwtTest(fooAc, null, "+OK");
        await using var _ = s;
        using var clients = new ProtoClients { c0 };
        ProtoClient NewClient(string expected)
        {
            var (c, cs) = CreateClient(s, fooKp);
            clients.Add(c);
            c.Send(cs);
            c.ReadLine().ShouldStartWith(expected);
            return c;
        }
        // The setup made one connection: seven more fit, the ninth does not.
        for (int i = 0; i < 7; i++) NewClient("PONG");
        NewClient("-ERR ");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTBearerToken")]
    public async Task JwtBearerToken()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        string ujwt = new UserClaims(ukp.PublicKey) { BearerToken = true }.Encode(akp);
        await using var s = OpTrustBasicSetup(memResolver: true);
        s.AccountResolver!.Store(akp.PublicKey, ajwt);
        // No nonce signature.
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send($"CONNECT {{\"jwt\":\"{ujwt}\",\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n");
        c.ReadLine().ShouldStartWith("+OK");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserRevoked")]
    public async Task JwtUserRevoked()
    {
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp.PublicKey);
        // Revoked right away (jwt's Revoke: at the current second).
        nac.Revocations[ukp.PublicKey] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string ajwt = nac.Encode(Operator);
        await using var s = OpTrustBasicSetup(memResolver: true);
        s.AccountResolver!.Store(akp.PublicKey, ajwt);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, akp, user: ukp));
        string l = c.ReadLine();
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("Authorization");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountLimitsSubs")]
    public async Task JwtAccountLimitsSubs()
    {
        var fooAc = new AccountClaims("temp");
        fooAc.Limits.Subs = 10;
        var (s, fooKp, c0) = SetupJwtTest(fooAc, null, "+OK");
        await using var _ = s;
        using var __ = c0;
        using var c = Connected(s, fooKp);

        // The account and the client have the limit.
        var fooAcc = s.LookupOrFetchAccount(fooKp.PublicKey)!;
        fooAcc.MaxSubscriptions.ShouldBe(10);
        ServerSide(s, c).MaxSubscriptions.ShouldBe(10);

        for (int i = 0; i < 10; i++)
        {
            c.Send($"SUB foo {i}\r\nPING\r\n");
            c.ExpectLine(ProtoRegex.Pong);
        }
        c.Send("SUB foo 22\r\n");
        string l = c.ReadLine();
        l.ShouldStartWith("-ERR");
        l.ShouldContain("maximum subscriptions exceeded");

        // Lower limits in new claims: the client over them is told.
        fooAc.Limits.Subs = 5;
        string fooJwt = fooAc.Encode(Operator);
        s.AccountResolver!.Store(fooKp.PublicKey, fooJwt);
        s.UpdateAccountClaims(fooAcc, fooAc);
        l = c.ReadLine();
        l.ShouldStartWith("-ERR");
        l.ShouldContain("maximum subscriptions exceeded");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountDefaultPermissionsUpdateRefreshesClients")]
    public async Task JwtAccountDefaultPermissionsUpdateRefreshesClients()
    {
        var nac = new AccountClaims("temp");
        nac.DefaultPermissions.Pub.Allow.Add("foo");
        nac.DefaultPermissions.Sub.Allow.Add("foo");
        var (s, _, c) = SetupJwtTest(nac, null, "+OK");
        await using var _ = s;
        using var __ = c;
        c.ReadLine().ShouldStartWith("PONG");
        var sc = ServerSide(s, c);
        var acc = sc.Account;
        sc.Permissions!.PubAllowed("foo").ShouldBeTrue();
        sc.Permissions.CanSubscribe("foo", null).ShouldBeTrue();

        c.Send("SUB foo 1\r\nPING\r\n");
        c.ReadLine().ShouldStartWith("+OK");
        c.ReadLine().ShouldStartWith("PONG");

        nac = new AccountClaims(acc.Name);
        nac.DefaultPermissions.Pub.Allow.Add("bar");
        nac.DefaultPermissions.Sub.Allow.Add("bar");
        string ajwt = nac.Encode(Operator);
        s.AccountResolver!.Store(acc.Name, ajwt);
        s.UpdateAccountClaims(acc, nac);

        // The client runs with the new defaults, and lost the subscription they refuse.
        sc.Permissions!.PubAllowed("foo").ShouldBeFalse();
        sc.Permissions.PubAllowed("bar").ShouldBeTrue();
        sc.Permissions.CanSubscribe("foo", null).ShouldBeFalse();
        sc.Permissions.CanSubscribe("bar", null).ShouldBeTrue();
        sc.SubscriptionSids().ShouldNotContain("1");
        c.ReadLine().ShouldContain("Permissions Violation for Subscription to \"foo\"");
        c.Send("PUB foo 0\r\n\r\n");
        c.ReadLine().ShouldContain("Permissions Violation for Publish to \"foo\"");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountDefaultPermissionsUpdateKeepsExplicitUserPermissions")]
    public async Task JwtAccountDefaultPermissionsUpdateKeepsExplicitUserPermissions()
    {
        var nac = new AccountClaims("temp");
        nac.DefaultPermissions.Pub.Allow.Add("foo");
        nac.DefaultPermissions.Sub.Allow.Add("foo");
        var nuc = new UserClaims("temp");
        nuc.Permissions.Pub.Allow.Add("baz");
        nuc.Permissions.Sub.Allow.Add("baz");
        var (s, _, c) = SetupJwtTest(nac, nuc, "+OK");
        await using var _ = s;
        using var __ = c;
        c.ReadLine().ShouldStartWith("PONG");
        var sc = ServerSide(s, c);
        var acc = sc.Account;
        sc.Permissions!.PubAllowed("baz").ShouldBeTrue();
        sc.Permissions.PubAllowed("foo").ShouldBeFalse();
        sc.Permissions.CanSubscribe("baz", null).ShouldBeTrue();
        sc.Permissions.CanSubscribe("foo", null).ShouldBeFalse();

        nac = new AccountClaims(acc.Name);
        nac.DefaultPermissions.Pub.Allow.Add("bar");
        nac.DefaultPermissions.Sub.Allow.Add("bar");
        s.AccountResolver!.Store(acc.Name, nac.Encode(Operator));
        s.UpdateAccountClaims(acc, nac);

        sc.Permissions!.PubAllowed("baz").ShouldBeTrue();
        sc.Permissions.PubAllowed("bar").ShouldBeFalse();
        sc.Permissions.CanSubscribe("baz", null).ShouldBeTrue();
        sc.Permissions.CanSubscribe("bar", null).ShouldBeFalse();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserRevokedOnAccountUpdate")]
    public async Task JwtUserRevokedOnAccountUpdate()
    {
        var nac = new AccountClaims("temp");
        var (s, akp, c) = SetupJwtTest(nac, null, "+OK");
        await using var _ = s;
        using var __ = c;
        c.ExpectLine(ProtoRegex.Pong);
        string pub = ServerSide(s, c).PublicKey;

        // Revoke the user and update the account as a system update would.
        nac.Revocations[pub] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string ajwt = nac.Encode(Operator);
        s.AccountResolver!.Store(akp.PublicKey, ajwt);
        var acc = s.LookupOrFetchAccount(akp.PublicKey)!;
        var update = Task.Run(() => s.UpdateAccountWithClaimJwt(acc, ajwt));

        string l = c.ReadLine(TimeSpan.FromSeconds(2));
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("Revoked");
        (await update).ShouldBeNull();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserSigningKey")]
    public async Task JwtUserSigningKey()
    {
        await using var s = OpTrustBasicSetup();
        ExpectJwtRequired(s);
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        // A signing key of the account.
        var askp = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp.PublicKey);
        string ajwt = nac.Encode(Operator);
        string Attempt()
        {
            var (c, cs) = CreateClient(s, askp, new UserClaims("temp") { IssuerAccount = akp.PublicKey });
            using (c)
            {
                c.Send(cs);
                return c.ReadLine();
            }
        }

        // No resolver yet.
        Attempt().ShouldStartWith("-ERR ");
        var resolver = new MemoryAccountResolver();
        s.SetAccountResolver(resolver);
        resolver.Store(akp.PublicKey, ajwt);
        // The signing key is not the account's yet.
        Attempt().ShouldStartWith("-ERR ");

        nac.SigningKeys.Add(askp.PublicKey);
        var acc = s.LookupOrFetchAccount(akp.PublicKey)!;
        s.UpdateAccountClaims(acc, nac);
        var (ok, okConnect) = CreateClient(s, askp, new UserClaims("temp") { IssuerAccount = akp.PublicKey });
        using var _ = ok;
        ok.Send(okConnect);
        ok.ReadLine().ShouldStartWith("PONG");
        var sc = ServerSide(s, ok);
        sc.IsClosed.ShouldBeFalse("expected client to be alive");

        // Removing the signing key bounces the client.
        nac.SigningKeys.Clear();
        s.UpdateAccountClaims(s.LookupOrFetchAccount(akp.PublicKey)!, nac);
        sc.IsClosed.ShouldBeTrue("expected client to be gone");
    }

    /// <summary>jwt.NewActivationClaims encoded by the exporter: <paramref name="importer"/> may import
    /// <paramref name="subject"/> of <paramref name="type"/>.</summary>
    private static string Activation(NKeyPair exporter, string importer, string subject, string type) =>
        new ActivationClaims(importer) { ImportSubject = subject, ImportType = type }.Encode(exporter);

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountBasicImportExport")]
    public async Task JwtAccountBasicImportExport()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var fooAc = new AccountClaims(fooKp.PublicKey);
        fooAc.Exports.AddRange(
        [
            new JwtExport { Subject = "foo", Type = "stream" },
            new JwtExport { Subject = "private", Type = "stream", TokenReq = true },
            new JwtExport { Subject = "req.echo", Type = "service", TokenReq = true },
            new JwtExport { Subject = "req.add", Type = "service", TokenReq = true },
        ]);
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        var foo = s.LookupOrFetchAccount(fooKp.PublicKey);
        foo.ShouldNotBeNull();

        // The exports came over.
        var exports = foo.ExportsSnapshot();
        exports.Count(e => !e.Service).ShouldBe(2);
        exports.Count(e => e.Service).ShouldBe(2);
        exports.ShouldContain(e => !e.Service && e.Subject == "foo");
        var se = exports.Single(e => e.Service && e.Subject == "req.echo");
        se.TokenRequired.ShouldBeTrue();

        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        string barPub = barKp.PublicKey;
        var barAc = new AccountClaims(barPub);
        barAc.Imports.AddRange(
        [
            new JwtImport { Account = fooKp.PublicKey, Subject = "foo", To = "import.foo", Type = "stream" },
            new JwtImport { Account = fooKp.PublicKey, Subject = "req.echo", Type = "service" },
        ]);
        s.AccountResolver.Store(barPub, barAc.Encode(Operator));
        var bar = s.LookupOrFetchAccount(barPub);
        bar.ShouldNotBeNull();
        int StreamImports() => bar.ImportsSnapshot().Count(i => !i.Service);
        int ServiceImports() => bar.ImportsSnapshot().Count(i => i.Service);
        StreamImports().ShouldBe(1);
        // The service import needs a token.
        ServiceImports().ShouldBe(0);

        void Update(params JwtImport[] imports)
        {
            barAc = new AccountClaims(barPub);
            barAc.Imports.AddRange(imports);
            s.AccountResolver.Store(barPub, barAc.Encode(Operator));
            s.UpdateAccountClaims(bar, barAc);
        }

        // A bad activation token.
        Update(new JwtImport { Account = fooKp.PublicKey, Subject = "req.echo", Token = "not a token", Type = "service" });
        ServiceImports().ShouldBe(0);

        // A good one.
        Update(new JwtImport
        {
            Account = fooKp.PublicKey, Subject = "req.echo", Type = "service",
            Token = Activation(fooKp, barPub, "req.echo", "service"),
        });
        ServiceImports().ShouldBe(1);

        // A private stream without a token.
        Update(new JwtImport { Account = fooKp.PublicKey, Subject = "private", To = "import.private", Type = "stream" });
        StreamImports().ShouldBe(0);

        // With one.
        Update(new JwtImport
        {
            Account = fooKp.PublicKey, Subject = "private", To = "import.private", Type = "stream",
            Token = Activation(fooKp, barPub, "private", "stream"),
        });
        StreamImports().ShouldBe(1);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountExportWithResponseType")]
    public async Task JwtAccountExportWithResponseType()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var fooAc = new AccountClaims(fooKp.PublicKey);
        fooAc.Exports.AddRange(
        [
            new JwtExport { Subject = "test.stream", Type = "service", ResponseType = "Stream" },
            new JwtExport { Subject = "test.single", Type = "service", ResponseType = "Singleton", TokenReq = true },
            new JwtExport { Subject = "test.chunk", Type = "service", ResponseType = "Chunked" },
            new JwtExport { Subject = "test.def", Type = "service", TokenReq = true },
            new JwtExport { Subject = "test.old", Type = "service" },
        ]);
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        var foo = s.LookupOrFetchAccount(fooKp.PublicKey);
        foo.ShouldNotBeNull();
        var services = foo.ExportsSnapshot().Where(e => e.Service).ToDictionary(e => e.Subject);
        services.Count.ShouldBe(5);
        (services["test.stream"].TokenRequired, services["test.stream"].ResponseType).ShouldBe((false, ServiceResponseType.Streamed));
        (services["test.chunk"].TokenRequired, services["test.chunk"].ResponseType).ShouldBe((false, ServiceResponseType.Chunked));
        (services["test.def"].TokenRequired, services["test.def"].ResponseType).ShouldBe((true, ServiceResponseType.Singleton));
        (services["test.single"].TokenRequired, services["test.single"].ResponseType).ShouldBe((true, ServiceResponseType.Singleton));
        services["test.old"].Approved.ShouldBeEmpty();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountImportExportUpdates")]
    public async Task JwtAccountImportExportUpdates()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        string fooPub = fooKp.PublicKey;
        var fooAc = new AccountClaims(fooPub);
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "stream" });
        s.AccountResolver!.Store(fooPub, fooAc.Encode(Operator));

        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        string barPub = barKp.PublicKey;
        var barAc = new AccountClaims(barPub);
        barAc.Imports.Add(new JwtImport { Account = fooPub, Subject = "foo", To = "import", Type = "stream" });
        s.AccountResolver.Store(barPub, barAc.Encode(Operator));

        using var c = Connected(s, barKp);
        c.SendAndFlush("SUB import.foo 1\r\n");
        var sc = ServerSide(s, c);
        void CheckShadow(int expected) => sc.ShadowCount("1").ShouldBe(expected);

        // The subscription on the import has a shadow in foo.
        CheckShadow(1);

        void Update(NKeyPair kp, AccountClaims ac)
        {
            s.AccountResolver.Store(kp.PublicKey, ac.Encode(Operator));
            s.UpdateAccountClaims(s.LookupOrFetchAccount(kp.PublicKey)!, ac);
        }

        // bar without the import: no shadow.
        barAc = new AccountClaims(barPub);
        Update(barKp, barAc);
        CheckShadow(0);

        // The import back: the shadow is back.
        barAc.Imports.Add(new JwtImport { Account = fooPub, Subject = "foo", To = "import", Type = "stream" });
        Update(barKp, barAc);
        CheckShadow(1);

        // foo without the export: gone.
        fooAc = new AccountClaims(fooPub);
        Update(fooKp, fooAc);
        CheckShadow(0);

        // The export needing a token bar does not have: still gone.
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "stream", TokenReq = true });
        Update(fooKp, fooAc);
        CheckShadow(0);

        // Public again: back.
        fooAc = new AccountClaims(fooPub);
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "stream" });
        Update(fooKp, fooAc);
        CheckShadow(1);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountServiceImportAuthSwitch")]
    public async Task JwtAccountServiceImportAuthSwitch()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        string fooPub = fooKp.PublicKey;
        var fooAc = new AccountClaims(fooPub);
        fooAc.Exports.Add(new JwtExport { Subject = "ngs.usage.*", Type = "service" });
        string fooJwt = fooAc.Encode(Operator);
        s.AccountResolver!.Store(fooPub, fooJwt);

        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        var barAc = new AccountClaims(barKp.PublicKey);
        barAc.Imports.Add(new JwtImport { Account = fooPub, Subject = "ngs.usage", To = "ngs.usage.DEREK", Type = "service" });
        s.AccountResolver.Store(barKp.PublicKey, barAc.Encode(Operator));

        // The requester in bar, the responder in foo.
        using var ca = Connected(s, barKp);
        using var cb = Connected(s, fooKp);
        cb.SendAndFlush("SUB ngs.usage.* 1\r\n");

        void Request() => ca.SendAndFlush("PUB ngs.usage 2\r\nhi\r\n");
        Request();
        cb.SendAndReadMsg("").Check("ngs.usage.DEREK", "1", "", 2, "hi");

        // The export made private: the request does not arrive.
        var fooPrivate = new AccountClaims(fooPub);
        fooPrivate.Exports.Add(new JwtExport { Subject = "ngs.usage.*", Type = "service", TokenReq = true });
        s.AccountResolver.Store(fooPub, fooPrivate.Encode(Operator));
        var acc = s.LookupOrFetchAccount(fooPub)!;
        s.UpdateAccountClaims(acc, fooPrivate);
        Request();
        cb.Flush();

        // Public again: it does.
        s.AccountResolver.Store(fooPub, fooJwt);
        s.UpdateAccountClaims(acc, fooAc);
        Request();
        cb.SendAndReadMsg("").Check("ngs.usage.DEREK", "1", "", 2, "hi");
    }

    /// <summary>TestJWTImportTokenRevokedAfter and Before: foo's token-required stream export revokes bar's activation
    /// (after or before bar's import was made), so bar has no stream import once both are looked up.</summary>
    private static async Task ImportTokenRevoked(bool storeBarFirst)
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var fooAc = new AccountClaims(fooKp.PublicKey);
        var export = new JwtExport { Subject = "foo.private", Type = "stream", TokenReq = true };
        fooAc.Exports.Add(export);
        if (storeBarFirst) s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));

        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        var barAc = new AccountClaims(barKp.PublicKey);
        string act = Activation(fooKp, barKp.PublicKey, "foo.private", "stream");
        barAc.Imports.Add(new JwtImport { Account = fooKp.PublicKey, Subject = "foo.private", Type = "stream", Token = act });
        if (storeBarFirst) s.AccountResolver!.Store(barKp.PublicKey, barAc.Encode(Operator));

        // jwt's Export.Revoke: the activation's subject, now.
        export.Revocations[ActivationClaims.Decode(act).Subject] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        if (!storeBarFirst) s.AccountResolver.Store(barKp.PublicKey, barAc.Encode(Operator));

        s.LookupOrFetchAccount(fooKp.PublicKey).ShouldNotBeNull();
        var bar = s.LookupOrFetchAccount(barKp.PublicKey);
        bar.ShouldNotBeNull();
        bar.ImportsSnapshot().Count(i => !i.Service).ShouldBe(0);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTImportTokenRevokedAfter")]
    public Task JwtImportTokenRevokedAfter() => ImportTokenRevoked(storeBarFirst: true);

    [Fact, GoTest("server/jwt_test.go", "TestJWTImportTokenRevokedBefore")]
    public Task JwtImportTokenRevokedBefore() => ImportTokenRevoked(storeBarFirst: false);

    [Fact, GoTest("server/jwt_test.go", "TestJWTCircularAccountServiceImport")]
    public async Task JwtCircularAccountServiceImport()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        // Each exports a token-required service and imports the other's (without a token).
        var fooAc = new AccountClaims(fooKp.PublicKey);
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "service", TokenReq = true });
        fooAc.Imports.Add(new JwtImport { Account = barKp.PublicKey, Subject = "bar", Type = "service" });
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        var barAc = new AccountClaims(barKp.PublicKey);
        barAc.Exports.Add(new JwtExport { Subject = "bar", Type = "service", TokenReq = true });
        barAc.Imports.Add(new JwtImport { Account = fooKp.PublicKey, Subject = "foo", Type = "service" });
        s.AccountResolver.Store(barKp.PublicKey, barAc.Encode(Operator));

        using var c = Connected(s, fooKp);
        c.SendAndFlush("SUB foo 1\r\n");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountRenew")]
    public async Task JwtAccountRenew()
    {
        // An expired account refuses its users.
        var nac = Expired(new AccountClaims("temp"));
        var (s, akp, c0) = SetupJwtTest(nac, null, "-ERR ");
        await using var _ = s;
        using var __ = c0;

        // Renewed claims.
        nac.IssuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        nac.Expires = DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeSeconds();
        s.AccountResolver!.Store(akp.PublicKey, nac.Encode(Operator));
        var acc = s.LookupOrFetchAccount(akp.PublicKey);
        acc.ShouldNotBeNull();
        s.UpdateAccountClaims(acc, nac);

        var (c, cs) = CreateClient(s, akp);
        using var ___ = c;
        c.Send(cs);
        c.ReadLine().ShouldStartWith("PONG");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountRenewFromResolver")]
    public async Task JwtAccountRenewFromResolver()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp.PublicKey)
        {
            IssuedAt = DateTimeOffset.UtcNow.AddSeconds(-10).ToUnixTimeSeconds(),
            Expires = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds(),
        };
        s.AccountResolver!.Store(akp.PublicKey, nac.Encode(Operator));
        // Loaded, with its expiry timer running.
        s.LookupOrFetchAccount(akp.PublicKey).ShouldNotBeNull();

        var (c, cs) = CreateClient(s, akp);
        using (c)
        {
            await Task.Delay(1250);
            c.Send(cs);
            c.ReadLine().ShouldStartWith("-ERR ");
        }

        // Renewed in the resolver only: the next connection finds it there.
        nac.IssuedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        nac.Expires = DateTimeOffset.UtcNow.AddSeconds(5).ToUnixTimeSeconds();
        s.AccountResolver.Store(akp.PublicKey, nac.Encode(Operator));
        var (c2, cs2) = CreateClient(s, akp);
        using var _ = c2;
        c2.Send(cs2);
        c2.ReadLine().ShouldStartWith("PONG");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountLimitsSubsButServerOverrides")]
    public async Task JwtAccountLimitsSubsButServerOverrides()
    {
        // The server's own limit of 2 (Go sets it on the running server's options).
        await using var s = OpTrustBasicSetup(memResolver: true, maxSubs: 2);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var fooAc = new AccountClaims(fooKp.PublicKey);
        fooAc.Limits.Subs = 10;
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        s.LookupOrFetchAccount(fooKp.PublicKey)!.MaxSubscriptions.ShouldBe(10);

        using var c = Connected(s, fooKp);
        c.Send("SUB foo 1\r\nSUB bar 2\r\nSUB baz 3\r\nPING\r\n");
        string l = c.ReadLine();
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("maximum subscriptions exceeded");
        c.ReadLine();
    }

    /// <summary>A bearer user JWT naming <paramref name="issuerAccount"/>, signed by the account, connecting verbose
    /// without a signature; the first line it gets starts with <paramref name="expected"/>.</summary>
    private static async Task BearerWithIssuer(Func<NKeyPair, string> issuerAccount, string expected)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        string ujwt = new UserClaims(ukp.PublicKey) { IssuerAccount = issuerAccount(akp), BearerToken = true }.Encode(akp);
        await using var s = OpTrustBasicSetup(memResolver: true);
        s.AccountResolver!.Store(akp.PublicKey, ajwt);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send($"CONNECT {{\"jwt\":\"{ujwt}\",\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n");
        c.ReadLine().ShouldStartWith(expected);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTBearerWithIssuerSameAsAccountToken")]
    public Task JwtBearerWithIssuerSameAsAccountToken() => BearerWithIssuer(akp => akp.PublicKey, "+OK");

    [Fact, GoTest("server/jwt_test.go", "TestJWTBearerWithBadIssuerToken")]
    public Task JwtBearerWithBadIssuerToken() => BearerWithIssuer(_ => NKeyPair.Create(NKeys.PrefixAccount).PublicKey, "-ERR");

    [Theory, GoTest("server/jwt_test.go", "TestJWTNoOperatorMode")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task JwtNoOperatorMode(bool login)
    {
        // A server without operators ignores the JWT a client sends.
        await using var s = InProcess.Run(new ServerOptions
        {
            Users = login ? [new User { Username = "u", Password = "pwd" }] : null,
        });
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        string creds = login ? ",\"user\":\"u\",\"pass\":\"pwd\"" : "";
        c.Send(JwtCreds.ConnectLine(c, akp, new UserClaims("") { Expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() }, creds));
        c.ExpectLine(ProtoRegex.Pong);
        s.Clients.Count.ShouldBe(1);
        s.Clients.Single().Options.Jwt.ShouldBeNullOrEmpty();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountImportWrongIssuerAccount")]
    public async Task JwtAccountImportWrongIssuerAccount()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        // The exporter and its signing key; the importer.
        var srvKp = NKeyPair.Create(NKeys.PrefixAccount);
        var srvSignerKp = NKeyPair.Create(NKeys.PrefixAccount);
        var clientKp = NKeyPair.Create(NKeys.PrefixAccount);
        var srvAc = new AccountClaims(srvKp.PublicKey);
        srvAc.SigningKeys.Add(srvSignerKp.PublicKey);
        srvAc.Exports.Add(new JwtExport { Subject = "foo", Type = "service", TokenReq = true });
        srvAc.Exports.Add(new JwtExport { Subject = "bar", Type = "stream", TokenReq = true });
        s.AccountResolver!.Store(srvKp.PublicKey, srvAc.Encode(Operator));

        // Activations signed by the exporter's signing key but naming the importer as their account: wrong.
        string Token(string subject, string type) => new ActivationClaims(clientKp.PublicKey)
        {
            IssuerAccount = clientKp.PublicKey, ImportType = type, ImportSubject = subject,
        }.Encode(srvSignerKp);
        var clientAc = new AccountClaims(clientKp.PublicKey);
        clientAc.Imports.Add(new JwtImport { Account = srvKp.PublicKey, Subject = "foo", Type = "service", Token = Token("foo", "service") });
        clientAc.Imports.Add(new JwtImport { Account = srvKp.PublicKey, Subject = "bar", Type = "stream", Token = Token("bar", "stream") });
        s.AccountResolver.Store(clientKp.PublicKey, clientAc.Encode(Operator));

        var (c, cs) = CreateClient(s, clientKp);
        using var _ = c;
        c.Send(cs);
        c.ReadLine().ShouldContain("-ERR 'Authorization Violation'");
    }

    [Theory, GoTest("server/jwt_test.go", "TestJWTQueuePermissions")]
    [InlineData("allow", "queue.dev", false)]
    [InlineData("allow", "", true)]
    [InlineData("allow", "bad", true)]
    [InlineData("deny", "", false)]
    [InlineData("deny", "queue.dev", true)]
    public async Task JwtQueuePermissions(string permType, string queue, bool errExpected)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        await using var s = RunOperatorConf([(akp.PublicKey, ajwt)]);

        // A user allowed (or denied) subscriptions on foo.> in queues matching *.dev.
        var uc = new UserClaims("temp");
        if (permType == "allow") uc.Permissions.Sub.Allow.Add("foo.> *.dev");
        else uc.Permissions.Sub.Deny.Add("foo.> *.dev");
        var (c, cs) = CreateClient(s, akp, uc);
        using var _ = c;
        c.Send(cs);
        c.ExpectLine(ProtoRegex.Pong);
        c.Send(queue.Length == 0 ? "SUB foo.bar 1\r\nPING\r\n" : $"SUB foo.bar {queue} 1\r\nPING\r\n");
        string l = c.ReadLine();
        if (errExpected) l.ShouldContain("Permissions Violation for Subscription to \"foo.bar\"");
        else l.ShouldStartWith("PONG");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountLimitsMaxPayloadButServerOverrides")]
    public async Task JwtAccountLimitsMaxPayloadButServerOverrides()
    {
        // The server's own limit of 4 (Go sets it on the running server's options).
        await using var s = OpTrustBasicSetup(memResolver: true, maxPayload: 4);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var fooAc = new AccountClaims(fooKp.PublicKey);
        fooAc.Limits.Payload = 8;
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        using var c = Connected(s, fooKp);
        c.Send("PUB foo 6\r\nXXXXXX\r\nPING\r\n");
        string l = c.ReadLine();
        l.ShouldStartWith("-ERR ");
        l.ShouldContain("Maximum Payload");
    }

    public static TheoryData<string, int, string[], bool, int> TimesAt => new()
    {
        { "inside window", 14 * 3600 + 30 * 60, ["09:00:00-17:00:00"], true, 2 * 3600 + 30 * 60 },
        { "before window", 8 * 3600, ["09:00:00-17:00:00"], false, 0 },
        { "after window", 18 * 3600, ["09:00:00-17:00:00"], false, 0 },
        { "cross midnight inside window before midnight", 23 * 3600 + 30 * 60, ["22:00:00-06:00:00"], true, 6 * 3600 + 30 * 60 },
        { "cross midnight inside window after midnight", 5 * 3600, ["22:00:00-06:00:00"], true, 3600 },
        { "cross midnight before window", 21 * 3600, ["22:00:00-06:00:00"], false, 0 },
        { "cross midnight after window", 7 * 3600, ["22:00:00-06:00:00"], false, 0 },
        { "overlap after midnight", 3600, ["22:00:00-06:00:00", "00:00:00-08:00:00"], true, 7 * 3600 },
        { "overlap after midnight reversed order", 3600, ["00:00:00-08:00:00", "22:00:00-06:00:00"], true, 7 * 3600 },
    };

    [Theory, MemberData(nameof(TimesAt)), GoTest("server/jwt_test.go", "TestJWTValidateTimesAt")]
    public void JwtValidateTimesAt(string name, int nowSeconds, string[] ranges, bool allowed, int remainingSeconds)
    {
        var today = DateTime.UtcNow.Date;
        var now = new DateTimeOffset(today.AddSeconds(nowSeconds), TimeSpan.Zero);
        var claims = new UserClaims("temp") { Locale = "UTC", Times = ranges.Select(r => (r[..8], r[9..])).ToList() };
        var (ok, remaining) = NatsServer.ValidateTimes(claims, now);
        ok.ShouldBe(allowed, name);
        remaining.ShouldBe(TimeSpan.FromSeconds(remainingSeconds), name);
    }
}
