using System.Globalization;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>More ports of server/jwt_test.go: servers run from conf files with the operator JWT and a preloaded memory
/// resolver; users connect as nats.go does with user credentials (headers and no-responders on).</summary>
public sealed partial class JwtTests
{
    /// <summary>Go's ojwt: the operator JWT of the tests.</summary>
    private static readonly string OperatorJwt = new OperatorClaims(Operator.PublicKey).Encode(Operator);

    /// <summary>Go's RunServerWithConfig with the operator, a memory resolver preloading <paramref name="accounts"/>
    /// (public key, JWT), and <paramref name="extra"/> conf lines.</summary>
    private static NatsServer RunOperatorConf(IEnumerable<(string Pub, string Jwt)> accounts, string extra = "") =>
        InProcess.RunConf(OperatorConf(accounts, extra));

    private static string OperatorConf(IEnumerable<(string Pub, string Jwt)> accounts, string extra = "") =>
        $"listen: 127.0.0.1:-1\noperator: {OperatorJwt}\nresolver: MEM\nresolver_preload: {{\n"
        + string.Concat(accounts.Select(a => $"  {a.Pub}: {a.Jwt}\n")) + "}\n" + extra + "\n";

    /// <summary>Go's NewJwtAccountClaim: a new account key and its claims with <paramref name="name"/>.</summary>
    private static (NKeyPair Kp, string Pub, AccountClaims Claims) NewJwtAccountClaim(string name)
    {
        var kp = NKeyPair.Create(NKeys.PrefixAccount);
        return (kp, kp.PublicKey, new AccountClaims(kp.PublicKey) { Name = name });
    }

    /// <summary>The CONNECT fields nats.go sends that matter here: its language and version, protocol 1, headers and
    /// no-responders.</summary>
    private const string NatsGoConnect = ",\"lang\":\"go\",\"version\":\"1.0\",\"protocol\":1,\"headers\":true,\"no_responders\":true";

