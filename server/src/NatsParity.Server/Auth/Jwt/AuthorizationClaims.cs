using System.Text.Json.Nodes;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>jwt.ServerID: the server asking an auth callout service.</summary>
public sealed class CalloutServerId
{
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    public string Id { get; set; } = "";
    public string Version { get; set; } = "";
    public string Cluster { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public string XKey { get; set; } = "";

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["name"] = Name, ["host"] = Host, ["id"] = Id };
        if (Version.Length > 0) o["version"] = Version;
        if (Cluster.Length > 0) o["cluster"] = Cluster;
        if (Tags.Count > 0) o["tags"] = JwtClaims.ToArray(Tags);
        if (XKey.Length > 0) o["xkey"] = XKey;
        return o;
    }

    internal static CalloutServerId From(JsonObject? o) => new()
    {
        Name = JwtClaims.Str(o, "name"), Host = JwtClaims.Str(o, "host"), Id = JwtClaims.Str(o, "id"),
        Version = JwtClaims.Str(o, "version"), Cluster = JwtClaims.Str(o, "cluster"), Tags = JwtClaims.Strings(o?["tags"]),
        XKey = JwtClaims.Str(o, "xkey"),
    };
}

/// <summary>jwt.ClientInformation: the connecting client as the server knows it.</summary>
public sealed class CalloutClientInfo
{
    public string Host { get; set; } = "";
    public ulong Id { get; set; }
    public string User { get; set; } = "";
    public string Name { get; set; } = "";
    public List<string> Tags { get; set; } = [];
    public string NameTag { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Type { get; set; } = "";
    public string Mqtt { get; set; } = "";
    public string Nonce { get; set; } = "";

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Host.Length > 0) o["host"] = Host;
        if (Id != 0) o["id"] = Id;
        if (User.Length > 0) o["user"] = User;
        if (Name.Length > 0) o["name"] = Name;
        if (Tags.Count > 0) o["tags"] = JwtClaims.ToArray(Tags);
        if (NameTag.Length > 0) o["name_tag"] = NameTag;
        if (Kind.Length > 0) o["kind"] = Kind;
        if (Type.Length > 0) o["type"] = Type;
        if (Mqtt.Length > 0) o["mqtt_id"] = Mqtt;
        if (Nonce.Length > 0) o["nonce"] = Nonce;
        return o;
    }

    internal static CalloutClientInfo From(JsonObject? o) => new()
    {
        Host = JwtClaims.Str(o, "host"), Id = (ulong)JwtClaims.Long(o, "id"), User = JwtClaims.Str(o, "user"),
        Name = JwtClaims.Str(o, "name"), Tags = JwtClaims.Strings(o?["tags"]), NameTag = JwtClaims.Str(o, "name_tag"),
        Kind = JwtClaims.Str(o, "kind"), Type = JwtClaims.Str(o, "type"), Mqtt = JwtClaims.Str(o, "mqtt_id"),
        Nonce = JwtClaims.Str(o, "nonce"),
    };
}

/// <summary>jwt.ConnectOptions: what the client sent in CONNECT.</summary>
public sealed class CalloutConnectOptions
{
    public string Jwt { get; set; } = "";
    public string Nkey { get; set; } = "";
    public string SignedNonce { get; set; } = "";
    public string Token { get; set; } = "";
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public string Name { get; set; } = "";
    public string Lang { get; set; } = "";
    public string Version { get; set; } = "";
    public int Protocol { get; set; }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        void Put(string k, string v) { if (v.Length > 0) o[k] = v; }
        Put("jwt", Jwt);
        Put("nkey", Nkey);
        Put("sig", SignedNonce);
        Put("auth_token", Token);
        Put("user", Username);
        Put("pass", Password);
        Put("name", Name);
        Put("lang", Lang);
        Put("version", Version);
        o["protocol"] = Protocol;
        return o;
    }

    internal static CalloutConnectOptions From(JsonObject? o) => new()
    {
        Jwt = JwtClaims.Str(o, "jwt"), Nkey = JwtClaims.Str(o, "nkey"), SignedNonce = JwtClaims.Str(o, "sig"),
        Token = JwtClaims.Str(o, "auth_token"), Username = JwtClaims.Str(o, "user"), Password = JwtClaims.Str(o, "pass"),
        Name = JwtClaims.Str(o, "name"), Lang = JwtClaims.Str(o, "lang"), Version = JwtClaims.Str(o, "version"),
        Protocol = (int)JwtClaims.Long(o, "protocol"),
    };
}

