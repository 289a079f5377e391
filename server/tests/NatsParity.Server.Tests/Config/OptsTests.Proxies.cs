using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Ports of server/opts_test.go for trusted proxies: proxies {} and proxy_required.</summary>
public sealed partial class OptsTests
{
    private const string ProxyKey1 = "UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3";
    private const string ProxyKey2 = "UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI";

    [Fact, GoTest("server/opts_test.go", "TestOptionsProxyTrustedKeys")]
    public async Task OptionsProxyTrustedKeys()
    {
        var o = new ServerOptions
        {
            Proxies = new ProxiesConfig
            {
                Trusted = [new() { Key = ProxyKey1 }, new() { Key = "bad1" }, new() { Key = ProxyKey2 }, new() { Key = "bad2" }],
            },
        };
        o.Validate().ShouldBe("proxy trusted key \"bad1\" is invalid");

        o.Proxies = new ProxiesConfig { Trusted = [new() { Key = ProxyKey1 }, new() { Key = ProxyKey2 }] };
        await using var s = InProcess.Run(o);
        var keys = s.ProxyKeys;
        keys.Count.ShouldBe(s.Options.Proxies!.Trusted.Count);
        for (int i = 0; i < keys.Count; i++) keys[i].ShouldBe(s.Options.Proxies.Trusted[i].Key);
    }

    /// <summary>The client-port part of Go's TestOptionsProxyRequired: proxy_required on the single user, on users and
    /// nkeys, and on an account's users. Go's test also checks leafnodes { authorization { proxy_required } }, which
    /// this server does not have, so this is not a port of it.</summary>
    [Fact]
    public void OptionsProxyRequiredForClients()
    {
        var o = ProcessOk(ConfFile("""
            port: -1
            authorization {
                user: user
                password: pwd
                proxy_required: true
            }
            """));
        o.Username.ShouldBe("user");
        o.Password.ShouldBe("pwd");
        o.ProxyRequired.ShouldBeTrue();

        void CheckUsersAndNkeys(ServerOptions opts)
        {
            opts.Users.ShouldNotBeNull();
            opts.Users.Count.ShouldBe(3);
            opts.Users.Single(u => u.Username == "user1").ProxyRequired.ShouldBeFalse();
            opts.Users.Single(u => u.Username == "user2").ProxyRequired.ShouldBeTrue();
            opts.Users.Single(u => u.Username == "user3").ProxyRequired.ShouldBeFalse();
            opts.Nkeys.ShouldNotBeNull();
            opts.Nkeys.Count.ShouldBe(2);
            opts.Nkeys.Single(u => u.Nkey == ProxyKey1).ProxyRequired.ShouldBeTrue();
            opts.Nkeys.Single(u => u.Nkey == ProxyKey2).ProxyRequired.ShouldBeFalse();
        }
        const string users = $$"""
            users: [
                {user: user1, password: pwd1}
                {user: user2, password: pwd2, proxy_required: true}
                {user: user3, password: pwd3, proxy_required: false}
                {nkey: "{{ProxyKey1}}", proxy_required: true}
                {nkey: "{{ProxyKey2}}", proxy_required: false}
            ]
            """;
        CheckUsersAndNkeys(ProcessOk(ConfFile($"port: -1\nauthorization {{\n{users}\n}}\n")));

        o = ProcessOk(ConfFile($"port: -1\naccounts {{\nA {{\n{users}\n}}\n}}\n"));
        o.Accounts.Count.ShouldBe(1);
        o.Accounts[0].Name.ShouldBe("A");
        CheckUsersAndNkeys(o);
    }

