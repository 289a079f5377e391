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
}
