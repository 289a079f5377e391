using System.Globalization;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;

namespace NatsParity.Server;

/// <summary>Configuration reload (Go's reload.go): the conf file is read again, what may change at run time is applied,
/// anything else refuses the whole reload with Go's error and the server keeps its running configuration.</summary>
public sealed partial class NatsServer
{
    private readonly object _reloadLock = new();

    /// <summary>How the host rebuilds its options on reload (the conf file with the command line's flags on top);
    /// without it the conf file is read alone.</summary>
    public Func<ServerOptions>? ReloadSource { get; set; }

    /// <summary>Go's Reload: null when the new configuration is running, else the reason it was refused.</summary>
    public string? Reload()
    {
        if (Options.ConfigFile.Length == 0 && ReloadSource is null)
            return "can only reload config when a file is provided using -c or --config";
        ServerOptions next;
        try
        {
            next = ReloadSource?.Invoke() ?? ServerOptions.FromConfigFile(Options.ConfigFile);
        }
        catch (ConfigException e)
        {
            return e.Message;
        }
        catch (ConfigProcessException e)
        {
            return e.Message.TrimEnd('\n');
        }
        return ReloadOptions(next);
    }

    /// <summary>Go's ReloadOptions.</summary>
    /// <summary>When the running configuration was loaded (Go's ConfigTime).</summary>
    public DateTime ConfigTime { get; private set; } = DateTime.UtcNow;

