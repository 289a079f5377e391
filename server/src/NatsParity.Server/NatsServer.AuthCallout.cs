using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Clients;

namespace NatsParity.Server;

/// <summary>Auth callout (Go's auth_callout.go): a client the server cannot authorize itself is described in a signed
/// authorization request sent to $SYS.REQ.USER.AUTH in the callout account; the service answers with a signed response
/// carrying a user JWT (or an error) that decides the client's account, permissions and expiry.</summary>
public sealed partial class NatsServer
{
    public const string AuthCalloutSubject = "$SYS.REQ.USER.AUTH";
    public const string AuthRequestSubject = "nats-authorization-request";
    public const string AuthRequestXKeyHeader = "Nats-Server-Xkey";

    /// <summary>Go's titleCase: the first rune upper-cased.</summary>
    internal static string TitleCase(string m)
    {
        if (m.Length == 0) return "";
        var r = System.Globalization.StringInfo.GetNextTextElementLength(m);
        return m[..r].ToUpperInvariant() + m[r..];
    }

    /// <summary>Go's deferred callout step of processClientOrLeafAuthentication: decides whether the client goes to the
    /// callout service (config mode: every account, or the allowed ones, except the auth users; operator mode: an
    /// account JWT with external authorization, except its auth users), then adds the auth subject deny for users in
    /// the callout account, or sends the account auth error event.</summary>
    private bool AuthCalloutStep(ClientConnection c, bool authorized, UserClaims? juc, Account? jwtAcc, string ujwt, bool proxyRequired,
        bool trustedProxy)
    {
        string reason = AuthErrClosedState(c.AuthError).Text();
        var ac = Options.AuthCallout;
        void Failed(Account? acc)
        {
            if (!authorized) Events?.AccountAuthErrorEvent(c, acc ?? c.Account, reason);
        }
        if (juc is null && ac is null)
        {
            Failed(c.Account);
            return authorized;
        }
        if (juc is not null && jwtAcc?.ExternalAuth is null)
        {
            Failed(c.Account);
            return authorized;
        }
        if (juc is null && ac is not null && c.Account.Name != Account.GlobalName)
        {
            bool delegated = ac.AllowedAccounts.Count == 0 || ac.AllowedAccounts.Contains(c.Account.Name);
            if (!delegated)
            {
                Failed(c.Account);
                return authorized;
            }
        }
        string userId = c.RawAuthUser;
        bool skip = juc is not null ? jwtAcc!.IsExternalAuthUser(userId) : ac!.AuthUsers.Contains(userId);
        if (!skip) (authorized, reason) = ProcessClientCallout(c, ujwt, proxyRequired, trustedProxy);
        if (authorized)
        {
            string authAccountName = juc is null && ac is not null ? ac.Account : jwtAcc?.Name ?? "";
            if (c.Account.Name == authAccountName) c.MergeDenyPublish(AuthCalloutSubject);
        }
        else
        {
            var acc = jwtAcc ?? (ac is not null ? LookupAccount(ac.Account) : null);
            if (acc is not null) Events?.AccountAuthErrorEvent(c, acc, reason);
        }
        return authorized;
    }

