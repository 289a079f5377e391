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

    /// <summary>Go's json.Unmarshal into the existing struct: absent keys keep their current values.</summary>
    public static ConnectOptions Merge(ConnectOptions current, ReadOnlySpan<byte> json)
    {
        var doc = JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.JsonElement);
        if (doc.ValueKind != JsonValueKind.Object) throw new JsonException("json: cannot unmarshal into Go value of type server.clientOpts");
        var o = (ConnectOptions)current.MemberwiseClone();
        foreach (var p in doc.EnumerateObject())
        {
            switch (p.Name.ToLowerInvariant())
            {
                case "echo": o.Echo = Bool(p.Value); break;
                case "verbose": o.Verbose = Bool(p.Value); break;
                case "pedantic": o.Pedantic = Bool(p.Value); break;
                case "tls_required": o.TlsRequired = Bool(p.Value); break;
                case "nkey": o.Nkey = Str(p.Value); break;
                case "jwt": o.Jwt = Str(p.Value); break;
                case "sig": o.Sig = Str(p.Value); break;
                case "auth_token": o.Token = Str(p.Value); break;
                case "user": o.Username = Str(p.Value); break;
                case "pass": o.Password = Str(p.Value); break;
                case "name": o.Name = Str(p.Value); break;
                case "lang": o.Lang = Str(p.Value); break;
                case "version": o.Version = Str(p.Value); break;
                case "protocol": o.Protocol = p.Value.ValueKind == JsonValueKind.Null ? o.Protocol : p.Value.GetInt32(); break;
                case "account": o.Account = Str(p.Value); break;
                case "new_account": o.AccountNew = Bool(p.Value); break;
                case "headers": o.Headers = Bool(p.Value); break;
                case "no_responders": o.NoResponders = Bool(p.Value); break;
            }
        }
        return o;
    }

    private static bool Bool(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False or JsonValueKind.Null => false,
        _ => throw new JsonException($"json: cannot unmarshal {e.ValueKind.ToString().ToLowerInvariant()} into Go struct field of type bool"),
    };

    private static string? Str(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Null => null,
        _ => throw new JsonException($"json: cannot unmarshal {e.ValueKind.ToString().ToLowerInvariant()} into Go struct field of type string"),
    };
}

[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(ServerInfo))]
internal partial class ProtocolJsonContext : JsonSerializerContext;
