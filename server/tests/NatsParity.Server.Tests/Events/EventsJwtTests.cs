using System.Text;
using System.Text.Json;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Events;

/// <summary>Ports of server/events_test.go that run a trusted (operator mode) server: accounts from JWTs in a memory
/// resolver, users with JWT credentials, the system account set once the server runs.</summary>
public sealed class EventsJwtTests
{
    private static readonly NKeyPair Operator = JwtCreds.Operator;

    /// <summary>Go's runTrustedServer: the operator key trusted, a memory resolver, no system account yet.</summary>
    private static NatsServer RunTrustedServer() => InProcess.Run(new ServerOptions
    {
        TrustedKeys = [Operator.PublicKey],
        AccountResolver = new MemoryAccountResolver(),
        NoSystemAccount = true,
    });

    /// <summary>Go's runTrustedServer, createAccount and setSystemAccount: a trusted server whose system account is a
    /// new JWT account; the server, that account and its key.</summary>
    internal static (NatsServer Server, Account Sys, NKeyPair SysKey) RunTrustedServerWithSystemAccount()
    {
        var s = RunTrustedServer();
        var (acc, akp) = CreateAccount(s);
        s.SetSystemAccount(acc).ShouldBeNull();
        return (s, acc, akp);
    }

    /// <summary>A client without credentials is refused, and the system user subscribed with
    /// <paramref name="subscribe"/> hears the auth error event.</summary>
    private static async Task BadLoginHeard(string subscribe)
    {
        var (s, _, akp) = RunTrustedServerWithSystemAccount();
        await using var _ = s;
        using var ncs = Connect(s, akp, commands: subscribe);
        using (var bad = ProtoClient.Connect("127.0.0.1", s.Port))
            bad.Send("CONNECT {\"verbose\":false,\"name\":\"TEST BAD LOGIN\"}\r\nPING\r\n");
        var m = ncs.ReadMsg(TimeSpan.FromSeconds(1));
        using var doc = JsonDocument.Parse(m.Payload);
        doc.RootElement.GetProperty("reason").GetString().ShouldBe("Authentication Failure");
    }

