using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of conf/parse_test.go: the value tree of each input, variables, includes and Go's errors.</summary>
public sealed class ConfParserTests
{
    private static Dictionary<string, object?> M(params (string Key, object? Value)[] kvs)
    {
        var m = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (k, v) in kvs) m[k] = v;
        return m;
    }

    private static List<object?> L(params object?[] items) => [.. items];

    /// <summary>Go's reflect.DeepEqual on the parsed tree.</summary>
    private static bool Same(object? a, object? b) => (a, b) switch
    {
        (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
            x.Count == y.Count && x.All(kv => y.TryGetValue(kv.Key, out var w) && Same(kv.Value, w)),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => Same(p.First, p.Second)),
        _ => Equals(a, b),
    };

    private static string Show(object? v) => v switch
    {
        Dictionary<string, object?> m => "{" + string.Join(", ", m.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {Show(kv.Value)}")) + "}",
        List<object?> l => "[" + string.Join(", ", l.Select(Show)) + "]",
        string s => $"\"{s}\"",
        null => "null",
        _ => $"{v} ({v.GetType().Name})",
    };

    /// <summary>Go's test helper: the parsed tree equals the expected one.</summary>
    private static void Test(string data, Dictionary<string, object?> ex)
    {
        var m = ConfigParser.Parse(data);
        Same(m, ex).ShouldBeTrue($"Received: {Show(m)}\nExpected: {Show(ex)}");
    }

    /// <summary>A temporary directory holding a conf file and its includes; returns the conf file's path.</summary>
    private static string WriteFiles(string input, Dictionary<string, string>? includes = null)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"natsparity-conf-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        string f = Path.Combine(dir, "nats.conf-" + Guid.NewGuid().ToString("N")[..8]);
        File.WriteAllText(f, input);
        foreach (var (name, contents) in includes ?? [])
        {
            string p = Path.Combine(dir, name);
            Directory.CreateDirectory(Path.GetDirectoryName(p)!);
            File.WriteAllText(p, contents);
        }
        return f;
    }

    [Fact, GoTest("conf/parse_test.go", "TestSimpleTopLevel")]
    public void SimpleTopLevel() =>
        Test("foo='1'; bar=2.2; baz=true; boo=22", M(("foo", "1"), ("bar", 2.2), ("baz", true), ("boo", 22L)));

    [Fact, GoTest("conf/parse_test.go", "TestBools")]
    public void Bools()
    {
        var ex = M(("foo", true));
        Test("foo=true", ex);
        Test("foo=TRUE", ex);
        Test("foo=true", ex);
        Test("foo=yes", ex);
        Test("foo=on", ex);
    }

    private const string VarSample = "\n  index = 22\n  foo = $index\n";

    [Fact, GoTest("conf/parse_test.go", "TestSimpleVariable")]
    public void SimpleVariable() => Test(VarSample, M(("index", 22L), ("foo", 22L)));

    private const string VarNestedSample = "\n  index = 22\n  nest {\n    index = 11\n    foo = $index\n  }\n  bar = $index\n";

    [Fact, GoTest("conf/parse_test.go", "TestNestedVariable")]
    public void NestedVariable() =>
        Test(VarNestedSample, M(("index", 22L), ("nest", M(("index", 11L), ("foo", 11L))), ("bar", 22L)));

    [Fact, GoTest("conf/parse_test.go", "TestMissingVariable")]
    public void MissingVariable()
    {
        var e = Should.Throw<ConfigException>(() => ConfigParser.Parse("foo=$index"));
        e.Message.ShouldStartWith("variable reference");
    }

    [Fact, GoTest("conf/parse_test.go", "TestEnvVariable")]
    public void EnvVariable()
    {
        const string evar = "__UNIQ22_ENV__";
        using var _ = new EnvVars((evar, "22"));
        Test($"foo = ${evar}", M(("foo", 22L)));
    }

    [Fact, GoTest("conf/parse_test.go", "TestEnvVariableString")]
    public void EnvVariableString()
    {
        const string evar = "__UNIQ22_STR__";
        using var _ = new EnvVars((evar, "xyz"));
        Test($"foo = ${evar}", M(("foo", "xyz")));
    }

    [Fact, GoTest("conf/parse_test.go", "TestEnvVariableStringStartingWithNumber")]
    public void EnvVariableStringStartingWithNumber()
    {
        const string evar = "__UNIQ22_NUM__";
        using var _ = new EnvVars((evar, "3xyz"));
        // As in Go's test, the reference is the literal "$%s", which no variable answers.
        Should.Throw<ConfigException>(() => ConfigParser.Parse("foo = $%s"));
    }

    [Fact, GoTest("conf/parse_test.go", "TestEnvVariableStringStartingWithNumberAndSizeUnit")]
    public void EnvVariableStringStartingWithNumberAndSizeUnit()
    {
        const string evar = "__UNIQ22_SIZE__";
        using var _ = new EnvVars((evar, "3Gyz"));
        Test($"foo = ${evar}", M(("foo", "3Gyz")));
    }

    [Fact, GoTest("conf/parse_test.go", "TestEnvVariableStringStartingWithNumberUsingQuotes")]
    public void EnvVariableStringStartingWithNumberUsingQuotes()
    {
        const string evar = "__UNIQ22_QUOTE__";
        using var _ = new EnvVars((evar, "'3xyz'"));
        Test($"foo = ${evar}", M(("foo", "3xyz")));
    }

    [Fact, GoTest("conf/parse_test.go", "TestBcryptVariable")]
    public void BcryptVariable() => Test("password: $2a$11$ooo", M(("password", "$2a$11$ooo")));

    private const string EasyNum = """

        k = 8k
        kb = 4kb
        ki = 3ki
        kib = 4ki
        m = 1m
        mb = 2MB
        mi = 2Mi
        mib = 64MiB
        g = 2g
        gb = 22GB
        gi = 22Gi
        gib = 22GiB
        tb = 22TB
        ti = 22Ti
        tib = 22TiB
        pb = 22PB
        pi = 22Pi
        pib = 22PiB

        """;

    [Fact, GoTest("conf/parse_test.go", "TestConvenientNumbers")]
    public void ConvenientNumbers()
    {
        const long K = 1024;
        Test(EasyNum, M(
            ("k", 8L * 1000), ("kb", 4 * K), ("ki", 3 * K), ("kib", 4 * K), ("m", 1000L * 1000), ("mb", 2 * K * K),
            ("mi", 2 * K * K), ("mib", 64 * K * K), ("g", 2L * 1000 * 1000 * 1000), ("gb", 22 * K * K * K),
            ("gi", 22 * K * K * K), ("gib", 22 * K * K * K), ("tb", 22 * K * K * K * K), ("ti", 22 * K * K * K * K),
            ("tib", 22 * K * K * K * K), ("pb", 22 * K * K * K * K * K), ("pi", 22 * K * K * K * K * K),
            ("pib", 22 * K * K * K * K * K)));
    }

    [Fact, GoTest("conf/parse_test.go", "TestParseFileWithChecksDigestPreservesConfigKeyUsedAsVariable")]
    public void ParseFileWithChecksDigestPreservesConfigKeyUsedAsVariable()
    {
        string f = WriteFiles("\n\t\tport = 4222\n\t\tmonitor_port = $port\n\t");
        var m = ConfigParser.ParseFile(f);
        m.ShouldContainKey("port");
        ConfigParser.Digest(m).ShouldStartWith("sha256:");
    }

    private const string Sample1 = """

        foo  {
          host {
            ip   = '127.0.0.1'
            port = 4242
          }
          servers = [ "a.com", "b.com", "c.com"]
        }

        """;

    [Fact, GoTest("conf/parse_test.go", "TestSample1")]
    public void TestSample1() =>
        Test(Sample1, M(("foo", M(("host", M(("ip", "127.0.0.1"), ("port", 4242L))), ("servers", L("a.com", "b.com", "c.com"))))));

    private const string Cluster = """

        cluster {
          port: 4244

          authorization {
            user: route_user
            password: top_secret
            timeout: 1
          }

          # Routes are actively solicited and connected to from this server.
          # Other servers can connect to us if they supply the correct credentials
          # in their routes definitions from above.

          // Test both styles of comments

          routes = [
            nats-route://foo:bar@apcera.me:4245
            nats-route://foo:bar@apcera.me:4246
          ]
        }

        """;

    [Fact, GoTest("conf/parse_test.go", "TestSample2")]
    public void TestSample2() =>
        Test(Cluster, M(("cluster", M(
            ("port", 4244L),
            ("authorization", M(("user", "route_user"), ("password", "top_secret"), ("timeout", 1L))),
            ("routes", L("nats-route://foo:bar@apcera.me:4245", "nats-route://foo:bar@apcera.me:4246"))))));

    private const string Sample3 = "\nfoo  {\n  expr = '(true == \"false\")'\n  text = 'This is a multi-line\ntext block.'\n}\n";

    [Fact, GoTest("conf/parse_test.go", "TestSample3")]
    public void TestSample3() =>
        Test(Sample3, M(("foo", M(("expr", "(true == \"false\")"), ("text", "This is a multi-line\ntext block.")))));

    private const string Sample4 = "\n  array [\n    { abc: 123 }\n    { xyz: \"word\" }\n  ]\n";

    [Fact, GoTest("conf/parse_test.go", "TestSample4")]
    public void TestSample4() => Test(Sample4, M(("array", L(M(("abc", 123L)), M(("xyz", "word"))))));

    private const string Sample5 = "\n  now = 2016-05-04T18:53:41Z\n  gmt = false\n\n";

    [Fact, GoTest("conf/parse_test.go", "TestSample5")]
    public void TestSample5() =>
        Test(Sample5, M(("now", new DateTime(2016, 5, 4, 18, 53, 41, DateTimeKind.Utc)), ("gmt", false)));

    [Fact, GoTest("conf/parse_test.go", "TestIncludes")]
    public void Includes()
    {
        // Go's test files conf/simple.conf, conf/includes/users.conf and conf/includes/passwords.conf.
        string f = WriteFiles("listen: 127.0.0.1:4222\n\nauthorization {\n  include 'includes/users.conf' # Pull in from file\n  timeout: 0.5\n}\n",
            new Dictionary<string, string>
            {
                ["includes/users.conf"] = "# Users configuration\n\ninclude ./passwords.conf;\n\nusers = [\n  {user: alice, password: $ALICE_PASS}\n  {user: bob,   password: $BOB_PASS}\n]\n",
                ["includes/passwords.conf"] = "# Just foo & bar for testing\nALICE_PASS: $2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\nBOB_PASS: $2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly\n",
            });
        const string alice = "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q";
        const string bob = "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly";
        var ex = M(("listen", "127.0.0.1:4222"), ("authorization", M(
            ("ALICE_PASS", alice), ("BOB_PASS", bob),
            ("users", L(M(("user", "alice"), ("password", alice)), M(("user", "bob"), ("password", bob)))),
            ("timeout", 0.5))));
        var m = ConfigParser.ParseFile(f);
        Same(m, ex).ShouldBeTrue($"Received: {Show(m)}\nExpected: {Show(ex)}");
    }

    [Fact, GoTest("conf/parse_test.go", "TestParserNoInfiniteLoop")]
    public void ParserNoInfiniteLoop()
    {
        foreach (var test in new[] { "A@@Føøøø?˛ø:{øøøø˙˙", "include \"9/\uFFFD" })
        {
            var e = Should.Throw<ConfigException>(() => ConfigParser.Parse(test));
            e.Message.ShouldContain("Unexpected EOF");
        }
    }

    [Theory, GoTest("conf/parse_test.go", "TestParseWithNoValuesAreInvalid")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "config is invalid (:1:41)")]
    [InlineData("              aaaaaaaaaaaaaaaaaaaaaaaaaaa", "config is invalid (:1:41)")]
    [InlineData("     aaaaaaaaaaaaaaaaaaaaaaaaaaa         ", "config is invalid (:1:41)")]
    [InlineData("\n          \t\t# with comments and no spaces to create key values\n         \t\t# is also an invalid config.\n         \t\taaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n                        ", "config is invalid (:5:25)")]
    [InlineData("\n                        a,a,a,a,a,a,a,a,a,a,a\n                        ", "config is invalid (:3:25)")]
    public void ParseWithNoValuesAreInvalid(string conf, string err)
    {
        var e = Should.Throw<ConfigException>(() => ConfigParser.Parse(conf));
        e.Message.ShouldContain(err);
    }

    [Theory, GoTest("conf/parse_test.go", "TestParseWithNoValuesEmptyConfigsAreValid")]
    [InlineData("")]
    [InlineData("\n\n\n                        ")]
    [InlineData("\n                        # just comments with no values\n                        # is still valid.\n                        ")]
    public void ParseWithNoValuesEmptyConfigsAreValid(string conf) => ConfigParser.Parse(conf).ShouldNotBeNull();

    [Theory, GoTest("conf/parse_test.go", "TestParseWithTrailingBracketsAreValid")]
    [InlineData("{}")]
    [InlineData("\n                        {\n                        # comments in the body\n                        }\n                        ")]
    [InlineData("\n                        accounts { users = [{}]}\n                        }\n                        ")]
    [InlineData("{\n                          accounts { users = [{}]}\n                        }\n                        ")]
    public void ParseWithTrailingBracketsAreValid(string conf) => ConfigParser.Parse(conf).ShouldNotBeNull();

    [Fact, GoTest("conf/parse_test.go", "TestParseWithNoValuesIncludes")]
    public void ParseWithNoValuesIncludes()
    {
        foreach (var (input, includes, err, linepos) in new[]
                 {
                     ("# includes\n\t\t\taccounts {\n                          foo { include 'foo.conf'}\n                          bar { users = [{user = \"bar\"}] }\n                          quux { include 'quux.conf'}\n                        }\n                        ",
                         new Dictionary<string, string> { ["foo.conf"] = "", ["quux.conf"] = "?????????????" },
                         "error parsing include file 'quux.conf', config is invalid", "quux.conf:1:1"),
                     ("# includes\n\t\t\taccounts {\n                          foo { include 'foo.conf'}\n                          bar { include 'bar.conf'}\n                          quux { include 'quux.conf'}\n                        }\n                        ",
                         new Dictionary<string, string>
                         {
                             ["foo.conf"] = "", ["bar.conf"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                             ["quux.conf"] = "\n                                   # just some comments,\n                                   # and no key values also ok.\n                                ",
                         },
                         "error parsing include file 'bar.conf', config is invalid", "bar.conf:1:34"),
                 })
        {
            string f = WriteFiles(input, includes);
            var e = Should.Throw<ConfigException>(() => ConfigParser.ParseFile(f));
            e.Message.ShouldContain(err);
            e.Message.ShouldContain(linepos);
        }
    }

    [Fact, GoTest("conf/parse_test.go", "TestJSONParseCompat")]
    public void JsonParseCompat()
    {
        var cases = new (string Name, string Input, Dictionary<string, string>? Includes, Dictionary<string, object?> Expected)[]
        {
            ("JSON with nested blocks",
                "\n                        {\n                          \"http_port\": 8227,\n                          \"port\": 4227,\n                          \"write_deadline\": \"1h\",\n                          \"cluster\": {\n                            \"port\": 6222,\n                            \"routes\": [\n                              \"nats://127.0.0.1:4222\",\n                              \"nats://127.0.0.1:4223\",\n                              \"nats://127.0.0.1:4224\"\n                            ]\n                          }\n                        }\n                        ",
                null,
                M(("http_port", 8227L), ("port", 4227L), ("write_deadline", "1h"),
                    ("cluster", M(("port", 6222L), ("routes", L("nats://127.0.0.1:4222", "nats://127.0.0.1:4223", "nats://127.0.0.1:4224")))))),
            ("JSON with nested blocks",
                "{\n                          \"jetstream\": {\n                            \"store_dir\": \"/tmp/nats\"\n                            \"max_mem\": 1000000,\n                          },\n                          \"port\": 4222,\n                          \"server_name\": \"nats1\"\n                        }\n                        ",
                null,
                M(("jetstream", M(("store_dir", "/tmp/nats"), ("max_mem", 1_000_000L))), ("port", 4222L), ("server_name", "nats1"))),
            ("JSON empty object in one line", "{}", null, M()),
            ("JSON empty object with line breaks", "\n                        {\n                        }\n                        ", null, M()),
            ("JSON includes",
                "\n                        accounts {\n                          foo  { include 'foo.json'  }\n                          bar  { include 'bar.json'  }\n                          quux { include 'quux.json' }\n                        }\n                        ",
                new Dictionary<string, string>
                {
                    ["foo.json"] = "{ \"users\": [ {\"user\": \"foo\"} ] }",
                    ["bar.json"] = "{\n                                  \"users\": [ {\"user\": \"bar\"} ]\n                                }",
                    ["quux.json"] = "{}",
                },
                M(("accounts", M(("foo", M(("users", L(M(("user", "foo")))))), ("bar", M(("users", L(M(("user", "bar")))))), ("quux", M()))))),
        };
        foreach (var (name, input, includes, expected) in cases)
        {
            var m = ConfigParser.ParseFile(WriteFiles(input, includes));
            Same(m, expected).ShouldBeTrue($"{name}\nReceived: {Show(m)}\nExpected: {Show(expected)}");
        }
    }

    [Fact, GoTest("conf/parse_test.go", "TestBlocks")]
    public void Blocks()
    {
        var listen = M(("listen", "0.0.0.0:4222"));
        var cases = new (string Name, string Input, Dictionary<string, object?> Expected)[]
        {
            ("inline block", "{ listen: 0.0.0.0:4222 }", listen),
            ("newline block", "{\n\t\t\t\tlisten: 0.0.0.0:4222\n\t\t\t }", listen),
            ("newline block with trailing comment", "\n\t\t\t{\n\t\t\t\tlisten: 0.0.0.0:4222\n\t\t\t}\n\t\t\t# wibble\n\t\t\t", listen),
            ("nested newline blocks with trailing comment",
                "\n\t\t\t{\n\t\t\t\t{\n\t\t\t\t\tlisten: 0.0.0.0:4222 // random comment\n\t\t\t\t}\n\t\t\t\t# wibble1\n\t\t\t}\n\t\t\t# wibble2\n\t\t\t", listen),
            ("top line values in block scope",
                "\n\t\t\t{\n\t\t\t  \"debug\":              False\n\t\t\t  \"prof_port\":          8221\n\t\t\t  \"server_name\":        \"aws-useast2-natscj1-1\"\n\t\t\t}\n\t\t\t",
                M(("debug", false), ("prof_port", 8221L), ("server_name", "aws-useast2-natscj1-1"))),
            ("comment in block scope after value parse",
                "\n\t\t\t{\n\t\t\t  \"debug\":              False\n\t\t\t  \"server_name\":        \"gcp-asianortheast3-natscj1-1\"\n\n\t\t\t  # Profile port specification.\n\t\t\t  \"prof_port\":          8221\n\t\t\t}\n\t\t\t",
                M(("debug", false), ("prof_port", 8221L), ("server_name", "gcp-asianortheast3-natscj1-1"))),
        };
        foreach (var (name, input, expected) in cases)
        {
            var m = ConfigParser.ParseFile(WriteFiles(input));
            Same(m, expected).ShouldBeTrue($"{name}\nReceived: {Show(m)}\nExpected: {Show(expected)}");
        }
    }

    [Fact, GoTest("conf/parse_test.go", "TestParseDigest")]
    public void ParseDigest()
    {
        const string fooBar = "sha256:226e49e13d16e5e8aa0d62e58cd63361bf097d3e2b2444aa3044334628a2e8de";
        const string includesDigest = "sha256:e72d70c91b64b0f880f86decb95ec2600cbdcf8bdcd2355fce5ebc54a84a77e9";
        var cases = new (string Input, Dictionary<string, string>? Includes, string Digest)[]
        {
            ("foo = bar", null, fooBar),
            ("# Comments and whitespace have no effect\n                        foo = bar\n                        ", null, fooBar),
            ("# Syntax changes have no effect\n                        'foo': 'bar'\n                        ", null, fooBar),
            ("# Syntax changes have no effect\n                        { 'foo': 'bar' }\n                        ", null, fooBar),
            ("# substitutions\n                        BAR_USERS = { users = [ {user = \"bar\"} ]}\n                        hello = 'world'\n                        accounts {\n                          QUUX_USERS = [ { user: quux }]\n                          bar = $BAR_USERS\n                          quux = { users = $QUUX_USERS }\n                        }\n                        very { nested { env { VAR = 'NESTED', quux = $VAR }}}\n                        ",
                null, "sha256:bddb282343249c26d3edcef9bfaa9d2711505fc67210380e871405ba394a9186"),
            ("# substitutions, same as previous one without env vars.\n                        hello = 'world'\n                        accounts {\n                          bar  = { users = [ { user = \"bar\" } ]}\n                          quux = { users = [ { user: quux   } ]}\n                        }\n                        very { nested { env { quux = 'NESTED' }}}\n                        ",
                null, "sha256:34f8faf3f269fe7509edc4742f20c8c4a7ad51fe21f8b361764314b533ac3ab5"),
            ("# substitutions\n                        BAR_USERS = { users = [ {user = \"foo\"} ]}\n                        bar = $BAR_USERS\n                        accounts {\n                          users = $BAR_USERS\n                        }\n                        ",
                null, "sha256:b0e2ba0b8ec2cb75681b5c5d61789cda0c9942c2f9fe16cdb7f6703364485360"),
            ("# substitutions\n                        bar = { users = [ {user = \"foo\"} ]}\n                        accounts {\n                          users = { users = [ {user = \"foo\"} ]}\n                        }\n                        ",
                null, "sha256:f5d943b4ed22b80c6199203f8a7eaa8eb68ef7b2d46ef6b1b26f05e21f8beb13"),
            ("# includes\n\t\t\taccounts {\n                          foo { include 'foo.conf'}\n                          bar { users = [{user = \"bar\"}] }\n                          quux { include 'quux.conf'}\n                        }\n                        ",
                new Dictionary<string, string> { ["foo.conf"] = " users = [{user = \"foo\"}]", ["quux.conf"] = " users = [{user = \"quux\"}]" },
                includesDigest),
            ("# includes\n\t\t\taccounts {\n                          foo { include 'foo.conf'}\n                          bar { include 'bar.conf'}\n                          quux { include 'quux.conf'}\n                        }\n                        ",
                new Dictionary<string, string>
                {
                    ["foo.conf"] = " users = [{user = \"foo\"}]", ["bar.conf"] = " users = [{user = \"bar\"}]",
                    ["quux.conf"] = " users = [{user = \"quux\"}]",
                },
                includesDigest),
        };
        foreach (var (input, includes, digest) in cases)
            ConfigParser.Digest(ConfigParser.ParseFile(WriteFiles(input, includes))).ShouldBe(digest, input);
    }

    private const string VarIncludedVariablesSample = """

        authorization {

          include "./includes/passwords.conf"

          CAROL_PASS: foo

          users = [
           {user: alice, password: $ALICE_PASS}
           {user: bob,   password: $BOB_PASS}
           {user: carol, password: $CAROL_PASS}
          ]
        }
        """;

    /// <summary>Go's pedantic parse keeps each value's place: the key's line and position, and for values from an
    /// included file, that file's.</summary>
    [Fact, GoTest("conf/parse_test.go", "TestIncludeVariablesWithChecks")]
    public void IncludeVariablesWithChecks()
    {
        string f = WriteFiles(VarIncludedVariablesSample, new()
        {
            ["includes/passwords.conf"] = "# two bcrypt hashes\n" +
                "ALICE_PASS: $2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q\n" +
                "BOB_PASS: $2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly\n",
        });
        var m = ConfigParser.ParseFile(f);
        m.ShouldContainKey("authorization");
        var auth = (Dictionary<string, object?>)m["authorization"]!;

        void ExpectKeyVal(string key, string value, int line, int pos)
        {
            auth.ShouldContainKey(key);
            auth[key].ShouldBe(value);
            var at = ConfigParser.PositionOf(auth, key);
            at.ShouldNotBeNull(key);
            at.Line.ShouldBe(line, key);
            at.Pos.ShouldBe(pos, key);
        }
        ExpectKeyVal("ALICE_PASS", "$2a$10$UHR6GhotWhpLsKtVP0/i6.Nh9.fuY73cWjLoJjb2sKT8KISBcUW5q", 2, 1);
        ExpectKeyVal("BOB_PASS", "$2a$11$dZM98SpGeI7dCFFGSpt.JObQcix8YHml4TBUZoge9R1uxnMIln5ly", 3, 1);
        ExpectKeyVal("CAROL_PASS", "foo", 6, 3);
    }
}
