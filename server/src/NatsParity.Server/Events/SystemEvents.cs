using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;
using NatsParity.Server.Monitoring;
using Monitor = NatsParity.Server.Monitoring.Monitor;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Events;

/// <summary>The system account's event stack for one node (Go's events.go): an internal client that publishes events
/// and responses through a send queue, internal subscriptions whose requests are served from receive queues, statsz
/// heartbeats, and the system service exports every account imports.</summary>
internal sealed partial class SystemEvents
{
    // Subjects of Go's events.go.
    public const string ConnectEventSubj = "$SYS.ACCOUNT.{0}.CONNECT";
    public const string DisconnectEventSubj = "$SYS.ACCOUNT.{0}.DISCONNECT";
    public const string AccDirectReqSubj = "$SYS.REQ.ACCOUNT.{0}.{1}";
    public const string AccPingReqSubj = "$SYS.REQ.ACCOUNT.PING.{0}";
    public const string ConnsRespSubj = "$SYS._INBOX_.{0}";
    public const string AccConnsEventSubjNew = "$SYS.ACCOUNT.{0}.SERVER.CONNS";
    public const string AccConnsEventSubjOld = "$SYS.SERVER.ACCOUNT.{0}.CONNS";
    public const string LameDuckEventSubj = "$SYS.SERVER.{0}.LAMEDUCK";
    public const string ShutdownEventSubj = "$SYS.SERVER.{0}.SHUTDOWN";
    public const string ClientKickReqSubj = "$SYS.REQ.SERVER.{0}.KICK";
    public const string ClientLdmReqSubj = "$SYS.REQ.SERVER.{0}.LDM";
    public const string AuthErrorEventSubj = "$SYS.SERVER.{0}.CLIENT.AUTH.ERR";
    public const string AuthErrorAccountEventSubj = "$SYS.ACCOUNT.CLIENT.AUTH.ERR";
    public const string ServerStatsSubj = "$SYS.SERVER.{0}.STATSZ";
    public const string ServerDirectReqSubj = "$SYS.REQ.SERVER.{0}.{1}";
    public const string ServerPingReqSubj = "$SYS.REQ.SERVER.PING.{0}";
    public const string ServerStatsPingReqSubj = "$SYS.REQ.SERVER.PING";
    public const string ServerReloadReqSubj = "$SYS.REQ.SERVER.{0}.RELOAD";
    public const string LeafNodeConnectEventSubj = "$SYS.ACCOUNT.{0}.LEAFNODE.CONNECT";
    public const string RemoteLatencyEventSubj = "$SYS.LATENCY.M2.{0}";
    public const string InboxRespSubj = "$SYS._INBOX.{0}.{1}";
    public const string UserDirectInfoSubj = "$SYS.REQ.USER.INFO";
    public const string UserDirectReqSubj = "$SYS.REQ.USER.{0}.INFO";
    public const string AccNumSubsReqSubj = "$SYS.REQ.ACCOUNT.NSUBS";
    public const string AccSubsSubj = "$SYS.DEBUG.SUBSCRIBERS";
    public const string AccUpdateEventSubjOld = "$SYS.ACCOUNT.{0}.CLAIMS.UPDATE";
    public const string AccUpdateEventSubjNew = "$SYS.REQ.ACCOUNT.{0}.CLAIMS.UPDATE";

    public const string ConnectEventMsgType = "io.nats.server.advisory.v1.client_connect";
    public const string DisconnectEventMsgType = "io.nats.server.advisory.v1.client_disconnect";
    public const string AccountNumConnsMsgType = "io.nats.server.advisory.v1.account_connections";

    /// <summary>Go's statsHBInterval and eventsHBInterval.</summary>
    public static TimeSpan StatsHeartbeat = TimeSpan.FromSeconds(10);
    public static TimeSpan EventsHeartbeat = TimeSpan.FromSeconds(30);
    /// <summary>Go's defaultStatszRateLimit.</summary>
    public static TimeSpan StatszRateLimit = TimeSpan.FromSeconds(1);

