using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/routes_test.go (and the cluster parts of opts_test.go) that check cluster options as
/// parsed, defaulted and validated when a server is created, without routes between servers.</summary>
public sealed class RouteOptionsTests
{
    /// <summary>Go's server/configs/cluster.conf.</summary>
    private const string ClusterConf = """
        # Cluster config file

        port: 4242
        net: 127.0.0.1

        authorization {
          user:     derek
          password: porkchop
          timeout:  1
        }

        pid_file: '/tmp/nats-server/nats_cluster_test.pid'

        cluster {
          host: 127.0.0.1
          port: 4244
          name: "abc"

          authorization {
            user: route_user
            password: top_secret
            timeout: 1
          }

          # Routes are actively solicited and connected to from this server.
          # Other servers can connect to us if they supply the correct credentials
          # in their routes definitions from above.

          routes = [
            nats-route://foo:bar@127.0.0.1:4245
            nats-route://foo:bar@127.0.0.1:4246
          ]

          no_advertise: true
          connect_retries: 2
          connect_backoff: true
        }
        """;

    [Fact]
    [GoTest("server/routes_test.go", "TestRouteConfig")]
    public void RouteConfig()
    {
        string path = InProcess.WriteConf(ClusterConf);
        var opts = new ServerOptions();
        opts.ProcessConfigFile(path);

        var golden = new ServerOptions
        {
            ConfigFile = path,
            Host = "127.0.0.1",
            Port = 4242,
            Username = "derek",
            Password = "porkchop",
            AuthTimeout = TimeSpan.FromSeconds(1),
            Cluster = new ClusterOptions
            {
                Name = "abc", Host = "127.0.0.1", Port = 4244, Username = "route_user", Password = "top_secret",
                AuthTimeout = 1, NoAdvertise = true, ConnectRetries = 2, ConnectBackoff = true,
            },
            PidFile = "/tmp/nats-server/nats_cluster_test.pid",
            ConfigDigest = "sha256:b2f6d54063e43a85f5a09d198204f044bc154f9f9ccfb84e47d5762091aec487",
            AuthBlockDefined = true,
            Routes = [new Uri("nats-route://foo:bar@127.0.0.1:4245"), new Uri("nats-route://foo:bar@127.0.0.1:4246")],
        };

        OptionsComparer.Differences(golden, opts).ShouldBeEmpty();
        opts.Routes.Select(u => u.OriginalString).ShouldBe(golden.Routes.Select(u => u.OriginalString));
    }

