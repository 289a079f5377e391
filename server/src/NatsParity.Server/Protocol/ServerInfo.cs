using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace NatsParity.Server.Protocol;

/// <summary>The INFO JSON with Go's field names, order and omitempty rules (server.go Info).</summary>
public sealed class ServerInfo
{
    [JsonPropertyName("server_id")] public string Id { get; set; } = "";
    [JsonPropertyName("server_name")] public string Name { get; set; } = "";
    [JsonPropertyName("version")] public string Version { get; set; } = "";
    [JsonPropertyName("proto")] public int Proto { get; set; } = 1;
    [JsonPropertyName("git_commit"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? GitCommit { get; set; }
    [JsonPropertyName("go")] public string GoVersion { get; set; } = "";
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("headers")] public bool Headers { get; set; }
    [JsonPropertyName("auth_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool AuthRequired { get; set; }
    [JsonPropertyName("tls_required"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsRequired { get; set; }
    [JsonPropertyName("tls_verify"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsVerify { get; set; }
    [JsonPropertyName("tls_available"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool TlsAvailable { get; set; }
    [JsonPropertyName("max_payload")] public int MaxPayload { get; set; }
    [JsonPropertyName("jetstream"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool JetStream { get; set; }
    [JsonPropertyName("ip"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Ip { get; set; }
    [JsonPropertyName("client_id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public ulong ClientId { get; set; }
    [JsonPropertyName("client_ip"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? ClientIp { get; set; }
    [JsonPropertyName("nonce"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Nonce { get; set; }
    [JsonPropertyName("cluster"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? Cluster { get; set; }
    [JsonPropertyName("connect_urls"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string[]? ConnectUrls { get; set; }
    [JsonPropertyName("ldm"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool LameDuckMode { get; set; }
    [JsonPropertyName("connect_info"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool ConnectInfo { get; set; }
    [JsonPropertyName("remote_account"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? RemoteAccount { get; set; }
    [JsonPropertyName("acc_is_sys"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public bool IsSystemAccount { get; set; }
    [JsonPropertyName("xkey"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public string? XKey { get; set; }

    public ServerInfo Clone() => (ServerInfo)MemberwiseClone();

    private static readonly JsonSerializerOptions Options = new()
    {
        // Go's encoder escapes <, > and & as \u003c etc.; the default .NET encoder does too.
        Encoder = JavaScriptEncoder.Default,
        TypeInfoResolver = ProtocolJsonContext.Default,
    };

    /// <summary>"INFO {json} \r\n" exactly as Go frames it (note the space before CRLF).</summary>
    public byte[] ToProtocol()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(this, ProtocolJsonContext.Default.ServerInfo);
        var buf = new byte[5 + json.Length + 3];
        Encoding.ASCII.GetBytes("INFO ", buf);
        json.CopyTo(buf, 5);
        buf[^3] = (byte)' ';
        buf[^2] = (byte)'\r';
        buf[^1] = (byte)'\n';
        return buf;
    }
}
