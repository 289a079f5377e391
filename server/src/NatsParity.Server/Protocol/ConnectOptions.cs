using System.Text.Json;
using System.Text.Json.Serialization;

namespace NatsParity.Server.Protocol;

/// <summary>The CONNECT JSON (Go's clientOpts). Credentials are kept for authentication.</summary>
public sealed class ConnectOptions
{
    [JsonPropertyName("echo")] public bool Echo { get; set; } = true;
    [JsonPropertyName("verbose")] public bool Verbose { get; set; } = true;
    [JsonPropertyName("pedantic")] public bool Pedantic { get; set; } = true;
    [JsonPropertyName("tls_required")] public bool TlsRequired { get; set; }
    [JsonPropertyName("nkey")] public string? Nkey { get; set; }
    [JsonPropertyName("jwt")] public string? Jwt { get; set; }
    [JsonPropertyName("sig")] public string? Sig { get; set; }
    [JsonPropertyName("proxy_sig")] public string? ProxySig { get; set; }
    [JsonPropertyName("auth_token")] public string? Token { get; set; }
    [JsonPropertyName("user")] public string? Username { get; set; }
    [JsonPropertyName("pass")] public string? Password { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("lang")] public string? Lang { get; set; }
    [JsonPropertyName("version")] public string? Version { get; set; }
    [JsonPropertyName("protocol")] public int Protocol { get; set; }
    [JsonPropertyName("account")] public string? Account { get; set; }
    [JsonPropertyName("new_account")] public bool AccountNew { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("no_responders")] public bool NoResponders { get; set; }

    /// <summary>Go's json.Unmarshal into the existing struct: absent keys keep their current values; keys match case-insensitively.</summary>
    public static ConnectOptions Merge(ConnectOptions current, ReadOnlySpan<byte> json)
    {
        var o = (ConnectOptions)current.MemberwiseClone();
        var r = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = false });
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            throw new JsonException("json: cannot unmarshal into Go value of type server.clientOpts");
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string name = r.GetString()!.ToLowerInvariant();
            r.Read();
            switch (name)
            {
                case "echo": o.Echo = Bool(ref r); break;
                case "verbose": o.Verbose = Bool(ref r); break;
                case "pedantic": o.Pedantic = Bool(ref r); break;
                case "tls_required": o.TlsRequired = Bool(ref r); break;
                case "nkey": o.Nkey = Str(ref r); break;
                case "jwt": o.Jwt = Str(ref r); break;
                case "sig": o.Sig = Str(ref r); break;
                case "proxy_sig": o.ProxySig = Str(ref r); break;
                case "auth_token": o.Token = Str(ref r); break;
                case "user": o.Username = Str(ref r); break;
                case "pass": o.Password = Str(ref r); break;
                case "name": o.Name = Str(ref r); break;
                case "lang": o.Lang = Str(ref r); break;
                case "version": o.Version = Str(ref r); break;
                case "protocol":
                    if (r.TokenType == JsonTokenType.Number) o.Protocol = r.GetInt32();
                    else if (r.TokenType != JsonTokenType.Null) throw Mismatch(r, "int");
                    break;
                case "account": o.Account = Str(ref r); break;
                case "new_account": o.AccountNew = Bool(ref r); break;
                case "headers": o.Headers = Bool(ref r); break;
                case "no_responders": o.NoResponders = Bool(ref r); break;
                default: r.Skip(); break;
            }
        }
        if (r.TokenType != JsonTokenType.EndObject) throw new JsonException("unexpected end of JSON input");
        return o;
    }

    private static JsonException Mismatch(Utf8JsonReader r, string type) =>
        new($"json: cannot unmarshal {r.TokenType.ToString().ToLowerInvariant()} into Go struct field of type {type}");

    private static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False or JsonTokenType.Null => false,
        _ => throw Mismatch(r, "bool"),
    };

    private static string? Str(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.String => r.GetString(),
        JsonTokenType.Null => null,
        _ => throw Mismatch(r, "string"),
    };
}