    /// <summary>Go's processClientOrLeafCallout: sends the request and waits (auth timeout) for the response, which
    /// registers the user; the reason is empty when authorized or when no response came in time.</summary>
    private (bool Authorized, string Reason) ProcessClientCallout(ClientConnection c, string ujwt, bool proxyRequired, bool trustedProxy)
    {
        bool operatorMode = _trustedKeys is not null;
        var opts = Options.AuthCallout;
        Account? acc;
        string errStr;
        if (!operatorMode && opts is not null && opts.Account.Length > 0)
        {
            acc = LookupOrFetchAccount(opts.Account);
            if (acc is null)
            {
                errStr = $"No valid account \"{opts.Account}\" for auth callout request: account missing";
                Logger.Warn(errStr);
                return (false, errStr);
            }
        }
        else
        {
            acc = c.Account;
        }

        string pubAccXKey = !operatorMode && opts is not null ? opts.XKey : operatorMode ? acc.ExternalAuth?.XKey ?? "" : "";
        var xkp = pubAccXKey.Length > 0 ? _xkp : null;

        // A fresh user key the response must name, against replays.
        var ukp = NKeyPair.Create(NKeys.PrefixUser);
        string pub = ukp.PublicKey;

        if (Events is not { } events)
        {
            errStr = "Error sending authorization request: system account not setup";
            Logger.Debug(errStr);
            return (false, errStr);
        }
        string reply = events.NewRespInbox();
        var respCh = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        UserClaims DecodeResponse(byte[] msg, Account racc)
        {
            string account = racc.Name;
            if (msg.Length == 0) throw new CalloutException($"auth callout violation: \"no reason supplied\" on account \"{account}\"");
            bool encrypted = false;
            // An encrypted request may get an encrypted response; a JWT starts with "eyJ".
            if (xkp is not null && !msg.AsSpan().StartsWith("eyJ"u8))
            {
                msg = xkp.Open(msg, pubAccXKey, out var openError)
                    ?? throw new CalloutException($"error decrypting auth callout response on account \"{account}\": {openError}");
                encrypted = true;
            }
            AuthorizationResponseClaims cr;
            try { cr = AuthorizationResponseClaims.Decode(Encoding.UTF8.GetString(msg)); }
            catch (JwtException e) { throw new CalloutException(e.Message); }
            if (cr.Validate(DateTimeOffset.UtcNow) is { } issue)
                throw new CalloutException($"authorization response had validation errors: {issue}");
            if (cr.Subject != pub) throw new CalloutException("auth callout violation: auth callout response is not for expected user");
            if (cr.Audience != ServerId) throw new CalloutException("auth callout violation: auth callout response is not for server");
            if (cr.Error.Length > 0) throw new CalloutException($"auth callout service returned an error: {cr.Error}");
            if (operatorMode && !encrypted)
            {
                string pkStr = cr.IssuerAccount.Length > 0 ? cr.IssuerAccount : cr.Issuer;
                if (pkStr != account && !racc.HasIssuer(pkStr, out _)) throw new CalloutException("auth callout signing key is unknown");
            }
            try { return UserClaims.Decode(cr.Jwt); }
            catch (JwtException e) { throw new CalloutException(e.Message); }
        }

        string GetIssuerAccount(UserClaims arc, string account)
        {
            string issuer = opts is not null ? opts.Issuer : acc.Name;
            string jwtIssuer = arc.Issuer;
            if (arc.IssuerAccount.Length > 0)
            {
                if (!operatorMode)
                    throw new CalloutException($"error non operator mode account \"{account}\": attempted to use issuer_account");
                jwtIssuer = arc.IssuerAccount;
            }
            if (jwtIssuer != issuer)
            {
                if (!operatorMode)
                    throw new CalloutException($"wrong issuer for auth callout response on account \"{account}\", expected \"{issuer}\" got \"{jwtIssuer}\"");
                if (!acc.IsAllowedAccount(jwtIssuer))
                    throw new CalloutException($"account \"{arc.Issuer}\" not permitted as valid account option for auth callout for account \"{account}\"");
            }
            return jwtIssuer;
        }

        (TimeSpan, HashSet<string>?) GetExpirationAndAllowedConnections(UserClaims arc, string account)
        {
            var (allowNow, expiration) = ValidateTimes(arc, DateTimeOffset.UtcNow);
            if (!allowNow)
            {
                Logger.Error($"{c} - Outside connect times");
                throw new CalloutException($"authorized user on account \"{account}\" outside of valid connect times");
            }
            HashSet<string>? allowed = null;
            if (arc.AllowedConnectionTypes.Count > 0)
            {
                var (types, err) = ConnectionTypes.Convert(arc.AllowedConnectionTypes);
                if (err is not null)
                {
                    c.Debug(err);
                    if (types.Count == 0) throw new CalloutException($"authorized user on account \"{account}\" using invalid connection type");
                }
                allowed = types;
            }
            return (expiration, allowed);
        }

        Account AssignAccountAndPermissions(UserClaims arc, string account)
        {
            string issuerAccount = GetIssuerAccount(arc, account);
            // Outside operator mode the user JWT's audience places the user.
            string placement = operatorMode ? issuerAccount : arc.Audience;
            var targetAcc = LookupOrFetchAccount(placement)
                ?? throw new CalloutException($"no valid account \"{placement}\" for auth callout response on account \"{account}\": account missing");
            if (operatorMode)
            {
                if (!targetAcc.HasIssuer(arc.Issuer, out var scope)) throw new CalloutException($"user JWT issuer \"{arc.Issuer}\" is not known");
                if (scope is not null)
                {
                    if (scope.ValidateScopedSigner(arc) is { } invalid) throw new CalloutException($"user JWT is not valid: {invalid}");
                    var (limits, terr) = PermissionTemplates.Apply(scope.Template, arc, targetAcc.NameTag, targetAcc.Claims?.Tags ?? []);
                    arc.UserPermissionLimits = limits ?? throw new CalloutException($"user JWT generated invalid permissions: {terr}");
                }
            }
            return targetAcc;
        }

        string ProcessReply(byte[] msg, Account racc)
        {
            UserClaims arc;
            try
            {
                arc = DecodeResponse(msg, racc);
                // The user (local or in the response) must come through a trusted proxy.
                if ((proxyRequired || arc.ProxyRequired) && !trustedProxy)
                {
                    c.AuthError = ClosedState.ProxyRequired;
                    c.CalloutAuthViolation();
                    return TitleCase("proxy connection required");
                }
            }
            catch (CalloutException e)
            {
                c.CalloutAuthViolation();
                return TitleCase(e.Message);
            }
            if (UserJwtIssue(arc) is { } issue)
            {
                c.CalloutAuthViolation();
                return $"Error validating user JWT: {issue}";
            }
            if (arc.Subject != pub)
            {
                c.CalloutAuthViolation();
                return $"Expected authorized user of \"{pub}\" but got \"{arc.Subject}\" on account \"{racc.Name}\"";
            }
            TimeSpan expiration;
            HashSet<string>? allowed;
            Account targetAcc;
            try
            {
                (expiration, allowed) = GetExpirationAndAllowedConnections(arc, racc.Name);
                targetAcc = AssignAccountAndPermissions(arc, racc.Name);
            }
            catch (CalloutException e)
            {
                c.CalloutAuthViolation();
                return TitleCase(e.Message);
            }
            // The bearer JWT the client connected with (operator mode) is not the user it becomes.
            c.Options.Jwt = null;
            if (!c.RegisterCalloutUser(targetAcc, arc, allowed, out var regErr))
            {
                c.CalloutAuthViolation();
                return $"Could not register auth callout user: {regErr}";
            }
            if (arc.Name.Length > 0)
            {
                c.Options.Username = arc.Name;
                c.Options.Nkey = null;
                c.PublicKey = "";
                c.Options.Token = null;
            }
            c.SetExpiration(arc.Expires, expiration);
            return "";
        }

        var sub = events.AccountSubscribeInline(acc, reply, (_, _, _, _, msg) =>
        {
            if (respCh.Task.IsCompleted) return;
            string result;
            try { result = ProcessReply(msg, acc) ?? ""; }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                result = $"Could not register auth callout user: {e.Message}";
            }
            respCh.TrySetResult(result);
        });
        try
        {
            string jwtSub = opts is not null ? opts.Issuer : acc.Name;
            var claim = new AuthorizationRequestClaims(jwtSub) { Audience = AuthRequestSubject, UserNkey = pub };
            claim.Server = new CalloutServerId
            {
                Name = Name, Host = _info.Host ?? "", Id = ServerId, Version = Version, Cluster = _info.Cluster ?? "",
                Tags = [.. Options.Tags],
            };
            var authTimeout = Options.EffectiveAuthTimeout;
            claim.Expires = DateTimeOffset.UtcNow.Add(authTimeout).ToUnixTimeSeconds();
            claim.ClientInformation = c.CalloutClientInfo();
            claim.ConnectOptions = c.CalloutConnectOptions(ujwt);
            if (xkp is not null) claim.Server.XKey = XKey;
            if (claim.ConnectOptions.SignedNonce.Length > 0) claim.ClientInformation.Nonce = c.Nonce ?? "";
            claim.Tls = c.CalloutTls();

            byte[] req = Encoding.ASCII.GetBytes(claim.Encode(_serverKp));
            byte[]? hdr = null;
            if (xkp is not null)
            {
                try { req = xkp.Seal(req, pubAccXKey); }
                catch (ArgumentException e)
                {
                    errStr = $"Error encrypting auth request claim on account \"{acc.Name}\": {e.Message}";
                    Logger.Warn(errStr);
                    return (false, errStr);
                }
                hdr = Encoding.ASCII.GetBytes($"NATS/1.0\r\n{AuthRequestXKeyHeader}: {XKey}\r\n\r\n");
            }
            events.SendInternalAccountMsg(acc, AuthCalloutSubject, reply, hdr, req);

            // Go blocks the client's read loop here too; Task.Wait lets the thread pool compensate for the blocked thread.
            if (respCh.Task.Wait(authTimeout))
            {
                errStr = respCh.Task.Result;
                bool ok = errStr.Length == 0;
                if (!ok) Logger.Warn(errStr);
                return (ok, errStr);
            }
            Logger.Debug($"Authorization callout response not received in time on account \"{acc.Name}\"");
            return (false, "");
        }
        finally
        {
            NatsParity.Server.Events.SystemEvents.AccountUnsubscribe(acc, sub);
        }
    }

    /// <summary>jwt's UserClaims.Validate as far as a callout user can fail it: its time window and its subjects.</summary>
    private static string? UserJwtIssue(UserClaims arc)
    {
        if (arc.TimeError(DateTimeOffset.UtcNow) is { } te) return te;
        if (!NKeys.IsValidPublicUserKey(arc.Subject)) return "subject is not a user public key";
        return null;
    }

    /// <summary>A callout step that failed, with the message Go formats for it.</summary>
    private sealed class CalloutException(string message) : Exception(message);
}
