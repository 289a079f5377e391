using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/auth_test.go: token, user/password and bcrypt authentication over raw protocol.</summary>
public sealed class AuthTests
{
    private const string AuthToken = "_YZZ22_";
    private const string AuthUser = "derek";
    private const string AuthPass = "foobar";
    // A bcrypt hash (cost 4) of BcryptAuthPass, and one of BcryptAuthToken.
    private const string BcryptAuthPass = "IW@$6v(y1(t@fhPDvf!5^%";
    private const string BcryptAuthHash = "$2a$04$Q.CgCP2Sl9pkcTXEZHazaeMwPaAkSHk7AI51HkyMt5iJQQyUA4qxq";
    private const string BcryptAuthToken = "0uhJOSr3GW7xvHvtd^K6pa";
    private const string BcryptAuthTokenHash = "$2a$04$u5ZClXpcjHgpfc61Ee0VKuwI1K3vTC4zq7SjphjnlHMeb1Llkb5Y6";

    private static readonly ServerConfig TokenServer = GoTestServers.Default with { AuthToken = AuthToken };
    private static readonly ServerConfig UserPassServer = GoTestServers.Default with { AuthUser = AuthUser, AuthPassword = AuthPass };
    private static readonly ServerConfig BcryptUserPassServer = GoTestServers.Default with { AuthUser = AuthUser, AuthPassword = BcryptAuthHash };
    private static readonly ServerConfig BcryptTokenServer = GoTestServers.Default with { AuthToken = BcryptAuthTokenHash };

    /// <summary>Go's doAuthConnect: a verbose CONNECT carrying token, user and pass.</summary>
    internal static void AuthConnect(ProtoClient c, string token, string user, string pass) =>
        c.Send($"CONNECT {{\"verbose\":true,\"auth_token\":\"{Esc(token)}\",\"user\":\"{Esc(user)}\",\"pass\":\"{Esc(pass)}\"}}\r\n");

    private static string Esc(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>Go's expectAuthRequired: the INFO asks for authentication.</summary>
    internal static ProtoClient ConnectExpectingAuth(NatsServerProcess server)
    {
        var c = ProtoClient.Connect(server);
        c.Info!.Value.GetProperty("auth_required").GetBoolean().ShouldBeTrue();
        return c;
    }

    private static void Run(ServerTarget target, ServerConfig config, string token, string user, string pass, bool ok)
    {
        using var server = NatsServerProcess.Start(target, config);
        using var c = ConnectExpectingAuth(server);
        AuthConnect(c, token, user, pass);
        c.ExpectLine(ok ? ProtoRegex.Ok : ProtoRegex.Err);
    }

    [Theory, TargetData, GoTest("test/auth_test.go", "TestNoAuthClient")]
    public void NoAuthClient(ServerTarget target) => Run(target, TokenServer, "", "", "", ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestAuthClientBadToken")]
    public void AuthClientBadToken(ServerTarget target) => Run(target, TokenServer, "ZZZ", "", "", ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestAuthClientNoConnect")]
    public void AuthClientNoConnect(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, TokenServer);
        using var c = ConnectExpectingAuth(server);
        // Go's AUTH_TIMEOUT is 2s: the -ERR comes once it runs out.
        c.ExpectLine(ProtoRegex.Err, TimeSpan.FromSeconds(4));
    }

    [Theory, TargetData, GoTest("test/auth_test.go", "TestAuthClientGoodConnect")]
    public void AuthClientGoodConnect(ServerTarget target) => Run(target, TokenServer, AuthToken, "", "", ok: true);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestAuthClientFailOnEverythingElse")]
    public void AuthClientFailOnEverythingElse(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, TokenServer);
        using var c = ConnectExpectingAuth(server);
        c.Send("PUB foo 2\r\nok\r\n");
        c.ExpectLine(ProtoRegex.Err);
    }

    [Theory, TargetData, GoTest("test/auth_test.go", "TestNoUserOrPasswordClient")]
    public void NoUserOrPasswordClient(ServerTarget target) => Run(target, UserPassServer, "", "", "", ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestBadUserClient")]
    public void BadUserClient(ServerTarget target) => Run(target, UserPassServer, "", "derekzz", AuthPass, ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestBadPasswordClient")]
    public void BadPasswordClient(ServerTarget target) => Run(target, UserPassServer, "", AuthUser, "ZZ", ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestPasswordClientGoodConnect")]
    public void PasswordClientGoodConnect(ServerTarget target) => Run(target, UserPassServer, "", AuthUser, AuthPass, ok: true);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestBadBcryptPassword")]
    public void BadBcryptPassword(ServerTarget target) => Run(target, BcryptUserPassServer, "", AuthUser, BcryptAuthHash, ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestGoodBcryptPassword")]
    public void GoodBcryptPassword(ServerTarget target) => Run(target, BcryptUserPassServer, "", AuthUser, BcryptAuthPass, ok: true);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestBadBcryptToken")]
    public void BadBcryptToken(ServerTarget target) => Run(target, BcryptTokenServer, BcryptAuthTokenHash, "", "", ok: false);

    [Theory, TargetData, GoTest("test/auth_test.go", "TestGoodBcryptToken")]
    public void GoodBcryptToken(ServerTarget target) => Run(target, BcryptTokenServer, BcryptAuthToken, "", "", ok: true);
}
