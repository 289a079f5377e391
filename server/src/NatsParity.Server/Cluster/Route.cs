using NatsParity.Server.Protocol;

namespace NatsParity.Server.Cluster;

/// <summary>Whether a route was configured or learned from another server (Go's RouteType).</summary>
public enum RouteType
{
    Implicit = 0,
    Explicit = 1,
}

/// <summary>Go's gossip modes, exchanged between servers in route INFO.</summary>
internal static class GossipMode
{
    public const byte Default = 0;
    public const byte Disabled = 1;
    public const byte Override = 2;
}

/// <summary>What a route connection knows about its remote server (Go's route struct).</summary>
internal sealed class Route
{
    public string RemoteId = "";
    public string RemoteName = "";
    public bool DidSolicit;
    /// <summary>Set on a route kept when its duplicate was dropped, so that closing it again reconnects.</summary>
    public bool Retry;
    /// <summary>The remote understands LS+/LMSG with a leaf origin (lnoc) and LS- with it (lnocu).</summary>
    public bool Lnoc, Lnocu;
    public RouteType Type;
    public Uri? Url;
    public bool AuthRequired, TlsRequired, JetStream;
    public string[]? ConnectUrls, WsConnectUrls;
    public string GatewayUrl = "", LeafNodeUrl = "";
    /// <summary>Go's route hash of the remote server's name and of its id.</summary>
    public string Hash = "", IdHash = "";
    /// <summary>The connection's place in the pool of routes to its remote; -1 until it is registered.</summary>
    public int PoolIdx = -1;
    /// <summary>For a route of a pinned account: the account (not repeated in its protocols).</summary>
    public string AccName = "";
    /// <summary>The remote is an older server, or has pooling disabled: one route carries every account.</summary>
    public bool NoPool;
    public string Compression = "";
    /// <summary>Gossip mode to put in the INFO of a route being solicited implicitly.</summary>
    public byte Gossip;
    /// <summary>With pooling: the next pooled connection to solicit once this one's first PONG shows it is accepted.</summary>
    public (Uri Url, RouteType Type, byte Gossip)? StartNewRoute;
    /// <summary>Set once the remote's first INFO was processed (Go's infoReceived flag).</summary>
    public bool InfoReceived;
    /// <summary>Set to stop reconnecting once closed (Go's noReconnect flag).</summary>
    public bool NoReconnect;
    /// <summary>The remote's route permissions as its INFO gave them.</summary>
    public Auth.SubjectPermission? RemoteImport, RemoteExport;
    public int RemotePoolSize;
}

/// <summary>Go's connectInfo: the CONNECT a server sends on a route it solicited.</summary>
internal sealed class RouteConnectInfo
{
    public bool Echo, Verbose, Pedantic, Tls, Headers, Dynamic, Lnoc, Lnocu;
    public string User = "", Pass = "", Name = "", Cluster = "", Gateway = "";

    /// <summary>Go's JSON for it: echo, verbose, pedantic, user/pass (omitempty), tls_required, headers, name, cluster,
    /// cluster_dynamic/lnoc/lnocu/gateway (omitempty).</summary>
    public byte[] ToProtocol()
    {
        var buf = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new System.Text.Json.Utf8JsonWriter(buf, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default }))
        {
            w.WriteStartObject();
            w.WriteBoolean("echo", Echo);
            w.WriteBoolean("verbose", Verbose);
            w.WriteBoolean("pedantic", Pedantic);
            if (User.Length > 0) w.WriteString("user", User);
            if (Pass.Length > 0) w.WriteString("pass", Pass);
            w.WriteBoolean("tls_required", Tls);
            w.WriteBoolean("headers", Headers);
            w.WriteString("name", Name);
            w.WriteString("cluster", Cluster);
            if (Dynamic) w.WriteBoolean("cluster_dynamic", true);
            if (Lnoc) w.WriteBoolean("lnoc", true);
            if (Lnocu) w.WriteBoolean("lnocu", true);
            if (Gateway.Length > 0) w.WriteString("gateway", Gateway);
            w.WriteEndObject();
        }
        var json = buf.WrittenSpan;
        var proto = new byte[8 + json.Length + 2];
        "CONNECT "u8.CopyTo(proto);
        json.CopyTo(proto.AsSpan(8));
        proto[^2] = (byte)'\r';
        proto[^1] = (byte)'\n';
        return proto;
    }

    public static RouteConnectInfo Parse(ReadOnlySpan<byte> json)
    {
        var c = new RouteConnectInfo();
        using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            var v = p.Value;
            bool b = v.ValueKind == System.Text.Json.JsonValueKind.True;
            string s = v.ValueKind == System.Text.Json.JsonValueKind.String ? v.GetString()! : "";
            switch (p.Name)
            {
                case "echo": c.Echo = b; break;
                case "verbose": c.Verbose = b; break;
                case "pedantic": c.Pedantic = b; break;
                case "user": c.User = s; break;
                case "pass": c.Pass = s; break;
                case "tls_required": c.Tls = b; break;
                case "headers": c.Headers = b; break;
                case "name": c.Name = s; break;
                case "cluster": c.Cluster = s; break;
                case "cluster_dynamic": c.Dynamic = b; break;
                case "lnoc": c.Lnoc = b; break;
                case "lnocu": c.Lnocu = b; break;
                case "gateway": c.Gateway = s; break;
            }
        }
        return c;
    }
}
