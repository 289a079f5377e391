using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Accounts;

/// <summary>Ports of server/accounts_test.go: export authorization lists, stream and service imports with wildcards and
/// transforms, response types and their cleanup, and users mapped to accounts.</summary>
public sealed class AccountMoreTests
{
    private static ulong _cid = 9000;

    /// <summary>Go's simpleAccountServer: a server with accounts $foo and $bar.</summary>
    private static (NatsServer, Account, Account) SimpleAccountServer()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        return (s, s.RegisterAccount("$foo"), s.RegisterAccount("$bar"));
    }

    /// <summary>Go's newClientForServer plus registerWithAccount.</summary>
    private static ClientConnection ClientIn(NatsServer s, Account acc)
    {
        var c = new ClientConnection(s, Interlocked.Increment(ref _cid));
        c.Options.Verbose = false;
        c.RegisterUser(acc, null, null);
        return c;
    }

    private static void Parse(ClientConnection c, string proto) => c.ParseForTest(Encoding.ASCII.GetBytes(proto)).ShouldBeNull();
    private static string Out(ClientConnection c) => Encoding.ASCII.GetString(c.TakeOutbound());

    /// <summary>The MSG frames a client was sent since the last look, and nothing else.</summary>
    private static List<MsgFrame> Msgs(ClientConnection c)
    {
        byte[] data = c.TakeOutbound();
        var frames = new List<MsgFrame>();
        int off = 0;
        while (off < data.Length)
        {
            MsgFrame.TryParse(data.AsSpan(off), out var f, out int consumed, out string? error).ShouldBeTrue(
                $"{error}: {Encoding.ASCII.GetString(data, off, data.Length - off)}");
            frames.Add(f);
            off += consumed;
        }
        return frames;
    }

    private static MsgFrame OneMsg(ClientConnection c) => Msgs(c).ShouldHaveSingleItem();

    private static ServerOptions FromConf(string conf)
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse(conf));
        return o;
    }

    private static Exception? ConfError(string conf)
    {
        try
        {
            FromConf(conf);
            return null;
        }
        catch (Exception e) when (e is ConfigException or ConfigProcessException)
        {
            return e;
        }
    }

    private static ExportView Export(Account acc, string subject, bool service) =>
        acc.ExportsSnapshot().Single(e => e.Subject == subject && e.Service == service);

    [Fact, GoTest("server/accounts_test.go", "TestAddStreamExport")]
    public void AddStreamExport()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var baz = s.RegisterAccount("$baz");

        foo.AddStreamExport("test.request", null).ShouldBeNull();
        // Public: nobody listed, anyone may import.
        Export(foo, "test.request", service: false).Approved.ShouldBeEmpty();
        foo.CheckStreamImportAuthorized(baz, "test.request").ShouldBeTrue();

        foo.AddStreamExport("test.request", [bar]).ShouldBeNull();
        Export(foo, "test.request", service: false).Approved.Count.ShouldBe(1);
        foo.AddStreamExport("test.request", [baz]).ShouldBeNull();
        Export(foo, "test.request", service: false).Approved.Count.ShouldBe(2);
    }

    [Fact, GoTest("server/accounts_test.go", "TestAddServiceExport")]
    public void AddServiceExport()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var baz = s.RegisterAccount("$baz");

        foo.AddServiceExport("test.request", null).ShouldBeNull();
        Export(foo, "test.request", service: true).Approved.ShouldBeEmpty();
        foo.AddServiceExport("test.request", [bar]).ShouldBeNull();
        Export(foo, "test.request", service: true).Approved.Count.ShouldBe(1);
        foo.AddServiceExport("test.request", [baz]).ShouldBeNull();
        Export(foo, "test.request", service: true).Approved.Count.ShouldBe(2);
    }

    [Fact, GoTest("server/accounts_test.go", "TestStreamImportLengthBug")]
    public void StreamImportLengthBug()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);

        cfoo.Account.AddStreamExport("client.>", null).ShouldBeNull();
        // A prefix may not hold wildcards.
        cbar.Account.AddStreamImport(foo, "client.>", "events.>").ShouldNotBeNull();
        cbar.Account.AddStreamImport(foo, "client.>", "events").ShouldBeNull();
        Parse(cbar, "SUB events.> 1\r\n");

        // The same prefix in a conf file fails too.
        ConfError("""
            accounts {
              foo {
                exports = [{stream: "client.>"}]
              }
              bar {
                imports = [{stream: {account: "foo", subject:"client.>"}, prefix:"events.>"}]
              }
            }
            """).ShouldNotBeNull();
    }

    [Fact, GoTest("server/accounts_test.go", "TestNewAccountAndRequireNewAlwaysError")]
    public void NewAccountAndRequireNewAlwaysError()
    {
        var o = FromConf("""
            listen: 127.0.0.1:-1
            accounts: {
                A: { users: [ {user: ua, password: pa} ] },
                B: { users: [ {user: ub, password: pb} ] },
            }
            """);
        o.NoLog = true;
        var s = new NatsServer(o);
        ClientConnection NewClient() => new(s, Interlocked.Increment(ref _cid), authRequired: true);

        var ok = NewClient();
        ok.ParseForTest(Encoding.ASCII.GetBytes("CONNECT {\"user\":\"ua\", \"pass\":\"pa\"}\r\n")).ShouldBeNull();
        ok.Close(ClosedState.ClientClosed);

        // Naming any account, the user's own included, or asking for a new one is refused even with good credentials.
        foreach (string extra in new[] { "\"account\":\"ANY\"", "\"new_account\":true", "\"account\":\"B\"", "\"account\":\"A\"" })
        {
            var c = NewClient();
            c.ParseForTest(Encoding.ASCII.GetBytes($"CONNECT {{\"user\":\"ua\", \"pass\":\"pa\", {extra}}}\r\n"));
            Out(c).ShouldStartWith("-ERR 'Authorization Violation'", customMessage: extra);
            c.Close(ClosedState.ClientClosed);
        }
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountSystemPermsWithGlobalAccess")]
    public async Task AccountSystemPermsWithGlobalAccess()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            accounts {
                $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] }
            }
            """);
        // No credentials: the global account, as without accounts.
        using var nc = ProtoClient.Login("127.0.0.1", s.Port);
        // The system user with its password.
        using var sc = ProtoClient.Login("127.0.0.1", s.Port, "admin", "s3cr3t!");
    }

    [Fact, GoTest("server/accounts_test.go", "TestSimpleMapping")]
    public void SimpleMapping()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);

        // No export yet.
        cbar.Account.AddStreamImport(foo, "foo", "import").ShouldBe(ImportErrors.StreamImportAuthorization);
        cfoo.Account.AddStreamExport("foo", null).ShouldBeNull();
        cbar.Account.AddStreamImport(foo, "foo", "import").ShouldBeNull();

        // A plain and a queue subscription.
        Parse(cbar, "SUB import.foo 1\r\nSUB import.foo bar 2\r\n");
        Parse(cfoo, "PUB foo 5\r\nhello\r\n");

        var msgs = Msgs(cbar);
        msgs.Count.ShouldBe(2);
        for (int i = 0; i < 2; i++)
        {
            msgs[i].Subject.ShouldBe("import.foo");
            msgs[i].Sid.ShouldBe((i + 1).ToString());
            msgs[i].PayloadText.ShouldBe("hello");
        }

        // Both subscriptions in bar, and their shadows in foo; all go with the UNSUBs.
        bar.Sublist.Count.ShouldBe(2u);
        foo.Sublist.Count.ShouldBe(2u);
        Parse(cbar, "UNSUB 1\r\nUNSUB 2\r\n");
        bar.Sublist.Count.ShouldBe(0u);
        foo.Sublist.Count.ShouldBe(0u);
    }

    /// <summary>A request from <paramref name="requestor"/> (reply subject "<paramref name="reply"/>", sid 11) reaches
    /// <paramref name="responder"/> (sid 1) as <paramref name="delivered"/> with an _R_ reply; the answer comes back on
    /// the requestor's reply with no reply of its own.</summary>
    private static void RequestReply(ClientConnection requestor, ClientConnection responder, string publish, string reply, string delivered)
    {
        Parse(requestor, $"SUB {reply} 11\r\nPUB {publish} {reply} 4\r\nhelp\r\n");
        var req = OneMsg(responder);
        req.Subject.ShouldBe(delivered);
        req.Sid.ShouldBe("1");
        req.Reply.ShouldNotBeNull().ShouldStartWith("_R_.");
        req.PayloadText.ShouldBe("help");

        Parse(responder, $"PUB {req.Reply} 2\r\n22\r\n");
        var resp = OneMsg(requestor);
        resp.Subject.ShouldBe(reply);
        resp.Sid.ShouldBe("11");
        (resp.Reply ?? "").ShouldBeEmpty();
        resp.PayloadText.ShouldBe("22");
    }

    [Fact, GoTest("server/accounts_test.go", "TestServiceImportWithWildcards")]
    public void ServiceImportWithWildcards()
    {
        var (s, foo, bar) = SimpleAccountServer();
        foo.AddServiceExport("test.*", null).ShouldBeNull();
        // A wildcard import can not be mapped to a literal, nor be wider than the export.
        bar.AddServiceImport(foo, "test.*", "foo").ShouldNotBeNull();
        bar.AddServiceImport(foo, "test.>", "").ShouldNotBeNull();
        bar.AddServiceImport(foo, "test.*", "").ShouldBeNull();

        var cfoo = ClientIn(s, foo);
        Parse(cfoo, "SUB test.* 1\r\n");
        var cbar = ClientIn(s, bar);
        RequestReply(cbar, cfoo, "test.22", "bar", "test.22");

        bar.RemoveServiceImport(foo.Name, "test.*");
        bar.NumServiceImports.ShouldBe(0);
    }

    [Theory, InlineData(true), InlineData(false), GoTest("server/accounts_test.go", "TestServiceExportWithWildcards")]
    public void ServiceExportWithWildcards(bool isPublic)
    {
        var (s, foo, bar) = SimpleAccountServer();
        foo.AddServiceExport("ngs.update.*", isPublic ? null : [bar]).ShouldBeNull();
        // The literal import lands on one subject the wildcard export covers.
        bar.AddServiceImport(foo, "ngs.update", "ngs.update.$bar").ShouldBeNull();

        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);
        Parse(cfoo, "SUB ngs.update.* 1\r\n");
        RequestReply(cbar, cfoo, "ngs.update", "reply", "ngs.update.$bar");
        bar.NumPendingAllResponses.ShouldBe(0);
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountAddServiceImportRace")]
    public async Task AccountAddServiceImportRace()
    {
        var (_, foo, bar) = SimpleAccountServer();
        foo.AddServiceExport("foo.*", null).ShouldBeNull();

        const int total = 100;
        var errs = await Task.WhenAll(Enumerable.Range(0, total).Select(i => Task.Run(() => bar.AddServiceImport(foo, $"foo.{i}", ""))));
        errs.ShouldAllBe(e => e == null);

        bar.NumServiceImports.ShouldBe(total);
        // One internal subscription per import.
        bar.Sublist.Count.ShouldBe((uint)total);
    }

    private const string ImportSubscriptionOverlapTemplate = """
        listen: 127.0.0.1:-1
        accounts: {
          ACCOUNT_X: {
            users: [
              {user: publisher}
            ]
            exports: [
              {stream: EXPORT}
            ]
          },
          ACCOUNT_Y: {
            users: [
              {user: subscriber}
            ]
            imports: [
              {stream: {account: ACCOUNT_X, subject: IMPORT }, OPTION}
            ]
          }
        }
        """;

    /// <summary>For each subject in turn, a one-message subscription in ACCOUNT_Y gets what ACCOUNT_X publishes on
    /// <paramref name="publish"/>, as <paramref name="delivered"/> when given.</summary>
    private static async Task ImportOverlapDelivers(string export, string import, string option, string publish, string? delivered,
        string[] subjects)
    {
        await using var s = InProcess.RunConf(ImportSubscriptionOverlapTemplate.Replace("EXPORT", export)
            .Replace("IMPORT", import).Replace("OPTION", option));
        using var ncX = ProtoClient.Login("127.0.0.1", s.Port, "publisher", "");
        using var ncY = ProtoClient.Login("127.0.0.1", s.Port, "subscriber", "");
        int sid = 0;
        foreach (string subj in subjects)
        {
            sid++;
            ncY.SendAndFlush($"SUB {subj} {sid}\r\nUNSUB {sid} 1\r\n");
            ncX.Send($"PUB {publish} 5\r\nhello\r\n");
            var m = ncY.ReadMsg(TimeSpan.FromSeconds(1));
            m.Sid.ShouldBe(sid.ToString(), subj);
            m.PayloadText.ShouldBe("hello", subj);
            if (delivered is not null) m.Subject.ShouldBe(delivered, subj);
        }
    }

    [Fact, GoTest("server/accounts_test.go", "TestImportSubscriptionPartialOverlapWithPrefix")]
    public Task ImportSubscriptionPartialOverlapWithPrefix() =>
        ImportOverlapDelivers(">", ">", "prefix: myprefix", "test", null,
            [">", "myprefix.*", "myprefix.>", "myprefix.test", "*.>", "*.*", "*.test"]);

    [Fact, GoTest("server/accounts_test.go", "TestImportSubscriptionPartialOverlapWithTransform")]
    public Task ImportSubscriptionPartialOverlapWithTransform() =>
        ImportOverlapDelivers("*.*.>", "*.*.>", "to: myprefix.$2.$1.>", "1.2.test", "myprefix.2.1.test",
            [">", "*.*.*.>", "*.2.*.>", "*.*.1.>", "*.2.1.>", "*.*.*.*", "*.2.1.*", "*.*.*.test",
             "*.*.1.test", "*.2.*.test", "*.2.1.test", "myprefix.*.*.*", "myprefix.>", "myprefix.*.>", "myprefix.*.*.>",
             "myprefix.2.>", "myprefix.2.1.>", "myprefix.*.1.>", "myprefix.2.*.>", "myprefix.2.1.*", "myprefix.*.*.test",
             "myprefix.2.1.test"]);

    /// <summary>Go's nc.Request from <paramref name="requestor"/> on <paramref name="subject"/>, answered by
    /// <paramref name="responder"/> (subscribed with sid 1), which must see the request on <paramref name="seen"/>.</summary>
    private static void Request(ProtoClient requestor, ProtoClient responder, string subject, string seen, string inboxSid)
    {
        requestor.SendAndFlush($"SUB _INBOX.req {inboxSid}\r\nPUB {subject} _INBOX.req 4\r\nyes?\r\n");
        var req = responder.ReadMsg(TimeSpan.FromSeconds(1));
        req.Subject.ShouldBe(seen);
        req.PayloadText.ShouldBe("yes?");
        responder.Send($"PUB {req.Reply} 4\r\nyes!\r\n");
        var resp = requestor.ReadMsg(TimeSpan.FromSeconds(1));
        resp.Sid.ShouldBe(inboxSid);
        resp.PayloadText.ShouldBe("yes!");
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountImportsWithWildcardSupport")]
    public async Task AccountImportsWithWildcardSupport()
    {
        await using var s = InProcess.RunConf("""
            port: -1
            accounts {
              foo {
                users = [{user: derek, password: foo}]
                exports = [
                  { service: "request.*" }
                  { stream: "events.>" }
                  { stream: "info.*.*.>" }
                ]
              }
              bar {
                users = [{user: ivan, password: bar}]
                imports = [
                  { service: {account: "foo", subject:"request.*"}, to:"my.request.*"}
                  { stream:  {account: "foo", subject:"events.>"}, to:"foo.events.>"}
                  { stream:  {account: "foo", subject:"info.*.*.>"}, to:"foo.info.$2.$1.>"}
                ]
              }
            }
            """);
        using var ncFoo = ProtoClient.Login("127.0.0.1", s.Port, "derek", "foo", commands: "SUB request.* t22 1\r\n");
        using var ncBar = ProtoClient.Login("127.0.0.1", s.Port, "ivan", "bar");

        // The service import: the responder sees the literal exported subject.
        Request(ncBar, ncFoo, "my.request.22", "request.22", "9");

        // The stream imports: one message each, on the mapped subjects.
        ncBar.SendAndFlush("SUB foo.events.* 2\r\nSUB foo.info.> 3\r\n");
        ncFoo.SendAndFlush("PUB events.22 0\r\n\r\nPUB info.11.22.bar 0\r\n\r\n");
        var msgs = ncBar.ExpectMsgs(2, TimeSpan.FromSeconds(1));
        msgs.Single(m => m.Sid == "2").Subject.ShouldBe("foo.events.22");
        msgs.Single(m => m.Sid == "3").Subject.ShouldBe("foo.info.22.11.bar");
        ncBar.ExpectNothing(TimeSpan.FromMilliseconds(50));
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountImportsWithWildcardSupportStreamAndService")]
    public async Task AccountImportsWithWildcardSupportStreamAndService()
    {
        await using var s = InProcess.RunConf("""
            port: -1
            accounts {
              foo {
                users = [{user: derek, password: foo}]
                exports = [
                  { service: "$request.*.$in.*.>" }
                  { stream: "$events.*.$in.*.>" }
                ]
              }
              bar {
                users = [{user: ivan, password: bar}]
                imports = [
                  { service: {account: "foo", subject:"$request.*.$in.*.>"}, to:"my.request.$2.$1.>"}
                  { stream:  {account: "foo", subject:"$events.*.$in.*.>"}, to:"my.events.$2.$1.>"}
                ]
              }
            }
            """);
        using var ncFoo = ProtoClient.Login("127.0.0.1", s.Port, "derek", "foo", commands: "SUB $request.> 1\r\n");
        using var ncBar = ProtoClient.Login("127.0.0.1", s.Port, "ivan", "bar");

        Request(ncBar, ncFoo, "my.request.1.2.bar", "$request.2.$in.1.bar", "9");

        ncBar.SendAndFlush("SUB my.events.> 2\r\n");
        ncFoo.Send("PUB $events.1.$in.2.bar 0\r\n\r\n");
        ncBar.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("my.events.2.1.bar");
    }

    [Fact, GoTest("server/accounts_test.go", "TestCrossAccountServiceResponseTypes")]
    public async Task CrossAccountServiceResponseTypes()
    {
        var (s, foo, bar) = SimpleAccountServer();
        var cfoo = ClientIn(s, foo);
        var cbar = ClientIn(s, bar);

        foo.AddServiceExport("test.request", null, ServiceResponseType.Streamed).ShouldBeNull();
        bar.AddServiceImport(foo, "foo", "test.request").ShouldBeNull();
        Parse(cfoo, "SUB test.request 1\r\n");

        Parse(cbar, "SUB bar 11\r\nPUB foo bar 4\r\nhelp\r\n");
        string reply = OneMsg(cfoo).Reply.ShouldNotBeNull();
        reply.ShouldStartWith("_R_.");

        // A streamed response: all ten answers get through.
        Parse(cfoo, string.Concat(Enumerable.Repeat($"PUB {reply} 2\r\n22\r\n", 10)));
        Msgs(cbar).Count.ShouldBe(10);

        // The response mapping goes with the requestor's interest.
        cbar.Close(ClosedState.ClientClosed);
        (await InProcess.WaitFor(() => bar.NumPendingAllResponses == 0, TimeSpan.FromSeconds(1))).ShouldBeTrue();

        // A request whose reply subject nobody listens on: the first answer finds no interest and cleans up.
        cbar = ClientIn(s, bar);
        Parse(cbar, "PUB foo bar 4\r\nhelp\r\n");
        reply = OneMsg(cfoo).Reply.ShouldNotBeNull();
        reply.ShouldStartWith("_R_.");
        Parse(cfoo, $"PUB {reply} 2\r\n22\r\n");
        (await InProcess.WaitFor(() => foo.NumPendingAllResponses == 0, TimeSpan.FromSeconds(1))).ShouldBeTrue(
            $"{foo.NumPendingAllResponses} responses pending");
        foo.ResponsesSnapshot().ShouldBeEmpty();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountMapsUsers")]
    public async Task AccountMapsUsers()
    {
        const string seed1 = "SUAPM67TC4RHQLKBX55NIQXSMATZDOZK6FNEOSS36CAYA7F7TY66LP4BOM";
        const string seed2 = "SUAIS5JPX4X4GJ7EIIJEQ56DH2GWPYJRPWN5XJEDENJOZHCBLI7SEPUQDE";
        var o = FromConf("""
            accounts {
              synadia {
                users = [
                  {user: derek, password: foo},
                  {nkey: UCNGL4W5QX66CFX6A6DCBVDH5VOHMI7B2UZZU7TXAUQQSI2JPHULCKBR}
                ]
              }
              nats {
                users = [
                  {user: ivan, password: bar},
                  {nkey: UDPGQVFIWZ7Q5UH4I5E6DBCZULQS6VTVBG6CYBD7JV3G3N2GMQOMNAUH}
                ]
              }
            }
            """);
        await using var s = InProcess.Run(o);
        var synadia = s.LookupAccount("synadia");
        var nats = s.LookupAccount("nats");
        synadia.ShouldNotBeNull();
        nats.ShouldNotBeNull();

        // The server's side of a connection, by the client id its INFO gave.
        Account AccountOf(ProtoClient c)
        {
            ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
            return s.Clients.Single(x => x.Cid == cid).Account;
        }

        using (var c = ProtoClient.Login("127.0.0.1", s.Port, "derek", "foo"))
            AccountOf(c).ShouldBeSameAs(synadia);
        using (var c = ProtoClient.Login("127.0.0.1", s.Port, "ivan", "bar"))
            AccountOf(c).ShouldBeSameAs(nats);

        foreach (var (seed, acc) in new[] { (seed1, synadia), (seed2, nats) })
        {
            var kp = NKeyPair.FromSeed(seed);
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            string nonce = c.Info!.Value.TryGetProperty("nonce", out var n) ? n.GetString() ?? "" : "";
            nonce.ShouldNotBeEmpty();
            string sig = Convert.ToBase64String(kp.Sign(Encoding.ASCII.GetBytes(nonce))).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            c.Send($"CONNECT {{\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{sig}\",\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n");
            c.ReadLine().ShouldStartWith("+OK");
            AccountOf(c).ShouldBeSameAs(acc);
        }
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountCheckStreamImportsEqual")]
    public void AccountCheckStreamImportsEqual()
    {
        var foo = new Account("foo");
        foo.AddStreamExport(">", null).ShouldBeNull();
        var bar = new Account("bar");
        bar.AddStreamImport(foo, "foo", "myPrefix").ShouldBeNull();
        var baz = new Account("baz");
        baz.AddStreamImport(foo, "foo", "myPrefix").ShouldBeNull();
        bar.CheckStreamImportsEqual(baz).ShouldBeTrue();

        baz.AddStreamImport(foo, "foo.>", "").ShouldBeNull();
        bar.CheckStreamImportsEqual(baz).ShouldBeFalse();
        bar.AddStreamImport(foo, "foo.>", "").ShouldBeNull();
        bar.CheckStreamImportsEqual(baz).ShouldBeTrue();

        // Another account also named foo: accounts compare by name.
        var newFoo = new Account("foo");
        newFoo.AddStreamExport(">", null).ShouldBeNull();
        var bat = new Account("bat");
        bat.AddStreamImport(newFoo, "foo", "myPrefix").ShouldBeNull();
        bat.AddStreamImport(newFoo, "foo.>", "").ShouldBeNull();
        bat.CheckStreamImportsEqual(bar).ShouldBeTrue();
        bat.CheckStreamImportsEqual(baz).ShouldBeTrue();

        // A different exported subject.
        var exp = new Account("new_acc");
        exp.AddStreamExport(">", null).ShouldBeNull();
        var a = new Account("a");
        a.AddStreamImport(exp, "bar", "").ShouldBeNull();
        var b = new Account("b");
        b.AddStreamImport(exp, "baz", "").ShouldBeNull();
        a.CheckStreamImportsEqual(b).ShouldBeFalse();

        // A different prefix.
        a = new Account("a");
        a.AddStreamImport(exp, "bar", "prefix").ShouldBeNull();
        b = new Account("b");
        b.AddStreamImport(exp, "bar", "diff_prefix").ShouldBeNull();
        a.CheckStreamImportsEqual(b).ShouldBeFalse();

        // A different exporting account.
        exp = new Account("diff_name");
        exp.AddStreamExport(">", null).ShouldBeNull();
        b = new Account("b");
        b.AddStreamImport(exp, "bar", "prefix").ShouldBeNull();
        a.CheckStreamImportsEqual(b).ShouldBeFalse();
    }

    [Fact, GoTest("server/accounts_test.go", "TestImportAuthorized")]
    public void ImportAuthorized()
    {
        var (_, foo, bar) = SimpleAccountServer();

        foo.CheckStreamImportAuthorized(bar, "foo").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "*").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, ">").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "foo.*").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "foo.>").ShouldBeFalse();

        foo.AddStreamExport("foo", null);
        foo.CheckStreamImportAuthorized(bar, "foo").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "bar").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "*").ShouldBeFalse();

        foo.AddStreamExport("*", [bar]);
        foo.CheckStreamImportAuthorized(bar, "foo").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "bar").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "baz").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "foo.bar").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, ">").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "*").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "foo.*").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "*.*").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "*.>").ShouldBeFalse();

        // A public ">" export lets everything in.
        (_, foo, bar) = SimpleAccountServer();
        foo.AddStreamExport(">", null);
        foo.CheckStreamImportAuthorized(bar, "foo").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "bar").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "baz").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "foo.bar").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, ">").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "*").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "foo.*").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "*.*").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, "*.>").ShouldBeTrue();

        // Exports with an account token position: the importer's name must be that token of the imported subject.
        (_, foo, bar) = SimpleAccountServer();
        foo.AddStreamExport("foo.*", [], 2);
        foo.AddStreamExport("bar.*.foo", [], 2);
        foo.AddStreamExport("baz.*.>", [], 3).ShouldNotBeNull();
        foo.CheckStreamImportAuthorized(bar, $"foo.{bar.Name}").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, $"bar.{bar.Name}.foo").ShouldBeTrue();
        foo.CheckStreamImportAuthorized(bar, $"baz.foo.{bar.Name}").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "foo.X").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "bar.X.foo").ShouldBeFalse();
        foo.CheckStreamImportAuthorized(bar, "baz.foo.X").ShouldBeFalse();

        foo.AddServiceExport("a.*", [], accountPos: 2);
        foo.AddServiceExport("b.*.a", [], accountPos: 2);
        foo.AddServiceExport("c.*.>", [], accountPos: 3).ShouldNotBeNull();
        foo.CheckServiceImportAuthorized(bar, $"a.{bar.Name}").ShouldBeTrue();
        foo.CheckServiceImportAuthorized(bar, $"b.{bar.Name}.a").ShouldBeTrue();
        foo.CheckServiceImportAuthorized(bar, $"c.a.{bar.Name}").ShouldBeFalse();
        foo.CheckServiceImportAuthorized(bar, "a.X").ShouldBeFalse();
        foo.CheckServiceImportAuthorized(bar, "b.X.a").ShouldBeFalse();
        foo.CheckServiceImportAuthorized(bar, "c.a.X").ShouldBeFalse();

        // Partial and full wildcards in the export.
        var (s, foo2, bar2) = SimpleAccountServer();
        foo2.AddStreamExport("foo.*.baz.>", [bar2]);
        foo2.CheckStreamImportAuthorized(bar2, "foo.bar.baz.1").ShouldBeTrue();
        foo2.CheckStreamImportAuthorized(bar2, "foo.bar.baz.*").ShouldBeTrue();
        foo2.CheckStreamImportAuthorized(bar2, "foo.*.baz.1.1").ShouldBeTrue();
        foo2.CheckStreamImportAuthorized(bar2, "foo.22.baz.22").ShouldBeTrue();
        foo2.CheckStreamImportAuthorized(bar2, "foo.bar.baz").ShouldBeFalse();
        foo2.CheckStreamImportAuthorized(bar2, "").ShouldBeFalse();
        foo2.CheckStreamImportAuthorized(bar2, "foo.bar.*.*").ShouldBeFalse();

        // Only the approved account gets in.
        var fb = s.RegisterAccount("foobar");
        var bz = s.RegisterAccount("baz");
        foo2.CheckStreamImportAuthorized(fb, "foo.bar.baz.1").ShouldBeFalse();
        foo2.CheckStreamImportAuthorized(bz, "foo.bar.baz.1").ShouldBeFalse();
    }

    [Fact, GoTest("server/accounts_test.go", "TestStreamActivationExpiredNoMatchDoesNotInvalidate")]
    public void StreamActivationExpiredNoMatchDoesNotInvalidate()
    {
        var s = new NatsServer(new ServerOptions { NoLog = true });
        var importer = s.RegisterAccount("importer");
        var exporter = s.RegisterAccount("exporter");
        var other = s.RegisterAccount("other");
        other.AddStreamExport("other.subject", null).ShouldBeNull();
        // An import without a token: were it looked at, its activation would not check out.
        importer.AddStreamImport(other, "other.subject", "").ShouldBeNull();
        var si = importer.StreamImports.ShouldHaveSingleItem();
        si.Token.ShouldBeNull();

        importer.ActivationExpired(exporter, "nomatch.subject", "stream");
        si.Invalid.ShouldBeFalse("unrelated stream import was wrongly invalidated on no match");
    }

    private const string SharedInbox = "my.inbox";

    /// <summary>Go's sharedInboxRequests: <paramref name="numReqs"/> requests from $bar to $foo's never answering
    /// "test" service, all with the same reply subject.</summary>
    private static (Account Foo, Account Bar) SharedInboxRequests(int numReqs)
    {
        var (s, foo, bar) = SimpleAccountServer();
        foo.AddServiceExport("test", null).ShouldBeNull();
        bar.AddServiceImport(foo, "test", "").ShouldBeNull();

        var cfoo = ClientIn(s, foo);
        Parse(cfoo, "SUB test 1\r\n");
        var cbar = ClientIn(s, bar);
        Parse(cbar, $"SUB {SharedInbox} 11\r\n");
        var pub = Encoding.ASCII.GetBytes($"PUB test {SharedInbox} 4\r\nhelp\r\n");
        for (int i = 0; i < numReqs; i++)
        {
            cbar.ParseForTest(pub).ShouldBeNull();
            // The responder's buffer is drained as Go's tests drain their pipes.
            if (i % 64 == 63) cfoo.TakeOutbound();
        }
        return (foo, bar);
    }

    // Go switches the entries of one reply subject to an index above rrIndexThreshold (16) outstanding responses; ours
    // are always keyed by response subject, so both sizes check the same structure.
    [Theory, InlineData(16 - 1), InlineData(16 * 100)]
    [GoTest("server/accounts_test.go", "TestServiceImportReverseEntriesSharedReplySubject")]
    public void ServiceImportReverseEntriesSharedReplySubject(int numReqs)
    {
        var (foo, bar) = SharedInboxRequests(numReqs);
        bar.ReverseEntryCount(SharedInbox).ShouldBe(numReqs, $"reverse entries for {SharedInbox}");

        // Expired one by one, as the response threshold timer does.
        var expired = foo.ResponseImportsSnapshot();
        expired.Length.ShouldBe(numReqs, "outstanding responses");
        for (int i = 0; i < expired.Length; i++)
        {
            foo.RemoveRespServiceImport(expired[i], ResponseRemoval.Timeout);
            int expect = numReqs - i - 1;
            if (expect == 0) bar.ReverseEntryCount(SharedInbox).ShouldBeNull("the reverse entry should go once empty");
            else bar.ReverseEntryCount(SharedInbox).ShouldBe(expect, $"entries after {i + 1} removals");
        }
        foo.NumPendingAllResponses.ShouldBe(0);
    }

    [Theory, InlineData(16 - 1), InlineData(16 * 100)]
    [GoTest("server/accounts_test.go", "TestServiceImportReverseEntriesBulkRemoval")]
    public void ServiceImportReverseEntriesBulkRemoval(int numReqs)
    {
        var (foo, bar) = SharedInboxRequests(numReqs);
        foo.NumPendingAllResponses.ShouldBe(numReqs);

        // Without a response import: every entry of the reply goes, with the responses they name.
        bar.CheckForReverseEntry(SharedInbox, null, checkInterest: false);
        bar.ReverseEntryCount(SharedInbox).ShouldBeNull();
        bar.NumPendingReverseResponses.ShouldBe(0);
        foo.NumPendingAllResponses.ShouldBe(0);
    }

    // Go's conf enables JetStream in both accounts, which we do not have; it plays no part here: 2.9.10, without
    // JetStream, delivers twice (the service import's subscription picked up a shadow of the stream import).
    [Fact, GoTest("server/accounts_test.go", "TestAccountServiceAndStreamExportDoubleDelivery")]
    public async Task AccountServiceAndStreamExportDoubleDelivery()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            accounts: {
              tenant1: {
                users: [ { user: "one", password: "one" } ]
                exports: [
                  { stream: "DW.>" }
                  { service: "DW.>" }
                ]
              }
              global: {
                users: [ { user: "global", password: "global" } ]
                imports: [
                  { stream: { account: tenant1, subject: "DW.>" }, prefix: tenant1 }
                  { service: { account: tenant1, subject: "DW.>" }, to: "tenant1.DW.>" }
                ]
              }
              $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] }
            }
            """);
        using var nc = ProtoClient.Login("127.0.0.1", s.Port, "one", "one", commands: "SUB > 1\r\n");
        nc.Send("PUB DW.test.123 4\r\ntest\r\n");
        nc.ExpectMsgs(1, TimeSpan.FromSeconds(2)).ShouldHaveSingleItem().Subject.ShouldBe("DW.test.123");
        nc.ExpectNothing(TimeSpan.FromMilliseconds(200));
    }
}
