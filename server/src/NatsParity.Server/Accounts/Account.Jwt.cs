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
    public string Issuer => Claims?.Issuer ?? _bootstrapIssuer;

    private string _bootstrapIssuer = "";

    /// <summary>Go's bootstrapping system account: until its JWT arrives, the system account is trusted as issued by
    /// the operator and signs its own users.</summary>
    internal void Bootstrap(string issuer)
    {
        _bootstrapIssuer = issuer;
        SigningKeys = new Dictionary<string, UserScope?>(StringComparer.Ordinal) { [Name] = null };
    }

    /// <summary>Go's acc.extAuth: the account's external authorization (auth callout), null when it has none.</summary>
    internal ExternalAuthorization? ExternalAuth { get; private set; }

    /// <summary>Go's isExternalAuthUser: one of the users that run the account's callout service.</summary>
    internal bool IsExternalAuthUser(string userId) => ExternalAuth?.AuthUsers.Contains(userId) == true;

    /// <summary>Go's isAllowedAcount: the callout may place users in <paramref name="acc"/> (a lone "*" allows any).</summary>
    internal bool IsAllowedAccount(string acc) => ExternalAuth is { } ea
        && (ea.AllowedAccounts is [ExternalAuthorization.AnyAccount] || ea.AllowedAccounts.Contains(acc));

    /// <summary>An account users may authenticate against: one from a JWT, or the bootstrapping system account.</summary>
    internal bool IsJwtAccount => Claims is not null || _bootstrapIssuer.Length > 0;

    /// <summary>Go's removeCb: the account's JWT was deleted; nothing more may connect, subscribe or publish, and its
    /// clients are disconnected as when it expires.</summary>
    internal void DisableForRemoval()
    {
        MaxSubscriptions = 0;
        MaxPayload = 0;
        MaxConnections = 0;
        MaxLeafNodes = 0;
        ExpiredTimeout();
        _expirationTimer?.Dispose();
        _expirationTimer = null;
    }

    /// <summary>Go's UpdateAccountClaims for one node: the account's limits and default permissions from its claims.</summary>
    internal void ApplyClaims(AccountClaims claims, string jwt)
    {
        Claims = claims;
        // Go's UpdateAccountClaims leaves claimJWT alone; only a fetch or a JWT update sets it.
        if (jwt.Length > 0) ClaimJwt = jwt;
        // Go: the account's own key signs users too, unless its operator's signing key that signed it is strict.
        var keys = new Dictionary<string, UserScope?>(StringComparer.Ordinal);
        foreach (var k in claims.SigningKeys) keys[k] = claims.Scopes.GetValueOrDefault(k);
        if (Server?.IsStrictSigningKey(claims.Issuer) != true) keys[Name] = null;
        SigningKeys = keys;
        static int Limit(long v) => v < 0 ? NoLimit : (int)Math.Min(v, int.MaxValue);
        MaxConnections = Limit(claims.Limits.Conn);
        MaxSubscriptions = Limit(claims.Limits.Subs);
        MaxPayload = Limit(claims.Limits.Payload);
        MaxLeafNodes = Limit(claims.Limits.LeafNodeConn);
        DefaultPermissions = claims.DefaultPermissions.ToServer();
        ExternalAuth = claims.HasExternalAuthorization ? new ExternalAuthorization
        {
            AuthUsers = [.. claims.Authorization.AuthUsers], AllowedAccounts = [.. claims.Authorization.AllowedAccounts],
            XKey = claims.Authorization.XKey,
        } : null;
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

    /// <summary>Go's hasIssuer: the account itself (unless strict) or one of its signing keys signed a user JWT.</summary>
    internal bool HasIssuer(string issuer) => IsJwtAccount ? SigningKeys.ContainsKey(issuer) : issuer == Name;

    /// <summary>Go's hasIssuer with the scope: whether <paramref name="issuer"/> may sign the account's users, and its
    /// user scope when it is a scoped signing key.</summary>
    internal bool HasIssuer(string issuer, out UserScope? scope) => SigningKeys.TryGetValue(issuer, out scope);

    /// <summary>The keys that sign the account's users, with their scopes (Go's acc.signingKeys).</summary>
    internal Dictionary<string, UserScope?> SigningKeys { get; private set; } = new(StringComparer.Ordinal);

    /// <summary>Go's acc.nameTag: the name in the account's claims.</summary>
    internal string NameTag => Claims?.Name ?? "";

    /// <summary>Go's getNameTag: the JWT's name, else the account's own name.</summary>
    internal string NameTagOrName => NameTag.Length > 0 ? NameTag : Name;

    /// <summary>Go's traceLabel: the name, with the claims' name when there is one.</summary>
    internal string TraceLabel => NameTag.Length > 0 ? $"{Name}/{NameTag}" : Name;

    /// <summary>Go's acc.incomplete: some import of the claims could not be made (its exporter missing or not
    /// allowing it); the account is refreshed when that exporter is updated.</summary>
    internal volatile bool Incomplete;

    /// <summary>Serializes replacing the account's exports and imports from its claims.</summary>
    internal readonly object ClaimsUpdateLock = new();

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
