using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>A URL resolver whose URL carries credentials: they go to the account server as basic auth (Go's HTTP
/// client does so) and the password never shows in fetch errors (Go's redactURLString).</summary>
public sealed partial class JwtTests
{
    [Fact]
    public async Task UrlResolverSendsUrlCredentialsAndRedactsThem()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        string expected = "Basic " + Convert.ToBase64String("resolver:s3cret"u8.ToArray());
        var (app, url) = await JwtHttpServerFor(req => req.Headers.Authorization.ToString() != expected ? null
            : req.Path.Value == "/A/" ? "ok" : req.Path.Value == $"/A/{akp.PublicKey}" ? ajwt : null);
        await using var _ = app;
        string withCreds = url.Replace("http://", "http://resolver:s3cret@");
        await using var s = InProcess.RunConf($"listen: 127.0.0.1:-1\noperator: {OperatorJwt}\nresolver: URL(\"{withCreds}/A/\")\n");

        // The start-up check of the base URL passed, with the credentials too.
        s.LookupOrFetchAccount(akp.PublicKey).ShouldNotBeNull("the account server wants the URL's credentials");

        var missing = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        s.LookupOrFetchAccount(missing).ShouldBeNull();
        string err = ((UrlAccountResolver)s.AccountResolver!).LastError!;
        err.ShouldBe($"could not fetch <\"{url.Replace("http://", "http://resolver:xxxxx@")}/A/{missing}\">: 404 Not Found");
        err.ShouldNotContain("s3cret");
    }
}