    private readonly NatsServer _s;
    private readonly ClientConnection _client;
    private readonly ConcurrentDictionary<Account, ClientConnection> _accClients = new(ReferenceEqualityComparer.Instance);
    private readonly Channel<PubMsg> _sendq = Channel.CreateUnbounded<PubMsg>();
    private readonly Channel<Action> _recvq = Channel.CreateUnbounded<Action>();
    private readonly Channel<Action> _recvqp = Channel.CreateUnbounded<Action>();
    private readonly ConcurrentDictionary<Account, Timer> _accConnTimers = new(ReferenceEqualityComparer.Instance);
    private readonly object _statszLock = new();
    private Task? _sendLoop, _recvLoop, _recvLoopP;
    private Timer? _statszTimer;
    private TimeSpan _cstatsz;
    private DateTime _lastStatsz;
    private long _seq = 1;
    private int _sid;
    private volatile bool _sendClosed;
    private readonly TaskCompletionSource _lastSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SystemEvents(NatsServer s, Account account)
    {
        _s = s;
        Account = account;
        _client = new ClientConnection(s, account, s.NextInternalCid(), system: true);
        Hash = GetHash(s.Name);
    }

    public Account Account { get; }

    /// <summary>The system account's internal client (Go's s.sys.client).</summary>
    internal ClientConnection Client => _client;

    private long _sent;

    /// <summary>Messages the event stack has published so far.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    private long _statszSent;

    /// <summary>Statsz messages sent so far (there must be interest for one to go out).</summary>
    public long StatszSent => Interlocked.Read(ref _statszSent);

    /// <summary>The current statsz heartbeat interval (Go's sys.cstatsz).</summary>
    public TimeSpan StatszInterval { get { lock (_statszLock) return _cstatsz; } }

    /// <summary>Go's sys.shash: eight characters derived from the server name, for subjects aimed at this server.</summary>
    public string Hash { get; }

