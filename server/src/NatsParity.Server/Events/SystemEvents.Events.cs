using System.Text.Json;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;
using NatsParity.Server.Monitoring;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Events;

/// <summary>The events of Go's events.go for one node: client connects and disconnects, authentication errors, account
/// connection counts, and statsz.</summary>
internal sealed partial class SystemEvents
{
    /// <summary>Go's ClientInfo of an event, in its field order with omitempty.</summary>
    private static void WriteClientInfo(Utf8JsonWriter w, ClientConnection c, string account, DateTime? stop, bool rtt)
    {
        w.WriteStartObject("client");
        w.Str("start", GoJson.Time(c.StartTime));
        w.Str("host", c.RemoteHost, omitEmpty: true);
        w.Num("id", (long)c.Cid, omitEmpty: true);
        w.Str("acc", account, omitEmpty: true);
        w.Str("user", c.RawAuthUser, omitEmpty: true);
        w.Str("name", c.Options.Name, omitEmpty: true);
        w.Str("lang", c.Options.Lang, omitEmpty: true);
        w.Str("ver", c.Options.Version, omitEmpty: true);
        if (rtt) w.Num("rtt", c.Rtt.Ticks * 100, omitEmpty: true);
        if (stop is { } s) w.Str("stop", GoJson.Time(s));
        w.Str("jwt", c.Options.Jwt ?? "", omitEmpty: true);
        w.Str("issuer_key", c.IssuerKey, omitEmpty: true);
        w.Str("name_tag", c.Account.NameTag.Length > 0 ? c.Account.NameTag : c.Account.Name, omitEmpty: true);
        Monitor.WriteTags(w, c.JwtTags);
        w.Str("kind", ClientConnection.KindString(c.Kind));
        w.Str("client_type", c.ClientTypeString);
        w.WriteEndObject();
    }

    /// <summary>Go's TypedEvent (type, id, timestamp) followed by the server info, as every advisory starts.</summary>
    private void WriteEventHeader(Utf8JsonWriter w, string type, string eid, DateTime now, ServerStamp? st)
    {
        w.Str("type", type);
        w.Str("id", eid);
        w.Str("timestamp", GoJson.Time(now));
        WriteServerInfo(w, st);
    }

    private static void WriteDataStats(Utf8JsonWriter w, string name, long msgs, long bytes)
    {
        w.WriteStartObject(name);
        w.Num("msgs", msgs);
        w.Num("bytes", bytes);
        w.WriteEndObject();
    }

    /// <summary>Go's accountConnectEvent: $SYS.ACCOUNT.&lt;acc&gt;.CONNECT once a client is authenticated.</summary>
    public void AccountConnectEvent(ClientConnection c)
    {
        if (c.IsInternal) return;
        string eid = NextEventId(), acc = c.Account.Name;
        var now = DateTime.UtcNow;
        SendInternalMsg(string.Format(ConnectEventSubj, acc), "", true, st => Json(w =>
        {
            w.WriteStartObject();
            WriteEventHeader(w, ConnectEventMsgType, eid, now, st);
            WriteClientInfo(w, c, acc, null, rtt: false);
            w.WriteEndObject();
        }));
    }

    /// <summary>Go's accountDisconnectEvent: $SYS.ACCOUNT.&lt;acc&gt;.DISCONNECT with the traffic and the reason.</summary>
    public void AccountDisconnectEvent(ClientConnection c, DateTime now, string reason) =>
        SendDisconnect(string.Format(DisconnectEventSubj, c.Account.Name), c, c.Account.Name, now, reason, null);

    /// <summary>Go's sendAuthErrorEvent: the failed client as a disconnect event on the server's auth error subject.</summary>
    public void AuthErrorEvent(ClientConnection c, string reason) =>
        SendDisconnect(string.Format(AuthErrorEventSubj, _s.ServerId), c, c.Account.Name, DateTime.UtcNow, reason, null);

    /// <summary>Go's sendAccountAuthErrorEvent: the same event inside the account the client tried.</summary>
    public void AccountAuthErrorEvent(ClientConnection c, Account acc, string reason) =>
        SendDisconnect(AuthErrorAccountEventSubj, c, acc.Name, DateTime.UtcNow, reason, AccountClient(acc));

    private void SendDisconnect(string subj, ClientConnection c, string account, DateTime now, string reason, ClientConnection? via)
    {
        string eid = NextEventId();
        var (inMsgs, inBytes, outMsgs, outBytes) = c.Stats;
        SendInternalMsg(subj, "", true, st => Json(w =>
        {
            w.WriteStartObject();
            WriteEventHeader(w, DisconnectEventMsgType, eid, now, st);
            WriteClientInfo(w, c, account, now, rtt: true);
            WriteDataStats(w, "sent", inMsgs, inBytes);
            WriteDataStats(w, "received", outMsgs, outBytes);
            w.Str("reason", reason);
            w.WriteEndObject();
        }), client: via);
    }

    // ---- account connections ----

    /// <summary>Go's accConnsUpdate: the account's connection count on both subjects, with a heartbeat while it has
    /// connections; never for the global account.</summary>
    public void AccConnsUpdate(Account a)
    {
        if (ReferenceEquals(a, _s.GlobalAccount)) return;
        SendAccConnsUpdate(a, string.Format(AccConnsEventSubjOld, a.Name), string.Format(AccConnsEventSubjNew, a.Name));
    }

