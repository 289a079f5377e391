using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/client_auth_test.go: users and tokens from conf files, and the INFO sent after connect.</summary>
public sealed class ClientAuthTests
{
    private const string MultiUserConf = """
        authorization {
            users = [
              {user: alice, password: foo}
              {user: bob,   password: bar}
            ]
        }
        """;

    private static void LoginOk(NatsServerProcess server, string connect)
    {
        using var c = AuthTests.ConnectExpectingAuth(server);
        c.Send(connect + "\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Pong);
    }

    [Theory, TargetData, GoTest("test/client_auth_test.go", "TestMultipleUserAuth")]
    public void MultipleUserAuth(ServerTarget target)
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse(MultiUserConf));
        o.Users.ShouldNotBeNull();
        o.Users.Count.ShouldBe(2);

        using var server = NatsServerProcess.Start(target, GoTestServers.Default with { Extra = MultiUserConf });
        foreach (var u in o.Users)
            LoginOk(server, $"CONNECT {{\"verbose\":false,\"user\":\"{u.Username}\",\"pass\":\"{u.Password}\"}}");
    }

    [Theory, TargetData, GoTest("test/client_auth_test.go", "TestTokenInConfig")]
    public void TokenInConfig(ServerTarget target)
    {
        // A bcrypt hash of "test".
        const string conf = """
            authorization={
                token: $2a$05$3sSWEVA1eMCbV0hWavDjXOx.ClBjI6u1CuUdLqf22cbJjXsnzz8/.
                timeout: 5
            }
            """;
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with { Extra = conf });
        LoginOk(server, "CONNECT {\"verbose\":false,\"auth_token\":\"test\"}");
    }

    /// <summary>The INFO after the first PONG arrived in 2.10, so the reference (2.9.10) runs only the protocol-0 cases.</summary>
    [Theory, GoTest("test/client_auth_test.go", "TestClientConnectInfo", Since = "2.10")]
    [MemberData(nameof(ConnectInfoCases))]
    public void ClientConnectInfo(ServerTarget target, string sys, bool hasSys, int protocol)
    {
        string conf = $$"""
            {{sys}}
            accounts {
                SYS: { users: [{ user: sys, password: pwd}] }
                A:   { users: [{ user: a, password: pwd}] }
                B:   { users: [{ user: b, password: pwd}] }
            }
            """;
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with { Extra = conf });

        void CheckInfoOnConnect(string user, string acc, bool isSys)
        {
            using var cc = ProtoClient.Connect(server);
            cc.SendAndFlush($"CONNECT {{\"user\":\"{user}\",\"pass\":\"pwd\",\"pedantic\":false,\"verbose\":false,\"protocol\":{protocol}}}\r\n");
            if (protocol < 1)
            {
                cc.ExpectNothing();
                return;
            }
            var info = cc.ReadInfo();
            info.GetProperty("connect_info").GetBoolean().ShouldBeTrue();
            info.GetProperty("remote_account").GetString().ShouldBe(acc);
            bool accIsSys = info.TryGetProperty("acc_is_sys", out var ais) && ais.GetBoolean();
            accIsSys.ShouldBe(isSys);
        }
        CheckInfoOnConnect("a", "A", false);
        CheckInfoOnConnect("sys", "SYS", hasSys);
        CheckInfoOnConnect("b", "B", false);
    }

    public static TheoryData<ServerTarget, string, bool, int> ConnectInfoCases()
    {
        var data = new TheoryData<ServerTarget, string, bool, int>();
        foreach (var t in ServerTargets.Selected)
        {
            if (t != ServerTarget.Reference)
            {
                data.Add(t, "system_account: SYS", true, 1);
                data.Add(t, "", false, 1);
            }
            data.Add(t, "system_account: SYS", true, 0);
            data.Add(t, "", false, 0);
        }
        return data;
    }
}
