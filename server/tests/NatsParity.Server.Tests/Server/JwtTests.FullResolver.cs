using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/jwt_test.go around the nats-based account resolvers (type full and cache): revocations
/// pushed as account updates, listing and deleting accounts, claim requests with headers, and the imports and exports
/// that account updates change.</summary>
public sealed partial class JwtTests
{
    /// <summary>CONNECT fields of a Go client: headers, no responders, its language and version.</summary>
    private const string GoClientFields = ",\"headers\":true,\"no_responders\":true,\"lang\":\"go\",\"version\":\"1.0\"";

    private static int _requestSid = 1000;

    /// <summary>Go's nc.PublishRequest with a one-shot inbox subscribed first: the request (an HPUB with
    /// <paramref name="headers"/> lines when given).</summary>
    private static void SendRequest(ProtoClient c, string subject, string payload = "", string headers = "")
    {
        int sid = Interlocked.Increment(ref _requestSid);
        string inbox = $"_INBOX.req{sid}";
        var sb = new StringBuilder($"SUB {inbox} {sid}\r\nUNSUB {sid} 1\r\n");
        int plen = Encoding.UTF8.GetByteCount(payload);
        if (headers.Length == 0) sb.Append($"PUB {subject} {inbox} {plen}\r\n{payload}\r\n");
        else
        {
            string hdr = $"NATS/1.0\r\n{headers}\r\n";
            int hlen = Encoding.UTF8.GetByteCount(hdr);
            sb.Append($"HPUB {subject} {inbox} {hlen} {hlen + plen}\r\n{hdr}{payload}\r\n");
        }
        c.Send(sb.ToString());
    }

    /// <summary>Go's nc.Request / RequestMsg on a raw connection: the request and the first answer.</summary>
    private static MsgFrame Request(ProtoClient c, string subject, string payload = "", string headers = "")
    {
        SendRequest(c, subject, payload, headers);
        return c.ReadMsg(TimeSpan.FromSeconds(1));
    }

    /// <summary>The service on <paramref name="responder"/> answers the request it got with <paramref name="answer"/>;
    /// the request.</summary>
    private static MsgFrame Respond(ProtoClient responder, string answer)
    {
        var req = responder.ReadMsg(TimeSpan.FromSeconds(1));
        responder.Send($"PUB {req.Reply} {answer.Length}\r\n{answer}\r\n");
        return req;
    }

    /// <summary>The answer is not the no-responders status (HMSG with 503) and its JSON has no "error".</summary>
    private static JsonElement ExpectApiResponse(MsgFrame m)
    {
        m.HeaderText.ShouldNotContain("503", customMessage: "no responders");
        using var doc = JsonDocument.Parse(m.Payload);
        doc.RootElement.TryGetProperty("error", out var err).ShouldBeFalse($"unexpected error {err}");
        return doc.RootElement.Clone();
    }

    /// <summary>Go's jwt.NewGenericClaims with Data["accounts"]: the request of $SYS.REQ.CLAIMS.DELETE, self-signed by
    /// <paramref name="kp"/>.</summary>
    private static string DeleteRequest(NKeyPair kp, params string[] accounts) => JwtCodec.Encode(new JsonObject
    {
        ["sub"] = kp.PublicKey,
        ["nats"] = new JsonObject { ["accounts"] = JwtClaims.ToArray(accounts), ["version"] = 2 },
    }, kp);