/// <summary>jwt.ClientTLS: the TLS state, with the client's certificates in PEM (verified chains when verified).</summary>
public sealed class CalloutClientTls
{
    public string Version { get; set; } = "";
    public string Cipher { get; set; } = "";
    public List<string> Certs { get; set; } = [];
    public List<List<string>> VerifiedChains { get; set; } = [];

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Version.Length > 0) o["version"] = Version;
        if (Cipher.Length > 0) o["cipher"] = Cipher;
        if (Certs.Count > 0) o["certs"] = JwtClaims.ToArray(Certs);
        if (VerifiedChains.Count > 0) o["verified_chains"] = new JsonArray(VerifiedChains.Select(c => (JsonNode?)JwtClaims.ToArray(c)).ToArray());
        return o;
    }

    internal static CalloutClientTls From(JsonObject o) => new()
    {
        Version = JwtClaims.Str(o, "version"), Cipher = JwtClaims.Str(o, "cipher"), Certs = JwtClaims.Strings(o["certs"]),
        VerifiedChains = o["verified_chains"] is JsonArray vc ? vc.Select(JwtClaims.Strings).ToList() : [],
    };
}

/// <summary>jwt.AuthorizationRequestClaims: what a server asks an auth callout service, signed by the server.</summary>
public sealed class AuthorizationRequestClaims(string subject) : JwtClaims(subject)
{
    public CalloutServerId Server { get; set; } = new();
    public string UserNkey { get; set; } = "";
    public CalloutClientInfo ClientInformation { get; set; } = new();
    public CalloutConnectOptions ConnectOptions { get; set; } = new();
    public CalloutClientTls? Tls { get; set; }
    public string RequestNonce { get; set; } = "";

    protected override string ClaimType => "authorization_request";

    protected override void WriteNats(JsonObject nats)
    {
        nats["server_id"] = Server.ToJson();
        nats["user_nkey"] = UserNkey;
        nats["client_info"] = ClientInformation.ToJson();
        nats["connect_opts"] = ConnectOptions.ToJson();
        if (Tls is not null) nats["client_tls"] = Tls.ToJson();
        if (RequestNonce.Length > 0) nats["request_nonce"] = RequestNonce;
    }

    /// <summary>jwt.DecodeAuthorizationRequestClaims: issued by a server.</summary>
    public static AuthorizationRequestClaims Decode(string token)
    {
        var o = DecodeOfType(token, "authorization_request", "not an authorization request claim");
        if (!NKeys.IsValidPublicServerKey(Str(o, "iss"))) throw new JwtException("unable to validate issuer");
        var nats = o["nats"] as JsonObject;
        var c = new AuthorizationRequestClaims("")
        {
            Server = CalloutServerId.From(nats?["server_id"] as JsonObject),
            UserNkey = Str(nats, "user_nkey"),
            ClientInformation = CalloutClientInfo.From(nats?["client_info"] as JsonObject),
            ConnectOptions = CalloutConnectOptions.From(nats?["connect_opts"] as JsonObject),
            Tls = nats?["client_tls"] is JsonObject t ? CalloutClientTls.From(t) : null,
            RequestNonce = Str(nats, "request_nonce"),
        };
        c.ReadCommon(o);
        return c;
    }
}

/// <summary>jwt.AuthorizationResponseClaims: the service's answer, a user JWT or an error, signed by an account key.</summary>
public sealed class AuthorizationResponseClaims(string subject) : JwtClaims(subject)
{
    public string Jwt { get; set; } = "";
    public string Error { get; set; } = "";
    public string IssuerAccount { get; set; } = "";

    protected override string ClaimType => "authorization_response";

    protected override void WriteNats(JsonObject nats)
    {
        if (Jwt.Length > 0) nats["jwt"] = Jwt;
        if (Error.Length > 0) nats["error"] = Error;
        if (IssuerAccount.Length > 0) nats["issuer_account"] = IssuerAccount;
    }

    /// <summary>jwt.DecodeAuthorizationResponseClaims: issued by an account key.</summary>
    public static AuthorizationResponseClaims Decode(string token)
    {
        var o = DecodeOfType(token, "authorization_response", "not an authorization request claim");
        if (!NKeys.IsValidPublicAccountKey(Str(o, "iss"))) throw new JwtException("unable to validate issuer");
        var nats = o["nats"] as JsonObject;
        var c = new AuthorizationResponseClaims("")
        {
            Jwt = Str(nats, "jwt"), Error = Str(nats, "error"), IssuerAccount = Str(nats, "issuer_account"),
        };
        c.ReadCommon(o);
        return c;
    }

    /// <summary>jwt's AuthorizationResponseClaims.Validate: the first issue found, null when valid.</summary>
    public string? Validate(DateTimeOffset now)
    {
        if (!NKeys.IsValidPublicUserKey(Subject)) return "Subject must be a user public key";
        if (!NKeys.IsValidPublicServerKey(Audience)) return "Audience must be a server public key";
        if (Error.Length == 0 && Jwt.Length == 0) return "Error or Jwt is required";
        if (Error.Length > 0 && Jwt.Length > 0) return "Only Error or Jwt can be set";
        if (IssuerAccount.Length > 0 && !NKeys.IsValidPublicAccountKey(IssuerAccount)) return "issuer_account is not an account public key";
        return TimeError(now);
    }
}
