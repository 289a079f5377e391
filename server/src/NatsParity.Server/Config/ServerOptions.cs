namespace NatsParity.Server.Config;

/// <summary>The one options model for CLI flags and the conf file; names and defaults as Go's Options (opts.go, const.go).</summary>
public sealed class ServerOptions
{
    public const int DefaultPort = 4222;
    public const string DefaultHost = "0.0.0.0";
    public const int RandomPort = -1;

    public string ConfigFile { get; set; } = "";
    public string ServerName { get; set; } = "";
    public string Host { get; set; } = DefaultHost;
    public int Port { get; set; } = DefaultPort;
    public string ClientAdvertise { get; set; } = "";

    public int MaxConnections { get; set; } = 64 * 1024;
    public int MaxSubscriptions { get; set; }
    public int MaxPayload { get; set; } = 1024 * 1024;
    public long MaxPending { get; set; } = 64 * 1024 * 1024;
    public int MaxControlLine { get; set; } = 4096;
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromMinutes(2);
    public int MaxPingsOut { get; set; } = 2;
    public TimeSpan WriteDeadline { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>write_timeout: what a client write that misses the write deadline does (Go's WriteTimeout).</summary>
    public WriteTimeoutPolicy WriteTimeout { get; set; }
    public bool NoHeaderSupport { get; set; }
    public bool NoSystemAccount { get; set; }
    public int MaxClosedClients { get; set; } = 10_000;
    /// <summary>no_fast_producer_stall: a publisher is not held back for a receiver that falls behind; the receiver
    /// misses the message instead (Go's NoFastProducerStall).</summary>
    public bool NoFastProducerStall { get; set; }
    /// <summary>Go's DEFAULT_CONNECT_ERROR_REPORTS and DEFAULT_RECONNECT_ERROR_REPORTS.</summary>
    public const int DefaultConnectErrorReports = 3600, DefaultReconnectErrorReports = 1;
    /// <summary>connect_error_reports: every how many failed attempts a route, gateway or leafnode connect error is
    /// logged. Those links are not built, so nothing is logged yet; the key is taken and reloaded as Go takes it.</summary>
    public int ConnectErrorReports { get; set; } = DefaultConnectErrorReports;
    /// <summary>reconnect_error_reports: as <see cref="ConnectErrorReports"/>, for reconnects.</summary>
    public int ReconnectErrorReports { get; set; } = DefaultReconnectErrorReports;
    /// <summary>max_sub_tokens: a client subscription with more tokens is refused (0: no limit).</summary>
    public int MaxSubTokens { get; set; }
    /// <summary>disable_sublist_cache: accounts match without the sublist's result cache.</summary>
    public bool NoSublistCache { get; set; }

    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public string Authorization { get; set; } = "";
    public TimeSpan AuthTimeout { get; set; }
    public string NoAuthUser { get; set; } = "";
    /// <summary>authorization { auth_callout {} }: clients that fail (or skip) local auth are authorized by a service.</summary>
    public Auth.AuthCallout? AuthCallout { get; set; }
    /// <summary>Go's configDigest: the SHA-256 of the parsed conf file, reported by varz.</summary>
    public string ConfigDigest { get; set; } = "";
    /// <summary>True when the conf file has an authorization {} block (Go's authBlockDefined).</summary>
    public bool AuthBlockDefined { get; set; }
    /// <summary>authorization { users }: users with passwords; null when none were configured.</summary>
    public List<Auth.User>? Users { get; set; }
    /// <summary>trusted_keys: operator public keys whose account JWTs are trusted (operator mode).</summary>
    public List<string>? TrustedKeys { get; set; }
    /// <summary>operator: the operators' decoded JWTs (their keys and signing keys are trusted).</summary>
    public List<Auth.Jwt.OperatorClaims>? TrustedOperators { get; set; }
    /// <summary>server_tags: the server's tags (trimmed, without empties or repeats), shown in varz and events and
    /// matched by event filters.</summary>
    public List<string> Tags { get; set; } = [];
    /// <summary>server_metadata: the server's key/value metadata, shown in varz and events.</summary>
    public SortedDictionary<string, string>? Metadata { get; set; }
    /// <summary>feature_flags: the user's values for feature flags (see <see cref="Config.FeatureFlags"/>).</summary>
    public Dictionary<string, bool>? FeatureFlags { get; set; }
    /// <summary>default_sentinel: the (bearer) user JWT used for clients that present none, in operator mode.</summary>
    public string DefaultSentinel { get; set; } = "";
    /// <summary>The operator JWTs as configured (varz shows them).</summary>
    public List<string>? TrustedOperatorJwts { get; set; }
    /// <summary>resolver: where account JWTs are found (only MEMORY here).</summary>
    public Auth.Jwt.IAccountResolver? AccountResolver { get; set; }
    /// <summary>resolver: URL(...): the base URL account JWTs are fetched from.</summary>
    public string? AccountResolverUrl { get; set; }
    /// <summary>resolver_tls: the URL resolver's client certificate, key and CA files.</summary>
    public (string Cert, string Key, string Ca)? ResolverTls { get; set; }
    /// <summary>resolver_tls { insecure: true }: the account server's certificate is not verified.</summary>
    public bool ResolverTlsInsecure { get; set; }
    /// <summary>resolver_preload: account JWTs stored in the resolver at start.</summary>
    public Dictionary<string, string>? ResolverPreloads { get; set; }
    /// <summary>resolver_pinned_accounts: with operators, only users of these accounts (and the system account) may
    /// connect; null when not configured.</summary>
    public HashSet<string>? ResolverPinnedAccounts { get; set; }
    /// <summary>authorization { users } entries with an nkey; null when none were configured.</summary>
    public List<Auth.NkeyUser>? Nkeys { get; set; }
    /// <summary>authorization { proxy_required }: the single user or token must come through a trusted proxy.</summary>
    public bool ProxyRequired { get; set; }
    /// <summary>proxies {}: the proxies whose signature of the nonce clients may carry (Go's ProxiesConfig); null when
    /// not configured.</summary>
    public ProxiesConfig? Proxies { get; set; }
    /// <summary>accounts {}: the accounts this server creates besides the global one.</summary>
    public List<Accounts.Account> Accounts { get; set; } = [];
    /// <summary>system_account: the account for $SYS; empty selects $SYS.</summary>
    public string SystemAccount { get; set; } = "";
    /// <summary>Go's AlwaysEnableNonce: INFO carries a nonce even without nkey users.</summary>
    public bool AlwaysEnableNonce { get; set; }

    /// <summary>Go's CustomClientAuthentication: an embedder's check of every client in place of the configured users.
    /// Not a conf key; a reload keeps the running one.</summary>
    public Auth.IAuthentication? CustomClientAuthentication { get; set; }

    /// <summary>Go's DisableShortFirstPing: the first PING waits the full ping interval rather than at most 2 s.
    /// Not a conf key; a reload keeps the running one.</summary>
    public bool DisableShortFirstPing { get; set; }

    public TimeSpan LameDuckDuration { get; set; } = TimeSpan.FromMinutes(2);
    public TimeSpan LameDuckGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    public string PidFile { get; set; } = "";
    public string PortsFileDir { get; set; } = "";
    public string LogFile { get; set; } = "";
    public long LogSizeLimit { get; set; }
    /// <summary>Go's logfile_max_num: how many log files rotation keeps (the current one and its backups); 0 or less keeps all.</summary>
    public long LogMaxFiles { get; set; }
    public bool Logtime { get; set; } = true;
    public bool LogtimeUTC { get; set; }
    public bool Debug { get; set; }
    public bool Trace { get; set; }
    public bool TraceVerbose { get; set; }
    public bool Syslog { get; set; }
    /// <summary>Go's NoLog: no log output at all (embedded servers and tests).</summary>
    public bool NoLog { get; set; }
    public string RemoteSyslog { get; set; } = "";
    public int MaxTracedMsgLen { get; set; }
    /// <summary>Go's trace_headers: message traces show only the header block.</summary>
    public bool TraceHeaders { get; set; }

    public int HttpPort { get; set; }
    public int HttpsPort { get; set; }
    public string HttpHost { get; set; } = "";
    /// <summary>http_base_path: the prefix of every monitoring endpoint.</summary>
    public string HttpBasePath { get; set; } = "";
    public int ProfPort { get; set; }
    public bool CheckConfig { get; set; }

    public bool Tls { get; set; }
    public bool TlsVerify { get; set; }
    public string TlsCert { get; set; } = "";
    public string TlsKey { get; set; } = "";
    public string TlsCaCert { get; set; } = "";
    /// <summary>tls { certs }: several certificate/key pairs; the client's server name picks one (the first that
    /// covers it, else the first).</summary>
    public List<(string CertFile, string KeyFile)>? TlsCertificates { get; set; }
    /// <summary>tls { timeout }: the handshake deadline (Go's DEFAULT_TLS_TIMEOUT is 2s).</summary>
    public TimeSpan TlsTimeout { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>tls { verify_and_map }: the user comes from the client certificate.</summary>
    public bool TlsMap { get; set; }
    /// <summary>tls { handshake_first }: TLS before the INFO.</summary>
    public bool TlsHandshakeFirst { get; set; }
    /// <summary>Go's TLSHandshakeFirstFallback: with handshake_first, how long to wait for the client's TLS handshake
    /// before treating it as a client that waits for INFO (zero: no fallback).</summary>
    public TimeSpan TlsHandshakeFirstFallback { get; set; }

    /// <summary>Go's DEFAULT_TLS_HANDSHAKE_FIRST_FALLBACK_DELAY (handshake_first: auto).</summary>
    public static readonly TimeSpan DefaultTlsHandshakeFirstFallback = TimeSpan.FromMilliseconds(50);
    /// <summary>tls { min_version }: "1.2" or "1.3" from a conf ("1.0" and "1.1" are refused when TLS is set up).</summary>
    public string TlsMinVersion { get; set; } = "";
    /// <summary>tls { connection_rate_limit }: TLS handshakes started per second on the client port (0: no limit).</summary>
    public long TlsRateLimit { get; set; }
    /// <summary>tls { insecure }: kept as Go keeps it; the client port does not verify servers, so it changes nothing there.</summary>
    public bool TlsInsecure { get; set; }
    /// <summary>tls { pinned_certs }: lower-case hex SHA-256 of the client certificates' SubjectPublicKeyInfo that may
    /// connect (null: any).</summary>
    public HashSet<string>? TlsPinnedCerts { get; set; }
    /// <summary>tls { ocsp_peer }: OCSP checks of the client certificates (null: not configured).</summary>
    public OcspPeerConfig? TlsOcspPeer { get; set; }
    /// <summary>ocsp_cache: where OCSP peer responses are kept (null: Go's default, a local cache).</summary>
    public OcspResponseCacheConfig? OcspCache { get; set; }
    /// <summary>allow_non_tls: with TLS configured, clients may also connect in plain text (INFO tls_available).</summary>
    public bool AllowNonTls { get; set; }
    /// <summary>proxy_protocol: client connections may start with a PROXY v1 or v2 header giving the client's address
    /// behind a load balancer.</summary>
    public bool ProxyProtocol { get; set; }
    /// <summary>TLS on the client port: --tls/--tlsverify or a tls {} block.</summary>
    public bool TlsEnabled => Tls || TlsVerify;

    /// <summary>websocket {}: the WebSocket client listener (Go's Options.Websocket).</summary>
    public WebsocketOptions Websocket { get; set; } = new();

    /// <summary>The cluster {} block and the cluster flags.</summary>
    public ClusterOptions Cluster { get; set; } = new();
    /// <summary>Routes to solicit (conf "routes", --routes): nats-route://[user:pass@]host:port URLs.</summary>
    public List<Uri> Routes { get; set; } = [];
    /// <summary>The --routes flag as given (Go's RoutesStr).</summary>
    public string RoutesStr { get; set; } = "";
    public bool JetStream { get; set; }
    public string StoreDir { get; set; } = "";

    /// <summary>Go's default auth timeout: 2s, or the TLS timeout when TLS is on.</summary>
    public TimeSpan EffectiveAuthTimeout => AuthTimeout > TimeSpan.Zero ? AuthTimeout
        : TlsEnabled ? TlsTimeout + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(2);

    public bool AuthRequired => Username.Length > 0 || Authorization.Length > 0 || Users is not null || Nkeys is not null;

    /// <summary>
    /// Go's Options.ProcessConfigFile: the conf file's values over these options. A syntax error throws
    /// <see cref="ConfigException"/>; anything Go collects as errors or warnings throws <see cref="ConfigProcessException"/>
    /// after every key was processed (with only warnings, the options hold the file's values).
    /// </summary>
    public void ProcessConfigFile(string path)
    {
        ConfigFile = path;
        if (path.Length == 0) return;
        var tree = ConfigParser.ParseFile(path);
        ConfigDigest = ConfigParser.Digest(tree);
        var (errors, warnings) = ConfigLoader.Process(this, tree, path);
        if (errors.Count > 0 || warnings.Count > 0) throw new ConfigProcessException(errors, warnings);
    }

    /// <summary>Go's Options.ProcessConfigString: conf text processed as a file would be.</summary>
    public void ProcessConfigString(string data)
    {
        var tree = ConfigParser.Parse(data);
        ConfigDigest = ConfigParser.Digest(tree);
        var (errors, warnings) = ConfigLoader.Process(this, tree);
        if (errors.Count > 0 || warnings.Count > 0) throw new ConfigProcessException(errors, warnings);
    }

    /// <summary>Go's ProcessConfigFile: options from a conf file alone; warnings alone do not fail it.</summary>
    public static ServerOptions FromConfigFile(string path)
    {
        var o = new ServerOptions();
        try
        {
            o.ProcessConfigFile(path);
        }
        catch (ConfigProcessException e) when (e.Errors.Count == 0)
        {
        }
        return o;
    }

    /// <summary>Go's Options.Clone: a shallow copy whose users and nkey users are copies of their own.</summary>
    public ServerOptions Clone()
    {
        var o = (ServerOptions)MemberwiseClone();
        o.Cluster = Cluster.Clone();
        o.Routes = [.. Routes];
        if (Users is not null) o.Users = Users.Select(u => u.Clone()).ToList();
        if (Nkeys is not null) o.Nkeys = Nkeys.Select(n => n.Clone()).ToList();
        return o;
    }

    /// <summary>Go's setBaselineOptions for the listen addresses: an empty host is every interface, and monitoring
    /// listens where clients do unless told otherwise.</summary>
    public void SetBaselineOptions()
    {
        // Go: no port means the default one; the random port (-1) becomes zero, for the listener to pick.
        if (Port == 0) Port = DefaultPort;
        else if (Port == RandomPort) Port = 0;
        if (Host.Length == 0) Host = DefaultHost;
        if (Websocket.Port != 0 && Websocket.Host.Length == 0) Websocket.Host = DefaultHost;
        if (HttpHost.Length == 0) HttpHost = Host;
        if (ConnectErrorReports == 0) ConnectErrorReports = DefaultConnectErrorReports;
        if (ReconnectErrorReports == 0) ReconnectErrorReports = DefaultReconnectErrorReports;
        var c = Cluster;
        if (c.Enabled)
        {
            // Go's setBaselineOptions for the cluster: every interface, Go's timeouts, a pool of three routes per
            // remote with the system account on a route of its own, and compression only when a remote asks for it.
            if (c.Host.Length == 0) c.Host = DefaultHost;
            if (c.TlsTimeout == 0) c.TlsTimeout = 2;
            if (c.AuthTimeout == 0) c.AuthTimeout = 2; // Go: the TLS timeout plus one second once route TLS is built
            if (c.PoolSize == 0) c.PoolSize = ClusterOptions.DefaultPoolSize;
            if (c.PoolSize > 0)
            {
                string sys = SystemAccount.Length > 0 ? SystemAccount : NoSystemAccount ? "" : "$SYS";
                if (sys.Length > 0 && !c.PinnedAccounts.Contains(sys)) c.PinnedAccounts.Add(sys);
            }
            if (c.CompressionMode.Length == 0) c.CompressionMode = CompressionModes.Accept;
        }
    }

    /// <summary>Go's validateOptions (server.go) for the options built so far; null when they are consistent.</summary>
    public string? Validate()
    {
        if (ValidateTrustedOperators() is { } op) return op;
        if (LameDuckDuration > TimeSpan.Zero && LameDuckGracePeriod >= LameDuckDuration)
            return $"lame duck grace period ({GoDuration(LameDuckGracePeriod)}) should be strictly lower than lame duck duration ({GoDuration(LameDuckDuration)})";
        if (MaxPayload > MaxPending)
            return $"max_payload ({MaxPayload}) cannot be higher than max_pending ({MaxPending})";
        if (ServerName.Contains(' '))
            return "server name cannot contain spaces";
        if (MaxSubTokens > byte.MaxValue)
            return "max_sub_tokens value is too big";
        if (TlsEnabled && TlsCertificates is null && TlsCert.Length == 0) return "TLS Server certificate must be present and valid";
        if (TlsEnabled && TlsCertificates is null && TlsKey.Length == 0) return "TLS Server private key must be present and valid";
        if (ValidateAuth() is { } auth) return auth;
        if (ValidateProxies() is { } proxies) return proxies;
        if (ValidateCluster() is { } cluster) return cluster;
        return Websocket.Validate(this);
    }

    /// <summary>Go's ErrClusterNameHasSpaces.</summary>
    public const string ErrClusterNameHasSpaces = "cluster name cannot contain spaces";

    /// <summary>Go's validateCluster for what is built: the name, the route permissions' subjects, the compression mode
    /// (normalized here, as Go does) and the pinned accounts against the pool size and each other.</summary>
    private string? ValidateCluster()
    {
        var c = Cluster;
        if (c.Name.Contains(' ')) return ErrClusterNameHasSpaces;
        if (c.Permissions is { } p && ConfigLoader.CheckClusterPermissionSubjects(p.Import, p.Export) is { } perms) return perms;
        if (c.CompressionMode.Length > 0)
        {
            string mode = c.CompressionMode;
            var rtts = c.CompressionRttThresholds;
            if (CompressionModes.ValidateAndNormalize(ref mode, ref rtts, CompressionModes.S2Fast) is { } err) return err;
            (c.CompressionMode, c.CompressionRttThresholds) = (mode, rtts);
        }
        if (c.PinnedAccounts.Count > 0)
        {
            if (c.PoolSize < 0) return "pool_size cannot be negative if pinned accounts are specified";
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in c.PinnedAccounts)
                if (!seen.Add(a))
                    return $"found duplicate account name \"{a}\" in pinned accounts list [{string.Join(" ", c.PinnedAccounts.Select(x => $"\"{x}\""))}]";
        }
        return null;
    }

    /// <summary>Go's validateProxies: every trusted key is a public nkey.</summary>
    private string? ValidateProxies()
    {
        foreach (var p in Proxies?.Trusted ?? [])
            if (!Auth.NKeys.IsValidPublicKey(p.Key)) return $"proxy trusted key \"{p.Key}\" is invalid";
        return null;
    }

    /// <summary>Go's validateTrustedOperators: operators need a resolver and exclude configured accounts, users and
    /// trusted keys.</summary>
    private string? ValidateTrustedOperators()
    {
        if (TrustedOperators is not { Count: > 0 })
            return DefaultSentinel.Length > 0 ? "default sentinel requires operators and accounts" : null;
        if (DefaultSentinel.Length > 0)
        {
            Auth.Jwt.UserClaims juc;
            try { juc = Auth.Jwt.UserClaims.Decode(DefaultSentinel); }
            catch (Auth.Jwt.JwtException) { return "default sentinel JWT not valid"; }
            // A scoped user (issuer account, no permissions of its own) is checked when it is used.
            bool scoped = !juc.BearerToken && juc.IssuerAccount.Length > 0 && juc.HasEmptyPermissions;
            if (!scoped && !juc.BearerToken) return "default sentinel must be a bearer token";
        }
        if (AccountResolver is null) return "operators require an account resolver to be configured";
        if (Accounts.Count > 0) return "operators do not allow Accounts to be configured directly";
        if (Users is { Count: > 0 } || Nkeys is { Count: > 0 }) return "operators do not allow users to be configured directly";
        if (TrustedKeys is { Count: > 0 }) return "conflicting options for 'TrustedKeys' and 'TrustedOperators'";
        if (SystemAccount.Length > 0)
        {
            bool nonEmpty = TrustedOperators.Any(op => op.SystemAccount.Length > 0);
            if (nonEmpty && !TrustedOperators.Any(op => op.SystemAccount == SystemAccount))
                return "system_account in config and operator JWT must be identical";
        }
        else if (TrustedOperators[0].SystemAccount.Length == 0 && AccountResolver is Auth.Jwt.DirAccountResolver)
        {
            return "using nats based account resolver - the system account needs to be specified in configuration or the operator jwt";
        }
        var (srvMajor, srvMinor, srvUpdate) = VersionComponents(NatsServer.Version) ?? (0, 0, 0);
        foreach (var op in TrustedOperators)
        {
            if (op.AssertServerVersion.Length == 0) continue;
            if (VersionComponents(op.AssertServerVersion) is not var (major, minor, update))
                return $"operator {op.Subject} expects version {op.AssertServerVersion} got error instead: invalid version";
            if (major > srvMajor) return $"operator {op.Subject} expected major version {major} > server major version {srvMajor}";
            if (srvMajor > major) continue;
            if (minor > srvMinor) return $"operator {op.Subject} expected minor version {minor} > server minor version {srvMinor}";
            if (srvMinor > minor) continue;
            if (update > srvUpdate) return $"operator {op.Subject} expected update version {update} > server update version {srvUpdate}";
        }
        // Go: the operators' keys become the trusted keys of these options.
        TrustedKeys = [];
        foreach (var op in TrustedOperators)
        {
            if (!op.StrictSigningKeyUsage) TrustedKeys.Add(op.Subject);
            TrustedKeys.AddRange(op.SigningKeys);
        }
        foreach (var key in TrustedKeys)
            if (!Auth.NKeys.IsValidPublicOperatorKey(key)) return $"trusted Keys \"{key}\" are required to be a valid public operator nkey";
        if (ResolverPinnedAccounts is { Count: > 0 } pinned)
        {
            foreach (var key in pinned)
                if (!Auth.NKeys.IsValidPublicAccountKey(key)) return $"pinned account key \"{key}\" is not a valid public account nkey";
            // The operator's system account can always connect.
            if (SystemAccount.Length > 0) pinned.Add(SystemAccount);
        }
        // Go's validateTrustedOperators: in operator mode the callout lives in the account JWT.
        if (AuthCallout is not null) return "operators do not allow authorization callouts to be configured directly";
        return null;
    }

    /// <summary>Go's versionComponents: major, minor and update of "2.15.0-dev".</summary>
    private static (int, int, int)? VersionComponents(string version)
    {
        var m = System.Text.RegularExpressions.Regex.Match(version, @"^v?(\d+)\.(\d+)\.(\d+)");
        if (!m.Success) return null;
        return (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Go's validateAuth: connection types, permission subjects and no_auth_user.</summary>
    private string? ValidateAuth()
    {
        foreach (var u in Users ?? [])
        {
            if (ValidateConnectionTypes(u.AllowedConnectionTypes) is { } e) return e;
            if (ValidatePermissionSubjects(u.Permissions) is { } pe) return $"invalid permissions for user \"{u.Username}\": {pe}";
        }
        foreach (var u in Nkeys ?? [])
        {
            if (ValidateConnectionTypes(u.AllowedConnectionTypes) is { } e) return e;
            if (ValidatePermissionSubjects(u.Permissions) is { } pe) return $"invalid permissions for nkey \"{u.Nkey}\": {pe}";
        }
        return NoAuthUser.Length == 0 ? null : ValidateNoAuthUser(NoAuthUser);
    }

    /// <summary>Go's validateNoAuthUser: the user must be configured.</summary>
    internal string? ValidateNoAuthUser(string noAuthUser)
    {
        if (Nkeys is null && Users is null)
            return $"no_auth_user: \"{noAuthUser}\" present, but users/nkeys are not defined";
        if ((Users ?? []).Any(u => u.Username == noAuthUser) || (Nkeys ?? []).Any(u => u.Nkey == noAuthUser)) return null;
        return $"no_auth_user: \"{noAuthUser}\" not present as user or nkey in authorization block or account configuration";
    }

    private static string? ValidateConnectionTypes(HashSet<string>? types)
    {
        if (types is null) return null;
        foreach (var t in types.ToList())
        {
            var (_, err) = Auth.ConnectionTypes.Convert([t]);
            if (err is not null) return err;
            if (t != t.ToUpperInvariant())
            {
                types.Remove(t);
                types.Add(t.ToUpperInvariant());
            }
        }
        return null;
    }

    private static string? ValidatePermissionSubjects(Auth.Permissions? p)
    {
        if (p is null) return null;
        if (p.Publish is not null)
        {
            if (CheckPermSubjects(p.Publish.Allow, false) is { } e) return $"publish allow: {e}";
            if (CheckPermSubjects(p.Publish.Deny, false) is { } e2) return $"publish deny: {e2}";
        }
        if (p.Subscribe is not null)
        {
            if (CheckPermSubjects(p.Subscribe.Allow, true) is { } e) return $"subscribe allow: {e}";
            if (CheckPermSubjects(p.Subscribe.Deny, true) is { } e2) return $"subscribe deny: {e2}";
        }
        return null;
    }

    /// <summary>Go's checkPermSubjectArray: each entry a valid subject, or "subject queue" where queues are allowed.</summary>
    public static string? CheckPermSubjects(IEnumerable<string>? subjects, bool allowQueue)
    {
        foreach (var s in subjects ?? [])
        {
            if (Subscriptions.SubjectValidation.IsValidSubject(s)) continue;
            if (!allowQueue) return $"subject \"{s}\" is not a valid subject";
            var el = s.Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
            if (el.Length != 2) return $"subject \"{s}\" is not a valid subject";
            if (!Subscriptions.SubjectValidation.IsValidSubject(el[0])) return $"subject \"{el[0]}\" is not a valid subject";
            if (!Subscriptions.SubjectValidation.IsValidSubject(el[1])) return $"queue \"{el[1]}\" is not a valid queue";
        }
        return null;
    }

    /// <summary>Go's time.Duration String(): "1h2m3s", "1.5s", "100ms", "0s".</summary>
    public static string GoDuration(TimeSpan d)
    {
        if (d == TimeSpan.Zero) return "0s";
        if (d < TimeSpan.FromSeconds(1))
        {
            double ms = d.TotalMilliseconds;
            return ms >= 1 ? $"{ms.ToString("0.######", System.Globalization.CultureInfo.InvariantCulture)}ms"
                : $"{(d.Ticks * 100 / 1000.0).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}µs";
        }
        var sb = new System.Text.StringBuilder();
        long hours = (long)d.TotalHours;
        if (hours > 0) sb.Append(hours).Append('h');
        if (hours > 0 || d.Minutes > 0) sb.Append(d.Minutes).Append('m');
        double secs = d.Seconds + d.Milliseconds / 1000.0 + (d.Ticks % TimeSpan.TicksPerMillisecond) / 1e7;
        sb.Append(secs.ToString("0.#########", System.Globalization.CultureInfo.InvariantCulture)).Append('s');
        return sb.ToString();
    }
}

/// <summary>proxies {}: Go's ProxiesConfig.</summary>
public sealed class ProxiesConfig
{
    /// <summary>trusted: the proxies, in configuration order (varz lists them so).</summary>
    public List<ProxyConfig> Trusted { get; set; } = [];
}

/// <summary>One trusted proxy: its public nkey (Go's ProxyConfig).</summary>
public sealed class ProxyConfig
{
    public string Key { get; set; } = "";
}
