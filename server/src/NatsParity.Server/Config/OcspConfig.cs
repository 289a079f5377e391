namespace NatsParity.Server.Config;

/// <summary>Go's certidp.OCSPPeerConfig: how a peer's certificate chain is checked against its CA's OCSP responder.</summary>
public sealed record OcspPeerConfig
{
    public static readonly TimeSpan DefaultClockSkew = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan DefaultTtlUnsetNextUpdate = TimeSpan.FromHours(1);

    public bool Verify { get; set; }
    /// <summary>ca_timeout: the deadline of one responder request.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;
    /// <summary>allowed_clockskew: tolerance on the response's thisUpdate/nextUpdate.</summary>
    public TimeSpan ClockSkew { get; set; } = DefaultClockSkew;
    public bool WarnOnly { get; set; }
    public bool UnknownIsGood { get; set; }
    public bool AllowWhenCaUnreachable { get; set; }
    /// <summary>cache_ttl_when_next_update_unset: how long after thisUpdate a response without nextUpdate stays current.</summary>
    public TimeSpan TtlUnsetNextUpdate { get; set; } = DefaultTtlUnsetNextUpdate;
}

public enum OcspResponseCacheType { None = 1, Local }

/// <summary>Go's OCSPResponseCacheConfig (ocsp_cache).</summary>
public sealed record OcspResponseCacheConfig
{
    public const string DefaultDir = "_rc_";
    public static readonly TimeSpan MinimumSaveInterval = TimeSpan.FromSeconds(1);

    public OcspResponseCacheType Type { get; set; } = OcspResponseCacheType.Local;
    public string LocalStore { get; set; } = DefaultDir;
    public bool PreserveRevoked { get; set; }
    public TimeSpan SaveInterval { get; set; } = TimeSpan.FromMinutes(5);
}
