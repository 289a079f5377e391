namespace NatsParity.Server.Auth;

/// <summary>Allow and deny subject lists for publish or subscribe (Go's SubjectPermission). A null list means "not set".</summary>
public sealed class SubjectPermission
{
    public List<string>? Allow { get; set; }
    public List<string>? Deny { get; set; }

    public SubjectPermission Clone() => new() { Allow = Allow is null ? null : [.. Allow], Deny = Deny is null ? null : [.. Deny] };
}

/// <summary>allow_responses: publishing to reply subjects of received requests, bounded in count and time.</summary>
public sealed class ResponsePermission
{
    /// <summary>Go's DEFAULT_ALLOW_RESPONSE_MAX_MSGS.</summary>
    public const int DefaultMaxMsgs = 1;
    /// <summary>Go's DEFAULT_ALLOW_RESPONSE_EXPIRATION.</summary>
    public static readonly TimeSpan DefaultExpires = TimeSpan.FromMinutes(2);

    public int MaxMsgs { get; set; } = DefaultMaxMsgs;
    public TimeSpan Expires { get; set; } = DefaultExpires;

    public ResponsePermission Clone() => new() { MaxMsgs = MaxMsgs, Expires = Expires };
}

/// <summary>A user's publish, subscribe and response permissions (Go's Permissions).</summary>
public sealed class Permissions
{
    public SubjectPermission? Publish { get; set; }
    public SubjectPermission? Subscribe { get; set; }
    public ResponsePermission? Response { get; set; }

    public Permissions Clone() => new() { Publish = Publish?.Clone(), Subscribe = Subscribe?.Clone(), Response = Response?.Clone() };

    /// <summary>Go's validateResponsePermissions: a response permission turns off the blanket publish allow and fills defaults.</summary>
    public void ValidateResponse()
    {
        if (Response is null) return;
        Publish ??= new SubjectPermission();
        Publish.Allow ??= [];
        if (Response.MaxMsgs == 0) Response.MaxMsgs = ResponsePermission.DefaultMaxMsgs;
        if (Response.Expires == TimeSpan.Zero) Response.Expires = ResponsePermission.DefaultExpires;
    }
}

/// <summary>The connection types a user may be restricted to (jwt.ConnectionType*).</summary>
public static class ConnectionTypes
{
    public const string Standard = "STANDARD";
    public const string Websocket = "WEBSOCKET";
    public const string Leafnode = "LEAFNODE";
    public const string LeafnodeWs = "LEAFNODE_WS";
    public const string Mqtt = "MQTT";
    public const string MqttWs = "MQTT_WS";
    public const string InProcess = "IN_PROCESS";

    private static readonly HashSet<string> Known = [Standard, Websocket, Leafnode, LeafnodeWs, Mqtt, MqttWs, InProcess];

    /// <summary>Go's convertAllowedConnectionTypes: upper-cases, keeps the known ones and reports the first unknown.</summary>
    public static (HashSet<string> Types, string? Error) Convert(IEnumerable<string> types)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        string? error = null;
        foreach (var t in types)
        {
            var u = t.ToUpperInvariant();
            if (!Known.Contains(u)) { error ??= $"unknown connection type \"{t}\""; continue; }
            set.Add(u);
        }
        return (set, error);
    }

    /// <summary>Go's connectionTypeAllowed: an empty set allows every type.</summary>
    public static bool Allowed(HashSet<string>? allowed, string type) => allowed is null || allowed.Count == 0 || allowed.Contains(type);
}

/// <summary>A user with a password (plain or bcrypt) from the conf file (Go's User).</summary>
public sealed class User
{
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";
    public Permissions? Permissions { get; set; }
    /// <summary>The name of the account the user binds to; null binds to the global account.</summary>
    public string? Account { get; set; }
    public HashSet<string>? AllowedConnectionTypes { get; set; }
    public bool ProxyRequired { get; set; }
    /// <summary>Go's ConnectionDeadline: a custom authenticator's user is disconnected at this time.</summary>
    public DateTime? ConnectionDeadline { get; set; }

    public User Clone() => new()
    {
        Username = Username, Password = Password, Permissions = Permissions?.Clone(), Account = Account,
        AllowedConnectionTypes = AllowedConnectionTypes is null ? null : [.. AllowedConnectionTypes], ProxyRequired = ProxyRequired,
        ConnectionDeadline = ConnectionDeadline,
    };
}

/// <summary>A user identified by an NKey public key, authenticated by signing the server's nonce (Go's NkeyUser).</summary>
public sealed class NkeyUser
{
    public string Nkey { get; set; } = "";
    public Permissions? Permissions { get; set; }
    public string? Account { get; set; }
    public HashSet<string>? AllowedConnectionTypes { get; set; }
    public bool ProxyRequired { get; set; }

    public NkeyUser Clone() => new()
    {
        Nkey = Nkey, Permissions = Permissions?.Clone(), Account = Account,
        AllowedConnectionTypes = AllowedConnectionTypes is null ? null : [.. AllowedConnectionTypes], ProxyRequired = ProxyRequired,
    };
}

/// <summary>Go's AuthCallout options: who signs the responses, the account the service runs in, the users that power
/// it (never called out for), an optional curve key to encrypt requests for, and the accounts it may place users in.</summary>
public sealed class AuthCallout
{
    public string Issuer { get; set; } = "";
    public string Account { get; set; } = "";
    public List<string> AuthUsers { get; } = [];
    public string XKey { get; set; } = "";
    public List<string> AllowedAccounts { get; } = [];
}
