using System.Collections.Concurrent;
using System.Net;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Clients;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server;

/// <summary>Operator mode (Go's trusted keys and operators): accounts come from JWTs signed by a trusted operator and
/// found through the account resolver; users authenticate with a user JWT signed by their account and a signature of
/// the server's nonce.</summary>
public sealed partial class NatsServer
{
    private List<string>? _trustedKeys;

    /// <summary>The account resolver of operator mode (Go's AccountResolver), or null.</summary>
    public IAccountResolver? AccountResolver { get; private set; }

    /// <summary>The operator keys whose account JWTs are trusted (the operators' and their signing keys, or the
    /// configured trusted keys); empty without operator mode.</summary>
    public IReadOnlyList<string> TrustedKeys => _trustedKeys ?? [];

    /// <summary>True when accounts and users come from JWTs.</summary>
    public bool OperatorMode => _trustedKeys is not null;

    /// <summary>Go's initTrustedKeys: the operators' keys and signing keys, or the trusted keys; the resolver with its
    /// preloaded JWTs.</summary>
    private void InitTrustedKeys()
    {
        var o = Options;
        // Go's processTrustedKeys: the trusted keys (filled from the operators when the options were validated).
        if (o.TrustedKeys is { } keys)
        {
            foreach (var key in keys)
                if (!NKeys.IsValidPublicOperatorKey(key)) throw new ArgumentException($"trusted Keys {key} are invalid", nameof(o));
            _trustedKeys = [.. keys];
            // Go's strictSigningKeyUsage: accounts signed by these keys do not sign users with their own key.
            foreach (var op in o.TrustedOperators ?? [])
                if (op.StrictSigningKeyUsage) foreach (var k in op.SigningKeys) _strictSigningKeys.Add(k);
        }
        AccountResolver = o.AccountResolver;
        if (AccountResolver is not null && o.ResolverPreloads is { Count: > 0 } preloads)
        {
            if (AccountResolver.IsReadOnly)
                throw new ArgumentException("resolver preloads only available for writeable resolver types MEM/DIR/CACHE_DIR", nameof(o));
            foreach (var (name, jwt) in preloads) AccountResolver.Store(name, jwt);
            CheckResolvePreloads(o);
        }
        // Go: a URL resolver is asked once at start whether anyone is home.
        if (AccountResolver is UrlAccountResolver ur && ur.Fetch("") is null)
            throw new ArgumentException(ur.LastError ?? $"could not fetch <\"{UrlRedaction.RedactUrlString(ur.Url)}\">", nameof(o));
    }

