using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/opts_test.go for the cluster {} block and the cluster flags over it.</summary>
public sealed partial class OptsTests
{
    /// <summary>Go's server/configs/srv_a.conf.</summary>
    private const string SrvA = """
        # Cluster Server A

        listen: 127.0.0.1:7222

        cluster {
          listen: 127.0.0.1:7244
          name: "abc"

          authorization {
            user: ruser
            password: top_secret
            timeout: 0.5
          }

          # Routes are actively solicited and connected to from this server.
          # Other servers can connect to us if they supply the correct credentials
          # in their routes definitions from above.

          routes = [
            nats-route://ruser:top_secret@127.0.0.1:7246
          ]
        }
        """;

    /// <summary>Go's digest of srv_a.conf.</summary>
    private const string SrvADigest = "sha256:fe3c13f82637723989a9bbd0ad6d064b95d48971666af440d4196d9c0d3af979";

    /// <summary>The options Go's tests expect from srv_a.conf with <paramref name="routesStr"/> given as --routes.</summary>
    private static ServerOptions SrvAGolden(string path, string routesStr) => new()
    {
        ConfigFile = path,
        Host = "127.0.0.1",
        Port = 7222,
        Cluster = new ClusterOptions
        {
            Name = "abc", Host = "127.0.0.1", Port = 7244, Username = "ruser", Password = "top_secret", AuthTimeout = 0.5,
        },
        Routes = CommandLine.RoutesFromStr(routesStr),
        RoutesStr = routesStr,
        ConfigDigest = SrvADigest,
    };

