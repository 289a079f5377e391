using System.Text;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.WebSockets;

/// <summary>Ports of Go's websocket_test.go JWT tests: user JWTs over websocket, by CONNECT or by cookie.</summary>
public sealed class WebSocketJwtTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    /// <summary>Go's testWSOptions with setupAddTrusted (and setupAddCookie), then buildMemAccResolver.</summary>
    private NatsServer Run(string jwtCookie = "") => InProcess.Run(new ServerOptions
    {
        NoSystemAccount = true,
        TrustedKeys = [JwtCreds.Operator.PublicKey],
        AccountResolver = new MemoryAccountResolver(),
        Websocket = new WebsocketOptions
        {
            Host = "127.0.0.1", Port = -1, JwtCookie = jwtCookie,
            Tls = new ServerOptions { Tls = true, TlsCert = _pki.ServerCertFile, TlsKey = _pki.ServerKeyFile },
        },
    });

    /// <summary>Go's genJwt: a user JWT of a fresh account the server's resolver knows.</summary>
    private static (string Jwt, NKeyPair User) UserJwt(NatsServer s, UserClaims claims)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        s.AccountResolver!.Store(akp.PublicKey, new AccountClaims(akp.PublicKey).Encode(JwtCreds.Operator));
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        claims.Subject = ukp.PublicKey;
        return (claims.Encode(akp), ukp);
    }

    private enum ConnectKind { Signed, Unsigned, Empty }

    /// <summary>Go's testWSWithClaims: connects with <paramref name="headers"/>, then sends a CONNECT (with the user's
    /// JWT, signed or not, or an empty one) and PING when the INFO asks for auth; the first frame of the answer.</summary>
    private string WithClaims(NatsServer s, UserClaims? claims, ConnectKind kind, params (string, string)[] headers)
    {
        using var c = WsTestClient.Connect("127.0.0.1", s.WebsocketPort, new WsTestClientOptions { Tls = true, ExtraHeaders = headers });
        var info = JsonDocument.Parse(c.Info[5..]).RootElement;
        info.TryGetProperty("auth_required", out var ar).ShouldBeTrue("auth is required");
        ar.GetBoolean().ShouldBeTrue();
        string cs;
        if (kind == ConnectKind.Empty) cs = "CONNECT {}\r\nPING\r\n";
        else
        {
            var (jwt, ukp) = UserJwt(s, claims!);
            string sig = kind == ConnectKind.Signed
                ? $",\"sig\":\"{JwtCodec.Base64Url(ukp.Sign(Encoding.ASCII.GetBytes(info.GetProperty("nonce").GetString()!)))}\"" : "";
            cs = $"CONNECT {{\"jwt\":\"{jwt}\"{sig},\"verbose\":true,\"pedantic\":true}}\r\nPING\r\n";
        }
        c.Send(cs);
        return c.ReadFrame().Text;
    }

    private static UserClaims NewUserClaims(bool bearer = false) => new("") { BearerToken = bearer };

    [Theory, GoTest("server/websocket_test.go", "TestWSJWTWithAllowedConnectionTypes")]
    [InlineData(new[] { "STANDARD" }, "-ERR")]
    [InlineData(new[] { "STANDARD", "websocket" }, "+OK")]
    [InlineData(new[] { "WEBSOCKET", "SomeNewType" }, "+OK")]
    [InlineData(new[] { "SomeNewType" }, "-ERR")]
    public async Task JwtWithAllowedConnectionTypes(string[] connectionTypes, string expectedAnswer)
    {
        await using var s = Run();
        var nuc = NewUserClaims();
        nuc.AllowedConnectionTypes = [.. connectionTypes];
        WithClaims(s, nuc, ConnectKind.Signed).ShouldStartWith(expectedAnswer);
    }

    [Fact, GoTest("server/websocket_test.go", "TestWSJWTCookieUser")]
    public async Task JwtCookieUser()
    {
        await using var s = Run(jwtCookie: "jwt");
        // Protocol auth: a non-bearer JWT must sign the nonce, a bearer one need not.
        WithClaims(s, NewUserClaims(), ConnectKind.Signed).ShouldStartWith("+OK");
        WithClaims(s, NewUserClaims(), ConnectKind.Unsigned).ShouldStartWith("-ERR");
        WithClaims(s, NewUserClaims(bearer: true), ConnectKind.Unsigned).ShouldStartWith("+OK");
        // Cookie auth: a JWT in the cookie stands in for the one CONNECT leaves out.
        WithClaims(s, null, ConnectKind.Empty, ("Cookie", "jwt=" + UserJwt(s, NewUserClaims()).Jwt)).ShouldStartWith("-ERR");
        WithClaims(s, null, ConnectKind.Empty, ("Cookie", "jwt=" + UserJwt(s, NewUserClaims(bearer: true)).Jwt)).ShouldStartWith("+OK");
        // A JWT in CONNECT wins over the cookie's.
        WithClaims(s, NewUserClaims(bearer: true), ConnectKind.Signed, ("Cookie", "jwt=" + UserJwt(s, NewUserClaims()).Jwt)).ShouldStartWith("+OK");
    }
}
