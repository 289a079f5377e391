using System.Text.Json.Nodes;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>jwt.NoLimit.</summary>
public static class JwtLimits
{
    public const long NoLimit = -1;
}

/// <summary>The claims every NATS JWT has (jwt.ClaimsData) and its nats.type / nats.version.</summary>
public abstract class JwtClaims
{
    protected JwtClaims(string subject) => Subject = subject;

    public string Id { get; set; } = "";
    public long IssuedAt { get; set; }
    public string Issuer { get; set; } = "";
    public string Name { get; set; } = "";
    public string Subject { get; set; }
    /// <summary>"aud": who the claims are for (a server id, a request subject, or a callout's target account).</summary>
    public string Audience { get; set; } = "";
    /// <summary>Unix seconds; 0 for never.</summary>
    public long Expires { get; set; }
    /// <summary>Unix seconds; 0 for at once.</summary>
    public long NotBefore { get; set; }
    public List<string> Tags { get; set; } = [];

    protected abstract string ClaimType { get; }

    /// <summary>The library's blocking validation of time: expired, or not valid yet.</summary>
    public string? TimeError(DateTimeOffset now)
    {
        long t = now.ToUnixTimeSeconds();
        if (Expires > 0 && t > Expires) return "claim is expired";
        if (NotBefore > 0 && t < NotBefore) return "claim is not yet valid";
        return null;
    }

    public bool IsExpired(DateTimeOffset now) => Expires > 0 && now.ToUnixTimeSeconds() > Expires;

    /// <summary>Signs the claims with <paramref name="issuer"/> (jwt's Encode).</summary>
    public string Encode(NKeyPair issuer)
    {
        var nats = new JsonObject();
        WriteNats(nats);
        if (Tags.Count > 0) nats["tags"] = ToArray(Tags);
        nats["type"] = ClaimType;
        nats["version"] = 2;
        var o = new JsonObject();
        if (Audience.Length > 0) o["aud"] = Audience;
        if (Expires != 0) o["exp"] = Expires;
        o["iat"] = IssuedAt;
        if (Name.Length > 0) o["name"] = Name;
        if (NotBefore != 0) o["nbf"] = NotBefore;
        o["sub"] = Subject;
        o["nats"] = nats;
        string token = JwtCodec.Encode(o, issuer);
        Issuer = issuer.PublicKey;
        return token;
    }

    protected abstract void WriteNats(JsonObject nats);

    protected void ReadCommon(JsonObject o)
    {
        Id = Str(o, "jti");
        IssuedAt = Long(o, "iat");
        Issuer = Str(o, "iss");
        Name = Str(o, "name");
        Subject = Str(o, "sub");
        Audience = Str(o, "aud");
        Expires = Long(o, "exp");
        NotBefore = Long(o, "nbf");
        if (o["nats"] is JsonObject nats && nats["tags"] is JsonArray tags) Tags = Strings(tags);
    }

    /// <summary>Decodes a verified JWT and checks it is of <paramref name="type"/>.</summary>
    protected static JsonObject DecodeOfType(string token, string type, string? mismatch = null)
    {
        var o = JwtCodec.DecodeVerified(token);
        // Version 2 keeps the type under "nats"; version 1 at the top.
        string actual = Str(o["nats"] as JsonObject, "type") is { Length: > 0 } t ? t : Str(o, "type");
        if (actual != type) throw new JwtException(mismatch ?? $"not {(type is "account" or "operator" ? "an" : "a")} {type} claim");
        return o;
    }

