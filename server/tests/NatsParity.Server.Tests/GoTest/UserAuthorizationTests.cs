using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/user_authorization_test.go: per-user publish/subscribe permissions and allow_responses,
/// configured as Go's test configs do (role variables in the authorization block, bcrypt passwords).</summary>
[Collection(nameof(TimingSensitive))] // allow_responses permissions expire after 50ms
public sealed class UserAuthorizationTests
{
    private const string DefaultPass = "foo";

    /// <summary>The roles and users of test/configs/authorization.conf with its included auths.conf, inline.</summary>
    internal const string AuthorizationConf = """
        authorization {
          ADMIN = {
            publish = ">"
            subscribe = ">"
          }
          REQUESTOR = {
            publish = ["req.foo", "req.bar"]
            subscribe = "_INBOX.*"
          }
          DEFAULT_PERMISSIONS = {
            publish = "SANDBOX.*"
            subscribe = ["PUBLIC.>", "_INBOX.>"]
          }
          BENCH = {
            publish = "a"
          }
          NEW_STYLE = {
            publish = {
              allow = "*.*"
              deny = ["SYS.*", "bar.baz", "foo.*"]
            }
            subscribe = {
              allow = ["foo.*", "SYS.TEST.>"]
              deny = ["foo.baz", "SYS.*"]
            }
          }
          NS_PUB = {
            publish = "foo.baz"
            subscribe = "foo.baz"
          }
          BENCH_DENY = {
            subscribe = {
              allow = ["foo", "*"]
              deny = "foo.bar"
            }
          }
          MY_SERVICE = {
            subscribe = "my.service.req"
            publish_allow_responses: true
          }
          MY_STREAM_SERVICE = {
            subscribe = "my.service.req"
            allow_responses = {max: 10, ttl: "50ms"}
          }

          PASS: $2a$04$P/.bd.7unw9Ew7yWJqXsl.f4oNRLQGvadEL2YnqQXbbb.IVQajRdK

          users = [
            {user: alice, password: $PASS, permissions: $ADMIN}
            {user: bob,   password: $PASS, permissions: $REQUESTOR}
            {user: bench, password: $PASS, permissions: $BENCH}
            {user: joe,   password: $PASS}
            {user: ns, password: $PASS, permissions: $NEW_STYLE}
            {user: ns-pub, password: $PASS, permissions: $NS_PUB}
            {user: bench-deny, password: $PASS, permissions: $BENCH_DENY}
            {user: svca, password: $PASS, permissions: $MY_SERVICE}
            {user: svcb, password: $PASS, permissions: $MY_STREAM_SERVICE}
          ]
        }
        """;

    private static readonly ServerConfig Config = GoTestServers.Default with { Extra = AuthorizationConf };

    /// <summary>Go's permErrRe.</summary>
    private static readonly System.Text.RegularExpressions.Regex PermErr = new(@"^-ERR\s+'Permissions Violation([^\r\n]+)\r\n");

    private static ProtoClient Login(NatsServerProcess server, string user)
    {
        var c = AuthTests.ConnectExpectingAuth(server);
        AuthTests.AuthConnect(c, "", user, DefaultPass);
        c.ExpectLine(ProtoRegex.Ok);
        return c;
    }

    private static void Expect(ProtoClient c, string proto, System.Text.RegularExpressions.Regex re)
    {
        c.Send(proto);
        c.ExpectLine(re);
    }

    [Theory, TargetData, GoTest("test/user_authorization_test.go", "TestUserAuthorizationProto")]
    public void UserAuthorizationProto(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, Config);

