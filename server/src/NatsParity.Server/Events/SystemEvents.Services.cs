using System.Globalization;
using System.Text;
using System.Text.Json;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;
using NatsParity.Server.Monitoring;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Events;

/// <summary>The request services of the system account (Go's initEventTracking and its handlers) and the system
/// service exports and imports (Go's addSystemAccountExports and registerSystemImports).</summary>
internal sealed partial class SystemEvents
{
    /// <summary>How a JSON option of a request maps onto the monitoring query (Go's *EventOptions structs).</summary>
    private enum OptKind { Bool, Int, UInt, String, State, List, Detail }

    private sealed record Opt(string Json, string Query, OptKind Kind, string GoType);

    private static readonly Opt[] FilterOpts =
    [
        new("server_name", "", OptKind.String, "string"), new("cluster", "", OptKind.String, "string"),
        new("host", "", OptKind.String, "string"), new("exact_match", "", OptKind.Bool, "bool"),
        new("tags", "", OptKind.List, "[]string"), new("domain", "", OptKind.String, "string"),
    ];

    private static readonly Opt[] ConnzOpts =
    [
        new("sort", "sort", OptKind.String, "server.SortOpt"), new("auth", "auth", OptKind.Bool, "bool"),
        new("subscriptions", "subs", OptKind.Bool, "bool"), new("subscriptions_detail", "subs", OptKind.Detail, "bool"),
        new("offset", "offset", OptKind.Int, "int"), new("limit", "limit", OptKind.Int, "int"),
        new("cid", "cid", OptKind.UInt, "uint64"), new("mqtt_client", "mqtt_client", OptKind.String, "string"),
        new("state", "state", OptKind.State, "server.ConnState"), new("user", "user", OptKind.String, "string"),
        new("acc", "acc", OptKind.String, "string"), new("filter_subject", "filter_subject", OptKind.String, "string"),
    ];

    private static readonly Opt[] SubszOpts =
    [
        new("offset", "offset", OptKind.Int, "int"), new("limit", "limit", OptKind.Int, "int"),
        new("subscriptions", "subs", OptKind.Bool, "bool"), new("account", "acc", OptKind.String, "string"),
        new("test", "test", OptKind.String, "string"),
    ];

    private static readonly Opt[] AccountzOpts = [new("account", "acc", OptKind.String, "string")];

    /// <summary>Go's JSzOptions.</summary>
    private static readonly Opt[] JszOpts =
    [
        new("account", "acc", OptKind.String, "string"), new("accounts", "accounts", OptKind.Bool, "bool"),
        new("streams", "streams", OptKind.Bool, "bool"), new("consumer", "consumers", OptKind.Bool, "bool"),
        new("direct_consumer", "direct-consumers", OptKind.Bool, "bool"), new("config", "config", OptKind.Bool, "bool"),
        new("leader_only", "leader-only", OptKind.Bool, "bool"), new("offset", "offset", OptKind.Int, "int"),
        new("limit", "limit", OptKind.Int, "int"), new("raft", "raft", OptKind.Bool, "bool"),
        new("stream_leader_only", "stream-leader-only", OptKind.Bool, "bool"),
    ];

    /// <summary>Go's IpqueueszOptions: every queue (also empty ones) and a name filter.</summary>
    private static readonly Opt[] IpqueueszOpts =
    [
        new("all", "all", OptKind.Bool, "bool"), new("filter", "queues", OptKind.String, "string"),
    ];

    private static readonly Opt[] HealthzOpts =
    [
        new("js-enabled", "js-enabled", OptKind.Bool, "bool"), new("js-enabled-only", "js-enabled-only", OptKind.Bool, "bool"),
        new("js-server-only", "js-server-only", OptKind.Bool, "bool"), new("js-meta-only", "js-meta-only", OptKind.Bool, "bool"),
        new("account", "account", OptKind.String, "string"), new("stream", "stream", OptKind.String, "string"),
        new("consumer", "consumer", OptKind.String, "string"), new("details", "details", OptKind.Bool, "bool"),
    ];

    private static readonly Opt[] AccountStatzOpts =
    [
        new("accounts", AccountsQuery, OptKind.List, "[]string"), new("include_unused", "unused", OptKind.Bool, "bool"),
    ];

