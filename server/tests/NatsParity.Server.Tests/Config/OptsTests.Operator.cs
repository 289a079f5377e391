using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>More ports of server/opts_test.go: baseline options and operator-mode options.</summary>
public sealed partial class OptsTests
{
    [Fact, GoTest("server/opts_test.go", "TestOptions_RandomPort")]
    public void OptionsRandomPort()
    {
        var opts = new ServerOptions { Port = ServerOptions.RandomPort };
        opts.SetBaselineOptions();
        opts.Port.ShouldBe(0, "the random port resolves to zero");
    }

    /// <summary>Go's operatorJwtWithSysAccAndUrlResolver: an operator JWT naming a system account and an account
    /// server URL.</summary>
    private const string OperatorJwtWithSysAccAndUrlResolver = """
        listen: "127.0.0.1:-1"
        operator: eyJ0eXAiOiJqd3QiLCJhbGciOiJlZDI1NTE5In0.eyJqdGkiOiJJVEdJNjNCUUszM1VNN1pBSzZWT1RXNUZEU01ESlNQU1pRQ0RMNUlLUzZQTVhBU0ROQ01RIiwiaWF0IjoxNTg5ODM5MjA1LCJpc3MiOiJPQ1k2REUyRVRTTjNVT0RGVFlFWEJaTFFMSTdYNEdTWFI1NE5aQzRCQkxJNlFDVFpVVDY1T0lWTiIsIm5hbWUiOiJPUCIsInN1YiI6Ik9DWTZERTJFVFNOM1VPREZUWUVYQlpMUUxJN1g0R1NYUjU0TlpDNEJCTEk2UUNUWlVUNjVPSVZOIiwidHlwZSI6Im9wZXJhdG9yIiwibmF0cyI6eyJhY2NvdW50X3NlcnZlcl91cmwiOiJodHRwOi8vbG9jYWxob3N0OjgwMDAvand0L3YxIiwib3BlcmF0b3Jfc2VydmljZV91cmxzIjpbIm5hdHM6Ly9sb2NhbGhvc3Q6NDIyMiJdLCJzeXN0ZW1fYWNjb3VudCI6IkFEWjU0N0IyNFdIUExXT0s3VE1MTkJTQTdGUUZYUjZVTTJOWjRISE5JQjdSREZWWlFGT1o0R1FRIn19.3u710KqMLwgXwsMvhxfEp9xzK84XyAZ-4dd6QY0T6hGj8Bw9mS-HcQ7HbvDDNU01S61tNFfpma_JR6LtB3ixBg
        """;

    [Fact, GoTest("server/opts_test.go", "TestReadOperatorJWT")]
    public void ReadOperatorJwt()
    {
        var opts = ProcessOk(ConfFile(OperatorJwtWithSysAccAndUrlResolver));
        opts.SystemAccount.ShouldBe("ADZ547B24WHPLWOK7TMLNBSA7FQFXR6UM2NZ4HHNIB7RDFVZQFOZ4GQQ");
        opts.AccountResolver.ShouldBeOfType<UrlAccountResolver>().Url.ShouldBe("http://localhost:8000/jwt/v1/accounts/");
    }

    [Fact, GoTest("server/opts_test.go", "TestResolverPinnedAccountsFail")]
    public void ResolverPinnedAccountsFail()
    {
        string ojwt = new OperatorClaims(JwtCreds.Operator.PublicKey).Encode(JwtCreds.Operator);
        string Conf(string pinned) => $"operator: {ojwt}\nresolver: URL(foo.bar)\nresolver_pinned_accounts: [{pinned}]\n";

        var opts = ServerOptions.FromConfigFile(ConfFile(Conf("f")));
        opts.NoLog = true;
        Should.Throw<ArgumentException>(() => new NatsServer(opts)).Message.ShouldContain(" is not a valid public account nkey");

        ProcessFails(ConfFile(Conf("1, x")), "parsing resolver_pinned_accounts: unsupported type");
    }
}