    internal static string Str(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue(out string? s) ? s : "";
    internal static long Long(JsonObject? o, string key, long dflt = 0) =>
        o?[key] is JsonValue v ? (v.TryGetValue(out long l) ? l : v.TryGetValue(out double d) ? (long)d : dflt) : dflt;
    internal static bool Bool(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue(out bool b) && b;
    internal static List<string> Strings(JsonNode? n) =>
        n is JsonArray a ? a.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : "").ToList() : [];
    internal static JsonArray ToArray(IEnumerable<string> items) => new(items.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

    /// <summary>A revocations map (public key or "*" to Unix seconds) from <paramref name="o"/>'s "revocations".</summary>
    internal static void ReadRevocations(JsonObject? o, Dictionary<string, long> into)
    {
        if (o?["revocations"] is not JsonObject rev) return;
        foreach (var (k, v) in rev)
            if (v is JsonValue jv && jv.TryGetValue(out long t)) into[k] = t;
    }

    /// <summary>Writes a revocations map as "revocations" when it has entries.</summary>
    internal static void WriteRevocations(JsonObject o, Dictionary<string, long> revocations)
    {
        if (revocations.Count == 0) return;
        var r = new JsonObject();
        foreach (var (k, t) in revocations) r[k] = t;
        o["revocations"] = r;
    }
}

/// <summary>jwt.Permission: allow and deny subject lists.</summary>
public sealed class JwtPermission
{
    public List<string> Allow { get; set; } = [];
    public List<string> Deny { get; set; } = [];
    public bool Empty => Allow.Count == 0 && Deny.Count == 0;

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Allow.Count > 0) o["allow"] = JwtClaims.ToArray(Allow);
        if (Deny.Count > 0) o["deny"] = JwtClaims.ToArray(Deny);
        return o;
    }

    internal static JwtPermission From(JsonObject? o) => new() { Allow = JwtClaims.Strings(o?["allow"]), Deny = JwtClaims.Strings(o?["deny"]) };

    internal SubjectPermission? ToServer() => Empty ? null : new SubjectPermission
    {
        Allow = Allow.Count > 0 ? [.. Allow] : null, Deny = Deny.Count > 0 ? [.. Deny] : null,
    };
}

/// <summary>jwt.Permissions: publish, subscribe and response permissions.</summary>
public sealed class JwtPermissions
{
    public JwtPermission Pub { get; set; } = new();
    public JwtPermission Sub { get; set; } = new();
    /// <summary>jwt.ResponsePermission: max messages and time to live; null when not allowed.</summary>
    public (int MaxMsgs, TimeSpan Expires)? Resp { get; set; }

    internal void Write(JsonObject o)
    {
        if (!Pub.Empty) o["pub"] = Pub.ToJson();
        if (!Sub.Empty) o["sub"] = Sub.ToJson();
        if (Resp is { } r) o["resp"] = new JsonObject { ["max"] = r.MaxMsgs, ["ttl"] = r.Expires.Ticks * 100 };
    }

    internal static JwtPermissions From(JsonObject? o)
    {
        var p = new JwtPermissions { Pub = JwtPermission.From(o?["pub"] as JsonObject), Sub = JwtPermission.From(o?["sub"] as JsonObject) };
        if (o?["resp"] is JsonObject r)
            p.Resp = ((int)JwtClaims.Long(r, "max"), TimeSpan.FromTicks(JwtClaims.Long(r, "ttl") / 100));
        return p;
    }

    /// <summary>Go's buildInternalNkeyUser permissions: with response permissions, publishing allows nothing but
    /// replies unless the claims allow more, and zero values take the defaults (negative ones stay).</summary>
    internal Permissions? ToServer()
    {
        if (Pub.Empty && Sub.Empty && Resp is null) return null;
        var p = new Permissions { Publish = Pub.ToServer(), Subscribe = Sub.ToServer() };
        if (Resp is { } r)
        {
            p.Response = new ResponsePermission { MaxMsgs = r.MaxMsgs, Expires = r.Expires };
            p.ValidateResponse();
        }
        return p;
    }
}

/// <summary>jwt.UserPermissionLimits: what a user may do (permissions, source networks, connect times, limits, bearer
/// token, connection types); a user JWT's own, or the template of a scoped signing key. Limits left out of the JSON are
/// zero, as Go decodes them.</summary>
public sealed class UserPermissionLimits
{
    public JwtPermissions Permissions { get; set; } = new();
    public List<string> Src { get; set; } = [];
    public List<(string Start, string End)> Times { get; set; } = [];
    public string Locale { get; set; } = "";
    public long Subs { get; set; } = JwtLimits.NoLimit;
    public long Data { get; set; } = JwtLimits.NoLimit;
    public long Payload { get; set; } = JwtLimits.NoLimit;
    public bool BearerToken { get; set; }
    /// <summary>proxy_required: the user connects only through a trusted proxy.</summary>
    public bool ProxyRequired { get; set; }
    public List<string> AllowedConnectionTypes { get; set; } = [];

