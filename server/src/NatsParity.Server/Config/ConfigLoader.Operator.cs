using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;

namespace NatsParity.Server.Config;

/// <summary>Operator mode keys (Go's opts.go): trusted keys, operator JWTs, the MEMORY account resolver and its preloads.</summary>
public static partial class ConfigLoader
{
    private static void ApplyTrusted(ServerOptions o, object? v)
    {
        o.TrustedKeys = v switch
        {
            string s => [s],
            List<object?> list => list.Select(x => x as string
                ?? throw new ConfigException($"error parsing trusted: unsupported type in array {GoTypeName(x)}")).ToList(),
            _ => throw new ConfigException($"error parsing trusted: unsupported type {GoTypeName(v)}"),
        };
        foreach (var key in o.TrustedKeys)
            if (!NKeys.IsValidPublicOperatorKey(key))
                throw new ConfigException($"trust key \"{key}\" required to be a valid public operator nkey");
    }

    private static void ApplyOperators(ServerOptions o, object? v)
    {
        var files = v switch
        {
            string s => [s],
            List<object?> list => list.Select(x => x as string
                ?? throw new ConfigException($"error parsing operators: unsupported type {GoTypeName(x)} where string is expected")).ToList(),
            _ => throw new ConfigException($"error parsing operators: unsupported type {GoTypeName(v)}"),
        };
        o.TrustedOperators = [];
        o.TrustedOperatorJwts = [];
        foreach (var f in files)
        {
            try
            {
                var (jwt, claims) = ReadOperatorJwt(f);
                o.TrustedOperators.Add(claims);
                o.TrustedOperatorJwts.Add(jwt);
            }
            catch (Exception e) when (e is JwtException or IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"error parsing operator JWT: {e.Message}");
            }
        }
        if (o.TrustedOperators.Count == 1)
        {
            // One operator's account server is the resolver unless resolver names one (nsc pushes under /accounts).
            string server = o.TrustedOperators[0].AccountServerUrl;
            if (o.AccountResolver is null && Uri.TryCreate(server, UriKind.Absolute, out _))
            {
                o.AccountResolverUrl = server + "/accounts";
                o.AccountResolver = new UrlAccountResolver(o.AccountResolverUrl, ResolverHandler(o));
            }
            // It names the system account unless system_account does.
            if (o.SystemAccount.Length == 0) o.SystemAccount = o.TrustedOperators[0].SystemAccount;
        }
    }

    /// <summary>Go's readOperatorJWT: a file with the (possibly decorated) JWT, or the JWT itself inline.</summary>
    private static (string Jwt, OperatorClaims Claims) ReadOperatorJwt(string fileOrJwt)
    {
        string contents;
        try { contents = File.ReadAllText(fileOrJwt); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            if (!fileOrJwt.StartsWith("eyJ", StringComparison.Ordinal))
                throw new IOException($"open {fileOrJwt}: no such file or directory");
            contents = fileOrJwt;
        }
        string jwt = ParseDecoratedJwt(contents);
        return (jwt, OperatorClaims.Decode(jwt));
    }

    /// <summary>jwt.ParseDecoratedJWT: the JWT between "-----BEGIN ... JWT-----" lines, else the trimmed text.</summary>
    internal static string ParseDecoratedJwt(string contents)
    {
        var lines = contents.Split('\n').Select(l => l.Trim()).ToList();
        int begin = lines.FindIndex(l => l.StartsWith("-----BEGIN", StringComparison.Ordinal) && l.EndsWith("JWT-----", StringComparison.Ordinal));
        if (begin >= 0 && begin + 1 < lines.Count) return lines[begin + 1];
        return contents.Trim();
    }

    private static void ApplyResolver(ServerOptions o, object? v)
    {
        if (v is string s)
        {
            // The resolver named here replaces one an operator's account server URL made.
            o.AccountResolver = null;
            if (System.Text.RegularExpressions.Regex.IsMatch(s, @"(?i)(MEM|MEMORY)\s*"))
            {
                o.AccountResolver = new MemoryAccountResolver();
                return;
            }
            var m = System.Text.RegularExpressions.Regex.Match(s, @"(?i)(?:URL){1}(?:\({1}\s*""?([^\s""]*)""?\s*\){1})?\s*");
            if (m.Success && m.Groups[1].Success)
            {
                string url = m.Groups[1].Value;
                // Go's parseURL: only what url.Parse refuses is an error (a relative URL is not; fetching fails later).
                if (!GoUrlParses(url)) throw new ConfigException($"error parsing account resolver url [\"{url.Trim()}\"]");
                o.AccountResolverUrl = url;
                o.AccountResolver = new UrlAccountResolver(url, ResolverHandler(o));
                return;
            }
        }
        else if (v is Dictionary<string, object?> m)
        {
            o.AccountResolver = null;
            ApplyDirResolver(o, m);
        }
        else
        {
            throw new ConfigException($"error parsing operator resolver, wrong type {GoTypeName(v)}");
        }
        if (o.AccountResolver is null)
            throw new ConfigException("error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])");
    }

    /// <summary>resolver { type: full|cache, dir, allow_delete, hard_delete, limit, ttl, interval, timeout } (Go's
    /// DirAccResolver and CacheDirAccResolver); the directory is made when missing.</summary>
    private static void ApplyDirResolver(ServerOptions o, Dictionary<string, object?> m)
    {
        object? Get(string k) => m.TryGetValue(k, out var x) ? x : null;
        string dir = Get("dir") is { } d ? d as string ?? throw Conversion(d, "string") : "";
        string type = Get("type") is { } t ? t as string ?? throw Conversion(t, "string") : "";
        bool del = Get("allow_delete") is { } ad && (ad is bool adb ? adb : throw Conversion(ad, "bool"));
        bool hdelSet = Get("hard_delete") is not null;
        bool hdel = Get("hard_delete") is { } hd && (hd is bool hdb ? hdb : throw Conversion(hd, "bool"));
        long limit = Get("limit") is { } l ? l as long? ?? throw Conversion(l, "int64") : 0;
        TimeSpan Dur(string key) => Get(key) is { } x ? ParseGoDuration(x as string ?? throw Conversion(x, "string")) : TimeSpan.Zero;
        var ttl = Dur("ttl");
        var sync = Dur("interval");
        TimeSpan? timeout = Get("timeout") is not null ? Dur("timeout") : null;

        var errors = new List<string>();
        void CheckDir()
        {
            if (dir.Length == 0) errors.Add("dir has no value and needs to point to a directory");
            else if (File.Exists(dir)) errors.Add("dir needs to point to an accessible directory");
        }
        try
        {
            switch (type.ToUpperInvariant())
            {
                case "CACHE":
                    CheckDir();
                    if (sync != TimeSpan.Zero) errors.Add("CACHE does not accept sync");
                    if (del) errors.Add("CACHE does not accept allow_delete");
                    if (hdelSet) errors.Add("CACHE does not accept hard_delete");
                    if (errors.Count == 0) o.AccountResolver = DirAccountResolver.Cache(dir, limit, ttl, timeout);
                    break;
                case "FULL":
                    CheckDir();
                    if (ttl != TimeSpan.Zero) errors.Add("FULL does not accept ttl");
                    if (hdelSet && !del) errors.Add("hard_delete has no effect without delete");
                    var delete = !del ? JwtDeleteType.NoDelete : hdel ? JwtDeleteType.HardDelete : JwtDeleteType.RenameDeleted;
                    if (errors.Count == 0) o.AccountResolver = DirAccountResolver.Full(dir, limit, sync, delete, timeout);
                    break;
                case "MEM" or "MEMORY":
                    o.AccountResolver = new MemoryAccountResolver();
                    break;
            }
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException or InvalidOperationException)
        {
            errors.Add(e.Message);
        }
        if (errors.Count > 0) throw new ConfigException(errors[0]);
    }

    /// <summary>Go's url.Parse acceptance: no control characters, well-formed percent escapes, and an absolute URL
    /// when it names a scheme.</summary>
    private static bool GoUrlParses(string url)
    {
        url = url.Trim();
        for (int i = 0; i < url.Length; i++)
        {
            char ch = url[i];
            if (ch < 0x20 || ch == 0x7f) return false;
            if (ch == '%' && (i + 2 >= url.Length || !Uri.IsHexDigit(url[i + 1]) || !Uri.IsHexDigit(url[i + 2]))) return false;
        }
        return !url.Contains("://", StringComparison.Ordinal) || Uri.TryCreate(url, UriKind.Absolute, out _);
    }

    /// <summary>resolver_tls: the client certificate and CA the URL resolver fetches with.</summary>
    private static void ApplyResolverTls(ServerOptions o, object? v)
    {
        var m = Map(v, "resolver_tls should be a map");
        string cert = "", key = "", ca = "";
        foreach (var (k, val) in m)
        {
            switch (k.ToLowerInvariant())
            {
                case "cert_file": cert = val as string ?? throw new ConfigException("error parsing tls config, expected 'cert_file' to be filename"); break;
                case "key_file": key = val as string ?? throw new ConfigException("error parsing tls config, expected 'key_file' to be filename"); break;
                case "ca_file": ca = val as string ?? throw new ConfigException("error parsing tls config, expected 'ca_file' to be filename"); break;
                case "insecure": o.ResolverTlsInsecure = val as bool? ?? throw new ConfigException("error parsing tls config, expected 'insecure' to be a boolean"); break;
                default: throw new ConfigException($"resolver_tls option \"{k}\" is not supported yet by natsparity-server").At(ConfigParser.PositionOf(m, k));
            }
        }
        o.ResolverTls = (cert, key, ca);
        if (o.AccountResolverUrl is { } url) o.AccountResolver = new UrlAccountResolver(url, ResolverHandler(o));
    }

    /// <summary>The HTTP handler of the URL resolver: with resolver_tls, its client certificate and CA.</summary>
    private static HttpMessageHandler? ResolverHandler(ServerOptions o)
    {
        if (o.ResolverTls is not var (cert, key, ca)) return null;
        var handler = new SocketsHttpHandler();
        var ssl = handler.SslOptions;
        if (o.ResolverTlsInsecure) ssl.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (cert.Length > 0 && key.Length > 0)
        {
            using var pem = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(cert, key);
            ssl.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
                pem.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12), null)];
        }
        if (ca.Length > 0 && !o.ResolverTlsInsecure)
        {
            var roots = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
            roots.ImportFromPemFile(ca);
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate is null) return false;
                using var custom = new System.Security.Cryptography.X509Certificates.X509Chain();
                custom.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.AddRange(roots);
                custom.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return custom.Build(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
            };
        }
        return handler;
    }

    private static void ApplyResolverPinnedAccounts(ServerOptions o, object? v)
    {
        o.ResolverPinnedAccounts = v switch
        {
            string s => new HashSet<string>(StringComparer.Ordinal) { s },
            List<object?> list => list.Select(x => x as string ?? throw new ConfigException(
                $"error parsing resolver_pinned_accounts: unsupported type in array {GoTypeName(x)}")).ToHashSet(StringComparer.Ordinal),
            _ => throw new ConfigException($"error parsing resolver_pinned_accounts: unsupported type {GoTypeName(v)}"),
        };
    }

    private static void ApplyResolverPreload(ServerOptions o, Dictionary<string, object?> conf, object? v)
    {
        if (v is not Dictionary<string, object?> m) throw new ConfigException("preload should be a map of account_public_key:account_jwt");
        o.ResolverPreloads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, val) in m)
        {
            var pos = ConfigParser.PositionOf(m, key);
            if (val is not string jwt) throw new ConfigException("preload map value should be a string JWT").At(pos);
            try { AccountClaims.Decode(jwt); }
            catch (JwtException) { throw new ConfigException("invalid account JWT").At(pos); }
            o.ResolverPreloads[key] = jwt;
        }
    }
}