    /// <summary>Go's nats.Connect with user credentials of <paramref name="akp"/>: the CONNECT, then the PONG (or the
    /// first error line, returned) and the INFO a protocol-1 client gets after it.</summary>
    private static (ProtoClient Client, string FirstLine) TryUserConn(NatsServer s, NKeyPair akp, UserClaims? claims = null, NKeyPair? user = null)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, akp, claims, NatsGoConnect, user: user));
        string l = c.ReadLine();
        if (l.StartsWith("PONG", StringComparison.Ordinal)) c.ReadInfo();
        return (c, l);
    }

    /// <summary>Go's natsConnect with user credentials: a connected user of <paramref name="akp"/>.</summary>
    private static ProtoClient UserConn(NatsServer s, NKeyPair akp, UserClaims? claims = null, NKeyPair? user = null)
    {
        var (c, l) = TryUserConn(s, akp, claims, user);
        if (!l.StartsWith("PONG", StringComparison.Ordinal))
        {
            c.Dispose();
            throw new ProtoException($"expected to connect, got {ProtoClient.Escape(l)}");
        }
        return c;
    }

    private static int _inbox;

    /// <summary>nats.go's Request: the reply on a fresh inbox within a second; an HMSG with status 503 is "no
    /// responders".</summary>
    private static MsgFrame InboxRequest(ProtoClient c, string subject, string payload = "", TimeSpan? timeout = null)
    {
        int n = Interlocked.Increment(ref _inbox);
        c.Send($"SUB _INBOX.r{n} r{n}\r\nPUB {subject} _INBOX.r{n} {payload.Length}\r\n{payload}\r\n");
        var m = c.ReadMsg(timeout ?? TimeSpan.FromSeconds(1));
        c.Send($"UNSUB r{n}\r\n");
        return m;
    }

    private static bool IsNoResponders(MsgFrame m) => m.Op == "HMSG" && m.HeaderText.StartsWith("NATS/1.0 503", StringComparison.Ordinal);

    /// <summary>A request that got a reply (nats.go: no error).</summary>
    private static MsgFrame RequestOk(ProtoClient c, string subject, string payload = "")
    {
        var m = InboxRequest(c, subject, payload);
        IsNoResponders(m).ShouldBeFalse($"no responders for {subject}");
        return m;
    }

    /// <summary>Go's newTimeRange: a daily range from <paramref name="start"/> (local clock) lasting <paramref name="dur"/>.</summary>
    private static (string, string) NewTimeRange(DateTime start, TimeSpan dur) =>
        (start.ToString("HH:mm:ss", CultureInfo.InvariantCulture), start.Add(dur).ToString("HH:mm:ss", CultureInfo.InvariantCulture));

    /// <summary>Go's createUserWithLimit: user claims expiring at <paramref name="expiration"/>, shaped by
    /// <paramref name="limits"/>.</summary>
    private static UserClaims UserWithLimit(DateTimeOffset expiration, Action<UserClaims>? limits = null)
    {
        var uc = new UserClaims("temp") { Expires = expiration.ToUnixTimeSeconds() };
        limits?.Invoke(uc);
        return uc;
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTUserLimits")]
    public async Task JwtUserLimits()
    {
        var inAnHour = DateTime.Now.AddHours(1);
        var inTwoHours = DateTime.Now.AddHours(2);
        var doNotExpire = DateTimeOffset.UtcNow.AddYears(1);
        var kp = NKeyPair.Create(NKeys.PrefixAccount);
        await using var s = RunOperatorConf([(kp.PublicKey, new AccountClaims(kp.PublicKey).Encode(Operator))]);
        static Action<UserClaims> Src(string src) => u => u.Src.AddRange(src.Split(','));
        static Action<UserClaims> Times(params (string, string)[] ranges) => u => u.Times.AddRange(ranges);
        var cases = new (bool Pass, Action<UserClaims>? Limits)[]
        {
            (true, null),
            (false, Src("8.8.8.8/8")),
            (true, Src("8.8.8.8/0")),
            (true, Src("127.0.0.1/8")),
            (true, Src("8.8.8.8/8,127.0.0.1/8")),
            (false, Src("8.8.8.8/8,9.9.9.9/8")),
            (true, Times(NewTimeRange(DateTime.Now, TimeSpan.FromHours(1)))),
            (false, Times(NewTimeRange(DateTime.Now.AddHours(1), TimeSpan.FromHours(1)))),
            // The last range holds now.
            (true, Times(NewTimeRange(inAnHour, TimeSpan.FromHours(1)), NewTimeRange(DateTime.Now, TimeSpan.FromHours(1)))),
            (false, Times(NewTimeRange(inAnHour, TimeSpan.FromHours(1)), NewTimeRange(inTwoHours, TimeSpan.FromHours(1)))),
            // Overlapping ranges, both later.
            (false, Times(NewTimeRange(inAnHour, TimeSpan.FromHours(3)), NewTimeRange(inTwoHours, TimeSpan.FromHours(2)))),
            (false, Times(NewTimeRange(inAnHour, TimeSpan.FromHours(3)), NewTimeRange(inTwoHours, TimeSpan.FromHours(1)))),
            // Ranges ending before they start run into the next day.
            (true, Times(NewTimeRange(DateTime.Now, TimeSpan.FromHours(25)))),
            (true, Times(NewTimeRange(DateTime.Now, TimeSpan.FromHours(-1)))),
        };
        for (int i = 0; i < cases.Length; i++)
        {
            var (c, l) = TryUserConn(s, kp, UserWithLimit(doNotExpire, cases[i].Limits));
            using (c)
            {
                if (cases[i].Pass) l.ShouldStartWith("PONG", customMessage: $"case {i}");
                else l.ShouldContain("Authorization Violation", customMessage: $"case {i}");
            }
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTLimits")]
    public async Task JwtLimits()
    {
        var doNotExpire = DateTimeOffset.UtcNow.AddYears(1);
        var kp = NKeyPair.Create(NKeys.PrefixAccount);
        await using var s = RunOperatorConf([(kp.PublicKey, new AccountClaims(kp.PublicKey).Encode(Operator))]);

        // subs: the second subscription is over the user's limit of one.
        using (var c = UserConn(s, kp, UserWithLimit(doNotExpire, u => u.Subs = 1)))
        {
            c.Send("SUB foo 1\r\nSUB bar 2\r\n");
            c.ReadLine(TimeSpan.FromSeconds(1)).ShouldContain("maximum subscriptions exceeded");
        }

        // payload: the client learns the user's limit of five bytes from the INFO after connecting.
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            c.Send(JwtCreds.ConnectLine(c, kp, UserWithLimit(doNotExpire, u => u.Payload = 5), NatsGoConnect));
            c.ExpectLine(ProtoRegex.Pong);
            c.ReadInfo().GetProperty("max_payload").GetInt32().ShouldBe(5);
            c.SendAndFlush("PUB foo 5\r\nworld\r\n");
        }
    }

    /// <summary>Go's system account tests: SYS and A preloaded, SYS the system account, a user of A connected.</summary>
    private static (NatsServer Server, ProtoClient Client) RunWithSystemAccount(string sysPub, string sysJwt, NKeyPair aKp, string aJwt)
    {
        var s = RunOperatorConf([(sysPub, sysJwt), (aKp.PublicKey, aJwt)], $"system_account: {sysPub}");
        return (s, UserConn(s, aKp));
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTSysImportForDifferentAccount")]
    public async Task JwtSysImportForDifferentAccount()
    {
        var (_, sysPub, sysClaim) = NewJwtAccountClaim("SYS");
        sysClaim.Exports.Add(new JwtExport { Type = "service", Subject = "$SYS.REQ.ACCOUNT.*.INFO" });
        var (aKp, _, claim) = NewJwtAccountClaim("A");
        claim.Imports.Add(new JwtImport
        {
            Type = "service", Subject = "$SYS.REQ.ACCOUNT.*.INFO", LocalSubject = "COMMON.ADVISORY.SYS.REQ.ACCOUNT.*.INFO", Account = sysPub,
        });
        var (s, nc) = RunWithSystemAccount(sysPub, sysClaim.Encode(Operator), aKp, claim.Encode(Operator));
        await using var _ = s;
        using var __ = nc;
        // A asks about another account, the system account.
        var m = RequestOk(nc, $"COMMON.ADVISORY.SYS.REQ.ACCOUNT.{sysPub}.INFO");
        using var doc = JsonDocument.Parse(m.Payload);
        doc.RootElement.TryGetProperty("error", out JsonElement _).ShouldBeFalse(m.PayloadText);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTSysImportFromNothing")]
    public async Task JwtSysImportFromNothing()
    {
        var (_, sysPub, sysClaim) = NewJwtAccountClaim("SYS");
        var (aKp, aPub, claim) = NewJwtAccountClaim("A");
        claim.Imports.AddRange(
        [
            // Not for A's own account: refused.
            new JwtImport { Type = "service", Subject = $"$SYS.REQ.ACCOUNT.{sysPub}.CONNZ", LocalSubject = "fail1", Account = sysPub },
            // For every account: refused.
            new JwtImport { Type = "service", Subject = "$SYS.REQ.ACCOUNT.*.CONNZ", LocalSubject = "fail2.*", Account = sysPub },
            new JwtImport { Type = "service", Subject = $"$SYS.REQ.ACCOUNT.{aPub}.CONNZ", LocalSubject = "pass", Account = sysPub },
        ]);
        var (s, nc) = RunWithSystemAccount(sysPub, sysClaim.Encode(Operator), aKp, claim.Encode(Operator));
        await using var _ = s;
        using var __ = nc;
        RequestOk(nc, "pass");
        // The import every account has.
        RequestOk(nc, "$SYS.REQ.ACCOUNT.PING.CONNZ");
        IsNoResponders(InboxRequest(nc, "fail1")).ShouldBeTrue();
        // Even for A itself: the import is bad.
        IsNoResponders(InboxRequest(nc, "fail2." + aPub)).ShouldBeTrue();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTSysImportOverwritePublic")]
    public async Task JwtSysImportOverwritePublic()
    {
        var (_, sysPub, sysClaim) = NewJwtAccountClaim("SYS");
        // The system account lets everyone ask about every account.
        sysClaim.Exports.Add(new JwtExport { Type = "service", Subject = "$SYS.REQ.ACCOUNT.*.>" });
        var (aKp, aPub, claim) = NewJwtAccountClaim("A");
        claim.Imports.AddRange(
        [
            new JwtImport { Type = "service", Subject = $"$SYS.REQ.ACCOUNT.{sysPub}.CONNZ", LocalSubject = "pass1", Account = sysPub },
            new JwtImport { Type = "service", Subject = $"$SYS.REQ.ACCOUNT.{aPub}.CONNZ", LocalSubject = "pass2", Account = sysPub },
            new JwtImport { Type = "service", Subject = "$SYS.REQ.ACCOUNT.*.CONNZ", LocalSubject = "pass3.*", Account = sysPub },
        ]);
        var (s, nc) = RunWithSystemAccount(sysPub, sysClaim.Encode(Operator), aKp, claim.Encode(Operator));
        await using var _ = s;
        using var __ = nc;
        RequestOk(nc, "pass1");
        RequestOk(nc, "pass2");
        RequestOk(nc, "pass3." + sysPub);
        RequestOk(nc, "pass3." + aPub);
        RequestOk(nc, "pass3.PING");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTSysImportOverwriteToken")]
    public async Task JwtSysImportOverwriteToken()
    {
        var (_, sysPub, sysClaim) = NewJwtAccountClaim("SYS");
        // An export the server's own imports could not satisfy.
        sysClaim.Exports.Add(new JwtExport { Type = "service", Subject = "$SYS.REQ.>", TokenReq = true });
        var (aKp, _, claim) = NewJwtAccountClaim("A");
        var (s, nc) = RunWithSystemAccount(sysPub, sysClaim.Encode(Operator), aKp, claim.Encode(Operator));
        await using var _ = s;
        using var __ = nc;
        // The internal import is there all the same.
        RequestOk(nc, "$SYS.REQ.ACCOUNT.PING.CONNZ");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTServerOperatorModeUserInfoExpiration")]
    public async Task JwtServerOperatorModeUserInfoExpiration()
    {
        var (_, sysPub, sysClaim) = NewJwtAccountClaim("$SYS");
        var (akp, apub, accClaim) = NewJwtAccountClaim("TEST");
        await using var s = RunOperatorConf([(apub, accClaim.Encode(Operator)), (sysPub, sysClaim.Encode(Operator))], $"system_account: {sysPub}");
        var expires = DateTimeOffset.UtcNow.AddMinutes(1);
        using var nc = UserConn(s, akp, UserWithLimit(expires, _ => { }));
        var m = RequestOk(nc, "$SYS.REQ.USER.INFO");
        var now = DateTimeOffset.UtcNow;
        using var doc = JsonDocument.Parse(m.Payload);
        long expiresNs = doc.RootElement.GetProperty("data").TryGetProperty("expires", out var e) ? e.GetInt64() : 0;
        expiresNs.ShouldNotBe(0);
        // The server truncates to the second; allow a couple of seconds either way.
        var rounded = TimeSpan.FromSeconds(Math.Truncate((expires - now).TotalSeconds));
        var got = TimeSpan.FromTicks(expiresNs / 100);
        rounded.ShouldBeGreaterThanOrEqualTo(got - TimeSpan.FromSeconds(2));
        rounded.ShouldBeLessThanOrEqualTo(got + TimeSpan.FromSeconds(2));
    }

    /// <summary>Unix seconds of <paramref name="t"/> rounded to the nearest second (Go's Round(time.Second)).</summary>
    private static long RoundToSecond(DateTimeOffset t) => (t.ToUnixTimeMilliseconds() + 500) / 1000;

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountImportActivationExpires")]
    public async Task JwtAccountImportActivationExpires()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        var fooAc = new AccountClaims(fooKp.PublicKey);
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "stream", TokenReq = true });
        s.AccountResolver!.Store(fooKp.PublicKey, fooAc.Encode(Operator));
        s.LookupOrFetchAccount(fooKp.PublicKey).ShouldNotBeNull();

        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        var barAc = new AccountClaims(barKp.PublicKey);
        var now = DateTimeOffset.UtcNow;
        // Second resolution: rounded, then a second more.
        string act = new ActivationClaims(barKp.PublicKey)
        {
            ImportSubject = "foo", ImportType = "stream",
            IssuedAt = now.AddSeconds(-10).ToUnixTimeSeconds(), Expires = RoundToSecond(now) + 1,
        }.Encode(fooKp);
        barAc.Imports.Add(new JwtImport { Account = fooKp.PublicKey, Subject = "foo", To = "import.", Type = "stream", Token = act });
        s.AccountResolver.Store(barKp.PublicKey, barAc.Encode(Operator));
        s.LookupOrFetchAccount(barKp.PublicKey).ShouldNotBeNull();

        using var c = Connected(s, barKp);
        c.SendAndFlush("SUB import.foo 1\r\n");
        var sc = ServerSide(s, c);
        async Task CheckShadow(int expected) =>
            (await InProcess.WaitFor(() => sc.ShadowCount("1") == expected, TimeSpan.FromSeconds(3), 15))
                .ShouldBeTrue($"expected {expected} shadows, got {sc.ShadowCount("1")}");

        // The subscription on the import has its shadow in foo.
        await CheckShadow(1);
        await Task.Delay(1250);
        // The activation expired: the shadow went.
        await CheckShadow(0);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountServiceImportExpires")]
    public async Task JwtAccountServiceImportExpires()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        string fooPub = fooKp.PublicKey;
        var fooAc = new AccountClaims(fooPub);
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "service" });
        s.AccountResolver!.Store(fooPub, fooAc.Encode(Operator));

        var barKp = NKeyPair.Create(NKeys.PrefixAccount);
        string barPub = barKp.PublicKey;
        var barAc = new AccountClaims(barPub);
        barAc.Imports.Add(new JwtImport { Account = fooPub, Subject = "foo", Type = "service" });
        s.AccountResolver.Store(barPub, barAc.Encode(Operator));

        // The requester in bar, the responder in foo.
        using var ca = Connected(s, barKp);
        using var cb = Connected(s, fooKp);
        cb.SendAndFlush("SUB foo 1\r\n");

        ca.SendAndFlush("PUB foo 2\r\nhi\r\n");
        cb.SendAndReadMsg("").Check("foo", "1", "", 2, "hi");

        // The export now needs a token bar does not have: the request does not arrive.
        fooAc = new AccountClaims(fooPub);
        fooAc.Exports.Add(new JwtExport { Subject = "foo", Type = "service", TokenReq = true });
        s.AccountResolver.Store(fooPub, fooAc.Encode(Operator));
        s.UpdateAccountClaims(s.LookupOrFetchAccount(fooPub)!, fooAc);
        ca.SendAndFlush("PUB foo 2\r\nhi\r\n");
        cb.Flush();

        // An activation that works, but expires.
        barAc = new AccountClaims(barPub);
        var now = DateTimeOffset.UtcNow;
        var activation = new ActivationClaims(barPub)
        {
            ImportSubject = "foo", ImportType = "service",
            IssuedAt = now.AddSeconds(-10).ToUnixTimeSeconds(), Expires = RoundToSecond(now.AddSeconds(1)),
        };
        barAc.Imports.Add(new JwtImport { Account = fooPub, Subject = "foo", Type = "service", Token = activation.Encode(fooKp) });
        s.AccountResolver.Store(barPub, barAc.Encode(Operator));
        s.UpdateAccountClaims(s.LookupOrFetchAccount(barPub)!, barAc);

        // It works again.
        ca.SendAndFlush("PUB foo 3\r\nhi2\r\n");
        cb.SendAndReadMsg("").Check("foo", "1", "", 3, "hi2");

        // Expired: the request does not arrive.
        long wait = activation.Expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, wait)) + TimeSpan.FromMilliseconds(250));
        ca.SendAndFlush("PUB foo 3\r\nhi3\r\n");
        cb.Flush();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountLimitsMaxConnsAfterExpired")]
    public async Task JwtAccountLimitsMaxConnsAfterExpired()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var fooKp = NKeyPair.Create(NKeys.PrefixAccount);
        string fooPub = fooKp.PublicKey;
        var fooAc = new AccountClaims(fooPub);
        fooAc.Limits.Conn = 10;
        s.AccountResolver!.Store(fooPub, fooAc.Encode(Operator));

        using var clients = new ProtoClients();
        void NewClient(string expected)
        {
            var (c, cs) = CreateClient(s, fooKp);
            clients.Add(c);
            c.Send(cs);
            c.ReadLine().ShouldStartWith(expected);
        }
        for (int i = 0; i < 4; i++) NewClient("PONG");

        // The account looks expired; the resolver has claims lowering the connection limit to 2.
        var acc = s.LookupOrFetchAccount(fooPub)!;
        acc.IsExpired = true;
        fooAc.Limits.Conn = 2;
        s.AccountResolver.Store(fooPub, fooAc.Encode(Operator));

        // The next client's lookup finds the account expired and rebuilds it: the newest clients go, it is refused.
        NewClient("-ERR ");
        acc = s.LookupOrFetchAccount(fooPub)!;
        (await InProcess.WaitFor(() => acc.ClientsSnapshot().Length == 2, TimeSpan.FromSeconds(2), 15))
            .ShouldBeTrue($"should have 2 clients, got {acc.ClientsSnapshot().Length}");
    }

    /// <summary>The response threshold is 20 ms, as Go's: run alone, so that a loaded runner's other tests do not
    /// stretch the half-threshold answer past it.</summary>
    [Collection(nameof(TimingSensitive))]
    public sealed class ResponseThresholdTiming
    {
        [Fact, GoTest("server/jwt_test.go", "TestJWTResponseThreshold")]
        public async Task JwtResponseThreshold()
        {
            var respThresh = TimeSpan.FromMilliseconds(20);
            var (aExpKp, aExpPub, aExpClaim) = NewJwtAccountClaim("Export");
            aExpClaim.Exports.Add(new JwtExport { Subject = "srvc", Type = "service", ResponseThreshold = respThresh });
            var (aImpKp, aImpPub, aImpClaim) = NewJwtAccountClaim("Import");
            aImpClaim.Imports.Add(new JwtImport { Subject = "srvc", Type = "service", Account = aExpPub });
            await using var s = RunOperatorConf([(aExpPub, aExpClaim.Encode(Operator)), (aImpPub, aImpClaim.Encode(Operator))]);
            using var ncExp = UserConn(s, aExpKp);
            using var ncImp = UserConn(s, aImpKp);
            ncExp.SendAndFlush("SUB srvc 1\r\n");

            // The responder answers after a delay; the requester waits four thresholds.
            MsgFrame? RequestWithDelay(TimeSpan delay, string inbox)
            {
                ncImp.Send($"SUB {inbox} {inbox}\r\nPUB srvc {inbox} 4\r\nyes?\r\n");
                var req = ncExp.ReadMsg();
                Thread.Sleep(delay);
                ncExp.Send($"PUB {req.Reply} 4\r\nyes!\r\n");
                try { return ncImp.ReadMsg(4 * respThresh); }
                catch (ProtoException) { return null; }
            }

            // One exchange first, its outcome not looked at: the first run of the service import's response path is
            // JIT-compiled, which alone can take longer than the 10 ms of margin below (Go's code is compiled ahead).
            RequestWithDelay(TimeSpan.Zero, "_INBOX.w");

            // No timeout: within the threshold.
            var resp = RequestWithDelay(respThresh / 2, "_INBOX.a");
            resp.ShouldNotBeNull("expected a response to request srvc");
            resp.PayloadText.ShouldBe("yes!");
            // Timeout: past the threshold the response import is gone.
            RequestWithDelay(2 * respThresh, "_INBOX.b").ShouldBeNull("expected a timeout");
        }
    }

    /// <summary>A request from <paramref name="requester"/> that <paramref name="responder"/> (subscribed to it) answers
    /// with <paramref name="answer"/>; the reply the requester got, or the no-responders status.</summary>
    private static MsgFrame RequestServed(ProtoClient requester, ProtoClient responder, string subject, string payload, string answer)
    {
        int n = Interlocked.Increment(ref _inbox);
        requester.Send($"SUB _INBOX.r{n} r{n}\r\nPUB {subject} _INBOX.r{n} {payload.Length}\r\n{payload}\r\nPING\r\n");
        // The no-responders status comes before the PONG.
        requester.WaitForLine(TimeSpan.FromSeconds(1));
        try { requester.ExpectLine(ProtoRegex.Pong); }
        catch (ProtoException)
        {
            var status = requester.ReadMsg();
            requester.ExpectLine(ProtoRegex.Pong);
            return status;
        }
        var req = responder.ReadMsg(TimeSpan.FromSeconds(1));
        responder.Send($"PUB {req.Reply} {answer.Length}\r\n{answer}\r\n");
        return requester.ReadMsg(TimeSpan.FromSeconds(1));
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTOperatorPinnedAccounts")]
    public async Task JwtOperatorPinnedAccounts()
    {
        var kps = new NKeyPair[4];
        var pubs = new string[4];
        var jwts = new string[4];
        for (int i = 0; i < 4; i++)
        {
            kps[i] = NKeyPair.Create(NKeys.PrefixAccount);
            pubs[i] = kps[i].PublicKey;
            jwts[i] = new AccountClaims(pubs[i]).Encode(Operator);
        }
        // Index 0 is the system account.
        string cfgCommon = OperatorConf(pubs.Zip(jwts), $"system_account: {pubs[0]}");
        string Pinned(int a, int b) => cfgCommon + $"resolver_pinned_accounts: [{pubs[a]}, {pubs[b]}]\n";
        await using var srv = InProcess.RunConf(Pinned(1, 2), out string conf);

        void ConnectPass(params int[] keys)
        {
            foreach (int k in keys) UserConn(srv, kps[k]).Dispose();
        }
        long pinnedFail = 0;
        void ConnectFail(int key)
        {
            var (c, l) = TryUserConn(srv, kps[key]);
            c.Dispose();
            l.ShouldContain("Authorization Violation");
            var (json, err) = srv.Monitor.Render(NatsParity.Server.Monitoring.Monitor.VarzPath, MonitorQuery.From(new Dictionary<string, string>()));
            err.ShouldBeNull();
            long fails = JsonDocument.Parse(json!).RootElement.GetProperty("pinned_account_fails").GetInt64();
            fails.ShouldBe(pinnedFail + 1);
            pinnedFail = fails;
        }
        void ReloadUpdateConfig(string content)
        {
            File.WriteAllText(conf, content);
            srv.Reload().ShouldBeNull();
        }

        // The pinned accounts and the system account connect; the other does not.
        ConnectPass(0, 1, 2);
        ConnectFail(3);
        ReloadUpdateConfig(Pinned(2, 3));
        ConnectPass(0, 2, 3);
        ConnectFail(1);
        // Unpinned: everyone.
        ReloadUpdateConfig(cfgCommon);
        ConnectPass(0, 1, 2, 3);
        // Pinned again.
        ReloadUpdateConfig(Pinned(2, 3));
        ConnectPass(0, 2, 3);
        ConnectFail(1);
    }

    /// <summary>A connection whose claims end it: the expiry error arrives before <paramref name="stop"/> plus half a
    /// second, then the server closes the connection (nats.go's ErrAuthExpired, then a disconnect with EOF).</summary>
    private static void ExpectAuthExpired(ProtoClient c, DateTime stop)
    {
        string l = c.ReadLine(TimeSpan.FromSeconds(10));
        l.ShouldContain("User Authentication Expired");
        DateTime.Now.ShouldBeLessThan(stop.AddMilliseconds(500), "the expiry came late");
        c.ExpectClosed(TimeSpan.FromSeconds(10));
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTTimeExpiration")]
    public async Task JwtTimeExpiration()
    {
        var validFor = TimeSpan.FromMilliseconds(1500);
        var doNotExpire = DateTimeOffset.UtcNow.AddYears(1);
        var kp = NKeyPair.Create(NKeys.PrefixAccount);
        await using var sA = RunOperatorConf([(kp.PublicKey, new AccountClaims(kp.PublicKey).Encode(Operator))]);
        foreach (string l in new[] { "", "Europe/Berlin", "America/New_York" })
        {
            // simple expiration, in the server's local time or the user's location
            var start = DateTime.Now;
            var claims = UserWithLimit(doNotExpire, j =>
            {
                if (l.Length == 0) j.Times = [NewTimeRange(start, validFor)];
                else
                {
                    var zone = TimeZoneInfo.FindSystemTimeZoneById(l);
                    j.Times = [NewTimeRange(TimeZoneInfo.ConvertTime(new DateTimeOffset(start), zone).DateTime, validFor)];
                    j.Locale = l;
                }
            });
            using (var c = UserConn(sA, kp, claims)) ExpectAuthExpired(c, start + validFor);
        }

        // double expiration: connected in the first range and again in the second
        {
            var start1 = DateTime.Now;
            var start2 = start1 + 2 * validFor;
            var claims = UserWithLimit(doNotExpire, j => j.Times = [NewTimeRange(start1, validFor), NewTimeRange(start2, validFor)]);
            var user = NKeyPair.Create(NKeys.PrefixUser);
            using (var c = UserConn(sA, kp, claims, user)) ExpectAuthExpired(c, start1 + validFor);
            var wait = start2.AddMilliseconds(100) - DateTime.Now;
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            using (var c = UserConn(sA, kp, claims, user)) ExpectAuthExpired(c, start2 + validFor);
        }

        // lower jwt expiration overwrites time
        {
            // The JWT expires on a whole second the server counts from its own whole second: started late in a
            // second, the expiry lands on the edge of Go's half-second window.
            while (DateTime.Now.Millisecond > 300) await Task.Delay(20);
            var start = DateTime.Now;
            var claims = UserWithLimit(new DateTimeOffset(start + validFor), j => j.Times = [NewTimeRange(start, 2 * validFor)]);
            using (var c = UserConn(sA, kp, claims)) ExpectAuthExpired(c, start + validFor);
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTExpiredUserCredentialsRenewal")]
    public async Task JwtExpiredUserCredentialsRenewal()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        await using var s = OpTrustBasicSetup(memResolver: true);
        s.AccountResolver!.Store(akp.PublicKey, new AccountClaims(akp.PublicKey).Encode(Operator));

        var nkp = NKeyPair.Create(NKeys.PrefixUser);
        var nuc = new UserClaims(nkp.PublicKey) { Expires = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds() };
        using var c = UserConn(s, akp, nuc, nkp);

        // New credentials for the same user; the old ones expire and the server disconnects the client.
        var renewed = new UserClaims(nkp.PublicKey) { Expires = DateTimeOffset.UtcNow.AddSeconds(30).ToUnixTimeSeconds() };
        c.ReadLine(TimeSpan.FromSeconds(2)).ShouldContain("User Authentication Expired");
        c.ExpectClosed(TimeSpan.FromSeconds(2));

        // The client reconnects with the new credentials and stays connected.
        using var reconnected = UserConn(s, akp, renewed, nkp);
        reconnected.Flush();
        ServerSide(s, reconnected).IsClosed.ShouldBeFalse();
    }

    // Go's TestJWTAccountImportsWithWildcardSupport without its JetStream variant (JetStream is not built): not a port.
    [Theory]
    [InlineData("To")]
    [InlineData("LocalSubject-No-Reorder")]
    [InlineData("LocalSubject-Reorder")]
    public async Task JwtAccountImportsWithWildcardSupport(string kind)
    {
        // The exporter of wildcard services and streams.
        var (aExpKp, aExpPub, aExpClaim) = NewJwtAccountClaim("Export");
        aExpClaim.Exports.Add(new JwtExport { Subject = "$request.*.$in.*.>", Type = "service" });
        aExpClaim.Exports.Add(new JwtExport { Subject = "$events.*.$in.*.>", Type = "stream" });
        var (aImpKp, aImpPub, aImpClaim) = NewJwtAccountClaim("Import");
        string exSubExpect, exPub, imReq, imSubExpect;
        switch (kind)
        {
            case "To":
                // Services switch local and remote between Subject and To.
                aImpClaim.Imports.Add(new JwtImport { Subject = "my.request.*.*.>", Type = "service", To = "$request.*.$in.*.>", Account = aExpPub });
                aImpClaim.Imports.Add(new JwtImport { Subject = "$events.*.$in.*.>", Type = "stream", To = "prefix", Account = aExpPub });
                (exSubExpect, exPub, imReq, imSubExpect) = ("$request.1.$in.2.bar", "$events.1.$in.2.bar", "my.request.1.2.bar", "prefix.$events.1.$in.2.bar");
                break;
            case "LocalSubject-No-Reorder":
                aImpClaim.Imports.Add(new JwtImport { Subject = "$request.*.$in.*.>", Type = "service", LocalSubject = "my.request.*.*.>", Account = aExpPub });
                aImpClaim.Imports.Add(new JwtImport { Subject = "$events.*.$in.*.>", Type = "stream", LocalSubject = "my.events.*.*.>", Account = aExpPub });
                (exSubExpect, exPub, imReq, imSubExpect) = ("$request.1.$in.2.bar", "$events.1.$in.2.bar", "my.request.1.2.bar", "my.events.1.2.bar");
                break;
            default:
                aImpClaim.Imports.Add(new JwtImport { Subject = "$request.*.$in.*.>", Type = "service", LocalSubject = "my.request.$2.$1.>", Account = aExpPub });
                aImpClaim.Imports.Add(new JwtImport { Subject = "$events.*.$in.*.>", Type = "stream", LocalSubject = "my.events.$2.$1.>", Account = aExpPub });
                (exSubExpect, exPub, imReq, imSubExpect) = ("$request.2.$in.1.bar", "$events.1.$in.2.bar", "my.request.1.2.bar", "my.events.2.1.bar");
                break;
        }
        var (_, aSysPub, aSysClaim) = NewJwtAccountClaim("");
        await using var s = RunOperatorConf(
            [(aExpPub, aExpClaim.Encode(Operator)), (aImpPub, aImpClaim.Encode(Operator)), (aSysPub, aSysClaim.Encode(Operator))],
            $"system_account: {aSysPub}");
        using var ncExp = UserConn(s, aExpKp);
        using var ncImp = UserConn(s, aImpKp);

        // The service import: the request reaches the exporter on the mapped subject.
        ncExp.SendAndFlush($"SUB {exSubExpect} 1\r\n");
        var resp = RequestServed(ncImp, ncExp, imReq, "yes?", "yes!");
        IsNoResponders(resp).ShouldBeFalse($"expected a response to request {imReq}");
        resp.PayloadText.ShouldBe("yes!");

        // The stream import: the event arrives on the local subject.
        ncImp.SendAndFlush($"SUB {imSubExpect} 2\r\n");
        ncExp.SendAndFlush($"PUB {exPub} 6\r\nevent!\r\n");
        var m = ncImp.ReadMsg(TimeSpan.FromSeconds(1));
        m.Subject.ShouldBe(imSubExpect);
        m.PayloadText.ShouldBe("event!");
    }
}