    /// <summary>Go's zero value: nothing allowed or limited (what a scoped user carries).</summary>
    public static UserPermissionLimits Zero() => new() { Subs = 0, Data = 0, Payload = 0 };

    /// <summary>Go's comparison with the zero value (jwt's HasEmptyPermissions).</summary>
    public bool IsZero => Permissions.Pub.Empty && Permissions.Sub.Empty && Permissions.Resp is null && Src.Count == 0
        && Times.Count == 0 && Locale.Length == 0 && Subs == 0 && Data == 0 && Payload == 0 && !BearerToken && !ProxyRequired
        && AllowedConnectionTypes.Count == 0;

    internal void Write(JsonObject o)
    {
        Permissions.Write(o);
        if (Src.Count > 0) o["src"] = JwtClaims.ToArray(Src);
        if (Times.Count > 0)
            o["times"] = new JsonArray(Times.Select(t => (JsonNode?)new JsonObject { ["start"] = t.Start, ["end"] = t.End }).ToArray());
        if (Locale.Length > 0) o["times_location"] = Locale;
        if (Subs != 0) o["subs"] = Subs;
        if (Data != 0) o["data"] = Data;
        if (Payload != 0) o["payload"] = Payload;
        if (BearerToken) o["bearer_token"] = true;
        if (ProxyRequired) o["proxy_required"] = true;
        if (AllowedConnectionTypes.Count > 0) o["allowed_connection_types"] = JwtClaims.ToArray(AllowedConnectionTypes);
    }

    internal static UserPermissionLimits Read(JsonObject? o) => new()
    {
        Permissions = JwtPermissions.From(o),
        Src = o?["src"] is JsonValue sv && sv.TryGetValue(out string? srcs)
            ? srcs.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() : JwtClaims.Strings(o?["src"]),
        Times = o?["times"] is JsonArray times
            ? times.OfType<JsonObject>().Select(t => (JwtClaims.Str(t, "start"), JwtClaims.Str(t, "end"))).ToList() : [],
        Locale = JwtClaims.Str(o, "times_location"),
        Subs = JwtClaims.Long(o, "subs"),
        Data = JwtClaims.Long(o, "data"),
        Payload = JwtClaims.Long(o, "payload"),
        BearerToken = JwtClaims.Bool(o, "bearer_token"),
        ProxyRequired = JwtClaims.Bool(o, "proxy_required"),
        AllowedConnectionTypes = JwtClaims.Strings(o?["allowed_connection_types"]),
    };

    /// <summary>A deep copy (templates are expanded into a copy).</summary>
    public UserPermissionLimits Clone() => Read(ToJson());

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        Write(o);
        return o;
    }
}

/// <summary>jwt.UserScope: a signing key whose users take their permissions and limits from its template (with
/// templates like {{name()}} or {{tag(x)}} expanded per user) instead of carrying their own.</summary>
public sealed class UserScope
{
    public string Key { get; set; } = "";
    public string Role { get; set; } = "";
    public string Description { get; set; } = "";
    /// <summary>jwt.NewUserScope: no limits.</summary>
    public UserPermissionLimits Template { get; set; } = new();

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["kind"] = "user_scope", ["key"] = Key, ["role"] = Role };
        var t = new JsonObject();
        Template.Write(t);
        o["template"] = t;
        o["description"] = Description;
        return o;
    }

    internal static UserScope From(JsonObject o)
    {
        var s = new UserScope { Key = JwtClaims.Str(o, "key"), Role = JwtClaims.Str(o, "role"), Description = JwtClaims.Str(o, "description") };
        if (o["template"] is JsonObject t)
        {
            // Decoded over NewUserScope's defaults: limits the template leaves out stay unlimited.
            var l = UserPermissionLimits.Read(t);
            if (t["subs"] is null) l.Subs = JwtLimits.NoLimit;
            if (t["data"] is null) l.Data = JwtLimits.NoLimit;
            if (t["payload"] is null) l.Payload = JwtLimits.NoLimit;
            s.Template = l;
        }
        return s;
    }

    /// <summary>jwt's ValidateScopedSigner: the user was signed by this key and carries nothing of its own.</summary>
    public string? ValidateScopedSigner(UserClaims uc)
    {
        if (uc.Issuer != Key) return "issuer not the scoped signer";
        if (!uc.HasEmptyPermissions) return "scoped users require no permissions or limits set";
        return null;
    }

    /// <summary>Same key and template (Go compares scopes deeply to find altered ones).</summary>
    public bool SameAs(UserScope? other) => other is not null && ToJson().ToJsonString() == other.ToJson().ToJsonString();
}

