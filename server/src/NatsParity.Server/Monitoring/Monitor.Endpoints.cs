using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;

namespace NatsParity.Server.Monitoring;

public sealed partial class Monitor
{
    private static readonly DateTime ProcessStart = DateTime.UtcNow;
    private TimeSpan _lastCpu;
    private DateTime _lastCpuAt = DateTime.UtcNow;
    private double _cpu;

    /// <summary>Go's Varz, in its field order with its omission rules.</summary>
    private string? Varz(MonitorQuery q, Utf8JsonWriter w)
    {
        var o = _s.Options;
        var now = DateTime.UtcNow;
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("server_name", _s.Name);
        w.Str("version", NatsServer.Version);
        w.Num("proto", 1);
        w.Str("go", $"dotnet{Environment.Version}");
        w.Str("host", o.Host);
        w.Num("port", _s.Port);
        w.Bool("auth_required", _s.AuthRequired, omitEmpty: true);
        w.Bool("tls_required", o.TlsEnabled, omitEmpty: true);
        w.Bool("tls_verify", o.TlsVerify, omitEmpty: true);
        w.Bool("tls_ocsp_peer_verify", _s.OcspCache is not null && o.TlsEnabled && o.TlsOcspPeer is { Verify: true }, omitEmpty: true);
        w.Num("max_connections", o.MaxConnections);
        w.Num("max_subscriptions", o.MaxSubscriptions, omitEmpty: true);
        w.Num("ping_interval", o.PingInterval.Ticks * 100);
        w.Num("ping_max", o.MaxPingsOut);
        w.Str("http_host", Host);
        w.Num("http_port", Port);
        w.Str("http_base_path", o.HttpBasePath);
        w.Num("https_port", o.HttpsPort);
        w.Flt("auth_timeout", o.EffectiveAuthTimeout.TotalSeconds);
        w.Num("max_control_line", o.MaxControlLine);
        w.Num("max_payload", o.MaxPayload);
        w.Num("max_pending", o.MaxPending);
        WriteClusterVarz(w, o);
        foreach (var empty in new[] { "gateway", "leaf", "mqtt", "websocket", "jetstream" })
        {
            w.WriteStartObject(empty);
            if (empty == "websocket") WriteWebsocketVarz(w, o.Websocket);
            w.WriteEndObject();
        }
        w.Flt("tls_timeout", o.TlsTimeout.TotalSeconds);
        w.Num("write_deadline", o.WriteDeadline.Ticks * 100);
        w.Str("write_timeout", o.WriteTimeout.Text(), omitEmpty: true);
        w.Str("start", GoJson.Time(_s.StartTime));
        w.Str("now", GoJson.Time(now));
        w.Str("uptime", GoJson.Uptime(now - _s.StartTime));
        w.Num("mem", ResidentMemory());
        w.Num("cores", Environment.ProcessorCount);
        w.Num("gomaxprocs", Environment.ProcessorCount);
        w.Flt("cpu", Cpu());
        w.Num("connections", _s.NumClients);
        w.Num("total_connections", Interlocked.Read(ref _s.TotalConnections));
        w.Num("routes", _s.NumRoutes);
        w.Num("remotes", _s.NumRemotes);
        w.Num("leafnodes", 0);
        long inMsgs = Interlocked.Read(ref _s.InMsgs), inBytes = Interlocked.Read(ref _s.InBytes);
        long outMsgs = Interlocked.Read(ref _s.OutMsgs), outBytes = Interlocked.Read(ref _s.OutBytes);
        w.Num("in_msgs", inMsgs);
        w.Num("in_bytes", inBytes);
        w.Num("in_client_msgs", inMsgs);
        w.Num("in_client_bytes", inBytes);
        w.Num("out_msgs", outMsgs);
        w.Num("out_bytes", outBytes);
        w.Num("out_client_msgs", outMsgs);
        w.Num("out_client_bytes", outBytes);
        long slow = Interlocked.Read(ref _s.SlowConsumers);
        w.Num("slow_consumers", slow);
        w.Num("stale_connections", Interlocked.Read(ref _s.StaleConnections));
        w.Num("stalled_clients", Interlocked.Read(ref _s.StalledClients));
        w.Num("subscriptions", _s.Accounts.Sum(a => (long)a.Sublist.Count));
        w.WriteStartObject("http_req_stats");
        foreach (var (k, v) in _reqStats.ToArray().OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteNumber(k, v);
        w.WriteEndObject();
        w.Str("config_load_time", GoJson.Time(_s.ConfigTime));
        w.Str("config_digest", o.ConfigDigest);
        WriteTags(w, o.Tags);
        WriteMetadataAndFeatureFlags(w, o);
        if (o.TrustedOperatorJwts is { Count: > 0 } opJwts)
        {
            w.WriteStartArray("trusted_operators_jwt");
            foreach (var j in opJwts) w.WriteStringValue(j);
            w.WriteEndArray();
            // The decoded claims: each JWT's claims part.
            w.WriteStartArray("trusted_operators_claim");
            foreach (var j in opJwts) w.WriteRawValue(Auth.Jwt.JwtCodec.FromBase64Url(j.Split('.')[1]));
            w.WriteEndArray();
        }
        w.Str("system_account", _s.SystemAccount?.Name, omitEmpty: true);
        w.Num("pinned_account_fails", Interlocked.Read(ref _s.PinnedAccountFails), omitEmpty: true);
        if (_s.OcspCache is { Local: true } rc)
        {
            var st = rc.Stats();
            w.WriteStartObject("ocsp_peer_cache");
            w.Str("cache_type", rc.Type, omitEmpty: true);
            w.Num("cache_hits", st.Hits, omitEmpty: true);
            w.Num("cache_misses", st.Misses, omitEmpty: true);
            w.Num("cached_responses", st.Responses, omitEmpty: true);
            w.Num("cached_revoked_responses", st.Revokes, omitEmpty: true);
            w.Num("cached_good_responses", st.Goods, omitEmpty: true);
            w.Num("cached_unknown_responses", st.Unknowns, omitEmpty: true);
            w.WriteEndObject();
        }
        w.KindStats("slow_consumer_stats", slow);
        w.WriteStartObject("disk_io_wait_stats");
        w.Num("waiters", 0);
        w.Num("waits", 0);
        w.Num("wait_time", 0);
        w.Num("max_wait_time", 0);
        w.WriteEndObject();
        if (o.Proxies is { } proxies)
        {
            w.WriteStartObject("proxies");
            if (proxies.Trusted.Count > 0)
            {
                w.WriteStartArray("trusted");
                foreach (var t in proxies.Trusted)
                {
                    w.WriteStartObject();
                    w.Str("key", t.Key);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndObject();
        return null;
    }

    /// <summary>Process CPU use in percent since the previous varz (Go reports the process's CPU from pse).</summary>
    internal double Cpu()
    {
        using var p = System.Diagnostics.Process.GetCurrentProcess();
        var total = p.TotalProcessorTime;
        var now = DateTime.UtcNow;
        double wall = (now - _lastCpuAt).TotalSeconds;
        if (wall > 0.5)
        {
            _cpu = Math.Round((total - _lastCpu).TotalSeconds / wall * 100, 2);
            _lastCpu = total;
            _lastCpuAt = now;
        }
        return _cpu;
    }

    private enum ConnState { Open, Closed, All }

    private sealed record ConnRow(ulong Cid, string Ip, int Port, DateTime Start, DateTime Last, DateTime? Stop, string Reason,
        TimeSpan Rtt, long Pending, long InMsgs, long OutMsgs, long InBytes, long OutBytes, int NumSubs, string Name, string Lang,
        string Version, (string, string)? Tls, string User, string Account,
        IReadOnlyList<(string Subject, string? Queue, string Sid, long Msgs, long Max)> Subs,
        System.Security.Cryptography.X509Certificates.X509Certificate2? PeerCert = null, bool TlsFirst = false, string Jwt = "",
        string IssuerKey = "", string NameTag = "", IReadOnlyList<string>? Tags = null, long Stalls = 0, string ProxyKey = "", string ClientType = "nats");

    /// <summary>Go's SortByIdle: ascending by time since the last activity (connz reverses it).</summary>
    internal static IEnumerable<T> SortByIdle<T>(IEnumerable<T> conns, Func<T, DateTime> lastActivity, DateTime now) =>
        conns.OrderBy(c => now - lastActivity(c));

    private static readonly HashSet<string> SortOpts = ["", "cid", "start", "subs", "pending", "msgs_to", "msgs_from", "bytes_to", "bytes_from", "last", "idle", "uptime", "stop", "reason", "rtt"];

    /// <summary>Go's Connz with every query option of HandleConnz.</summary>
    private string? Connz(MonitorQuery q, Utf8JsonWriter w)
    {
        string sort = Q(q, "sort") ?? "";
        if (DecodeBool(q, "auth", out bool auth) is { } e1) return e1;
        string? subsQ = Q(q, "subs");
        bool subs = false, subsDetail = false;
        if (subsQ == "detail") subsDetail = true;
        else if (DecodeBool(q, "subs", out subs) is { } e2) return e2;
        if (DecodeLong(q, "offset", out long offset) is { } e3) return e3;
        if (DecodeLong(q, "limit", out long limit) is { } e4) return e4;
        if (DecodeUInt(q, "cid", out ulong cid) is { } e5) return e5;
        var state = (Q(q, "state") ?? "").ToLowerInvariant() switch
        {
            "" or "open" => (ConnState?)ConnState.Open,
            "closed" => ConnState.Closed,
            "any" or "all" => ConnState.All,
            _ => null,
        };
        if (state is null) return $"Error decoding state for {Q(q, "state")}";
        string user = Q(q, "user") ?? "", acc = Q(q, "acc") ?? "";

        if (!SortOpts.Contains(sort)) return $"invalid sorting option: {sort}";
        if (offset < 0) offset = 0;
        if (limit <= 0) limit = 1024;
        if (sort == "stop" && state != ConnState.Closed) return "sort by stop only valid on closed connections";
        if (sort == "reason" && state != ConnState.Closed) return "sort by reason only valid on closed connections";
        if (cid > 0) limit = 1;

        var now = ClientConnection.ClockNow; // the clock of the connections' start and activity times
        var rows = new List<ConnRow>();
        var filterAcc = acc.Length > 0 ? _s.LookupAccount(acc) : null;
        if (state is ConnState.Open or ConnState.All && (acc.Length == 0 || filterAcc is not null))
        {
            foreach (var c in _s.Clients)
            {
                // One read of the client's account: it may be swapped while this runs (Go snapshots it under the
                // client's lock).
                var ca = c.Account;
                if (filterAcc is not null && !ReferenceEquals(ca, filterAcc)) continue;
                // Go's getRTT: a real client (one that named its language) with no RTT yet is PINGed for one.
                if (c.Rtt == TimeSpan.Zero && !string.IsNullOrEmpty(c.Options.Lang)) c.SendRttPing();
                rows.Add(new ConnRow(c.Cid, c.RemoteHost, c.RemotePort, c.StartTime, c.LastActivity, null, "", c.Rtt, c.PendingBytes,
                    Interlocked.Read(ref c.InMsgs), Interlocked.Read(ref c.OutMsgs), Interlocked.Read(ref c.InBytes), Interlocked.Read(ref c.OutBytes),
                    c.SubscriptionCount, c.Options.Name ?? "", c.Options.Lang ?? "", c.Options.Version ?? "", c.TlsState,
                    c.AuthorizedUser, ca.Name == Account.GlobalName ? "" : ca.Name,
                    subs || subsDetail ? c.SubscriptionDetails() : [], auth ? c.PeerCertificate : null, c.TlsFirst,
                    auth ? RedactBearerJwt(c.Options.Jwt) : "", auth ? c.IssuerKey : "",
                    auth ? ca.NameTagOrName : "", auth ? c.JwtTags : null, Interlocked.Read(ref c.Stalls), c.ProxyKey, c.ClientTypeString));
            }
        }
        if (state is ConnState.Closed or ConnState.All)
        {
            foreach (var cc in _s.Closed.Snapshot())
            {
                if (acc.Length > 0 && cc.Account != acc && !(acc == Account.GlobalName && cc.Account.Length == 0)) continue;
                // Go's closedClient keeps the JWT, issuer, JWT name and tags it was closed with; with auth the name tag
                // is its (non-global) account's, as that account is now.
                string nameTag = auth && cc.Account.Length > 0 && _s.LookupAccount(cc.Account) is { } ccAcc ? ccAcc.NameTagOrName : cc.NameTag;
                rows.Add(new ConnRow(cc.Cid, cc.Host, cc.Port, cc.Start, cc.LastActivity == default ? cc.Stop : cc.LastActivity, cc.Stop,
                    cc.Reason.Text(), cc.Rtt, 0, cc.InMsgs, cc.OutMsgs, cc.InBytes, cc.OutBytes, cc.Subs.Count, cc.Name, cc.Lang, cc.Version,
                    null, cc.User, cc.Account,
                    subs || subsDetail ? (cc.SubDetails ?? cc.Subs.Select(x => (x, (string?)null, "", 0L, 0L)).ToList()) : [],
                    Jwt: cc.Jwt, IssuerKey: cc.IssuerKey, NameTag: nameTag, Tags: cc.Tags, Stalls: cc.Stalls, ProxyKey: cc.ProxyKey, ClientType: cc.ClientType));
            }
        }
        if (cid > 0) rows = rows.Where(r => r.Cid == cid).ToList();
        if (user.Length > 0) rows = rows.Where(r => r.User == user).ToList();
        int total = rows.Count;

        IEnumerable<ConnRow> sorted = sort switch
        {
            "subs" => rows.OrderByDescending(r => r.NumSubs),
            "pending" => rows.OrderByDescending(r => r.Pending),
            "msgs_to" => rows.OrderByDescending(r => r.OutMsgs),
            "msgs_from" => rows.OrderByDescending(r => r.InMsgs),
            "bytes_to" => rows.OrderByDescending(r => r.OutBytes),
            "bytes_from" => rows.OrderByDescending(r => r.InBytes),
            "last" => rows.OrderByDescending(r => r.Last),
            "idle" => SortByIdle(rows, r => r.Last, now).Reverse(),
            "uptime" => rows.OrderBy(r => (r.Stop ?? now) - r.Start),
            "stop" => rows.OrderByDescending(r => r.Stop),
            "reason" => rows.OrderBy(r => r.Reason, StringComparer.Ordinal),
            "rtt" => rows.OrderByDescending(r => r.Rtt),
            _ => rows.OrderBy(r => r.Cid),
        };
        var page = sorted.Skip((int)Math.Min(offset, int.MaxValue)).Take((int)Math.Min(limit, int.MaxValue)).ToList();

        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(now));
        w.Num("num_connections", page.Count);
        w.Num("total", total);
        w.Num("offset", offset);
        w.Num("limit", limit);
        w.WriteStartArray("connections");
        foreach (var r in page)
        {
            w.WriteStartObject();
            w.Num("cid", (long)r.Cid);
            w.Str("kind", "Client");
            w.Str("type", r.ClientType);
            w.Str("ip", r.Ip);
            w.Num("port", r.Port);
            w.Str("start", GoJson.Time(r.Start));
            w.Str("last_activity", GoJson.Time(r.Last));
            if (r.Stop is { } stop) w.Str("stop", GoJson.Time(stop));
            w.Str("reason", r.Reason, omitEmpty: true);
            w.Str("rtt", GoJson.Duration(r.Rtt));
            w.Str("uptime", GoJson.Uptime((r.Stop ?? now) - r.Start));
            w.Str("idle", GoJson.Uptime((r.Stop ?? now) - r.Last));
            w.Num("pending_bytes", r.Pending);
            w.Num("in_msgs", r.InMsgs);
            w.Num("out_msgs", r.OutMsgs);
            w.Num("in_bytes", r.InBytes);
            w.Num("out_bytes", r.OutBytes);
            w.Num("stalls", r.Stalls, omitEmpty: true);
            w.Num("subscriptions", r.NumSubs);
            w.Str("name", r.Name, omitEmpty: true);
            w.Str("lang", r.Lang, omitEmpty: true);
            w.Str("version", r.Version, omitEmpty: true);
            if (r.Tls is { } tls)
            {
                w.Str("tls_version", tls.Item1);
                w.Str("tls_cipher_suite", tls.Item2);
                // Go's makePeerCerts, with auth: the client's certificate by subject and SHA-256 of key and certificate.
                if (r.PeerCert is { } pc)
                {
                    w.WriteStartArray("tls_peer_certs");
                    w.WriteStartObject();
                    w.Str("subject", Auth.GoDistinguishedName.Format(pc.SubjectName), omitEmpty: true);
                    w.Str("spki_sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pc.PublicKey.ExportSubjectPublicKeyInfo())));
                    w.Str("cert_sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pc.RawData)));
                    w.WriteEndObject();
                    w.WriteEndArray();
                }
                if (r.TlsFirst) w.Bool("tls_first", true);
            }
            if (auth)
            {
                w.Str("authorized_user", r.User, omitEmpty: true);
                w.Str("account", r.Account.Length > 0 ? r.Account : Account.GlobalName);
            }
            if (subsDetail && r.Subs.Count > 0)
            {
                w.WriteStartArray("subscriptions_list_detail");
                foreach (var sd in r.Subs)
                {
                    w.WriteStartObject();
                    w.Str("account", r.Account.Length > 0 ? r.Account : Account.GlobalName);
                    w.Str("subject", sd.Subject);
                    w.Str("qgroup", sd.Queue, omitEmpty: true);
                    w.Str("sid", sd.Sid);
                    w.Num("msgs", sd.Msgs);
                    w.Num("max", sd.Max, omitEmpty: true);
                    w.Num("cid", (long)r.Cid);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            else if (subs && r.Subs.Count > 0)
            {
                w.WriteStartArray("subscriptions_list");
                foreach (var sd in r.Subs) w.WriteStringValue(sd.Subject);
                w.WriteEndArray();
            }
            w.Str("jwt", r.Jwt, omitEmpty: true);
            w.Str("issuer_key", r.IssuerKey, omitEmpty: true);
            w.Str("name_tag", r.NameTag, omitEmpty: true);
            if (r.Tags is { } tags) WriteTags(w, tags);
            if (r.ProxyKey.Length > 0)
            {
                // Go's createProxyInfo: the key of the trusted proxy the client came through.
                w.WriteStartObject("proxy");
                w.Str("key", r.ProxyKey);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's varz cluster section (ClusterOptsVarz): empty without a cluster.</summary>
    private void WriteClusterVarz(Utf8JsonWriter w, Config.ServerOptions o)
    {
        w.WriteStartObject("cluster");
        var c = o.Cluster;
        if (c.Enabled)
        {
            w.Str("name", _s.ClusterName, omitEmpty: true);
            w.Str("addr", c.Host, omitEmpty: true);
            if (c.Port != 0) w.Num("cluster_port", c.Port);
            if (c.AuthTimeout != 0) w.Flt("auth_timeout", c.AuthTimeout);
            if (o.Routes.Count > 0)
            {
                w.WriteStartArray("urls");
                foreach (var u in o.Routes) w.WriteStringValue(u.IsDefaultPort ? u.Host : $"{u.Host}:{u.Port}");
                w.WriteEndArray();
            }
            if (c.TlsTimeout != 0) w.Flt("tls_timeout", c.TlsTimeout);
            if (c.PoolSize != 0) w.Num("pool_size", c.PoolSize);
            if (c.WriteDeadline > TimeSpan.Zero) w.Num("write_deadline", c.WriteDeadline.Ticks * 100);
            w.Str("write_timeout", c.WriteTimeout.Text(), omitEmpty: true);
        }
        w.WriteEndObject();
    }

    /// <summary>Go's Routez: every route connection, with its subscriptions when asked (subs=1 or subs=detail).</summary>
    private string? Routez(MonitorQuery q, Utf8JsonWriter w)
    {
        if (DecodeSubs(q, out bool subs, out bool detail) is { } err) return err;
        var now = DateTime.UtcNow;
        var routes = _s.RouteConnections();
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("server_name", _s.Name);
        w.Str("now", GoJson.Time(now));
        if (_s.Options.Cluster.Permissions is { } perms)
        {
            WriteSubjectPermission(w, "import", perms.Import);
            WriteSubjectPermission(w, "export", perms.Export);
        }
        w.Num("num_routes", routes.Count);
        w.WriteStartArray("routes");
        foreach (var r in routes)
        {
            var rs = r.RouteState!;
            var rsubs = r.RemoteSubs();
            w.WriteStartObject();
            w.Num("rid", (long)r.Cid);
            w.Str("remote_id", rs.RemoteId);
            w.Str("remote_name", rs.RemoteName);
            w.Bool("did_solicit", rs.DidSolicit);
            w.Bool("is_configured", rs.Type == Cluster.RouteType.Explicit);
            w.Str("ip", r.RemoteHost);
            w.Num("port", r.RemotePort);
            w.Str("start", GoJson.Time(r.StartTime));
            w.Str("last_activity", GoJson.Time(r.LastActivity));
            w.Str("rtt", GoJson.Duration(r.Rtt));
            w.Str("uptime", GoJson.Uptime(now - r.StartTime));
            w.Str("idle", GoJson.Uptime(now - r.LastActivity));
            WriteSubjectPermission(w, "import", rs.RemoteImport);
            WriteSubjectPermission(w, "export", rs.RemoteExport);
            w.Num("pending_size", r.PendingBytes);
            w.Num("in_msgs", Interlocked.Read(ref r.InMsgs));
            w.Num("out_msgs", Interlocked.Read(ref r.OutMsgs));
            w.Num("in_bytes", Interlocked.Read(ref r.InBytes));
            w.Num("out_bytes", Interlocked.Read(ref r.OutBytes));
            w.Num("subscriptions", rsubs.Count);
            if (rsubs.Count > 0 && detail)
            {
                w.WriteStartArray("subscriptions_list_detail");
                foreach (var sub in rsubs)
                {
                    w.WriteStartObject();
                    w.Str("account", sub.RemoteAccount?.Name ?? "", omitEmpty: true);
                    w.Str("subject", sub.Subject);
                    w.Str("qgroup", sub.Queue ?? "", omitEmpty: true);
                    w.Str("sid", System.Text.Encoding.UTF8.GetString(sub.Sid));
                    w.Num("msgs", Interlocked.Read(ref sub.Delivered));
                    w.Num("cid", (long)r.Cid);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            else if (rsubs.Count > 0 && subs)
            {
                w.WriteStartArray("subscriptions_list");
                foreach (var sub in rsubs) w.WriteStringValue(sub.Subject);
                w.WriteEndArray();
            }
            w.Str("account", rs.AccName, omitEmpty: true);
            w.Str("compression", rs.Compression, omitEmpty: true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's decodeSubs: subs=detail, or subs as a boolean.</summary>
    private static string? DecodeSubs(MonitorQuery q, out bool subs, out bool detail)
    {
        subs = false;
        detail = string.Equals(Q(q, "subs"), "detail", StringComparison.OrdinalIgnoreCase);
        return detail ? null : DecodeBool(q, "subs", out subs);
    }

    private static void WriteSubjectPermission(Utf8JsonWriter w, string name, Auth.SubjectPermission? p)
    {
        if (p is null) return;
        w.WriteStartObject(name);
        if (p.Allow is { Count: > 0 } a)
        {
            w.WriteStartArray("allow");
            foreach (var x in a) w.WriteStringValue(x);
            w.WriteEndArray();
        }
        if (p.Deny is { Count: > 0 } d)
        {
            w.WriteStartArray("deny");
            foreach (var x in d) w.WriteStringValue(x);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Go's Gatewayz with no gateway configured.</summary>
    private string? Gatewayz(MonitorQuery q, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(DateTime.UtcNow));
        w.WriteStartObject("outbound_gateways");
        w.WriteEndObject();
        w.WriteStartObject("inbound_gateways");
        w.WriteEndObject();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's Leafz with no leafnodes: a nil list is JSON null.</summary>
    private string? Leafz(MonitorQuery q, Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(DateTime.UtcNow));
        w.Num("leafnodes", 0);
        w.WriteNull("leafs");
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's Subsz with subs, test, offset, limit and acc.</summary>
    private string? Subsz(MonitorQuery q, Utf8JsonWriter w)
    {
        if (DecodeBool(q, "subs", out bool subs) is { } e1) return e1;
        if (DecodeInt(q, "offset", out int offset) is { } e2) return e2;
        if (DecodeInt(q, "limit", out int limit) is { } e3) return e3;
        string test = Q(q, "test") ?? "", acc = Q(q, "acc") ?? "";
        if (test.Length > 0 && !Subscriptions.SubjectValidation.IsValidLiteralSubject(test))
            return $"invalid publish subject for test: {test}";
        if (offset < 0) offset = 0;
        if (limit <= 0) limit = 1024;

        var accounts = acc.Length > 0 ? (_s.LookupAccount(acc) is { } one ? [one] : new List<Account>()) : _s.Accounts.ToList();
        var stats = new Subscriptions.SublistStats();
        foreach (var a in accounts) stats.Add(a.Sublist.Stats());
        var details = new List<(Account Acc, Subscriptions.Subscription Sub)>();
        if (subs)
        {
            foreach (var a in accounts)
            {
                var all = new List<Subscriptions.Subscription>();
                a.Sublist.All(all);
                foreach (var sub in all)
                {
                    if (sub.Client is null) continue;
                    if (test.Length > 0 && !Subscriptions.SubjectValidation.MatchLiteral(test, sub.Subject)) continue;
                    details.Add((a, sub));
                }
            }
        }
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(DateTime.UtcNow));
        w.Num("num_subscriptions", stats.NumSubs);
        w.Num("num_cache", stats.NumCache);
        w.Num("num_inserts", (long)stats.NumInserts);
        w.Num("num_removes", (long)stats.NumRemoves);
        w.Num("num_matches", (long)stats.NumMatches);
        w.Flt("cache_hit_rate", stats.CacheHitRate);
        w.Num("max_fanout", stats.MaxFanout);
        w.Flt("avg_fanout", stats.AvgFanout);
        w.Num("total", details.Count);
        w.Num("offset", offset);
        w.Num("limit", limit);
        var page = details.Skip(offset).Take(limit).ToList();
        if (page.Count > 0)
        {
            w.WriteStartArray("subscriptions_list");
            foreach (var (a, sub) in page)
            {
                w.WriteStartObject();
                w.Str("account", a.Name);
                w.Str("account_tag", a.NameTagOrName);
                w.Str("subject", sub.Subject);
                w.Str("qgroup", sub.Queue, omitEmpty: true);
                w.Str("sid", System.Text.Encoding.UTF8.GetString(sub.Sid));
                w.Num("msgs", Interlocked.Read(ref sub.Delivered));
                w.Num("max", sub.Max, omitEmpty: true);
                w.Num("cid", (long)sub.Client!.Cid);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's Accountz: the account names, or one account's detail with acc=.</summary>
    private string? Accountz(MonitorQuery q, Utf8JsonWriter w)
    {
        string acc = Q(q, "acc") ?? "";
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(DateTime.UtcNow));
        w.Str("system_account", _s.SystemAccount?.Name, omitEmpty: true);
        if (acc.Length == 0)
        {
            w.WriteStartArray("accounts");
            foreach (var name in _s.Accounts.Select(x => x.Name).Order(StringComparer.Ordinal)) w.WriteStringValue(name);
            w.WriteEndArray();
        }
        else
        {
            var a = _s.LookupAccount(acc);
            if (a is null)
            {
                w.WriteEndObject();
                return null;
            }
            WriteAccountDetail(w, a);
        }
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's accountInfo for one account as JSON, or null when there is no such account.</summary>
    internal byte[]? RenderAccountInfo(string name)
    {
        var a = _s.LookupAccount(name);
        if (a is null) return null;
        var buf = new MemoryStream();
        using (var w = new Utf8JsonWriter(buf, GoJson.Compact)) WriteAccountDetail(w, a, null);
        return buf.ToArray();
    }

    /// <summary>Go's Permissions JSON as clients see theirs.</summary>
    internal static void WritePermissions(Utf8JsonWriter w, Auth.Permissions p)
    {
        w.WriteStartObject();
        foreach (var (name, sp) in new[] { ("publish", p.Publish), ("subscribe", p.Subscribe) })
        {
            if (sp is null) { w.WriteNull(name); continue; }
            w.WriteStartObject(name);
            if (sp.Allow is { Count: > 0 }) { w.WriteStartArray("allow"); foreach (var x in sp.Allow) w.WriteStringValue(x); w.WriteEndArray(); }
            if (sp.Deny is { Count: > 0 }) { w.WriteStartArray("deny"); foreach (var x in sp.Deny) w.WriteStringValue(x); w.WriteEndArray(); }
            w.WriteEndObject();
        }
        if (p.Response is { } r)
        {
            w.WriteStartObject("responses");
            w.Num("max", r.MaxMsgs);
            w.Num("ttl", r.Expires.Ticks * 100);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private void WriteAccountDetail(Utf8JsonWriter w, Account a, string? property = "account_detail")
    {
        {
            if (property is null) w.WriteStartObject();
            else w.WriteStartObject(property);
            w.Str("account_name", a.Name);
            w.Str("update_time", GoJson.Time(_s.ConfigTime));
            w.Bool("is_system", ReferenceEquals(a, _s.SystemAccount), omitEmpty: true);
            w.Bool("expired", false);
            w.Bool("complete", true);
            w.Bool("jetstream_enabled", false);
            w.Num("leafnode_connections", 0);
            w.Num("client_connections", a.NumClients);
            w.Num("subscriptions", a.Sublist.Count);
            if (a.MappingDefs.Count > 0)
            {
                w.WriteStartObject("mappings");
                foreach (var (src, dests) in a.MappingDefs)
                {
                    w.WriteStartArray(src);
                    foreach (var d in dests)
                    {
                        w.WriteStartObject();
                        w.Str("destination", d.Subject);
                        w.Num("weight", d.Weight);
                        w.Str("cluster", d.Cluster, omitEmpty: true);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            var exports = a.ExportsSnapshot();
            if (exports.Count > 0)
            {
                w.WriteStartArray("exports");
                foreach (var e in exports)
                {
                    w.WriteStartObject();
                    w.Str("subject", e.Subject);
                    w.Str("type", e.Service ? "service" : "stream");
                    if (e.TokenRequired) w.Bool("token_req", true);
                    if (e.Service) w.Str("response_type", e.ResponseType.ToString());
                    if (e.Latency is { } lat) WriteLatency(w, "service_latency", lat);
                    if (e.Approved.Count > 0)
                    {
                        w.WriteStartArray("approved_accounts");
                        foreach (var n in e.Approved) w.WriteStringValue(n);
                        w.WriteEndArray();
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            var imports = a.ImportsSnapshot();
            if (imports.Count > 0)
            {
                w.WriteStartArray("imports");
                foreach (var im in imports) WriteImport(w, im);
                w.WriteEndArray();
            }
            if (a.Claims is { } claims)
            {
                // An operator-mode account: its JWT, signer, name tag and tags, and the decoded claims.
                w.Str("jwt", a.ClaimJwt, omitEmpty: true);
                w.Str("issuer_key", a.Issuer, omitEmpty: true);
                w.Str("name_tag", claims.Name.Length > 0 ? claims.Name : a.Name);
                WriteTags(w, claims.Tags);
                if (a.ClaimJwt.Length > 0)
                {
                    w.WritePropertyName("decoded_jwt");
                    w.WriteRawValue(Auth.Jwt.JwtCodec.FromBase64Url(a.ClaimJwt.Split('.')[1]));
                }
            }
            else
            {
                // Go's getNameTagLocked: the account's name when no JWT gives it a name tag.
                w.Str("name_tag", a.Name);
            }
            var st = a.Sublist.Stats();
            w.WriteStartObject("sublist_stats");
            w.Num("num_subscriptions", st.NumSubs);
            w.Num("num_cache", st.NumCache);
            w.Num("num_inserts", (long)st.NumInserts);
            w.Num("num_removes", (long)st.NumRemoves);
            w.Num("num_matches", (long)st.NumMatches);
            w.Flt("cache_hit_rate", st.CacheHitRate);
            w.Num("max_fanout", st.MaxFanout);
            w.Flt("avg_fanout", st.AvgFanout);
            w.WriteEndObject();
            var responses = a.ResponsesSnapshot();
            if (responses.Count > 0)
            {
                w.WriteStartObject("responses");
                foreach (var (reply, im) in responses)
                {
                    w.WritePropertyName(reply);
                    WriteImport(w, im);
                }
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
    }

    /// <summary>Go's ExtImport (jwt.Import with the import's state): a service import names the exported subject and,
    /// as "to" and "local_subject", where it is published here.</summary>
    private static void WriteImport(Utf8JsonWriter w, ImportView im)
    {
        w.WriteStartObject();
        w.Str("subject", im.Subject);
        w.Str("account", im.Account);
        if (im.Service) w.Str("to", im.LocalSubject, omitEmpty: true);
        w.Str("local_subject", im.LocalSubject, omitEmpty: true);
        w.Str("type", im.Service ? "service" : "stream");
        w.Bool("invalid", false);
        w.Bool("share", im.Share);
        w.Bool("tracking", im.Tracking);
        w.HeaderMap("tracking_header", im.TrackingHeader);
        if (im.Latency is { } lat) WriteLatency(w, "latency", lat);
        w.WriteEndObject();
    }

    /// <summary>"metadata" (left out when empty) and "feature_flags" (every known flag), keys sorted as Go's maps.</summary>
    internal static void WriteMetadataAndFeatureFlags(Utf8JsonWriter w, Config.ServerOptions o)
    {
        if (o.Metadata is { Count: > 0 } md)
        {
            w.WriteStartObject("metadata");
            foreach (var (k, v) in md) w.WriteString(k, v);
            w.WriteEndObject();
        }
        var flags = Config.FeatureFlags.Merged(o);
        if (flags.Count == 0) return;
        w.WriteStartObject("feature_flags");
        foreach (var (k, v) in flags) w.WriteBoolean(k, v);
        w.WriteEndObject();
    }

    /// <summary>Go's redactBearerJWT: a bearer user JWT is not shown.</summary>
    internal static string RedactBearerJwt(string? jwt)
    {
        if (string.IsNullOrEmpty(jwt)) return "";
        try { return Auth.Jwt.UserClaims.Decode(jwt).BearerToken ? "" : jwt; }
        catch (Auth.Jwt.JwtException) { return jwt; }
    }

    /// <summary>A tag list as "tags", left out when empty.</summary>
    internal static void WriteTags(Utf8JsonWriter w, IReadOnlyCollection<string> tags)
    {
        if (tags.Count == 0) return;
        w.WriteStartArray("tags");
        foreach (var t in tags) w.WriteStringValue(t);
        w.WriteEndArray();
    }

    /// <summary>jwt.ServiceLatency: the sampling percentage ("headers" when triggered by them) and the results subject.</summary>
    private static void WriteLatency(Utf8JsonWriter w, string name, ServiceLatencyConfig lat)
    {
        w.WriteStartObject(name);
        if (lat.Sampling == 0) w.Str("sampling", "headers");
        else w.Num("sampling", lat.Sampling);
        w.Str("results", lat.Subject);
        w.WriteEndObject();
    }

    /// <summary>Go's AccountStatz: accounts with connections (all with unused=true).</summary>
    private string? AccountStatz(MonitorQuery q, Utf8JsonWriter w)
    {
        if (DecodeBool(q, "unused", out bool unused) is { } e) return e;
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(DateTime.UtcNow));
        w.WriteStartArray("account_statz");
        // A system account request names its accounts; HTTP has no such option.
        var only = Q(q, Events.SystemEvents.AccountsQuery) is { Length: > 0 } list ? list.Split(',') : null;
        var accounts = only is null ? _s.Accounts.OrderBy(a => a.Name, StringComparer.Ordinal).ToList()
            : only.Select(_s.LookupAccount).OfType<Account>().ToList();
        foreach (var a in accounts)
        {
            int conns = a.NumClients;
            if (conns == 0 && !unused) continue;
            var (im, ib, om, ob) = a.Traffic();
            w.WriteStartObject();
            w.Str("acc", a.Name);
            w.Str("name", a.NameTagOrName);
            w.Num("conns", conns);
            w.Num("leafnodes", 0);
            w.Num("total_conns", conns);
            w.Num("num_subscriptions", a.Sublist.Count);
            foreach (var (name, msgs, bytes) in new[] { ("sent", om, ob), ("received", im, ib) })
            {
                w.WriteStartObject(name);
                w.Num("msgs", msgs);
                w.Num("bytes", bytes);
                foreach (var kind in new[] { "gateways", "routes", "leafs" })
                {
                    w.WriteStartObject(kind);
                    w.Num("msgs", 0);
                    w.Num("bytes", 0);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
            }
            w.Num("slow_consumers", 0);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's errSkipZreq: the error text of a request that does not concern this server; a system account
    /// request gets no response at all.</summary>
    internal const string SkipZreq = "filtered response";

    internal static bool IsSkip(string? error) => error is not null && error.StartsWith(SkipZreq, StringComparison.Ordinal);

    /// <summary>Go's Jsz on a server without JetStream: disabled, and never the leader asked for by leader-only.</summary>
    private string? Jsz(MonitorQuery q, Utf8JsonWriter w)
    {
        foreach (var opt in new[] { "accounts", "streams", "consumers", "direct-consumers", "config" })
            if (DecodeBool(q, opt, out _) is { } e) return e;
        if (DecodeInt(q, "offset", out _) is { } oe) return oe;
        if (DecodeInt(q, "limit", out _) is { } le) return le;
        if (DecodeBool(q, "leader-only", out bool leaderOnly) is { } lo) return lo;
        if (DecodeBool(q, "raft", out _) is { } re) return re;
        if (DecodeBool(q, "stream-leader-only", out _) is { } se) return se;
        if (leaderOnly) return $"{SkipZreq}: not leader";
        w.WriteStartObject();
        w.Str("server_id", _s.ServerId);
        w.Str("now", GoJson.Time(DateTime.UtcNow));
        w.Bool("disabled", true);
        w.WriteStartObject("config");
        w.Num("max_memory", 0);
        w.Num("max_storage", 0);
        w.WriteEndObject();
        w.Num("memory", 0);
        w.Num("storage", 0);
        w.Num("reserved_memory", 0);
        w.Num("reserved_storage", 0);
        w.Num("accounts", 0);
        w.Num("ha_assets", 0);
        w.WriteStartObject("api");
        w.Num("total", 0);
        w.Num("errors", 0);
        w.WriteEndObject();
        w.Num("streams", 0);
        w.Num("consumers", 0);
        w.Num("messages", 0);
        w.Num("bytes", 0);
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's healthz for a system account request: the health with its status code.</summary>
    private string? Healthz(MonitorQuery q, Utf8JsonWriter w) => WriteHealthz(q, w, withCode: true, out _, out _);

    /// <summary>Go's healthz on a server without JetStream: a stream asked for without its account, or a consumer
    /// without its stream, is a bad request; a server not ready for connections is an error. With details the
    /// problems are listed by type; <paramref name="code"/> is the HTTP status (left out of the body over HTTP) and
    /// <paramref name="failure"/> what HTTP logs of a failed check.</summary>
    private string? WriteHealthz(MonitorQuery q, Utf8JsonWriter w, bool withCode, out int code, out string? failure)
    {
        code = 0;
        failure = null;
        foreach (var opt in new[] { "js-enabled", "js-enabled-only", "js-server-only", "js-meta-only" })
            if (DecodeBool(q, opt, out _) is { } e) return e;
        if (DecodeBool(q, "details", out bool details) is { } de) return de;
        string account = Q(q, "account") ?? "", stream = Q(q, "stream") ?? "", consumer = Q(q, "consumer") ?? "";
        (string Type, string Text)? problem = null;
        code = 200;
        if (account.Length == 0 && stream.Length > 0)
        {
            code = 400;
            problem = ("BAD_REQUEST", "\"account\" must not be empty when checking stream health");
        }
        else if (stream.Length == 0 && consumer.Length > 0)
        {
            code = 400;
            problem = ("BAD_REQUEST", "\"stream\" must not be empty when checking consumer health");
        }
        else if (_s.ReadyForConnections(TimeSpan.FromMilliseconds(1)) is { } notReady)
        {
            code = 500;
            problem = ("CONNECTION", notReady);
        }
        w.WriteStartObject();
        w.Str("status", problem is null ? "ok" : "error");
        if (withCode) w.Num("status_code", code);
        if (problem is { } p)
        {
            if (!details) w.Str("error", p.Text);
            else
            {
                w.WriteStartArray("errors");
                w.WriteStartObject();
                w.Str("type", p.Type);
                w.Str("error", p.Text);
                w.WriteEndObject();
                w.WriteEndArray();
            }
            failure = details ? "Healthcheck failed: 1 errors" : $"Healthcheck failed: {Protocol.ProtocolParser.Quote(System.Text.Encoding.UTF8.GetBytes(p.Text))}";
        }
        w.WriteEndObject();
        return null;
    }

    /// <summary>Go's Ipqueuesz: the server's internal queues with something pending (all with all=1), filtered by
    /// name with queues=.</summary>
    private string? Ipqueuesz(MonitorQuery q, Utf8JsonWriter w)
    {
        if (DecodeBool(q, "all", out bool all) is { } e) return e;
        string filter = Q(q, "queues") ?? "";
        w.WriteStartObject();
        foreach (var (name, pending) in _s.Events?.Queues() ?? [])
        {
            if (!all && pending == 0) continue;
            if (filter.Length > 0 && !name.Contains(filter, StringComparison.Ordinal)) continue;
            w.WriteStartObject(name);
            w.Num("pending", pending);
            w.WriteEndObject();
        }
        w.WriteEndObject();
        return null;
    }
}
