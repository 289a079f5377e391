using NatsParity.Server.Accounts;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/services_test.go: service exports whose responses are streamed or chunked, the response
/// imports they leave behind and how those are cleaned up (requestor gone, EOF, no interest, response threshold), and
/// allow_responses for a responder that may publish nothing else.
/// The clients speak the raw protocol as nats.go would: a new-style request subscribes once to "_INBOX.x.*" and
/// replies on "_INBOX.x.N"; an old-style one subscribes to a fresh inbox with an automatic unsubscribe after one message.
/// Where the Go test counts response imports, the server runs in process and the same counts are read from its accounts;
/// the wire part alone also runs against both targets.</summary>
[Collection(nameof(TimingSensitive))] // response thresholds of tens of milliseconds, chunks a few milliseconds apart
public sealed class ServicesTests
{
    private const string Host = "127.0.0.1";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    /// <summary>The accounts of Go's basicMASetupContents: A exports a streamed service "foo", B imports it as
    /// "foo_request".</summary>
    private static readonly string BasicMaAccounts = AbAccounts("""{service: "foo", response: stream}""", """{ service: { account: A, subject: "foo"}, to: "foo_request" }""");

    /// <summary>The two accounts Go's service tests configure: A (user a) with <paramref name="exports"/>, B (user b)
    /// with <paramref name="imports"/>; <paramref name="aPermissions"/> goes in user a's entry.</summary>
    private static string AbAccounts(string exports, string imports, string aPermissions = "") => $$"""
        accounts: {
            A: {
                users: [ {user: a, password: pwd{{aPermissions}}} ]
                exports: [ {{exports}} ]
            },
            B: {
                users: [{user: b, password: pwd} ]
                imports: [ {{imports}} ]
            }
        }
        """;

    private const string ImportFoo = """{service: { account: A, subject: "foo"}}""";

    /// <summary>Go's createConfFile + RunServerWithConfig: an in-process server listening on a free loopback port.</summary>
    private static NatsServer RunConf(string accounts, string? serverName = null) =>
        InProcess.RunConf((serverName is null ? "" : $"server_name: {serverName}\n") + "listen: 127.0.0.1:-1\n" + accounts);

    private static ServerConfig ProcessConf(string accounts, string? serverName = null) =>
        new() { ServerName = serverName, Extra = accounts };

    private static string NewInbox() => "_INBOX." + Guid.NewGuid().ToString("N");

    /// <summary>The responder reads the next request (on <paramref name="subject"/>, from an importing account: its reply
    /// is a generated "_R_." subject) and answers each of <paramref name="payloads"/> on its reply subject.</summary>
    private static MsgFrame Respond(ProtoClient responder, string subject, params string[] payloads)
    {
        var req = responder.ReadMsg(Patience);
        req.Subject.ShouldBe(subject);
        req.Reply.ShouldNotBeNull().ShouldStartWith("_R_.");
        foreach (var p in payloads)
            responder.Send($"PUB {req.Reply} {p.Length}\r\n{p}\r\n");
        return req;
    }

    private static async Task WaitFor(Func<bool> condition, Func<string> describe) =>
        (await InProcess.WaitFor(condition, Patience, 10)).ShouldBeTrue(describe());

    // ---- TestServiceImportWithStreamed ----

    /// <summary>Ten requests through B's import of A's streamed service, first multiplexed on one inbox subscription,
    /// then old style with an inbox each. <paramref name="afterMux"/> runs once the multiplexed ones were answered,
    /// <paramref name="afterClose"/> once that requestor is gone, <paramref name="afterOld"/> after the old-style ones.</summary>
    private static async Task ImportWithStreamed(int port, Func<Task>? afterMux = null, Func<Task>? afterClose = null, Func<Task>? afterOld = null)
    {
        const int numRequests = 10;
        using var nc = ProtoClient.Login(Host, port, "a", "pwd", "SUB foo 1\r\n");

        string mux = NewInbox();
        var nc2 = ProtoClient.Login(Host, port, "b", "pwd", $"SUB {mux}.* 1\r\n");
        try
        {
            for (int i = 1; i <= numRequests; i++)
            {
                nc2.Send($"PUB foo_request {mux}.{i} 5\r\nhello\r\n");
                Respond(nc, "foo", "world");
                nc2.ReadMsg(Patience).Check($"{mux}.{i}", "1", "", 5, "world");
            }
            nc.Flush();
            if (afterMux is not null) await afterMux();
        }
        finally
        {
            nc2.Dispose();
        }
        if (afterClose is not null) await afterClose();

        // Old style: a fresh inbox per request, unsubscribed after its one response.
        using var nc3 = ProtoClient.Login(Host, port, "b", "pwd");
        for (int i = 1; i <= numRequests; i++)
        {
            string inbox = NewInbox();
            nc3.Send($"SUB {inbox} {i}\r\nUNSUB {i} 1\r\nPUB foo_request {inbox} 5\r\nhello\r\n");
            Respond(nc, "foo", "world");
            nc3.ReadMsg(Patience).Check(inbox, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "", 5, "world");
        }
        nc.Flush();
        nc3.Flush();
        if (afterOld is not null) await afterOld();
    }

