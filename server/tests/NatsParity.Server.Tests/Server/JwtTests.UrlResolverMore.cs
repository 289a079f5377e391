using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>More ports of server/jwt_test.go: the URL resolver's timeouts and start-up check, and the nats-based
/// resolvers' need for a system account.</summary>
public sealed partial class JwtTests
{
    [Theory, GoTest("server/jwt_test.go", "TestJWTNoSystemAccountButNatsResolver")]
    [InlineData("full")]
    [InlineData("cache")]
    public void JwtNoSystemAccountButNatsResolver(string resType)
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-jwt-").FullName;
        string conf = InProcess.WriteConf($"listen: 127.0.0.1:-1\noperator: {OperatorJwt}\nresolver: {{\n  type: {resType}\n  dir: '{dir}'\n}}\n");
        var opts = ServerOptions.FromConfigFile(conf);
        opts.NoLog = true;
        try
        {
            Should.Throw<ArgumentException>(() => new NatsServer(opts)).Message
                .ShouldContain("the system account needs to be specified in configuration or the operator jwt");
        }
        finally
        {
            opts.AccountResolver!.Close();
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountURLResolverTimeout")]
    public async Task JwtAccountUrlResolverTimeout()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        const string basePath = "/ngs/v1/accounts/jwt/";
        var (app, url) = await JwtHttpServer(path =>
        {
            if (path == basePath) return "ok";
            // Slow on account lookups.
            Thread.Sleep(200);
            return ajwt;
        });
        await using var _ = app;
        var opts = ServerOptions.FromConfigFile(InProcess.WriteConf($"listen: 127.0.0.1:-1\nresolver: URL(\"{url}{basePath}\")\n"));
        opts.TrustedKeys = [Operator.PublicKey];
        await using var s = InProcess.Run(opts);
        // A timeout below the lookup's time.
        ((UrlAccountResolver)s.AccountResolver!).Timeout = TimeSpan.FromMilliseconds(50);
        s.LookupOrFetchAccount(akp.PublicKey).ShouldBeNull("expected to not receive an account due to timeout");
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountURLResolverNoFetchOnReload")]
    public async Task JwtAccountUrlResolverNoFetchOnReload()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        string Conf(string url) => $"operator: {OperatorJwt}\nlisten: 127.0.0.1:-1\nresolver: URL(\"{url}/ngs/v1/accounts/jwt/\")\n";

        var (app, url) = await JwtHttpServer(ajwt);
        string conf;
        NatsServer s;
        await using (app)
        {
            s = InProcess.RunConf(Conf(url), out conf);
            s.LookupOrFetchAccount(akp.PublicKey).ShouldNotBeNull("expected to receive an account");
        }

        // A new resolver server counting its fetches: the reload asks it nothing.
        int fetch = 0;
        var (app2, url2) = await JwtHttpServer(_ =>
        {
            Interlocked.Increment(ref fetch);
            return ajwt;
        });
        await using (app2)
        {
            File.WriteAllText(conf, Conf(url2));
            s.Reload().ShouldBeNull();
            Volatile.Read(ref fetch).ShouldBe(0, "fetch invoked during reload");
            await s.DisposeAsync();
        }

        // With the resolver gone, a server cannot be made.
        var opts = ServerOptions.FromConfigFile(conf);
        opts.NoLog = true;
        Should.Throw<ArgumentException>(() => new NatsServer(opts)).Message.ShouldContain("could not fetch");
    }
}

/// <summary>Port of server/reload_test.go's TestConfigReloadAccountResolverTLSConfig: reloading resolver_tls changes
/// how the URL resolver reaches its TLS account server.</summary>
public sealed partial class JwtTests
{
    [Fact, GoTest("server/reload_test.go", "TestConfigReloadAccountResolverTLSConfig")]
    public async Task ConfigReloadAccountResolverTlsConfig()
    {
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(Operator);
        using var pki = new TestPki();
        var (app, url) = await JwtHttpServer(ajwt, pki);
        await using var _ = app;
        var client = pki.Client("resolver-client", "CN=localhost");
        static string Q(string p) => "\"" + p + "\"";
        string Conf(string tls) => $"listen: -1\ntrusted_keys: {Operator.PublicKey}\nresolver: URL(\"{url}/ngs/v1/accounts/jwt/\")\n{tls}\n";

        await using var s = InProcess.RunConf(Conf(
            $"resolver_tls {{\n  cert_file: {Q(client.CertFile)}\n  key_file: {Q(client.KeyFile)}\n  ca_file: {Q(pki.CaFile)}\n}}"), out string conf);

        // Without resolver_tls the account server's certificate is not trusted.
        File.WriteAllText(conf, Conf(""));
        s.Reload().ShouldBeNull();
        s.LookupOrFetchAccount(akp.PublicKey).ShouldBeNull("expected the lookup to fail");

        // With insecure, it is not checked.
        File.WriteAllText(conf, Conf("resolver_tls {\n  insecure: true\n}"));
        s.Reload().ShouldBeNull();
        var acc = s.LookupOrFetchAccount(akp.PublicKey);
        acc.ShouldNotBeNull("expected to receive an account");
        acc.Name.ShouldBe(akp.PublicKey);
    }
}