    public string? ReloadOptions(ServerOptions next)
    {
        lock (_reloadLock)
        {
            var cur = Options;
            // Go's reloadOptions: a --cluster flag still names the cluster listen address, and a random cluster port
            // is the one listened on.
            if (cur.Cluster.ListenStr.Length > 0)
            {
                next.Cluster.ListenStr = cur.Cluster.ListenStr;
                CommandLine.OverrideCluster(next.Cluster);
            }
            next.SetBaselineOptions();
            if (next.Port is 0 or ServerOptions.RandomPort) next.Port = cur.Port;
            if (next.Cluster.Port == ServerOptions.RandomPort) next.Cluster.Port = cur.Cluster.Port;
            // NoLog is not a conf key (Go's tests set it for servers without a log file); a log file named by the new
            // conf is written to, as Go's reload configures the logger from the new options.
            next.NoLog = cur.NoLog && next.LogFile.Length == 0;
            // Set by the embedding program, not by conf files (Go's reload keeps them).
            next.CustomClientAuthentication = cur.CustomClientAuthentication;
            next.DisableShortFirstPing = cur.DisableShortFirstPing;
            if (next.Validate() is { } invalid) return invalid;
            if (Diff(cur, next, out var changes) is { } err) return err;
            // Go: no moving to or from a resolver; a URL resolver is the new conf's (its TLS settings may have changed),
            // a nats-based one stays and re-reads its store.
            if (cur.AccountResolver is null != next.AccountResolver is null)
            {
                if (next.AccountResolver is not UrlAccountResolver and not MemoryAccountResolver) next.AccountResolver?.Close();
                return "config reload does not support moving to or from an account resolver";
            }
            if (next.AccountResolver is DirAccountResolver fresh && !ReferenceEquals(fresh, AccountResolver))
            {
                fresh.Close();
                next.AccountResolver = AccountResolver;
            }

            TlsSetup? tls = _tls;
            // Go's reloadOCSP: a changed OCSP peer or cache setup starts a fresh cache.
            var ocspCache = changes.Contains("ocsp") ? NewOcspCache(next) : OcspCache;
            if (changes.Contains("tls") || changes.Contains("ocsp"))
            {
                try { tls = next.TlsEnabled ? TlsSetup.Create(next, OcspPeerFor(next, ocspCache)) : null; }
                catch (ArgumentException e) { return e.Message; }
            }

            var (wsTls, wsErr) = ReloadWebsocketTls(next);
            if (wsErr is not null) return wsErr;
            Options = next;
            _tls = tls;
            _wsTls = wsTls;
            if (changes.Contains("cluster"))
            {
                // Go's clusterOption: a configured name replaces the one in use.
                if (next.Cluster.Name.Length > 0 && next.Cluster.Name != ClusterName) SetClusterName(next.Cluster.Name);
                Logger.Notice("Reloaded: cluster");
            }
            if (changes.Contains("routes")) ReloadRoutes(cur.Routes, next.Routes);
            if (changes.Contains("ocsp"))
            {
                OcspCache?.Stop(Logger);
                OcspCache = ocspCache;
                if (cur.OcspCache != next.OcspCache) Logger.Notice("Reloaded OCSP peer cache");
                ocspCache?.Start(Logger);
            }
            if (changes.Contains("logging") && !next.NoLog)
            {
                var old = Logger;
                Logger = CreateLogger(next);
                if (old.DebugEnabled != next.Debug) Logger.Notice($"Reloaded: debug = {Go(next.Debug)}");
                if (old.TraceEnabled != next.Trace) Logger.Notice($"Reloaded: trace = {Go(next.Trace)}");
                if (cur.TraceVerbose != next.TraceVerbose) Logger.Notice($"Reloaded: trace_verbose = {Go(next.TraceVerbose)}");
                if (cur.TraceHeaders != next.TraceHeaders) Logger.Notice($"Reloaded: trace_headers = {Go(next.TraceHeaders)}");
                if (cur.Logtime != next.Logtime) Logger.Notice($"Reloaded: logtime = {Go(next.Logtime)}");
                if (cur.LogtimeUTC != next.LogtimeUTC) Logger.Notice($"Reloaded: logtime_utc = {Go(next.LogtimeUTC)}");
                if (cur.LogFile != next.LogFile) Logger.Notice($"Reloaded: log_file = {next.LogFile}");
                old.Dispose(); // as Go's SetLoggerV2 closes the previous logger: the old log file can be moved or removed
            }
            if (changes.Contains("tls"))
            {
                _info.TlsRequired = next.TlsEnabled && !next.AllowNonTls;
                _info.TlsAvailable = next.TlsEnabled && next.AllowNonTls;
                _info.TlsVerify = next.TlsVerify;
                Logger.Notice($"Reloaded: tls = {(next.TlsEnabled ? "enabled" : "disabled")}");
                // Go re-checks connected clients against the previous pin set, which they passed when they connected,
                // so a pin change applies to new connections only.
                if (!PinsEqual(cur.TlsPinnedCerts, next.TlsPinnedCerts)) Logger.Notice($"Reloaded: {next.TlsPinnedCerts?.Count ?? 0} pinned_certs");
            }
            if (cur.MaxPayload != next.MaxPayload)
            {
                _info.MaxPayload = next.MaxPayload;
                Logger.Notice($"Reloaded: max_payload = {next.MaxPayload}");
            }
            if (cur.MaxControlLine != next.MaxControlLine) Logger.Notice($"Reloaded: max_control_line = {next.MaxControlLine}");
            if (cur.PingInterval != next.PingInterval) Logger.Notice($"Reloaded: ping_interval = {ServerOptions.GoDuration(next.PingInterval)}");
            if (cur.MaxPingsOut != next.MaxPingsOut) Logger.Notice($"Reloaded: ping_max = {next.MaxPingsOut}");
            if (cur.NoFastProducerStall != next.NoFastProducerStall)
                Logger.Notice($"Reloaded: fast producers will {(next.NoFastProducerStall ? "not " : "")}be stalled");
            if (cur.ConnectErrorReports != next.ConnectErrorReports) Logger.Notice($"Reloaded: connect_error_reports = {next.ConnectErrorReports}");
            if (cur.ReconnectErrorReports != next.ReconnectErrorReports) Logger.Notice($"Reloaded: reconnect_error_reports = {next.ReconnectErrorReports}");
            if (cur.WriteDeadline != next.WriteDeadline) Logger.Notice($"Reloaded: write_deadline = {ServerOptions.GoDuration(next.WriteDeadline)}");
            if (cur.PidFile != next.PidFile)
            {
                if (next.PidFile.Length > 0) File.WriteAllText(next.PidFile, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                Logger.Notice($"Reloaded: pid_file = {next.PidFile}");
            }
            if (cur.PortsFileDir != next.PortsFileDir)
            {
                if (_portsFile is not null) TryDelete(_portsFile);
                _portsFile = null;
                WritePortsFile();
                Logger.Notice($"Reloaded: ports_file_dir = {next.PortsFileDir}");
            }
            if (cur.ClientAdvertise != next.ClientAdvertise) SetInfoHostPort(Port);

            // Go's configureResolver: a URL or memory resolver is the new conf's.
            if (next.AccountResolver is UrlAccountResolver or MemoryAccountResolver) AccountResolver = next.AccountResolver;
            ReloadProxies(cur, next);
            ReloadAuthorization(cur, next);
            if (AccountResolver is DirAccountResolver dr) dr.Reload();

            if (cur.MaxConnections != next.MaxConnections)
            {
                // Go's maxConnOption: the newest clients over the new limit are closed.
                int newc = Math.Max(0, next.MaxConnections);
                if (_clients.Count > newc)
                {
                    int closed = 0;
                    foreach (var c in _clients.Values.OrderByDescending(c => c.StartTime).Take(_clients.Count - newc).ToList())
                    {
                        c.MaxConnectionsExceeded();
                        closed++;
                    }
                    Logger.Notice($"Closed {closed} connections to fall within max_connections");
                }
                Logger.Notice($"Reloaded: max_connections = {next.MaxConnections}");
            }
            bool tagsChanged = !cur.Tags.SequenceEqual(next.Tags);
            bool metadataChanged = !(cur.Metadata ?? []).SequenceEqual(next.Metadata ?? []);
            if (tagsChanged) Logger.Notice("Reloaded: tags");
            if (metadataChanged) Logger.Notice("Reloaded: metadata");
            // Tags and metadata are part of the statsz: a reload that changes them announces them.
            if (tagsChanged || metadataChanged) Events?.SendStatszUpdate();
            ConfigTime = DateTime.UtcNow;
            Logger.Notice("Reloaded server configuration");
            return null;
        }
    }

    private static string Go(bool b) => b ? "true" : "false";

    /// <summary>Go's reloadAuthorization: accounts and users rebuilt, every client authenticated again (the ones that no
    /// longer may connect are closed) and subscriptions their new permissions refuse removed.</summary>
    private void ReloadAuthorization(ServerOptions cur, ServerOptions next)
    {
        // Go's reloadAuthorization with a memory resolver: the new conf's resolver holds its preloads alone, and the
        // accounts in use are walked like configured ones: gone from it or no longer valid they are deleted (their
        // clients then fail authorization below), else they take its JWT.
        if (OperatorMode && AccountResolver is Auth.Jwt.MemoryAccountResolver resolver)
        {
            foreach (var (name, jwt) in next.ResolverPreloads ?? []) resolver.Store(name, jwt);
            CheckResolvePreloads(next);
            foreach (var (name, acc) in _accounts)
            {
                if (ReferenceEquals(acc, GlobalAccount)) continue;
                if (FetchAccountClaims(name) is { } fetched)
                {
                    if (UpdateAccountWithClaimJwt(acc, fetched.Jwt) is null) continue;
                    Logger.Notice($"Reloaded: deleting account [bad claims]: \"{name}\"");
                }
                else
                {
                    Logger.Notice($"Reloaded: deleting account [removed]: \"{name}\"");
                }
                _accounts.TryRemove(name, out _);
            }
            if (SystemAccount is { } sys && !next.NoSystemAccount) _accounts[sys.Name] = sys;
        }
        // Accounts no longer configured go (the global account and the default system account stay, as in Go).
        var nextByName = next.Accounts.ToDictionary(a => a.Name, StringComparer.Ordinal);
        // Only accounts whose exports, imports or mappings changed, and those importing from them, are rebuilt: the
        // others keep theirs untouched, so requests through their service imports always find a route.
        var rebuild = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, acc) in _accounts)
        {
            // Accounts from JWTs (operator mode) are not in the conf file and stay.
            bool deleted = !nextByName.ContainsKey(name) && name is not (Account.GlobalName or Account.SystemName) && acc.Claims is null
                && !ReferenceEquals(acc, SystemAccount);
            string nextDefs = nextByName.TryGetValue(name, out var na) ? na.DefsSignature() : "";
            if (deleted || acc.DefsSignature() != nextDefs) rebuild.Add(name);
        }
        foreach (var a in next.Accounts) if (!_accounts.ContainsKey(a.Name)) rebuild.Add(a.Name);
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var a in next.Accounts)
                if (!rebuild.Contains(a.Name) && a.ImportDefs.Any(i => rebuild.Contains(i.Account))) grew = rebuild.Add(a.Name);
        }

        foreach (var (name, acc) in _accounts)
        {
            if (name is Account.GlobalName or Account.SystemName || nextByName.ContainsKey(name) || acc.Claims is not null
                || ReferenceEquals(acc, SystemAccount)) continue;
            _accounts.TryRemove(name, out _);
            acc.ResetExportsImports();
            Logger.Notice($"Reloaded: deleted account {name}");
        }
        foreach (var a in next.Accounts)
        {
            var target = a.Name == Account.GlobalName ? GlobalAccount : LookupAccount(a.Name);
            if (target is null) target = AddAccount(new Account(a.Name));
            else if (rebuild.Contains(a.Name)) target.ResetExportsImports();
            if (!ReferenceEquals(target, GlobalAccount)) target.TakeLimitsFrom(a);
            if (rebuild.Contains(a.Name)) target.CopyDefsFrom(a);
        }
        if (!nextByName.ContainsKey(Account.GlobalName) && rebuild.Contains(Account.GlobalName)) GlobalAccount.ResetExportsImports();
        var rebuilt = _accounts.Values.Where(a => rebuild.Contains(a.Name)).ToList();
        foreach (var a in rebuilt)
            if (a.ApplyMappings() is { } merr) Logger.Error(merr);
        foreach (var a in rebuilt)
            if (a.ApplyExportsAndImports(LookupAccount) is { } err) Logger.Error(err);
        foreach (var a in rebuilt)
            if (a.ApplyImports(LookupAccount) is { } err) Logger.Error(err);
        // Accounts rebuilt from the new configuration get the system exports and imports again.
        Events?.RegisterAll();

        _users = null;
        _nkeys = null;
        ConfigureAuthorization();
        _info.AuthRequired = AuthRequired;
        if (cur.Username != next.Username) Logger.Notice("Reloaded: authorization username");
        if (cur.Password != next.Password) Logger.Notice("Reloaded: authorization password");
        if (cur.Authorization != next.Authorization) Logger.Notice("Reloaded: authorization token");
        if (cur.AuthTimeout != next.AuthTimeout)
            Logger.Notice($"Reloaded: authorization timeout = {next.EffectiveAuthTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");
        if (next.Users is not null || cur.Users is not null) Logger.Notice("Reloaded: authorization users");
        if (next.Nkeys is not null || cur.Nkeys is not null) Logger.Notice("Reloaded: authorization nkey users");
        if (next.Accounts.Count > 0 || cur.Accounts.Count > 0) Logger.Notice("Reloaded: accounts");

        foreach (var c in _clients.Values)
        {
            if (!c.HasConnected || c.IsClosed) continue;
            // Go closes clients whose user moved to another account (or is gone); they reconnect where they belong.
            if (HasMovedToDifferentAccount(c))
            {
                c.Close(ClosedState.ClientClosed);
                continue;
            }
            if (!CheckAuthentication(c))
            {
                c.AuthViolation();
                continue;
            }
            c.ResetLimits();
            c.ProcessSubsOnConfigReload();
        }
    }

    /// <summary>Go's clientHasMovedToDifferentAccount: a client that named a user or nkey whose entry is gone or now
    /// belongs to another account (users without one are the global account's). A single configured user is not kept
    /// as an entry, so its clients count as moved, as in Go.</summary>
    private bool HasMovedToDifferentAccount(ClientConnection c)
    {
        string? account;
        if (!string.IsNullOrEmpty(c.Options.Nkey))
        {
            if (_nkeys is null || !_nkeys.TryGetValue(c.Options.Nkey, out var nu)) return true;
            account = nu.Account;
        }
        else if (!string.IsNullOrEmpty(c.Options.Username))
        {
            if (_users is null || !_users.TryGetValue(c.Options.Username, out var u)) return true;
            account = u.Account;
        }
        else
        {
            return false;
        }
        return c.Account.Name != (string.IsNullOrEmpty(account) ? Account.GlobalName : account);
    }

    /// <summary>An auth callout as Go prints it with %v (&amp;{Issuer Account [AuthUsers] XKey [AllowedAccounts]}).</summary>
    private static string GoAuthCallout(Auth.AuthCallout? ac) => ac is null ? "<nil>"
        : $"&{{{ac.Issuer} {ac.Account} [{string.Join(" ", ac.AuthUsers)}] {ac.XKey} [{string.Join(" ", ac.AllowedAccounts)}]}}";

    /// <summary>Go's diffOptions: the kinds of change to apply, or Go's error for a change that cannot be made while
    /// running.</summary>
    private static string? Diff(ServerOptions cur, ServerOptions next, out HashSet<string> changes)
    {
        changes = [];
        bool skipTrustedKeys = cur.TrustedOperators is { Count: > 0 } && cur.TrustedKeys is { Count: > 0 };
        // What Go refuses to change at run time, by Go's field names.
        (string Field, object? Old, object? New)[] fixedAtStart =
        [
            ("Host", cur.Host, next.Host), ("Port", cur.Port, next.Port), ("ServerName", cur.ServerName, next.ServerName),
            ("MaxSubs", cur.MaxSubscriptions, next.MaxSubscriptions), ("MaxPending", cur.MaxPending, next.MaxPending),
            ("NoHeaderSupport", cur.NoHeaderSupport, next.NoHeaderSupport),
            ("NoSystemAccount", cur.NoSystemAccount, next.NoSystemAccount),
            ("MaxClosedClients", cur.MaxClosedClients, next.MaxClosedClients),
            ("LameDuckDuration", cur.LameDuckDuration, next.LameDuckDuration),
            ("LameDuckGracePeriod", cur.LameDuckGracePeriod, next.LameDuckGracePeriod),
            ("LogSizeLimit", cur.LogSizeLimit, next.LogSizeLimit), ("LogMaxFiles", cur.LogMaxFiles, next.LogMaxFiles),
            ("WriteTimeout", cur.WriteTimeout.Text(), next.WriteTimeout.Text()), ("HTTPPort", cur.HttpPort, next.HttpPort),
            ("HTTPSPort", cur.HttpsPort, next.HttpsPort), ("HTTPHost", cur.HttpHost, next.HttpHost),
            ("JetStream", cur.JetStream, next.JetStream), ("StoreDir", cur.StoreDir, next.StoreDir),
            ("AllowNonTLS", cur.AllowNonTls, next.AllowNonTls), ("ProxyProtocol", cur.ProxyProtocol, next.ProxyProtocol),
            ("FeatureFlags", GoMap(cur.FeatureFlags), GoMap(next.FeatureFlags)),
            // Go: trusted keys filled in from the operators are not compared, so a change of operators is reported as such.
            ("TrustedKeys", skipTrustedKeys ? "" : string.Join(",", cur.TrustedKeys ?? []), skipTrustedKeys ? "" : string.Join(",", next.TrustedKeys ?? [])),
            ("TrustedOperators", string.Join(",", (cur.TrustedOperators ?? []).Select(x => x.Subject)),
                string.Join(",", (next.TrustedOperators ?? []).Select(x => x.Subject))),
            ("AuthCallout", GoAuthCallout(cur.AuthCallout), GoAuthCallout(next.AuthCallout)),
        ];
        string? unsupported = fixedAtStart.Where(f => !Equals(f.Old, f.New))
            .Select(f => $"config reload not supported for {f.Field}: old={Fmt(f.Old)}, new={Fmt(f.New)}").FirstOrDefault();
        if (unsupported is not null) return unsupported;
        if (DiffCluster(cur, next) is { } clusterErr) return clusterErr;
        if (!RoutesEqual(cur.Routes, next.Routes)) changes.Add("routes");
        if (cur.Cluster.Name != next.Cluster.Name) changes.Add("cluster");
        if (WebsocketReloadError(cur.Websocket, next.Websocket) is { } wsErr) return wsErr;
        if (next.ClientAdvertise.Length > 0 && ParseHostPort(next.ClientAdvertise, 0).Error is { } advErr)
            return $"invalid ClientAdvertise value of {next.ClientAdvertise}, err={advErr}";
        if (cur.NoAuthUser != next.NoAuthUser)
        {
            // Go allows dropping the no_auth_user only when that user is gone too.
            bool allowed = cur.NoAuthUser.Length > 0 && next.NoAuthUser.Length == 0 && !(next.Users ?? []).Any(u => u.Username == cur.NoAuthUser);
            if (!allowed) return $"config reload not supported for NoAuthUser: old={cur.NoAuthUser}, new={next.NoAuthUser}";
        }
        string curSys = cur.SystemAccount.Length == 0 ? Account.SystemName : cur.SystemAccount;
        if (curSys != (next.SystemAccount.Length == 0 ? Account.SystemName : next.SystemAccount))
            return $"config reload not supported for SystemAccount: old={cur.SystemAccount}, new={next.SystemAccount}";

        if (cur.Debug != next.Debug || cur.Trace != next.Trace || cur.TraceVerbose != next.TraceVerbose || cur.TraceHeaders != next.TraceHeaders
            || cur.Logtime != next.Logtime || cur.LogtimeUTC != next.LogtimeUTC || cur.LogFile != next.LogFile
            || cur.Syslog != next.Syslog || cur.RemoteSyslog != next.RemoteSyslog)
            changes.Add("logging");
        if (cur.Tls != next.Tls || cur.TlsVerify != next.TlsVerify || cur.TlsCert != next.TlsCert || cur.TlsKey != next.TlsKey
            || cur.TlsCaCert != next.TlsCaCert || cur.TlsMap != next.TlsMap || cur.TlsTimeout != next.TlsTimeout
            || cur.TlsHandshakeFirst != next.TlsHandshakeFirst || cur.TlsHandshakeFirstFallback != next.TlsHandshakeFirstFallback || cur.TlsMinVersion != next.TlsMinVersion
            || !PinsEqual(cur.TlsPinnedCerts, next.TlsPinnedCerts)
            || !(cur.TlsCertificates ?? []).SequenceEqual(next.TlsCertificates ?? []))
            changes.Add("tls");
        if (cur.TlsOcspPeer != next.TlsOcspPeer || cur.OcspCache != next.OcspCache)
            changes.Add("ocsp");
        return null;
    }

    /// <summary>Go's validateClusterOpts (host, port, advertise); every other cluster or routes change needs the route
    /// runtime to apply it and is refused as Go refuses an option it cannot reload.</summary>
    private static string? DiffCluster(ServerOptions cur, ServerOptions next)
    {
        ClusterOptions o = cur.Cluster, n = next.Cluster;
        if (o.Host != n.Host) return $"config reload not supported for cluster host: old={o.Host}, new={n.Host}";
        if (o.Port != n.Port) return $"config reload not supported for cluster port: old={o.Port}, new={n.Port}";
        if (n.Advertise.Length > 0 && ParseHostPort(n.Advertise, 0).Error is { } advErr)
            return $"invalid Cluster.Advertise value of {n.Advertise}, err={advErr}";
        static string Perm(SubjectPermission? p) => p is null ? "<nil>"
            : $"&{{[{string.Join(" ", p.Allow ?? [])}] [{string.Join(" ", p.Deny ?? [])}]}}";
        static string Perms(RoutePermissions? p) => p is null ? "<nil>" : $"&{{{Perm(p.Import)} {Perm(p.Export)}}}";
        static string GoList<T>(IEnumerable<T> l) => "[" + string.Join(" ", l.Select(x => Fmt(x))) + "]";
        (string Field, object? Old, object? New)[] needRoutes =
        [
            ("Cluster.Username", o.Username, n.Username),
            ("Cluster.Password", o.Password.Length > 0 ? "[REDACTED]" : "", n.Password.Length > 0 ? "[REDACTED]" : ""),
            ("Cluster.AuthTimeout", o.AuthTimeout, n.AuthTimeout), ("Cluster.Permissions", Perms(o.Permissions), Perms(n.Permissions)),
            ("Cluster.Advertise", o.Advertise, n.Advertise), ("Cluster.NoAdvertise", o.NoAdvertise, n.NoAdvertise),
            ("Cluster.ConnectRetries", o.ConnectRetries, n.ConnectRetries), ("Cluster.ConnectBackoff", o.ConnectBackoff, n.ConnectBackoff),
            ("Cluster.PoolSize", o.PoolSize, n.PoolSize), ("Cluster.PinnedAccounts", GoList(o.PinnedAccounts), GoList(n.PinnedAccounts)),
            ("Cluster.Compression", $"{{{o.CompressionMode} {GoList(o.CompressionRttThresholds)}}}", $"{{{n.CompressionMode} {GoList(n.CompressionRttThresholds)}}}"),
            ("Cluster.PingInterval", o.PingInterval, n.PingInterval), ("Cluster.MaxPingsOut", o.MaxPingsOut, n.MaxPingsOut),
            ("Cluster.WriteDeadline", o.WriteDeadline, n.WriteDeadline), ("Cluster.WriteTimeout", o.WriteTimeout.Text(), n.WriteTimeout.Text()),
        ];
        return needRoutes.Where(f => !Equals(f.Old, f.New))
            .Select(f => $"config reload not supported for {f.Field}: old={Fmt(f.Old)}, new={Fmt(f.New)}").FirstOrDefault();
    }

    /// <summary>The same routes, in any order (Go's diffRoutes finds nothing to add or remove).</summary>
    private static bool RoutesEqual(List<Uri> a, List<Uri> b) =>
        a.All(x => b.Any(y => UrlsAreEqual(x, y))) && b.All(y => a.Any(x => UrlsAreEqual(x, y)));

    private static bool PinsEqual(HashSet<string>? a, HashSet<string>? b) =>
        a is null ? b is null : b is not null && a.SetEquals(b);

    /// <summary>Values as Go's %v prints them.</summary>
    /// <summary>A map as Go's %v prints it: map[k:v ...] with sorted keys.</summary>
    private static string GoMap(Dictionary<string, bool>? m) =>
        "map[" + string.Join(" ", (m ?? []).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{(kv.Value ? "true" : "false")}")) + "]";

    private static string Fmt(object? v) => v switch
    {
        null => "<nil>",
        bool b => b ? "true" : "false",
        TimeSpan t => ServerOptions.GoDuration(t),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };
}