/// <summary>jwt.UserClaims: a user's permissions, limits and connection rules, signed by its account (or one of the
/// account's signing keys, then naming the account in issuer_account).</summary>
public sealed class UserClaims(string subject) : JwtClaims(subject)
{
    /// <summary>jwt.NewUserClaims: no limits.</summary>
    public UserPermissionLimits UserPermissionLimits { get; set; } = new();
    public JwtPermissions Permissions { get => UserPermissionLimits.Permissions; set => UserPermissionLimits.Permissions = value; }
    public List<string> Src { get => UserPermissionLimits.Src; set => UserPermissionLimits.Src = value; }
    public List<(string Start, string End)> Times { get => UserPermissionLimits.Times; set => UserPermissionLimits.Times = value; }
    public string Locale { get => UserPermissionLimits.Locale; set => UserPermissionLimits.Locale = value; }
    public long Subs { get => UserPermissionLimits.Subs; set => UserPermissionLimits.Subs = value; }
    public long Data { get => UserPermissionLimits.Data; set => UserPermissionLimits.Data = value; }
    public long Payload { get => UserPermissionLimits.Payload; set => UserPermissionLimits.Payload = value; }
    public bool BearerToken { get => UserPermissionLimits.BearerToken; set => UserPermissionLimits.BearerToken = value; }
    public bool ProxyRequired { get => UserPermissionLimits.ProxyRequired; set => UserPermissionLimits.ProxyRequired = value; }
    public List<string> AllowedConnectionTypes { get => UserPermissionLimits.AllowedConnectionTypes; set => UserPermissionLimits.AllowedConnectionTypes = value; }
    public string IssuerAccount { get; set; } = "";

    /// <summary>jwt's SetScoped: a scoped user carries no permissions or limits (its signing key's template applies).</summary>
    public void SetScoped(bool scoped) => UserPermissionLimits = scoped ? UserPermissionLimits.Zero() : new UserPermissionLimits
    {
        Permissions = Permissions, BearerToken = BearerToken, ProxyRequired = ProxyRequired, AllowedConnectionTypes = AllowedConnectionTypes,
    };

    /// <summary>jwt's HasEmptyPermissions.</summary>
    public bool HasEmptyPermissions => UserPermissionLimits.IsZero;

    protected override string ClaimType => "user";

    protected override void WriteNats(JsonObject nats)
    {
        UserPermissionLimits.Write(nats);
        if (IssuerAccount.Length > 0) nats["issuer_account"] = IssuerAccount;
    }

    /// <summary>jwt.DecodeUserClaims.</summary>
    public static UserClaims Decode(string token)
    {
        var o = DecodeOfType(token, "user");
        var nats = o["nats"] as JsonObject;
        var c = new UserClaims("") { UserPermissionLimits = UserPermissionLimits.Read(nats), IssuerAccount = Str(nats, "issuer_account") };
        c.ReadCommon(o);
        return c;
    }
}

