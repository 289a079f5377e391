using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Accounts;

/// <summary>Ports of server/accounts_test.go: isolation, configuration and stream imports.</summary>
public sealed class AccountTests
{
    private static ulong _cid = 1000;

    /// <summary>Go's simpleAccountServer: a server with accounts $foo and $bar.</summary>
    private static (NatsServer, Account, Account) SimpleAccountServer()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        return (s, s.RegisterAccount("$foo"), s.RegisterAccount("$bar"));
    }

    /// <summary>Go's newClientForServer plus registerWithAccount.</summary>
    private static ClientConnection ClientIn(NatsServer s, Account acc)
    {
        var c = new ClientConnection(s, Interlocked.Increment(ref _cid));
        c.Options.Verbose = false;
        c.RegisterUser(acc, null, null);
        return c;
    }

    private static string Run(ClientConnection c, string proto)
    {
        c.ParseForTest(Encoding.ASCII.GetBytes(proto)).ShouldBeNull();
        return Encoding.ASCII.GetString(c.TakeOutbound());
    }

    private static ServerOptions FromConf(string conf)
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse(conf));
        return o;
    }

    [Fact, GoTest("server/accounts_test.go", "TestRegisterDuplicateAccounts")]
    public void RegisterDuplicateAccounts()
    {
        var (s, _, _) = SimpleAccountServer();
        Should.Throw<InvalidOperationException>(() => s.RegisterAccount("$foo"));
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountIsolation")]
    public void AccountIsolation()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);
        cfoo.Account.ShouldNotBeSameAs(cbar.Account);

        Run(cbar, "SUB foo 1\r\nPING\r\nPING\r\n").ShouldBe("PONG\r\nPONG\r\n");
        string got = Run(cfoo, "SUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n");
        got.ShouldBe("MSG foo 1 5\r\nhello\r\nPONG\r\n");
        // Nothing crossed over to bar.
        Encoding.ASCII.GetString(cbar.TakeOutbound()).ShouldBeEmpty();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountSimpleConfig")]
    public void AccountSimpleConfig()
    {
        var o = FromConf("accounts = [foo, bar]");
        o.Accounts.Count.ShouldBe(2);
        o.Accounts.ShouldContain(a => a.Name == "foo");
        o.Accounts.ShouldContain(a => a.Name == "bar");
        Should.Throw<ConfigProcessException>(() => FromConf("accounts = [foo, foo]"));
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountParseConfigDuplicateUsers")]
    public void AccountParseConfigDuplicateUsers() =>
        Should.Throw<ConfigProcessException>(() => FromConf("""
            accounts {
              synadia {
                users = [
                  {user: alice, password: foo}
                  {user: bob, password: bar}
                ]
              }
              nats.io {
                users = [
                  {user: alice, password: bar}
                ]
              }
            }
            """)).Message.ShouldContain("Duplicate user \"alice\" detected");

    [Fact, GoTest("server/accounts_test.go", "TestAccountFromOptions")]
    public void AccountFromOptions()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true, Accounts = [new Account("foo"), new Account("bar")] });
        // $G and $SYS are the reserved accounts.
        s.Accounts.Count.ShouldBe(2 + 2);
        var foo = s.LookupAccount("foo");
        var bar = s.LookupAccount("bar");
        foo.ShouldNotBeNull();
        bar.ShouldNotBeNull();
        foo.Sublist.ShouldNotBeNull();
        bar.Sublist.ShouldNotBeNull();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountGlobalDefault")]
    public void AccountGlobalDefault()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        s.LookupAccount(Account.GlobalName).ShouldNotBeNull();
        Should.Throw<InvalidOperationException>(() => s.RegisterAccount(Account.GlobalName));
        Should.Throw<ConfigProcessException>(() => FromConf("accounts { $G {} }"));
    }

    [Fact, GoTest("server/accounts_test.go", "TestShadowSubsCleanupOnClientClose")]
    public async Task ShadowSubsCleanupOnClientClose()
    {
        var (s, foo, bar) = SimpleAccountServer();
        foo.AddStreamExport("foo", null).ShouldBeNull();
        bar.AddStreamImport(foo, "foo", "import").ShouldBeNull();

        var cbar = ClientIn(s, bar);
        cbar.ParseForTest(Encoding.ASCII.GetBytes("SUB import.foo 1\r\nSUB import.foo bar 2\r\n")).ShouldBeNull();
        foo.Sublist.Count.ShouldBe(2u);

        cbar.Close(ClosedState.ClientClosed);
        (await InProcess.WaitFor(() => foo.Sublist.Count == 0, TimeSpan.FromSeconds(1))).ShouldBeTrue();
    }

    [Fact, GoTest("server/accounts_test.go", "TestMultipleStreamImportsWithSameSubjectDifferentPrefix")]
    public void MultipleStreamImportsWithSameSubjectDifferentPrefix()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        var foo = s.RegisterAccount("foo");
        foo.AddStreamExport("test", null);
        var bar = s.RegisterAccount("bar");
        bar.AddStreamExport("test", null);
        var import = s.RegisterAccount("import");
        import.AddStreamImport(foo, "test", "foo").ShouldBeNull();
        import.AddStreamImport(bar, "test", "bar").ShouldBeNull();

        var cimport = ClientIn(s, import);
        Run(cimport, "SUB *.test 1\r\n");
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);

        Run(cbar, "PUB test 9\r\nhello-bar\r\n");
        Encoding.ASCII.GetString(cimport.TakeOutbound()).ShouldBe("MSG bar.test 1 9\r\nhello-bar\r\n");
        Run(cfoo, "PUB test 9\r\nhello-foo\r\n");
        Encoding.ASCII.GetString(cimport.TakeOutbound()).ShouldBe("MSG foo.test 1 9\r\nhello-foo\r\n");
    }

    [Fact, GoTest("server/accounts_test.go", "TestMultipleStreamImportsWithSameSubject")]
    public void MultipleStreamImportsWithSameSubject()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        var foo = s.RegisterAccount("foo");
        foo.AddStreamExport("test", null);
        var bar = s.RegisterAccount("bar");
        bar.AddStreamExport("test", null);
        var import = s.RegisterAccount("import");
        import.AddStreamImport(foo, "test", "").ShouldBeNull();
        import.AddStreamImport(foo, "test", "").ShouldBe(ImportErrors.StreamImportDuplicate);
        import.AddStreamImport(bar, "test", "").ShouldBeNull();

        var cimport = ClientIn(s, import);
        Run(cimport, "SUB test 1\r\n");
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);

        Run(cbar, "PUB test 9\r\nhello-bar\r\n");
        Encoding.ASCII.GetString(cimport.TakeOutbound()).ShouldBe("MSG test 1 9\r\nhello-bar\r\n");
        Run(cfoo, "PUB test 9\r\nhello-foo\r\n");
        Encoding.ASCII.GetString(cimport.TakeOutbound()).ShouldBe("MSG test 1 9\r\nhello-foo\r\n");
    }

    private const string MultiAccountsConf = """
        accounts: {
            PUBLIC: {
                users:[{user: public, password: public}]
                exports: [
                  { stream: orders.client.stream.> }
                  { stream: orders.client2.stream.> }
                ]
            }
            CLIENT: {
                users:[{user: client, password: client}]
                imports: [
                  { stream: { account: PUBLIC, subject: orders.client.stream.> }}
                ]
            }
            CLIENT2: {
                users:[{user: client2, password: client2}]
                imports: [
                  { stream: { account: PUBLIC, subject: orders.client2.stream.> }}
                ]
            }
        }
        """;

    private static ProtoClient Login(NatsServerProcess s, string user) => ProtoClient.Login(s, user, user);

    [Theory, TargetData, GoTest("server/accounts_test.go", "TestMultiAccountsIsolation")]
    public void MultiAccountsIsolation(ServerTarget target)
    {
        using var s = NatsServerProcess.Start(target, new ServerConfig { Extra = MultiAccountsConf });
        using var client = Login(s, "client");
        client.SendAndFlush("SUB orders.> 1\r\n");
        using var client2 = Login(s, "client2");
        client2.SendAndFlush("SUB orders.> 1\r\n");
        using var pub = Login(s, "public");

        pub.SendAndFlush("PUB orders.client.stream.entry 5\r\ntest1\r\n");
        client.ReadMsg().PayloadText.ShouldBe("test1");
        client2.ExpectNothing(TimeSpan.FromMilliseconds(100));

        client.SendAndFlush("UNSUB 1\r\n");
        client2.SendAndFlush("UNSUB 1\r\n");

        client.SendAndFlush("SUB orders.*.stream.entry 2\r\n");
        client2.SendAndFlush("SUB orders.*.stream.entry 2\r\n");

        pub.SendAndFlush("PUB orders.client.stream.entry 5\r\ntest2\r\n");
        client.ReadMsg().PayloadText.ShouldBe("test2");
        client2.ExpectNothing(TimeSpan.FromMilliseconds(100));
    }

    public static TheoryData<ServerTarget, string, string, string> IsolationCases()
    {
        var data = new TheoryData<ServerTarget, string, string, string>();
        foreach (var t in ServerTargets.Selected)
        {
            data.Add(t, "foo", "foo", "foo");
            data.Add(t, "foo.>", "foo.bar", "foo.bar");
            data.Add(t, "foo.>", "foo.bar.>", "foo.bar.whizz");
            data.Add(t, "foo.>", "foo.>", "foo.bar");
            data.Add(t, "foo.*", "foo.*", "foo.bar");
            data.Add(t, "foo.*.bar", "foo.*.bar", "foo.whizz.bar");
        }
        return data;
    }

    /// <summary>The conf half of Go's TestAccountIsolationExportImport: an importer subscribed to ">" gets the
    /// imported subject from both accounts and "fizz" only from its own.</summary>
    [Theory, MemberData(nameof(IsolationCases)), GoTest("server/accounts_test.go", "TestAccountIsolationExportImport")]
    public void AccountIsolationExportImportConf(ServerTarget target, string exp, string imp, string pubSubj)
    {
        using var s = NatsServerProcess.Start(target, new ServerConfig
        {
            Extra = $$$"""
                accounts: {
                    accExp: {
                        users: [{user: accExp, password: accExp}]
                        exports: [{stream: "{{{exp}}}"}]
                    }
                    accImp: {
                        users: [{user: accImp, password: accImp}]
                        imports: [{stream: {account: accExp, subject: "{{{imp}}}"}}]
                    }
                }
                """,
        });
        using var ncExp = Login(s, "accExp");
        using var ncImp = Login(s, "accImp");
        CheckIsolation(ncExp, ncImp, pubSubj);
    }

    /// <summary>Go's checkIsolation: the importer, subscribed to ">", gets <paramref name="pubSubj"/> from both and
    /// "fizz" only from itself.</summary>
    private static void CheckIsolation(ProtoClient ncExp, ProtoClient ncImp, string pubSubj)
    {
        ncImp.SendAndFlush("SUB > 1\r\n");
        ncExp.SendAndFlush($"PUB {pubSubj} 3\r\nexp\r\nPUB fizz 3\r\nexp\r\n");
        ncImp.Send($"PUB {pubSubj} 3\r\nimp\r\nPUB fizz 3\r\nimp\r\n");
        var got = ncImp.ExpectMsgs(3, TimeSpan.FromSeconds(1));
        got.Count(m => m.Subject == pubSubj).ShouldBe(2);
        got.Count(m => m.Subject == "fizz").ShouldBe(1);
        ncImp.ExpectNothing(TimeSpan.FromMilliseconds(50));
    }

    public static TheoryData<string, string, string> JwtIsolationCases => new()
    {
        { "foo", "foo", "foo" },
        { "foo.>", "foo.bar", "foo.bar" },
        { "foo.>", "foo.bar.>", "foo.bar.whizz" },
        { "foo.>", "foo.>", "foo.bar" },
        { "foo.*", "foo.*", "foo.bar" },
        { "foo.*.bar", "foo.*.bar", "foo.whizz.bar" },
    };

    /// <summary>The JWT half of Go's TestAccountIsolationExportImport: the same export and import in account JWTs of a
    /// memory resolver.</summary>
    [Theory, MemberData(nameof(JwtIsolationCases)), GoTest("server/accounts_test.go", "TestAccountIsolationExportImport")]
    public async Task AccountIsolationExportImportJwt(string exp, string imp, string pubSubj)
    {
        var op = JwtCreds.Operator;
        await using var s = InProcess.Run(new ServerOptions
        {
            TrustedKeys = [op.PublicKey], AccountResolver = new NatsParity.Server.Auth.Jwt.MemoryAccountResolver(), NoSystemAccount = true,
        });
        var accExp = NatsParity.Server.Auth.NKeyPair.Create(NatsParity.Server.Auth.NKeys.PrefixAccount);
        var expClaims = new NatsParity.Server.Auth.Jwt.AccountClaims(accExp.PublicKey);
        expClaims.Limits.WildcardExports = true;
        expClaims.Exports.Add(new NatsParity.Server.Auth.Jwt.JwtExport { Name = $"{exp}-stream-export", Subject = exp, Type = "stream" });
        s.AccountResolver!.Store(accExp.PublicKey, expClaims.Encode(op));
        var accImp = NatsParity.Server.Auth.NKeyPair.Create(NatsParity.Server.Auth.NKeys.PrefixAccount);
        var impClaims = new NatsParity.Server.Auth.Jwt.AccountClaims(accImp.PublicKey);
        impClaims.Imports.Add(new NatsParity.Server.Auth.Jwt.JwtImport { Name = $"{imp}-stream-import", Subject = imp, Account = accExp.PublicKey, Type = "stream" });
        s.AccountResolver.Store(accImp.PublicKey, impClaims.Encode(op));

        ProtoClient Connect(NatsParity.Server.Auth.NKeyPair akp, string name)
        {
            var c = ProtoClient.Connect("127.0.0.1", s.Port);
            c.Send(JwtCreds.ConnectLine(c, akp, fields: $",\"name\":\"{name}\""));
            c.ExpectLine(ProtoRegex.Pong);
            return c;
        }
        using var ncExp = Connect(accExp, $"nc-exporter-{exp}");
        using var ncImp = Connect(accImp, $"nc-importer-{imp}");
        CheckIsolation(ncExp, ncImp, pubSubj);
    }

    /// <summary>Account foo exports everything to bar; bar imports "*" under <paramref name="prefix"/> and subscribes to
    /// <paramref name="subscribe"/>; a PUB foo in foo arrives in bar as <paramref name="delivered"/>.</summary>
    private static void WildcardImportDelivers(string prefix, string subscribe, string delivered)
    {
        var (s, foo, bar) = SimpleAccountServer();
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);
        foo.AddStreamExport(">", [bar]).ShouldBeNull();
        bar.AddStreamImport(foo, "*", prefix).ShouldBeNull();
        Run(cbar, $"SUB {subscribe} 1\r\nPING\r\n").ShouldBe("PONG\r\n");
        Run(cfoo, "PUB foo 5\r\nhello\r\n");
        Encoding.ASCII.GetString(cbar.TakeOutbound()).ShouldBe($"MSG {delivered} 1 5\r\nhello\r\n");
    }

    [Fact, GoTest("server/accounts_test.go", "TestNoPrefixWildcardMapping")]
    public void NoPrefixWildcardMapping() => WildcardImportDelivers("", "foo", "foo");

    /// <summary>A trailing '.' on the prefix is accepted.</summary>
    [Fact, GoTest("server/accounts_test.go", "TestPrefixWildcardMapping")]
    public void PrefixWildcardMapping() => WildcardImportDelivers("pub.imports.", "pub.imports.*", "pub.imports.foo");

    [Fact, GoTest("server/accounts_test.go", "TestPrefixWildcardMappingWithLiteralSub")]
    public void PrefixWildcardMappingWithLiteralSub() => WildcardImportDelivers("pub.imports.", "pub.imports.foo", "pub.imports.foo");

    [Fact, GoTest("server/accounts_test.go", "TestMultipleImportsAndSingleWCSub")]
    public void MultipleImportsAndSingleWCSub()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);
        foo.AddStreamExport("foo", [bar]).ShouldBeNull();
        foo.AddStreamExport("bar", [bar]).ShouldBeNull();
        bar.AddStreamImport(foo, "foo", "pub.").ShouldBeNull();
        bar.AddStreamImport(foo, "bar", "pub.").ShouldBeNull();
        Run(cbar, "SUB pub.* 1\r\n");
        Run(cfoo, "PUB foo 5\r\nhello\r\nPUB bar 5\r\nworld\r\n");
        Encoding.ASCII.GetString(cbar.TakeOutbound()).ShouldBe("MSG pub.foo 1 5\r\nhello\r\nMSG pub.bar 1 5\r\nworld\r\n");
        foo.Sublist.Count.ShouldBe(2u);
        bar.Sublist.Count.ShouldBe(1u);
        Run(cbar, "UNSUB 1\r\n");
        bar.Sublist.Count.ShouldBe(0u);
        foo.Sublist.Count.ShouldBe(0u);
    }
}
