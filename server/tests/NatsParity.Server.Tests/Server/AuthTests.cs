using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/auth_test.go for users, no_auth_user and connection types.</summary>
public sealed class AuthTests
{
    private static ServerOptions FromConf(string conf)
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse(conf));
        return o;
    }

    private static void ShouldEqual(User a, User b)
    {
        b.Username.ShouldBe(a.Username);
        b.Password.ShouldBe(a.Password);
        b.Account.ShouldBe(a.Account);
        (b.Permissions is null).ShouldBe(a.Permissions is null);
        if (a.Permissions is null) return;
        b.Permissions!.Publish?.Allow.ShouldBe(a.Permissions.Publish?.Allow);
        b.Permissions.Publish?.Deny.ShouldBe(a.Permissions.Publish?.Deny);
        b.Permissions.Subscribe?.Allow.ShouldBe(a.Permissions.Subscribe?.Allow);
        b.Permissions.Subscribe?.Deny.ShouldBe(a.Permissions.Subscribe?.Deny);
    }

    [Fact, GoTest("server/auth_test.go", "TestUserCloneNilPermissions")]
    public void UserCloneNilPermissions()
    {
        var user = new User { Username = "foo", Password = "bar" };
        var clone = user.Clone();
        ShouldEqual(user, clone);
        clone.Password = "baz";
        user.Password.ShouldBe("bar");
    }

    [Fact, GoTest("server/auth_test.go", "TestUserClone")]
    public void UserClone()
    {
        var user = new User
        {
            Username = "foo", Password = "bar",
            Permissions = new Permissions
            {
                Publish = new SubjectPermission { Allow = ["foo"] },
                Subscribe = new SubjectPermission { Allow = ["bar"] },
            },
        };
        var clone = user.Clone();
        ShouldEqual(user, clone);
        clone.Permissions!.Subscribe!.Allow = ["baz"];
        user.Permissions.Subscribe.Allow.ShouldBe(["bar"]);
    }

    [Fact, GoTest("server/auth_test.go", "TestUserClonePermissionsNoLists")]
    public void UserClonePermissionsNoLists()
    {
        var clone = new User { Username = "foo", Password = "bar", Permissions = new Permissions() }.Clone();
        clone.Permissions!.Publish.ShouldBeNull();
        clone.Permissions.Subscribe.ShouldBeNull();
    }

    [Fact, GoTest("server/auth_test.go", "TestUserCloneNoPermissions")]
    public void UserCloneNoPermissions() =>
        new User { Username = "foo", Password = "bar" }.Clone().Permissions.ShouldBeNull();

    [Fact, GoTest("server/auth_test.go", "TestUserCloneNil")]
    public void UserCloneNil()
    {
        User? user = null;
        (user?.Clone()).ShouldBeNull();
    }

    [Fact, GoTest("server/auth_test.go", "TestUserUnknownAllowedConnectionType")]
    public void UserUnknownAllowedConnectionType()
    {
        var o = new ServerOptions
        {
            NoLog = true,
            Users = [new User { Username = "user", Password = "pwd", AllowedConnectionTypes = [ConnectionTypes.Standard, "someNewType"] }],
        };
        Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain("connection type");

        o.Users[0].AllowedConnectionTypes = ["websocket"];
        _ = new NatsServer(o);
        o.Users[0].AllowedConnectionTypes.ShouldBe([ConnectionTypes.Websocket]);

        o.Users = null;
        o.Nkeys = [new NkeyUser { Nkey = "somekey", AllowedConnectionTypes = [ConnectionTypes.Standard, "someNewType"] }];
        Should.Throw<ArgumentException>(() => new NatsServer(o)).Message.ShouldContain("connection type");
        o.Nkeys[0].AllowedConnectionTypes = ["websocket"];
        _ = new NatsServer(o);
        o.Nkeys[0].AllowedConnectionTypes.ShouldBe([ConnectionTypes.Websocket]);
    }

    [Theory, GoTest("server/auth_test.go", "TestNoAuthUser")]
    [InlineData("{\"user\":\"bar\",\"pass\":\"pwd2\"}", true, "BAR")]
    [InlineData("{\"user\":\"bar\",\"pass\":\"wrong\"}", false, "")]
    [InlineData("{\"auth_token\":\"sometoken\"}", false, "")]
    [InlineData("{\"auth_token\":\"bar\"}", false, "")] // a URL user without password is sent as a token
    [InlineData("{\"user\":\"bar\",\"pass\":\"\"}", false, "")]
    [InlineData("{}", true, "FOO")]
    public async Task NoAuthUser(string credentials, bool ok, string account)
    {
        await using var s = InProcess.Run(FromConf("""
            accounts {
                FOO { users [{user: "foo", password: "pwd1"}] }
                BAR { users [{user: "bar", password: "pwd2"}] }
            }
            no_auth_user: "foo"
            """));
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT " + credentials.Insert(1, credentials == "{}" ? "\"verbose\":false" : "\"verbose\":false,") + "\r\nPING\r\n");
        if (!ok)
        {
            nc.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
            return;
        }
        nc.ExpectLine(ProtoRegex.Pong);
        s.Clients.Single().Account.Name.ShouldBe(account);
        nc.Dispose();
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2))).ShouldBeTrue();
    }

    [Fact, GoTest("server/auth_test.go", "TestNoAuthUserNoConnectProto")]
    public async Task NoAuthUserNoConnectProto()
    {
        await using var s = InProcess.Run(FromConf("""
            accounts {
                A { users [{user: "foo", password: "pwd"}] }
            }
            authorization { timeout: 1 }
            no_auth_user: "foo"
            """));
        using (var conn = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            (await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2))).ShouldBeTrue();
            // No CONNECT is needed with a no_auth_user.
            conn.Send("PUB foo 2\r\nok\r\n");
            await Task.Delay(100);
            s.NumClients.ShouldBe(1);
        }
        // The auth timeout still applies to a client that sends nothing.
        using var idle = ProtoClient.Connect("127.0.0.1", s.Port);
        (await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2))).ShouldBeTrue();
        await Task.Delay(1200);
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2))).ShouldBeTrue();
    }
}