/// <summary>jwt.Export: a stream or service the account offers, public or for holders of an activation token.</summary>
public sealed class JwtExport
{
    public string Name { get; set; } = "";
    public string Subject { get; set; } = "";
    /// <summary>"stream" or "service".</summary>
    public string Type { get; set; } = "stream";
    public bool TokenReq { get; set; }
    /// <summary>Activations revoked (importing account or "*") with the time: tokens issued at or before are refused.</summary>
    public Dictionary<string, long> Revocations { get; set; } = new(StringComparer.Ordinal);
    /// <summary>"Singleton", "Stream" or "Chunked" (services).</summary>
    public string ResponseType { get; set; } = "";
    public TimeSpan ResponseThreshold { get; set; }
    /// <summary>Latency tracking: sampling (0 = headers) and results subject.</summary>
    public (int Sampling, string Results)? Latency { get; set; }
    public uint AccountTokenPosition { get; set; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Name.Length > 0) o["name"] = Name;
        o["subject"] = Subject;
        o["type"] = Type;
        if (TokenReq) o["token_req"] = true;
        JwtClaims.WriteRevocations(o, Revocations);
        if (ResponseType.Length > 0) o["response_type"] = ResponseType;
        if (ResponseThreshold != TimeSpan.Zero) o["response_threshold"] = ResponseThreshold.Ticks * 100;
        if (Latency is { } l)
            o["service_latency"] = new JsonObject { ["sampling"] = l.Sampling == 0 ? JsonValue.Create("headers") : JsonValue.Create(l.Sampling), ["results"] = l.Results };
        if (AccountTokenPosition != 0) o["account_token_position"] = AccountTokenPosition;
        return o;
    }

    internal static JwtExport From(JsonObject o)
    {
        var e = new JwtExport
        {
            Name = JwtClaims.Str(o, "name"), Subject = JwtClaims.Str(o, "subject"), Type = JwtClaims.Str(o, "type"),
            TokenReq = JwtClaims.Bool(o, "token_req"), ResponseType = JwtClaims.Str(o, "response_type"),
            ResponseThreshold = TimeSpan.FromTicks(JwtClaims.Long(o, "response_threshold") / 100),
            AccountTokenPosition = (uint)Math.Max(0, JwtClaims.Long(o, "account_token_position")),
        };
        JwtClaims.ReadRevocations(o, e.Revocations);
        if (o["service_latency"] is JsonObject lat)
        {
            int sampling = lat["sampling"] is JsonValue sv && sv.TryGetValue(out long n) ? (int)n : 0;
            e.Latency = (sampling, JwtClaims.Str(lat, "results"));
        }
        return e;
    }
}

/// <summary>jwt.Import: a stream or service taken from another account, with its activation token when the export
/// requires one.</summary>
public sealed class JwtImport
{
    public string Name { get; set; } = "";
    public string Subject { get; set; } = "";
    public string Account { get; set; } = "";
    public string Token { get; set; } = "";
    /// <summary>Deprecated: the prefix of a stream import, the local subject of a service import.</summary>
    public string To { get; set; } = "";
    public string LocalSubject { get; set; } = "";
    public string Type { get; set; } = "stream";
    public bool Share { get; set; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Name.Length > 0) o["name"] = Name;
        o["subject"] = Subject;
        o["account"] = Account;
        if (Token.Length > 0) o["token"] = Token;
        if (To.Length > 0) o["to"] = To;
        if (LocalSubject.Length > 0) o["local_subject"] = LocalSubject;
        o["type"] = Type;
        if (Share) o["share"] = true;
        return o;
    }

    internal static JwtImport From(JsonObject o) => new()
    {
        Name = JwtClaims.Str(o, "name"), Subject = JwtClaims.Str(o, "subject"), Account = JwtClaims.Str(o, "account"),
        Token = JwtClaims.Str(o, "token"), To = JwtClaims.Str(o, "to"), LocalSubject = JwtClaims.Str(o, "local_subject"),
        Type = JwtClaims.Str(o, "type"), Share = JwtClaims.Bool(o, "share"),
    };
}

/// <summary>jwt.ActivationClaims: an exporting account lets the account in the subject import a subject.</summary>
public sealed class ActivationClaims(string subject) : JwtClaims(subject)
{
    public string ImportSubject { get; set; } = "";
    /// <summary>"stream" or "service".</summary>
    public string ImportType { get; set; } = "stream";
    public string IssuerAccount { get; set; } = "";

    protected override string ClaimType => "activation";

    protected override void WriteNats(JsonObject nats)
    {
        nats["subject"] = ImportSubject;
        nats["kind"] = ImportType;
        if (IssuerAccount.Length > 0) nats["issuer_account"] = IssuerAccount;
    }

    /// <summary>jwt.DecodeActivationClaims.</summary>
    public static ActivationClaims Decode(string token)
    {
        var o = DecodeOfType(token, "activation");
        var nats = o["nats"] as JsonObject;
        var c = new ActivationClaims("")
        {
            ImportSubject = Str(nats, "subject"), ImportType = Str(nats, "kind"), IssuerAccount = Str(nats, "issuer_account"),
        };
        c.ReadCommon(o);
        return c;
    }
}