    private void SendAccConnsUpdate(Account a, params string[] subjects)
    {
        string eid = NextEventId();
        var now = DateTime.UtcNow;
        byte[] stat = AccountStat(a);
        int conns = a.NumClients;
        if (conns == 0)
        {
            if (_accConnTimers.TryRemove(a, out var t)) t.Dispose();
        }
        else
        {
            var t = _accConnTimers.GetOrAdd(a, acc => new Timer(_ =>
            {
                try { AccConnsUpdate(acc); }
                catch (Exception e) { _s.Logger.Error($"Error sending account connections for {acc.Name}: {e.Message}"); }
            }));
            t.Change(EventsHeartbeat, Timeout.InfiniteTimeSpan);
        }
        foreach (var subj in subjects)
        {
            SendInternalMsg(subj, "", true, st => Json(w =>
            {
                w.WriteStartObject();
                WriteEventHeader(w, AccountNumConnsMsgType, eid, now, st);
                // AccountStat is embedded: its fields sit next to the event's.
                using var doc = JsonDocument.Parse(stat);
                foreach (var p in doc.RootElement.EnumerateObject()) p.WriteTo(w);
                w.WriteEndObject();
            }));
        }
    }

    /// <summary>Go's Account.statz as JSON.</summary>
    private byte[] AccountStat(Account a)
    {
        var (json, _) = _s.Monitor.Render(Monitor.AccountStatzPath,
            MonitorQuery.From(new Dictionary<string, string> { [AccountsQuery] = a.Name, ["unused"] = "true" }));
        using var doc = JsonDocument.Parse(json!);
        foreach (var e in doc.RootElement.GetProperty("account_statz").EnumerateArray())
            return JsonSerializer.SerializeToUtf8Bytes(e);
        return "{}"u8.ToArray();
    }

    // ---- statsz ----

    /// <summary>Go's heartbeatStatsz: the interval starts at 250ms and doubles up to the statsz interval.</summary>
    private void HeartbeatStatsz()
    {
        try { Heartbeat(); }
        catch (Exception e) { _s.Logger.Error($"Error sending statsz: {e.Message}"); }
    }

    private void Heartbeat()
    {
        lock (_statszLock)
        {
            if (_statszTimer is null) return;
            if (_cstatsz < StatsHeartbeat)
            {
                _cstatsz *= 2;
                if (_cstatsz > StatsHeartbeat) _cstatsz = StatsHeartbeat;
            }
            _statszTimer.Change(_cstatsz, Timeout.InfiniteTimeSpan);
        }
        SendStatsz(string.Format(ServerStatsSubj, _s.ServerId));
    }

    /// <summary>Go's limitStatsz: broadcasts at most once per rate limit interval.</summary>
    private bool LimitStatsz(string subj)
    {
        if (subj != string.Format(ServerStatsSubj, _s.ServerId)) return false;
        lock (_statszLock)
        {
            var interval = StatszRateLimit < _cstatsz ? StatszRateLimit : _cstatsz;
            var now = DateTime.UtcNow;
            if (now - _lastStatsz < interval) return true;
            _lastStatsz = now;
            return false;
        }
    }

    /// <summary>Go's sendStatszUpdate: this server's statsz on its heartbeat subject.</summary>
    public void SendStatszUpdate() => SendStatsz(string.Format(ServerStatsSubj, _s.ServerId));

    /// <summary>Go's sendStatsz: standalone, only sent when someone listens on the subject.</summary>
    public void SendStatsz(string subj)
    {
        if (LimitStatsz(subj)) return;
        var rr = Account.Sublist.Match(subj);
        int total = rr.Psubs.Length + rr.Qsubs.Length;
        if (total == 0) return;
        Interlocked.Increment(ref _statszSent);
        var s = _s;
        long inMsgs = Interlocked.Read(ref s.InMsgs), inBytes = Interlocked.Read(ref s.InBytes);
        long outMsgs = Interlocked.Read(ref s.OutMsgs), outBytes = Interlocked.Read(ref s.OutBytes);
        long slow = Interlocked.Read(ref s.SlowConsumers), stale = Interlocked.Read(ref s.StaleConnections);
        int conns = s.NumClients;
        long total_ = Interlocked.Read(ref s.TotalConnections);
        int active = s.Accounts.Count(a => a.NumClients > 0);
        long subs = s.Accounts.Sum(a => (long)a.Sublist.Count);
        long mem = Monitor.ResidentMemory();
        double cpu = s.Monitor.Cpu();
        SendInternalMsg(subj, "", true, st => Json(w =>
        {
            w.WriteStartObject();
            WriteServerInfo(w, st);
            w.WriteStartObject("statsz");
            w.Str("start", GoJson.Time(s.StartTime));
            w.Num("mem", mem);
            w.Num("cores", Environment.ProcessorCount);
            w.Flt("cpu", cpu);
            w.Num("connections", conns);
            w.Num("total_connections", total_);
            w.Num("active_accounts", active);
            w.Num("subscriptions", subs);
            WriteDataStats(w, "sent", outMsgs, outBytes);
            WriteDataStats(w, "sent_to_clients", outMsgs, outBytes);
            WriteDataStats(w, "received", inMsgs, inBytes);
            WriteDataStats(w, "received_from_clients", inMsgs, inBytes);
            w.Num("slow_consumers", slow);
            if (slow != 0) w.KindStats("slow_consumer_stats", slow);
            w.Num("stale_connections", stale, omitEmpty: true);
            if (stale != 0) w.KindStats("stale_connection_stats", stale);
            w.Num("stalled_clients", Interlocked.Read(ref _s.StalledClients), omitEmpty: true);
            w.Num("active_servers", 1);
            w.Num("gomaxprocs", Environment.ProcessorCount);
            w.WriteEndObject();
            w.WriteEndObject();
        }));
    }
}
