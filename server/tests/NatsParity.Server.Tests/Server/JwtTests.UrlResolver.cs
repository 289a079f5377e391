using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/jwt_test.go and events_test.go with the URL account resolver: an HTTP(S) server the test
/// runs hands out account JWTs.</summary>
public sealed partial class JwtTests
{
    /// <summary>Go's httptest server answering every request with <paramref name="body"/> (over TLS with the PKI's
    /// server certificate when given); its base URL.</summary>
    private static Task<(WebApplication App, string Url)> JwtHttpServer(string body, TestPki? tls = null) => JwtHttpServer(_ => body, tls);

    /// <summary>Go's httptest server answering each path with what <paramref name="route"/> gives (404 for null).</summary>
    private static Task<(WebApplication App, string Url)> JwtHttpServer(Func<string, string?> route, TestPki? tls = null) =>
        JwtHttpServerFor(req => route(req.Path.Value ?? ""), tls);

    /// <summary>As <see cref="JwtHttpServer(Func{string, string?}, TestPki?)"/>, the route seeing the whole request.</summary>
    private static async Task<(WebApplication App, string Url)> JwtHttpServerFor(Func<HttpRequest, string?> route, TestPki? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, lo =>
        {
            if (tls is not null)
                lo.UseHttps(System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(tls.ServerCertFile, tls.ServerKeyFile));
        }));
        var app = builder.Build();
        app.Run(ctx =>
        {
            if (route(ctx.Request) is { } body) return ctx.Response.WriteAsync(body);
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        string addr = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, addr.Replace("127.0.0.1", "localhost"));
    }

    [Theory, GoTest("server/jwt_test.go", "TestJWTAccountURLResolver")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task JwtAccountUrlResolver(bool useTls)
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        using var pki = new TestPki();
        var (app, url) = await JwtHttpServer(ajwt, useTls ? pki : null);
        await using var _ = app;
        var client = pki.Client("resolver-client", "CN=localhost");
        static string Q(string p) => "\"" + p + "\"";
        string conf = InProcess.WriteConf($$"""
            operator: {{OperatorJwt}}
            listen: 127.0.0.1:-1
            resolver: URL("{{url}}/ngs/v1/accounts/jwt/")
            resolver_tls {
              cert_file: {{Q(client.CertFile)}}
              key_file: {{Q(client.KeyFile)}}
              ca_file: {{Q(pki.CaFile)}}
            }
            """);
        await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
        var acc = s.LookupOrFetchAccount(akp.PublicKey);
        acc.ShouldNotBeNull("expected to receive an account");
        acc.Name.ShouldBe(akp.PublicKey);
    }

    [Fact, GoTest("server/events_test.go", "TestSystemAccountFromConfig")]
    public async Task SystemAccountFromConfig()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        var (app, url) = await JwtHttpServer(ajwt);
        await using var _ = app;
        string conf = InProcess.WriteConf($"listen: -1\ntrusted: {Operator.PublicKey}\nsystem_account: {akp.PublicKey}\nresolver: URL(\"{url}/jwt/v1/accounts/\")\n");
        await using var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
        s.SystemAccount.ShouldNotBeNull();
        s.SystemAccount.Name.ShouldBe(akp.PublicKey);
        // The system account is the one the resolver gave.
        s.SystemAccount.Claims.ShouldNotBeNull();
    }
}