/// <summary>jwt.OperatorLimits as far as one node uses them: connections, subscriptions, payload.</summary>
public sealed class AccountLimits
{
    public long Subs { get; set; } = JwtLimits.NoLimit;
    public long Conn { get; set; } = JwtLimits.NoLimit;
    public long LeafNodeConn { get; set; } = JwtLimits.NoLimit;
    public long Imports { get; set; } = JwtLimits.NoLimit;
    public long Exports { get; set; } = JwtLimits.NoLimit;
    public long Data { get; set; } = JwtLimits.NoLimit;
    public long Payload { get; set; } = JwtLimits.NoLimit;
    public bool WildcardExports { get; set; } = true;
    public bool DisallowBearer { get; set; }
}

/// <summary>jwt.AccountClaims: an account's limits, signing keys, revocations and default permissions, signed by an
/// operator (or one of its signing keys).</summary>
public sealed class AccountClaims(string subject) : JwtClaims(subject)
{
    public AccountLimits Limits { get; set; } = new();
    /// <summary>The signing keys: plain ones, and scoped ones (also in <see cref="Scopes"/>).</summary>
    public List<string> SigningKeys { get; set; } = [];
    /// <summary>The scoped signing keys by key.</summary>
    public Dictionary<string, UserScope> Scopes { get; } = new(StringComparer.Ordinal);
    /// <summary>Users (or "*") revoked with the time: JWTs issued at or before it are refused.</summary>
    public Dictionary<string, long> Revocations { get; set; } = new(StringComparer.Ordinal);
    public JwtPermissions DefaultPermissions { get; set; } = new();
    public List<JwtExport> Exports { get; set; } = [];
    public List<JwtImport> Imports { get; set; } = [];
    /// <summary>jwt.Mapping: subject mappings by source subject.</summary>
    public Dictionary<string, List<JwtWeightedMapping>> Mappings { get; set; } = new(StringComparer.Ordinal);

    /// <summary>jwt.ExternalAuthorization: the account's users are authorized by a callout service.</summary>
    public ExternalAuthorization Authorization { get; set; } = new();

    /// <summary>jwt's HasExternalAuthorization.</summary>
    public bool HasExternalAuthorization => Authorization.AuthUsers.Count > 0;

    /// <summary>jwt's EnableExternalAuthorization.</summary>
    public void EnableExternalAuthorization(params string[] users) => Authorization.AuthUsers.AddRange(users);

    /// <summary>jwt's AddMapping: replaces the source's destinations.</summary>
    public void AddMapping(string subject, params JwtWeightedMapping[] to) => Mappings[subject] = [.. to];

    protected override string ClaimType => "account";

    protected override void WriteNats(JsonObject nats)
    {
        var limits = new JsonObject
        {
            ["subs"] = Limits.Subs, ["data"] = Limits.Data, ["payload"] = Limits.Payload, ["imports"] = Limits.Imports,
            ["exports"] = Limits.Exports, ["wildcards"] = Limits.WildcardExports, ["conn"] = Limits.Conn, ["leaf"] = Limits.LeafNodeConn,
        };
        if (Limits.DisallowBearer) limits["disallow_bearer"] = true;
        nats["limits"] = limits;
        // jwt's SigningKeys.MarshalJSON: sorted; a scoped key as its scope.
        if (SigningKeys.Count > 0)
            nats["signing_keys"] = new JsonArray(SigningKeys.Order(StringComparer.Ordinal)
                .Select(k => Scopes.TryGetValue(k, out var sc) ? (JsonNode?)sc.ToJson() : JsonValue.Create(k)).ToArray());
        WriteRevocations(nats, Revocations);
        if (Imports.Count > 0) nats["imports"] = new JsonArray(Imports.Select(i => (JsonNode?)i.ToJson()).ToArray());
        if (Exports.Count > 0) nats["exports"] = new JsonArray(Exports.Select(e => (JsonNode?)e.ToJson()).ToArray());
        var dp = new JsonObject();
        DefaultPermissions.Write(dp);
        if (dp.Count > 0) nats["default_permissions"] = dp;
        if (Authorization.ToJson() is { } auth) nats["authorization"] = auth;
        if (Mappings.Count > 0)
        {
            var mo = new JsonObject();
            foreach (var (src, dests) in Mappings) mo[src] = new JsonArray(dests.Select(d => (JsonNode?)d.ToJson()).ToArray());
            nats["mappings"] = mo;
        }
    }