    /// <summary>Go's createAccount: a new account JWT signed by the operator in the resolver, looked up.</summary>
    private static (Account Account, NKeyPair Key) CreateAccount(NatsServer s)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        s.AccountResolver!.Store(akp.PublicKey, new AccountClaims(akp.PublicKey).Encode(Operator));
        return (s.LookupOrFetchAccount(akp.PublicKey)!, akp);
    }

    /// <summary>Go's nats.Connect with createUserCreds: a user JWT of the account and the signed nonce.</summary>
    internal static ProtoClient Connect(NatsServer s, NKeyPair akp, string name = "", string commands = "", string connectFields = "")
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        string nameField = name.Length > 0 ? $",\"name\":\"{name}\"" : "";
        string connect = JwtCreds.ConnectLine(c, akp, fields: $",\"lang\":\"go\",\"version\":\"1.0\"{nameField}{connectFields}");
        c.Send(connect[..^"PING\r\n".Length] + commands);
        c.Flush();
        return c;
    }

    [Fact, GoTest("server/events_test.go", "TestSystemAccount")]
    public async Task SystemAccount()
    {
        var (s, acc, _) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        s.SystemAccount.ShouldBeSameAs(acc);
        s.Events.ShouldNotBeNull();
        s.Events.Client.ShouldNotBeNull();
        s.Events.Client.Echo.ShouldBeFalse("internal clients never echo");
    }

    [Fact, GoTest("server/events_test.go", "TestSystemAccountDisconnectBadLogin")]
    public Task SystemAccountDisconnectBadLogin() => BadLoginHeard("SUB $SYS.SERVER.*.CLIENT.AUTH.ERR 1\r\n");

    [Fact, GoTest("server/events_test.go", "TestSystemAccountNewConnection")]
    public async Task SystemAccountNewConnection()
    {
        var (s, acc, akp) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        var (acc2, akp2) = CreateAccount(s);
        // Only the events of acc2.
        using var ncs = Connect(s, akp, commands: $"SUB $SYS.ACCOUNT.{acc2.Name}.> 1\r\n");

        // The connect event and the account's connection count, in either order.
        (MsgFrame Event, MsgFrame Conns) ReadPair()
        {
            var a = ncs.ReadMsg(TimeSpan.FromSeconds(1));
            var b = ncs.ReadMsg(TimeSpan.FromSeconds(1));
            return a.Subject.StartsWith($"$SYS.ACCOUNT.{acc2.Name}.SERVER.CONNS", StringComparison.Ordinal) ? (b, a) : (a, b);
        }
        void CheckConns(MsgFrame conns, int count, int total)
        {
            conns.Subject.ShouldStartWith($"$SYS.ACCOUNT.{acc2.Name}.SERVER.CONNS");
            using var d = JsonDocument.Parse(conns.Payload);
            var r = d.RootElement;
            r.GetProperty("acc").GetString().ShouldBe(acc2.Name);
            r.GetProperty("conns").GetInt32().ShouldBe(count);
            r.GetProperty("total_conns").GetInt32().ShouldBe(total);
            (r.TryGetProperty("leafnodes", out var leafs) ? leafs.GetInt32() : 0).ShouldBe(0);
        }
        static (string Type, string Id, DateTime Time, string ServerId, long Seq, JsonElement Client) Event(MsgFrame m)
        {
            using var d = JsonDocument.Parse(m.Payload);
            var r = d.RootElement.Clone();
            var srv = r.GetProperty("server");
            return (r.GetProperty("type").GetString()!, r.GetProperty("id").GetString()!, r.GetProperty("timestamp").GetDateTime(),
                srv.GetProperty("id").GetString()!, srv.GetProperty("seq").GetInt64(), r.GetProperty("client"));
        }

        var nc = Connect(s, akp2, name: "TEST EVENTS");
        var (connect, conns) = ReadPair();
        CheckConns(conns, 1, 1);
        connect.Subject.ShouldStartWith($"$SYS.ACCOUNT.{acc2.Name}.CONNECT");
        connect.Subject.Split('.')[2].ShouldBe(acc2.Name);
        var cem = Event(connect);
        cem.Type.ShouldBe("io.nats.server.advisory.v1.client_connect");
        cem.Time.ShouldNotBe(default);
        cem.Id.Length.ShouldBe(22);
        cem.ServerId.ShouldBe(s.ServerId);
        cem.Seq.ShouldNotBe(0);
        cem.Client.GetProperty("name").GetString().ShouldBe("TEST EVENTS");
        cem.Client.GetProperty("lang").GetString().ShouldBe("go");

        // Ten messages sent, each received twice (foo and *), then the client leaves.
        var publish = new StringBuilder("SUB foo 1\r\nSUB * 2\r\n");
        for (int i = 0; i < 10; i++) publish.Append("PUB foo 11\r\nHELLO WORLD\r\n");
        nc.Send(publish.Append("PING\r\n").ToString());
        nc.ReadUntil("PONG\r\n", TimeSpan.FromSeconds(2));
        nc.Dispose();

        var (disconnect, conns2) = ReadPair();
        Encoding.UTF8.GetString(conns2.Payload).ShouldContain("\"total_conns\":0");
        CheckConns(conns2, 0, 0);
        disconnect.Subject.ShouldStartWith($"$SYS.ACCOUNT.{acc2.Name}.DISCONNECT");
        disconnect.Subject.Split('.')[2].ShouldBe(acc2.Name);
        var dem = Event(disconnect);
        dem.Type.ShouldBe("io.nats.server.advisory.v1.client_disconnect");
        dem.Time.ShouldNotBe(default);
        dem.Id.Length.ShouldBe(22);
        dem.ServerId.ShouldBe(s.ServerId);
        dem.Seq.ShouldNotBe(0);
        dem.Seq.ShouldBeGreaterThan(cem.Seq, "sequence increases");
        dem.Client.GetProperty("lang").GetString().ShouldBe("go");
        using var dd = JsonDocument.Parse(disconnect.Payload);
        var sent = dd.RootElement.GetProperty("sent");
        var received = dd.RootElement.GetProperty("received");
        sent.GetProperty("msgs").GetInt64().ShouldBe(10);
        sent.GetProperty("bytes").GetInt64().ShouldBe(110);
        received.GetProperty("msgs").GetInt64().ShouldBe(20);
        received.GetProperty("bytes").GetInt64().ShouldBe(220);
    }

    [Theory, GoTest("server/events_test.go", "TestAccountClaimsUpdates")]
    [InlineData("$SYS.REQ.ACCOUNT.{0}.CLAIMS.UPDATE")]
    [InlineData("$SYS.ACCOUNT.{0}.CLAIMS.UPDATE")]
    public async Task AccountClaimsUpdates(string subject)
    {
        var (s, sacc, sakp) = RunTrustedServerWithSystemAccount();
        await using var __s = s;

        // An account with a connection limit to update.
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp.PublicKey);
        nac.Limits.Conn = 4;
        s.AccountResolver!.Store(akp.PublicKey, nac.Encode(Operator));
        var acc = s.LookupOrFetchAccount(akp.PublicKey)!;
        acc.MaxConnections.ShouldBe(4);

        // A system user publishes the new claims.
        using var nc = Connect(s, sakp);
        nac = new AccountClaims(akp.PublicKey)
        {
            IssuedAt = DateTimeOffset.UtcNow.AddSeconds(-30).ToUnixTimeSeconds(),
            Expires = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds(),
        };
        nac.Limits.Conn = 8;
        string ajwt = nac.Encode(Operator);
        nc.SendAndFlush($"PUB {string.Format(subject, akp.PublicKey)} {ajwt.Length}\r\n{ajwt}\r\n");
        await Task.Delay(200);
        s.LookupOrFetchAccount(akp.PublicKey)!.MaxConnections.ShouldBe(8, "account was not updated");
    }

    /// <summary>An account with a connection limit of <paramref name="conns"/> in the resolver, looked up.</summary>
    private static (Account Account, NKeyPair Key) LimitedAccount(NatsServer s, int conns)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp.PublicKey);
        nac.Limits.Conn = conns;
        s.AccountResolver!.Store(akp.PublicKey, nac.Encode(Operator));
        return (s.LookupOrFetchAccount(akp.PublicKey)!, akp);
    }

    /// <summary>A JWT user's connection attempt: true when it got its PONG.</summary>
    private static bool TryConnect(NatsServer s, NKeyPair akp, ProtoClients keep, string name = "")
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        keep.Add(c);
        c.Send(JwtCreds.ConnectLine(c, akp, fields: name.Length > 0 ? $",\"name\":\"{name}\"" : ""));
        return c.ReadLine(TimeSpan.FromSeconds(2)).StartsWith("PONG", StringComparison.Ordinal);
    }

    /// <summary>Go's checkClientsCount.</summary>
    private static async Task CheckClientsCount(NatsServer s, int expected) =>
        (await InProcess.WaitFor(() => s.NumClients == expected, TimeSpan.FromSeconds(2), 50))
            .ShouldBeTrue($"expected {expected} clients, got {s.NumClients}");

    [Fact, GoTest("server/events_test.go", "TestAccountConnsLimitExceededAfterUpdate")]
    public async Task AccountConnsLimitExceededAfterUpdate()
    {
        var (s, sacc, _) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        var (acc, akp) = LimitedAccount(s, 10);

        // Connect until refused (bounded).
        using var clients = new ProtoClients();
        for (int i = 0; i < 20 && TryConnect(s, akp, clients); i++) { }
        await CheckClientsCount(s, acc.MaxConnections);

        // Claims with a lower limit close the excess.
        var nac = new AccountClaims(akp.PublicKey);
        nac.Limits.Conn = 2;
        s.UpdateAccountWithClaimJwt(acc, nac.Encode(Operator)).ShouldBeNull();
        acc.MaxConnections.ShouldBe(2);
        await CheckClientsCount(s, acc.MaxConnections);
    }

    [Fact, GoTest("server/events_test.go", "TestAccountConnsLimitExceededAfterUpdateDisconnectNewOnly")]
    public async Task AccountConnsLimitExceededAfterUpdateDisconnectNewOnly()
    {
        var (s, sacc, _) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        var (acc, akp) = LimitedAccount(s, 10);

        // Five old connections, then five new ones.
        using var clients = new ProtoClients();
        for (int i = 0; i < 5; i++) TryConnect(s, akp, clients, "OLD").ShouldBeTrue();
        await Task.Delay(500);
        for (int i = 0; i < 5; i++) TryConnect(s, akp, clients, "NEW").ShouldBeTrue();
        await CheckClientsCount(s, acc.MaxConnections);

        var nac = new AccountClaims(akp.PublicKey);
        nac.Limits.Conn = 5;
        s.UpdateAccountWithClaimJwt(acc, nac.Encode(Operator)).ShouldBeNull();
        acc.MaxConnections.ShouldBe(5);
        await CheckClientsCount(s, acc.MaxConnections);
        // Only the old connections are left.
        s.Clients.ShouldAllBe(c => c.Options.Name == "OLD");
    }

    [Fact, GoTest("server/events_test.go", "TestBadAccountUpdate")]
    public async Task BadAccountUpdate()
    {
        await using var s = RunTrustedServer();
        var akp1 = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp1.PublicKey);
        s.AccountResolver!.Store(akp1.PublicKey, nac.Encode(Operator));
        // The same claims under another subject, pretending to be the first account.
        nac.Subject = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string ajwt2 = nac.Encode(Operator);
        var acc = s.LookupOrFetchAccount(akp1.PublicKey);
        acc.ShouldNotBeNull();
        s.UpdateAccountWithClaimJwt(acc, ajwt2).ShouldBe("account validation failed");
    }

    [Fact, GoTest("server/events_test.go", "TestServerEventsReceivedByQSubs")]
    public Task ServerEventsReceivedByQSubs() => BadLoginHeard("SUB $SYS.SERVER.*.CLIENT.AUTH.ERR queue 1\r\n");

    [Fact, GoTest("server/events_test.go", "TestServerEventsLDMKick")]
    public async Task ServerEventsLdmKick()
    {
        var (s, acc, akp) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        using var ncs = Connect(s, akp, commands: "SUB _INBOX.ldm 1\r\n");
        var (_, akp2) = CreateAccount(s);
        // Protocol 1, as nats.go: the server may send it INFO at any time.
        using var nc = Connect(s, akp2, name: "TEST EVENTS LDM+KICK", connectFields: ",\"protocol\":1");
        ulong cid = nc.Info!.Value.GetProperty("client_id").GetUInt64();

        // Many clients of the same account come and go meanwhile (Go looks for races finding a client by id).
        using var some = new ProtoClients();
        for (int i = 0; i < 100; i++) some.Add(Connect(s, akp2));
        var closing = Task.Run(() => { foreach (var c in some) c.Dispose(); });

        string payload = $"{{\"cid\":{cid}}}";
        ncs.Send($"PUB $SYS.REQ.SERVER.{s.ServerId}.LDM _INBOX.ldm {payload.Length}\r\n{payload}\r\n");
        ncs.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("_INBOX.ldm");
        // The client is told the server is in lame duck mode.
        bool ldm = false;
        for (int i = 0; i < 3 && !ldm; i++)
        {
            string line = nc.ReadLine(TimeSpan.FromSeconds(1));
            if (!line.StartsWith("INFO ", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(line[5..]);
            ldm = doc.RootElement.TryGetProperty("ldm", out var v) && v.GetBoolean();
        }
        ldm.ShouldBeTrue("the client hears of lame duck mode");

        ncs.Send($"PUB $SYS.REQ.SERVER.{s.ServerId}.KICK _INBOX.ldm {payload.Length}\r\n{payload}\r\n");
        ncs.ReadMsg(TimeSpan.FromSeconds(1)).Subject.ShouldBe("_INBOX.ldm");
        nc.ExpectClosed(TimeSpan.FromSeconds(1));
        await closing;
    }

    [Fact, GoTest("server/events_test.go", "TestSubszPagination")]
    public async Task SubszPagination()
    {
        var (s, sysAcc, sysAkp) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        var (acc, akp) = CreateAccount(s);
        using var ncSys = Connect(s, sysAkp, commands: "SUB _INBOX.subsz 1\r\n");
        var subs = new StringBuilder();
        for (int i = 0; i < 100; i++) subs.Append($"SUB foo.{i} {i + 1}\r\n");
        using var nc = Connect(s, akp, commands: subs.ToString());
        await Task.Delay(100);

        JsonElement Request(string body)
        {
            ncSys.Send($"PUB $SYS.REQ.ACCOUNT.{acc.Name}.SUBSZ _INBOX.subsz {Encoding.UTF8.GetByteCount(body)}\r\n{body}\r\n");
            using var doc = JsonDocument.Parse(ncSys.ReadMsg(TimeSpan.FromSeconds(1)).Payload);
            return doc.RootElement.GetProperty("data").Clone();
        }

        // The first page; the total counts the account's own (monitoring) subscriptions too.
        var page = Request("{\"subscriptions\":true,\"limit\":10}");
        page.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(10);
        page.GetProperty("total").GetInt32().ShouldBeInRange(100, 110);

        // Ten on bar.*, filtered by a subject they match.
        var more = new StringBuilder();
        for (int i = 0; i < 10; i++) more.Append($"SUB bar.* {200 + i}\r\n");
        nc.SendAndFlush(more.ToString());
        await Task.Delay(100);
        var filtered = Request("{\"subscriptions\":true,\"limit\":5,\"test\":\"bar.A\"}");
        filtered.GetProperty("subscriptions_list").GetArrayLength().ShouldBe(5);
        filtered.GetProperty("total").GetInt32().ShouldBe(10);
    }

    [Fact, GoTest("server/events_test.go", "TestAccountClaimsUpdatesWithServiceImports")]
    public async Task AccountClaimsUpdatesWithServiceImports()
    {
        var (s, sacc, sakp) = RunTrustedServerWithSystemAccount();
        await using var __s = s;
        // An account exporting req.* and one importing req.1 from it.
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var nac = new AccountClaims(akp.PublicKey);
        nac.Exports.Add(new JwtExport { Subject = "req.*", Type = "service" });
        s.AccountResolver!.Store(akp.PublicKey, nac.Encode(Operator));
        s.LookupOrFetchAccount(akp.PublicKey).ShouldNotBeNull();
        var akp2 = NKeyPair.Create(NKeys.PrefixAccount);
        AccountClaims Importer(int conns)
        {
            var c = new AccountClaims(akp2.PublicKey);
            c.Limits.Conn = conns;
            c.Imports.Add(new JwtImport { Account = akp.PublicKey, Subject = "req.1", Type = "service" });
            return c;
        }
        s.AccountResolver.Store(akp2.PublicKey, Importer(-1).Encode(Operator));
        s.LookupOrFetchAccount(akp2.PublicKey).ShouldNotBeNull();
        long NumSubscriptions() => s.Accounts.Sum(a => (long)a.Sublist.Count);
        long startSubs = NumSubscriptions();

        // Ten claims updates through the system account.
        using var nc = Connect(s, sakp);
        var updates = new StringBuilder();
        for (int i = 1; i <= 10; i++)
        {
            string jwt = Importer(i).Encode(Operator);
            updates.Append($"PUB $SYS.REQ.ACCOUNT.{akp2.PublicKey}.CLAIMS.UPDATE {jwt.Length}\r\n{jwt}\r\n");
        }
        nc.SendAndFlush(updates.ToString());
        await Task.Delay(50);
        NumSubscriptions().ShouldBeLessThanOrEqualTo(startSubs, "subscriptions leaked");
    }

    [Fact, GoTest("server/events_test.go", "TestSystemAccountInternalSubscriptions")]
    public async Task SystemAccountInternalSubscriptions()
    {
        await using var s = RunTrustedServer();
        var (sub, err) = s.SysSubscribe("foo", null);
        sub.ShouldBeNull();
        err.ShouldBe(NatsServer.ErrNoSysAccount);

        var (acc, akp) = CreateAccount(s);
        s.SetSystemAccount(acc).ShouldBeNull();
        using var nc = Connect(s, akp);

        // A handler is required.
        (sub, err) = s.SysSubscribe("foo", null);
        sub.ShouldBeNull();
        err.ShouldNotBeNull("expected an error for no handler");

        var received = System.Threading.Channels.Channel.CreateUnbounded<(string Subject, string Reply, byte[] Data)>();
        (sub, err) = s.SysSubscribe("foo", (_, subject, reply, _, msg) => received.Writer.TryWrite((subject, reply, msg)));
        err.ShouldBeNull();
        sub.ShouldNotBeNull();

        // A message from a normal client reaches the internal subscription.
        nc.SendAndFlush("PUB foo 11\r\nHELLO WORLD\r\n");
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            var msg = await received.Reader.ReadAsync(cts.Token);
            msg.Subject.ShouldBe("foo");
            msg.Reply.ShouldBe("");
            Encoding.UTF8.GetString(msg.Data).ShouldBe("HELLO WORLD");
        }

        // Unsubscribed: no more.
        s.SysUnsubscribe(sub);
        nc.SendAndFlush("PUB foo 10\r\nYou There?\r\n");
        await Task.Delay(100);
        received.Reader.TryRead(out _).ShouldBeFalse("received a message when we should not have");

        // And the system account's own messages are not heard by its internal subscriptions.
        (sub, _) = s.SysSubscribe("foo", (_, subject, reply, _, msg) => received.Writer.TryWrite((subject, reply, msg)));
        nc.SendAndFlush("SUB foo 1\r\n");
        s.Events!.SendInternalMsg("foo", "", false, _ => Encoding.UTF8.GetBytes("HELLO WORLD"));
        // It was sent: a client of the system account gets it.
        nc.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText.ShouldBe("HELLO WORLD");
        await Task.Delay(100);
        received.Reader.TryRead(out _).ShouldBeFalse("the system client heard itself");
    }

    [Fact, GoTest("server/events_test.go", "TestServerEventsStatsZForcedBroadcastNotRateLimited")]
    public async Task ServerEventsStatsZForcedBroadcastNotRateLimited()
    {
        var (s, _, akp) = RunTrustedServerWithSystemAccount();
        await using var _ = s;
        using var nc = Connect(s, akp);
        string subj = $"$SYS.SERVER.{s.ServerId}.STATSZ";

        // Nothing but a broadcast the rate limiter lets through can publish on the subject: the heartbeat is stopped
        // and the last broadcast was just now.
        s.Events!.HoldStatszForTest();
        // Start-up broadcasts in flight land before the subscription.
        await Task.Delay(300);
        nc.SendAndFlush($"SUB {subj} 1\r\n");

        // Within the window again, a forced request (no reply) broadcasts at once.
        s.Events.RearmStatszLimitForTest();
        s.Events.StatszRequestForTest(subj);
        var m = nc.ReadMsg(TimeSpan.FromSeconds(2));
        using var doc = JsonDocument.Parse(m.Payload);
        doc.RootElement.GetProperty("server").GetProperty("id").GetString().ShouldBe(s.ServerId);
        doc.RootElement.GetProperty("statsz").GetProperty("connections").GetInt32().ShouldBe(1);
    }
}
