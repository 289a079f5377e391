using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/trust_test.go: trusted operator keys from the options and from the conf.</summary>
public sealed class TrustTests
{
    // Go's t1 and t2: two operator public keys.
    private static readonly string T1 = Auth.NKeyPair.Create(Auth.NKeys.PrefixOperator).PublicKey;
    private static readonly string T2 = Auth.NKeyPair.Create(Auth.NKeys.PrefixOperator).PublicKey;

    private static NatsServer New(ServerOptions o)
    {
        o.NoLog = true;
        o.Port = ServerOptions.RandomPort;
        return new NatsServer(o);
    }

    [Fact, GoTest("server/trust_test.go", "TestTrustedKeysOptions")]
    public async Task TrustedKeysOptions()
    {
        Should.Throw<ArgumentException>(() => New(new ServerOptions { TrustedKeys = ["bad"] }), "a bad trusted key refuses the server");

        await using (var s = New(new ServerOptions { TrustedKeys = [T1] }))
            s.TrustedKeys.ShouldBe([T1], "trusted nkeys not set up properly via options");

        await using (var s = New(new ServerOptions { TrustedKeys = [T1, T2] }))
            s.TrustedKeys.ShouldBe([T1, T2], "trusted nkeys not set up properly via options");
    }

    [Fact, GoTest("server/trust_test.go", "TestTrustConfigOption")]
    public void TrustConfigOption()
    {
        var opts = ServerOptions.FromConfigFile(InProcess.WriteConf($"trusted = \"{T1}\""));
        opts.TrustedKeys.ShouldBe([T1]);

        opts = ServerOptions.FromConfigFile(InProcess.WriteConf($"trusted = [\"{T1}\", \"{T2}\"]"));
        opts.TrustedKeys.ShouldBe([T1, T2]);

        // A bad key.
        Should.Throw<ConfigProcessException>(() => ServerOptions.FromConfigFile(InProcess.WriteConf($"trusted = [\"{T1}\", \"bad\"]")))
            .Message.ShouldContain("trust key \"bad\" required to be a valid public operator nkey");
    }
}
