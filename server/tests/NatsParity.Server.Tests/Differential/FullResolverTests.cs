using System.Text.Json;
using System.Text.Json.Nodes;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Differential;

/// <summary>The nats-based full account resolver from the same conf file on ours and the Go reference: the system
/// account bootstraps, operators push, look up, list and delete account JWTs over $SYS, and the answers carry the same
/// codes and texts.</summary>
public sealed class FullResolverTests
{
    private static (NKeyPair Op, NKeyPair Sys, NKeyPair A, ServerConfig Config, string Dir) Setup()
    {
        var op = NKeyPair.Create(NKeys.PrefixOperator);
        var sys = NKeyPair.Create(NKeys.PrefixAccount);
        var a = NKeyPair.Create(NKeys.PrefixAccount);
        string ojwt = new OperatorClaims(op.PublicKey) { Name = "OP", SystemAccount = sys.PublicKey }.Encode(op);
        string dir = Directory.CreateTempSubdirectory("natsparity-full-").FullName;
        return (op, sys, a, new ServerConfig
        {
            Extra = $$"""
                operator: {{ojwt}}
                system_account: {{sys.PublicKey}}
                resolver: {
                  type: full
                  dir: '{{dir}}'
                  allow_delete: true
                }
                """,
        }, dir);
    }

    /// <summary>A user of <paramref name="account"/>, connected, subscribed to _INBOX.r.</summary>
    private static ProtoClient User(NatsServerProcess s, NKeyPair account)
    {
        var c = ProtoClient.Connect(s);
        c.Send(JwtCreds.ConnectLine(c, account) + "SUB _INBOX.r 1\r\nPING\r\n");
        c.ExpectLine(ProtoRegex.Pong);
        c.ExpectLine(ProtoRegex.Pong);
        return c;
    }

    private static MsgFrame Request(ProtoClient c, string subject, string body)
    {
        c.Send($"PUB {subject} _INBOX.r {body.Length}\r\n{body}\r\n");
        var m = c.ReadMsg(TimeSpan.FromSeconds(3));
        m.Subject.ShouldBe("_INBOX.r");
        return m;
    }

    private static JsonElement Json(MsgFrame m)
    {
        using var doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.Clone();
    }

    private static void ShouldBeUpdated(JsonElement r, string account, string message = "jwt updated")
    {
        r.GetProperty("server").GetProperty("id").GetString().ShouldNotBeNullOrEmpty();
        var d = r.GetProperty("data");
        d.GetProperty("account").GetString().ShouldBe(account);
        d.GetProperty("code").GetInt32().ShouldBe(200);
        d.GetProperty("message").GetString().ShouldBe(message);
        r.TryGetProperty("error", out _).ShouldBeFalse();
    }

    private static void ShouldBeError(JsonElement r, string account, string description)
    {
        r.TryGetProperty("error", out var e).ShouldBeTrue(r.ToString());
        // An empty account is left out.
        (e.TryGetProperty("account", out var acc) ? acc.GetString() : "").ShouldBe(account);
        e.GetProperty("code").GetInt32().ShouldBe(500);
        e.GetProperty("description").GetString().ShouldStartWith(description);
        r.TryGetProperty("data", out _).ShouldBeFalse();
    }