    private static readonly Opt[] CidOpts = [new("cid", "cid", OptKind.UInt, "uint64")];

    /// <summary>The query name the account list of a request travels under (HTTP has no such option).</summary>
    internal const string AccountsQuery = "\0accounts";

    /// <summary>What a request service produced: the data, or the error to send, or (Go's errSkipZreq) nothing at
    /// all because the request does not concern this server.</summary>
    private readonly record struct ZResult(byte[]? Data, string? Error, bool Skip = false)
    {
        public static implicit operator ZResult((byte[]? Data, string? Error) r) => new(r.Data, r.Error);
    }

    private static readonly ZResult Skip = new(null, null, Skip: true);

    private void InitEventTracking()
    {
        string id = _s.ServerId;
        SysSubscribe(ServerStatsPingReqSubj, StatszReq, pings: true);
        var monSrvc = new Dictionary<string, SysHandler>
        {
            ["IDZ"] = IdzReq,
            ["STATSZ"] = StatszReq,
            ["VARZ"] = (c, s, r, h, m) => ZReq(r, h, m, "VarzEventOptions", [], q => Render(Monitor.VarzPath, q)),
            ["SUBSZ"] = (c, s, r, h, m) => ZReq(r, h, m, "SubszEventOptions", SubszOpts, q => Render(Monitor.SubszPath, q)),
            ["CONNZ"] = (c, s, r, h, m) => ZReq(r, h, m, "ConnzEventOptions", ConnzOpts, q => Render(Monitor.ConnzPath, q)),
            ["ROUTEZ"] = (c, s, r, h, m) => ZReq(r, h, m, "RoutezEventOptions", [], q => Render(Monitor.RoutezPath, q)),
            ["GATEWAYZ"] = (c, s, r, h, m) => ZReq(r, h, m, "GatewayzEventOptions", [], q => Render(Monitor.GatewayzPath, q)),
            ["LEAFZ"] = (c, s, r, h, m) => ZReq(r, h, m, "LeafzEventOptions", [], q => Render(Monitor.LeafzPath, q)),
            ["ACCOUNTZ"] = (c, s, r, h, m) => ZReq(r, h, m, "AccountzEventOptions", AccountzOpts, q => Render(Monitor.AccountzPath, q)),
            ["JSZ"] = (c, s, r, h, m) => ZReq(r, h, m, "JszEventOptions", JszOpts, q => Render(Monitor.JszPath, q)),
            ["HEALTHZ"] = (c, s, r, h, m) => ZReq(r, h, m, "HealthzEventOptions", HealthzOpts, q => Render(Monitor.HealthzPath, q)),
            ["IPQUEUESZ"] = (c, s, r, h, m) => ZReq(r, h, m, "IpqueueszEventOptions", IpqueueszOpts, q => Render(Monitor.IPQueuesPath, q)),
            // Go's Raftz with a system account and no Raft groups (nothing here is clustered): an empty map.
            ["RAFTZ"] = (c, s, r, h, m) => ZReq(r, h, m, "RaftzEventOptions", [], _ => ("{}"u8.ToArray(), null)),
        };
        foreach (var (name, handler) in monSrvc)
        {
            bool pings = name == "STATSZ";
            SysSubscribe(string.Format(ServerDirectReqSubj, id, name), handler, pings);
            SysSubscribe(string.Format(ServerPingReqSubj, name), handler, pings);
        }

        var monAccSrvc = new Dictionary<string, SysHandler>
        {
            ["SUBSZ"] = (c, s, r, h, m) => ZReq(r, h, m, "SubszEventOptions", SubszOpts, q => ForAccount(s, q, acc =>
            {
                q["subs"] = "true";
                q["acc"] = acc;
                return Render(Monitor.SubszPath, q);
            })),
            ["CONNZ"] = (c, s, r, h, m) => ZReq(r, h, m, "ConnzEventOptions", ConnzOpts, q => ForAccount(s, q, acc =>
            {
                q["acc"] = acc;
                return Render(Monitor.ConnzPath, q);
            })),
            ["LEAFZ"] = (c, s, r, h, m) => ZReq(r, h, m, "LeafzEventOptions", [], q => ForAccount(s, q, _ => Render(Monitor.LeafzPath, q))),
            ["JSZ"] = (c, s, r, h, m) => ZReq(r, h, m, "JszEventOptions", [], q => ForAccount(s, q, _ => (null, "jetstream not enabled"))),
            ["INFO"] = (c, s, r, h, m) => ZReq(r, h, m, "AccInfoEventOptions", [], q => ForAccount(s, q, acc =>
            {
                var info = _s.Monitor.RenderAccountInfo(acc);
                return info is null ? (null, $"Account {acc} does not exist") : (info, null);
            })),
            ["STATZ"] = (c, s, r, h, m) => ZReq(r, h, m, "AccountStatzEventOptions", AccountStatzOpts, q => ForAccount(s, q, acc =>
            {
                if (acc == "PING") return Skip;
                q[AccountsQuery] = acc;
                return AccountStatz(q);
            })),
            ["CONNS"] = ConnsRequest,
        };
        foreach (var (name, handler) in monAccSrvc)
            SysSubscribe(string.Format(AccDirectReqSubj, "*", name), handler);

        // User info answers only for clients of this server, and inline as Go's sysSubscribeInternal does.
        var ui = new Subscriptions.Subscription(string.Format(UserDirectReqSubj, "*"), null, _client, Encoding.ASCII.GetBytes((++_sid).ToString()))
        {
            Handler = (from, subj, reply, hdr, msg) =>
            {
                UserInfoReq(from, Encoding.UTF8.GetString(reply), hdr > 0 ? msg[..hdr].ToArray() : []);
                return true;
            },
        };
        Account.Sublist.Insert(ui);

        SysSubscribe(string.Format(AccPingReqSubj, "STATZ"), (c, s, r, h, m) =>
            ZReq(r, h, m, "AccountStatzEventOptions", AccountStatzOpts, AccountStatz));
        SysSubscribe(AccNumSubsReqSubj, (c, s, r, h, m) => NumSubsRequest(r, m));
        SysSubscribe(AccSubsSubj, DebugSubscribers);
        SysSubscribe(string.Format(ServerReloadReqSubj, id), (c, s, r, h, m) =>
            ZReq(r, h, m, "EventFilterOptions", [], _ => _s.Reload() is { } err ? (null, err) : (null, null)));
        // A resolver that keeps JWTs over the system account answers claim updates itself.
        if (_s.AccountResolver is not { IsTrackingUpdate: true })
        {
            foreach (var subj in new[] { AccUpdateEventSubjOld, AccUpdateEventSubjNew })
                SysSubscribe(string.Format(subj, "*"), AccountClaimUpdate);
        }
        // Answers to this server's own requests ($SYS._INBOX.<hash>.<token>).
        SysSubscribeInline(string.Format(InboxRespSubj, Hash, "*"), InboxReply);
        SysSubscribe(string.Format(ClientKickReqSubj, id), (c, s, r, h, m) => ClientReq(r, h, m, "kick", cid =>
            _s.DisconnectClientById(cid)));
        SysSubscribe(string.Format(ClientLdmReqSubj, id), (c, s, r, h, m) => ClientReq(r, h, m, "ldm", cid =>
            _s.LameDuckClientById(cid)));
    }

