using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>
/// The system account's $SYS.DEBUG.SUBSCRIBERS service (Go's debugSubscribers) on one server, against ours and the
/// reference with the same conf file: a client of the system account asks how many client subscriptions of its account
/// match a subject, a wildcard, or a subject within one queue group, and gets the count as a bare number. (A conf file
/// cannot import the service into another account: its imports are set up before the system exports exist, so both
/// servers refuse that, with the same error.)
/// </summary>
public sealed class DebugSubscribersTests
{
    private const string Conf = """
        accounts {
          SYS { users [ {user: sys, password: sys} ] }
          FOO { users [ {user: foo, password: foo} ] }
        }
        system_account: SYS
        """;

    private static ProtoClient Login(NatsServerProcess s, string user) => ProtoClient.Login(s, user, user);

    private static string Ask(ProtoClient c, string body)
    {
        c.Send($"PUB $SYS.DEBUG.SUBSCRIBERS _INBOX.dbg {body.Length}\r\n{body}\r\n");
        return c.ReadMsg(TimeSpan.FromSeconds(2)).PayloadText;
    }

    [Theory, TargetData]
    public void CountsTheRequestersSubscribers(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, new ServerConfig { Extra = Conf });
        using var nc = Login(server, "sys");
        nc.SendAndFlush("SUB _INBOX.dbg 1\r\n");
        Ask(nc, "foo.bar").ShouldBe("0");

        using var clients = new ProtoClients();
        for (int i = 0; i < 5; i++)
        {
            var c = Login(server, "sys");
            clients.Add(c);
            c.SendAndFlush("SUB foo.bar 1\r\nSUB foo.* 2\r\nSUB foo.bar workers 3\r\n");
        }
        // Another account's subscriptions are not counted.
        using (var foo = Login(server, "foo"))
        {
            foo.SendAndFlush("SUB foo.bar 1\r\n");
            Ask(nc, "foo.bar").ShouldBe("15");
        }
        Ask(nc, "foo.bar workers").ShouldBe("5");
        Ask(nc, "foo.bar nobody").ShouldBe("0");
        // A wildcard counts the subscriptions it covers, foo.* itself included.
        Ask(nc, "foo.*").ShouldBe("15");
        Ask(nc, "foo.>").ShouldBe("15");
        Ask(nc, "bar.*").ShouldBe("0");
        Ask(nc, "foo.* workers").ShouldBe("5");
    }
}
