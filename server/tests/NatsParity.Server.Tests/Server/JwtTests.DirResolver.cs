using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/jwt_test.go with the nats-based account resolver (resolver { type: full }): account JWTs
/// pushed over the system account into a directory.</summary>
public sealed partial class JwtTests
{
    /// <summary>Go's encodeClaim: account claims signed by the tests' operator.</summary>
    private static string EncodeClaim(AccountClaims claim) => claim.Encode(Operator);

    /// <summary>A user of <paramref name="akp"/> connected with a fresh user JWT (and CONNECT
    /// <paramref name="fields"/>), its PONG read.</summary>
    private static ProtoClient UserOf(NatsServer s, NKeyPair akp, UserClaims? claims = null, string commands = "", string fields = "")
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send(JwtCreds.ConnectLine(c, akp, claims, fields) + commands);
        c.ExpectLine(ProtoRegex.Pong);
        return c;
    }

    /// <summary>Go's updateJwt: a user of the system account <paramref name="sysKp"/> (with <paramref name="user"/>
    /// claims when given) pushes <paramref name="jwt"/> on $SYS.REQ.CLAIMS.UPDATE; the number of the
    /// <paramref name="respCnt"/> answers that report success.</summary>
    private static int UpdateJwt(NatsServer s, NKeyPair sysKp, string jwt, int respCnt = 1, UserClaims? user = null)
    {
        using var c = UserOf(s, sysKp, user);
        c.Send($"SUB _INBOX.upd 1\r\nUNSUB 1 {respCnt}\r\nPUB $SYS.REQ.CLAIMS.UPDATE _INBOX.upd {jwt.Length}\r\n{jwt}\r\n");
        int pass = 0;
        for (int i = 0; i < respCnt; i++)
        {
            var m = c.ReadMsg(TimeSpan.FromSeconds(1));
            using var doc = JsonDocument.Parse(m.Payload);
            if (doc.RootElement.TryGetProperty("data", out _)) pass++;
        }
        return pass;
    }

    /// <summary>A server of the tests' operator with a full resolver in a new directory and <paramref name="sysPub"/>
    /// as its system account; <paramref name="resolverExtra"/> goes in the resolver block, <paramref name="extra"/>
    /// after it.</summary>
    private static (NatsServer Server, string Dir) FullResolverServer(string sysPub, string extra = "", string resolverExtra = "")
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-jwt-").FullName;
        string conf = InProcess.WriteConf($"""
            listen: 127.0.0.1:-1
            operator: {OperatorJwt}
            system_account: {sysPub}
            resolver: {"{"}
              type: full
              dir: '{dir}'
              {resolverExtra}
            {"}"}
            {extra}
            """);
        return (InProcess.Run(ServerOptions.FromConfigFile(conf)), dir);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTMappings")]
    public async Task JwtMappings()
    {
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = EncodeClaim(new AccountClaims(sysKp.PublicKey));

        // One JWT without mappings, one mapping foo1 and one mapping foo2.
        var aKp = NKeyPair.Create(NKeys.PrefixAccount);
        var aClaim = new AccountClaims(aKp.PublicKey);
        string aJwtNoM = EncodeClaim(aClaim);
        aClaim.AddMapping("foo1", new JwtWeightedMapping("bar1"));
        string aJwtMap1 = EncodeClaim(aClaim);
        aClaim.Mappings.Clear();
        aClaim.AddMapping("foo2", new JwtWeightedMapping("bar2"));
        string aJwtMap2 = EncodeClaim(aClaim);

        var (s, _) = FullResolverServer(sysKp.PublicKey);
        await using var _ = s;
        UpdateJwt(s, sysKp, sysJwt).ShouldBe(1);

        void Test(string pub, string sub, bool fail)
        {
            using var c = UserOf(s, aKp);
            c.SendAndFlush($"SUB {sub} 1\r\n");
            c.Send($"PUB {pub} 0\r\n\r\n");
            if (fail) c.ExpectNothing(TimeSpan.FromMilliseconds(500));
            else c.ReadMsg(TimeSpan.FromMilliseconds(500)).Subject.ShouldBe(sub);
        }

        // Mappings on.
        UpdateJwt(s, sysKp, aJwtMap1).ShouldBe(1);
        Test("foo1", "bar1", false);
        // Changed.
        UpdateJwt(s, sysKp, aJwtMap2).ShouldBe(1);
        Test("foo1", "bar1", true);
        Test("foo2", "bar2", false);
        // Off.
        UpdateJwt(s, sysKp, aJwtNoM).ShouldBe(1);
        Test("foo2", "bar2", true);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTStrictSigningKeys")]
    public async Task JwtStrictSigningKeys()
    {
        // An account's identity key and a signing key, its claims signed by the operator key given.
        static (NKeyPair Id, NKeyPair Sig, string Pub, string Jwt) NewAccount(NKeyPair opKp)
        {
            var id = NKeyPair.Create(NKeys.PrefixAccount);
            var sig = NKeyPair.Create(NKeys.PrefixAccount);
            var claim = new AccountClaims(id.PublicKey);
            claim.SigningKeys.Add(sig.PublicKey);
            return (id, sig, id.PublicKey, claim.Encode(opKp));
        }

        var opId = NKeyPair.Create(NKeys.PrefixOperator);
        var opSig = NKeyPair.Create(NKeys.PrefixOperator);
        var (aBadBadKp, aBadGoodKp, aBadPub, aBadJwt) = NewAccount(opId);
        var (aGoodBadKp, aGoodGoodKp, aGoodPub, aGoodJwt) = NewAccount(opSig);
        var (_, aSysKp, aSysPub, aSysJwt) = NewAccount(opSig);

        var oClaim = new OperatorClaims(opId.PublicKey) { StrictSigningKeyUsage = true, SystemAccount = aSysPub };
        oClaim.SigningKeys.Add(opSig.PublicKey);
        string oJwt = oClaim.Encode(opId);

        // Users signed by: the account key of an account the operator key signed, its signing key, the account key of
        // an account the operator's signing key signed, and that account's signing key (the only one allowed).
        (NKeyPair Kp, string Acc, bool Fail)[] cases =
        [
            (aBadBadKp, aBadPub, true), (aBadGoodKp, aBadPub, true), (aGoodBadKp, aGoodPub, true), (aGoodGoodKp, aGoodPub, false),
        ];
        void ConnectTest(NatsServer s)
        {
            foreach (var (kp, acc, fail) in cases)
            {
                using var c = ProtoClient.Connect("127.0.0.1", s.Port);
                c.Send(JwtCreds.ConnectLine(c, kp, new UserClaims("") { IssuerAccount = acc }));
                string line = c.ReadLine(TimeSpan.FromSeconds(2));
                if (fail) line.ShouldBe("-ERR 'Authorization Violation'\r\n");
                else line.ShouldBe("PONG\r\n");
            }
        }

        // resolver
        {
            string dir = Directory.CreateTempSubdirectory("natsparity-jwt-").FullName;
            string conf = InProcess.WriteConf($"port: -1\noperator = {oJwt}\nresolver: {{\n  type: full\n  dir: '{dir}'\n}}\nresolver_preload = {{\n  {aSysPub} : \"{aSysJwt}\"\n}}\n");
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
            var sysUser = new UserClaims("") { IssuerAccount = aSysPub };
            int Update(string jwt)
            {
                using var c = ProtoClient.Connect("127.0.0.1", s.Port);
                c.Send(JwtCreds.ConnectLine(c, aSysKp, sysUser));
                c.ExpectLine(ProtoRegex.Pong);
                c.Send($"SUB _INBOX.upd 1\r\nPUB $SYS.REQ.CLAIMS.UPDATE _INBOX.upd {jwt.Length}\r\n{jwt}\r\n");
                using var doc = JsonDocument.Parse(c.ReadMsg(TimeSpan.FromSeconds(1)).Payload);
                return doc.RootElement.TryGetProperty("data", out _) ? 1 : 0;
            }
            Update(aBadJwt).ShouldBe(0);
            Update(aGoodJwt).ShouldBe(1);
            ConnectTest(s);
        }
        // mem-resolver
        {
            string conf = InProcess.WriteConf($"port: -1\noperator = {oJwt}\nresolver: MEMORY\nresolver_preload = {{\n  {aSysPub} : \"{aSysJwt}\"\n  {aBadPub} : \"{aBadJwt}\"\n  {aGoodPub} : \"{aGoodJwt}\"\n}}\n");
            await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
            ConnectTest(s);
        }
    }
}
