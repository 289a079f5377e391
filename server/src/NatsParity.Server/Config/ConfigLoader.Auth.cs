using System.Globalization;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;

namespace NatsParity.Server.Config;

/// <summary>authorization {} and accounts {} with Go's keys, aliases and checks (opts.go parseAuthorization,
/// parseUsers, parseUserPermissions, parseAccounts).</summary>
public static partial class ConfigLoader
{
    private static Dictionary<string, object?> Map(object? v, string what) =>
        v as Dictionary<string, object?> ?? throw new ConfigException(what);

    /// <summary>Go's parseAuthCallout: an account nkey issuer and the auth users are required; the account defaults to
    /// the global one.</summary>
    private static AuthCallout ParseAuthCallout(object? v)
    {
        if (v is not Dictionary<string, object?> m)
            throw new ConfigException($"Expected authorization callout to be a map/struct, got {v}");
        var ac = new AuthCallout();
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "issuer":
                        ac.Issuer = Str(val);
                        if (!NKeys.IsValidPublicAccountKey(ac.Issuer))
                            throw new ConfigException($"Expected callout user to be a valid public account nkey, got \"{ac.Issuer}\"");
                        break;
                    case "account" or "acc": ac.Account = Str(val); break;
                    case "auth_users" or "users":
                        if (val is not List<object?> users) throw new ConfigException($"Expected auth_users field to be an array, got {GoTypeName(val)}");
                        ac.AuthUsers.AddRange(users.Select(Str));
                        break;
                    case "xkey" or "key":
                        ac.XKey = Str(val);
                        if (!NKeys.IsValidPublicCurveKey(ac.XKey))
                            throw new ConfigException($"Expected callout xkey to be a valid public xkey, got \"{ac.XKey}\"");
                        break;
                    case "allowed_accounts":
                        if (val is not List<object?> accs) throw new ConfigException($"Expected allowed accounts field to be an array, got {GoTypeName(val)}");
                        ac.AllowedAccounts.AddRange(accs.Select(Str));
                        break;
                    default:
                        if (ConfigParser.IsUsedVariable(m, k)) break;
                        throw new ConfigException($"Unknown field \"{k}\" parsing authorization callout");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, k));
            }
        }
        if (ac.Account.Length == 0) ac.Account = Account.GlobalName;
        if (ac.Issuer.Length == 0) throw new ConfigException("Authorization callouts require an issuer to be specified");
        if (ac.AuthUsers.Count == 0) throw new ConfigException("Authorization callouts require authorized users to be specified");
        return ac;
    }

    /// <summary>Go's authorization struct: what one authorization {} block names, before it is applied to the client
    /// port (<see cref="ApplyAuthorization"/>) or to routes (the cluster block's).</summary>
    private sealed class AuthorizationBlock
    {
        public string User = "", Pass = "", Token = "";
        public double? Timeout;
        public List<User>? Users;
        public List<NkeyUser>? Nkeys;
        public Permissions? DefaultPermissions;
        public AuthCallout? Callout;
        public bool? ProxyRequired;
    }

    /// <summary>Go's parseAuthorization.</summary>
    private static AuthorizationBlock ParseAuthorization(object? v, List<string> warnings)
    {
        var m = Map(v, "authorization should be a map");
        var a = new AuthorizationBlock();
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "user" or "username": a.User = Str(val); break;
                    case "pass" or "password": a.Pass = Str(val); break;
                    case "token": a.Token = Str(val); break;
                    case "timeout":
                        double at = TimeoutSeconds(val, "authorization");
                        if (at > 60)
                            warnings.Add(Warning(ConfigParser.PositionOf(m, k), k, $"timeout of {val} ({at.ToString("F6", CultureInfo.InvariantCulture)} seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example"));
                        a.Timeout = at;
                        break;
                    case "users":
                        (a.Nkeys, a.Users) = ParseUsers(val);
                        break;
                    case "default_permission" or "default_permissions" or "permissions":
                        a.DefaultPermissions = ParseUserPermissions(val);
                        break;
                    case "proxy_required": a.ProxyRequired = Bool(val); break;
                    case "auth_callout" or "auth_hook": a.Callout = ParseAuthCallout(val); break;
                    default:
                        if (ConfigParser.IsUsedVariable(m, k)) break;
                        throw new ConfigException($"unknown field \"{k}\"");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, k));
            }
        }
        ApplyDefaultPermissions(a.Users, a.Nkeys, a.DefaultPermissions);
        return a;
    }

    private static void ApplyAuthorization(ServerOptions o, object? v, List<string> warnings)
    {
        var a = ParseAuthorization(v, warnings);
        if (a.Timeout is { } timeout) o.AuthTimeout = TimeSpan.FromSeconds(timeout);
        if (a.ProxyRequired is { } proxyRequired) o.ProxyRequired = proxyRequired;
        if (a.Callout is not null) o.AuthCallout = a.Callout;
        string user = a.User, pass = a.Pass, token = a.Token;
        var (users, nkeys) = (a.Users, a.Nkeys);
        o.Username = user;
        o.Password = pass;
        o.Authorization = token;
        if ((user.Length > 0 || pass.Length > 0) && token.Length > 0) throw new ConfigException("Cannot have a user/pass and token");
        var names = ExistingUserNames(o);
        if (users is not null || names.Count > 0)
        {
            if (user.Length > 0) throw new ConfigException("Can not have a single user/pass and a users array");
            if (token.Length > 0) throw new ConfigException("Can not have a token and a users array");
            if (users is { Count: > 0 })
            {
                foreach (var u in users)
                    if (!names.Add(u.Username)) throw new ConfigException($"Duplicate user \"{u.Username}\" detected");
                (o.Users ??= []).AddRange(users);
            }
        }
        if (nkeys is { Count: > 0 })
        {
            foreach (var u in nkeys)
                if (!names.Add(u.Nkey)) throw new ConfigException($"Duplicate nkey \"{u.Nkey}\" detected");
            (o.Nkeys ??= []).AddRange(nkeys);
        }
    }

    /// <summary>Go's timeout of an authorization or tls block: seconds as a number, or a duration string.</summary>
    private static double TimeoutSeconds(object? val, string block)
    {
        switch (val)
        {
            case long l: return l;
            case double d: return d;
            case string s:
                try { return ParseGoDuration(s).TotalSeconds; }
                catch (ConfigException e) { throw new ConfigException($"error parsing {block} config, 'timeout' {e.Message}"); }
            default: throw new ConfigException($"error parsing {block} config, 'timeout' wrong type");
        }
    }

    private static HashSet<string> ExistingUserNames(ServerOptions o)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in o.Users ?? []) names.Add(u.Username);
        foreach (var u in o.Nkeys ?? []) names.Add(u.Nkey);
        return names;
    }

    private static void ApplyDefaultPermissions(List<User>? users, List<NkeyUser>? nkeys, Permissions? defaults)
    {
        if (defaults is null) return;
        foreach (var u in users ?? []) u.Permissions ??= defaults;
        foreach (var u in nkeys ?? []) u.Permissions ??= defaults;
    }

    /// <summary>Go's parseUsers: an array of maps, each a user (with password) or an nkey.</summary>
    private static (List<NkeyUser>? Nkeys, List<User> Users) ParseUsers(object? v)
    {
        if (v is not List<object?> arr) throw new ConfigException($"Expected users field to be an array, got {v}");
        List<NkeyUser>? keys = null;
        var users = new List<User>();
        foreach (var entry in arr)
        {
            if (entry is not Dictionary<string, object?> um) throw new ConfigException($"Expected user entry to be a map/struct, got {entry}");
            var user = new User();
            var nkey = new NkeyUser();
            Permissions? perms = null;
            foreach (var (k, val) in um)
            {
                try
                {
                    switch (k.ToLowerInvariant())
                    {
                        case "nkey": nkey.Nkey = Str(val); break;
                        case "user" or "username": user.Username = Str(val); break;
                        case "pass" or "password": user.Password = Str(val); break;
                        case "permission" or "permissions" or "authorization": perms = ParseUserPermissions(val); break;
                        case "allowed_connection_types" or "connection_types" or "clients":
                            var list = val switch
                            {
                                string s => [s],
                                List<object?> l => l.Select(x => x as string ?? throw new ConfigException($"error parsing allowed connection types: unsupported type in array {x?.GetType().Name}")).ToList(),
                                _ => throw new ConfigException($"error parsing allowed connection types: unsupported type {val?.GetType().Name}"),
                            };
                            var (types, err) = ConnectionTypes.Convert(list);
                            if (err is not null) throw new ConfigException(err);
                            nkey.AllowedConnectionTypes = types;
                            user.AllowedConnectionTypes = types;
                            break;
                        case "proxy_required": nkey.ProxyRequired = user.ProxyRequired = Bool(val); break;
                        default:
                            if (ConfigParser.IsUsedVariable(um, k)) break;
                            throw new ConfigException($"unknown field \"{k}\"");
                    }
                }
                catch (ConfigException e)
                {
                    throw e.At(ConfigParser.PositionOf(um, k));
                }
            }
            if (perms is not null)
            {
                if (nkey.Nkey.Length > 0) nkey.Permissions = perms;
                else user.Permissions = perms;
            }
            if (nkey.Nkey.Length == 0 && user.Username.Length == 0) throw new ConfigException("User entry requires a user");
            if (nkey.Nkey.Length > 0)
            {
                var at = um.Keys.FirstOrDefault(k => k.Equals("nkey", StringComparison.OrdinalIgnoreCase)) is { } nk ? ConfigParser.PositionOf(um, nk) : null;
                if (!NKeys.IsValidPublicUserKey(nkey.Nkey)) throw new ConfigException(at, "Not a valid public nkey for a user");
                if (user.Username.Length > 0 || user.Password.Length > 0) throw new ConfigException(at, "Nkey users do not take usernames or passwords");
                (keys ??= []).Add(nkey);
            }
            else
            {
                users.Add(user);
            }
        }
        return (keys, users);
    }

    /// <summary>Go's parseUserPermissions: publish/subscribe (old list style or allow/deny) and allow_responses.</summary>
    internal static Permissions ParseUserPermissions(object? v)
    {
        if (v is not Dictionary<string, object?> pm) throw new ConfigException($"Expected permissions to be a map/struct, got {v}");
        var p = new Permissions();
        foreach (var (k, val) in pm)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "pub" or "publish" or "import": p.Publish = ParseVariablePermissions(val, allowQueue: false); break;
                    case "sub" or "subscribe" or "export": p.Subscribe = ParseVariablePermissions(val, allowQueue: true); break;
                    case "publish_allow_responses" or "allow_responses":
                        if (val is bool b) p.Response = b ? new ResponsePermission() : null;
                        else p.Response = ParseAllowResponses(val);
                        if (p.Response is not null)
                        {
                            p.Publish ??= new SubjectPermission();
                            p.Publish.Allow ??= [];
                        }
                        break;
                    default:
                        if (ConfigParser.IsUsedVariable(pm, k)) break;
                        throw new ConfigException($"Unknown field \"{k}\" parsing permissions");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(pm, k));
            }
        }
        return p;
    }

    private static SubjectPermission? ParseVariablePermissions(object? v, bool allowQueue)
    {
        if (v is Dictionary<string, object?> m)
        {
            if (m.Count == 0) return null;
            var sp = new SubjectPermission();
            foreach (var (k, val) in m)
            {
                try
                {
                    switch (k.ToLowerInvariant())
                    {
                        case "allow": sp.Allow = ParsePermSubjects(val, allowQueue); break;
                        case "deny": sp.Deny = ParsePermSubjects(val, allowQueue); break;
                        default: throw new ConfigException($"Unknown field name \"{k}\" parsing subject permissions, only 'allow' or 'deny' are permitted");
                    }
                }
                catch (ConfigException e)
                {
                    throw e.At(ConfigParser.PositionOf(m, k));
                }
            }
            return sp;
        }
        return new SubjectPermission { Allow = ParsePermSubjects(v, allowQueue) };
    }

    private static List<string> ParsePermSubjects(object? v, bool allowQueue)
    {
        List<string> subjects = v switch
        {
            string s => [s],
            List<object?> l => l.Select(x => x as string ?? throw new ConfigException("Subject in permissions array cannot be cast to string")).ToList(),
            _ => throw new ConfigException($"Expected subject permissions to be a subject, or array of subjects, got {GoTypeName(v)}"),
        };
        if (ServerOptions.CheckPermSubjects(subjects, allowQueue) is { } err) throw new ConfigException(err);
        return subjects;
    }

    private static string GoTypeName(object? v) => v switch
    {
        long => "int64",
        double => "float64",
        bool => "bool",
        string => "string",
        DateTime => "time.Time",
        Dictionary<string, object?> => "map[string]interface {}",
        List<object?> => "[]interface {}",
        _ => v?.GetType().Name ?? "<nil>",
    };

    private static ResponsePermission? ParseAllowResponses(object? v)
    {
        if (v is not Dictionary<string, object?> pm) throw new ConfigException("error parsing response permissions, expected a boolean or a map");
        var rp = new ResponsePermission();
        foreach (var (k, val) in pm)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "max" or "max_msgs" or "max_messages" or "max_responses":
                        int max = (int)Int(val);
                        if (max != 0) rp.MaxMsgs = max;
                        break;
                    case "expires" or "expiration" or "ttl":
                        if (val is not string wd) throw new ConfigException("error parsing expires, not a duration string");
                        TimeSpan ttl;
                        try { ttl = ParseGoDuration(wd); }
                        catch (ConfigException e) { throw new ConfigException($"error parsing expires: {e.Message}"); }
                        if (ttl != TimeSpan.Zero) rp.Expires = ttl;
                        break;
                    default: throw new ConfigException($"Unknown field \"{k}\" parsing permissions");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(pm, k));
            }
        }
        return rp;
    }

    /// <summary>Go's parseAccounts: a list of names, or a map of accounts with users, limits and default permissions.</summary>
    private static void ApplyAccounts(ServerOptions o, object? v)
    {
        if (v is List<object?> names)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var n in names)
            {
                string ns = Str(n);
                if (Account.IsReserved(ns)) throw new ConfigException($"\"{ns}\" is a Reserved Account");
                if (!seen.Add(ns)) throw new ConfigException($"Duplicate Account Entry: {ns}");
                o.Accounts.Add(new Account(ns));
            }
            return;
        }
        if (v is not Dictionary<string, object?> am) throw new ConfigException($"Expected an array or map of account entries, got {v}");
        var uorn = ExistingUserNames(o);
        foreach (var (aname, amv) in am)
        {
            try
            {
                if (amv is not Dictionary<string, object?> mv) throw new ConfigException("Expected map entries for accounts");
                if (Account.IsReserved(aname)) throw new ConfigException($"\"{aname}\" is a Reserved Account");
                var acc = new Account(aname);
                o.Accounts.Add(acc);
                List<User>? users = null;
                List<NkeyUser>? nkeys = null;
                foreach (var (k, val) in mv)
                {
                    switch (k.ToLowerInvariant())
                    {
                        case "nkey":
                            if (val is not string nk || !NKeys.IsValidPublicAccountKey(nk))
                                throw new ConfigException($"Not a valid public nkey for an account: \"{val}\"");
                            acc.Nkey = nk;
                            break;
                        case "users": (nkeys, users) = ParseUsers(val); break;
                        case "default_permissions": acc.DefaultPermissions = ParseUserPermissions(val); break;
                        case "limits": ApplyAccountLimits(acc, val); break;
                        case var _ when ConfigParser.IsUsedVariable(mv, k): break;
                        case "exports": acc.ExportDefs.AddRange(ParseExports(val)); break;
                        case "imports": acc.ImportDefs.AddRange(ParseImports(val)); break;
                        case "mappings" or "maps": acc.MappingDefs.AddRange(ParseMappings(val)); break;
                        case "jetstream" or "msg_trace" or "trace_dest":
                            throw new ConfigException($"\"{k}\" in accounts is not supported yet by natsparity-server");
                        default: throw new ConfigException($"unknown field \"{k}\"");
                    }
                }
                // Go reports these at the account's users entry.
                var usersAt = mv.Keys.FirstOrDefault(k => k.Equals("users", StringComparison.OrdinalIgnoreCase)) is { } uk
                    ? ConfigParser.PositionOf(mv, uk) : null;
                if ((nkeys?.Count ?? 0) > 0 || (users?.Count ?? 0) > 0)
                {
                    if (o.Username.Length > 0) throw new ConfigException(usersAt, "Can not have a single user/pass and accounts");
                    if (o.Authorization.Length > 0) throw new ConfigException(usersAt, "Can not have a token and accounts");
                }
                ApplyDefaultPermissions(users, nkeys, acc.DefaultPermissions);
                foreach (var u in nkeys ?? [])
                {
                    if (!uorn.Add(u.Nkey)) throw new ConfigException(usersAt, $"Duplicate nkey \"{u.Nkey}\" detected");
                    u.Account = aname;
                }
                if (nkeys is { Count: > 0 }) (o.Nkeys ??= []).AddRange(nkeys);
                foreach (var u in users ?? [])
                {
                    if (!uorn.Add(u.Username)) throw new ConfigException(usersAt, $"Duplicate user \"{u.Username}\" detected");
                    u.Account = aname;
                }
                if (users is { Count: > 0 }) (o.Users ??= []).AddRange(users);
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(am, aname));
            }
        }
        foreach (var acc in o.Accounts)
            if (acc.ApplyMappings() is { } merr) throw new ConfigException(merr);
        // Exports first, then imports, once every account is defined (Go's parseAccounts).
        Account? Lookup(string name) => o.Accounts.FirstOrDefault(a => a.Name == name);
        foreach (var acc in o.Accounts)
            if (acc.ApplyExportsAndImports(Lookup) is { } err) throw new ConfigException(err);
        foreach (var acc in o.Accounts)
            if (acc.ApplyImports(Lookup) is { } err) throw new ConfigException(err);
    }

    /// <summary>Top-level mappings {}: Go keeps them as the global account's.</summary>
    private static void ApplyGlobalMappings(ServerOptions o, object? v)
    {
        var g = new Account(Account.GlobalName);
        g.MappingDefs.AddRange(ParseMappings(v));
        if (g.ApplyMappings() is { } err) throw new ConfigException(err);
        o.Accounts.Add(g);
    }

    /// <summary>Go's parseAccountMappings: subject to a destination, a list of weighted ones, or one weighted map.</summary>
    private static List<(string, List<MapDest>)> ParseMappings(object? v)
    {
        var m = Map(v, "mappings should be a map");
        var defs = new List<(string, List<MapDest>)>();
        foreach (var (subj, mv) in m)
        {
            try
            {
                if (!NatsParity.Server.Subscriptions.SubjectValidation.IsValidSubject(subj))
                    throw new ConfigException($"Subject \"{subj}\" is not a valid subject");
                switch (mv)
                {
                    case string dest:
                        defs.Add((subj, [new MapDest(dest, 100)]));
                        break;
                    case List<object?> list:
                        defs.Add((subj, list.Select(ParseMapDest).ToList()));
                        break;
                    case Dictionary<string, object?>:
                        defs.Add((subj, [ParseMapDest(mv)]));
                        break;
                    default:
                        throw new ConfigException($"Unknown type {GoTypeName(mv)} for mapping destination");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, subj));
            }
        }
        return defs;
    }

    private static MapDest ParseMapDest(object? v)
    {
        if (v is not Dictionary<string, object?> m) throw new ConfigException("Expected an entry for the mapping destination");
        string subject = "", cluster = "";
        int? weight = null;
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "dest" or "destination": subject = Str(val); break;
                    case "weight":
                        int w = val switch
                        {
                            string s when int.TryParse(s.TrimEnd('%'), out int pw) => pw,
                            string s => throw new ConfigException($"Invalid weight \"{s.TrimEnd('%')}\" for mapping destination"),
                            long l => (int)Math.Clamp(l, int.MinValue, int.MaxValue),
                            _ => throw new ConfigException($"Unknown entry type for weight of {val}\n"),
                        };
                        if (w is > 100 or < 0) throw new ConfigException($"Invalid weight {w} for mapping destination");
                        weight = w;
                        break;
                    case "cluster": cluster = Str(val); break;
                    default: throw new ConfigException($"Unknown field \"{k}\" for mapping destination");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, k));
            }
        }
        if (weight is null) throw new ConfigException($"Missing weight for mapping destination \"{subject}\"");
        return new MapDest(subject, weight.Value, cluster);
    }

    /// <summary>Go's parseAccountExports/parseExportStreamOrService.</summary>
    private static List<ExportDef> ParseExports(object? v)
    {
        if (v is not List<object?> arr) throw new ConfigException($"Exports should be an array, got {GoTypeName(v)}");
        var defs = new List<ExportDef>();
        foreach (var item in arr)
        {
            if (item is not Dictionary<string, object?> m) throw new ConfigException($"Export Items should be a map with type entry, got {GoTypeName(item)}");
            string? stream = null, service = null;
            List<string>? accounts = null;
            var rt = ServiceResponseType.Singleton;
            bool rtSeen = false, threshSeen = false, latSeen = false;
            TimeSpan thresh = TimeSpan.Zero;
            ServiceLatencyConfig? latency = null;
            uint tokPos = 0;
            foreach (var (k, val) in m)
            {
                try
                {
                    switch (k.ToLowerInvariant())
                    {
                        case "stream":
                            if (service is not null) throw new ConfigException($"Detected stream \"{val}\" but already saw a service");
                            if (latSeen) throw new ConfigException("Detected latency directive on non-service").At(ConfigParser.PositionOf(m, m.Keys.First(x => x.Equals("latency", StringComparison.OrdinalIgnoreCase))));
                            stream = val as string ?? throw new ConfigException($"Expected stream name to be string, got {GoTypeName(val)}");
                            break;
                        case "service":
                            if (stream is not null) throw new ConfigException($"Detected service \"{val}\" but already saw a stream");
                            service = val as string ?? throw new ConfigException($"Expected service name to be string, got {GoTypeName(val)}");
                            break;
                        case "response" or "response_type":
                            if (rtSeen) throw new ConfigException("Duplicate response type definition");
                            rtSeen = true;
                            string rts = val as string ?? throw new ConfigException($"Expected response type to be string, got {GoTypeName(val)}");
                            rt = rts.ToLowerInvariant() switch
                            {
                                "single" or "singleton" => ServiceResponseType.Singleton,
                                "stream" => ServiceResponseType.Streamed,
                                "chunk" or "chunked" => ServiceResponseType.Chunked,
                                _ => throw new ConfigException($"Unknown response type: \"{rts}\""),
                            };
                            break;
                        case "threshold" or "response_threshold" or "response_max_time" or "response_time":
                            if (threshSeen) throw new ConfigException("Duplicate response threshold detected");
                            threshSeen = true;
                            string ts = val as string ?? throw new ConfigException($"Expected response threshold to be a parseable time duration, got {GoTypeName(val)}");
                            try { thresh = ParseGoDuration(ts); }
                            catch (ConfigException) { throw new ConfigException($"Expected response threshold to be a parseable time duration, got \"{ts}\""); }
                            break;
                        case "accounts":
                            accounts = (val as List<object?> ?? throw new ConfigException($"Expected accounts to be an array, got {GoTypeName(val)}"))
                                .Select(x => x as string ?? throw new ConfigException("account name should be a string")).ToList();
                            break;
                        case "latency":
                            latSeen = true;
                            latency = ParseServiceLatency(val, ConfigParser.PositionOf(m, k));
                            if (stream is not null) throw new ConfigException("Detected latency directive on non-service");
                            break;
                        case "allow_trace":
                            throw new ConfigException($"export option \"{k}\" is not supported yet by natsparity-server");
                        case "account_token_position":
                            // Go converts the int64 to a uint; a negative one can never name a token, like one past the subject's end.
                            long pos = Int(val);
                            tokPos = pos is < 0 or > uint.MaxValue ? uint.MaxValue : (uint)pos;
                            break;
                        default: throw new ConfigException($"unknown field \"{k}\"");
                    }
                }
                catch (ConfigException e)
                {
                    throw e.At(ConfigParser.PositionOf(m, k));
                }
            }
            if (stream is not null)
            {
                if (rtSeen || threshSeen) throw new ConfigException("Detected response directive on non-service");
                defs.Add(new ExportDef(false, stream, accounts, rt, thresh, tokPos));
            }
            else if (service is not null) defs.Add(new ExportDef(true, service, accounts, rt, thresh, tokPos) { Latency = latency });
        }
        return defs;
    }

    /// <summary>Go's parseServiceLatency: a results subject (every request measured), or a map with sampling (a
    /// percentage, "N%" or "headers") and subject.</summary>
    private static ServiceLatencyConfig ParseServiceLatency(object? v, ConfPos? root)
    {
        if (v is string subject) return new ServiceLatencyConfig(ServiceLatencyConfig.DefaultSampling, subject);
        if (v is not Dictionary<string, object?> m)
            throw new ConfigException($"Expected latency entry to be a map/struct or string, got {GoTypeName(v)}").At(root);
        int sampling = ServiceLatencyConfig.DefaultSampling;
        if (m.TryGetValue("sampling", out var sv))
        {
            var pos = ConfigParser.PositionOf(m, "sampling");
            bool header = false;
            long sample;
            switch (sv)
            {
                case long n:
                    sample = n;
                    break;
                case string str when str.Trim().Equals("headers", StringComparison.OrdinalIgnoreCase):
                    header = true;
                    sample = 0;
                    break;
                case string str:
                    string num = str.EndsWith('%') ? str[..^1] : str;
                    if (!int.TryParse(num, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int parsed))
                        throw new ConfigException($"Failed to parse latency sample: strconv.Atoi: parsing \"{num}\": invalid syntax").At(pos);
                    sample = parsed;
                    break;
                default:
                    throw new ConfigException($"Expected latency sample to be a string or map/struct, got {GoTypeName(sv)}").At(pos);
            }
            if (!header && sample is < 1 or > 100) throw new ConfigException(ServiceErrors.BadSampling).At(pos);
            sampling = (int)sample;
        }
        if (!m.TryGetValue("subject", out var subj)) throw new ConfigException("Latency subject required, but missing").At(root);
        if (subj is not string results)
            throw new ConfigException("Expected latency subject to be a string, got string").At(ConfigParser.PositionOf(m, "subject"));
        return new ServiceLatencyConfig(sampling, results);
    }

    /// <summary>Go's parseAccountImports/parseImportStreamOrService.</summary>
    private static List<ImportDef> ParseImports(object? v)
    {
        if (v is not List<object?> arr) throw new ConfigException($"Imports should be an array, got {GoTypeName(v)}");
        var defs = new List<ImportDef>();
        foreach (var item in arr)
        {
            if (item is not Dictionary<string, object?> m) throw new ConfigException($"Import Items should be a map with type entry, got {GoTypeName(item)}");
            (string Account, string Subject)? stream = null, service = null;
            string prefix = "", to = "";
            bool share = false;
            foreach (var (k, val) in m)
            {
                try
                {
                    switch (k.ToLowerInvariant())
                    {
                        case "stream":
                            if (service is not null) throw new ConfigException("Detected stream but already saw a service");
                            stream = ParseImportAccount(val, "Stream");
                            break;
                        case "service":
                            if (stream is not null) throw new ConfigException("Detected service but already saw a stream");
                            service = ParseImportAccount(val, "Service");
                            break;
                        case "prefix": prefix = Str(val); break;
                        case "to": to = Str(val); break;
                        case "share": share = Bool(val); break;
                        case "allow_trace": throw new ConfigException("import option \"allow_trace\" is not supported yet by natsparity-server");
                        default: throw new ConfigException($"unknown field \"{k}\"");
                    }
                }
                catch (ConfigException e)
                {
                    throw e.At(ConfigParser.PositionOf(m, k));
                }
            }
            if (stream is { } st)
            {
                if (prefix.Length > 0 && to.Length > 0) throw new ConfigException("Stream import can not have a 'prefix' and a 'to' property");
                defs.Add(new ImportDef(false, st.Account, st.Subject, to, prefix, false));
            }
            else if (service is { } sv)
            {
                defs.Add(new ImportDef(true, sv.Account, sv.Subject, to.Length > 0 ? to : sv.Subject, "", share));
            }
        }
        return defs;
    }

    private static (string, string) ParseImportAccount(object? v, string kind)
    {
        if (v is not Dictionary<string, object?> ac) throw new ConfigException($"{kind} entry should be an account map, got {GoTypeName(v)}");
        string account = "", subject = "";
        foreach (var (k, val) in ac)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "account": account = Str(val); break;
                    case "subject": subject = Str(val); break;
                    default: throw new ConfigException($"unknown field \"{k}\"");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(ac, k));
            }
        }
        if (account.Length == 0 || subject.Length == 0) throw new ConfigException("Expect an account name and a subject");
        return (account, subject);
    }

    private static void ApplyAccountLimits(Account acc, object? v)
    {
        if (v is not Dictionary<string, object?> m) throw new ConfigException($"Expected account limits to be a map/struct, got {v}");
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "max_connections" or "max_conn": acc.MaxConnections = (int)Int(val); break;
                    case "max_subscriptions" or "max_subs": acc.MaxSubscriptions = (int)Int(val); break;
                    case "max_payload" or "max_pay": acc.MaxPayload = (int)Int(val); break;
                    case "max_leafnodes" or "max_leafs": acc.MaxLeafNodes = (int)Int(val); break;
                    default: throw new ConfigException($"Unknown field \"{k}\" parsing account limits");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, k));
            }
        }
    }
}