    private static (string Mode, string Conf, int[] RttMs, string Expected, TimeSpan[]? Rtts)[] CompressionCases()
    {
        static TimeSpan Ms(int ms) => TimeSpan.FromMilliseconds(ms);
        TimeSpan[] defaults = [.. CompressionModes.DefaultS2AutoRttThresholds];
        return
        [
            ("true", "true", [], CompressionModes.S2Fast, null),
            ("enabled", "enabled", [], CompressionModes.S2Fast, null),
            ("EnaBled", "EnaBled", [], CompressionModes.S2Fast, null),
            ("on", "on", [], CompressionModes.S2Fast, null),
            ("ON", "ON", [], CompressionModes.S2Fast, null),
            ("fast", "fast", [], CompressionModes.S2Fast, null),
            ("Fast", "Fast", [], CompressionModes.S2Fast, null),
            ("s2_fast", "s2_fast", [], CompressionModes.S2Fast, null),
            ("s2_Fast", "s2_Fast", [], CompressionModes.S2Fast, null),
            ("false", "false", [], CompressionModes.Off, null),
            ("disabled", "disabled", [], CompressionModes.Off, null),
            ("DisableD", "DisableD", [], CompressionModes.Off, null),
            ("off", "off", [], CompressionModes.Off, null),
            ("OFF", "OFF", [], CompressionModes.Off, null),
            ("better", "better", [], CompressionModes.S2Better, null),
            ("Better", "Better", [], CompressionModes.S2Better, null),
            ("s2_better", "s2_better", [], CompressionModes.S2Better, null),
            ("S2_BETTER", "S2_BETTER", [], CompressionModes.S2Better, null),
            ("best", "best", [], CompressionModes.S2Best, null),
            ("BEST", "BEST", [], CompressionModes.S2Best, null),
            ("s2_best", "s2_best", [], CompressionModes.S2Best, null),
            ("S2_BEST", "S2_BEST", [], CompressionModes.S2Best, null),
            ("auto", "auto", [], CompressionModes.S2Auto, defaults),
            ("s2_auto", "s2_auto", [], CompressionModes.S2Auto, defaults),
            ("{mode: auto, rtt_thresholds: [%s]}", "", [1], CompressionModes.S2Auto, [Ms(1)]),
            ("{Mode: Auto, thresholds: [%s]}", "", [1, 2], CompressionModes.S2Auto, [Ms(1), Ms(2)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [1, 2, 3], CompressionModes.S2Auto, [Ms(1), Ms(2), Ms(3)]),
            ("{mode: s2_AUTO, thresholds: [%s]}", "", [1, 2, 3, 4], CompressionModes.S2Auto, [Ms(1), Ms(2), Ms(3), Ms(4)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [-10, 5, 10], CompressionModes.S2Auto, [Ms(0), Ms(5), Ms(10)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [5, 10, 15], CompressionModes.S2Auto, [Ms(5), Ms(10), Ms(15)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [0, 5, 10], CompressionModes.S2Auto, [Ms(0), Ms(5), Ms(10)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [5, 10, 0, 20], CompressionModes.S2Auto, [Ms(5), Ms(10), Ms(0), Ms(20)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [0, 10, 0, 20], CompressionModes.S2Auto, [Ms(0), Ms(10), Ms(0), Ms(20)]),
            ("{mode: s2_auto, thresholds: [%s]}", "", [0, 0, 0, 20], CompressionModes.S2Auto, [Ms(0), Ms(0), Ms(0), Ms(20)]),
            ("{mode: s2_auto, rtt_thresholds: [%s]}", "", [0, 10, 0, 0], CompressionModes.S2Auto, [Ms(0), Ms(10)]),
        ];
    }

    [Fact]
    [GoTest("server/routes_test.go", "TestRouteCompressionOptions")]
    public async Task RouteCompressionOptions()
    {
        foreach (var (mode, _, rttMs, expected, rtts) in CompressionCases())
        {
            string val = rttMs.Length > 0 ? mode.Replace("%s", string.Join(", ", rttMs.Select(v => $"{v}ms"))) : mode;
            ServerOptions o;
            await using (var s = InProcess.RunConf($"port: -1\ncluster {{\n  port: -1\n  compression: {val}\n}}\n"))
            {
                o = s.Options;
                o.Cluster.CompressionMode.ShouldBe(expected, val);
                o.Cluster.CompressionRttThresholds.ShouldBe(rtts ?? [], ignoreOrder: false, customMessage: val);
            }

            // The same mode set in the options rather than the conf file.
            o.Port = ServerOptions.RandomPort;
            o.Cluster.Port = -1;
            o.Cluster.CompressionMode = mode;
            if (rttMs.Length > 0)
            {
                o.Cluster.CompressionMode = CompressionModes.S2Auto;
                o.Cluster.CompressionRttThresholds = [.. rttMs.Select(v => TimeSpan.FromMilliseconds(v))];
            }
            await using (InProcess.Run(o))
            {
                o.Cluster.CompressionMode.ShouldBe(expected, val);
                o.Cluster.CompressionRttThresholds.ShouldBe(rtts ?? [], ignoreOrder: false, customMessage: val);
            }
        }

        // Without a compression setting, a cluster accepts compression when the remote asks for it.
        await using (var s = InProcess.RunConf("port: -1\ncluster {\n  port: -1\n}\n"))
            s.Options.Cluster.CompressionMode.ShouldBe(CompressionModes.Accept);

        (string Mode, TimeSpan[] Rtts, string Err)[] invalid =
        [
            ("gzip", [], "unsupported"),
            ("s2_auto", [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(2)], "ascending"),
            ("s2_auto", [.. new[] { 5, 10, 20, 40, 60 }.Select(v => TimeSpan.FromMilliseconds(v))], "more than 4"),
            ("s2_auto", [TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero], "at least one"),
            ("s2_auto", [TimeSpan.Zero], "at least one"),
        ];
        foreach (var (mode, rtts, err) in invalid)
        {
            var o = new ServerOptions { NoLog = true, Port = ServerOptions.RandomPort };
            o.Cluster.Port = -1;
            o.Cluster.CompressionMode = mode;
            o.Cluster.CompressionRttThresholds = [.. rtts];
            Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain(err);
        }
    }

    /// <summary>Go's validateCluster errors at server creation, with Go's texts.</summary>
    [Fact]
    public void ValidateClusterErrors()
    {
        static string? Validate(Action<ServerOptions> set)
        {
            var o = new ServerOptions();
            o.Cluster.Port = -1;
            set(o);
            o.SetBaselineOptions();
            return o.Validate();
        }

        Validate(o => o.Cluster.Name = "a b").ShouldBe("cluster name cannot contain spaces");
        Validate(o => o.Cluster.Permissions = new RoutePermissions { Export = new SubjectPermission { Deny = ["admin.secret workers"] } })
            .ShouldBe("cluster export deny: subject \"admin.secret workers\" is not a valid subject");
        Validate(o => o.Cluster.Permissions = new RoutePermissions { Import = new SubjectPermission { Allow = ["foo."] } })
            .ShouldBe("cluster import allow: subject \"foo.\" is not a valid subject");
        Validate(o => o.Cluster.CompressionMode = "gzip").ShouldBe("unsupported compression mode \"gzip\"");
        Validate(o =>
        {
            o.Cluster.CompressionMode = "s2_auto";
            o.Cluster.CompressionRttThresholds = [TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(2)];
        }).ShouldBe("RTT threshold values [5ms 2ms] should be in ascending order");
        Validate(o =>
        {
            o.Cluster.PoolSize = -1;
            o.Cluster.PinnedAccounts = ["A"];
        }).ShouldBe("pool_size cannot be negative if pinned accounts are specified");
        Validate(o => o.Cluster.PinnedAccounts = ["abc", "def", "abc"])
            .ShouldBe("found duplicate account name \"abc\" in pinned accounts list [\"abc\" \"def\" \"abc\" \"$SYS\"]");

        // Go's setBaselineOptions pins the system account (unless pooling is off or there is no system account).
        var ok = new ServerOptions();
        ok.Cluster.Port = -1;
        ok.SetBaselineOptions();
        ok.Validate().ShouldBeNull();
        ok.Cluster.PinnedAccounts.ShouldBe(["$SYS"]);
        ok.Cluster.PoolSize.ShouldBe(ClusterOptions.DefaultPoolSize);
    }
}
