using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go for an operator-mode server.</summary>
public sealed partial class ServerMonitorTests
{
    [Fact, GoTest("server/monitor_test.go", "TestMonitorOpJWT")]
    public async Task MonitorOpJwt()
    {
        // An operator JWT file as nsc writes it (Go's test/configs/nkeys/op.jwt), decorated.
        var op = NKeyPair.Create(NKeys.PrefixOperator);
        string theJwt = new OperatorClaims(op.PublicKey) { Name = "O" }.Encode(op);
        string opFile = InProcess.WriteConf($"-----BEGIN TEST OPERATOR JWT-----\n{theJwt}\n------END TEST OPERATOR JWT------\n");
        string conf = InProcess.WriteConf($"listen: \"127.0.0.1:-1\"\nhttp: \"127.0.0.1:-1\"\noperator = \"{opFile}\"\nresolver = MEMORY\n");
        await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
        var claim = OperatorClaims.Decode(File.ReadAllText(opFile).Split('\n')[1]);

        for (int mode = 1; mode < 2; mode++)
        {
            var v = await Poll(s, mode, NatsParity.Server.Monitoring.Monitor.VarzPath);
            var jwts = v.GetProperty("trusted_operators_jwt");
            jwts.GetArrayLength().ShouldBe(1, "one operator jwt");
            var claims = v.GetProperty("trusted_operators_claim");
            claims.GetArrayLength().ShouldBe(1, "one operator claim");
            jwts[0].GetString().ShouldBe(theJwt);
            // The claims are the operator's, field for field.
            var c = claims[0];
            c.GetProperty("jti").GetString().ShouldBe(claim.Id);
            c.GetProperty("iat").GetInt64().ShouldBe(claim.IssuedAt);
            c.GetProperty("iss").GetString().ShouldBe(claim.Issuer);
            c.GetProperty("name").GetString().ShouldBe(claim.Name);
            c.GetProperty("sub").GetString().ShouldBe(claim.Subject);
            c.GetProperty("nats").GetProperty("type").GetString().ShouldBe("operator");
            c.GetProperty("nats").GetProperty("version").GetInt32().ShouldBe(2);
        }
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorAccountzAccountIssuerUpdate")]
    public async Task MonitorAccountzAccountIssuerUpdate()
    {
        // An operator with two signing keys and a system account.
        var okp = NKeyPair.Create(NKeys.PrefixOperator);
        var sys = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = new AccountClaims(sys.PublicKey) { Name = "SYS" }.Encode(okp);
        var osk1 = NKeyPair.Create(NKeys.PrefixOperator);
        var osk2 = NKeyPair.Create(NKeys.PrefixOperator);
        var oc = new OperatorClaims(okp.PublicKey) { Name = "O", SystemAccount = sys.PublicKey };
        oc.SigningKeys.AddRange([osk1.PublicKey, osk2.PublicKey]);
        string oJwt = oc.Encode(okp);
        // Account A signed by the first signing key.
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        var ac = new AccountClaims(akp.PublicKey) { Name = "A" };
        string Conf(string aJwt) => $$"""
            listen: 127.0.0.1:-1
            http: 127.0.0.1:-1
            operator = {{oJwt}}
            resolver = MEMORY
            system_account: {{sys.PublicKey}}
            resolver_preload = {
              {{sys.PublicKey}} : {{sysJwt}}
              {{akp.PublicKey}} : {{aJwt}}
            }
            """;
        string conf = InProcess.WriteConf(Conf(ac.Encode(osk1)));
        await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));

        // A user of A, so that the account is in use.
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send(JwtCreds.ConnectLine(nc, akp));
        nc.ExpectLine(ProtoRegex.Pong);

        async Task<string> IssuerKey()
        {
            string body = await ReadBody($"{Url(s)}accountz?acc={akp.PublicKey}");
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.GetProperty("account_detail").GetProperty("issuer_key").GetString()!;
        }
        (await IssuerKey()).ShouldBe(osk1.PublicKey);

        // The account re-signed by the second key, through a reload.
        File.WriteAllText(conf, Conf(ac.Encode(osk2)));
        s.Reload().ShouldBeNull();
        (await IssuerKey()).ShouldBe(osk2.PublicKey);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzJWTVisibility")]
    public async Task MonitorConnzJwtVisibility()
    {
        foreach (bool bearer in new[] { true, false })
            await ConnzJwtVisibility(bearer);
    }

