using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/reload_test.go for one node: the conf file is rewritten and the server reloaded.</summary>
public sealed partial class ReloadTests
{
    private const string Basic = "listen: 127.0.0.1:-1\n";
    private const string SingleUser1 = "listen: 127.0.0.1:-1\nauthorization {\n  user: tyler\n  password: T0pS3cr3t\n}\n";
    private const string SingleUser2 = "listen: 127.0.0.1:-1\nauthorization {\n  user: derek\n  password: passw0rd\n}\n";
    private const string Token1 = "listen: 127.0.0.1:-1\nauthorization {\n  token: T0pS3cr3t\n}\n";
    private const string Token2 = "listen: 127.0.0.1:-1\nauthorization {\n  token: passw0rd\n}\n";

    /// <summary>Go's runReloadServerWithContent: a server running from a conf file the test can rewrite.</summary>
    private static (NatsServer Server, string Conf) Run(string content)
    {
        var s = InProcess.RunConf(content, out string path);
        return (s, path);
    }

    private static ProtoClient Connect(NatsServer s, string connectJson = NoCreds)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send($"CONNECT {connectJson}\r\nPING\r\n");
        return c;
    }

    private static ProtoClient ConnectOk(NatsServer s, string connectJson = NoCreds)
    {
        var c = Connect(s, connectJson);
        c.ExpectLine(ProtoRegex.Pong);
        return c;
    }

    private static void ExpectRefused(NatsServer s, string connectJson)
    {
        using var c = Connect(s, connectJson);
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
        c.ExpectClosed();
    }

    /// <summary>An existing connection told it is no longer authorized, then closed (nats.go: ErrAuthorization + disconnect).</summary>
    /// <remarks>As Go's tests allow, the -ERR may not come: a client whose user is gone is closed as having moved
    /// accounts, without one. The close is certain.</remarks>
    private static void ExpectAuthorizationDisconnect(ProtoClient c)
    {
        string rest = c.ExpectClosed(TimeSpan.FromSeconds(2));
        (rest.Length == 0 || rest == "-ERR 'Authorization Violation'\r\n").ShouldBeTrue(rest);
    }

    /// <summary>A connected client gets no error from the reload (Go's tests fail on any async error); it may be
    /// closed to reconnect, as Go closes clients whose user changed.</summary>
    private static void ExpectNoError(ProtoClient c)
    {
        if (!c.IsClosed)
        {
            try { c.Send("PING\r\n"); }
            catch (IOException) { }
        }
        c.Drain(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(2)).ShouldNotContain("-ERR");
    }

    /// <summary>Go's auth reload tests: a client logged in with <paramref name="oldCreds"/> under <paramref name="before"/>;
    /// after a reload to <paramref name="after"/> the old credentials are refused (when <paramref name="oldRefused"/>),
    /// <paramref name="newCreds"/> log in, and <paramref name="expectOld"/> says what became of the first client.</summary>
    private static async Task ReloadAuth(string before, string oldCreds, string after, string newCreds, Action<ProtoClient> expectOld,
        bool oldRefused = true)
    {
        var (s, conf) = Run(before);
        await using var _ = s;
        using var nc = ConnectOk(s, oldCreds);
        File.WriteAllText(conf, after);
        s.Reload().ShouldBeNull();
        if (oldRefused) ExpectRefused(s, oldCreds);
        ConnectOk(s, newCreds).Dispose();
        expectOld(nc);
    }

    private const string NoCreds = "{\"verbose\":false}";

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadNoConfigFile")]
    public void ConfigReloadNoConfigFile()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        var loaded = s.ConfigTime;
        s.Reload().ShouldNotBeNull();
        s.ConfigTime.ShouldBe(loaded);
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadUnsupportedHotSwapping")]
    public async Task ConfigReloadUnsupportedHotSwapping()
    {
        var (s, conf) = Run("listen: 127.0.0.1:-1");
        await using var _ = s;
        var loaded = s.ConfigTime;
        await Task.Delay(1);
        File.WriteAllText(conf, "listen: 127.0.0.1:9999");
        s.Reload()!.ShouldContain("not supported");
        s.ConfigTime.ShouldBe(loaded);
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadMaxSubsUnsupported")]
    public async Task ConfigReloadMaxSubsUnsupported()
    {
        var (s, conf) = Run("port: -1\nmax_subs: 1\n");
        await using var _ = s;
        File.WriteAllText(conf, "max_subs: 10");
        s.Reload().ShouldNotBeNull();
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadRotateUserAuthentication")]
    public Task ConfigReloadRotateUserAuthentication() =>
        ReloadAuth(SingleUser1, User("tyler", "T0pS3cr3t"), SingleUser2, User("derek", "passw0rd"), ExpectAuthorizationDisconnect);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadEnableUserAuthentication")]
    public Task ConfigReloadEnableUserAuthentication() =>
        ReloadAuth(Basic, NoCreds, SingleUser1, User("tyler", "T0pS3cr3t"), ExpectAuthorizationDisconnect);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadDisableUserAuthentication")]
    public Task ConfigReloadDisableUserAuthentication() =>
        ReloadAuth(SingleUser1, User("tyler", "T0pS3cr3t"), Basic, NoCreds, ExpectNoError, oldRefused: false);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadRotateTokenAuthentication")]
    public Task ConfigReloadRotateTokenAuthentication() =>
        ReloadAuth(Token1, Token("T0pS3cr3t"), Token2, Token("passw0rd"), ExpectAuthorizationDisconnect);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadEnableTokenAuthentication")]
    public Task ConfigReloadEnableTokenAuthentication() =>
        ReloadAuth(Basic, NoCreds, Token1, Token("T0pS3cr3t"), ExpectAuthorizationDisconnect);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadDisableTokenAuthentication")]
    public Task ConfigReloadDisableTokenAuthentication() =>
        ReloadAuth(Token1, Token("T0pS3cr3t"), Basic, NoCreds, nc => nc.Flush(), oldRefused: false);

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadMaxConnections")]
    public async Task ConfigReloadMaxConnections()
    {
        var (s, conf) = Run(Basic);
        await using var _ = s;
        using var nc1 = ConnectOk(s);
        using var nc2 = ConnectOk(s);
        s.NumClients.ShouldBe(2);
        File.WriteAllText(conf, "listen: 127.0.0.1:-1\nmax_connections: 1\n");
        s.Reload().ShouldBeNull();
        (await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(5))).ShouldBeTrue();
        using var nc3 = Connect(s);
        nc3.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'maximum connections exceeded'");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadMaxConnectionsPreventAll")]
    public async Task ConfigReloadMaxConnectionsPreventAll()
    {
        var (s, conf) = Run(Basic);
        await using var _ = s;
        using var nc1 = ConnectOk(s);
        using var nc2 = ConnectOk(s);
        s.NumClients.ShouldBe(2);
        File.WriteAllText(conf, "listen: 127.0.0.1:-1\nmax_connections: 0\n");
        s.Reload().ShouldBeNull();
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(5))).ShouldBeTrue();
        using var nc3 = Connect(s);
        nc3.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'maximum connections exceeded'");
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadMaxPayload")]
    public async Task ConfigReloadMaxPayload()
    {
        var (s, conf) = Run(Basic);
        await using var _ = s;
        using var nc = ConnectOk(s);
        using var conn = ConnectOk(s);
        conn.SendAndFlush("SUB foo 1\r\n");
        nc.SendAndFlush("PUB foo 5\r\nhello\r\n");
        conn.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText.ShouldBe("hello");

        File.WriteAllText(conf, "listen: 127.0.0.1:-1\nmax_payload: 1\n");
        s.Reload().ShouldBeNull();
        nc.Send("PUB foo 5\r\nhello\r\n");
        conn.ExpectNothing(TimeSpan.FromMilliseconds(20));
        nc.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Maximum Payload Violation'");
        nc.ExpectClosed(TimeSpan.FromSeconds(5));
    }

    /// <summary>The operator's path on both targets: the conf file is edited and SIGHUP sent to the process; new
    /// credentials work, the old ones are refused and the connected client with them is closed.</summary>
    [Theory, TargetData]
    public async Task SighupReloadRotatesCredentials(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, new ServerConfig { AuthUser = "tyler", AuthPassword = "T0pS3cr3t" });
        using var old = ProtoClient.Login(server, "tyler", "T0pS3cr3t");

        File.WriteAllText(server.ConfPath, File.ReadAllText(server.ConfPath).Replace("tyler", "derek").Replace("T0pS3cr3t", "passw0rd"));
        using (var kill = System.Diagnostics.Process.Start("kill", ["-HUP", server.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();

        // As Go's reload tests allow: the -ERR may be lost to the close (2.9.10 closes first), but the close is certain.
        string rest = old.Drain(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        (rest.Length == 0 || rest == "-ERR 'Authorization Violation'\r\n").ShouldBeTrue(rest);
        old.IsClosed.ShouldBeTrue();
        using var fresh = ProtoClient.Login(server, "derek", "passw0rd");
        using var refused = ProtoClient.Connect(server);
        refused.Send("CONNECT {\"verbose\":false,\"user\":\"tyler\",\"pass\":\"T0pS3cr3t\"}\r\nPING\r\n");
        refused.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
        server.HasExited.ShouldBeFalse();
    }
}