    /// <summary>The trusted proxies and proxy_required cases of Go's TestConfigCheck (server/config_check_test.go) that
    /// are not about leafnodes, with Go's configs verbatim: each error and where it is reported. The Go test is one
    /// table over every option, so this is not a port of it.</summary>
    [Theory]
    [InlineData("Proxies wrong type", "\n\t\t\t\tport: -1\n\t\t\t\tproxies: 123\n\t\t\t", "expected proxies to be a map/struct, got int64", 3, 5)]
    [InlineData("Proxies unknown field", "\n\t\t\t\tport: -1\n\t\t\t\tproxies: {\n\t\t\t\t\tfield1: 123\n\t\t\t\t}\n\t\t\t", "unknown field", 4, 6)]
    [InlineData("Proxies trusted wrong type", "\n\t\t\t\tport: -1\n\t\t\t\tproxies: {\n\t\t\t\t\ttrusted: 123\n\t\t\t\t}\n\t\t\t", "expected proxies' trusted field to be an array, got int64", 4, 6)]
    [InlineData("Proxies trusted key wrong type", "\n\t\t\t\tport: -1\n\t\t\t\tproxies: {\n\t\t\t\t\ttrusted: [\n\t\t\t\t\t\t\"abc\",\n\t\t\t\t\t\t\"def\"\n\t\t\t\t\t]\n\t\t\t\t}\n\t\t\t", "expected proxies' trusted entry to be a map/struct, got string", 5, 8)]
    [InlineData("Proxies trusted unknown field", "\n\t\t\t\tport: -1\n\t\t\t\tproxies: {\n\t\t\t\t\ttrusted: [\n\t\t\t\t\t\t{\n\t\t\t\t\t\t\tkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n\t\t\t\t\t\t\tfield1: 123\n\t\t\t\t\t\t}\n\t\t\t\t\t]\n\t\t\t\t}\n\t\t\t", "unknown field", 7, 8)]
    [InlineData("Proxies trusted key invalid", "\n\t\t\t\tport: -1\n\t\t\t\tproxies: {\n\t\t\t\t\ttrusted: [\n\t\t\t\t\t\t{key: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"}\n\t\t\t\t\t\t{key: \"bad1\"}\n\t\t\t\t\t\t{key: \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\"}\n\t\t\t\t\t\t{key: \"bad2\"}\n\t\t\t\t\t]\n\t\t\t\t}\n\t\t\t", "invalid proxy key", 6, 8)]
    [InlineData("Auth user require proxied wrong type", "\n\t\t\t\tport: -1\n\t\t\t\tauthorization {\n\t\t\t\t\tuser: user\n\t\t\t\t\tpassword: pwd\n\t\t\t\t\tproxy_required: 123\n\t\t\t\t}\n\t\t\t", "interface conversion", 6, 6)]
    [InlineData("Auth users require proxied wrong type", "\n\t\t\t\tport: -1\n\t\t\t\tauthorization {\n\t\t\t\t\tusers: [\n\t\t\t\t\t\t{\n\t\t\t\t\t\t\tuser: user\n\t\t\t\t\t\t\tpassword: pwd\n\t\t\t\t\t\t\tproxy_required: 123\n\t\t\t\t\t\t}\n\t\t\t\t\t]\n\t\t\t\t}\n\t\t\t", "interface conversion", 8, 8)]
    [InlineData("Auth nkey users require proxied wrong type", "\n\t\t\t\tport: -1\n\t\t\t\tauthorization {\n\t\t\t\t\tusers: [\n\t\t\t\t\t\t{\n\t\t\t\t\t\t\tnkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n\t\t\t\t\t\t\tproxy_required: 123\n\t\t\t\t\t\t}\n\t\t\t\t\t]\n\t\t\t\t}\n\t\t\t", "interface conversion", 7, 8)]
    [InlineData("Account users require proxied wrong type", "\n\t\t\t\tport: -1\n\t\t\t\taccounts {\n\t\t\t\t\tA: {\n\t\t\t\t\t\tusers: [\n\t\t\t\t\t\t\t{\n\t\t\t\t\t\t\t\tuser: user\n\t\t\t\t\t\t\t\tpassword: pwd\n\t\t\t\t\t\t\t\tproxy_required: 123\n\t\t\t\t\t\t\t}\n\t\t\t\t\t\t]\n\t\t\t\t\t}\n\t\t\t\t}\n\t\t\t", "interface conversion", 9, 9)]
    [InlineData("Account nkey users require proxied wrong type", "\n\t\t\t\tport: -1\n\t\t\t\taccounts {\n\t\t\t\t\tA: {\n\t\t\t\t\t\tusers: [\n\t\t\t\t\t\t\t{\n\t\t\t\t\t\t\t\tnkey: \"UCARKS2E3KVB7YORL2DG34XLT7PUCOL2SVM7YXV6ETHLW6Z46UUJ2VZ3\"\n\t\t\t\t\t\t\t\tproxy_required: 123\n\t\t\t\t\t\t\t}\n\t\t\t\t\t\t]\n\t\t\t\t\t}\n\t\t\t\t}\n\t\t\t", "interface conversion", 8, 9)]
    public void ConfigCheckProxies(string name, string conf, string error, int line, int pos)
    {
        string path = ConfFile(conf);
        var (_, err) = Process(path);
        err.ShouldNotBeNull(name);
        err.Message.ShouldContain($"{path}:{line}:{pos}: {error}", customMessage: name);
    }
}
