using NatsParity.Server.Auth.Jwt;

namespace NatsParity.Server.Accounts;

/// <summary>An account defined by a JWT (operator mode): its claims, who signed them, and the user rules they carry.</summary>
public sealed partial class Account
{
    /// <summary>The account's decoded claims, or null for an account from the conf file.</summary>
    public AccountClaims? Claims { get; private set; }
    /// <summary>The JWT the claims came from.</summary>
    public string ClaimJwt { get; private set; } = "";
    /// <summary>Who signed the account JWT (Go's acc.Issuer): the operator or one of its signing keys.</summary>
    public string Issuer => Claims?.Issuer ?? "";

    /// <summary>Go's UpdateAccountClaims for one node: the account's limits and default permissions from its claims.</summary>
    internal void ApplyClaims(AccountClaims claims, string jwt)
    {
        Claims = claims;
        ClaimJwt = jwt;
        SigningKeys = new HashSet<string>(claims.SigningKeys, StringComparer.Ordinal);
        static int Limit(long v) => v < 0 ? NoLimit : (int)Math.Min(v, int.MaxValue);
        MaxConnections = Limit(claims.Limits.Conn);
        MaxSubscriptions = Limit(claims.Limits.Subs);
        MaxPayload = Limit(claims.Limits.Payload);
        MaxLeafNodes = Limit(claims.Limits.LeafNodeConn);
        DefaultPermissions = claims.DefaultPermissions.ToServer();
        _expired = false;
        _expirationTimer?.Dispose();
        _expirationTimer = null;
        if (claims.Expires > 0) _expirationTimer = new DeadlineTimer(DateTimeOffset.FromUnixTimeSeconds(claims.Expires), ExpiredTimeout);
    }

    private DeadlineTimer? _expirationTimer;

    /// <summary>Go's expiredTimeout: the account's clients are told and disconnected.</summary>
    private void ExpiredTimeout()
    {
        _expired = true;
        foreach (var c in ClientsSnapshot()) c.AccountAuthExpired();
    }

    /// <summary>Go's hasIssuer: the account itself or one of its signing keys signed a user JWT.</summary>
    internal bool HasIssuer(string issuer) => issuer == Name || SigningKeys.Contains(issuer);

    /// <summary>The signing keys of the claims last applied (a copy, as Go's acc.signingKeys).</summary>
    internal HashSet<string> SigningKeys { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Go's IsExpired; set as Go's acc.expired (tests mark an account expired without its timer).</summary>
    public bool IsExpired
    {
        get => _expired || (Claims is { } c && c.IsExpired(DateTimeOffset.UtcNow));
        internal set => _expired = value;
    }

    private volatile bool _expired;

    /// <summary>Go's checkUserRevoked: the user (or every user, "*") was revoked at or after the JWT was issued.</summary>
    internal bool CheckUserRevoked(string user, long issuedAt)
    {
        var rev = Claims?.Revocations;
        if (rev is not { Count: > 0 }) return false;
        if (rev.TryGetValue(user, out long t) && t >= issuedAt) return true;
        return rev.TryGetValue("*", out long all) && all >= issuedAt;
    }
}
