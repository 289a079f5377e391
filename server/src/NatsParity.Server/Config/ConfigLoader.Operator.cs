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
        // One operator names the system account unless system_account does.
        if (o.TrustedOperators.Count == 1 && o.SystemAccount.Length == 0) o.SystemAccount = o.TrustedOperators[0].SystemAccount;
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
        if (v is string s && System.Text.RegularExpressions.Regex.IsMatch(s, @"(?i)(MEM|MEMORY)\s*"))
        {
            o.AccountResolver = new MemoryAccountResolver();
            return;
        }
        throw new ConfigException("resolver other than MEMORY (URL, full and cache resolvers) is not supported yet by natsparity-server");
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