    /// <summary>Go's getHash: the first eight bytes of the name's SHA-256, each mapped onto base-62 digits.</summary>
    public static string GetHash(string name)
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var b = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var sb = new StringBuilder(8);
        for (int i = 0; i < 8; i++) sb.Append(digits[b[i] % 62]);
        return sb.ToString();
    }

    /// <summary>Go's setSystemAccount after the client is made: exports, imports for every account, the loops, the
    /// internal subscriptions, the statsz timer, and account tracking requests.</summary>
    public void Start()
    {
        AddSystemAccountExports();
        _sendLoop = Task.Run(SendLoop);
        _recvLoop = Task.Run(() => ReceiveLoop(_recvq));
        _recvLoopP = Task.Run(() => ReceiveLoop(_recvqp));
        InitEventTracking();
        lock (_statszLock)
        {
            _cstatsz = TimeSpan.FromMilliseconds(250);
            _statszTimer = new Timer(_ => HeartbeatStatsz(), null, _cstatsz, Timeout.InfiniteTimeSpan);
        }
        foreach (var a in _s.Accounts) EnableAccountTracking(a);
    }

    // ---- queues ----

    /// <summary>The event stack's queues by Go's names, with what is waiting in each (for /ipqueuesz).</summary>
    public IEnumerable<(string Name, int Pending)> Queues() =>
    [
        ("System sendQ", _sendq.Reader.Count), ("System recvQ", _recvq.Reader.Count), ("System recvQ Pings", _recvqp.Reader.Count),
    ];

    /// <summary>A message the server wants to send: the body is rendered at send time so the server info it carries
    /// has the sequence and time of sending.</summary>
    private sealed record PubMsg(ClientConnection? Client, string Subject, string Reply, Func<ServerStamp?, byte[]> Body,
        bool WithServerInfo, byte[]? Hdr = null, Compression Compress = Compression.None, bool Last = false);

    internal readonly record struct ServerStamp(long Seq, DateTime Time);

    internal enum Compression { None, Gzip, Snappy, Unsupported }

    private void Push(PubMsg pm)
    {
        if (_sendClosed) return;
        _sendq.Writer.TryWrite(pm);
    }

    private async Task SendLoop()
    {
        await foreach (var pm in _sendq.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                ServerStamp? st = pm.WithServerInfo ? new ServerStamp(Interlocked.Increment(ref _seq), DateTime.UtcNow) : null;
                byte[] body = pm.Body(st);
                byte[]? hdr = pm.Hdr;
                string? encoding = null;
                if (body.Length > 0)
                {
                    switch (pm.Compress)
                    {
                        case Compression.Gzip:
                        {
                            var ms = new MemoryStream();
                            using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(body);
                            body = ms.ToArray();
                            encoding = "gzip";
                            break;
                        }
                        case Compression.Snappy:
                            body = SnappyFrame(body);
                            encoding = "snappy";
                            break;
                        case Compression.Unsupported:
                            encoding = "identity";
                            break;
                    }
                }
                if (encoding is not null)
                {
                    var (msg, hlen) = ClientConnection.SetHeader("Content-Encoding", encoding, hdr is null ? -1 : hdr.Length,
                        hdr is null ? body : [.. hdr, .. body]);
                    hdr = msg[..hlen];
                    body = msg[hlen..];
                }
                (pm.Client ?? _client).PublishInternal(pm.Subject, pm.Reply, hdr, body);
                Interlocked.Increment(ref _sent);
            }
            catch (Exception e)
            {
                _s.Logger.Error($"Error sending internal message on \"{pm.Subject}\": {e.Message}");
            }
            if (pm.Last)
            {
                _lastSent.TrySetResult();
                return;
            }
        }
    }

    private async Task ReceiveLoop(Channel<Action> q)
    {
        await foreach (var work in q.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try { work(); }
            catch (Exception e) { _s.Logger.Error($"Error processing internal request: {e.Message}"); }
        }
    }

    /// <summary>Snappy framing (what Go's s2 writer in snappy-compatible mode produces): the stream identifier, then
    /// one compressed chunk per 64 KiB with its masked CRC-32C.</summary>
    private static byte[] SnappyFrame(byte[] data)
    {
        var ms = new MemoryStream();
        ms.Write([0xff, 0x06, 0x00, 0x00, (byte)'s', (byte)'N', (byte)'a', (byte)'P', (byte)'p', (byte)'Y']);
        for (int off = 0; off < data.Length; off += 65536)
        {
            var chunk = data.AsSpan(off, Math.Min(65536, data.Length - off));
            var compressed = IronSnappy.Snappy.Encode(chunk);
            uint crc = 0xffffffff;
            foreach (var b in chunk) crc = System.Numerics.BitOperations.Crc32C(crc, b);
            crc = ~crc;
            uint masked = ((crc >> 15) | (crc << 17)) + 0xa282ead8;
            int len = compressed.Length + 4;
            ms.Write([0x00, (byte)len, (byte)(len >> 8), (byte)(len >> 16)]);
            ms.Write(BitConverter.GetBytes(masked));
            ms.Write(compressed);
        }
        return ms.ToArray();
    }

    // ---- subscriptions ----

    internal delegate void SysHandler(ClientConnection from, string subject, string reply, byte[] hdr, byte[] msg);

    /// <summary>Go's sysSubscribe with noInlineCallback: the message is copied and handled on a receive queue
    /// (<paramref name="pings"/> picks the one for STATSZ and pings).</summary>
    private Subscription SysSubscribe(string subject, SysHandler cb, bool pings = false)
    {
        var q = pings ? _recvqp : _recvq;
        string sid = (++_sid).ToString(CultureInfo.InvariantCulture);
        _client.TraceInternalSub(subject, sid);
        var sub = new Subscription(subject, null, _client, Encoding.ASCII.GetBytes(sid))
        {
            Handler = (from, subj, reply, hdr, msg) =>
            {
                string s = Encoding.UTF8.GetString(subj), r = Encoding.UTF8.GetString(reply);
                byte[] h = hdr > 0 ? msg[..hdr].ToArray() : [];
                byte[] m = msg[Math.Max(hdr, 0)..^2].ToArray();
                q.Writer.TryWrite(() => cb(from, s, r, h, m));
                return true;
            },
        };
        Account.Sublist.Insert(sub);
        // Go's systemSubscribe: interest of the system account is known across the cluster, except internal-only.
        if (subject != AccSubsSubj) _s.UpdateRouteSubscriptionMap(Account, sub, 1);
        return sub;
    }

    /// <summary>Go's sysSubscribe for callers outside the event stack (Go's ErrNoSysAccount and handler errors are the
    /// server's to give).</summary>
    internal Subscription Subscribe(string subject, SysHandler cb) => SysSubscribe(subject, cb);

    /// <summary>Go's sysUnsubscribe.</summary>
    internal void Unsubscribe(Subscription sub)
    {
        if (Account.Sublist.Remove(sub) == SublistError.None) _s.UpdateRouteSubscriptionMap(Account, sub, -1);
    }

    // ---- sending helpers ----

    internal void SendInternalMsg(string subject, string reply, bool withServerInfo, Func<ServerStamp?, byte[]> body,
        Compression compress = Compression.None, ClientConnection? client = null) =>
        Push(new PubMsg(client, subject, reply, body, withServerInfo, null, compress));

    /// <summary>Go's sendInternalAccountMsgWithReply: publishes in <paramref name="acc"/> through its internal client.</summary>
    internal void SendInternalAccountMsg(Account? acc, string subject, string reply, byte[]? hdr, byte[] body) =>
        Push(new PubMsg(acc is null ? null : AccountClient(acc), subject, reply, _ => body, false, hdr));

    /// <summary>Go's acc.subscribeInternal: a subscription of the account's internal client, handled where the message
    /// is delivered (the payload without its CRLF).</summary>
    internal Subscription AccountSubscribeInline(Account acc, string subject, SysHandler cb)
    {
        var client = AccountClient(acc);
        string sid = Interlocked.Increment(ref _sid).ToString(CultureInfo.InvariantCulture);
        var sub = new Subscription(subject, null, client, Encoding.ASCII.GetBytes(sid))
        {
            Handler = (from, subj, reply, hdr, msg) =>
            {
                byte[] h = hdr > 0 ? msg[..hdr].ToArray() : [];
                byte[] m = msg[Math.Max(hdr, 0)..^2].ToArray();
                cb(from, Encoding.UTF8.GetString(subj), Encoding.UTF8.GetString(reply), h, m);
                return true;
            },
        };
        acc.Sublist.Insert(sub);
        _s.UpdateRouteSubscriptionMap(acc, sub, 1);
        return sub;
    }

    /// <summary>Go's acc.unsubscribeInternal.</summary>
    internal static void AccountUnsubscribe(Account acc, Subscription sub)
    {
        if (acc.Sublist.Remove(sub) == SublistError.None) acc.Server?.UpdateRouteSubscriptionMap(acc, sub, -1);
    }

    private ClientConnection AccountClient(Account acc) =>
        ReferenceEquals(acc, Account) ? _client : _accClients.GetOrAdd(acc, a => new ClientConnection(_s, a, _s.NextInternalCid(), system: false));

    /// <summary>Writes a JSON document with Go's encoding rules.</summary>
    internal static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buf = new MemoryStream();
        using (var w = new Utf8JsonWriter(buf, GoJson.Compact)) write(w);
        return buf.ToArray();
    }

    /// <summary>Go's ServerInfo as the send loop fills it.</summary>
    internal void WriteServerInfo(Utf8JsonWriter w, ServerStamp? st, string name = "server")
    {
        w.WriteStartObject(name);
        w.Str("name", _s.Name);
        w.Str("host", _s.Options.Host);
        w.Str("id", _s.ServerId);
        w.Str("ver", NatsServer.Version);
        Monitoring.Monitor.WriteTags(w, _s.Options.Tags);
        Monitoring.Monitor.WriteMetadataAndFeatureFlags(w, _s.Options);
        w.Bool("jetstream", false);
        w.Num("flags", 0);
        w.Num("seq", st?.Seq ?? 0);
        w.Str("time", GoJson.Time(st?.Time ?? DateTime.UtcNow));
        w.WriteEndObject();
    }

    /// <summary>Go's nuid-based event ids: 22 base-62 characters.</summary>
    internal static string NextEventId()
    {
        const string digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        Span<byte> r = stackalloc byte[22];
        RandomNumberGenerator.Fill(r);
        var sb = new StringBuilder(22);
        foreach (var b in r) sb.Append(digits[b % 62]);
        return sb.ToString();
    }

    // ---- shutdown ----

    /// <summary>Go's shutdownEventing: the shutdown event is the last message sent, then the loops stop.</summary>
    public async Task ShutdownAsync()
    {
        lock (_statszLock)
        {
            _statszTimer?.Dispose();
            _statszTimer = null;
        }
        foreach (var t in _accConnTimers.Values) t.Dispose();
        _accConnTimers.Clear();
        _packTimer?.Dispose();
        if (_sendClosed) return;
        string subj = string.Format(ShutdownEventSubj, _s.ServerId);
        var last = new PubMsg(null, subj, "", st => Json(w => WriteServerInfoObject(w, st)), true, Last: true);
        _sendq.Writer.TryWrite(last);
        _sendClosed = true;
        await Task.WhenAny(_lastSent.Task, Task.Delay(1000)).ConfigureAwait(false);
        _sendq.Writer.TryComplete();
        _recvq.Writer.TryComplete();
        _recvqp.Writer.TryComplete();
    }

    /// <summary>Go's sendLDMShutdownEventLocked: the server info alone, on the lame duck subject.</summary>
    public void SendLameDuckEvent()
    {
        string subj = string.Format(LameDuckEventSubj, _s.ServerId);
        Push(new PubMsg(null, subj, "", st => Json(w => WriteServerInfoObject(w, st)), true));
    }

    private void WriteServerInfoObject(Utf8JsonWriter w, ServerStamp? st)
    {
        // The bare ServerInfo as a top-level object.
        var buf = Json(x => { x.WriteStartObject(); WriteServerInfo(x, st); x.WriteEndObject(); });
        using var doc = JsonDocument.Parse(buf);
        doc.RootElement.GetProperty("server").WriteTo(w);
    }
}