    [Theory, TargetData]
    public void OperatorsPushLookUpListAndDeleteAccountJwts(ServerTarget target)
    {
        var (op, sys, a, config, dir) = Setup();
        using var server = NatsServerProcess.Start(target, config);
        // The system account's JWT is not there yet: its users get in on the bootstrapping account.
        using var sysUser = User(server, sys);
        string sysJwt = new AccountClaims(sys.PublicKey) { Name = "SYS" }.Encode(op);
        ShouldBeUpdated(Json(Request(sysUser, "$SYS.REQ.CLAIMS.UPDATE", sysJwt)), sys.PublicKey);

        string aJwt = new AccountClaims(a.PublicKey) { Name = "A" }.Encode(op);
        ShouldBeUpdated(Json(Request(sysUser, $"$SYS.REQ.ACCOUNT.{a.PublicKey}.CLAIMS.UPDATE", aJwt)), a.PublicKey);
        File.Exists(Path.Combine(dir, a.PublicKey + ".jwt")).ShouldBeTrue();

        // A JWT for another account than the subject names, and one that is not a JWT.
        var b = NKeyPair.Create(NKeys.PrefixAccount);
        ShouldBeError(Json(Request(sysUser, $"$SYS.REQ.ACCOUNT.{b.PublicKey}.CLAIMS.UPDATE", aJwt)), b.PublicKey,
            "jwt update resulted in error - subject does not match jwt content");
        ShouldBeError(Json(Request(sysUser, "$SYS.REQ.CLAIMS.UPDATE", "not-a-jwt")), "n/a", "jwt update resulted in error - ");

        // Lookups answer with the stored JWT, or nothing.
        Request(sysUser, $"$SYS.REQ.ACCOUNT.{a.PublicKey}.CLAIMS.LOOKUP", "").PayloadText.ShouldBe(aJwt);
        // (The reference, 2.9.10, leaves a lookup of an unknown account unanswered; 2.15 answers it with nothing.)
        if (target == ServerTarget.Ours)
            Request(sysUser, $"$SYS.REQ.ACCOUNT.{b.PublicKey}.CLAIMS.LOOKUP", "").Payload.Length.ShouldBe(0);

        var list = Json(Request(sysUser, "$SYS.REQ.CLAIMS.LIST", "")).GetProperty("data").EnumerateArray().Select(x => x.GetString()).ToList();
        list.ShouldBe([sys.PublicKey, a.PublicKey], ignoreOrder: true);

        // A user of the pushed account gets in; deleting the account (an operator-signed request) expires it.
        using var aUser = User(server, a);
        string del = JwtCodec.Encode(new JsonObject
        {
            ["sub"] = op.PublicKey,
            ["nats"] = new JsonObject { ["accounts"] = new JsonArray(a.PublicKey), ["type"] = "generic", ["version"] = 2 },
        }, op);
        var dr = Json(Request(sysUser, "$SYS.REQ.CLAIMS.DELETE", del)).GetProperty("data");
        dr.GetProperty("code").GetInt32().ShouldBe(200);
        dr.GetProperty("message").GetString().ShouldBe("deleted 1 accounts");
        aUser.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Account Authentication Expired'");
        aUser.ExpectClosed();
        File.Exists(Path.Combine(dir, a.PublicKey + ".jwt")).ShouldBeFalse();
        File.Exists(Path.Combine(dir, a.PublicKey + ".jwt.deleted")).ShouldBeTrue();

        // The system account itself may not be deleted, and only the operator's keys may delete.
        string delSys = JwtCodec.Encode(new JsonObject
        {
            ["sub"] = op.PublicKey,
            ["nats"] = new JsonObject { ["accounts"] = new JsonArray(sys.PublicKey), ["type"] = "generic", ["version"] = 2 },
        }, op);
        ShouldBeError(Json(Request(sysUser, "$SYS.REQ.CLAIMS.DELETE", delSys)), "",
            $"delete accounts request by {op.PublicKey} failed - not allowed to delete system account");
        var other = NKeyPair.Create(NKeys.PrefixOperator);
        string delUntrusted = JwtCodec.Encode(new JsonObject
        {
            ["sub"] = other.PublicKey,
            ["nats"] = new JsonObject { ["accounts"] = new JsonArray(sys.PublicKey), ["type"] = "generic", ["version"] = 2 },
        }, other);
        ShouldBeError(Json(Request(sysUser, "$SYS.REQ.CLAIMS.DELETE", delUntrusted)), "",
            $"delete accounts request by {other.PublicKey} failed - not trusted");
    }
}