    /// <summary>Go's testMonitorConnzJWTVisibility: a user JWT is shown by connz with auth, and kept for the closed
    /// connection; a bearer JWT is never shown.</summary>
    private static async Task ConnzJwtVisibility(bool bearer)
    {
        var o = MonitorOptions();
        o.NoSystemAccount = false;
        o.TrustedKeys = [JwtCreds.Operator.PublicKey];
        o.AccountResolver = new MemoryAccountResolver();
        await using var s = InProcess.Run(o);

        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(JwtCreds.Operator);
        var nkp = NKeyPair.Create(NKeys.PrefixUser);
        string userJwt = new UserClaims(nkp.PublicKey) { BearerToken = bearer }.Encode(akp);
        s.AccountResolver!.Store(akp.PublicKey, ajwt);

        var conn = ProtoClient.Connect("127.0.0.1", s.Port);
        try
        {
            string sigField = "";
            if (!bearer)
            {
                string nonce = conn.Info!.Value.GetProperty("nonce").GetString()!;
                sigField = $",\"sig\":\"{JwtCodec.Base64Url(nkp.Sign(System.Text.Encoding.ASCII.GetBytes(nonce)))}\"";
            }
            conn.Send($"CONNECT {{\"jwt\":\"{userJwt}\",\"verbose\":true,\"pedantic\":true{sigField}}}\r\n");
            conn.ReadLine(TimeSpan.FromSeconds(5)).ShouldStartWith("+OK");

            string expectedJwt = bearer ? "" : userJwt;
            async Task CheckConnzJwt(string query)
            {
                // Go's checkFor: the closed connection may take a moment to be listed.
                JsonElement conns = default;
                for (var deadline = DateTime.UtcNow.AddSeconds(2); ; await Task.Delay(15))
                {
                    conns = JsonDocument.Parse(await ReadBody(Url(s) + "connz" + query)).RootElement.GetProperty("connections");
                    if (conns.GetArrayLength() == 1 || DateTime.UtcNow > deadline) break;
                }
                conns.GetArrayLength().ShouldBe(1, query);
                var ci = conns[0];
                (ci.TryGetProperty("jwt", out var j) ? j.GetString() : "").ShouldBe(expectedJwt, $"{(bearer ? "bearer" : "non-bearer")} {query}");
            }
            await CheckConnzJwt("?auth=1");

            conn.Dispose();
            conn = null!;

            await CheckConnzJwt("?state=closed");
            await CheckConnzJwt("?auth=1&state=closed");
        }
        finally
        {
            conn?.Dispose();
        }
    }

    /// <summary>The server of Go's runMonitorServerWithOperator without its cluster, gateway and leafnode: an operator
    /// with a memory resolver preloaded with accounts named SYS (the system account) and APP.</summary>
    private static NatsServer RunOperatorMonitorServer(out NKeyPair sys, out NKeyPair app)
    {
        var okp = NKeyPair.Create(NKeys.PrefixOperator);
        sys = NKeyPair.Create(NKeys.PrefixAccount);
        app = NKeyPair.Create(NKeys.PrefixAccount);
        string oJwt = new OperatorClaims(okp.PublicKey) { Name = "O" }.Encode(okp);
        string sysJwt = new AccountClaims(sys.PublicKey) { Name = "SYS" }.Encode(okp);
        string appJwt = new AccountClaims(app.PublicKey) { Name = "APP" }.Encode(okp);
        return InProcess.RunConf($$"""
            listen: 127.0.0.1:-1
            http: 127.0.0.1:-1
            operator: {{oJwt}}
            resolver: MEMORY
            system_account: {{sys.PublicKey}}
            resolver_preload {
              {{app.PublicKey}} : {{appJwt}}
              {{sys.PublicKey}} : {{sysJwt}}
            }
            """);
    }

