using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/opts_test.go's authorization and accounts misconfigurations, auth callout included.</summary>
public sealed partial class OptsTests
{
    private static readonly (string Name, string Config, string Err)[] AuthMisconfigurations =
    [
        ("duplicate users", """
            authorization = {users = [ {user: "user1", pass: "pwd"} ] }
            accounts { ACC { users = [ {user: "user1"} ] } }
            """, "Duplicate user \"user1\" detected"),
        ("duplicate nkey", """
            authorization = {users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] }
            accounts { ACC { users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] } }
            """, "Duplicate nkey \"UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX\" detected"),
        ("auth single user and password and accounts users", """
            authorization = {user: "user1", password: "pwd"}
            accounts = { ACC { users = [ {user: "user2", pass: "pwd"} ] } }
            """, "Can not have a single user/pass"),
        ("auth single user and password and accounts nkeys", """
            authorization = {user: "user1", password: "pwd"}
            accounts = { ACC { users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] } }
            """, "Can not have a single user/pass"),
        ("auth token and accounts users", """
            authorization = {token: "my_token"}
            accounts = { ACC { users = [ {user: "user2", pass: "pwd"} ] } }
            """, "Can not have a token"),
        ("auth token and accounts nkeys", """
            authorization = {token: "my_token"}
            accounts = { ACC { users = [ {nkey: UC6NLCN7AS34YOJVCYD4PJ3QB7QGLYG5B5IMBT25VW5K4TNUJODM7BOX} ] } }
            """, "Can not have a token"),
        ("auth callout allowed accounts", """
            accounts {
                AUTH { users = [ {user: "auth", password: "auth"} ] }
                FOO {}
            }
            authorization {
                auth_callout {
                    issuer: "ABJHLOVMPA4CI6R5KLNGOB4GSLNIY7IOUPAJC4YFNDLQVIOBYQGUWVLA"
                    account: AUTH
                    auth_users: [ auth ]
                    allowed_accounts: [ BAR ]
                }
            }
            """, "auth_callout allowed account \"BAR\" not found in configured accounts"),
    ];

    [Fact, GoTest("server/opts_test.go", "TestAuthorizationAndAccountsMisconfigurations")]
    public void AuthorizationAndAccountsMisconfigurations()
    {
        foreach (var (name, config, err) in AuthMisconfigurations)
        {
            var (_, e) = Process(ConfFile(config));
            e.ShouldNotBeNull(name);
            e.Message.ShouldContain(err, customMessage: name);
        }
    }

    [Fact, GoTest("server/opts_test.go", "TestProcessConfigString")]
    public void ProcessConfigString()
    {
        foreach (var (name, config, err) in AuthMisconfigurations)
        {
            var e = Should.Throw<Exception>(() => new ServerOptions().ProcessConfigString(config), name);
            (e is ConfigException or ConfigProcessException).ShouldBeTrue(name);
            e.Message.ShouldContain(err, customMessage: name);
        }
    }
}
