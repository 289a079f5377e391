using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>
/// Ports of server/opts_test.go for one node: conf files processed into options (Go's ProcessConfigFile), with Go's
/// errors, warnings and positions, and the options' effect on a running server where the Go test runs one.
/// </summary>
public sealed partial class OptsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("natsparity-opts-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Go's createConfFile.</summary>
    private string ConfFile(string content, string? name = null)
    {
        string path = Path.Combine(_dir, name ?? $"{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Go's package-level ProcessConfigFile: an error (warnings included) or the options.</summary>
    private static (ServerOptions Opts, Exception? Err) Process(string path)
    {
        var o = new ServerOptions();
        try
        {
            o.ProcessConfigFile(path);
            return (o, null);
        }
        catch (Exception e) when (e is ConfigException or ConfigProcessException)
        {
            return (o, e);
        }
    }

    /// <summary>Processing the file fails with an error that contains <paramref name="text"/>.</summary>
    private static void ProcessFails(string path, string text)
    {
        var (_, err) = Process(path);
        err.ShouldNotBeNull();
        err.Message.ShouldContain(text);
    }

    private static ServerOptions ProcessOk(string path)
    {
        var (o, err) = Process(path);
        err.ShouldBeNull();
        return o;
    }

    /// <summary>Go's parseConfigTolerantly: a conf string whose warnings are tolerated and whose errors are not.</summary>
    private static (ServerOptions Opts, Exception? Err) Tolerantly(string conf)
    {
        var o = new ServerOptions();
        try
        {
            var (errors, warnings) = ConfigLoader.Process(o, ConfigParser.Parse(conf));
            return (o, errors.Count > 0 ? new ConfigProcessException(errors, warnings) : null);
        }
        catch (ConfigException e)
        {
            return (o, e);
        }
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestDynamicPortOnListen")]
    public void DynamicPortOnListen()
    {
        var o = ProcessOk(ConfFile("listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nhttps: 127.0.0.1:-1\n"));
        o.Port.ShouldBe(-1);
        o.HttpPort.ShouldBe(-1);
        o.HttpsPort.ShouldBe(-1);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestListenPortOnlyConfig")]
    public void ListenPortOnlyConfig()
    {
        var o = ProcessOk(ConfFile("listen: 8922\n"));
        o.SetBaselineOptions();
        o.Host.ShouldBe(ServerOptions.DefaultHost);
        o.HttpHost.ShouldBe(ServerOptions.DefaultHost);
        o.Port.ShouldBe(8922);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestListenPortWithColonConfig")]
    public void ListenPortWithColonConfig()
    {
        var o = ProcessOk(ConfFile("listen: \":8922\"\n"));
        o.SetBaselineOptions();
        o.Host.ShouldBe(ServerOptions.DefaultHost);
        o.HttpHost.ShouldBe(ServerOptions.DefaultHost);
        o.Port.ShouldBe(8922);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestListenMonitoringDefault")]
    public void ListenMonitoringDefault()
    {
        var o = new ServerOptions { Host = "10.0.1.22" };
        o.SetBaselineOptions();
        o.Host.ShouldBe("10.0.1.22");
        o.HttpHost.ShouldBe("10.0.1.22");
        o.Port.ShouldBe(ServerOptions.DefaultPort);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestMultipleUsersConfig")]
    public void MultipleUsersConfig()
    {
        var o = ProcessOk(ConfFile("""
            listen: 127.0.0.1:4443
            authorization {
              users = [
                {user: alice, password: foo}
                {user: bob,   password: bar}
              ]
              timeout: 0.5
            }
            """));
        o.SetBaselineOptions();
        o.Users!.Count.ShouldBe(2);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestNewStyleAuthorizationConfig")]
    public void NewStyleAuthorizationConfig()
    {
        var o = ProcessOk(ConfFile("""
            listen: 127.0.0.1:4222
            authorization {
              # alice may publish to three subjects and subscribe to anything but $SYS
              alice_perms = {
                publish = ["foo", "bar", "baz"]
                subscribe = { deny = "$SYS.>" }
              }
              bob_perms = {
                publish = { allow = "$SYS.>" }
                subscribe = { deny = ["foo", "bar", "baz"] }
              }
              users = [
                {user: alice, password: foo, permissions: $alice_perms}
                {user: bob,   password: bar, permissions: $bob_perms}
              ]
            }
            """));
        o.SetBaselineOptions();
        o.Users!.Count.ShouldBe(2);
        var mu = o.Users.ToDictionary(u => u.Username);

        var alice = mu["alice"];
        alice.Permissions.ShouldNotBeNull();
        alice.Permissions.Publish.ShouldNotBeNull();
        alice.Permissions.Publish.Allow.ShouldBe(["foo", "bar", "baz"]);
        (alice.Permissions.Publish.Deny?.Count ?? 0).ShouldBe(0);
        alice.Permissions.Subscribe.ShouldNotBeNull();
        (alice.Permissions.Subscribe.Allow?.Count ?? 0).ShouldBe(0);
        alice.Permissions.Subscribe.Deny.ShouldBe(["$SYS.>"]);

        var bob = mu["bob"];
        bob.Permissions.ShouldNotBeNull();
        bob.Permissions.Publish.ShouldNotBeNull();
        bob.Permissions.Publish.Allow.ShouldBe(["$SYS.>"]);
        (bob.Permissions.Publish.Deny?.Count ?? 0).ShouldBe(0);
        bob.Permissions.Subscribe.ShouldNotBeNull();
        (bob.Permissions.Subscribe.Allow?.Count ?? 0).ShouldBe(0);
        bob.Permissions.Subscribe.Deny.ShouldBe(["foo", "bar", "baz"]);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestNkeyUsersConfig")]
    public void NkeyUsersConfig()
    {
        var o = ProcessOk(ConfFile("""
            authorization {
              users = [
                {nkey: "UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV"}
                {nkey: "UA3C5TBZYK5GJQJRWPMU6NFY5JNAEVQB2V2TUZFZDHFJFUYVKTTUOFKZ"}
              ]
            }
            """));
        o.Nkeys!.Count.ShouldBe(2);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestNkeyUsersDefaultPermissionsConfig")]
    public void NkeyUsersDefaultPermissionsConfig()
    {
        var o = ProcessOk(ConfFile("""
            authorization {
              default_permissions = { publish = "foo" }
              users = [
                { user: "user", password: "pwd"}
                { user: "other", password: "pwd", permissions = { subscribe = "bar" } }
                { nkey: "UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV" }
                { nkey: "UA3C5TBZYK5GJQJRWPMU6NFY5JNAEVQB2V2TUZFZDHFJFUYVKTTUOFKZ", permissions = { subscribe = "bar" } }
              ]
            }
            accounts {
              A {
                default_permissions = { publish = "foo" }
                users = [
                  { user: "accuser", password: "pwd"}
                  { user: "accother", password: "pwd", permissions = { subscribe = "bar" } }
                  { nkey: "UC4YEYJHYKTU4LHROX7UEKEIO5RP5OUWDYXELHWXZOQHZYXHUD44LCRS" }
                  { nkey: "UDLSDF4UY3YW7JJQCYE6T2D4KFDCH6RGF3R65KHK247G3POJPI27VMQ3", permissions = { subscribe = "bar" } }
                ]
              }
            }
            """));
        static void CheckPerms(Auth.Permissions def, Auth.Permissions nonDef)
        {
            def.Publish!.Allow![0].ShouldBe("foo");
            def.Subscribe.ShouldBeNull();
            nonDef.Subscribe!.Allow![0].ShouldBe("bar");
            nonDef.Publish.ShouldBeNull();
        }
        Auth.Permissions UserPerms(string name) => o.Users!.First(u => u.Username == name).Permissions!;
        Auth.Permissions NkeyPerms(string prefix) => o.Nkeys!.First(u => u.Nkey.StartsWith(prefix, StringComparison.Ordinal)).Permissions!;

        o.Users!.Count.ShouldBe(4);
        CheckPerms(UserPerms("user"), UserPerms("other"));
        CheckPerms(UserPerms("accuser"), UserPerms("accother"));
        o.Nkeys!.Count.ShouldBe(4);
        CheckPerms(NkeyPerms("UDK"), NkeyPerms("UA3"));
        CheckPerms(NkeyPerms("UC4"), NkeyPerms("UDL"));
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestNkeyUsersWithPermsConfig")]
    public void NkeyUsersWithPermsConfig()
    {
        var o = ProcessOk(ConfFile("""
            authorization {
              users = [
                {nkey: "UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV",
                 permissions = {
                   publish = "$SYS.>"
                   subscribe = { deny = ["foo", "bar", "baz"] }
                 }
                }
              ]
            }
            """));
        o.Nkeys!.Count.ShouldBe(1);
        var p = o.Nkeys[0].Permissions;
        p.ShouldNotBeNull();
        p.Publish.ShouldNotBeNull();
        p.Publish.Allow![0].ShouldBe("$SYS.>");
        p.Subscribe.ShouldNotBeNull();
        p.Subscribe.Allow.ShouldBeNull();
        p.Subscribe.Deny.ShouldBe(["foo", "bar", "baz"]);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestBadNkeyConfig")]
    public void BadNkeyConfig() =>
        Process(ConfFile("authorization {\n  users = [ {nkey: \"Ufoo\"}]\n}\n")).Err.ShouldNotBeNull();

    [Fact]
    [GoTest("server/opts_test.go", "TestNkeyWithPassConfig")]
    public void NkeyWithPassConfig() =>
        Process(ConfFile("""
            authorization {
              users = [
                {nkey: "UDKTV7HZVYJFJN64LLMYQBUR6MTNNYCDC3LAZH4VHURW3GZLL3FULBXV", pass: "foo"}
              ]
            }
            """)).Err.ShouldNotBeNull();

    [Fact]
    [GoTest("server/opts_test.go", "TestTokenWithUserPass")]
    public void TokenWithUserPass()
    {
        ProcessFails(ConfFile("authorization={\n  user: user\n  pass: password\n  token: $2a$11$whatever\n}\n"), "token");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestTokenWithUsers")]
    public void TokenWithUsers()
    {
        ProcessFails(ConfFile("authorization={\n  token: $2a$11$whatever\n  users: [\n    {user: test, password: test}\n  ]\n}\n"), "token");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestParseWriteDeadline")]
    public void ParseWriteDeadline()
    {
        ProcessFails(ConfFile("write_deadline: \"1x\""), "parsing");

        ProcessOk(ConfFile("write_deadline: \"1s\"")).WriteDeadline.ShouldBe(TimeSpan.FromSeconds(1));

        // A bare number of seconds still works, with a warning (the Go test only silences its printing).
        var (o, warn) = Process(ConfFile("write_deadline: 2"));
        warn.ShouldBeOfType<ConfigProcessException>().Errors.ShouldBeEmpty();
        o.WriteDeadline.ShouldBe(TimeSpan.FromSeconds(2));
    }

    /// <summary>server_tags as a string or a list, trimmed, without empties or repeats; other types are Go's errors.</summary>
    [Fact]
    public void ServerTags()
    {
        ProcessOk(ConfFile("server_tags: \"AZ:1\"")).Tags.ShouldBe(["az:1"]);
        ProcessOk(ConfFile("server_tags: [\" a \", b, \"\", a]")).Tags.ShouldBe(["a", "b"]);
        ProcessFails(ConfFile("server_tags: 1"), ":1:0: error parsing tags: unsupported type int64");
        ProcessFails(ConfFile("server_tags: [\"a\", 1 ]"), ":1:0: error parsing tags: unsupported type *conf.token where string is expected");
    }

    /// <summary>server_metadata is a map of strings.</summary>
    [Fact]
    public void ServerMetadata()
    {
        ProcessOk(ConfFile("server_metadata: {b: \"2\", a: \"1\"}")).Metadata!.ShouldBe(
            new SortedDictionary<string, string>(StringComparer.Ordinal) { ["a"] = "1", ["b"] = "2" });
        ProcessFails(ConfFile("server_metadata: [a]"), "error parsing metadata: unsupported type []interface {}");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEmptyConfig")]
    public void EmptyConfig()
    {
        var o = ProcessOk("");
        o.ConfigFile.ShouldBe("");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestMalformedListenAddress")]
    public void MalformedListenAddress() =>
        Process(ConfFile("# a port that is not a number\nlisten: \"10.0.1.22:foo\"\n")).Err.ShouldNotBeNull();

    [Fact]
    [GoTest("server/opts_test.go", "TestPanic")]
    public void Panic()
    {
        ProcessFails(ConfFile("port: \"this_string_trips_a_panic\""), ":1:0: interface conversion:");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestMaxClosedClients")]
    public void MaxClosedClients() => ProcessOk(ConfFile("max_closed_clients: 5")).MaxClosedClients.ShouldBe(5);

    [Fact]
    [GoTest("server/opts_test.go", "TestPingIntervalOld")]
    public void PingIntervalOld()
    {
        var (o, err) = Process(ConfFile("ping_interval: 5"));
        var typed = err.ShouldBeOfType<ConfigProcessException>();
        typed.Warnings.Count.ShouldBe(1);
        typed.Errors.Count.ShouldBe(0);
        o.PingInterval.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestPingIntervalNew")]
    public void PingIntervalNew() => ProcessOk(ConfFile("ping_interval: \"5m\"")).PingInterval.ShouldBe(TimeSpan.FromMinutes(5));

    [Fact]
    [GoTest("server/opts_test.go", "TestOptionsProcessConfigFile")]
    public void OptionsProcessConfigFile()
    {
        // Options whose debug and trace are the opposite of the file's, and a log file the file does not set.
        const string logFileName = "test.log";
        var o = new ServerOptions { Debug = true, Trace = false, LogFile = logFileName };
        string conf = ConfFile("""
            listen: 127.0.0.1:4242
            authorization {
              user: derek
              password: porkchop
              timeout: 1
            }
            debug: false
            trace: true
            logtime: false
            """);
        o.ProcessConfigFile(conf);
        o.ConfigFile.ShouldBe(conf);
        o.Debug.ShouldBeFalse();
        o.Trace.ShouldBeTrue();
        o.LogFile.ShouldBe(logFileName);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestLargeMaxControlLine")]
    public void LargeMaxControlLine() =>
        Process(ConfFile("max_control_line = 3000000000\n")).Err.ShouldNotBeNull();

    [Fact]
    [GoTest("server/opts_test.go", "TestLargeMaxPayload")]
    public void LargeMaxPayload()
    {
        Process(ConfFile("max_payload = 3000000000\n")).Err.ShouldNotBeNull();

        var o = ProcessOk(ConfFile("max_payload = 100000\nmax_pending = 50000\n"));
        var e = Should.Throw<ArgumentException>(() => new NatsServer(o));
        e.Message.ShouldContain("cannot be higher");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestSublistNoCacheConfig")]
    public void SublistNoCacheConfig() => ProcessOk(ConfFile("disable_sublist_cache: true\n")).NoSublistCache.ShouldBeTrue();

    [Fact]
    [GoTest("server/opts_test.go", "TestSublistNoCacheConfigOnAccounts")]
    public async Task SublistNoCacheConfigOnAccounts()
    {
        var o = ProcessOk(ConfFile("""
            listen: "127.0.0.1:-1"
            disable_sublist_cache: true
            accounts {
              synadia {
                users [ {nkey : UBAAQWTW6CG2G6ANGNKB5U2B7HRWHSGMZEZX3AQSAJOQDAUGJD46LD2E} ]
              }
              nats.io {
                users [ {nkey : UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ]
              }
            }
            no_sys_acc = true
            """));
        await using var s = InProcess.Run(o);
        // The global account and the two configured ones, none caching matches.
        s.Accounts.Count.ShouldBe(1 + 2);
        foreach (var acc in s.Accounts)
            acc.Sublist.CacheEnabled.ShouldBeFalse(acc.Name);
    }

    private const string ResponsePermissionsTemplate = """
        listen: "127.0.0.1:-1"
        authorization {
          users [
            {
              user: ivan
              password: pwd
              permissions {
                allow_responses {
                  {0}
                  {1}
                }
              }
            }
          ]
        }
        """;

    [Fact]
    [GoTest("server/opts_test.go", "TestParsingResponsePermissions")]
    public void ParsingResponsePermissions()
    {
        void Check(string a, string b, string? expectedError, int expectedMaxMsgs, TimeSpan expectedTtl)
        {
            var (o, err) = Process(ConfFile(ResponsePermissionsTemplate.Replace("{0}", a).Replace("{1}", b)));
            if (expectedError is not null)
            {
                err.ShouldNotBeNull();
                err.Message.ShouldContain(expectedError);
                return;
            }
            err.ShouldBeNull();
            var p = o.Users![0].Permissions!.Response;
            p.ShouldNotBeNull();
            p.MaxMsgs.ShouldBe(expectedMaxMsgs);
            p.Expires.ShouldBe(expectedTtl);
        }
        int defMax = Auth.ResponsePermission.DefaultMaxMsgs;
        var defTtl = Auth.ResponsePermission.DefaultExpires;

        // Defaults.
        Check("", "", null, defMax, defTtl);
        Check("max: 10", "", null, 10, defTtl);
        Check("", "ttl: 5s", null, defMax, TimeSpan.FromSeconds(5));
        Check("max: 0", "", null, defMax, defTtl);
        Check("", "ttl: \"0s\"", null, defMax, defTtl);
        // Normal values.
        Check("max: 10", "ttl: \"5s\"", null, 10, TimeSpan.FromSeconds(5));
        // Negative values are fine.
        Check("max: -1", "ttl: \"5s\"", null, -1, TimeSpan.FromSeconds(5));
        Check("max: 10", "ttl: \"-1s\"", null, 10, TimeSpan.FromSeconds(-1));
        Check("max: -1", "ttl: \"-1s\"", null, -1, TimeSpan.FromSeconds(-1));
        // Parsing errors.
        Check("unknown_field: 123", "", "Unknown field", 0, TimeSpan.Zero);
        Check("max: 10", "ttl: 123", "not a duration string", 0, TimeSpan.Zero);
        Check("max: 10", "ttl: xyz", "error parsing expires", 0, TimeSpan.Zero);
    }

    private const string NoAuthUserConf = """
        listen: "127.0.0.1:-1"
        no_auth_user: $NATSPARITY_NO_AUTH_USER

        accounts {
          synadia {
            users [
              {user: "a", password: "a"},
              {nkey : UBAAQWTW6CG2G6ANGNKB5U2B7HRWHSGMZEZX3AQSAJOQDAUGJD46LD2E},
            ]
          }
          acc {
            users [
              {user: "c", password: "c"}
            ]
          }
        }
        # config for $G
        authorization {
          users [
            {user: "b", password: "b"}
          ]
        }
        """;

    [Fact]
    [GoTest("server/opts_test.go", "TestNoAuthUserCode")]
    public async Task NoAuthUserCode()
    {
        string conf = ConfFile(NoAuthUserConf);
        try
        {
            foreach (var user in new[] { "a", "b", "b" })
            {
                Environment.SetEnvironmentVariable("NATSPARITY_NO_AUTH_USER", user);
                var o = ProcessOk(conf);
                await using var s = InProcess.Run(o);
                using var c = ProtoClient.Login("127.0.0.1", s.Port);
            }
            foreach (var bad in new[] { "notthere", "UBAAQWTW6CG2G6ANGNKB5U2B7HRWHSGMZEZX3AQSAJOQDAUGJD46LD2F" })
            {
                Environment.SetEnvironmentVariable("NATSPARITY_NO_AUTH_USER", bad);
                var o = ProcessOk(conf);
                var e = Should.Throw<ArgumentException>(() => new NatsServer(o));
                e.Message.ShouldStartWith("no_auth_user");
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("NATSPARITY_NO_AUTH_USER", null);
        }
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestDefaultAuthTimeout")]
    public async Task DefaultAuthTimeout()
    {
        await using (var s = InProcess.Run(new ServerOptions { AuthTimeout = TimeSpan.Zero }))
            s.Options.EffectiveAuthTimeout.ShouldBe(TimeSpan.FromSeconds(2));

        using var pki = new TestPki();
        var tls = new ServerOptions
        {
            Tls = true, TlsCert = pki.ServerCertFile, TlsKey = pki.ServerKeyFile, TlsCaCert = pki.CaFile,
            TlsTimeout = TimeSpan.FromSeconds(4),
        };
        await using (var s = InProcess.Run(tls))
            s.Options.EffectiveAuthTimeout.ShouldBe(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("allow", "queue.dev", false)]
    [InlineData("allow", "", true)]
    [InlineData("allow", "bad", true)]
    [InlineData("deny", "", false)]
    [InlineData("deny", "queue.dev", true)]
    [GoTest("server/opts_test.go", "TestQueuePermissions")]
    public async Task QueuePermissions(string permType, string queue, bool errExpected)
    {
        var o = ProcessOk(ConfFile($$"""
            listen: 127.0.0.1:-1
            no_auth_user: u
            authorization {
              users [{
                user: u, password: pwd, permissions: { sub: { {{permType}}: ["foo.> *.dev"] } }
              }]
            }
            """));
        await using var s = InProcess.Run(o);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send("CONNECT {\"verbose\":false}\r\n");
        c.Send(queue.Length == 0 ? "SUB foo.bar 1\r\nPING\r\n" : $"SUB foo.bar {queue} 1\r\nPING\r\n");
        string line = c.ReadLine();
        if (errExpected)
            line.ShouldContain("Permissions Violation for Subscription to \"foo.bar\"");
        else
            line.ShouldBe("PONG\r\n");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestMaxSubTokens")]
    public async Task MaxSubTokens()
    {
        var o = ProcessOk(ConfFile("listen: 127.0.0.1:-1\nmax_sub_tokens: 4\n"));
        await using var s = InProcess.Run(o);
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send("CONNECT {\"verbose\":false}\r\nSUB a.b.c.d.e 1\r\nPING\r\n");
        c.ReadLine().ShouldContain("too many tokens");
    }

    public static TheoryData<string, string, double, double, string?> AuthTimeoutCases => new()
    {
        { "defaults", "authorization {}", 0, 2, null },
        { "explicit zero", "authorization {\n  timeout: 0\n}", 0, 2, null },
        { "explicit one", "authorization {\n  timeout: 1\n}", 1, 1, null },
        { "garbage", "authorization {\n  timeout: random_garbage\n}", 0, 0, "invalid duration \"random_garbage\"" },
        { "human readable", "authorization {\n  timeout: 10s\n}", 10, 10, null },
        { "bare values could be parsed as integers", "authorization {\n  timeout: 1m\n}", 1000000, 1000000, null },
        { "but quoted values will be parsed as durations", "authorization {\n  timeout: \"1m\"\n}", 60, 60, null },
        { "human readable minutes quoted", "authorization {\n  timeout: \"10m5s30ms\"\n}", 605.03, 605.03, null },
        { "floats work", "authorization {\n  timeout: 0.091\n}", .091, .091, null },
        { "but no leading digit fails", "authorization {\n  timeout: .091\n}", 0, 0, "Floats must start with a digit" },
    };

    [Theory]
    [MemberData(nameof(AuthTimeoutCases))]
    [GoTest("server/opts_test.go", "TestAuthorizationTimeoutConfigParsing")]
    public async Task AuthorizationTimeoutConfigParsing(string name, string config, double expectParsed, double expectRunning, string? expectErrorContains)
    {
        var (o, err) = Tolerantly(config);
        if (expectErrorContains is not null)
        {
            err.ShouldNotBeNull(name);
            err.Message.ShouldContain(expectErrorContains);
            return;
        }
        err.ShouldBeNull(name);
        o.AuthTimeout.TotalSeconds.ShouldBe(expectParsed);
        await using var s = InProcess.Run(o);
        s.Options.EffectiveAuthTimeout.TotalSeconds.ShouldBe(expectRunning);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestVarReferencesVar")]
    public void VarReferencesVar() =>
        ProcessOk(ConfFile("A: 7890\nB: $A\nC: $B\nport: $C\n")).Port.ShouldBe(7890);

    [Fact]
    [GoTest("server/opts_test.go", "TestVarReferencesEnvVar")]
    public void VarReferencesEnvVar()
    {
        const string env = "_NATSPARITY_TEST_ENV_NATS_PORT_1_";
        using var _ = new EnvVars((env, "7890"));
        ProcessOk(ConfFile($"A: ${env}\nB: $A\nC: $B\nport: $C\n")).Port.ShouldBe(7890);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestVarReferencesSelf")]
    public void VarReferencesSelf()
    {
        ProcessFails(ConfFile("A: $A"), "variable reference for 'A' on line 1 can not be found");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEnvVarReferencesVar")]
    public void EnvVarReferencesVar()
    {
        const string env = "_NATSPARITY_TEST_ENV_NATS_PORT_2_";
        using var _ = new EnvVars((env, "$P"));
        ProcessFails(ConfFile($"P: 8080\nport: ${env}\n"), "variable reference for 'P' on line 1 can not be found");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEnvVarReferencesEnvVar")]
    public void EnvVarReferencesEnvVar()
    {
        string[] names = ["_NATSPARITY_TEST_ENV_A1_", "_NATSPARITY_TEST_ENV_B1_", "_NATSPARITY_TEST_ENV_C1_"];
        using var _ = new EnvVars((names[0], "$" + names[1]), (names[1], "$" + names[2]), (names[2], "7890"));
        ProcessOk(ConfFile($"port: ${names[0]}\n")).Port.ShouldBe(7890);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEnvVarReferencesSelf")]
    public void EnvVarReferencesSelf()
    {
        const string env = "_NATSPARITY_TEST_ENV_SELF_";
        using var _ = new EnvVars((env, "$" + env));
        ProcessFails(ConfFile($"TEST: ${env}\n"), "variable reference cycle");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEnvVarReferencesSelfCycle")]
    public void EnvVarReferencesSelfCycle()
    {
        string[] names = ["_NATSPARITY_TEST_ENV_A2_", "_NATSPARITY_TEST_ENV_B2_", "_NATSPARITY_TEST_ENV_C2_"];
        using var _ = new EnvVars((names[0], "$" + names[1]), (names[1], "$" + names[2]), (names[2], "$" + names[0]));
        ProcessFails(ConfFile($"TEST: ${names[0]}\n"), "variable reference cycle");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEnvVarInclude")]
    public void EnvVarInclude()
    {
        const string env = "_NATSPARITY_TEST_ENV_INCLUDE_";
        using var _ = new EnvVars((env, "include x"));
        ProcessFails(ConfFile($"TEST: ${env}\n"), "Expected a top-level value to end with a new line, comment or EOF");
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestEnvVarFromIncludedFile")]
    public void EnvVarFromIncludedFile()
    {
        string[] names = ["_NATSPARITY_TEST_ENV_PORT_A_", "_NATSPARITY_TEST_ENV_PORT_B_"];
        string include = ConfFile($"TEST_PORT: ${names[0]}\n");
        string conf = ConfFile($"include \"./{Path.GetFileName(include)}\"\nport: $TEST_PORT\n");
        using var _ = new EnvVars((names[0], "$" + names[1]), (names[1], "7890"));
        ProcessOk(conf).Port.ShouldBe(7890);
    }

    [Fact]
    [GoTest("server/config_check_test.go", "TestConfigCheckIncludes")]
    public void ConfigCheckIncludes()
    {
        // The happy path: a file including another that includes a third, all keys known.
        ConfFile("max_payload: 1048576\n", "include_conf_check_c.conf");
        ConfFile("authorization {\n  user: a\n  password: b\n}\ninclude \"include_conf_check_c.conf\"\n", "include_conf_check_b.conf");
        string good = ConfFile("port: -1\ninclude \"include_conf_check_b.conf\"\n", "include_conf_check_a.conf");
        var o = new ServerOptions { CheckConfig = true };
        o.ProcessConfigFile(good);

        // An unknown key in the included file is reported at its place in that file.
        string badB = ConfFile("""
            # This file is included by include_bad_conf_check_a.conf.

            authorization {
              user: a
              password: b
            }

            max_payload: 1048576

            debug: false; monitoring_port: 8222
            """, "include_bad_conf_check_b.conf");
        string bad = ConfFile("port: -1\ninclude \"include_bad_conf_check_b.conf\"\n", "include_bad_conf_check_a.conf");
        o = new ServerOptions { CheckConfig = true };
        var e = Should.Throw<ConfigProcessException>(() => o.ProcessConfigFile(bad));
        e.Message.ShouldEndWith($"{badB}:10:15: unknown field \"monitoring_port\"\n");
    }

    /// <summary>server/configs/authorization.conf: role variables, default permissions and allow_responses.</summary>
    private const string AuthorizationConf = """
        listen: 127.0.0.1:4222

        authorization {
          super_user = {
            publish = "*"
            subscribe = ">"
          }
          req_pub_user = {
            publish = ["req.foo", "req.bar"]
            subscribe = "_INBOX.>"
          }
          default_user = {
            subscribe = "PUBLIC.>"
          }
          my_service = {
            subscribe = "my.service.req"
            publish_allow_responses: true
          }
          my_stream_service = {
            subscribe = "my.service.req"
            allow_responses: {max: 10, expires: "1m"}
          }
          default_permissions: $default_user
          users = [
            {user: alice, password: foo, permissions: $super_user}
            {user: bob,   password: bar, permissions: $req_pub_user}
            {user: susan, password: baz}
            {user: svca,  password: pc,  permissions: $my_service}
            {user: svcb,  password: sam, permissions: $my_stream_service}
          ]
        }
        """;

    [Fact, GoTest("server/opts_test.go", "TestAuthorizationConfig")]
    public void AuthorizationConfig()
    {
        var o = ProcessOk(ConfFile(AuthorizationConf));
        o.SetBaselineOptions();
        o.Users.ShouldNotBeNull();
        o.Users.Count.ShouldBe(5);
        var users = o.Users.ToDictionary(u => u.Username);

        var alice = users["alice"].Permissions;
        alice.ShouldNotBeNull();
        alice.Publish!.Allow.ShouldBe(["*"]);
        alice.Subscribe!.Allow.ShouldBe([">"]);

        users["bob"].Permissions.ShouldNotBeNull();

        // susan has the default permissions.
        var susan = users["susan"].Permissions;
        susan.ShouldNotBeNull();
        susan.Publish.ShouldBeNull();
        susan.Subscribe!.Allow.ShouldBe(["PUBLIC.>"]);

        // allow_responses: publishing allows nothing but replies; true gives the defaults, a map its values.
        foreach (var (name, max, expires) in new[]
                 {
                     ("svca", Auth.ResponsePermission.DefaultMaxMsgs, Auth.ResponsePermission.DefaultExpires),
                     ("svcb", 10, TimeSpan.FromMinutes(1)),
                 })
        {
            var p = users[name].Permissions;
            p.ShouldNotBeNull();
            p.Subscribe!.Allow.ShouldBe(["my.service.req"]);
            p.Publish.ShouldNotBeNull();
            (p.Publish.Allow ?? []).Count.ShouldBe(0);
            p.Response.ShouldNotBeNull();
            p.Response.MaxMsgs.ShouldBe(max);
            p.Response.Expires.ShouldBe(expires);
        }
    }

    [Fact, GoTest("server/opts_test.go", "TestParseExport")]
    public async Task ParseExport()
    {
        await using var s = InProcess.RunConf("""
            port: -1
            system_account: sys
            accounts {
              sys {
                exports [{
                  stream "$SYS.SERVER.ACCOUNT.*.CONNS"
                  account_token_position 4
                }]
              }
              accE {
                exports [{
                  service foo.*
                  account_token_position 2
                }]
                users [{
                  user ue
                  password pwd
                }],
              }
              accI1 {
                imports [{
                  service {
                    account accE
                    subject foo.accI1
                  }
                  to foo
                },{
                  stream {
                    account sys
                    subject "$SYS.SERVER.ACCOUNT.accI1.CONNS"
                  }
                }],
                users [{
                  user u1
                  password pwd
                }],
              }
              accI2 {
                imports [{
                  service {
                    account accE
                    subject foo.accI2
                  }
                  to foo
                },{
                  stream {
                    account sys
                    subject "$SYS.SERVER.ACCOUNT.accI2.CONNS"
                  }
                }],
                users [{
                  user u2
                  password pwd
                }],
              }
            }
            """);
        ProtoClient Connect(string user) => ProtoClient.Login("127.0.0.1", s.Port, user, "pwd");
        using var nc1 = Connect("u1");
        using var nc2 = Connect("u2");

        // The CONNECT events of the two connections above may still be on their way when the subscriptions below
        // are made; like Go, wait a little, and count at least (not exactly) the messages expected.
        await Task.Delay(100);

        // Every message on a subscription below counts (requests too, which are answered); 6 are expected.
        const int expected = 6;
        int count = 0;
        const string connsSid = "1";
        nc1.SendAndFlush("SUB $SYS.SERVER.ACCOUNT.accI1.CONNS " + connsSid + "\r\n");
        nc2.SendAndFlush("SUB $SYS.SERVER.ACCOUNT.accI2.CONNS " + connsSid + "\r\n");
        // Two CONNS events each: the connect and the close.
        using (Connect("u1")) { }
        using (Connect("u2")) { }

        // The service: requests on foo in accI1/accI2 reach foo.<account> in accE, echoed back.
        using var ncE = Connect("ue");
        ncE.SendAndFlush("SUB foo.* 1\r\n");
        void Request(ProtoClient nc, string inbox, string msg)
        {
            nc.Send($"SUB {inbox} 99\r\nPUB foo {inbox} {msg.Length}\r\n{msg}\r\n");
            var req = ncE.ReadMsg();
            if (!string.IsNullOrEmpty(req.Reply)) ncE.Send($"PUB {req.Reply} {req.Payload.Length}\r\n{req.PayloadText}\r\n");
            count++;
            // The response; CONNS events may arrive before it.
            while (true)
            {
                var m = nc.ReadMsg(TimeSpan.FromSeconds(1));
                if (m.Sid == connsSid)
                {
                    count++;
                    continue;
                }
                m.Subject.ShouldBe(inbox);
                m.PayloadText.ShouldBe(msg, "Wrong response msg");
                break;
            }
            nc.SendAndFlush("UNSUB 99\r\n");
        }
        Request(nc1, "_INBOX.r1", "1");
        Request(nc2, "_INBOX.r2", "1");

        // Go's wg.Wait: the remaining CONNS events arrive.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (count < expected)
        {
            DateTime.UtcNow.ShouldBeLessThan(deadline, $"only {count} of {expected} messages");
            foreach (var nc in new[] { nc1, nc2 })
            {
                if (!nc.WaitForLine(TimeSpan.FromMilliseconds(50))) continue;
                nc.ReadMsg().Sid.ShouldBe(connsSid);
                count++;
            }
        }
    }

    [Fact, GoTest("server/opts_test.go", "TestAccountUsersLoadedProperly")]
    public async Task AccountUsersLoadedProperly()
    {
        string conf = ConfFile("""
            listen: "127.0.0.1:-1"
            authorization {
              users [
                {user: ivan, password: bar}
                {nkey : UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX}
              ]
            }
            accounts {
              synadia {
                users [
                  {user: derek, password: foo}
                  {nkey : UBAAQWTW6CG2G6ANGNKB5U2B7HRWHSGMZEZX3AQSAJOQDAUGJD46LD2E}
                ]
              }
            }
            """);
        // Go repeats it: the order authorization and accounts were processed in once depended on map iteration.
        for (int i = 0; i < 20; i++)
        {
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
            s.Options.Users!.Count.ShouldBe(2);
            s.Options.Nkeys!.Count.ShouldBe(2);
        }
    }

    [Fact, GoTest("server/opts_test.go", "TestNewServerFromConfigFunctionality")]
    public void NewServerFromConfigFunctionality()
    {
        // A max_payload too large for the conf.
        string tooBig = ConfFile("max_payload = 3000000000\n");
        Should.Throw<ConfigProcessException>(() => NatsServer.FromConfig(new ServerOptions { ConfigFile = tooBig }));

        // Options that do not validate: max_pending below max_payload.
        string invalid = ConfFile("max_payload = 100000\nmax_pending = 50000\n");
        Should.Throw<ArgumentException>(() => NatsServer.FromConfig(new ServerOptions { ConfigFile = invalid }))
            .Message.ShouldContain("cannot be higher");
    }

    [Fact, GoTest("server/opts_test.go", "TestNewServerFromConfigVsLoadConfig")]
    public async Task NewServerFromConfigVsLoadConfig()
    {
        string conf = ConfFile("""
            port = 4224
            max_payload = 4194304
            max_connections = 200
            ping_interval = "30s"
            """);
        // Go's LoadConfig: the file processed first, no log.
        var loaded = ServerOptions.FromConfigFile(conf);
        loaded.NoLog = true;
        await using (new NatsServer(loaded)) { }

        var fromConfig = new ServerOptions { ConfigFile = conf, NoLog = true };
        await using (NatsServer.FromConfig(fromConfig)) { }

        OptionsComparer.Differences(loaded, fromConfig).ShouldBeEmpty();
        fromConfig.Port.ShouldBe(4224);
        fromConfig.MaxPayload.ShouldBe(4194304);
        fromConfig.MaxConnections.ShouldBe(200);
        fromConfig.PingInterval.ShouldBe(TimeSpan.FromSeconds(30));
    }

    /// <summary>Go's operatorJwtList: two operators (a version 1 and a version 2 JWT) and a system account set first.</summary>
    private const string OperatorJwtList = """
        listen: "127.0.0.1:-1"
        system_account = SYSACC
        operator: [
        eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiJJVEdJNjNCUUszM1VNN1pBSzZWT1RXNUZEU01ESlNQU1pRQ0RMNUlLUzZQTVhBU0ROQ01RIiwiaWF0IjoxNTg5ODM5MjA1LCJpc3MiOiJPQ1k2REUyRVRTTjNVT0RGVFlFWEJaTFFMSTdYNEdTWFI1NE5aQzRCQkxJNlFDVFpVVDY1T0lWTiIsIm5hbWUiOiJPUCIsInN1YiI6Ik9DWTZERTJFVFNOM1VPREZUWUVYQlpMUUxJN1g0R1NYUjU0TlpDNEJCTEk2UUNUWlVUNjVPSVZOIiwidHlwZSI6Im9wZXJhdG9yIiwibmF0cyI6eyJhY2NvdW50X3NlcnZlcl91cmwiOiJodHRwOi8vbG9jYWxob3N0OjgwMDAvand0L3YxIiwib3BlcmF0b3Jfc2VydmljZV91cmxzIjpbIm5hdHM6Ly9sb2NhbGhvc3Q6NDIyMiJdLCJzeXN0ZW1fYWNjb3VudCI6IkFEWjU0N0IyNFdIUExXT0s3VE1MTkJTQTdGUUZYUjZVTTJOWjRISE5JQjdSREZWWlFGT1o0R1FRIn19.3u710KqMLwgXwsMvhxfEp9xzK84XyAZ-4dd6QY0T6hGj8Bw9mS-HcQ7HbvDDNU01S61tNFfpma_JR6LtB3ixBg,
        eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiOiIzTVJCS1BRTU1IUjdOQVFQU080NUlWTlkyMzVMRlQyTEs0WkZFVU1KWU9EWUJXU0RXWlRBIiwiaWF0IjoxNzI2NTYwMjAwLCJpc3MiOiJPQkxPR1VCSVVQSkhGVE00RjRaTE9CR1BMSlBJRjRTR0JDWUVERUtFUVNNWVVaTVFTMkRGTUUyWCIsIm5hbWUiOiJvcDIiLCJzdWIiOiJPQkxPR1VCSVVQSkhGVE00RjRaTE9CR1BMSlBJRjRTR0JDWUVERUtFUVNNWVVaTVFTMkRGTUUyWCIsIm5hdHMiOnsic2lnbmluZ19rZXlzIjpbIk9ES0xMSTZWWldWNk03V1RaV0I3MjVITE9MVFFRVERLNE5RR1ZFR0Q0Q083SjJMMlVJWk81U0dXIl0sInN5c3RlbV9hY2NvdW50IjoiQUNRVFdWR1NHSFlWWTNSNkQyV01PM1Y2TFYyTUdLNUI3RzQ3RTQzQkhKQjZGUVZZN0VITlRNTUciLCJ0eXBlIjoib3BlcmF0b3IiLCJ2ZXJzaW9uIjoyfX0.8kUmC6CwGLTJSs1zj_blsMpP5b6n2jZhZFNvMPXvJlRyyR5ZbCsxJ442BimaxaiosS8T-IFcZAIphtiOcqhRCg
        ]
        """;

    /// <summary>Go's operatorJwtWithSysAccAndMemResolver: an operator with a system account, MEMORY resolver, preload.</summary>
    private const string OperatorJwtWithSysAccAndMemResolver = """
        listen: "127.0.0.1:-1"
        // Operator "TESTOP"
        operator: eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiJLRTZRU0tWTU1VWFFKNFZCTDNSNDdGRFlIWElaTDRZSE1INjVIT0k1UjZCNUpPUkxVQlZBIiwiaWF0IjoxNTg5OTE2MzgyLCJpc3MiOiJPQVRUVkJYTElVTVRRT1FXVUEySU0zRkdUQlFRSEFHUEZaQTVET05NTlFSUlRQUjYzTERBTDM1WiIsIm5hbWUiOiJURVNUT1AiLCJzdWIiOiJPQVRUVkJYTElVTVRRT1FXVUEySU0zRkdUQlFRSEFHUEZaQTVET05NTlFSUlRQUjYzTERBTDM1WiIsInR5cGUiOiJvcGVyYXRvciIsIm5hdHMiOnsic3lzdGVtX2FjY291bnQiOiJBRFNQT1lNSFhKTjZKVllRQ0xSWjVYUTVJVU42QTNTMzNYQTROVjRWSDc0NDIzVTdVN1lSNFlWVyJ9fQ.HiyUtlk8kectKHeQHtuqFcjFt0RbYZE_WAqPCcoWlV2IFVdXuOTzShYEMgDmtgvsFG_zxNQOj08Gr6a06ovwBA
        resolver: MEMORY
        resolver_preload: {
        // Account "TESTSYS"
        ADSPOYMHXJN6JVYQCLRZ5XQ5IUN6A3S33XA4NV4VH74423U7U7YR4YVW: eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiI2WEtYUFZNTjdEVFlBSUE0R1JDWUxXUElSM1ZEM1Q2UVk2RFg3NURHTVFVWkdVWTJSRFNRIiwiaWF0IjoxNTg5OTE2MzIzLCJpc3MiOiJPQVRUVkJYTElVTVRRT1FXVUEySU0zRkdUQlFRSEFHUEZaQTVET05NTlFSUlRQUjYzTERBTDM1WiIsIm5hbWUiOiJURVNUU1lTIiwic3ViIjoiQURTUE9ZTUhYSk42SlZZUUNMUlo1WFE1SVVONkEzUzMzWEE0TlY0Vkg3NDQyM1U3VTdZUjRZVlciLCJ0eXBlIjoiYWNjb3VudCIsIm5hdHMiOnsibGltaXRzIjp7InN1YnMiOi0xLCJjb25uIjotMSwibGVhZiI6LTEsImltcG9ydHMiOi0xLCJleHBvcnRzIjotMSwiZGF0YSI6LTEsInBheWxvYWQiOi0xLCJ3aWxkY2FyZHMiOnRydWV9fX0.vhtWanIrOncdNfg-yO-7L61ccc-yRacvVtEsaIgWBEmW4czlEPhsiF1MkUKG91rtgcbwUf73ZIFEfja5MgFBAQ
        }
        """;

    [Fact, GoTest("server/opts_test.go", "TestReadMultipleOperatorJWT")]
    public void ReadMultipleOperatorJwt()
    {
        var o = ProcessOk(ConfFile(OperatorJwtList));
        o.TrustedOperators.ShouldNotBeNull();
        o.TrustedOperators.Count.ShouldBe(2);
        o.TrustedOperators[0].Name.ShouldBe("OP");
        o.TrustedOperators[1].Name.ShouldBe("op2");
        o.TrustedOperators[0].SystemAccount.ShouldBe("ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ");
        o.TrustedOperators[1].SystemAccount.ShouldBe("ACQTWVGSGHYVY3R6D2WMO3V6LV2MGK5B7G47E43BHJB6FQVY7EHNTMMG");
        // system_account wins over the operators'.
        o.SystemAccount.ShouldBe("SYSACC");
    }

    [Fact, GoTest("server/opts_test.go", "TestReadOperatorJWTSystemAccountMatch")]
    public async Task ReadOperatorJwtSystemAccountMatch()
    {
        var o = ProcessOk(ConfFile(OperatorJwtWithSysAccAndMemResolver + "\nsystem_account: ADSPOYMHXJN6JVYQCLRZ5XQ5IUN6A3S33XA4NV4VH74423U7U7YR4YVW\n"));
        o.NoLog = true;
        await using var s = new NatsServer(o);
    }

    [Fact, GoTest("server/opts_test.go", "TestReadOperatorJWTSystemAccountMismatch")]
    public void ReadOperatorJwtSystemAccountMismatch()
    {
        var o = ProcessOk(ConfFile(OperatorJwtWithSysAccAndMemResolver + "\nsystem_account: ADXJJCDCSRSMCOV25FXQW7R4QOG7R763TVEXBNWJHLBMBGWOJYG5XZBG\n"));
        o.NoLog = true;
        Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain("system_account in config and operator JWT must be identical");
    }

    /// <summary>A conf with an operator asserting <paramref name="version"/> and a MEMORY resolver.</summary>
    private string AssertVersionConf(string version)
    {
        var kp = Auth.NKeyPair.Create(Auth.NKeys.PrefixOperator);
        string jwt = new Auth.Jwt.OperatorClaims(kp.PublicKey) { AssertServerVersion = version }.Encode(kp);
        return ConfFile($"operator: {jwt}\nresolver: MEM\n");
    }

    [Fact, GoTest("server/opts_test.go", "TestReadOperatorAssertVersion")]
    public async Task ReadOperatorAssertVersion()
    {
        var o = ProcessOk(AssertVersionConf("1.2.3"));
        o.NoLog = true;
        await using var s = new NatsServer(o);
    }

    [Fact, GoTest("server/opts_test.go", "TestReadOperatorAssertVersionFail")]
    public void ReadOperatorAssertVersionFail()
    {
        var o = ProcessOk(AssertVersionConf("10.20.30"));
        o.NoLog = true;
        Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain("expected major version 10 > server major version");
    }

    [Fact, GoTest("server/opts_test.go", "TestDefaultSentinel")]
    public void DefaultSentinel()
    {
        var o = ServerOptions.FromConfigFile(ConfFile("default_sentinel: \"hello\"\n"));
        o.DefaultSentinel.ShouldBe("hello");
        // Without an operator it does not validate.
        o.Validate().ShouldBe("default sentinel requires operators and accounts");
    }
}