    /// <summary>The single-server half of Go's operator-mode monitor tests (TestSubszOperatorMode,
    /// TestMonitorAccountzOperatorMode, TestMonitorAccountStatzOperatorMode, TestMonitorConnzOperatorAccountNames, whose
    /// setup is a JetStream cluster with a gateway and a leafnode): subsz, accountz, accstatz and connz name JWT accounts
    /// by their claims' names.</summary>
    [Fact]
    public async Task OperatorModeEndpointsNameAccountsByTheirJwtNames()
    {
        await using var s = RunOperatorMonitorServer(out var sys, out var app);
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send(JwtCreds.ConnectLine(nc, app));
        nc.ExpectLine(ProtoRegex.Pong);
        nc.SendAndFlush("SUB foo 1\r\n");

        var names = new Dictionary<string, string> { [sys.PublicKey] = "SYS", [app.PublicKey] = "APP", ["$G"] = "$G" };
        for (int mode = 0; mode < 2; mode++)
        {
            var subs = (await PollSubsz(s, mode, "?subs=1")).GetProperty("subscriptions_list").EnumerateArray().ToList();
            subs.ShouldContain(x => x.GetProperty("account").GetString() == app.PublicKey);
            foreach (var sub in subs)
                sub.GetProperty("account_tag").GetString().ShouldBe(names[sub.GetProperty("account").GetString()!]);

            var statz = (await Poll(s, mode, Monitor.AccountStatzPath, "?unused=1")).GetProperty("account_statz").EnumerateArray().ToList();
            statz.Count.ShouldBe(3);
            foreach (var acc in statz)
            {
                string key = acc.GetProperty("acc").GetString()!;
                acc.GetProperty("name").GetString().ShouldBe(names[key]);
                acc.GetProperty("conns").GetInt32().ShouldBe(key == app.PublicKey ? 1 : 0);
            }

            var ci = (await PollConnz(s, mode, "?auth=1")).GetProperty("connections").EnumerateArray().Single();
            ci.GetProperty("account").GetString().ShouldBe(app.PublicKey);
            ci.GetProperty("name_tag").GetString().ShouldBe("APP");

            var az = await Poll(s, mode, Monitor.AccountzPath);
            az.GetProperty("accounts").EnumerateArray().Select(x => x.GetString()).ShouldBe(names.Keys, ignoreOrder: true);
            az.GetProperty("system_account").GetString().ShouldBe(sys.PublicKey);
            var detail = (await Poll(s, mode, Monitor.AccountzPath, $"?acc={sys.PublicKey}")).GetProperty("account_detail");
            detail.GetProperty("account_name").GetString().ShouldBe(sys.PublicKey);
            detail.GetProperty("name_tag").GetString().ShouldBe("SYS");
            detail.GetProperty("is_system").GetBoolean().ShouldBeTrue();
        }
    }

    /// <summary>The single-server half of Go's TestMonitorConnzOperatorModeFilterByUser (whose setup is a JetStream
    /// cluster with a gateway and a leafnode): connz filters JWT users by their public key, open and closed.</summary>
    [Fact]
    public async Task OperatorModeConnzFiltersByJwtUser()
    {
        await using var s = RunOperatorMonitorServer(out _, out var app);
        NKeyPair aUser = NKeyPair.Create(NKeys.PrefixUser), bUser = NKeyPair.Create(NKeys.PrefixUser);
        using var users = new ProtoClients();
        foreach (var (user, count) in new[] { (aUser, 2), (bUser, 5) })
        {
            for (int i = 0; i < count; i++)
            {
                var nc = ProtoClient.Connect("127.0.0.1", s.Port);
                users.Add(nc);
                nc.Send(JwtCreds.ConnectLine(nc, app, user: user));
                nc.ExpectLine(ProtoRegex.Pong);
            }
        }

        void ExpectUser(JsonElement connz, string user, int count)
        {
            connz.GetProperty("num_connections").GetInt32().ShouldBe(count);
            foreach (var ci in connz.GetProperty("connections").EnumerateArray())
                ci.GetProperty("authorized_user").GetString().ShouldBe(user);
        }
        ExpectUser(Render(s, Monitor.ConnzPath, $"?user={aUser.PublicKey}&auth=1"), aUser.PublicKey, 2);
        ExpectUser(Render(s, Monitor.ConnzPath, $"?user={bUser.PublicKey}&auth=1"), bUser.PublicKey, 5);
        ExpectUser(await PollConnz(s, 0, $"?auth=true&user={aUser.PublicKey}"), aUser.PublicKey, 2);

        // Closed connections are filtered as well.
        foreach (var nc in users) nc.Dispose();
        await WaitForClosed(s, 7);
        ExpectUser(Render(s, Monitor.ConnzPath, $"?user={aUser.PublicKey}&auth=1&state=closed"), aUser.PublicKey, 2);
    }
}