    /// <summary>jwt.DecodeAccountClaims.</summary>
    public static AccountClaims Decode(string token)
    {
        var o = DecodeOfType(token, "account");
        var nats = o["nats"] as JsonObject;
        var l = nats?["limits"] as JsonObject;
        var c = new AccountClaims("")
        {
            Limits = new AccountLimits
            {
                Subs = Long(l, "subs", JwtLimits.NoLimit), Conn = Long(l, "conn", JwtLimits.NoLimit),
                LeafNodeConn = Long(l, "leaf", JwtLimits.NoLimit), Imports = Long(l, "imports", JwtLimits.NoLimit),
                Exports = Long(l, "exports", JwtLimits.NoLimit), Data = Long(l, "data", JwtLimits.NoLimit),
                Payload = Long(l, "payload", JwtLimits.NoLimit),
                WildcardExports = l?["wildcards"] is not JsonValue w || !w.TryGetValue(out bool wb) || wb,
                DisallowBearer = Bool(l, "disallow_bearer"),
            },
            // A signing key is a public key, or a scope object naming one ({"kind":"user_scope","key":...}).
            SigningKeys = nats?["signing_keys"] is JsonArray keys
                ? keys.Select(k => k is JsonObject so ? Str(so, "key") : k is JsonValue v && v.TryGetValue(out string? s) ? s : "").ToList() : [],
            DefaultPermissions = JwtPermissions.From(nats?["default_permissions"] as JsonObject),
            Exports = nats?["exports"] is JsonArray ex ? ex.OfType<JsonObject>().Select(JwtExport.From).ToList() : [],
            Imports = nats?["imports"] is JsonArray im ? im.OfType<JsonObject>().Select(JwtImport.From).ToList() : [],
        };
        JwtClaims.ReadRevocations(nats, c.Revocations);
        c.Authorization = ExternalAuthorization.From(nats?["authorization"] as JsonObject);
        if (nats?["mappings"] is JsonObject maps)
            foreach (var (src, dests) in maps)
                c.Mappings[src] = dests is JsonArray da ? da.OfType<JsonObject>().Select(JwtWeightedMapping.From).ToList() : [];
        if (nats?["signing_keys"] is JsonArray sk)
        {
            foreach (var so in sk.OfType<JsonObject>())
            {
                if (Str(so, "kind") != "user_scope") throw new JwtException(so["type"] is JsonValue tv && tv.TryGetValue(out string? ts)
                    ? $"unknown signing key scope \"{ts}\"" : "unknown signing key scope %!q(<nil>)");
                var scope = UserScope.From(so);
                c.Scopes[scope.Key] = scope;
            }
        }
        c.ReadCommon(o);
        return c;
    }

    /// <summary>jwt's blocking validation of the imports' activation tokens (Import.Validate): each token decodes, was
    /// issued by (or for) the import's account, names this account, is of the import's type, is current, and covers
    /// the imported subject. The errors found, empty when valid.</summary>
    public List<string> ImportErrors(DateTimeOffset now)
    {
        var errors = new List<string>();
        foreach (var i in Imports)
        {
            if (i.Token.Length == 0) continue;
            ActivationClaims act;
            try { act = ActivationClaims.Decode(i.Token); }
            catch (JwtException)
            {
                errors.Add($"import \"{i.Subject}\" contains an invalid activation token");
                continue;
            }
            if (act.Issuer != i.Account && act.IssuerAccount != i.Account)
                errors.Add($"activation token doesn't match account for import \"{i.Subject}\"");
            if (act.Subject != Subject)
                errors.Add($"activation token doesn't match account it is being included in, \"{i.Subject}\"");
            if (act.ImportType != i.Type)
                errors.Add($"mismatch between token import type {act.ImportType} and type of import {i.Type}");
            if (act.TimeError(now) is { } te) errors.Add(te);
            string subj = i.Type == "service" && i.To.Length > 0 ? i.To : i.Subject;
            if (subj != act.ImportSubject && !Subscriptions.SubjectValidation.IsSubsetMatch(subj, act.ImportSubject))
                errors.Add($"activation token import subject \"{act.ImportSubject}\" doesn't match import \"{i.Subject}\"");
        }
        return errors;
    }