    /// <summary>Go's accountClaimUpdate: an account JWT published for a registered account replaces its claims; the
    /// requester hears how it went (Go's respondToUpdate).</summary>
    private void AccountClaimUpdate(ClientConnection c, string subject, string reply, byte[] hdr, byte[] msg)
    {
        string[] toks = subject.Split('.');
        string pubKey = toks.Length == 6 ? toks[3] : toks.Length == 5 ? toks[2] : "";
        if (pubKey.Length == 0)
        {
            _s.Logger.Debug($"Received account claims update on bad subject \"{subject}\"");
            return;
        }
        string jwt = Encoding.UTF8.GetString(msg);
        (string Message, string? Error) result;
        if (msg.Length == 0) result = ("jwt update error", "request body is empty");
        else
        {
            Auth.Jwt.AccountClaims? claims = null;
            string? decodeError = null;
            try { claims = Auth.Jwt.AccountClaims.Decode(jwt); }
            catch (Auth.Jwt.JwtException e) { decodeError = e.Message; }
            if (claims is null) result = ("jwt update resulted in error", decodeError);
            else if (claims.Subject != pubKey) result = ("jwt update resulted in error", "subject does not match jwt content");
            else if (_s.LookupAccount(pubKey) is not { } acc) result = ("jwt update skipped", null);
            else if (_s.UpdateAccountWithClaimJwt(acc, jwt) is { } err) result = ("jwt update resulted in error", err);
            else result = ("jwt updated", null);
        }
        RespondToUpdate(reply, pubKey, result.Message, result.Error);
    }