    /// <summary>Go's checkResolvePreloads: preloaded accounts are kept even when expired or otherwise invalid, with a
    /// warning.</summary>
    private void CheckResolvePreloads(Config.ServerOptions o)
    {
        if (!OperatorMode) return;
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, jwt) in o.ResolverPreloads ?? [])
        {
            AccountClaims claims;
            try { claims = AccountClaims.Decode(jwt); }
            catch (JwtException)
            {
                Logger.Error($"Preloaded account [{name}] not valid");
                continue;
            }
            var issues = claims.ImportErrors(now);
            if (claims.TimeError(now) is { } te) issues.Insert(0, te);
            if (issues.Count == 0) continue;
            Logger.Warn($"Account [{name}] has validation issues:");
            foreach (var issue in issues) Logger.Warn($"  - {issue}");
        }
    }

    /// <summary>Go's SetAccountResolver: the resolver operator mode finds account JWTs in.</summary>
    public void SetAccountResolver(IAccountResolver resolver) => AccountResolver = resolver;

    /// <summary>Go's setSystemAccount for a server started without one: <paramref name="acc"/> becomes the system
    /// account and the event stack starts on it. Go's errors for an expired or untrusted account or when one is set.</summary>
    public string? SetSystemAccount(Account? acc)
    {
        if (acc is null) return ImportErrorsMissingAccount;
        if (acc.IsExpired) return "account expired";
        if (!IsTrustedIssuer(acc.Issuer)) return "account validation failed";
        lock (_systemAccountLock)
        {
            if (Events is not null) return "account exists";
            SystemAccount = acc;
            var events = new Events.SystemEvents(this, acc);
            Events = events;
            events.Start();
        }
        return null;
    }

    /// <summary>Go's ErrNoSysAccount.</summary>
    public const string ErrNoSysAccount = "system account not setup";

    /// <summary>Go's sysSubscribe: an internal subscription of the system account whose messages go to
    /// <paramref name="cb"/>; Go's errors without a system account or a handler.</summary>
    internal (Subscription? Sub, string? Error) SysSubscribe(string subject, Events.SystemEvents.SysHandler? cb)
    {
        var events = Events;
        if (events is null) return (null, ErrNoSysAccount);
        if (cb is null) return (null, "undefined message handler");
        return (events.Subscribe(subject, cb), null);
    }

    /// <summary>Go's sysUnsubscribe.</summary>
    internal void SysUnsubscribe(Subscription? sub)
    {
        if (sub is not null) Events?.Unsubscribe(sub);
    }

    private const string ImportErrorsMissingAccount = ImportErrors.MissingAccount;
    private readonly object _systemAccountLock = new();

    /// <summary>Go's updateAccountWithClaimJWT: a new JWT for a registered account, verified and signed by a trusted
    /// operator; null when applied (or the same), else Go's error.</summary>
    public string? UpdateAccountWithClaimJwt(Account acc, string jwt)
    {
        // Go: an incomplete account takes the same JWT again, its imports retried.
        if (acc.ClaimJwt.Length > 0 && acc.ClaimJwt == jwt && !acc.Incomplete) return null;
        AccountClaims claims;
        try { claims = AccountClaims.Decode(jwt); }
        catch (JwtException e) { return e.Message; }
        if (!IsTrustedIssuer(claims.Issuer) || acc.Name != claims.Subject || claims.ImportErrors(DateTimeOffset.UtcNow).Count > 0)
            return "account validation failed";
        UpdateAccountClaims(acc, claims, jwt);
        return null;
    }

    /// <summary>Go's UpdateAccountClaims: the account takes the new claims; its clients are checked against them, the
    /// newest over the connection limit closed, limits applied again (a client at its subscription limit is told and
    /// closed), default permissions replaced where they apply, revoked users and disallowed bearer tokens closed, and
    /// users whose signing key went away closed.</summary>
    public void UpdateAccountClaims(Account acc, AccountClaims claims, string jwt = "") => UpdateAccountClaimsWithRefresh(acc, claims, jwt, true);

    /// <summary>Go's updateAccountClaimsWithRefresh; with <paramref name="refreshImporting"/>, accounts left incomplete
    /// for want of this one are updated again from their JWTs.</summary>
    private void UpdateAccountClaimsWithRefresh(Account acc, AccountClaims claims, string jwt, bool refreshImporting)
    {
        var oldDefaults = acc.DefaultPermissions;
        var oldSigners = acc.SigningKeys;
        acc.ApplyClaims(claims, jwt);
        // Go: signers changed when a key came or went; a key whose scope changed has its users disconnected.
        var newSigners = acc.SigningKeys;
        bool signersChanged = oldSigners.Count != newSigners.Count;
        var alteredScopes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, scope) in newSigners)
        {
            if (!oldSigners.TryGetValue(k, out var oldScope)) signersChanged = true;
            else if (scope is null != oldScope is null || (scope is not null && !scope.SameAs(oldScope)))
            {
                signersChanged = true;
                alteredScopes.Add(k);
            }
        }
        var incomplete = ApplyJwtExportsImports(acc, claims);
        RecheckImportsFrom(acc);
        acc.Incomplete = incomplete.Count > 0;
        foreach (var exporter in incomplete) _incompleteAccExporters[exporter] = 0;
        var newDefaults = acc.DefaultPermissions;
        bool defaultsChanged = !PermissionsEqual(oldDefaults, newDefaults);
        var clients = acc.ClientsSnapshot().Where(c => !c.IsInternal).OrderBy(c => c.StartTime).ToList();
        int count = 0;
        foreach (var c in clients)
        {
            if (acc.MaxConnections != Account.NoLimit && count >= acc.MaxConnections)
            {
                c.MaxAccountConnectionsExceeded();
                continue;
            }
            count++;
            c.ResetLimits(closeAtSubsLimit: true);
            if (defaultsChanged && c.UsesAccountDefaultPermissions) c.SetPermissions(newDefaults?.Clone());
            // Subscriptions the permissions now refuse go; stream import shadows follow the new imports.
            c.ProcessSubsOnConfigReload();
            string? ujwt = c.Options.Jwt;
            if ((claims.Revocations.Count > 0 || claims.Limits.DisallowBearer) && !string.IsNullOrEmpty(ujwt))
            {
                UserClaims juc;
                try { juc = UserClaims.Decode(ujwt); }
                catch (JwtException e)
                {
                    c.Debug($"User JWT not valid: {e.Message}");
                    c.AuthViolation();
                    continue;
                }
                if (juc.BearerToken && claims.Limits.DisallowBearer)
                {
                    c.Debug("Bearer User JWT not allowed");
                    c.AuthViolation();
                    continue;
                }
                if (acc.CheckUserRevoked(juc.Subject, juc.IssuedAt))
                {
                    c.SendErr("User Authentication Revoked");
                    c.Debug("User Authentication Revoked");
                    c.Close(ClosedState.Revocation);
                    continue;
                }
            }
            // A callout user keeps no JWT: its key and issue time stand for it (Go's c.user.Nkey and c.user.Issued).
            if (claims.Revocations.Count > 0 && c.CalloutUserNkey.Length > 0 && c.CalloutUserIssued > 0
                && ((claims.Revocations.TryGetValue("*", out long all) && all >= c.CalloutUserIssued)
                    || (claims.Revocations.TryGetValue(c.CalloutUserNkey, out long at) && at >= c.CalloutUserIssued)))
            {
                c.SendErr("User Authentication Revoked");
                c.Debug("User Authentication Revoked");
                c.Close(ClosedState.Revocation);
                continue;
            }
        }
        if (signersChanged)
        {
            foreach (var c in clients)
            {
                if (c.SigningKey.Length > 0 && (alteredScopes.Contains(c.SigningKey) || !acc.HasIssuer(c.SigningKey)))
                    c.Close(ClosedState.AuthenticationViolation);
            }
        }
        if (refreshImporting && _incompleteAccExporters.TryRemove(acc.Name, out _)) RefreshIncompleteImporters(acc);
    }

    // Go's incompleteAccExporterMap: accounts some incomplete account failed to import from.
    private readonly ConcurrentDictionary<string, byte> _incompleteAccExporters = new(StringComparer.Ordinal);

    /// <summary>Go's refresh of incomplete accounts once <paramref name="exporter"/> was updated: each is updated again
    /// from its own JWT; one still failing to import from it is reported.</summary>
    private void RefreshIncompleteImporters(Account exporter)
    {
        foreach (var other in _accounts.Values)
        {
            if (!other.Incomplete || other.Name == exporter.Name) continue;
            string label = other.TraceLabel;
            if (VerifyAccountClaims(other.ClaimJwt) is not { } oc) continue;
            UpdateAccountClaimsWithRefresh(other, oc, "", false);
            if (_incompleteAccExporters.TryRemove(exporter.Name, out _))
                Logger.Error($"Account {label} has issues importing account {exporter.Name}");
        }
    }

    /// <summary>Go's verifyAccountClaims: decoded, signed by a trusted operator, without blocking validation errors.</summary>
    private AccountClaims? VerifyAccountClaims(string jwt)
    {
        if (jwt.Length == 0) return null;
        AccountClaims claims;
        try { claims = AccountClaims.Decode(jwt); }
        catch (JwtException) { return null; }
        return IsTrustedIssuer(claims.Issuer) && claims.ImportErrors(DateTimeOffset.UtcNow).Count == 0 ? claims : null;
    }

    /// <summary>Go's re-check, after an account's exports or signers changed, of the imports other accounts have from
    /// it: each is valid or not by the new exports, and stream imports' shadow subscriptions follow.</summary>
    private void RecheckImportsFrom(Account exporter)
    {
        foreach (var other in _accounts.Values)
        {
            if (other.Name == exporter.Name) continue;
            bool streams = false;
            foreach (var im in other.StreamImports)
            {
                if (im.Acc.Name != exporter.Name) continue;
                im.Invalid = !exporter.CheckStreamImportAuthorized(other, im.From, im.Token);
                streams = true;
            }
            foreach (var si in other.ServiceImportsSnapshot())
                if (si.Acc.Name == exporter.Name) si.Invalid = !exporter.CheckServiceImportAuthorized(other, si.To, si.Token);
            if (streams) foreach (var c in other.ClientsSnapshot()) if (!c.IsInternal) c.ProcessSubsOnConfigReload();
        }
    }

    private static bool PermissionsEqual(Permissions? a, Permissions? b)
    {
        static string Key(Permissions? p) => p is null ? "" : System.Text.Json.JsonSerializer.Serialize(new
        {
            pa = p.Publish?.Allow, pd = p.Publish?.Deny, sa = p.Subscribe?.Allow, sd = p.Subscribe?.Deny,
            rm = p.Response?.MaxMsgs, re = p.Response?.Expires.Ticks,
        });
        return Key(a) == Key(b);
    }

    /// <summary>Go's getOperatorKeys: the first operator's key, the keys that may sign accounts, and whether it is
    /// strict; null without an operator.</summary>
    internal (string Operator, HashSet<string> Keys, bool Strict)? OperatorKeys()
    {
        if (Options.TrustedOperators is not { Count: > 0 } ops) return null;
        var op = ops[0];
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (!op.StrictSigningKeyUsage) keys.Add(op.Subject);
        foreach (var k in op.SigningKeys) keys.Add(k);
        return keys.Count == 0 ? null : (op.Subject, keys, op.StrictSigningKeyUsage);
    }

    /// <summary>Go's DirAccResolver.Start and CacheDirAccResolver.Start: the store's changes reach the accounts in use
    /// (a deleted JWT disables its account), and the system account answers claim requests.</summary>
    internal void StartDirResolver(DirAccountResolver dr)
    {
        if (OperatorKeys() is not { } ok) throw new InvalidOperationException("no operator key found");
        if (Events is null) throw new InvalidOperationException("eventing shut down");
        dr.JwtStore.OperatorKeys = ok.Keys;
        dr.JwtStore.Changed = pubKey =>
        {
            if (LookupAccount(pubKey) is not { } acc) return;
            string jwt;
            try { jwt = dr.JwtStore.LoadAcc(pubKey); }
            catch (IOException e)
            {
                Logger.Error($"DirResolver - Update got error on load: {e.Message}");
                return;
            }
            if (UpdateAccountWithClaimJwt(acc, jwt) is { } err)
                Logger.Error(dr.IsCache ? $"DirResolver - Update resulted in error {err}" : $"DirResolver - Update for account \"{pubKey}\" resulted in error {err}");
        };
        dr.JwtStore.Deleted = pubKey =>
        {
            if (LookupAccount(pubKey) is not { } acc) return;
            Logger.Debug($"Disable account {pubKey} due to remove");
            acc.DisableForRemoval();
        };
        Events.StartDirResolver(dr, ok.Operator, ok.Strict);
        Logger.Notice(dr.IsCache ? $"Managing some jwt in exclusive directory {dr.JwtStore.Directory}"
            : $"Managing all jwt in exclusive directory {dr.JwtStore.Directory}");
    }

    private readonly HashSet<string> _strictSigningKeys = new(StringComparer.Ordinal);

    /// <summary>The key is a signing key of an operator with strict signing key usage.</summary>
    internal bool IsStrictSigningKey(string key) => _strictSigningKeys.Contains(key);

    /// <summary>Go's isTrustedIssuer.</summary>
    internal bool IsTrustedIssuer(string issuer) =>
        _trustedKeys is null ? issuer.Length == 0 : _trustedKeys.Contains(issuer);

    /// <summary>Go's LookupAccount in operator mode: a registered account with its claims, else the account fetched from
    /// the resolver, its JWT verified and signed by a trusted operator, registered with its limits.</summary>
    public Account? LookupOrFetchAccount(string name)
    {
        var existing = LookupAccount(name);
        if (existing is { Claims: not null } && existing.IsExpired && AccountResolver?.Fetch(name) is { } renewed && renewed != existing.ClaimJwt)
        {
            // Go's lookupAccount: an expired account is updated from the resolver.
            UpdateAccountWithClaimJwt(existing, renewed);
            return existing;
        }
        // Go's lookupAccount: a registered account (the bootstrapping system account too) is not fetched again.
        if (existing is { IsJwtAccount: true } || !OperatorMode || AccountResolver is null) return existing;
        if (FetchAccountClaims(name) is not { } fetched) return existing;
        var (claims, jwt) = fetched;
        if (existing is not null)
        {
            existing.ApplyClaims(claims, jwt);
            ApplyJwtExportsImports(existing, claims);
            return existing;
        }
        // Go's fetchAccount: the account is built, then registered; if a lookup made while building it (an import
        // cycle) registered it already, that one is updated with the JWT.
        var acc = BuildInternalAccount(claims, jwt);
        if (RegisterAccount(acc) is { } racc) return UpdateAccountWithClaimJwt(racc, jwt) is null ? racc : null;
        return acc;
    }

    // Go's tmpAccounts: accounts being built from their claims, found by lookups their own imports cause.
    private readonly ConcurrentDictionary<string, Account> _tmpAccounts = new(StringComparer.Ordinal);

    /// <summary>Go's fetchAccountClaims: the resolver's JWT for <paramref name="name"/>, verified (decoded, for that
    /// account, signed by a trusted operator, without blocking validation errors).</summary>
    private (AccountClaims Claims, string Jwt)? FetchAccountClaims(string name)
    {
        string? jwt = AccountResolver!.Fetch(name);
        if (jwt is null) return null;
        AccountClaims claims;
        try { claims = AccountClaims.Decode(jwt); }
        catch (JwtException e)
        {
            Logger.Debug($"Account JWT for {name} not valid: {e.Message}");
            return null;
        }
        if (claims.Subject != name || !IsTrustedIssuer(claims.Issuer)) return null;
        if (claims.ImportErrors(DateTimeOffset.UtcNow) is { Count: > 0 } invalid)
        {
            Logger.Debug($"Account JWT for {name} not valid: {string.Join("; ", invalid)}");
            return null;
        }
        return (claims, jwt);
    }

    /// <summary>Go's buildInternalAccount: a new account kept among those being built, then updated from its claims;
    /// the one already being built when there is one.</summary>
    private Account BuildInternalAccount(AccountClaims claims, string jwt)
    {
        var acc = new Account(claims.Subject) { Server = this };
        if (Options.NoSublistCache) acc.DisableSublistCache();
        var building = _tmpAccounts.GetOrAdd(acc.Name, acc);
        if (!ReferenceEquals(building, acc)) return building;
        UpdateAccountClaims(acc, claims, jwt);
        return acc;
    }

    /// <summary>Go's registerAccount: null when <paramref name="acc"/> was registered now, else the account
    /// registered before.</summary>
    private Account? RegisterAccount(Account acc)
    {
        bool added = _accounts.TryAdd(acc.Name, acc);
        _tmpAccounts.TryRemove(acc.Name, out _);
        return added ? null : _accounts[acc.Name];
    }

    /// <summary>Go's updateAccountClaimsWithRefresh for exports and imports: the account's are replaced by the claims'
    /// (exporting accounts fetched as needed; an import that cannot be made is left out and its exporter returned, the
    /// account then being incomplete), and its system imports made again.</summary>
    private List<string> ApplyJwtExportsImports(Account acc, AccountClaims claims)
    {
        var imports = new List<ImportDef>(claims.Imports.Count);
        lock (acc.ClaimsUpdateLock)
        {
            acc.ResetExportsImports();
            // The claims' mappings replace the account's (Go ignores the ones it cannot add).
            foreach (var (src, dests) in claims.Mappings)
            {
                if (acc.AddWeightedMappings(src, dests.Select(d => new MapDest(d.Subject, d.GetWeight(), d.Cluster)).ToList()) is { } merr)
                    Logger.Debug($"Error adding mapping for \"{src}\" to account [{acc.Name}]: {merr}");
            }
            foreach (var e in claims.Exports)
            {
                bool service = e.Type.Equals("service", StringComparison.OrdinalIgnoreCase);
                var rt = e.ResponseType switch
                {
                    "Stream" => ServiceResponseType.Streamed,
                    "Chunked" => ServiceResponseType.Chunked,
                    _ => ServiceResponseType.Singleton,
                };
                acc.ExportDefs.Add(new ExportDef(service, e.Subject, null, rt, e.ResponseThreshold, e.AccountTokenPosition)
                {
                    TokenRequired = e.TokenReq,
                    ActivationRevocations = e.Revocations.Count > 0 ? new Dictionary<string, long>(e.Revocations, StringComparer.Ordinal) : null,
                    Latency = service && e.Latency is { } l ? new ServiceLatencyConfig(l.Sampling, l.Results) : null,
                });
            }
            foreach (var i in claims.Imports)
            {
                if (i.Type.Equals("service", StringComparison.OrdinalIgnoreCase))
                {
                    // Go: from is the local subject, to the exported one ("to" being the deprecated local subject).
                    string from = i.LocalSubject.Length > 0 ? i.LocalSubject : i.Subject;
                    string to = i.LocalSubject.Length > 0 ? i.Subject : i.To.Length > 0 ? i.To : i.Subject;
                    imports.Add(new ImportDef(true, i.Account, to, from, "", i.Share) { Token = i.Token });
                }
                else
                {
                    // A stream's local subject maps it; otherwise the deprecated "to" is a prefix.
                    imports.Add(new ImportDef(false, i.Account, i.Subject, i.LocalSubject, i.LocalSubject.Length > 0 ? "" : i.To, i.Share)
                    {
                        Token = i.Token,
                    });
                }
            }
            acc.ImportDefs.AddRange(imports);
            if (acc.ApplyExportsAndImports(LookupOrFetchAccount) is { } err) Logger.Debug($"Error adding export to account [{acc.Name}]: {err}");
        }
        // Exporters are looked up (and maybe fetched and built) without the lock: their imports may look this one up.
        var incomplete = new List<string>();
        string tl = acc.TraceLabel;
        foreach (var i in imports)
        {
            var exporter = LookupOrFetchAccount(i.Account);
            if (exporter is null)
            {
                Logger.Error($"Can't locate account [{i.Account}] for import of [{i.Subject}] {(i.Service ? "service" : "stream")} (err={ImportErrors.MissingAccount})");
                incomplete.Add(i.Account);
                continue;
            }
            string? ierr;
            lock (acc.ClaimsUpdateLock)
            {
                ierr = i.Service ? acc.AddServiceImport(exporter, i.To, i.Subject, i.Share, token: i.Token)
                    : i.Prefix.Length > 0 ? acc.AddStreamImport(exporter, i.Subject, i.Prefix, i.Token)
                    : acc.AddMappedStreamImport(exporter, i.Subject, i.To, i.Token);
            }
            if (ierr is null) continue;
            Logger.Debug($"Error adding {(i.Service ? "service" : "stream")} import to account [{tl}]: {ierr}");
            incomplete.Add(i.Account);
        }
        if (ReferenceEquals(acc, SystemAccount)) Events?.RegisterAll();
        else Events?.RegisterSystemImports(acc);
        return incomplete;
    }

    /// <summary>Go's processClientOrLeafAuthentication for a user JWT: decoded and valid, its account trusted and not
    /// expired, the signer known to the account, the nonce signed (unless a bearer token), not revoked, from an allowed
    /// address and within its connect times; the client then takes the account, the user's permissions (or the
    /// account's defaults) and limits, and an expiry.</summary>
    private bool ProcessJwtAuthentication(ClientConnection c, bool trustedProxy, ref UserClaims? decoded, ref Account? account)
    {
        string ujwt = c.Options.Jwt ?? "";
        if (ujwt.Length == 0 && Options.DefaultSentinel.Length > 0)
        {
            // Go's default sentinel: clients without credentials use it.
            c.Options.Jwt = ujwt = Options.DefaultSentinel;
        }
        if (ujwt.Length == 0)
        {
            c.Debug("Authentication requires a user JWT");
            return false;
        }
        UserClaims juc;
        try { juc = UserClaims.Decode(ujwt); }
        catch (JwtException e)
        {
            c.Debug($"User JWT not valid: {e.Message}");
            return false;
        }
        decoded = juc;
        if (juc.ProxyRequired && !trustedProxy) return SetProxyAuthError(c, NatsParity.Server.Clients.ClosedState.ProxyRequired);
        if (juc.TimeError(DateTimeOffset.UtcNow) is { } invalid)
        {
            c.Debug($"User JWT no longer valid: {invalid}");
            return false;
        }
        string issuer = juc.IssuerAccount.Length > 0 ? juc.IssuerAccount : juc.Issuer;
        if (Options.ResolverPinnedAccounts is { } pinned && !pinned.Contains(issuer))
        {
            c.Debug($"Account {issuer} not listed as operator pinned account");
            Interlocked.Increment(ref PinnedAccountFails);
            return false;
        }
        var acc = LookupOrFetchAccount(issuer);
        if (acc is not { IsJwtAccount: true })
        {
            c.Debug("Account JWT lookup error");
            return false;
        }
        account = acc;
        if (!IsTrustedIssuer(acc.Issuer))
        {
            c.Debug("Account JWT not signed by trusted operator");
            return false;
        }
        if (!acc.HasIssuer(juc.Issuer, out var scope))
        {
            c.Debug("User JWT issuer is not known");
            return false;
        }
        if (scope is not null)
        {
            // A scoped signing key's users take its template, made concrete for them.
            if (scope.ValidateScopedSigner(juc) is { } invalidScoped)
            {
                c.Debug($"User JWT is not valid: {invalidScoped}");
                return false;
            }
            var (limits, terr) = PermissionTemplates.Apply(scope.Template, juc, acc.NameTag, acc.Claims?.Tags ?? []);
            if (limits is null)
            {
                c.Debug($"User JWT generated invalid permissions: {terr}");
                return false;
            }
            juc.UserPermissionLimits = limits;
        }
        if (acc.IsExpired)
        {
            c.Debug("Account JWT has expired");
            return false;
        }
        if (juc.BearerToken && acc.Claims?.Limits.DisallowBearer == true)
        {
            c.Debug("Account does not allow bearer tokens");
            return false;
        }
        HashSet<string>? allowed = null;
        if (juc.AllowedConnectionTypes.Count > 0)
        {
            var (types, err) = ConnectionTypes.Convert(juc.AllowedConnectionTypes);
            if (err is not null)
            {
                c.Debug(err);
                if (types.Count == 0) return false;
            }
            allowed = types;
        }
        if (!ConnectionTypes.Allowed(allowed, c.ConnectionType))
        {
            c.Debug("Connection type not allowed");
            return false;
        }
        if (!juc.BearerToken && !VerifyNonceSignature(c, juc.Subject)) return false;
        if (acc.CheckUserRevoked(juc.Subject, juc.IssuedAt))
        {
            c.Debug("User authentication revoked");
            return false;
        }
        if (!ValidateSrc(juc, c.RemoteHost))
        {
            Logger.Error($"{c} - Bad src Ip {c.RemoteHost}");
            return false;
        }
        var (allowNow, validFor) = ValidateTimes(juc, DateTimeOffset.UtcNow);
        if (!allowNow)
        {
            Logger.Error($"{c} - Outside connect times");
            return false;
        }
        var userPerms = juc.Permissions.ToServer();
        c.RegisterUser(acc, userPerms ?? acc.DefaultPermissions?.Clone(), null);
        c.UsesAccountDefaultPermissions = userPerms is null;
        c.SigningKey = juc.Issuer != acc.Name ? juc.Issuer : "";
        c.ApplyUserLimits(juc.Subs, juc.Payload);
        c.PublicKey = juc.Subject;
        c.JwtTags = juc.Tags;
        c.JwtName = juc.Name;
        c.SetExpiration(juc.Expires, validFor);
        return true;
    }

    /// <summary>Go's validateSrc: with source networks, the client's address must be in one of them.</summary>
    private static bool ValidateSrc(UserClaims juc, string host)
    {
        if (juc.Src.Count == 0) return true;
        if (!IPAddress.TryParse(host, out var ip)) return false;
        if (ip.IsIPv4MappedToIPv6) ip = ip.MapToIPv4();
        foreach (var cidr in juc.Src)
            if (IPNetwork.TryParse(cidr, out var net) && net.Contains(ip)) return true;
        return false;
    }

    /// <summary>Go's validateTimesAt: within one of the user's daily time ranges (in its location, else local time), and
    /// the longest time left in any range it is in.</summary>
    internal static (bool Allow, TimeSpan ValidFor) ValidateTimes(UserClaims juc, DateTimeOffset now)
    {
        if (juc.Times.Count == 0) return (true, TimeSpan.Zero);
        var zone = TimeZoneInfo.Local;
        if (juc.Locale.Length > 0)
        {
            try { zone = TimeZoneInfo.FindSystemTimeZoneById(juc.Locale); }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException) { return (false, TimeSpan.Zero); }
        }
        var local = TimeZoneInfo.ConvertTime(now, zone);
        bool ok = false;
        var validFor = TimeSpan.Zero;
        foreach (var (startText, endText) in juc.Times)
        {
            if (!TimeSpan.TryParseExact(startText, @"hh\:mm\:ss", null, out var startOfDay)
                || !TimeSpan.TryParseExact(endText, @"hh\:mm\:ss", null, out var endOfDay)) return (false, TimeSpan.Zero);
            var start = new DateTimeOffset(local.Date + startOfDay, local.Offset);
            var end = new DateTimeOffset(local.Date + endOfDay, local.Offset);
            var (inRange, expires) = ValidateTimeRange(start, end, local);
            if (inRange && (!ok || expires > validFor))
            {
                ok = true;
                validFor = expires;
            }
        }
        return (ok, validFor);
    }

    /// <summary>Go's validateTimeRangeAt: now strictly inside the range (which may cross midnight), and the time left.</summary>
    private static (bool, TimeSpan) ValidateTimeRange(DateTimeOffset start, DateTimeOffset end, DateTimeOffset now)
    {
        if (start < now && end > now) return (true, end - now);
        if (start > end)
        {
            if (end > now) return (true, end - now);
            end = end.AddDays(1);
            if (start < now && end > now) return (true, end - now);
        }
        return (false, TimeSpan.Zero);
    }
}