        // alice may do anything.
        using (var c = Login(server, "alice"))
        {
            Expect(c, "PUB foo 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "SUB foo 1\r\n", ProtoRegex.Ok);
            Expect(c, "PUB _ 2\r\nok\r\n", ProtoRegex.Ok);
        }

        // bob requests on req.foo / req.bar and subscribes to inboxes only.
        using (var c = Login(server, "bob"))
        {
            Expect(c, "SUB foo 1\r\n", PermErr);
            Expect(c, "PUB foo 2\r\nok\r\n", PermErr);
            Expect(c, "SUB _INBOX.abcd 1\r\n", ProtoRegex.Ok);
            Expect(c, "PUB req.foo 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB req.bar 2\r\nok\r\n", ProtoRegex.Ok);
        }

        // joe has the default permissions.
        using (var c = Login(server, "joe"))
        {
            Expect(c, "SUB foo.bar.* 1\r\n", PermErr);
            Expect(c, "PUB foo.bar.baz 2\r\nok\r\n", PermErr);
            Expect(c, "SUB _INBOX.abcd 1\r\n", ProtoRegex.Ok);
            Expect(c, "SUB PUBLIC.abcd 1\r\n", ProtoRegex.Ok);
            Expect(c, "PUB SANDBOX.foo 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB SANDBOX.bar 2\r\nok\r\n", ProtoRegex.Ok);
            // Only a partial wildcard: one token too many is refused.
            Expect(c, "PUB SANDBOX.foo.bar 2\r\nok\r\n", PermErr);
        }

        // ns: allow and deny clauses.
        using (var c = Login(server, "ns"))
        {
            Expect(c, "PUB SANDBOX.foo 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB baz.bar 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB baz.foo 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB foo 2\r\nok\r\n", PermErr);
            Expect(c, "PUB bar 2\r\nok\r\n", PermErr);
            Expect(c, "PUB foo.bar 2\r\nok\r\n", PermErr);
            Expect(c, "PUB foo.bar.baz 2\r\nok\r\n", PermErr);
            Expect(c, "PUB SYS.1 2\r\nok\r\n", PermErr);
            Expect(c, "SUB foo.bar 1\r\n", ProtoRegex.Ok);
            Expect(c, "SUB foo.foo 1\r\n", ProtoRegex.Ok);
            Expect(c, "SUB foo 1\r\n", PermErr);
            Expect(c, "SUB foo.baz 1\r\n", PermErr);
            Expect(c, "SUB foo.baz 1\r\n", PermErr);
            Expect(c, "SUB foo.baz 1\r\n", PermErr);
        }

        // A denied subject is not delivered to a wider wildcard subscription, and queue delivery routes around it.
        using (var c = Login(server, "ns"))
        {
            Expect(c, "SUB foo.* 1\r\n", ProtoRegex.Ok);
            Expect(c, "SUB foo.* bar 2\r\n", ProtoRegex.Ok);
            using var nc = Login(server, "ns-pub");
            Expect(nc, "PUB foo.baz 2\r\nok\r\n", ProtoRegex.Ok);
            c.ExpectNothing();
            Expect(c, "PING\r\n", ProtoRegex.Pong);

            Expect(nc, "SUB foo.baz bar 2\r\n", ProtoRegex.Ok);
            for (int i = 0; i < 20; i++)
            {
                nc.Send("PUB foo.baz 2\r\nok\r\n");
                nc.ExpectLine(ProtoRegex.Ok);
                nc.ReadMsg();
            }
        }

        using (var c = Login(server, "ns"))
        {
            Expect(c, "SUB foo.bar 1\r\n", ProtoRegex.Ok);
            Expect(c, "SUB foo.bar.baz 2\r\n", ProtoRegex.Err);
            Expect(c, "SUB > 3\r\n", ProtoRegex.Err);
            Expect(c, "SUB SYS.> 4\r\n", ProtoRegex.Err);
            Expect(c, "SUB SYS.TEST.foo 5\r\n", ProtoRegex.Ok);
            Expect(c, "SUB SYS.bar 5\r\n", ProtoRegex.Err);
        }
    }

    [Theory, TargetData, GoTest("test/user_authorization_test.go", "TestUserAuthorizationAllowResponses")]
    public void UserAuthorizationAllowResponses(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, Config);
        using var rc = Login(server, "alice");

        // svca answers once per request.
        using (var c = Login(server, "svca"))
        {
            Expect(c, "SUB my.service.req 1\r\n", ProtoRegex.Ok);
            Expect(rc, "PUB my.service.req resp.bar.22 2\r\nok\r\n", ProtoRegex.Ok);
            c.ReadMsg().Check("my.service.req", "1", "resp.bar.22", 2, "ok");
            Expect(c, "PUB resp.bar.22 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB resp.bar.33 2\r\nok\r\n", ProtoRegex.Err);
            Expect(c, "PUB resp.bar.22 2\r\nok\r\n", ProtoRegex.Err);
        }

        // svcb may send up to 10 responses, each permission living 50ms.
        using (var c = Login(server, "svcb"))
        {
            Expect(c, "SUB my.service.req 1\r\n", ProtoRegex.Ok);
            Expect(rc, "PUB my.service.req resp.bar.22 2\r\nok\r\n", ProtoRegex.Ok);
            c.ReadMsg().Check("my.service.req", "1", "resp.bar.22", 2, "ok");
            Expect(c, "PUB resp.bar.22 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB resp.bar.33 2\r\nok\r\n", ProtoRegex.Err);
            for (int i = 0; i < 9; i++) Expect(c, "PUB resp.bar.22 2\r\nok\r\n", ProtoRegex.Ok);
            Expect(c, "PUB resp.bar.22 2\r\nok\r\n", ProtoRegex.Err);

            Expect(rc, "PUB my.service.req resp.bar.11 2\r\nok\r\n", ProtoRegex.Ok);
            c.ReadMsg().Check("my.service.req", "1", "resp.bar.11", 2, "ok");
            Thread.Sleep(100);
            Expect(c, "PUB resp.bar.11 2\r\nok\r\n", ProtoRegex.Err);
        }
    }
}
