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

    /// <summary>Written by hand in Go's field order; cheaper on first use than the serializer, which matters at accept time.</summary>
    public byte[] ToJson()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.Default }))
        {
            w.WriteStartObject();
            w.WriteString("server_id", Id);
            w.WriteString("server_name", Name);
            w.WriteString("version", Version);
            w.WriteNumber("proto", Proto);
            if (!string.IsNullOrEmpty(GitCommit)) w.WriteString("git_commit", GitCommit);
            w.WriteString("go", GoVersion);
            w.WriteString("host", Host);
            w.WriteNumber("port", Port);
            w.WriteBoolean("headers", Headers);
            if (AuthRequired) w.WriteBoolean("auth_required", true);
            if (TlsRequired) w.WriteBoolean("tls_required", true);
            if (TlsVerify) w.WriteBoolean("tls_verify", true);
            if (TlsAvailable) w.WriteBoolean("tls_available", true);
            w.WriteNumber("max_payload", MaxPayload);
            if (JetStream) w.WriteBoolean("jetstream", true);
            if (!string.IsNullOrEmpty(Ip)) w.WriteString("ip", Ip);
            if (ClientId != 0) w.WriteNumber("client_id", ClientId);
            if (!string.IsNullOrEmpty(ClientIp)) w.WriteString("client_ip", ClientIp);
            if (!string.IsNullOrEmpty(Nonce)) w.WriteString("nonce", Nonce);
            if (!string.IsNullOrEmpty(Cluster)) w.WriteString("cluster", Cluster);
            if (ConnectUrls is { Length: > 0 })
            {
                w.WriteStartArray("connect_urls");
                foreach (var u in ConnectUrls) w.WriteStringValue(u);
                w.WriteEndArray();
            }
            if (LameDuckMode) w.WriteBoolean("ldm", true);
            if (ConnectInfo) w.WriteBoolean("connect_info", true);
            if (!string.IsNullOrEmpty(RemoteAccount)) w.WriteString("remote_account", RemoteAccount);
            if (IsSystemAccount) w.WriteBoolean("acc_is_sys", true);
            if (!string.IsNullOrEmpty(XKey)) w.WriteString("xkey", XKey);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>"INFO {json} \r\n" exactly as Go frames it (note the space before CRLF).</summary>
    public byte[] ToProtocol()
    {
        var json = ToJson();
        var buf = new byte[5 + json.Length + 3];
        Encoding.ASCII.GetBytes("INFO ", buf);
        json.CopyTo(buf, 5);
        buf[^3] = (byte)' ';
        buf[^2] = (byte)'\r';
        buf[^1] = (byte)'\n';
        return buf;
    }
}