    /// <summary>jwt's SigningKeys.AddScopedSigner.</summary>
    public void AddScopedSigner(UserScope scope)
    {
        if (!SigningKeys.Contains(scope.Key)) SigningKeys.Add(scope.Key);
        Scopes[scope.Key] = scope;
    }
}

/// <summary>jwt.ExternalAuthorization: the users that run the account's callout service (never called out for), the
/// accounts it may place users in ("*" for any), and the curve key requests are encrypted for.</summary>
public sealed class ExternalAuthorization
{
    /// <summary>jwt.AnyAccount.</summary>
    public const string AnyAccount = "*";

    public List<string> AuthUsers { get; set; } = [];
    public List<string> AllowedAccounts { get; set; } = [];
    public string XKey { get; set; } = "";

    internal JsonObject? ToJson()
    {
        var o = new JsonObject();
        if (AuthUsers.Count > 0) o["auth_users"] = JwtClaims.ToArray(AuthUsers);
        if (AllowedAccounts.Count > 0) o["allowed_accounts"] = JwtClaims.ToArray(AllowedAccounts);
        if (XKey.Length > 0) o["xkey"] = XKey;
        return o.Count == 0 ? null : o;
    }

    internal static ExternalAuthorization From(JsonObject? o) => new()
    {
        AuthUsers = JwtClaims.Strings(o?["auth_users"]), AllowedAccounts = JwtClaims.Strings(o?["allowed_accounts"]),
        XKey = JwtClaims.Str(o, "xkey"),
    };
}

/// <summary>jwt.WeightedMapping: a mapping destination with its weight in percent (0 meaning 100) and cluster.</summary>
public sealed record JwtWeightedMapping(string Subject, int Weight = 0, string Cluster = "")
{
    /// <summary>jwt's GetWeight.</summary>
    public int GetWeight() => Weight == 0 ? 100 : Weight;

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["subject"] = Subject };
        if (Weight != 0) o["weight"] = Weight;
        if (Cluster.Length > 0) o["cluster"] = Cluster;
        return o;
    }

    internal static JwtWeightedMapping From(JsonObject o) =>
        new(JwtClaims.Str(o, "subject"), (int)JwtClaims.Long(o, "weight"), JwtClaims.Str(o, "cluster"));
}

/// <summary>jwt.OperatorClaims: the operator's signing keys, system account and account server.</summary>
public sealed class OperatorClaims(string subject) : JwtClaims(subject)
{
    public List<string> SigningKeys { get; set; } = [];
    public string SystemAccount { get; set; } = "";
    public string AccountServerUrl { get; set; } = "";
    /// <summary>The lowest server version the operator accepts ("major.minor.update").</summary>
    public string AssertServerVersion { get; set; } = "";
    /// <summary>Only the signing keys sign accounts, not the operator's own key.</summary>
    public bool StrictSigningKeyUsage { get; set; }

    protected override string ClaimType => "operator";

    protected override void WriteNats(JsonObject nats)
    {
        if (SigningKeys.Count > 0) nats["signing_keys"] = ToArray(SigningKeys);
        if (AccountServerUrl.Length > 0) nats["account_server_url"] = AccountServerUrl;
        if (SystemAccount.Length > 0) nats["system_account"] = SystemAccount;
        if (AssertServerVersion.Length > 0) nats["assert_server_version"] = AssertServerVersion;
        if (StrictSigningKeyUsage) nats["strict_signing_key_usage"] = true;
    }

    /// <summary>jwt.DecodeOperatorClaims.</summary>
    public static OperatorClaims Decode(string token)
    {
        var o = DecodeOfType(token, "operator");
        var nats = o["nats"] as JsonObject;
        var c = new OperatorClaims("")
        {
            SigningKeys = Strings(nats?["signing_keys"]),
            SystemAccount = Str(nats, "system_account"),
            AccountServerUrl = Str(nats, "account_server_url"),
            AssertServerVersion = Str(nats, "assert_server_version"),
            StrictSigningKeyUsage = Bool(nats, "strict_signing_key_usage"),
        };
        c.ReadCommon(o);
        return c;
    }
}
