using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Ocsp;

/// <summary>tls { ocsp_peer } and ocsp_cache as Go's parseOCSPPeer and parseOCSPResponseCache read them.</summary>
public sealed class OcspConfigTests
{
    private static ServerOptions Parse(string conf) => ServerOptions.FromConfigFile(InProcess.WriteConf(conf));

    [Fact]
    public void OcspPeerLongFormSetsEveryOption()
    {
        var o = Parse("tls { verify: true\n ocsp_peer: { verify: true, ca_timeout: 0.5, allowed_clockskew: \"1m\", warn_only: true,"
            + " unknown_is_good: true, allow_when_ca_unreachable: true, cache_ttl_when_next_update_unset: 7 } }\n");
        o.TlsOcspPeer.ShouldBe(new OcspPeerConfig
        {
            Verify = true, Timeout = TimeSpan.FromSeconds(0.5), ClockSkew = TimeSpan.FromMinutes(1), WarnOnly = true,
            UnknownIsGood = true, AllowWhenCaUnreachable = true, TtlUnsetNextUpdate = TimeSpan.FromSeconds(7),
        });
        // The short form takes Go's defaults; a negative duration leaves the default in place.
        Parse("tls { ocsp_peer: true }\n").TlsOcspPeer.ShouldBe(new OcspPeerConfig { Verify = true });
        Parse("tls { ocsp_peer: { verify: true, ca_timeout: -1 } }\n").TlsOcspPeer!.Timeout.ShouldBe(OcspPeerConfig.DefaultTimeout);
    }

    [Theory]
    [InlineData("tls { ocsp_peer: { bogus: true } }", "error parsing tls peer config, unknown field [\"bogus\"]")]
    [InlineData("tls { ocsp_peer: { warn_only: 1 } }", "error parsing tls peer config, unknown field [\"warn_only\"]")]
    [InlineData("tls { ocsp_peer: { allowed_clockskew: \"x\" } }", "error parsing tls peer config, conversion error: unexpected type")]
    [InlineData("tls { ocsp_peer: { ca_timeout: \"x\" } }", "error parsing tls peer config, conversion error: time: invalid duration \"x\"")]
    [InlineData("tls { ocsp_peer: \"yes\" }", "error parsing ocsp peer config: unsupported type string")]
    [InlineData("ocsp_cache: { type: remote }", "error parsing OCSP peer cache config, unknown type [remote]")]
    [InlineData("ocsp_cache: { bogus: 1 }", "error parsing OCSP peer cache config, unknown field [\"bogus\"]")]
    public void BadOcspSettingsAreRefused(string conf, string error) =>
        Should.Throw<ConfigProcessException>(() => Parse(conf + "\n")).Message.TrimEnd().ShouldEndWith(": " + error);

    [Fact]
    public void OcspCacheForms()
    {
        Parse("ocsp_cache: false\n").OcspCache!.Type.ShouldBe(OcspResponseCacheType.None);
        Parse("ocsp_cache: true\n").OcspCache.ShouldBe(new OcspResponseCacheConfig());
        var c = Parse("ocsp_cache: { type: local, local_store: \"/tmp/x\", preserve_revoked: true, save_interval: 0.2 }\n").OcspCache!;
        // Go truncates save_interval to whole seconds, at least one.
        c.ShouldBe(new OcspResponseCacheConfig { LocalStore = "/tmp/x", PreserveRevoked = true, SaveInterval = TimeSpan.FromSeconds(1) });
    }

    [Fact]
    public void OcspPeerRequiresClientCertificateVerification()
    {
        using var pki = new TestPki();
        var o = Parse(pki.TlsBlock("ocsp_peer: true"));
        o.Host = "127.0.0.1";
        o.NoLog = true;
        Should.Throw<ArgumentException>(() => new NatsServer(o))
            .Message.ShouldBe("OCSP peer verification for client connections requires TLS verify (mTLS) to be enabled");
    }
}
