using NatsParity.Server.Config;
using System.Text.Json;
using NatsParity.Server.Monitoring;
using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>More ports of server/reload_test.go: users arrays, permissions, advertise, control line and varz.</summary>
public sealed partial class ReloadTests
{
    /// <summary>configs/reload/multiple_users_1.conf (alice's password foo) and _2.conf (baz); bob's stays bar.</summary>
    private static string MultipleUsers(string alicePassword) => $$"""
        listen: 127.0.0.1:-1
        authorization {
          users = [
            {user: alice, password: {{alicePassword}}}
            {user: bob,   password: bar}
          ]
        }
        """;

    private static readonly string MultipleUsers1 = MultipleUsers("foo"), MultipleUsers2 = MultipleUsers("baz");

    private static string User(string name, string pass) => $"{{\"verbose\":false,\"user\":\"{name}\",\"pass\":\"{pass}\"}}";

    private static string Token(string token) => $"{{\"verbose\":false,\"auth_token\":\"{token}\"}}";

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadRotateUsersAuthentication")]
    public async Task ConfigReloadRotateUsersAuthentication()
    {
        var (s, conf) = Run(MultipleUsers1);
        await using var _ = s;
        using var nc = ConnectOk(s, User("alice", "foo"));
        // bob's credentials do not change.
        using var nc2 = Subscribed(s, "bob", "bar", "foo");

        File.WriteAllText(conf, MultipleUsers2);
        s.Reload().ShouldBeNull();

        ExpectRefused(s, User("alice", "foo"));
        ConnectOk(s, User("alice", "baz")).Dispose();
        ExpectAuthorizationDisconnect(nc);

        nc2.Send("PUB foo 5\r\nhello\r\nPING\r\n");
        nc2.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("hello");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadEnableUsersAuthentication")]
    public Task ConfigReloadEnableUsersAuthentication() =>
        ReloadAuth(Basic, NoCreds, MultipleUsers1, User("alice", "foo"), ExpectAuthorizationDisconnect);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadDisableUsersAuthentication")]
    public Task ConfigReloadDisableUsersAuthentication() =>
        ReloadAuth(MultipleUsers1, User("alice", "foo"), Basic, NoCreds, ExpectNoError, oldRefused: false);

    /// <summary>Roles as variables: a super user, a requester that reads its inbox, and defaults for everyone else.</summary>
    private static string Authorization(string reqPub, string reqSub, string defaultDeny) => $$"""
        listen: 127.0.0.1:-1
        authorization {
          super_user = {
            publish = ">"
            subscribe = ">"
          }
          req_pub_user = {
            publish = {{reqPub}}
            subscribe = {{reqSub}}
          }
          default_user = {
            subscribe = {
              allow: ["PUBLIC.>", "foo.*"]
              deny: {{defaultDeny}}
            }
          }
          default_permissions: $default_user
          users = [
            {user: alice, password: foo, permissions: $super_user}
            {user: bob,   password: bar, permissions: $req_pub_user}
            {user: susan, password: baz}
          ]
        }
        """;

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadChangePermissions")]
    public async Task ConfigReloadChangePermissions()
    {
        var (s, conf) = Run(Authorization("[\"req.foo\", \"req.bar\"]", "\"_INBOX.>\"", "\"foo.bar\""));
        await using var _ = s;

        // bob reads _INBOX.> and requests on req.foo; alice serves req.foo and writes to inboxes.
        using var nc = ConnectOk(s, User("bob", "bar"));
        nc.SendAndFlush("SUB _INBOX.> 1\r\n");
        using var conn = ConnectOk(s, User("alice", "foo"));
        conn.SendAndFlush("SUB req.foo 1\r\nPUB _INBOX.foo 5\r\nhello\r\n");
        nc.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("hello");
        nc.SendAndFlush("PUB req.foo 5\r\nworld\r\n");
        conn.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("world");

        // susan has the defaults: foo.* but not foo.bar, and PUBLIC.>.
        using var sconn = ConnectOk(s, User("susan", "baz"));
        sconn.SendAndFlush("SUB foo.* 1\r\n");
        conn.SendAndFlush("PUB foo.bar 5\r\nhello\r\n");
        sconn.ExpectNothing(TimeSpan.FromMilliseconds(100));
        sconn.SendAndFlush("SUB PUBLIC.* 2\r\n");
        conn.SendAndFlush("PUB PUBLIC.foo 12\r\nhello monkey\r\n");
        sconn.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("hello monkey");

        // New permissions: bob's inbox narrows to _INBOX.foo.>, susan loses PUBLIC.foo and gains foo.bar.
        File.WriteAllText(conf, Authorization("[\"_INBOX.foo.bar\"]", "\"_INBOX.foo.>\"", "[\"PUBLIC.foo\"]"));
        s.Reload().ShouldBeNull();

        // bob's subscription is revoked with an -ERR, and the connection stays open.
        nc.ReadLine(TimeSpan.FromSeconds(5)).ToLowerInvariant().ShouldContain("permissions violation for subscription to \"_inbox.>\"");
        nc.Send("PUB req.foo 4\r\nhola\r\n");
        conn.SendAndFlush("PUB _INBOX.foo 5\r\nmundo\r\n");
        nc.ReadLine(TimeSpan.FromSeconds(5)).ToLowerInvariant().ShouldContain("permissions violation for publish to \"req.foo\"");
        // Neither the request nor the inbox message was delivered.
        conn.ExpectNothing(TimeSpan.FromMilliseconds(100));
        nc.Flush();

        // The new permissions work.
        nc.SendAndReadMsg("SUB _INBOX.foo.> 2\r\nPUB _INBOX.foo.bar 7\r\ntesting\r\n", TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("testing");

        // susan: PUBLIC.foo is denied now, foo.bar is allowed.
        conn.SendAndFlush("PUB PUBLIC.foo 12\r\nhello monkey\r\n");
        sconn.ExpectNothing(TimeSpan.FromMilliseconds(100));
        conn.SendAndFlush("PUB foo.bar 6\r\nhello?\r\n");
        sconn.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("hello?");
        // And susan never saw an error.
        sconn.Flush();
    }

    private static string QueueScopedDeny(string deny) => $$"""
        listen: 127.0.0.1:-1
        authorization {
          users: [
            {
              user: attacker
              password: pass
              permissions: {
                subscribe: {
                  allow: [">"]
                  {{deny}}
                }
              }
            }
          ]
        }
        """;

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadRevokesQueueSubscriptionWithQueueScopedDeny")]
    public async Task ConfigReloadRevokesQueueSubscriptionWithQueueScopedDeny()
    {
        var (s, conf) = Run(QueueScopedDeny(""));
        await using var _ = s;
        using var nc = ConnectOk(s, User("attacker", "pass"));
        nc.SendAndFlush("SUB admin.secret workers 1\r\n");

        File.WriteAllText(conf, QueueScopedDeny("deny: [\"admin.secret workers\"]"));
        s.Reload().ShouldBeNull();

        nc.ReadLine(TimeSpan.FromSeconds(5)).ToLowerInvariant()
            .ShouldContain("permissions violation for subscription to \"admin.secret\" using queue \"workers\"");
        nc.SendAndFlush("PUB admin.secret 7\r\nblocked\r\n");
        nc.ExpectNothing(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A server listening where its conf file says (InProcess.Run pins the host to loopback, which a reload
    /// of the same file would then see as a host change).</summary>
    private static (NatsServer Server, string Conf) RunAsConfigured(string content)
    {
        string conf = InProcess.WriteConf(content);
        var o = NatsParity.Server.Config.ServerOptions.FromConfigFile(conf);
        o.NoLog = true;
        var s = new NatsServer(o);
        s.Start();
        return (s, conf);
    }

    /// <summary>The INFO a new client gets: host and port as advertised.</summary>
    private static (string Host, int Port) Advertised(NatsServer s)
    {
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        var info = JsonDocument.Parse(c.ReadLine()["INFO ".Length..]).RootElement;
        return (info.GetProperty("host").GetString()!, info.GetProperty("port").GetInt32());
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadClientAdvertise")]
    public async Task ConfigReloadClientAdvertise()
    {
        var (s, conf) = RunAsConfigured("listen: \"0.0.0.0:-1\"");
        await using var _ = s;
        int orgPort = s.Port;

        void Reload(string content)
        {
            File.WriteAllText(conf, content);
            s.Reload().ShouldBeNull();
        }

        Reload("listen: \"0.0.0.0:-1\"\nclient_advertise: \"me:1\"\n");
        Advertised(s).ShouldBe(("me", 1));
        Reload("listen: \"0.0.0.0:-1\"\nclient_advertise: \"me\"\n");
        Advertised(s).ShouldBe(("me", orgPort));
        Reload("listen: \"0.0.0.0:-1\"\nclient_advertise: \"me:-1\"\n");
        Advertised(s).ShouldBe(("me", orgPort));
        // Without it, the listen address is back.
        Reload("listen: \"0.0.0.0:-1\"");
        Advertised(s).ShouldBe(("0.0.0.0", orgPort));
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadMaxControlLineWithClients")]
    public async Task ConfigReloadMaxControlLineWithClients()
    {
        var (s, conf) = Run(Basic);
        await using var _ = s;
        using var nc = ConnectOk(s);
        var c = s.Clients.Single(x => !x.IsInternal);
        ((IProtocolHandler)c).MaxControlLine.ShouldBe(s.Options.MaxControlLine);

        File.WriteAllText(conf, "listen: 127.0.0.1:-1; max_control_line: 222");
        s.Reload().ShouldBeNull();
        ((IProtocolHandler)c).MaxControlLine.ShouldBe(s.Options.MaxControlLine);
        s.Options.MaxControlLine.ShouldBe(222);

        // The connected client is held to the new limit.
        nc.Send($"PUB {new string('a', 300)} 0\r\n\r\n");
        nc.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'maximum control line exceeded'");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAndVarz")]
    public async Task ConfigReloadAndVarz()
    {
        const string template = "port: -1\n{0}\n";
        var (s, conf) = RunAsConfigured(template.Replace("{0}", ""));
        await using var _ = s;
        var initConfigTime = s.ConfigTime;

        JsonElement Varz()
        {
            var (json, err) = s.Monitor.Render(NatsParity.Server.Monitoring.Monitor.VarzPath, MonitorQuery.From(new Dictionary<string, string>()));
            err.ShouldBeNull();
            return JsonDocument.Parse(json!).RootElement;
        }

        var v = Varz();
        v.GetProperty("config_load_time").GetDateTime().ToUniversalTime().ShouldBe(initConfigTime, TimeSpan.FromTicks(10));
        v.GetProperty("max_connections").GetInt32().ShouldBe(64 * 1024);
        v.GetProperty("config_digest").GetString().ShouldBe("sha256:7ea4cc5c6864139d814ce940a40ee6546b7ac5285eec3c390a4ce11e34dc1102");

        File.WriteAllText(conf, template.Replace("{0}", "max_connections: 10"));
        await Task.Delay(15);
        s.Reload().ShouldBeNull();

        v = Varz();
        v.GetProperty("config_load_time").GetDateTime().ToUniversalTime().ShouldNotBe(initConfigTime);
        v.GetProperty("max_connections").GetInt32().ShouldBe(10);
        v.GetProperty("config_digest").GetString().ShouldBe("sha256:508a26309068f62c3022aa8951e712ed8ff5dd6f2360f727ad8242a2a233176e");
    }

    /// <summary>server_tags may change at run time (Go's tagsOption): varz shows the new tags.</summary>
    [Fact]
    public async Task ConfigReloadServerTags()
    {
        var (s, conf) = Run("port: -1\nserver_tags: [a]\n");
        await using var _ = s;
        string[] Tags()
        {
            var (json, err) = s.Monitor.Render(NatsParity.Server.Monitoring.Monitor.VarzPath, MonitorQuery.From(new Dictionary<string, string>()));
            err.ShouldBeNull();
            var v = JsonDocument.Parse(json!).RootElement;
            return v.TryGetProperty("tags", out var t) ? t.EnumerateArray().Select(x => x.GetString()!).ToArray() : [];
        }
        Tags().ShouldBe(["a"]);
        File.WriteAllText(conf, "port: -1\nserver_tags: [b, c]\n");
        s.Reload().ShouldBeNull();
        Tags().ShouldBe(["b", "c"]);
        File.WriteAllText(conf, "port: -1\n");
        s.Reload().ShouldBeNull();
        Tags().ShouldBeEmpty();
    }

    /// <summary>server_metadata may change at run time (Go's metadataOption); feature_flags may not (Go's default case
    /// of diffOptions).</summary>
    [Fact]
    public async Task ConfigReloadMetadataAndFeatureFlags()
    {
        var (s, conf) = Run("port: -1\nserver_metadata: {a: \"1\"}\nfeature_flags: {js_ack_fc_v2: false}\n");
        await using var _ = s;
        File.WriteAllText(conf, "port: -1\nserver_metadata: {a: \"2\", b: \"3\"}\nfeature_flags: {js_ack_fc_v2: false}\n");
        s.Reload().ShouldBeNull();
        s.Options.Metadata!.ShouldBe(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["a"] = "2", ["b"] = "3" });
        File.WriteAllText(conf, "port: -1\nserver_metadata: {a: \"2\", b: \"3\"}\nfeature_flags: {js_ack_fc_v2: true}\n");
        s.Reload().ShouldBe("config reload not supported for FeatureFlags: old=map[js_ack_fc_v2:false], new=map[js_ack_fc_v2:true]");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadConnectErrReports")]
    public async Task ConfigReloadConnectErrReports()
    {
        const string template = "port: -1\n{0}\n{1}\n";
        var (s, conf) = Run(string.Format(template, "", ""));
        await using var _ = s;
        s.Options.ConnectErrorReports.ShouldBe(ServerOptions.DefaultConnectErrorReports);
        s.Options.ReconnectErrorReports.ShouldBe(ServerOptions.DefaultReconnectErrorReports);

        File.WriteAllText(conf, string.Format(template, "connect_error_reports: 2", "reconnect_error_reports: 3"));
        s.Reload().ShouldBeNull();
        s.Options.ConnectErrorReports.ShouldBe(2);
        s.Options.ReconnectErrorReports.ShouldBe(3);
    }
}
