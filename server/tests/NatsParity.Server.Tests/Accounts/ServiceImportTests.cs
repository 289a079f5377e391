using System.Text;
using System.Text.RegularExpressions;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Accounts;

/// <summary>Ports of service import tests (server/accounts_test.go, test/accounts_cycles_test.go) and a cross-account
/// request/reply session checked against the reference.</summary>
public sealed class ServiceImportTests
{
    private static ulong _cid = 5000;
    private static readonly Regex MsgPat = new(@"^MSG\s+([^\s]+)\s+([^\s]+)\s+(([^\s]+)[^\S\r\n]+)?(\d+)\r\n");

    private static ClientConnection ClientIn(NatsServer s, Account acc)
    {
        var c = new ClientConnection(s, Interlocked.Increment(ref _cid));
        c.Options.Verbose = false;
        c.RegisterUser(acc, null, null);
        return c;
    }

    private static void Parse(ClientConnection c, string proto) => c.ParseForTest(Encoding.ASCII.GetBytes(proto)).ShouldBeNull();
    private static string Out(ClientConnection c) => Encoding.ASCII.GetString(c.TakeOutbound());

    private static ServerOptions FromConf(string conf)
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse(conf));
        return o;
    }

    [Fact, GoTest("server/accounts_test.go", "TestCrossAccountRequestReply")]
    public void CrossAccountRequestReply()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        var fooAcc = s.RegisterAccount("$foo");
        var barAcc = s.RegisterAccount("$bar");
        var cfoo = ClientIn(s, fooAcc);
        var cbar = ClientIn(s, barAcc);

        cfoo.Account.AddServiceExport("test.request", null).ShouldBeNull();
        cbar.Account.AddServiceImport(null, "foo", "test.request").ShouldBe(ImportErrors.MissingAccount);
        cbar.Account.AddServiceImport(fooAcc, "foo", "test..request.").ShouldBe(ServiceErrors.InvalidSubject);
        cbar.Account.AddServiceImport(fooAcc, "foo", "test.request").ShouldBeNull();

        Parse(cfoo, "SUB test.request 1\r\n");
        Parse(cbar, "SUB bar 11\r\nPUB foo bar 4\r\nhelp\r\n");

        string req = Out(cfoo);
        var m = MsgPat.Match(req);
        m.Success.ShouldBeTrue(req);
        m.Groups[1].Value.ShouldBe("test.request");
        m.Groups[2].Value.ShouldBe("1");
        m.Groups[4].Value.ShouldStartWith("_R_.");
        req[m.Length..].ShouldBe("help\r\n");

        Parse(cfoo, $"PUB {m.Groups[4].Value} 2\r\n22\r\n");
        string resp = Out(cbar);
        var r = MsgPat.Match(resp);
        r.Success.ShouldBeTrue(resp);
        r.Groups[1].Value.ShouldBe("bar");
        r.Groups[2].Value.ShouldBe("11");
        r.Groups[4].Value.ShouldBeEmpty();
        resp[r.Length..].ShouldBe("22\r\n");
        barAcc.NumPendingAllResponses.ShouldBe(0);
        // The singleton response closed the response import in the exporting account.
        fooAcc.NumPendingAllResponses.ShouldBe(0);
    }

    [Fact, GoTest("test/accounts_cycles_test.go", "TestAccountCycleDepthLimit")]
    public void AccountCycleDepthLimit()
    {
        const int chainLen = 1024 + 1;
        Account? last = null;
        for (int i = 1; i <= chainLen; i++)
        {
            var acc = new Account($"ACC-{i}");
            acc.AddServiceExport("*", null).ShouldBeNull();
            if (last is not null)
            {
                var err = acc.AddServiceImport(last, "foo", "foo");
                if (i == chainLen) err.ShouldBe(ImportErrors.CycleSearchDepth);
                else err.ShouldBeNull();
            }
            last = acc;
        }
        last = null;
        for (int i = 1; i <= chainLen; i++)
        {
            var acc = new Account($"ACC-{i}");
            acc.AddStreamExport("foo", null).ShouldBeNull();
            if (last is not null)
            {
                var err = acc.AddStreamImport(last, "foo", "");
                if (i == chainLen) err.ShouldBe(ImportErrors.CycleSearchDepth);
                else err.ShouldBeNull();
            }
            last = acc;
        }
    }

    private const string ServiceConf = """
        accounts {
          SVC {
            users [ {user: svc, password: svc} ]
            exports [ { service: "help.>" } ]
          }
          APP {
            users [ {user: app, password: app} ]
            imports [ { service { account: SVC, subject: "help.>" } } ]
          }
        }
        """;

    /// <summary>The same cross-account request/reply against both targets: the responder sees the request with a
    /// generated _R_ reply, and the requestor gets exactly one response on its own inbox.</summary>
    [Theory, TargetData]
    public void CrossAccountServiceSessionMatchesReference(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, new ServerConfig { Extra = ServiceConf });
        using var svc = ProtoClient.Login(server, "svc", "svc", commands: "SUB help.> 1\r\n");
        using var app = ProtoClient.Login(server, "app", "app", commands: "SUB inbox.1 9\r\nPUB help.me inbox.1 3\r\nhi!\r\n");

        var req = svc.ReadMsg();
        req.Subject.ShouldBe("help.me");
        req.Reply!.ShouldStartWith("_R_.");
        req.PayloadText.ShouldBe("hi!");

        svc.SendAndFlush($"PUB {req.Reply} 5\r\nhello\r\nPUB {req.Reply} 5\r\nagain\r\n");
        var resp = app.ReadMsg();
        resp.Subject.ShouldBe("inbox.1");
        resp.Sid.ShouldBe("9");
        resp.PayloadText.ShouldBe("hello");
        // Singleton: the second response has nowhere to go.
        app.ExpectNothing(TimeSpan.FromMilliseconds(150));

        // Isolation: the service account's own subscription does not see the app's other subjects.
        app.SendAndFlush("PUB other 1\r\nx\r\n");
        svc.ExpectNothing(TimeSpan.FromMilliseconds(100));
    }

    /// <summary>A streamed response ends with an empty message (EOF); one that has headers is not empty, so the stream
    /// stays open for the responses after it, as on the reference.</summary>
    [Theory, TargetData]
    public void StreamedResponseWithOnlyHeadersIsNotEof(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, new ServerConfig
        {
            Extra = ServiceConf.Replace("""{ service: "help.>" }""", """{ service: "help.>", response: stream }""", StringComparison.Ordinal),
        });
        using var svc = ProtoClient.Login(server, "svc", "svc", commands: "SUB help.> 1\r\n", connectFields: ",\"headers\":true");
        using var app = ProtoClient.Login(server, "app", "app", commands: "SUB inbox.1 9\r\nPUB help.me inbox.1 3\r\nhi!\r\n",
            connectFields: ",\"headers\":true");

        var req = svc.ReadMsg();
        req.Reply!.ShouldStartWith("_R_.");
        const string hdr = "NATS/1.0\r\nA: 1\r\n\r\n";
        svc.SendAndFlush($"HPUB {req.Reply} {hdr.Length} {hdr.Length}\r\n{hdr}\r\nPUB {req.Reply} 4\r\nmore\r\nPUB {req.Reply} 0\r\n\r\n" +
                         $"PUB {req.Reply} 5\r\nafter\r\n");
        app.ReadMsg().CheckHeaders("inbox.1", "9", "", hdr.Length, hdr.Length, hdr, "");
        app.ReadMsg().Check("inbox.1", "9", "", 4, "more");
        app.ReadMsg().Check("inbox.1", "9", "", 0, "");
        // The empty message closed the stream.
        app.ExpectNothing(TimeSpan.FromMilliseconds(150));
    }

    /// <summary>Since 2.10 a request crossing accounts carries Nats-Request-Info with the requestor's account; a
    /// responder that speaks headers receives it as HMSG.</summary>
    [Fact]
    public async Task RequestCarriesRequestInfoHeader()
    {
        await using var s = InProcess.Run(FromConf(ServiceConf));
        using var svc = ProtoClient.Login("127.0.0.1", s.Port, commands: "SUB help.> 1\r\n", connectFields: ",\"headers\":true,\"user\":\"svc\",\"pass\":\"svc\"");
        using var app = ProtoClient.Login("127.0.0.1", s.Port, "app", "app", commands: "PUB help.me inbox.1 3\r\nhi!\r\n");
        var req = svc.ReadMsg();
        req.Op.ShouldBe("HMSG");
        req.HeaderText.ShouldStartWith("NATS/1.0\r\nNats-Request-Info: {\"acc\":\"APP\"");
        req.PayloadText.ShouldBe("hi!");
    }
}