    /// <summary>A user connection with the user key <paramref name="ukp"/> and <paramref name="claims"/> signed by
    /// <paramref name="akp"/>; the first line the server answers the CONNECT with.</summary>
    private static (ProtoClient Client, string Line) ConnectUser(NatsServer s, NKeyPair akp, NKeyPair ukp, UserClaims claims, string fields = "")
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, akp, claims, fields, user: ukp));
        return (c, c.ReadLine(TimeSpan.FromSeconds(2)));
    }

    /// <summary>A full resolver server (system account <paramref name="sysKp"/>'s) with <paramref name="jwts"/> pushed
    /// in order by Go's updateJwt.</summary>
    private static NatsServer FullResolverServerWith(NKeyPair sysKp, params string[] jwts)
    {
        var (s, _) = FullResolverServer(sysKp.PublicKey);
        foreach (var jwt in jwts) UpdateJwt(s, sysKp, jwt);
        return s;
    }

    private static string NewDir() => Directory.CreateTempSubdirectory("natsparity-jwt-").FullName;

    [Theory, GoTest("server/jwt_test.go", "TestJWTUserRevocation")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task JwtUserRevocation(bool all)
    {
        // An account, its JWT, the JWT issued a second later that revokes the user (or all users) as of the first, and
        // the user's claims issued with the first and with the second.
        static (NKeyPair Kp, string Jwt1, string Jwt2, NKeyPair User, long Iat1, long Iat2) CreateAccountAndUser(bool all)
        {
            long t0 = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 1;
            var kp = NKeyPair.Create(NKeys.PrefixAccount);
            var claim = new AccountClaims(kp.PublicKey) { IssuedAt = t0 };
            string jwt1 = EncodeClaim(claim);
            var ukp = NKeyPair.Create(NKeys.PrefixUser);
            claim.Revocations[all ? "*" : ukp.PublicKey] = t0;
            claim.IssuedAt = t0 + 1;
            string jwt2 = EncodeClaim(claim);
            return (kp, jwt1, jwt2, ukp, t0, t0 + 1);
        }
        var (sysKp, sysJwt, _, _, _, _) = CreateAccountAndUser(all);
        var (aKp, aJwt1, aJwt2, aUser, iat1, iat2) = CreateAccountAndUser(all);
        string apub = aKp.PublicKey;

        await using var srv = FullResolverServerWith(sysKp, sysJwt, aJwt1);
        // Watches the account's disconnect events.
        using var ncSys = UserOf(srv, sysKp, fields: ",\"name\":\"conn name\"");
        ncSys.SendAndFlush($"SUB $SYS.ACCOUNT.{apub}.DISCONNECT 1\r\n");

        var (nc, line) = ConnectUser(srv, aKp, aUser, new UserClaims("") { IssuedAt = iat1 });
        using (nc)
        {
            line.ShouldBe("PONG\r\n");
            UpdateJwt(srv, sysKp, aJwt2).ShouldBe(1, "expected jwt update to pass");
            nc.ReadLine(TimeSpan.FromSeconds(1)).ShouldBe("-ERR 'User Authentication Revoked'\r\n");
        }
        var m = ncSys.ReadMsg(TimeSpan.FromSeconds(1));
        string data = m.PayloadText;
        (data.Length - data.Replace(apub, "").Length).ShouldBe(3 * apub.Length);
        data.ShouldContain("\"jwt\":\"eyJ0");

        // The revoked credentials fail, the ones issued after the revocation pass.
        var (nc1, line1) = ConnectUser(srv, aKp, aUser, new UserClaims("") { IssuedAt = iat1 });
        using (nc1) line1.ShouldBe("-ERR 'Authorization Violation'\r\n");
        var (nc2, line2) = ConnectUser(srv, aKp, aUser, new UserClaims("") { IssuedAt = iat2 });
        using (nc2) line2.ShouldBe("PONG\r\n");
    }

    [Theory, GoTest("server/jwt_test.go", "TestJWTActivationRevocation")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task JwtActivationRevocation(bool all)
    {
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = EncodeClaim(new AccountClaims(sysKp.PublicKey));

        var aExpKp = NKeyPair.Create(NKeys.PrefixAccount);
        var aExpClaim = new AccountClaims(aExpKp.PublicKey) { Name = "Export" };
        aExpClaim.Exports.Add(new JwtExport { Subject = "foo", Type = "stream", TokenReq = true });
        string aExp1Jwt = EncodeClaim(aExpClaim);

        var aImpKp = NKeyPair.Create(NKeys.PrefixAccount);
        string token = new ActivationClaims(aImpKp.PublicKey) { ImportSubject = "foo", ImportType = "stream" }.Encode(aExpKp);

        string revPubKey = all ? "*" : aImpKp.PublicKey;
        aExpClaim.Exports[0].Revocations[revPubKey] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string aExp2Jwt = EncodeClaim(aExpClaim);
        aExpClaim.Exports[0].Revocations.Remove(revPubKey);
        string aExp3Jwt = EncodeClaim(aExpClaim);

        var aImpClaim = new AccountClaims(aImpKp.PublicKey) { Name = "Import" };
        aImpClaim.Imports.Add(new JwtImport { Subject = "foo", Type = "stream", Account = aExpKp.PublicKey, Token = token });
        string aImpJwt = EncodeClaim(aImpClaim);

        // token-expired-on-connect
        {
            await using var srv = FullResolverServerWith(sysKp, sysJwt, aExp2Jwt, aImpJwt);
            using var ncExp1 = UserOf(srv, aExpKp);
            using var ncImp = UserOf(srv, aImpKp);
            ncImp.SendAndFlush("SUB foo 1\r\n");
            ncExp1.SendAndFlush("PUB foo 1\r\n1\r\n");
            ncImp.ExpectNothing(TimeSpan.FromSeconds(1));
        }

        // token-expired-on-update
        {
            await using var srv = FullResolverServerWith(sysKp, sysJwt, aExp1Jwt, aImpJwt);
            using var ncExp1 = UserOf(srv, aExpKp);
            using var ncImp = UserOf(srv, aImpKp);
            ncImp.SendAndFlush("SUB foo 1\r\n");
            ncExp1.SendAndFlush("PUB foo 1\r\n1\r\n");
            ncImp.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText.ShouldBe("1");

            UpdateJwt(srv, sysKp, aExp2Jwt);
            ncExp1.SendAndFlush("PUB foo 1\r\n2\r\n");
            ncImp.ExpectNothing(TimeSpan.FromSeconds(1));

            UpdateJwt(srv, sysKp, aExp3Jwt);
            ncExp1.SendAndFlush("PUB foo 1\r\n3\r\n");
            ncImp.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText.ShouldBe("3");
        }
    }

    [Theory, GoTest("server/jwt_test.go", "TestJWTAccountFetchTimeout")]
    [InlineData("full")]
    [InlineData("cache")]
    public async Task JwtAccountFetchTimeout(string type)
    {
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = EncodeClaim(new AccountClaims(sysKp.PublicKey));
        var aKp = NKeyPair.Create(NKeys.PrefixAccount);
        string conf = InProcess.WriteConf($"""
            listen: 127.0.0.1:-1
            operator: {OperatorJwt}
            system_account: {sysKp.PublicKey}
            resolver: {"{"}
              type: {type}
              timeout: "100ms"
              dir: '{NewDir()}'
            {"}"}
            """);
        await using var srv = InProcess.Run(ServerOptions.FromConfigFile(conf));
        UpdateJwt(srv, sysKp, sysJwt);
        var start = DateTime.UtcNow;
        using var c = ProtoClient.Connect("127.0.0.1", srv.Port);
        c.Send(JwtCreds.ConnectLine(c, aKp));
        c.ReadLine(TimeSpan.FromSeconds(2)).ShouldBe("-ERR 'Authorization Violation'\r\n");
        (DateTime.UtcNow - start).ShouldBeLessThanOrEqualTo(TimeSpan.FromMilliseconds(300), "expected timeout earlier");
    }

    [Theory, GoTest("server/jwt_test.go", "TestJWTAccountOps")]
    [InlineData("type: full\n  allow_delete: true")]
    [InlineData("type: cache")]
    public async Task JwtAccountOps(string cfg)
    {
        var op = NKeyPair.Create(NKeys.PrefixOperator);
        var sk = NKeyPair.Create(NKeys.PrefixOperator);
        var opClaim = new OperatorClaims(op.PublicKey);
        opClaim.SigningKeys.Add(sk.PublicKey);
        string opJwt = opClaim.Encode(op);
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = new AccountClaims(sysKp.PublicKey).Encode(sk);
        var aKp = NKeyPair.Create(NKeys.PrefixAccount);
        string apub = aKp.PublicKey, syspub = sysKp.PublicKey;
        string ajwt1 = new AccountClaims(apub).Encode(sk);

        string conf = InProcess.WriteConf($"""
            listen: 127.0.0.1:-1
            operator: {opJwt}
            system_account: {syspub}
            resolver: {"{"}
              {cfg}
              dir: '{NewDir()}'
            {"}"}
            """);
        await using var srv = InProcess.Run(ServerOptions.FromConfigFile(conf));
        UpdateJwt(srv, sysKp, sysJwt);
        UpdateJwt(srv, sysKp, ajwt1);
        // Stands in for another server's resolver: answers lookups of the account (the cache asks).
        using var nc = UserOf(srv, sysKp, commands: $"SUB $SYS.REQ.ACCOUNT.{apub}.CLAIMS.LOOKUP 1\r\nPING\r\n");
        nc.ExpectLine(ProtoRegex.Pong);
        using var ncA = ProtoClient.Connect("127.0.0.1", srv.Port);
        ncA.Send(JwtCreds.ConnectLine(ncA, aKp));
        if (cfg == "type: cache") Respond(nc, ajwt1);
        ncA.ExpectLine(ProtoRegex.Pong);

        string resp = Request(nc, "$SYS.REQ.CLAIMS.LIST").PayloadText;
        resp.ShouldContain(apub);
        resp.ShouldContain(syspub);
        Request(nc, "$SYS.REQ.CLAIMS.DELETE", DeleteRequest(op)).PayloadText.ShouldContain("\"message\":\"deleted 0 accounts\"");
        // Deleted twice (the second time it does not exist), by the signing key this time.
        for (int i = 0; i < 2; i++)
        {
            Request(nc, "$SYS.REQ.CLAIMS.DELETE", DeleteRequest(sk, apub)).PayloadText.ShouldContain("\"message\":\"deleted 1 accounts\"");
            resp = Request(nc, "$SYS.REQ.CLAIMS.LIST").PayloadText;
            resp.ShouldNotContain(apub);
            resp.ShouldContain(syspub);
            if (i > 0) continue;
            ncA.ReadLine(TimeSpan.FromSeconds(1)).ShouldBe("-ERR 'Account Authentication Expired'\r\n");
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTHeader")]
    public async Task JwtHeader()
    {
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = EncodeClaim(new AccountClaims(sysKp.PublicKey));

        async Task Test(bool share)
        {
            var aExpKp = NKeyPair.Create(NKeys.PrefixAccount);
            var aExpClaim = new AccountClaims(aExpKp.PublicKey);
            aExpClaim.Exports.Add(new JwtExport { Name = "test", Subject = "srvc", Type = "service", Latency = (0, "res") });
            string aExpJwt = EncodeClaim(aExpClaim);

            var aImpKp = NKeyPair.Create(NKeys.PrefixAccount);
            var aImpClaim = new AccountClaims(aImpKp.PublicKey);
            aImpClaim.Imports.Add(new JwtImport { Name = "test", Subject = "srvc", Account = aExpKp.PublicKey, Type = "service", Share = share });
            string aImpJwt = EncodeClaim(aImpClaim);

            await using var srv = FullResolverServerWith(sysKp, sysJwt, aExpJwt, aImpJwt);

            using var expNc = UserOf(srv, aExpKp, fields: GoClientFields);
            expNc.SendAndFlush("SUB res 1\r\nSUB srvc 2\r\n");
            using var impNc = UserOf(srv, aImpKp, fields: GoClientFields);

            // The service answers each request with an empty message.
            void Serve(string payload, string headers = "")
            {
                SendRequest(impNc, "srvc", payload, headers);
                var req = Respond(expNc, "");
                req.Subject.ShouldBe("srvc");
                req.PayloadText.ShouldBe(payload);
                impNc.ReadMsg(TimeSpan.FromSeconds(1));
            }

            // Without tracing headers the request is not sampled.
            Serve("msg1");
            Serve("msg2", "X-B3-Sampled: 1\r\nShare: Me\r\n");
            var m = expNc.ReadMsg(TimeSpan.FromSeconds(1));
            m.Subject.ShouldBe("res", "should have received a response");
            using var doc = JsonDocument.Parse(m.Payload);
            var reqInfo = doc.RootElement.GetProperty("requestor");
            reqInfo.TryGetProperty("acc", out _).ShouldBeTrue();
            reqInfo.TryGetProperty("rtt", out _).ShouldBeTrue();
            // Only when the import shares the requestor's details.
            reqInfo.TryGetProperty("lang", out _).ShouldBe(share);
            reqInfo.TryGetProperty("ver", out _).ShouldBe(share);
            reqInfo.TryGetProperty("host", out _).ShouldBe(share);
            reqInfo.TryGetProperty("start", out _).ShouldBe(share);
            expNc.ExpectNothing(TimeSpan.FromMilliseconds(250));
        }
        await Test(true);
        await Test(false);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTClaimsUpdateWithHeaders")]
    public async Task JwtClaimsUpdateWithHeaders()
    {
        var skp = NKeyPair.Create(NKeys.PrefixAccount);
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string apub = akp.PublicKey;
        string jwtClaim = EncodeClaim(new AccountClaims(apub));

        var (srv, _) = FullResolverServer(skp.PublicKey, resolverExtra: "allow_delete: true");
        await using var _ = srv;

        using var sc = UserOf(srv, skp, fields: GoClientFields);
        ExpectApiResponse(Request(sc, "$SYS.REQ.CLAIMS.UPDATE", jwtClaim, "key: value\r\n"));
        ExpectApiResponse(Request(sc, "$SYS.REQ.CLAIMS.DELETE", DeleteRequest(Operator, apub), "key: value\r\n"));
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountProtectedImport")]
    public async Task JwtAccountProtectedImport()
    {
        const string srvFmt = "port: -1\noperator = {0}\nresolver: MEMORY\nresolver_preload = {{\n  {1} : \"{2}\"\n  {3} : \"{4}\"\n}}\n";
        // An exporter whose service.* and stream.* take the importer's account in the second token (and the same
        // exports without that), and an importer of service.<its key> and stream.<its key> (or of *.foo).
        static (NKeyPair ExportKp, string ExportPub, string ExportJwt, string ExportJwtNoPos, NKeyPair ImportKp, string ImportPub,
            string ImportJwt, string SrvcSub, string StrmSub) SetupAccounts(bool pass)
        {
            var exportKp = NKeyPair.Create(NKeys.PrefixAccount);
            string exportPub = exportKp.PublicKey;
            var exportAc = new AccountClaims(exportPub);
            exportAc.Exports.Add(new JwtExport { Subject = "service.*", Type = "service", AccountTokenPosition = 2 });
            exportAc.Exports.Add(new JwtExport { Subject = "stream.*", Type = "stream", AccountTokenPosition = 2 });
            string exportJwt = EncodeClaim(exportAc);
            exportAc.Exports = [new JwtExport { Subject = "service.*", Type = "service" }, new JwtExport { Subject = "stream.*", Type = "stream" }];
            string exportJwtNoPos = EncodeClaim(exportAc);

            var importKp = NKeyPair.Create(NKeys.PrefixAccount);
            string importPub = importKp.PublicKey;
            var importAc = new AccountClaims(importPub);
            string srvcSub = pass ? $"service.{importPub}" : "service.foo";
            string strmSub = pass ? $"stream.{importPub}" : "stream.foo";
            importAc.Imports.Add(new JwtImport { Account = exportPub, Subject = srvcSub, Type = "service" });
            importAc.Imports.Add(new JwtImport { Account = exportPub, Subject = strmSub, Type = "stream" });
            return (exportKp, exportPub, exportJwt, exportJwtNoPos, importKp, importPub, EncodeClaim(importAc), srvcSub, strmSub);
        }

        // pass
        {
            var (exportKp, exportPub, exportJwt, _, importKp, importPub, importJwt, srvcSub, strmSub) = SetupAccounts(true);
            await using var s = InProcess.RunConf(string.Format(srvFmt, OperatorJwt, exportPub, exportJwt, importPub, importJwt));
            using var ncExp = UserOf(s, exportKp, fields: GoClientFields);
            using var ncImp = UserOf(s, importKp, fields: GoClientFields);
            // service
            ncExp.SendAndFlush("SUB service.* 1\r\n");
            SendRequest(ncImp, srvcSub, "hello");
            Respond(ncExp, "world");
            ncImp.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText.ShouldBe("world");
            ncExp.SendAndFlush("UNSUB 1\r\n");
            // stream: of the two published, only the one naming the importer arrives.
            ncImp.SendAndFlush($"SUB {strmSub} 2\r\n");
            ncExp.SendAndFlush($"PUB stream.foo 5\r\nhello\r\nPUB {strmSub} 5\r\nhello\r\n");
            var msg = ncImp.ReadMsg(TimeSpan.FromSeconds(1));
            msg.Subject.ShouldBe(strmSub);
            msg.PayloadText.ShouldBe("hello");
            ncImp.ExpectNothing(TimeSpan.FromMilliseconds(100));
        }

        // fail
        {
            var (exportKp, exportPub, exportJwt, _, importKp, importPub, importJwt, srvcSub, strmSub) = SetupAccounts(false);
            await using var s = InProcess.RunConf(string.Format(srvFmt, OperatorJwt, exportPub, exportJwt, importPub, importJwt));
            using var ncExp = UserOf(s, exportKp, fields: GoClientFields);
            using var ncImp = UserOf(s, importKp, fields: GoClientFields);
            // service
            ncExp.SendAndFlush("SUB service.* 1\r\n");
            var resp = Request(ncImp, srvcSub, "hello");
            resp.HeaderText.ShouldStartWith("NATS/1.0 503", customMessage: "no responders available for request");
            ncExp.SendAndFlush("UNSUB 1\r\n");
            // stream
            ncImp.SendAndFlush($"SUB {strmSub} 2\r\n");
            ncExp.SendAndFlush($"PUB stream.foo 5\r\nhello\r\nPUB {strmSub} 5\r\nhello\r\n");
            ncImp.ExpectNothing(TimeSpan.FromMilliseconds(250));
        }

        // reload-off-2-on: the exporter's JWT without token positions, then with them.
        {
            var (exportKp, exportPub, exportJwtOn, exportJwtOff, importKp, _, importJwt, srvcSub, strmSub) = SetupAccounts(false);
            // A system account without a JWT (the bootstrapping system account), its user naming it as issuer account.
            var sysAcc = NKeyPair.Create(NKeys.PrefixAccount);
            string sysPub = sysAcc.PublicKey;
            await using var s = InProcess.RunConf($"port: -1\noperator = {OperatorJwt}\nsystem_account = {sysPub}\nresolver: {{\n  type: full\n  dir: '{NewDir()}'\n}}\n");
            var sysUser = new UserClaims("") { IssuerAccount = sysPub };
            int Update(string jwt) => UpdateJwt(s, sysAcc, jwt, user: sysUser);
            Update(importJwt).ShouldBe(1);
            Update(exportJwtOff).ShouldBe(1);
            using var ncExp = UserOf(s, exportKp, fields: GoClientFields);
            using var ncImp = UserOf(s, importKp, fields: GoClientFields);
            // The service passes.
            ncExp.SendAndFlush("SUB service.* 1\r\n");
            SendRequest(ncImp, srvcSub, "hello");
            Respond(ncExp, "world");
            ncImp.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText.ShouldBe("world");
            // The stream passes.
            ncImp.SendAndFlush($"SUB {strmSub} 2\r\n");
            ncExp.SendAndFlush($"PUB {strmSub} 5\r\nhello\r\n");
            var msg = ncImp.ReadMsg(TimeSpan.FromSeconds(1));
            msg.Subject.ShouldBe(strmSub);
            msg.PayloadText.ShouldBe("hello");
            ncImp.ExpectNothing(TimeSpan.FromMilliseconds(100));

            Update(exportJwtOn).ShouldBe(1);

            // The service fails.
            Request(ncImp, srvcSub, "hello").HeaderText.ShouldStartWith("NATS/1.0 503", customMessage: "no responders available for request");
            s.AccountResolver!.Store(exportPub, exportJwtOn);
            // The stream fails.
            ncExp.SendAndFlush($"PUB {strmSub} 5\r\nhello\r\n");
            ncImp.ExpectNothing(TimeSpan.FromMilliseconds(250));
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountTokenImportMisuse")]
    public async Task JwtAccountTokenImportMisuse()
    {
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string syspub = sysKp.PublicKey;
        string sysJwt = EncodeClaim(new AccountClaims(syspub));

        var aExpKp = NKeyPair.Create(NKeys.PrefixAccount);
        string aExpPub = aExpKp.PublicKey;
        var aExpClaim = new AccountClaims(aExpPub) { Name = "Export" };
        aExpClaim.Exports.Add(new JwtExport { Subject = "$events.*.$in.*.>", Type = "stream", TokenReq = true });
        aExpClaim.Exports.Add(new JwtExport { Subject = "foo", Type = "stream", TokenReq = true });
        string aExpJwt = EncodeClaim(aExpClaim);

        // The importer's JWT importing $events.*.$in.*.> with the activation token <paramref name="ac"/> signs.
        string CreateImportingAccountClaim(NKeyPair aImpKp, ActivationClaims ac)
        {
            string token = ac.Encode(aExpKp);
            var aImpClaim = new AccountClaims(aImpKp.PublicKey) { Name = "Import" };
            aImpClaim.Imports.Add(new JwtImport { Subject = "$events.*.$in.*.>", Type = "stream", Account = aExpPub, Token = token });
            return EncodeClaim(aImpClaim);
        }

        // A URL resolver serving both JWTs: the importer cannot connect.
        async Task TestConnect(NKeyPair aImpKp, string aImpJwt)
        {
            string aImpPub = aImpKp.PublicKey;
            var unexpected = new ConcurrentQueue<string>();
            var (app, url) = await JwtHttpServer(path => path switch
            {
                "/A/" => "",
                _ when path == "/A/" + aExpPub => aExpJwt,
                _ when path == "/A/" + aImpPub => aImpJwt,
                _ => Unexpected(path),
            });
            string? Unexpected(string path)
            {
                unexpected.Enqueue(path);
                return null;
            }
            await using var __ = app;
            await using var s = InProcess.RunConf($"listen: 127.0.0.1:-1\noperator: {OperatorJwt}\nresolver: URL(\"{url}/A/\")\n");
            using var ncImp = ProtoClient.Connect("127.0.0.1", s.Port);
            ncImp.Send(JwtCreds.ConnectLine(ncImp, aImpKp));
            ncImp.ReadLine(TimeSpan.FromSeconds(2)).ShouldStartWith("-ERR ", customMessage: "misuse needs to result in an error");
            unexpected.ShouldBeEmpty("not expected");
        }

        // The full resolver refuses the importer's JWT.
        async Task TestNatsResolver(string aImpJwt)
        {
            var (s, _) = FullResolverServer(syspub);
            await using var __ = s;
            UpdateJwt(s, sysKp, sysJwt).ShouldBe(1);
            UpdateJwt(s, sysKp, aExpJwt).ShouldBe(1);
            UpdateJwt(s, sysKp, aImpJwt).ShouldBe(0);
        }

        // wrong-account: the token was issued for another account.
        {
            var aImpKp = NKeyPair.Create(NKeys.PrefixAccount);
            var ac = new ActivationClaims(NKeyPair.Create(NKeys.PrefixAccount).PublicKey) { ImportSubject = "$events.*.$in.*.>", ImportType = "stream" };
            string aImpJwt = CreateImportingAccountClaim(aImpKp, ac);
            await TestConnect(aImpKp, aImpJwt);
            await TestNatsResolver(aImpJwt);
        }
        // different-subject: the token is for the other export.
        {
            var aImpKp = NKeyPair.Create(NKeys.PrefixAccount);
            var ac = new ActivationClaims(aImpKp.PublicKey) { ImportSubject = "foo", ImportType = "stream" };
            string aImpJwt = CreateImportingAccountClaim(aImpKp, ac);
            await TestConnect(aImpKp, aImpJwt);
            await TestNatsResolver(aImpJwt);
        }
        // non-existing-subject: the token is for a subject not exported.
        {
            var aImpKp = NKeyPair.Create(NKeys.PrefixAccount);
            var ac = new ActivationClaims(aImpKp.PublicKey) { ImportSubject = "does-not-exist-or-from-different-export", ImportType = "stream" };
            string aImpJwt = CreateImportingAccountClaim(aImpKp, ac);
            await TestConnect(aImpKp, aImpJwt);
            await TestNatsResolver(aImpJwt);
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTServerOperatorModeNoAuthRequired")]
    public async Task JwtServerOperatorModeNoAuthRequired()
    {
        string spub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        string sysJwt = EncodeClaim(new AccountClaims(spub) { Name = "$SYS" });
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string apub = akp.PublicKey;
        string accJwt = EncodeClaim(new AccountClaims(apub) { Name = "TEST" });

        var (s, _) = FullResolverServer(spub, extra: $"resolver_preload: {{\n  {spub}: {sysJwt}\n  {apub}: {accJwt}\n}}\nserver_name: srv-A",
            resolverExtra: "interval: \"200ms\"\n  limit: 4");
        await using var _ = s;
        using var nc = UserOf(s, akp);
        nc.Info!.Value.GetProperty("auth_required").GetBoolean().ShouldBeTrue();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountConnzAccessAfterClaimUpdate")]
    public async Task JwtAccountConnzAccessAfterClaimUpdate()
    {
        var skp = NKeyPair.Create(NKeys.PrefixAccount);
        var sclaim = new AccountClaims(skp.PublicKey);
        sclaim.AddMapping("foo.bar", new JwtWeightedMapping("foo.baz"));
        string sjwt = EncodeClaim(sclaim);

        // One JWT without a mapping, one with.
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var claim = new AccountClaims(akp.PublicKey);
        string jwt1 = EncodeClaim(claim);
        claim.AddMapping("foo.bar", new JwtWeightedMapping("foo.baz"));
        string jwt2 = EncodeClaim(claim);

        var (s, _) = FullResolverServer(skp.PublicKey);
        await using var _ = s;
        void UpdateJwtOk(string jwt)
        {
            using var sc = UserOf(s, skp, fields: GoClientFields);
            ExpectApiResponse(Request(sc, "$SYS.REQ.CLAIMS.UPDATE", jwt));
        }

        UpdateJwtOk(jwt1);
        using var nc = UserOf(s, akp, fields: GoClientFields);
        void DoRequest() => ExpectApiResponse(Request(nc, "$SYS.REQ.SERVER.PING.CONNZ"));

        DoRequest();
        UpdateJwtOk(jwt2);
        // Had the update dropped the account's system imports, this would find no responders.
        DoRequest();
        UpdateJwtOk(sjwt);
        // Had the system account's update dropped its exports, this would time out.
        DoRequest();
    }
}
