using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

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
}