    /// <summary>Go's checkOptionsEqual, plus the route URLs as written: Uri equality leaves out their credentials.</summary>
    private static void ShouldEqualGolden(ServerOptions actual, ServerOptions golden)
    {
        OptionsComparer.Differences(golden, actual).ShouldBeEmpty();
        actual.Routes.Select(u => u.OriginalString).ShouldBe(golden.Routes.Select(u => u.OriginalString));
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestRouteFlagOverride")]
    public void RouteFlagOverride()
    {
        const string routeFlag = "nats-route://ruser:top_secret@127.0.0.1:8246";
        string path = ConfFile(SrvA);
        var fopts = ProcessOk(path);

        var merged = CommandLine.Parse(["--routes", routeFlag], fopts);

        merged.Action.ShouldBe(CommandLineAction.Run);
        ShouldEqualGolden(merged.Options, SrvAGolden(path, routeFlag));
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestRouteFlagOverrideWithMultiple")]
    public void RouteFlagOverrideWithMultiple()
    {
        const string routeFlag = "nats-route://ruser:top_secret@127.0.0.1:8246, nats-route://ruser:top_secret@127.0.0.1:8266";
        string path = ConfFile(SrvA);
        var fopts = ProcessOk(path);

        var merged = CommandLine.Parse(["--routes", routeFlag], fopts);

        merged.Action.ShouldBe(CommandLineAction.Run);
        var golden = SrvAGolden(path, routeFlag);
        golden.Routes.Count.ShouldBe(2);
        ShouldEqualGolden(merged.Options, golden);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestListenConfig")]
    public void ListenConfig()
    {
        var o = ProcessOk(ConfFile("""
            # Test all permutations of listen address parsing, client, cluster and http.

            listen: 10.0.1.22:4422

            http: 127.0.0.1:8422
            https: 127.0.0.1:9443

            cluster {
              listen: 127.0.0.1:4244
              name: "abc"
            }
            """));
        o.SetBaselineOptions();

        o.Host.ShouldBe("10.0.1.22");
        o.HttpHost.ShouldBe("127.0.0.1");
        o.Port.ShouldBe(4422);
        o.Cluster.Host.ShouldBe("127.0.0.1");
        o.Cluster.Port.ShouldBe(4244);
        o.HttpPort.ShouldBe(8422);
        o.HttpsPort.ShouldBe(9443);
    }

    [Fact]
    [GoTest("server/opts_test.go", "TestMalformedClusterAddress")]
    public void MalformedClusterAddress() =>
        Process(ConfFile("# Test malformed cluster listen address\ncluster {\n  listen: 266.0.0.1:foo\n}\n")).Err.ShouldNotBeNull();

    private const string ClusterPermissionsTemplate = """
        cluster {
            port: 1234
            {0}
            authorization {
                user: ivan
                password: pwd
                permissions {
                    import {
                        allow: "foo"
                    }
                    export {
                        allow: "bar"
                    }
                }
            }
        }
        """;

    private static readonly string[] InvalidClusterPermissions =
    [
        "permissions: foo",
        "permissions {\n unknown_field: \"foo\"\n}",
        "permissions {\n import: [1, 2, 3]\n}",
        "permissions {\n import {\n  unknown_field: \"foo\"\n }\n}",
        "permissions {\n import {\n  allow {\n   x: y\n  }\n }\n}",
        "permissions {\n import {\n  deny {\n   x: y\n  }\n }\n}",
        "permissions {\n export: [1, 2, 3]\n}",
        "permissions {\n export {\n  unknown_field: \"foo\"\n }\n}",
        "permissions {\n export {\n  allow {\n   x: y\n  }\n }\n}",
        "permissions {\n export {\n  deny {\n   x: y\n  }\n }\n}",
    ];

    [Fact]
    [GoTest("server/opts_test.go", "TestClusterPermissionsConfig")]
    public void ClusterPermissionsConfig()
    {
        // Permissions in the cluster's authorization block are deprecated (a warning) but still applied.
        var o = ServerOptions.FromConfigFile(ConfFile(ClusterPermissionsTemplate.Replace("{0}", "")));
        o.Cluster.Permissions.ShouldNotBeNull();
        o.Cluster.Permissions.Import.ShouldNotBeNull();
        o.Cluster.Permissions.Import.Allow.ShouldBe(["foo"]);
        o.Cluster.Permissions.Export.ShouldNotBeNull();
        o.Cluster.Permissions.Export.Allow.ShouldBe(["bar"]);

        // The cluster block's own permissions win over the authorization block's.
        o = ServerOptions.FromConfigFile(ConfFile(ClusterPermissionsTemplate.Replace("{0}", """
            permissions {
                import {
                    allow: "baz"
                }
                export {
                    allow: "bat"
                }
            }
            """)));
        o.Cluster.Permissions.ShouldNotBeNull();
        o.Cluster.Permissions.Import.ShouldNotBeNull();
        o.Cluster.Permissions.Import.Allow.ShouldBe(["baz"]);
        o.Cluster.Permissions.Export.ShouldNotBeNull();
        o.Cluster.Permissions.Export.Allow.ShouldBe(["bat"]);

        foreach (var perms in InvalidClusterPermissions)
            Process(ConfFile($"cluster {{\n port: 1234\n {perms}\n}}\n")).Err.ShouldNotBeNull(perms);
        foreach (var perms in InvalidClusterPermissions)
            Process(ConfFile($"cluster {{\n port: 1234\n authorization {{\n  user: ivan\n  password: pwd\n  {perms}\n }}\n}}\n")).Err.ShouldNotBeNull(perms);
    }

    /// <summary>Go's cluster {} keys and aliases, each into its ClusterOptions field.</summary>
    [Fact]
    public void ClusterBlockKeys()
    {
        var o = ProcessOk(ConfFile("""
            cluster {
              name: "east"
              host: 10.0.0.1
              port: 6333
              advertise: "east.example.com:6333"
              no_advertise: true
              connect_retries: 5
              connect_backoff: true
              pool_size: 5
              accounts: ["A", "B"]
              compression: {mode: s2_auto, rtt_thresholds: ["10ms", "20ms"]}
              ping_interval: "20s"
              ping_max: 4
              write_deadline: "3s"
              write_timeout: close
            }
            """));
        var c = o.Cluster;
        c.Name.ShouldBe("east");
        c.Host.ShouldBe("10.0.0.1");
        c.Port.ShouldBe(6333);
        c.Advertise.ShouldBe("east.example.com:6333");
        c.NoAdvertise.ShouldBeTrue();
        c.ConnectRetries.ShouldBe(5);
        c.ConnectBackoff.ShouldBeTrue();
        c.PoolSize.ShouldBe(5);
        c.PinnedAccounts.ShouldBe(["A", "B"]);
        c.CompressionMode.ShouldBe("s2_auto");
        c.CompressionRttThresholds.ShouldBe([TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(20)]);
        c.PingInterval.ShouldBe(TimeSpan.FromSeconds(20));
        c.MaxPingsOut.ShouldBe(4);
        c.WriteDeadline.ShouldBe(TimeSpan.FromSeconds(3));
        c.WriteTimeout.ShouldBe(WriteTimeoutPolicy.Close);

        var n = ProcessOk(ConfFile("cluster {\n net: 10.0.0.2\n cluster_advertise: \"a:1\"\n accounts: \"A\"\n compression: true\n}\n"));
        n.Cluster.Host.ShouldBe("10.0.0.2");
        n.Cluster.Advertise.ShouldBe("a:1");
        n.Cluster.PinnedAccounts.ShouldBe(["A"]);
        n.Cluster.CompressionMode.ShouldBe("s2_fast");
        ProcessOk(ConfFile("cluster {\n compression: false\n}\n")).Cluster.CompressionMode.ShouldBe("off");
    }

    /// <summary>Go's errors for a cluster block, each at the value it is about.</summary>
    [Fact]
    public void ClusterBlockErrors()
    {
        ProcessFails(ConfFile("cluster: 1\n"), ":1:0: Expected map to define cluster, got int64");
        ProcessFails(ConfFile("cluster {\n  name: \"a b\"\n}\n"), ":2:3: cluster name cannot contain spaces");
        ProcessFails(ConfFile("cluster {\n  listen: \"a\"\n}\n"), ":2:3: could not parse address string \"a\"");
        ProcessFails(ConfFile("cluster {\n  authorization {\n    users: [{user: a, password: b}]\n  }\n}\n"),
            ":2:3: Cluster authorization does not allow multiple users");
        ProcessFails(ConfFile("cluster {\n  authorization {\n    token: abc\n  }\n}\n"), ":2:3: Cluster authorization does not support tokens");
        ProcessFails(ConfFile("cluster {\n  permissions {\n    import: \"foo\"\n    allow_responses: true\n  }\n}\n"),
            ":2:3: Cluster permissions do not support dynamic responses");
        ProcessFails(ConfFile("cluster {\n  permissions {\n    export: \"foo bar\"\n  }\n}\n"),
            ":2:3: cluster export allow: subject \"foo bar\" is not a valid subject");
        ProcessFails(ConfFile("cluster {\n  routes: [\"nats://127.0.0.1:abc\"]\n}\n"), ":2:13: error parsing route url [\"nats://127.0.0.1:abc\"]");
        ProcessFails(ConfFile("cluster {\n  routes: \"nats://127.0.0.1:4222\"\n}\n"),
            ":2:3: interface conversion: interface {} is string, not []interface {}");
        ProcessFails(ConfFile("cluster {\n  accounts: [\"A\", true]\n}\n"), ":2:19: error parsing accounts: unsupported type in array bool");
        ProcessFails(ConfFile("cluster {\n  accounts: 1\n}\n"), ":2:3: error parsing accounts: unsupported type int64");
        ProcessFails(ConfFile("cluster {\n  compression: 1\n}\n"), ":2:3: field \"compression\" should be a boolean or a structure, got int64");
        ProcessFails(ConfFile("cluster {\n  compression: {mode: s2_auto, rtts: [\"1x\"]}\n}\n"), "time: unknown unit \"x\" in duration \"1x\"");
        ProcessFails(ConfFile("cluster {\n  compression: {level: 3}\n}\n"), "unknown field \"level\"");
        ProcessFails(ConfFile("cluster {\n  write_timeout: never\n}\n"), ":2:3: write_timeout must be 'default', 'close' or 'retry'");
        ProcessFails(ConfFile("cluster {\n  unknown_field: 1\n}\n"), ":2:3: unknown field \"unknown_field\"");

        // Go collects every key's error in the block.
        var (_, err) = Process(ConfFile("cluster {\n  name: \"a b\"\n  foo: 1\n}\n"));
        err.ShouldBeOfType<ConfigProcessException>().Errors.Count.ShouldBe(2);
    }

    /// <summary>Route URLs are taken or refused as Go's url.Parse does (each case checked against nats-server 2.9.10).</summary>
    [Theory]
    [InlineData("nats://127.0.0.1:4222", true)]
    [InlineData("nats-route://u:p@127.0.0.1:4222", true)]
    [InlineData("nats://[::1]:4222", true)]
    [InlineData("localhost:4222", true)]
    [InlineData(" nats://a:1 ", true)]
    [InlineData("127.0.0.1:4222", false)]
    [InlineData("nats://127.0.0.1:abc", false)]
    [InlineData("nats://[::1:4222", false)]
    [InlineData("nats://a b:1", false)]
    [InlineData("nats://%zz@a:1", false)]
    [InlineData(":4222", false)]
    [InlineData("nats://u:p^q@a:1", false)]
    [InlineData("nats://a:1/p%2", false)]
    public void RouteUrlsAsGoParsesThem(string url, bool valid)
    {
        var (o, err) = Process(ConfFile($"cluster {{\n  routes: [\"{url}\"]\n}}\n"));
        if (valid)
        {
            err.ShouldBeNull();
            o.Routes.Select(u => u.OriginalString).ShouldBe([url.Trim()]);
        }
        else
        {
            err.ShouldNotBeNull().Message.ShouldContain($":2:13: error parsing route url [\"{url.Trim()}\"]");
        }
    }

    /// <summary>Route TLS is not built: a cluster tls {} block is refused rather than ignored.</summary>
    [Fact]
    public void ClusterTlsIsRefused() =>
        ProcessFails(ConfFile("cluster {\n  port: -1\n  tls {\n    cert_file: \"a.pem\"\n  }\n}\n"),
            ":3:3: route TLS (\"tls\" in cluster) is not supported yet by natsparity-server");

    /// <summary>Go's warnings from the cluster block: a repeated route, a ping interval above the route maximum,
    /// permissions in the authorization block.</summary>
    [Fact]
    public void ClusterBlockWarnings()
    {
        var (o, err) = Process(ConfFile("""
            cluster {
              routes: ["nats://127.0.0.1:1", "nats://127.0.0.1:1"]
              ping_interval: "1m"
              authorization {
                permissions { import: "foo" }
              }
            }
            """));
        var pe = err.ShouldBeOfType<ConfigProcessException>();
        pe.Errors.ShouldBeEmpty();
        pe.Warnings.Count.ShouldBe(3);
        pe.Warnings.ShouldContain(w => w.EndsWith(":2:35: invalid use of field \"nats://127.0.0.1:1\": Duplicate route entry detected"));
        pe.Warnings.ShouldContain(w => w.EndsWith(":3:3: Cluster 'ping_interval' will reset to 30s which is the max for routes"));
        pe.Warnings.ShouldContain(w => w.EndsWith(":4:3: invalid use of field \"authorization\": setting \"permissions\" within cluster authorization block is deprecated"));
        o.Routes.Count.ShouldBe(1);
        o.Cluster.Permissions!.Import!.Allow.ShouldBe(["foo"]);
    }
}
