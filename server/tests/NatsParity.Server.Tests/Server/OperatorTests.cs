using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of test/operator_test.go for one server: an operator JWT (with three signing keys, as Go's
/// test/configs/nkeys/op.jwt) from a file or inline, and accounts signed by it, by a signing key or by another
/// operator.</summary>
public sealed class OperatorTests : IDisposable
{
    private static readonly NKeyPair Operator = JwtCreds.Operator;
    // Go's skSeed: one of the operator's signing keys.
    private static readonly NKeyPair SigningKey = NKeyPair.Create(NKeys.PrefixOperator);
    private static readonly string[] SigningKeys = [SigningKey.PublicKey, NKeyPair.Create(NKeys.PrefixOperator).PublicKey, NKeyPair.Create(NKeys.PrefixOperator).PublicKey];
    private static readonly string OperatorJwt = new OperatorClaims(Operator.PublicKey) { Name = "Synadia Communications Inc.", SigningKeys = [.. SigningKeys] }.Encode(Operator);

    private readonly string _dir = Directory.CreateTempSubdirectory("natsparity-op-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, true); } catch (IOException) { }
    }

    /// <summary>test/configs/nkeys/op.jwt: the operator's JWT in a file; its path.</summary>
    private string OperatorJwtFile()
    {
        string op = Path.Combine(_dir, "op.jwt");
        File.WriteAllText(op, OperatorJwt);
        return op;
    }

    /// <summary>test/configs/operator.conf: the operator from a file, a memory resolver.</summary>
    private string OperatorConf()
    {
        string op = OperatorJwtFile();
        string conf = Path.Combine(_dir, "operator.conf");
        File.WriteAllText(conf, $"listen: 127.0.0.1:-1\noperator = \"{op}\"\nresolver = MEMORY\n");
        return conf;
    }

    /// <summary>test/configs/operator_inline.conf: the same operator inline.</summary>
    private string OperatorInlineConf()
    {
        string conf = Path.Combine(_dir, "operator_inline.conf");
        File.WriteAllText(conf, $"listen: 127.0.0.1:-1\noperator = \"{OperatorJwt}\"\nresolver = MEMORY\n");
        return conf;
    }

    private static NatsServer NewServer(ServerOptions o)
    {
        o.NoLog = true;
        return new NatsServer(o);
    }

    /// <summary>Go's checkKeys: the options' trusted keys are the operator's key and its signing keys.</summary>
    private static void CheckKeys(ServerOptions opts, OperatorClaims opc, int expected)
    {
        opts.TrustedKeys.ShouldNotBeNull();
        opts.TrustedKeys.Count.ShouldBe(expected);
        opts.TrustedKeys.ShouldContain(opc.Issuer);
        foreach (var sk in opc.SigningKeys) opts.TrustedKeys.ShouldContain(sk);
    }

    /// <summary>Go's createAccountForOperatorKey: a new account signed by <paramref name="signer"/>, stored in the
    /// server's resolver.</summary>
    private static NKeyPair CreateAccountForOperatorKey(NatsServer s, NKeyPair signer)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        s.AccountResolver!.Store(akp.PublicKey, new AccountClaims(akp.PublicKey).Encode(signer));
        return akp;
    }

    /// <summary>A user of <paramref name="akp"/> connecting; the first line back.</summary>
    private static string ConnectUser(NatsServer s, NKeyPair akp)
    {
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, akp));
        return c.ReadLine(TimeSpan.FromSeconds(2)).TrimEnd();
    }

    [Fact, GoTest("test/operator_test.go", "TestOperatorRestrictions")]
    public async Task OperatorRestrictions()
    {
        var opts = ServerOptions.FromConfigFile(OperatorConf());
        await using (NewServer(opts)) { }
        // The trusted keys the first server filled in conflict with the operator.
        Should.Throw<ArgumentException>(() => NewServer(opts));

        void WipeOpts()
        {
            opts.TrustedKeys = null;
            opts.Accounts = [];
            opts.Users = null;
            opts.Nkeys = null;
        }
        // Each of these alone, on wiped options, refuses the server.
        foreach (var (what, set) in new (string, Action)[]
        {
            ("accounts defined", () => opts.Accounts = [new Account("TEST")]),
            ("users defined", () => opts.Users = [new User { Username = "TEST" }]),
            ("nkey users defined", () => opts.Nkeys = [new NkeyUser { Nkey = "TEST" }]),
            ("no account resolver", () => opts.AccountResolver = null),
        })
        {
            WipeOpts();
            set();
            Should.Throw<ArgumentException>(() => NewServer(opts), what);
        }
    }

    /// <summary>The conf loads the one operator, a server is made from it, and the options then trust the operator's
    /// key and its three signing keys.</summary>
    private static async Task CheckOperatorConf(string conf)
    {
        var opts = ServerOptions.FromConfigFile(conf);
        opts.TrustedOperators.Count.ShouldBe(1);
        await using var _ = NewServer(opts);
        CheckKeys(opts, opts.TrustedOperators[0], 4);
    }

    [Fact, GoTest("test/operator_test.go", "TestOperatorConfig")]
    public Task OperatorConfig() => CheckOperatorConf(OperatorConf());

    [Fact, GoTest("test/operator_test.go", "TestOperatorConfigInline")]
    public Task OperatorConfigInline() => CheckOperatorConf(OperatorInlineConf());

    [Fact, GoTest("test/operator_test.go", "TestOperatorServer")]
    public async Task OperatorServer()
    {
        await using var s = InProcess.RunConf(File.ReadAllText(OperatorConf()));
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("-ERR 'Authorization Violation'");
        }

        var akp = CreateAccountForOperatorKey(s, Operator);
        s.LookupOrFetchAccount(akp.PublicKey).ShouldNotBeNull();
        ConnectUser(s, akp).ShouldBe("PONG");

        // An account of another operator is refused, and not kept.
        akp = CreateAccountForOperatorKey(s, NKeyPair.Create(NKeys.PrefixOperator));
        ConnectUser(s, akp).ShouldStartWith("-ERR 'Authorization Violation'");
        s.LookupAccount(akp.PublicKey).ShouldBeNull("expected account to NOT be in memory");
    }

    [Fact, GoTest("test/operator_test.go", "TestOperatorSystemAccount")]
    public async Task OperatorSystemAccount()
    {
        await using var s = InProcess.RunConf(File.ReadAllText(OperatorConf()));

        // An account of another operator cannot be the system account.
        var other = CreateAccountForOperatorKey(s, NKeyPair.Create(NKeys.PrefixOperator));
        s.SetSystemAccount(s.LookupOrFetchAccount(other.PublicKey)).ShouldNotBeNull("expected this to fail");
        s.SystemAccount.ShouldBeNull("expected no account to be set for system account");

        var akp = CreateAccountForOperatorKey(s, Operator);
        var acc = s.LookupOrFetchAccount(akp.PublicKey);
        acc.ShouldNotBeNull();
        s.SetSystemAccount(acc).ShouldBeNull();
        s.SystemAccount.ShouldBeSameAs(acc);
    }

    [Fact, GoTest("test/operator_test.go", "TestOperatorSigningKeys")]
    public async Task OperatorSigningKeys()
    {
        await using var s = InProcess.RunConf(File.ReadAllText(OperatorConf()));
        // An account signed by a signing key, not the operator's own key, can be the system account.
        var akp = CreateAccountForOperatorKey(s, SigningKey);
        s.SetSystemAccount(s.LookupOrFetchAccount(akp.PublicKey)).ShouldBeNull();
        // And its users connect.
        ConnectUser(s, akp).ShouldBe("PONG");
    }

    [Fact, GoTest("test/operator_test.go", "TestOperatorMemResolverPreload")]
    public async Task OperatorMemResolverPreload()
    {
        // test/configs/resolver_preload.conf: two accounts preloaded, one of them the system account.
        var sys = NKeyPair.Create(NKeys.PrefixAccount);
        var acc = NKeyPair.Create(NKeys.PrefixAccount);
        string conf = $"listen: 127.0.0.1:-1\noperator = \"{OperatorJwt}\"\nsystem_account = \"{sys.PublicKey}\"\nresolver = MEMORY\n"
            + $"resolver_preload = {{\n  {acc.PublicKey} : \"{new AccountClaims(acc.PublicKey).Encode(Operator)}\"\n"
            + $"  {sys.PublicKey} : \"{new AccountClaims(sys.PublicKey).Encode(Operator)}\"\n}}\n";
        await using var s = InProcess.RunConf(conf);
        s.LookupOrFetchAccount(acc.PublicKey).ShouldNotBeNull("expected to properly lookup account");
        var sacc = s.SystemAccount;
        sacc.ShouldNotBeNull("expected to have system account registered");
        sacc.Name.ShouldBe(s.Options.SystemAccount);
    }

    [Fact, GoTest("test/operator_test.go", "TestOperatorConfigReloadDoesntKillNonce")]
    public async Task OperatorConfigReloadDoesntKillNonce()
    {
        string conf = OperatorConf();
        var o = ServerOptions.FromConfigFile(conf);
        o.NoLog = true;
        await using var s = InProcess.Run(o);
        s.NonceRequired.ShouldBeTrue("nonce should be required");
        s.Reload().ShouldBeNull();
        s.NonceRequired.ShouldBeTrue("nonce should still be required after reload");
    }
    /// <summary>Go's createAccountForConfig: a new account and its JWT signed by the operator.</summary>
    private static (string Jwt, NKeyPair Kp) CreateAccountForConfig()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        return (new AccountClaims(akp.PublicKey).Encode(Operator), akp);
    }

    /// <summary>The conf of Go's memory resolver reload tests (without their cluster block, which plays no part): the
    /// operator from a file, a system account and one more account preloaded.</summary>
    private string MemoryResolverConf(string sysPub, string sysJwt, string accPub, string accJwt) =>
        $"listen: 127.0.0.1:-1\noperator = \"{OperatorJwtFile()}\"\nsystem_account = \"{sysPub}\"\nresolver = MEMORY\n"
        + $"resolver_preload = {{\n  {sysPub} : \"{sysJwt}\"\n  {accPub} : \"{accJwt}\"\n}}\n";

    [Fact, GoTest("test/operator_test.go", "TestReloadDoesUpdateAccountsWithMemoryResolver")]
    public async Task ReloadDoesUpdateAccountsWithMemoryResolver()
    {
        var (sysJwt, sysKp) = CreateAccountForConfig();
        var (accJwt, accKp) = CreateAccountForConfig();
        await using var s = InProcess.RunConf(MemoryResolverConf(sysKp.PublicKey, sysJwt, accKp.PublicKey, accJwt), out string conf);

        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, accKp));
        c.Expect("PONG\r\n");
        c.Send("SUB foo 1\r\nPING\r\n");
        c.Expect("PONG\r\n");

        // The account is replaced by another one: its client is no longer authorized.
        var (accJwt2, accKp2) = CreateAccountForConfig();
        File.WriteAllText(conf, MemoryResolverConf(sysKp.PublicKey, sysJwt, accKp2.PublicKey, accJwt2));
        s.Reload();
        c.Expect("-ERR 'Authorization Violation'\r\n", TimeSpan.FromSeconds(2));

        s.LookupOrFetchAccount(accKp2.PublicKey).ShouldNotBeNull("error looking up account");
        s.LookupOrFetchAccount(accKp.PublicKey).ShouldBeNull("expected error looking up old account");
    }

    [Fact, GoTest("test/operator_test.go", "TestReloadFailsWithBadAccountsWithMemoryResolver")]
    public async Task ReloadFailsWithBadAccountsWithMemoryResolver()
    {
        var (sysJwt, sysKp) = CreateAccountForConfig();
        // An expired account: the server still starts with it preloaded.
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var now = DateTimeOffset.UtcNow;
        string ajwt = new AccountClaims(akp.PublicKey)
        {
            IssuedAt = now.AddSeconds(-10).ToUnixTimeSeconds(), Expires = now.AddSeconds(-2).ToUnixTimeSeconds(),
        }.Encode(Operator);
        await using var s = InProcess.RunConf(MemoryResolverConf(sysKp.PublicKey, sysJwt, akp.PublicKey, ajwt), out string conf);

        // A bogus preload entry fails the reload.
        File.WriteAllText(conf, MemoryResolverConf(sysKp.PublicKey, sysJwt, "foo", "bar"));
        s.Reload().ShouldNotBeNull("expected fatal error with bad account on reload");

        // A good account again, and the reload succeeds.
        var (accJwt, accKp) = CreateAccountForConfig();
        File.WriteAllText(conf, MemoryResolverConf(sysKp.PublicKey, sysJwt, accKp.PublicKey, accJwt));
        s.Reload().ShouldBeNull();
    }
}
