using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

/// <summary>Ports of server/client_test.go about users, accounts and permissions.</summary>
public sealed partial class ClientTests
{
    /// <summary>Options from conf text, as Go's RunServerWithConfig(createConfFile(...)).</summary>
    private static ServerOptions FromConf(string conf)
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse(conf));
        return o;
    }

    public static TheoryData<string, string?, string?, string, string, string> QueuePermissionCases => new()
    {
        { "foo", null, null, "foo", "", "+OK\r\n" },
        { "foo bar", null, null, "foo", "bar", "+OK\r\n" },
        { "foo bar.*", null, null, "foo", "bar.fizz", "+OK\r\n" },
        { "> bar.>", null, null, "whizz", "bar.bang", "+OK\r\n" },
        { "> bar.>", null, null, "whizz", "", "-ERR 'Permissions Violation for Subscription to \"whizz\"'\r\n" },
        { ">", "foo", null, "foo", "bar", "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n" },
        { ">", "foo", null, "bar", "", "+OK\r\n" },
        { ">", ">", null, "foo", "bar", "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n" },
        { "> v1.>", null, null, "foo", "v1.prod", "+OK\r\n" },
        { ">", "> >", null, "foo", "", "+OK\r\n" },
        { null!, "> >", null, "foo", "bar", "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n" },
        { null!, "> *.dev", "> *.stg", "foo", "bar", "+OK\r\n" },
        { "> *.dev", null, "allow:> *.stg", "foo", "bar", "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n" },
        { null!, "foo >", null, "foo", "bar", "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"bar\"'\r\n" },
        { "foo bar", null, null, "foo", "fizz", "-ERR 'Permissions Violation for Subscription to \"foo\" using queue \"fizz\"'\r\n" },
        { "foo", null, null, "foo", "bar", "+OK\r\n" },
        { ">", "admin.>", "> restricted", "admin.secret", "workers", "-ERR 'Permissions Violation for Subscription to \"admin.secret\" using queue \"workers\"'\r\n" },
    };

    /// <summary>Each case: one allow entry, up to two deny entries (an "allow:" prefix on the third adds a second allow).</summary>
    [Theory, MemberData(nameof(QueuePermissionCases)), GoTest("server/client_test.go", "TestQueueSubscribePermissions")]
    public void QueueSubscribePermissions(string? allow, string? deny, string? extra, string subject, string queue, string want)
    {
        var perm = new SubjectPermission();
        if (allow is not null) perm.Allow = [allow];
        if (deny is not null) perm.Deny = [deny];
        if (extra is not null)
        {
            if (extra.StartsWith("allow:")) perm.Allow!.Add(extra["allow:".Length..]);
            else (perm.Deny ??= []).Add(extra);
        }
        var (s, c) = SetupClient();
        c.C.RegisterUser(s.GlobalAccount, new Auth.Permissions { Subscribe = perm }, null);
        c.Parse($"CONNECT {{\"verbose\":true}}\r\nSUB {subject} {queue} 1\r\n");
        // The first +OK answers the CONNECT.
        string got = System.Text.Encoding.ASCII.GetString(c.C.TakeOutbound());
        got.ShouldBe("+OK\r\n" + want);
    }

    [Fact, GoTest("server/client_test.go", "TestSplitSubjectQueue")]
    public void SplitSubjectQueue()
    {
        ClientPermissions.SplitSubjectQueue("foo").ShouldBe(("foo", null));
        ClientPermissions.SplitSubjectQueue("foo bar").ShouldBe(("foo", "bar"));
        ClientPermissions.SplitSubjectQueue(" foo bar ").ShouldBe(("foo", "bar"));
        ClientPermissions.SplitSubjectQueue("foo  bar").ShouldBe(("foo", "bar"));
        ClientPermissions.SplitSubjectQueue("foo  bar fizz").ShouldBeNull();
        ClientPermissions.SplitSubjectQueue("").ShouldBeNull();
        ClientPermissions.SplitSubjectQueue("\t").ShouldBeNull();
        ClientPermissions.SplitSubjectQueue("\n").ShouldBeNull();
        ClientPermissions.SplitSubjectQueue(" \t\r\n").ShouldBeNull();
    }

    [Fact, GoTest("server/client_test.go", "TestClientSetPermissionsClearsStaleMsgDenyState")]
    public void ClientSetPermissionsClearsStaleMsgDenyState()
    {
        var (_, c) = SetupClient();
        c.C.SetPermissions(new Auth.Permissions { Subscribe = new SubjectPermission { Deny = ["foo.secret"] } });
        c.C.Permissions!.CanSubscribe("foo.*", null).ShouldBeTrue();
        c.C.Permissions.HasMsgDenyFilter.ShouldBeTrue();
        c.C.Permissions.DenyArrayCount.ShouldBe(1);

        c.C.SetPermissions(new Auth.Permissions());
        c.C.Permissions!.HasMsgDenyFilter.ShouldBeFalse();
        c.C.Permissions.DenyArrayCount.ShouldBe(0);
        c.C.Permissions.CanSubscribe("foo.*", null).ShouldBeTrue();
        c.C.Permissions.HasMsgDenyFilter.ShouldBeFalse();
    }

    [Fact, GoTest("server/client_test.go", "TestClientSetPermissionsPublishDenyQueueQualifierFailsClosed")]
    public void ClientSetPermissionsPublishDenyQueueQualifierFailsClosed()
    {
        var (_, c) = SetupClient();
        c.C.SetPermissions(new Auth.Permissions { Publish = new SubjectPermission { Deny = ["admin.secret workers"] } });
        c.C.Permissions!.PubDeny!.NumInterest("admin.secret").Plain.ShouldBe(1);
    }

    [Fact, GoTest("server/client_test.go", "TestClientPublicPermissionsPreservesQueueQualifier")]
    public void ClientPublicPermissionsPreservesQueueQualifier()
    {
        var (_, c) = SetupClient();
        c.C.SetPermissions(new Auth.Permissions
        {
            Subscribe = new SubjectPermission { Allow = ["events.* readers"], Deny = ["admin.secret workers"] },
        });
        var perms = c.C.Permissions!.ToPublic();
        perms.Subscribe!.Allow![0].ShouldBe("events.* readers");
        perms.Subscribe.Deny![0].ShouldBe("admin.secret workers");
    }

    [Fact, GoTest("server/client_test.go", "TestClientAuthRequiredNoAuthUser")]
    public async Task ClientAuthRequiredNoAuthUser()
    {
        await using var s = InProcess.Run(FromConf("""
            accounts: {
                A: { users: [ { user: user, password: pass } ] }
            }
            no_auth_user: user
            """));
        // The INFO a client connects with: a no_auth_user means no credentials are asked for.
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        bool authRequired = nc.Info!.Value.TryGetProperty("auth_required", out var ar) && ar.GetBoolean();
        authRequired.ShouldBeFalse();
        nc.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
    }

    private static ServerOptions AttackerAndPublisher(string deny) => new()
    {
        Users =
        [
            new User
            {
                Username = "attacker", Password = "pass",
                Permissions = new Auth.Permissions { Subscribe = new SubjectPermission { Allow = [">"], Deny = [deny] } },
            },
            new User { Username = "publisher", Password = "pass" },
        ],
    };

    /// <summary>A raw-protocol client logged in as <paramref name="user"/> (NATS.Client.Core cannot send credentials
    /// here: its auth path needs NATS.NKeys, which the registry does not serve).</summary>
    private static ProtoClient Login(NatsServer s, string user, string pass) => ProtoClient.Login("127.0.0.1", s.Port, user, pass);

    private static void Pub(ProtoClient c, string subject, string payload, string? reply = null) =>
        c.Send($"PUB {subject} {(reply is null ? "" : reply + " ")}{payload.Length}\r\n{payload}\r\n");

    [Theory, GoTest("server/client_test.go", "TestClientSubscribeDenyWildcardOverlapBlocksDelivery")]
    [InlineData("*.secret", "foo.*", "foo.secret", "foo.public")]
    [InlineData("foo.*.bar", "foo.baz.*", "foo.baz.bar", "foo.baz.qux")]
    [InlineData("*.*.bar", "foo.*.*", "foo.baz.bar", "foo.baz.qux")]
    [InlineData("a.>", "*.b", "a.b", "z.b")]
    public async Task ClientSubscribeDenyWildcardOverlapBlocksDelivery(string deny, string sub, string blocked, string allowed)
    {
        NatsParity.Server.Subscriptions.SubjectValidation.SubjectsCollide(deny, sub).ShouldBeTrue();
        await using var s = InProcess.Run(AttackerAndPublisher(deny));
        using var attacker = Login(s, "attacker", "pass");
        using var publisher = Login(s, "publisher", "pass");
        attacker.SendAndFlush($"SUB {sub} workers 1\r\n");

        Pub(publisher, blocked, "blocked");
        Pub(publisher, allowed, "ok");
        publisher.Flush();

        var msg = attacker.ReadMsg(TimeSpan.FromSeconds(1));
        msg.Subject.ShouldBe(allowed);
        msg.PayloadText.ShouldBe("ok");
    }

    [Theory, GoTest("server/client_test.go", "TestClientQueueScopedSubscribeDenyBlocksOnlyMatchingQueue")]
    [InlineData("admin.secret workers", "workers", "auditors", "admin.secret", "admin.*")]
    [InlineData("admin.secret work.*", "work.prod", "audit.prod", "admin.secret", "admin.*")]
    public async Task ClientQueueScopedSubscribeDenyBlocksOnlyMatchingQueue(string deny, string deniedQ, string allowedQ, string subject, string subscribe)
    {
        await using var s = InProcess.Run(AttackerAndPublisher(deny));
        using var attacker = Login(s, "attacker", "pass");
        using var publisher = Login(s, "publisher", "pass");
        attacker.SendAndFlush($"SUB {subscribe} {deniedQ} 1\r\nSUB {subscribe} {allowedQ} 2\r\nSUB {subscribe} 3\r\n");

        Pub(publisher, subject, "secret");
        publisher.Flush();

        // The allowed queue and the plain subscription get the message; the denied queue gets nothing.
        var got = attacker.ExpectMsgs(2, TimeSpan.FromSeconds(1)).OrderBy(m => m.Sid).ToList();
        got.Select(m => m.Sid).ShouldBe(["2", "3"]);
        got.ShouldAllBe(m => m.PayloadText == "secret");
        attacker.ExpectNothing(TimeSpan.FromMilliseconds(100));
    }

    [Theory, GoTest("server/client_test.go", "TestResponsePermissions")]
    [InlineData(0, 2, 3_600_000)]
    [InlineData(1, 3, -1)]
    [InlineData(2, 1000, 100)]
    [InlineData(3, -1, 100)]
    public async Task ResponsePermissions(int kind, int maxMsgs, int expiresMs)
    {
        var o = new ServerOptions
        {
            Users =
            [
                new User
                {
                    Username = "service", Password = "pwd",
                    Permissions = new Auth.Permissions { Response = new ResponsePermission { MaxMsgs = maxMsgs, Expires = TimeSpan.FromMilliseconds(expiresMs) } },
                },
                new User { Username = "ivan", Password = "pwd" },
            ],
        };
        await using var s = InProcess.Run(o);
        using var svc = Login(s, "service", "pwd");
        svc.SendAndFlush("SUB request 1\r\n");
        using var nc = Login(s, "ivan", "pwd");
        nc.Send("SUB reply 1\r\n");
        Pub(nc, "request", "req1", "reply");
        nc.Flush();

        var req1 = svc.ReadMsg(TimeSpan.FromMilliseconds(500));
        req1.Reply.ShouldBe("reply");

        void Next() => nc.ReadMsg(TimeSpan.FromMilliseconds(500)).PayloadText.ShouldBe("reply");
        void CheckFailed() => nc.ExpectNothing(TimeSpan.FromMilliseconds(100));

        switch (kind)
        {
            case 0:
                for (int i = 0; i < 10; i++) Pub(svc, req1.Reply!, "reply");
                Next();
                Next();
                CheckFailed();
                break;
            case 1:
                Pub(svc, req1.Reply!, "reply");
                await Task.Delay(50);
                Pub(svc, req1.Reply!, "reply");
                Next();
                Next();
                break;
            default:
                Pub(svc, req1.Reply!, "reply");
                await Task.Delay(200);
                Pub(svc, req1.Reply!, "reply");
                Next();
                CheckFailed();
                break;
        }
    }

    [Fact, GoTest("server/client_test.go", "TestClientRejectsNRGSubjects")]
    public async Task ClientRejectsNRGSubjects()
    {
        await using var s = InProcess.Run(FromConf("""
            accounts: {
                A: { users: [ { user: nat, password: pass } ] }
                $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] }
            }
            no_auth_user: nat
            """));

        // A system account client may publish to $NRG subjects.
        using (var sys = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            sys.SendAndFlush("CONNECT {\"verbose\":false,\"user\":\"admin\",\"pass\":\"s3cr3t!\"}\r\nPUB $NRG.foo 0\r\n\r\n");
            sys.ExpectNothing(TimeSpan.FromMilliseconds(200));
        }
        // Any other client gets a publish permissions violation.
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false}\r\nPUB $NRG.foo 0\r\n\r\nPING\r\n");
        nc.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Permissions Violation for Publish to \"$NRG.foo\"'");
        nc.ExpectLine(ProtoRegex.Pong);
    }

    [Theory, GoTest("server/client_test.go", "TestClientRepeatConnectSwitchesAccountAndCleansOldSubs")]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ClientRepeatConnectSwitchesAccountAndCleansOldSubs(bool diffAcc)
    {
        await using var s = InProcess.Run(FromConf("""
            accounts: {
                A: { users: [ { user: ua, password: pa } ] }
                B: { users: [ { user: ub, password: pb } ] }
            }
            """));
        var accA = s.LookupAccount("A")!;
        var accB = s.LookupAccount("B")!;

        using var c = ProtoClient.Login("127.0.0.1", s.Port, "ua", "pa", commands: "SUB foo 1\r\n");
        (await InProcess.WaitFor(() => accA.Sublist.Match("foo").Psubs.Length == 1 && accA.NumClients == 1, TimeSpan.FromSeconds(1))).ShouldBeTrue();

        c.Send(diffAcc
            ? "CONNECT {\"verbose\":false,\"user\":\"ub\",\"pass\":\"pb\"}\r\nPING\r\n"
            : "CONNECT {\"verbose\":false,\"user\":\"ua\",\"pass\":\"pa\"}\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Pong);
        int ea = diffAcc ? 0 : 1, eb = diffAcc ? 1 : 0;
        (await InProcess.WaitFor(() => accA.Sublist.Match("foo").Psubs.Length == 0 && accA.NumClients == ea && accB.NumClients == eb,
            TimeSpan.FromSeconds(1))).ShouldBeTrue($"A subs {accA.Sublist.Match("foo").Psubs.Length}, A clients {accA.NumClients}, B clients {accB.NumClients}");

        using var ncA = Login(s, "ua", "pa");
        Pub(ncA, "foo", "should-not-arrive");
        ncA.Flush();
        c.ExpectNothing(TimeSpan.FromMilliseconds(150));
    }
}
