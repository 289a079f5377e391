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

    // Cluster and route fields (Go's Info: cluster_dynamic, domain, ws_connect_urls, compression and the route specifics).
    public bool Dynamic { get; set; }
    public string? Domain { get; set; }
    public string[]? WsConnectUrls { get; set; }
    public string? Compression { get; set; }
    public Auth.SubjectPermission? Import { get; set; }
    public Auth.SubjectPermission? Export { get; set; }
    public bool Lnoc { get; set; }
    public bool Lnocu { get; set; }
    public bool InfoOnConnect { get; set; }
    public int RoutePoolSize { get; set; }
    public int RoutePoolIdx { get; set; }
    public string? RouteAccount { get; set; }
    public string? RouteAccReqId { get; set; }
    public byte GossipMode { get; set; }
    public string? GatewayUrl { get; set; }
    public string[]? LeafNodeUrls { get; set; }

    public ServerInfo Clone() => (ServerInfo)MemberwiseClone();

    /// <summary>An INFO's JSON as another server sent it (unknown fields ignored, as Go's json.Unmarshal does).</summary>
    public static ServerInfo Parse(ReadOnlySpan<byte> json)
    {
        var i = new ServerInfo();
        using var doc = JsonDocument.Parse(json.ToArray());
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var v = p.Value;
            switch (p.Name)
            {
                case "server_id": i.Id = Str(v) ?? ""; break;
                case "server_name": i.Name = Str(v) ?? ""; break;
                case "version": i.Version = Str(v) ?? ""; break;
                case "proto": i.Proto = Int(v); break;
                case "go": i.GoVersion = Str(v) ?? ""; break;
                case "host": i.Host = Str(v) ?? ""; break;
                case "port": i.Port = Int(v); break;
                case "headers": i.Headers = Bool(v); break;
                case "auth_required": i.AuthRequired = Bool(v); break;
                case "tls_required": i.TlsRequired = Bool(v); break;
                case "tls_verify": i.TlsVerify = Bool(v); break;
                case "max_payload": i.MaxPayload = Int(v); break;
                case "jetstream": i.JetStream = Bool(v); break;
                case "ip": i.Ip = Str(v); break;
                case "nonce": i.Nonce = Str(v); break;
                case "cluster": i.Cluster = Str(v); break;
                case "cluster_dynamic": i.Dynamic = Bool(v); break;
                case "domain": i.Domain = Str(v); break;
                case "connect_urls": i.ConnectUrls = Strs(v); break;
                case "ws_connect_urls": i.WsConnectUrls = Strs(v); break;
                case "ldm": i.LameDuckMode = Bool(v); break;
                case "compression": i.Compression = Str(v); break;
                case "import": i.Import = Perm(v); break;
                case "export": i.Export = Perm(v); break;
                case "lnoc": i.Lnoc = Bool(v); break;
                case "lnocu": i.Lnocu = Bool(v); break;
                case "info_on_connect": i.InfoOnConnect = Bool(v); break;
                case "route_pool_size": i.RoutePoolSize = Int(v); break;
                case "route_pool_idx": i.RoutePoolIdx = Int(v); break;
                case "route_account": i.RouteAccount = Str(v); break;
                case "route_acc_add_reqid": i.RouteAccReqId = Str(v); break;
                case "gossip_mode": i.GossipMode = (byte)Int(v); break;
                case "gateway_url": i.GatewayUrl = Str(v); break;
                case "leafnode_urls": i.LeafNodeUrls = Strs(v); break;
                case "xkey": i.XKey = Str(v); break;
            }
        }
        return i;

        static string? Str(JsonElement v) => v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        static int Int(JsonElement v) => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n : 0;
        static bool Bool(JsonElement v) => v.ValueKind == JsonValueKind.True;
        static string[]? Strs(JsonElement v) => v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetString() ?? "").ToArray() : null;
        static Auth.SubjectPermission? Perm(JsonElement v)
        {
            if (v.ValueKind != JsonValueKind.Object) return null;
            var sp = new Auth.SubjectPermission();
            if (v.TryGetProperty("allow", out var a) && a.ValueKind == JsonValueKind.Array) sp.Allow = [.. Strs(a)!];
            if (v.TryGetProperty("deny", out var d) && d.ValueKind == JsonValueKind.Array) sp.Deny = [.. Strs(d)!];
            return sp;
        }
    }

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
            if (Dynamic) w.WriteBoolean("cluster_dynamic", true);
            if (!string.IsNullOrEmpty(Domain)) w.WriteString("domain", Domain);
            Strings(w, "connect_urls", ConnectUrls);
            Strings(w, "ws_connect_urls", WsConnectUrls);
            if (LameDuckMode) w.WriteBoolean("ldm", true);
            if (!string.IsNullOrEmpty(Compression)) w.WriteString("compression", Compression);
            if (ConnectInfo) w.WriteBoolean("connect_info", true);
            if (!string.IsNullOrEmpty(RemoteAccount)) w.WriteString("remote_account", RemoteAccount);
            if (IsSystemAccount) w.WriteBoolean("acc_is_sys", true);
            Permission(w, "import", Import);
            Permission(w, "export", Export);
            if (Lnoc) w.WriteBoolean("lnoc", true);
            if (Lnocu) w.WriteBoolean("lnocu", true);
            if (InfoOnConnect) w.WriteBoolean("info_on_connect", true);
            if (RoutePoolSize != 0) w.WriteNumber("route_pool_size", RoutePoolSize);
            if (RoutePoolIdx != 0) w.WriteNumber("route_pool_idx", RoutePoolIdx);
            if (!string.IsNullOrEmpty(RouteAccount)) w.WriteString("route_account", RouteAccount);
            if (!string.IsNullOrEmpty(RouteAccReqId)) w.WriteString("route_acc_add_reqid", RouteAccReqId);
            if (GossipMode != 0) w.WriteNumber("gossip_mode", GossipMode);
            if (!string.IsNullOrEmpty(GatewayUrl)) w.WriteString("gateway_url", GatewayUrl);
            Strings(w, "leafnode_urls", LeafNodeUrls);
            if (!string.IsNullOrEmpty(XKey)) w.WriteString("xkey", XKey);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();

        static void Strings(Utf8JsonWriter w, string name, string[]? values)
        {
            if (values is not { Length: > 0 }) return;
            w.WriteStartArray(name);
            foreach (var u in values) w.WriteStringValue(u);
            w.WriteEndArray();
        }

        // Go's SubjectPermission: allow and deny, each omitted when empty.
        static void Permission(Utf8JsonWriter w, string name, Auth.SubjectPermission? p)
        {
            if (p is null) return;
            w.WriteStartObject(name);
            if (p.Allow is { Count: > 0 } a) { w.WriteStartArray("allow"); foreach (var s in a) w.WriteStringValue(s); w.WriteEndArray(); }
            if (p.Deny is { Count: > 0 } d) { w.WriteStartArray("deny"); foreach (var s in d) w.WriteStringValue(s); w.WriteEndArray(); }
            w.WriteEndObject();
        }
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