    [Fact, GoTest("test/services_test.go", "TestServiceImportWithStreamed")]
    public async Task ServiceImportWithStreamed()
    {
        const int numRequests = 10;
        await using var s = RunConf(BasicMaAccounts, "A");
        var accA = s.LookupAccount("A").ShouldNotBeNull();
        var accB = s.LookupAccount("B").ShouldNotBeNull();

        Task ExpectNone() => WaitFor(() => accA.NumPendingAllResponses == 0 && accB.NumPendingReverseResponses == 0,
            () => $"Response imports and response entries should all be 0, got {accA.NumPendingAllResponses} {accB.NumPendingReverseResponses}");

        await ImportWithStreamed(s.Port,
            afterMux: () =>
            {
                // The requestor multiplexes on one subscription: every streamed response stays open until it goes.
                accB.NumPendingReverseResponses.ShouldBe(numRequests);
                accA.NumPendingAllResponses.ShouldBe(numRequests);
                return Task.CompletedTask;
            },
            afterClose: ExpectNone,
            afterOld: ExpectNone);
    }

    [Theory, TargetData, GoTest("test/services_test.go", "TestServiceImportWithStreamed")]
    public async Task ServiceImportWithStreamedWire(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, ProcessConf(BasicMaAccounts, "A"));
        await ImportWithStreamed(server.Port);
    }

    // ---- TestServiceImportWithStreamedResponseAndEOF ----

    /// <summary>Ten requests, each on its own inbox, answered with four streamed responses and an empty one (EOF); all
    /// five arrive. <paramref name="after"/> runs once the responder's last message was processed.</summary>
    private static void StreamedResponseAndEof(int port, Action? after = null)
    {
        const int numRequests = 10, expectedResponses = 5;
        using var nc = ProtoClient.Login(Host, port, "a", "pwd", "SUB foo 1\r\n");
        using var nc2 = ProtoClient.Login(Host, port, "b", "pwd");
        for (int i = 1; i <= numRequests; i++)
        {
            string reply = NewInbox();
            nc2.Send($"SUB {reply} {i}\r\nPUB foo_request {reply} 4\r\nXOXO\r\n");
            Respond(nc, "foo", "world-1", "world-2", "world-3", "world-4", "");
            var msgs = nc2.ExpectMsgs(expectedResponses, Patience);
            for (int j = 0; j < expectedResponses; j++)
            {
                string payload = j < 4 ? $"world-{j + 1}" : "";
                msgs[j].Check(reply, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "", payload.Length, payload);
            }
        }
        nc.Flush();
        nc2.Flush();
        after?.Invoke();
    }

    [Fact, GoTest("test/services_test.go", "TestServiceImportWithStreamedResponseAndEOF")]
    public async Task ServiceImportWithStreamedResponseAndEof()
    {
        await using var s = RunConf(BasicMaAccounts, "A");
        var accA = s.LookupAccount("A").ShouldNotBeNull();
        var accB = s.LookupAccount("B").ShouldNotBeNull();
        StreamedResponseAndEof(s.Port, () =>
        {
            // The EOF closed every response import, though the requestor still listens on its inboxes.
            accA.NumPendingAllResponses.ShouldBe(0);
            accB.NumPendingReverseResponses.ShouldBe(0);
        });
    }

    [Theory, TargetData, GoTest("test/services_test.go", "TestServiceImportWithStreamedResponseAndEOF")]
    public void ServiceImportWithStreamedResponseAndEofWire(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, ProcessConf(BasicMaAccounts, "A"));
        StreamedResponseAndEof(server.Port);
    }

    // ---- TestServiceExportsResponseFiltering ----

    [Fact, GoTest("test/services_test.go", "TestServiceExportsResponseFiltering")]
    public async Task ServiceExportsResponseFiltering()
    {
        await using var s = RunConf(AbAccounts("""{service: "foo"}, {service: "bar"}""", """{service: { account: A, subject: "foo"}}, {service: { account: A, subject: "bar"}, to: "baz"}"""), "A");

        // Without a subscriber no response import would be made.
        using var nc = ProtoClient.Login(Host, s.Port, "a", "pwd", "SUB foo 1\r\nSUB bar 2\r\n");
        using var nc2 = ProtoClient.Login(Host, s.Port, "b", "pwd");

        // Requests nobody answers: 5 for foo, 17 for bar (imported as baz).
        const int sendFoo = 5, sendBar = 17;
        nc2.SendAndFlush(string.Concat(Enumerable.Repeat("PUB foo reply 0\r\n\r\n", sendFoo))
                         + string.Concat(Enumerable.Repeat("PUB baz reply 0\r\n\r\n", sendBar)));

        var accA = s.LookupAccount("A").ShouldNotBeNull();
        accA.NumPendingAllResponses.ShouldBe(sendFoo + sendBar);
        accA.NumPendingResponses("foo").ShouldBe(sendFoo);
        accA.NumPendingResponses("bar").ShouldBe(sendBar);
    }

    // ---- TestServiceExportsAutoDirectCleanup ----

    [Fact, GoTest("test/services_test.go", "TestServiceExportsAutoDirectCleanup")]
    public async Task ServiceExportsAutoDirectCleanup()
    {
        await using var s = RunConf(AbAccounts("""{service: "foo"}""", ImportFoo));
        var acc = s.LookupAccount("A").ShouldNotBeNull();
        void ExpectNone() => acc.NumPendingAllResponses.ShouldBe(0, "Expected no entries");

        using var nc = ProtoClient.Login(Host, s.Port, "a", "pwd");  // potential responder
        using var nc2 = ProtoClient.Login(Host, s.Port, "b", "pwd"); // requestor
        const int toSend = 10;

        // No responder: no response import is kept.
        nc2.SendAndFlush(string.Concat(Enumerable.Repeat("PUB foo reply 0\r\n\r\n", toSend)));
        ExpectNone();

        // A responder, but requests without a reply subject: none either.
        nc.SendAndFlush("SUB foo 1\r\n");
        nc2.SendAndFlush(string.Concat(Enumerable.Repeat("PUB foo 0\r\n\r\n", toSend)));
        foreach (var m in nc.ExpectMsgs(toSend, Patience))
            m.Reply.ShouldBeNull(); // nothing to respond to
        nc.Flush();
        ExpectNone();

        // Old-style requests that give up (1ms) before the responder answers (25ms later): the requestor's interest
        // goes first, and with it the response imports.
        using var nc3 = ProtoClient.Login(Host, s.Port, "b", "pwd");
        var delay = TimeSpan.FromMilliseconds(25);
        nc.SendAndFlush("UNSUB 1\r\nSUB foo 2\r\n");
        var responder = Task.Run(() =>
        {
            for (int i = 0; i < toSend; i++)
            {
                var req = nc.ReadMsg(Patience);
                Thread.Sleep(delay);
                nc.Send($"PUB {req.Reply} 5\r\nworld\r\n");
            }
            nc.Flush();
        });
        for (int i = 1; i <= toSend; i++)
        {
            string inbox = NewInbox();
            nc3.Send($"SUB {inbox} {i}\r\nUNSUB {i} 1\r\nPUB foo {inbox} 0\r\n\r\n");
            Thread.Sleep(1);
            nc3.Send($"UNSUB {i}\r\n");
        }
        nc3.Flush();
        await Task.Delay(toSend * delay * 2);
        await responder.WaitAsync(Patience);
        ExpectNone();
    }

    // ---- TestServiceExportsPruningCleanup ----

    [Fact, GoTest("test/services_test.go", "TestServiceExportsPruningCleanup")]
    public async Task ServiceExportsPruningCleanup()
    {
        await using var s = RunConf(AbAccounts("""{service: "foo", response: stream}""", ImportFoo));

        // A responder that never answers.
        using var nc = ProtoClient.Login(Host, s.Port, "a", "pwd", "SUB foo 1\r\n");
        var acc = s.LookupAccount("A").ShouldNotBeNull();

        acc.ServiceExportResponseThreshold("foo", out var rt).ShouldBeNull();
        rt.ShouldBe(Account.DefaultServiceExportResponseThreshold);
        // Go sets 10ms and checks the ten dangling responses before it passes; a loaded runner needs a wider window
        // between the requests and the count, so the threshold is 250ms (and the waits scale with it).
        var newRt = TimeSpan.FromMilliseconds(250);
        acc.SetServiceExportResponseThreshold("foo", newRt).ShouldBeNull();
        acc.ServiceExportResponseThreshold("foo", out rt).ShouldBeNull();
        rt.ShouldBe(newRt);

        async Task ExpectedPending(int expected) =>
            await WaitFor(() => acc.NumPendingResponses("foo") == expected,
                () => $"Expected {expected} entries, got {acc.NumPendingResponses("foo")}");

        using var nc2 = ProtoClient.Login(Host, s.Port, "b", "pwd");
        const int toSend = 10;
        for (int round = 0; round < 2; round++)
        {
            // These dangle until the threshold prunes them.
            nc2.SendAndFlush(string.Concat(Enumerable.Repeat("PUB foo reply 0\r\n\r\n", toSend)));
            await ExpectedPending(toSend);
            await Task.Delay(4 * newRt);
            await ExpectedPending(0);
        }
    }

    // ---- TestServiceExportsResponseThreshold ----

    [Fact, GoTest("test/services_test.go", "TestServiceExportsResponseThreshold")]
    public async Task ServiceExportsResponseThreshold()
    {
        await using var s = RunConf("""
            accounts: {
                A: {
                    users: [ {user: a, password: pwd} ]
                    exports: [ {service: "foo", response: stream, threshold: "1s"} ]
                },
            }
            """);

        using var nc = ProtoClient.Login(Host, s.Port, "a", "pwd", "SUB foo 1\r\n");
        var acc = s.LookupAccount("A").ShouldNotBeNull();
        acc.ServiceExportResponseThreshold("foo", out var rt).ShouldBeNull();
        rt.ShouldBe(TimeSpan.FromSeconds(1));
    }

    // ---- TestServiceExportsResponseThresholdChunked ----

    /// <summary>Go answers with ten chunks 5ms apart under a 10ms threshold: the whole answer takes longer than the
    /// threshold, each gap less. Scaled up for a loaded runner: gaps of 50ms under a 250ms threshold, 500ms in all.</summary>
    private static readonly TimeSpan ChunkThreshold = TimeSpan.FromMilliseconds(250), ChunkGap = TimeSpan.FromMilliseconds(50);

    [Theory, TargetData, GoTest("test/services_test.go", "TestServiceExportsResponseThresholdChunked")]
    public void ServiceExportsResponseThresholdChunked(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, ProcessConf(AbAccounts($$$"""{service: "foo", response: chunked, threshold: "{{{ServerConfig.GoDuration(ChunkThreshold)}}}"}""", ImportFoo)));
        const int numChunks = 10;
        using var nc = ProtoClient.Login(server, "a", "pwd", "SUB foo 1\r\n");
        string reply = NewInbox();
        using var nc2 = ProtoClient.Login(server, "b", "pwd", $"SUB {reply} 1\r\n");
        nc2.Send($"PUB foo {reply} 0\r\n\r\n");

        var req = nc.ReadMsg(Patience);
        req.Subject.ShouldBe("foo");
        string rr = req.Reply.ShouldNotBeNull();
        var started = DateTime.UtcNow;
        for (int i = 1; i <= numChunks; i++)
        {
            Thread.Sleep(ChunkGap);
            string chunk = $"chunk-{i}";
            nc.Send($"PUB {rr} {chunk.Length}\r\n{chunk}\r\n");
        }
        nc.Send($"PUB {rr} 0\r\n\r\n");
        (DateTime.UtcNow - started).ShouldBeGreaterThan(ChunkThreshold, "the chunks together must outlast the threshold");

        var msgs = nc2.ExpectMsgs(numChunks + 1, Patience);
        for (int i = 0; i < numChunks; i++)
            msgs[i].Check(reply, "1", "", $"chunk-{i + 1}".Length, $"chunk-{i + 1}");
        msgs[numChunks].Check(reply, "1", "", 0, "");
    }

    // ---- TestServiceAllowResponsesPerms ----

    [Theory, TargetData, GoTest("test/services_test.go", "TestServiceAllowResponsesPerms")]
    public void ServiceAllowResponsesPerms(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, ProcessConf(AbAccounts("""{service: "foo"}""", ImportFoo, ", permissions = {subscribe=foo, allow_responses=true}")));

        // The responder may subscribe to foo and publish only responses.
        using var nc = ProtoClient.Login(server, "a", "pwd", "SUB foo 1\r\n");
        string mux = NewInbox();
        using var nc2 = ProtoClient.Login(server, "b", "pwd", $"SUB {mux}.* 1\r\n");
        nc2.Send($"PUB foo {mux}.1 4\r\nhelp\r\n");
        Respond(nc, "foo", "Hello");
        nc2.ReadMsg(TimeSpan.FromSeconds(1)).Check($"{mux}.1", "1", "", 5, "Hello");
        nc.Flush(); // no permissions violation came back
    }
}