    private ZResult Render(string endpoint, Dictionary<string, string> q)
    {
        var (json, err) = _s.Monitor.Render(endpoint, MonitorQuery.From(q));
        return Monitor.IsSkip(err) ? Skip : (json, err);
    }

    /// <summary>Go's AccountStatz for a request: accounts without connections are left out unless include_unused, and
    /// when none is left nothing is sent.</summary>
    private ZResult AccountStatz(Dictionary<string, string> q)
    {
        var (json, err) = _s.Monitor.Render(Monitor.AccountStatzPath, MonitorQuery.From(q));
        if (json is null) return (null, err);
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.GetProperty("account_statz").GetArrayLength() == 0 && !q.ContainsKey("unused")) return Skip;
        return (json, null);
    }

    /// <summary>Go's extractAccount: the fourth token of $SYS.REQ.ACCOUNT.&lt;acc&gt;.&lt;name&gt;.</summary>
    private static ZResult ForAccount(string subject, Dictionary<string, string> q, Func<string, ZResult> respf)
    {
        var tk = subject.Split('.');
        if (tk.Length != 5) return (null, $"subject \"{subject}\" is malformed");
        return respf(tk[3]);
    }

    /// <summary>Go's zReq: options from the JSON body (a bad body is a 400), the filter, then the data or a 500 with the
    /// error, in the ServerAPIResponse envelope, compressed as Accept-Encoding asks.</summary>
    private void ZReq(string reply, byte[] hdr, byte[] msg, string optzType, Opt[] opts,
        Func<Dictionary<string, string>, ZResult> respf)
    {
        if (reply.Length == 0) return;
        var q = new Dictionary<string, string>(StringComparer.Ordinal);
        int status = 0;
        string? error = null;
        byte[]? data = null;
        if (msg.Length != 0)
        {
            error = ParseOptions(msg, optzType, opts, q, out var filter);
            if (error is not null) status = 400;
            else if (FilterRequest(filter)) return;
        }
        if (error is null)
        {
            var r = respf(q);
            if (r.Skip) return;
            (data, error) = (r.Data, r.Error);
            if (error is not null) status = 500;
        }
        var compress = error is null && hdr.Length > 0 ? AcceptEncoding(hdr) : Compression.None;
        Push(new PubMsg(null, reply, "", st => Json(w =>
        {
            w.WriteStartObject();
            WriteServerInfo(w, st);
            if (data is not null)
            {
                w.WritePropertyName("data");
                w.WriteRawValue(data, skipInputValidation: true);
            }
            if (error is not null)
            {
                w.WriteStartObject("error");
                w.Num("code", status);
                w.Str("description", error, omitEmpty: true);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }), true, null, compress));
    }

    /// <summary>Go's getAcceptEncoding: s2 or snappy first, then gzip; anything else is sent as identity.</summary>
    private static Compression AcceptEncoding(byte[] hdr)
    {
        string ae = (Protocol.Headers.GetHeader("Accept-Encoding", hdr) is { } v ? Encoding.UTF8.GetString(v) : "").ToLowerInvariant();
        if (ae.Length == 0) return Compression.None;
        if (ae.Contains("snappy") || ae.Contains("s2")) return Compression.Snappy;
        if (ae.Contains("gzip")) return Compression.Gzip;
        return Compression.Unsupported;
    }

    /// <summary>Decodes a request body as Go's json.Unmarshal into the options struct would: unknown fields are ignored,
    /// a field of the wrong type is an error with Go's text. The filter options are returned apart.</summary>
    private static string? ParseOptions(byte[] msg, string optzType, Opt[] opts, Dictionary<string, string> q,
        out Dictionary<string, JsonElement> filter)
    {
        filter = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        JsonDocument doc;
        try { doc = JsonDocument.Parse(msg); }
        catch (JsonException) { return JsonSyntaxError(msg); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return root.ValueKind == JsonValueKind.Null ? null
                    : $"json: cannot unmarshal {GoJsonKind(root)} into Go value of type server.{optzType}";
            foreach (var p in root.EnumerateObject())
            {
                // encoding/json matches field names case-insensitively.
                var f = FilterOpts.FirstOrDefault(o => string.Equals(o.Json, p.Name, StringComparison.OrdinalIgnoreCase));
                var o = f ?? opts.FirstOrDefault(o => string.Equals(o.Json, p.Name, StringComparison.OrdinalIgnoreCase));
                if (o is null) continue;
                if (p.Value.ValueKind == JsonValueKind.Null) continue;
                string? bad = CheckType(o, p.Value);
                if (bad is not null) return $"json: cannot unmarshal {bad} into Go struct field {optzType}.{o.Json} of type {o.GoType}";
                if (f is not null)
                {
                    filter[f.Json] = p.Value.Clone();
                    continue;
                }
                switch (o.Kind)
                {
                    case OptKind.Bool:
                        if (p.Value.GetBoolean()) q[o.Query] = "true";
                        break;
                    case OptKind.Detail:
                        if (p.Value.GetBoolean()) q[o.Query] = "detail";
                        break;
                    case OptKind.Int or OptKind.UInt:
                        q[o.Query] = p.Value.GetRawText();
                        break;
                    case OptKind.State:
                        q[o.Query] = p.Value.GetInt32() switch { 1 => "closed", 2 => "all", _ => "open" };
                        break;
                    case OptKind.List:
                        q[o.Query] = string.Join(',', p.Value.EnumerateArray().Select(e => e.GetString()));
                        break;
                    default:
                        q[o.Query] = p.Value.GetString() ?? "";
                        break;
                }
            }
        }
        return null;
    }

    private static string? CheckType(Opt o, JsonElement v)
    {
        bool ok = o.Kind switch
        {
            OptKind.Bool or OptKind.Detail => v.ValueKind is JsonValueKind.True or JsonValueKind.False,
            OptKind.Int or OptKind.State => v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out _),
            OptKind.UInt => v.ValueKind == JsonValueKind.Number && v.TryGetUInt64(out _),
            OptKind.List => v.ValueKind == JsonValueKind.Array && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String),
            _ => v.ValueKind == JsonValueKind.String,
        };
        if (ok) return null;
        if (v.ValueKind == JsonValueKind.Number) return $"number {v.GetRawText()}";
        return GoJsonKind(v);
    }

    private static string GoJsonKind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    /// <summary>Go's json syntax errors for the common cases.</summary>
    private static string JsonSyntaxError(byte[] msg)
    {
        var s = Encoding.UTF8.GetString(msg).TrimStart();
        if (s.Length == 0) return "unexpected end of JSON input";
        char c = s[0];
        if (c is not ('{' or '[' or '"' or 't' or 'f' or 'n' or '-') && !char.IsDigit(c))
            return $"invalid character '{c}' looking for beginning of value";
        return "unexpected end of JSON input";
    }

    /// <summary>Go's filterRequest: true when the request names another server, host, cluster, tag or domain.</summary>
    private bool FilterRequest(Dictionary<string, JsonElement> f)
    {
        string Get(string k) => f.TryGetValue(k, out var v) ? v.GetString() ?? "" : "";
        bool exact = f.TryGetValue("exact_match", out var em) && em.GetBoolean();
        string name = Get("server_name"), host = Get("host"), cluster = Get("cluster");
        string myHost = _s.Options.Host, myCluster = "";
        if (exact)
        {
            if ((name.Length > 0 && name != _s.Name) || (host.Length > 0 && host != myHost) || (cluster.Length > 0 && cluster != myCluster))
                return true;
        }
        else if ((name.Length > 0 && !_s.Name.Contains(name, StringComparison.Ordinal)) ||
                 (host.Length > 0 && !myHost.Contains(host, StringComparison.Ordinal)) ||
                 (cluster.Length > 0 && !myCluster.Contains(cluster, StringComparison.Ordinal)))
        {
            return true;
        }
        // Every tag asked for must be one of the server's (compared as jwt's TagList does: trimmed, lower case).
        if (f.TryGetValue("tags", out var tags) && tags.ValueKind == JsonValueKind.Array)
            foreach (var t in tags.EnumerateArray())
                if (!_s.Options.Tags.Contains((t.GetString() ?? "").Trim().ToLowerInvariant())) return true;
        if (Get("domain").Length > 0) return true;
        return false;
    }

    // ---- handlers ----

    /// <summary>Go's idzReq: name, host and id, without the envelope.</summary>
    private void IdzReq(ClientConnection c, string subject, string reply, byte[] hdr, byte[] msg)
    {
        if (reply.Length == 0) return;
        SendInternalMsg(reply, "", false, _ => Json(w =>
        {
            w.WriteStartObject();
            w.Str("name", _s.Name);
            w.Str("host", _s.Options.Host);
            w.Str("id", _s.ServerId);
            w.WriteEndObject();
        }));
    }

    /// <summary>Go's statszReq: statsz to the reply, or with no reply to the broadcast subject right away.</summary>
    private void StatszReq(ClientConnection c, string subject, string reply, byte[] hdr, byte[] msg)
    {
        if (reply.Length == 0)
        {
            reply = string.Format(ServerStatsSubj, _s.ServerId);
            lock (_statszLock) _lastStatsz = default;
        }
        if (msg.Length != 0)
        {
            var q = new Dictionary<string, string>(StringComparer.Ordinal);
            if (ParseOptions(msg, "StatszEventOptions", [], q, out var filter) is { } err)
            {
                Push(new PubMsg(null, reply, "", st => Json(w =>
                {
                    w.WriteStartObject();
                    WriteServerInfo(w, st);
                    w.WriteStartObject("error");
                    w.Num("code", 400);
                    w.Str("description", err);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }), true));
                return;
            }
            if (FilterRequest(filter)) return;
        }
        SendStatsz(reply);
    }

    /// <summary>Test hook, as Go's tests set s.sys fields: the statsz heartbeat stopped, its interval an hour and the
    /// last broadcast now, so only a forced broadcast can send one.</summary>
    internal void HoldStatszForTest()
    {
        lock (_statszLock)
        {
            _statszTimer?.Change(Timeout.Infinite, Timeout.Infinite);
            _cstatsz = TimeSpan.FromHours(1);
            _lastStatsz = DateTime.UtcNow;
        }
    }

    /// <summary>Test hook: the rate limit window starts again now.</summary>
    internal void RearmStatszLimitForTest()
    {
        lock (_statszLock) _lastStatsz = DateTime.UtcNow;
    }

    /// <summary>Test hook: Go's statszReq called directly, as a request on <paramref name="subject"/> without a reply.</summary>
    internal void StatszRequestForTest(string subject) => StatszReq(null!, subject, "", [], []);

    /// <summary>Go's connsRequest: an account's connection count, when it has local connections.</summary>
    private void ConnsRequest(ClientConnection c, string subject, string reply, byte[] hdr, byte[] msg)
    {
        var tk = subject.Split('.');
        if (tk.Length != 5)
        {
            _s.Logger.Error("Bad subject account connections request message");
            return;
        }
        string a = tk[3], m = a;
        if (msg.Length > 0)
        {
            try
            {
                using var doc = JsonDocument.Parse(msg);
                m = doc.RootElement.TryGetProperty("acc", out var v) ? v.GetString() ?? "" : "";
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                _s.Logger.Error($"Error unmarshalling account connections request message: {e.Message}");
                return;
            }
        }
        if (m != a)
        {
            _s.Logger.Error("Error unmarshalled account does not match subject");
            return;
        }
        var acc = _s.LookupAccount(a);
        if (acc is null || acc.NumClients == 0) return;
        SendAccConnsUpdate(acc, reply);
    }

    /// <summary>Go's debugSubscribers: how many client subscriptions in the requester's account match the subject (and
    /// queue group) in the body. On one server no other server is asked, so the local count is the answer.</summary>
    private void DebugSubscribers(ClientConnection from, string subject, string reply, byte[] hdr, byte[] msg)
    {
        if (from.IsInternal) return;
        Account? acc;
        string svc = "", account = "";
        if (hdr.Length > 0)
        {
            var ci = Protocol.Headers.GetHeader(ClientConnection.ClientInfoHeader, hdr);
            if (ci is not null)
            {
                try
                {
                    using var doc = JsonDocument.Parse(ci);
                    svc = doc.RootElement.TryGetProperty("svc", out var sv) ? sv.GetString() ?? "" : "";
                    account = doc.RootElement.TryGetProperty("acc", out var a) ? a.GetString() ?? "" : "";
                }
                catch (JsonException) { return; }
            }
        }
        if (svc.Length > 0) acc = _s.LookupAccount(svc);
        else if (account.Length > 0) acc = _s.LookupAccount(account);
        else acc = from.Account ?? Account;
        if (acc is null) return;

        var args = Encoding.UTF8.GetString(msg).Trim().Split(' ');
        string? queue = args.Length > 1 ? args[1] : null;
        int n = CountClientSubs(acc, args[0], queue);
        SendInternalAccountMsg(null, reply, "", null, Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Go's nsubsRequest: another server asks for this server's count of an account's subscribers.</summary>
    private void NumSubsRequest(string reply, byte[] msg)
    {
        if (msg.Length == 0)
        {
            _s.Logger.Error("request requires a body");
            return;
        }
        string account, subject;
        string? queue = null;
        try
        {
            using var doc = JsonDocument.Parse(msg);
            var root = doc.RootElement;
            account = root.TryGetProperty("acc", out var a) ? a.GetString() ?? "" : "";
            subject = root.TryGetProperty("subject", out var sj) ? sj.GetString() ?? "" : "";
            // Go marshals the queue as []byte: base64.
            if (root.TryGetProperty("queue", out var q) && q.ValueKind == JsonValueKind.String)
                queue = Encoding.UTF8.GetString(q.GetBytesFromBase64());
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            _s.Logger.Error($"Error unmarshalling account nsubs request message: {e.Message}");
            return;
        }
        var acc = _s.LookupAccount(account);
        if (acc is null || acc.NumClients == 0) return;
        int n = CountClientSubs(acc, subject, queue);
        SendInternalMsg(reply, "", false, _ => Encoding.ASCII.GetBytes(n.ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>Go's totalSubs and its wildcard walk: client subscriptions matching <paramref name="subject"/> (a
    /// wildcard subject counts the subscriptions it covers), only those of <paramref name="queue"/> when one is given.</summary>
    private static int CountClientSubs(Account acc, string subject, string? queue)
    {
        static bool IsClient(Subscriptions.Subscription sub) => sub.Client is { IsInternal: false };
        int n = 0;
        if (Subscriptions.SubjectValidation.SubjectIsLiteral(subject))
        {
            var r = acc.Sublist.Match(subject);
            if (queue is null)
                foreach (var sub in r.Psubs) if (IsClient(sub)) n++;
            foreach (var qs in r.Qsubs)
                foreach (var sub in qs)
                    if ((queue is null || sub.Queue == queue) && IsClient(sub)) n++;
            return n;
        }
        var all = new List<Subscriptions.Subscription>();
        acc.Sublist.All(all);
        foreach (var sub in all)
        {
            if (!Subscriptions.SubjectValidation.IsSubsetMatch(sub.Subject, subject)) continue;
            if (queue is not null && sub.Queue != queue) continue;
            if (IsClient(sub)) n++;
        }
        return n;
    }

    /// <summary>Go's userInfoReq: who the requester is, from the request info header the import added.</summary>
    private void UserInfoReq(ClientConnection c, string reply, byte[] hdr)
    {
        if (reply.Length == 0) return;
        string user = "", account = "", nameTag = "";
        var ci = Protocol.Headers.GetHeader(ClientConnection.ClientInfoHeader, hdr);
        bool bad = ci is null;
        if (ci is not null)
        {
            try
            {
                using var doc = JsonDocument.Parse(ci);
                user = doc.RootElement.TryGetProperty("user", out var u) ? u.GetString() ?? "" : "";
                account = doc.RootElement.TryGetProperty("acc", out var a) ? a.GetString() ?? "" : "";
                nameTag = doc.RootElement.TryGetProperty("name_tag", out var nt) ? nt.GetString() ?? "" : "";
            }
            catch (JsonException) { bad = true; }
        }
        var perms = c.Permissions?.ToPublic();
        var expires = c.ClaimExpiration;
        Push(new PubMsg(null, reply, "", st => Json(w =>
        {
            w.WriteStartObject();
            WriteServerInfo(w, st);
            if (bad)
            {
                w.WriteStartObject("error");
                w.Num("code", 400);
                w.WriteEndObject();
            }
            else
            {
                w.WriteStartObject("data");
                w.Str("user", user);
                w.Str("account", account);
                // Go's getNameTag: the account JWT's name, else the account's own.
                w.Str("account_name", _s.LookupAccount(account)?.NameTagOrName, omitEmpty: true);
                w.Str("user_name", nameTag, omitEmpty: true);
                if (perms is not null)
                {
                    w.WritePropertyName("permissions");
                    Monitor.WritePermissions(w, perms);
                }
                if (expires != TimeSpan.Zero) w.Num("expires", expires.Ticks * 100);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }), true));
    }

    /// <summary>Go's kickClient and ldmClient: the body names the connection; the answer is empty or the error.</summary>
    private void ClientReq(string reply, byte[] hdr, byte[] msg, string what, Func<ulong, string?> act)
    {
        ulong cid = 0;
        try
        {
            using var doc = JsonDocument.Parse(msg);
            if (doc.RootElement.TryGetProperty("cid", out var v)) cid = v.GetUInt64();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            _s.Logger.Error($"Error unmarshalling kick client request: {e.Message}");
            return;
        }
        _ = what;
        ZReq(reply, hdr, msg, "EventFilterOptions", [], _ => act(cid) is { } err ? (null, err) : (null, null));
    }

    // ---- system exports and imports ----

    /// <summary>Go's addSystemAccountExports: connz and statz per account (streamed, for the account named in the
    /// subject), the debug subscribers service and user info, which the system account imports for itself.</summary>
    private void AddSystemAccountExports()
    {
        foreach (var subj in new[] { string.Format(AccDirectReqSubj, "*", "CONNZ"), string.Format(AccDirectReqSubj, "*", "STATZ") })
            // The requester's account must be the fourth token: an account asks only about itself.
            if (!Account.HasServiceExportMatching(subj)) Account.AddServiceExport(subj, null, ServiceResponseType.Streamed, accountPos: 4);
        if (!Account.HasServiceExportMatching(AccSubsSubj)) Account.AddServiceExport(AccSubsSubj, null);
        string userInfo = string.Format(UserDirectReqSubj, "*");
        if (!Account.HasServiceExportMatching(userInfo))
        {
            Account.AddServiceExport(userInfo, null);
            string mapped = string.Format(UserDirectReqSubj, Account.Name);
            if (Account.AddServiceImport(Account, UserDirectInfoSubj, mapped, share: true, internalImport: true) is { } err)
                _s.Logger.Error($"Error setting up system service import {mapped}: {err}");
        }
        foreach (var a in _s.Accounts) RegisterSystemImports(a);
    }

    /// <summary>After a reload: the system exports and every account's system imports, where they went missing.</summary>
    public void RegisterAll() => AddSystemAccountExports();

    /// <summary>Go's registerSystemImports: every other account can ask for its own connz and statz, and who it is.</summary>
    public void RegisterSystemImports(Account a)
    {
        if (ReferenceEquals(a, Account)) return;
        void Import(string subj, string mapped, bool share = false)
        {
            if (a.HasServiceImport(Account, subj)) return;
            if (a.AddServiceImport(Account, subj, mapped, share, internalImport: true) is { } err)
                _s.Logger.Error($"Error setting up system service import {subj} -> {mapped} for account: {err}");
        }
        string connz = string.Format(AccDirectReqSubj, a.Name, "CONNZ");
        Import(string.Format(AccPingReqSubj, "CONNZ"), connz);
        Import(string.Format(ServerPingReqSubj, "CONNZ"), connz);
        Import(string.Format(AccPingReqSubj, "STATZ"), string.Format(AccDirectReqSubj, a.Name, "STATZ"));
        Import(UserDirectInfoSubj, string.Format(UserDirectReqSubj, a.Name), share: true);
    }

    /// <summary>Go's enableAccountTracking: asks the other servers for the account's connections.</summary>
    private void EnableAccountTracking(Account a)
    {
        string subj = string.Format(AccDirectReqSubj, a.Name, "CONNS");
        string reply = string.Format(ConnsRespSubj, _s.ServerId);
        SendInternalMsg(subj, reply, true, st => Json(w =>
        {
            w.WriteStartObject();
            WriteServerInfo(w, st);
            w.Str("acc", a.Name);
            w.WriteEndObject();
        }));
    }
}
