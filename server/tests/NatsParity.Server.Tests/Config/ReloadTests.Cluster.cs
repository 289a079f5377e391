using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/reload_test.go for cluster options that one server checks on reload.</summary>
public sealed partial class ReloadTests
{
    /// <summary>Go's server/configs/reload/srv_a_1.conf, srv_b_1.conf and srv_c_1.conf: cluster A, then its listen
    /// port (B) or host and port (C) changed.</summary>
    private const string SrvA1 = "listen: 127.0.0.1:-1\ncluster {\n  listen: 127.0.0.1:7244\n  name: \"abc\"\n  routes = [\n    nats-route://127.0.0.1:7246\n  ]\n}\nno_sys_acc: true\n";
    private const string SrvB1 = "listen: 127.0.0.1:-1\ncluster {\n  listen: 127.0.0.1:7246\n  name: \"abc\"\n}\nno_sys_acc: true\n";
    private const string SrvC1 = "listen: 127.0.0.1:-1\ncluster {\n  listen: 127.0.0.1:7247\n  name: \"abc\"\n}\nno_sys_acc: true\n";

    [Fact]
    [GoTest("server/reload_test.go", "TestConfigReloadClusterHostUnsupported")]
    public async Task ConfigReloadClusterHostUnsupported()
    {
        var (s, conf) = Run(SrvA1);
        await using var _ = s;
        File.WriteAllText(conf, SrvC1);
        s.Reload().ShouldNotBeNull();
    }

    [Fact]
    [GoTest("server/reload_test.go", "TestConfigReloadClusterPortUnsupported")]
    public async Task ConfigReloadClusterPortUnsupported()
    {
        var (s, conf) = Run(SrvA1);
        await using var _ = s;
        File.WriteAllText(conf, SrvB1);
        s.Reload().ShouldNotBeNull();
    }

    /// <summary>Go's texts for what validateClusterOpts refuses, a random cluster port kept across reloads, and
    /// Go's validation of the new cluster options.</summary>
    [Fact]
    public async Task ConfigReloadClusterRefusals()
    {
        const string tmpl = "listen: 127.0.0.1:-1\ncluster {\n  listen: {0}\n  name: \"abc\"\n  {1}\n}\n";
        var (s, conf) = Run(tmpl.Replace("{0}", "127.0.0.1:-1").Replace("{1}", ""));
        await using var _ = s;
        int port = s.Options.Cluster.Port;

        File.WriteAllText(conf, tmpl.Replace("{0}", "127.0.0.1:-1").Replace("{1}", ""));
        s.Reload().ShouldBeNull();
        s.Options.Cluster.Port.ShouldBe(port);

        File.WriteAllText(conf, tmpl.Replace("{0}", "127.0.0.2:-1").Replace("{1}", ""));
        s.Reload().ShouldBe("config reload not supported for cluster host: old=127.0.0.1, new=127.0.0.2");

        File.WriteAllText(conf, tmpl.Replace("{0}", "127.0.0.1:-1").Replace("{1}", "advertise: \"addr:::123\""));
        s.Reload()!.ShouldStartWith("invalid Cluster.Advertise value of addr:::123, err=");

        // Go's TestConfigReloadRoutePoolCannotBeDisabledIfAccountsPresent: no pool with pinned accounts.
        File.WriteAllText(conf, tmpl.Replace("{0}", "127.0.0.1:-1").Replace("{1}", "accounts: [\"A\"]\n  pool_size: -1"));
        s.Reload().ShouldBe("pool_size cannot be negative if pinned accounts are specified");

        // Applying pool, account, compression or permission changes is not built yet; routes and the name are.
        File.WriteAllText(conf, tmpl.Replace("{0}", "127.0.0.1:-1").Replace("{1}", "pool_size: 5"));
        s.Reload().ShouldBe("config reload not supported for Cluster.PoolSize: old=3, new=5");
        File.WriteAllText(conf, tmpl.Replace("{0}", "127.0.0.1:-1").Replace("{1}", "routes: [\"nats://127.0.0.1:7246\"]"));
        s.Reload().ShouldBeNull();
        s.Options.Routes.Count.ShouldBe(1);
    }
}
