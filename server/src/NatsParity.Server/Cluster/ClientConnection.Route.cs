using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Cluster;
using NatsParity.Server.Protocol;
using NatsParity.Server.Subscriptions;

namespace NatsParity.Server.Clients;

/// <summary>The route side of a connection (Go's route.go on a client of kind ROUTER): the route protocol in and out.</summary>
public sealed partial class ClientConnection
{
    /// <summary>Set for route connections (Go's c.route).</summary>
    internal readonly Route? RouteState;

    /// <summary>The route protocol level the remote's INFO gave (Go's c.opts.Protocol for a route).</summary>
    internal int RouteProtocol { get; set; }

    /// <summary>Headers go over this route when both servers support them.</summary>
    internal void SetRouteHeaders(bool headers) => Headers = headers;

    /// <summary>True for a route connection.</summary>
    public bool IsRoute => RouteState is not null;

    /// <summary>True for connections whose queue subscriptions stand for remote members (routes; leafnodes later).</summary>
    internal bool IsRouteOrLeaf => RouteState is not null;

    /// <summary>A route connection, accepted (<paramref name="route"/> not soliciting) or solicited.</summary>
    internal ClientConnection(NatsServer server, Socket socket, ulong cid, Route route)
    {
        _server = server;
        _socket = socket;
        Cid = cid;
        RouteState = route;
        _parser = new ProtocolParser(this) { RouteMode = true };
        _rand = (uint)Random.Shared.Next(1, int.MaxValue);
        // Go creates route connections with no payload or subscription limit.
        _mpay = _msubs = Account.NoLimit;
        // A route belongs to no account: each message names its own. Its subscriptions live in the accounts' sublists.
        _acc = server.GlobalAccount;
        if (RemoteEndPointOf(socket) is IPEndPoint ep)
        {
            RemoteHost = ep.Address.IsIPv4MappedToIPv6 ? ep.Address.MapToIPv4().ToString() : ep.Address.ToString();
            RemotePort = ep.Port;
        }
        else
        {
            RemoteHost = "";
        }
        string host = RemoteHost.Contains(':') ? $"[{RemoteHost}]" : RemoteHost;
        _ncs = $"{host}:{RemotePort} - rid:{cid}";
        InitOutbound();
        var o = server.Options.Cluster;
        if (o.WriteDeadline > TimeSpan.Zero) WriteDeadlineNanoseconds = o.WriteDeadline.Ticks * 100;
    }

    /// <summary>Closes the socket under the connection, as Go's tests close r.nc: the read loop sees the network fail.</summary>
    internal void CloseSocketForTest()
    {
        try { _socket?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        try { _socket?.Close(); } catch (ObjectDisposedException) { }
    }

    // ---- start ----

    /// <summary>Go's createRoute after the connection is made: the loops run, a solicited route sends CONNECT, and the
    /// INFO goes out unless it waits for the remote's (pooled solicited routes).</summary>
    internal void StartRoute(byte[]? info, byte[]? connect, bool authRequired)
    {
        _expectConnect = !RouteState!.DidSolicit;
        _writeTask = WriteLoop();
        SetFirstPingTimer();
        if (authRequired && !RouteState.DidSolicit)
        {
            var t = TimeSpan.FromSeconds(_server.Options.Cluster.AuthTimeout);
            _authTimer = new Timer(static s => ((ClientConnection)s!).AuthTimeout(), this, t, Timeout.InfiniteTimeSpan);
        }
        if (connect is not null)
        {
            Debug("Route connect msg sent");
            EnqueueProto(connect);
        }
        if (info is not null) EnqueueProto(info);
        _ = ReadLoop();
    }

    // ---- CONNECT and INFO ----

    /// <summary>Go's processConnect for a route, then processRouteConnect.</summary>
    private string? ProcessRouteConnect(ReadOnlySpan<byte> arg)
    {
        lock (_mu)
        {
            _authTimer?.Dispose();
            _authTimer = null;
        }
        if (_closed) return null;
        if (Tracing) TraceIn("CONNECT", RedactSecrets(Encoding.UTF8.GetString(arg)));
        ConnectOptions opts;
        try { opts = ConnectOptions.Merge(_opts, arg); }
        catch (System.Text.Json.JsonException e) { return e.Message; }
        _opts = opts;
        _connectReceived = true;
        // A client connecting to the route port gives its language; servers do not.
        if (!string.IsNullOrEmpty(opts.Lang))
        {
            SendErr(RouteErrors.ClientConnectedToRoutePort);
            RateLimitError(RouteErrors.ClientConnectedToRoutePort);
            Close(ClosedState.WrongPort);
            return RouteErrors.ClientConnectedToRoutePort;
        }
        if (!_server.IsRouterAuthorized(opts))
        {
            AuthViolation();
            return ProtocolErrors.AuthenticationError;
        }
        _expectConnect = false;
        RouteConnectInfo proto;
        try { proto = RouteConnectInfo.Parse(arg); }
        catch (System.Text.Json.JsonException e) { return e.Message; }
        if (proto.Gateway.Length > 0)
        {
            string err = $"Rejecting connection from gateway {GoQuote(proto.Gateway)} on the Route port";
            _server.Logger.Error($"{this} - {err}");
            SendErr(err);
            Close(ClosedState.WrongGateway);
            return "wrong gateway";
        }
        string clusterName = _server.ClusterName;
        if (proto.Cluster != clusterName)
        {
            bool reject = true;
            if (_server.ClusterNameDynamic && (!proto.Dynamic || string.CompareOrdinal(clusterName, proto.Cluster) < 0))
            {
                _server.SetClusterName(proto.Cluster, fromRemoteNonDynamic: !proto.Dynamic);
                _server.RemoveAllRoutesExcept(opts.Name ?? "");
                reject = false;
            }
            if (reject)
            {
                string err = $"Rejecting connection, cluster name {GoQuote(proto.Cluster)} does not match {GoQuote(clusterName)}";
                _server.Logger.Error($"{this} - {err}");
                SendErr(err);
                Close(ClosedState.ClusterNameConflict);
                return "cluster name from remote server conflicts";
            }
        }
        lock (_mu)
        {
            RouteState!.RemoteId = opts.Name ?? "";
            RouteState.Lnoc = proto.Lnoc;
            RouteState.Lnocu = proto.Lnocu;
        }
        SetRoutePermissions(_server.Options.Cluster.Permissions);
        Headers = _server.SupportsHeaders && proto.Headers;
        if (opts.Verbose) SendOK();
        return null;
    }

    /// <summary>Go's setRoutePermissions: import checked as publish, export as subscribe.</summary>
    internal void SetRoutePermissions(Config.RoutePermissions? perms)
    {
        if (perms is null || (perms.Import is null && perms.Export is null))
        {
            _perms = null;
            return;
        }
        SetPermissions(new Auth.Permissions { Publish = perms.Import?.Clone(), Subscribe = perms.Export?.Clone() });
    }

    /// <summary>Go's canImport: this server sends interest in <paramref name="subject"/> over the route.</summary>
    internal bool CanImport(string subject) => _perms is not { HasPublishPermissions: true } p || p.PubAllowed(subject);

    /// <summary>Go's canExport: this server takes the remote's interest in <paramref name="subject"/>.</summary>
    internal bool CanExport(string subject) => _perms is null || _perms.CanSubscribe(subject, null);

    private string? ProcessRouteInfoProto(ReadOnlySpan<byte> arg)
    {
        if (Tracing) TraceIn("INFO", Encoding.UTF8.GetString(arg));
        ServerInfo info;
        try { info = ServerInfo.Parse(arg); }
        catch (System.Text.Json.JsonException e) { return e.Message; }
        _server.ProcessRouteInfo(this, info);
        return null;
    }

    // ---- RS+ / RS- / LS+ / LS- ----

    string? IProtocolHandler.ProcessRemoteSub(ReadOnlySpan<byte> argo, bool leaf)
    {
        if (Tracing) TraceIn(leaf ? "LS+" : "RS+", Encoding.UTF8.GetString(argo));
        var route = RouteState!;
        string accountName = route.AccName;
        bool accInProto = accountName.Length == 0;
        Span<int> s = stackalloc int[8];
        Span<int> l = stackalloc int[8];
        int n = ProtocolParser.SplitArgs(argo, s, l);
        int subjIdx = 0;
        if (leaf) subjIdx++;
        if (accInProto) subjIdx++;
        string? queue = null;
        int weight = 1;
        if (n == subjIdx + 1) { }
        else if (n == subjIdx + 3)
        {
            queue = Encoding.UTF8.GetString(argo.Slice(s[subjIdx + 1], l[subjIdx + 1]));
            weight = ProtocolParser.ParseSize(argo.Slice(s[subjIdx + 2], l[subjIdx + 2]));
        }
        else
        {
            return $"processRemoteSub Parse Error: '{(leaf ? 'L' : 'R')} {Encoding.UTF8.GetString(argo)}'";
        }
        string? origin = leaf ? Encoding.UTF8.GetString(argo.Slice(s[0], l[0])) : null;
        string subject = Encoding.UTF8.GetString(argo.Slice(s[subjIdx], l[subjIdx]));
        if (accInProto) accountName = Encoding.UTF8.GetString(argo.Slice(s[subjIdx - 1], l[subjIdx - 1]));
        // The key: the protocol's fields without the weight ("R"/"L" first for remotes that know leaf origins).
        var key = new StringBuilder();
        if (route.Lnocu) key.Append(leaf ? "L " : "R ");
        if (leaf && route.Lnocu) key.Append(origin).Append(' ');
        if (accInProto) key.Append(accountName).Append(' ');
        key.Append(subject);
        if (queue is not null) key.Append(' ').Append(queue);
        string sid = key.ToString();

        var acc = _server.LookupAccount(accountName);
        if (acc is null)
        {
            _server.Logger.Error($"{this} - Unknown account {GoQuote(accountName)} for remote subject {GoQuote(subject)}");
            return null;
        }
        if (_closed) return null;
        if (_perms is not null && !CanExport(subject))
        {
            Debug($"Can not export {GoQuote(subject)}, ignoring remote subscription request");
            return null;
        }
        var sub = new Subscription(subject, queue, this, Encoding.UTF8.GetBytes(sid)) { QueueWeight = queue is null ? 0 : weight, LeafOrigin = origin, RemoteAccount = acc };
        lock (_mu)
        {
            if (_closed) return null;
            if (_subs.TryGetValue(sid, out var existing))
            {
                if (queue is not null)
                {
                    existing.QueueWeight = weight;
                    acc.Sublist.UpdateRemoteQSub(existing);
                }
            }
            else if (acc.Sublist.TryInsert(sub))
            {
                _subs[sid] = sub;
            }
            else
            {
                _server.Logger.Error($"{this} - Could not insert subscription: invalid subject");
                SendErr("Invalid Subscription");
                return null;
            }
        }
        if (_opts.Verbose) SendOK();
        return null;
    }

    string? IProtocolHandler.ProcessRemoteUnsub(ReadOnlySpan<byte> arg, bool leaf)
    {
        if (Tracing) TraceIn(leaf ? "LS-" : "RS-", Encoding.UTF8.GetString(arg));
        var route = RouteState!;
        string accountName = route.AccName;
        bool accInProto = accountName.Length == 0;
        bool hasOrigin = leaf && route.Lnocu;
        Span<int> s = stackalloc int[8];
        Span<int> l = stackalloc int[8];
        int n = ProtocolParser.SplitArgs(arg, s, l);
        int subjIdx = 0;
        if (hasOrigin) subjIdx = 1;
        if (accInProto) subjIdx++;
        if (n != subjIdx + 1 && n != subjIdx + 2)
            return $"processRemoteUnsub parse error: '{Encoding.UTF8.GetString(arg)}'";
        if (accInProto) accountName = Encoding.UTF8.GetString(arg.Slice(s[subjIdx - 1], l[subjIdx - 1]));
        var acc = _server.LookupAccount(accountName);
        if (acc is null)
        {
            Debug($"Unknown account {GoQuote(accountName)} for subject {GoQuote(Encoding.UTF8.GetString(arg.Slice(s[subjIdx], l[subjIdx])))}");
            return null;
        }
        string argText = Encoding.UTF8.GetString(arg);
        string key = route.Lnocu ? (leaf ? "L " : "R ") + argText : argText;
        Subscription? sub;
        lock (_mu)
        {
            if (_closed) return null;
            if (_subs.Remove(key, out sub)) sub.Closed = true;
        }
        if (sub is not null) acc.Sublist.Remove(sub);
        if (_opts.Verbose) SendOK();
        return null;
    }

    // ---- RMSG / LMSG / routed HMSG ----

    // The arguments of the routed message being read, copied out of the read buffer (Go's c.pa for routes).
    private byte[] _rArg = new byte[256];
    private int _rAccStart, _rAccLen, _rSubjStart, _rSubjLen, _rReplyStart, _rReplyLen, _rOriginStart, _rOriginLen;
    private readonly List<(int Start, int Len)> _rQueues = new();
    private Account? _rLastAcc;

    /// <summary>A PUB on a route is read as Go reads it (a route has no payload limit) and handed on as a routed
    /// message of no account, which no account matches: it is dropped.</summary>
    private void RoutePubArgs(ProtocolParser p)
    {
        var subject = p.Subject;
        if (_rArg.Length < subject.Length) _rArg = new byte[Math.Max(_rArg.Length * 2, subject.Length)];
        subject.CopyTo(_rArg);
        _rAccStart = _rAccLen = _rReplyLen = _rOriginLen = 0;
        _rSubjStart = 0;
        _rSubjLen = subject.Length;
        _rQueues.Clear();
    }

    /// <summary>The split arguments as Go's errors print them (a %s of [][]byte): "[a b c]".</summary>
    private static string GoArgs(ReadOnlySpan<byte> a) =>
        "[" + string.Join(' ', Encoding.UTF8.GetString(a).Split([' ', '\t', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries)) + "]";

    string? IProtocolHandler.ProcessRoutedMsgArgs(ProtocolParser p, ReadOnlySpan<byte> arg, byte op, bool hmsg)
    {
        bool lmsg = op is (byte)'L' or (byte)'l';
        if (Tracing) TraceIn(hmsg ? "HMSG" : lmsg ? "LMSG" : "RMSG", Encoding.UTF8.GetString(arg));
        string accName = RouteState!.AccName;
        int pre = accName.Length > 0 ? accName.Length + 1 : 0;
        if (_rArg.Length < pre + arg.Length) _rArg = new byte[Math.Max(_rArg.Length * 2, pre + arg.Length)];
        // A pinned account's route leaves the account out: it is put back in front, as Go's args do.
        if (pre > 0)
        {
            Encoding.ASCII.GetBytes(accName, _rArg);
            _rArg[pre - 1] = (byte)' ';
        }
        arg.CopyTo(_rArg.AsSpan(pre));
        var a = _rArg.AsSpan(0, pre + arg.Length);
        Span<int> s = stackalloc int[64];
        Span<int> l = stackalloc int[64];
        int n = ProtocolParser.SplitArgs(a, s, l);
        if (n > s.Length)
        {
            // A message for many queue groups: Go's argument list grows as needed (rare, so allocated here).
            s = new int[n];
            l = new int[n];
            ProtocolParser.SplitArgs(a, s, l);
        }
        string fn = lmsg ? "processRoutedOriginClusterMsgArgs" : hmsg ? "processRoutedHeaderMsgArgs" : "processRoutedMsgArgs";
        // An LMSG starts with the origin cluster; the account then sits after it, not before.
        int b = 0;
        _rOriginLen = 0;
        if (lmsg)
        {
            if (pre > 0)
            {
                // The account was put first; the origin is the protocol's first field.
                _rOriginStart = s[1]; _rOriginLen = l[1];
                (s[0], s[1]) = (s[1], s[0]);
                (l[0], l[1]) = (l[1], l[0]);
            }
            else
            {
                _rOriginStart = s[0]; _rOriginLen = l[0];
            }
            b = 1;
        }
        bool withHdr = hmsg || lmsg;
        int fixedArgs = withHdr ? 4 : 3; // account subject [reply] [hdr] size
        _rQueues.Clear();
        int hdr = -1, size;
        int cnt = n - b;
        if (cnt < fixedArgs) return $"{fn} Parse Error: '{GoArgs(a)}'";
        _rAccStart = s[b]; _rAccLen = l[b];
        _rSubjStart = s[b + 1]; _rSubjLen = l[b + 1];
        _rReplyLen = 0;
        if (cnt == fixedArgs || cnt == fixedArgs + 1)
        {
            if (cnt == fixedArgs + 1) { _rReplyStart = s[b + 2]; _rReplyLen = l[b + 2]; }
        }
        else
        {
            var ind = a.Slice(s[b + 2], l[b + 2]);
            if (ind.Length != 1 || (ind[0] != '+' && ind[0] != '|'))
                return $"{fn} Bad or Missing Reply Indicator: '{Encoding.UTF8.GetString(ind)}'";
            int qStart = b + 3;
            if (ind[0] == '+') { _rReplyStart = s[b + 3]; _rReplyLen = l[b + 3]; qStart++; }
            for (int q = qStart; q < n - (withHdr ? 2 : 1); q++) _rQueues.Add((s[q], l[q]));
        }
        size = ProtocolParser.ParseSize(a.Slice(s[n - 1], l[n - 1]));
        if (withHdr) hdr = ProtocolParser.ParseSize(a.Slice(s[n - 2], l[n - 2]));
        if (withHdr && hdr < 0) return $"{fn} Bad or Missing Header Size: '{Encoding.UTF8.GetString(arg)}'";
        if (size < 0) return $"{fn} Bad or Missing Size: '{GoArgs(a)}'";
        if (withHdr && hdr > size) return $"{fn} Header Size larger then TotalSize: '{Encoding.UTF8.GetString(arg)}'";
        p.Pa.Size = size;
        p.Pa.Hdr = lmsg && hdr == 0 ? -1 : hdr;
        return null;
    }

    /// <summary>Go's processInboundRoutedMsg: a message from the route goes to this server's local interest in its
    /// account, to the queue groups the remote picked this server for.</summary>
    private void ProcessInboundRoutedMsg(ProtocolParser p, ReadOnlySpan<byte> msg)
    {
        InMsgs++;
        InBytes += msg.Length - 2;
        if (Tracing) TraceMsg(msg, false, p.Pa.Hdr);
        if (_opts.Verbose) SendOK();
        var accName = _rArg.AsSpan(_rAccStart, _rAccLen);
        var acc = _rLastAcc;
        if (acc is null || !Ascii.Equals(accName, acc.Name)) acc = _rLastAcc = _server.LookupAccountUtf8(accName);
        var subject = _rArg.AsSpan(_rSubjStart, _rSubjLen);
        if (acc is null)
        {
            Debug($"Unknown account {GoQuote(Encoding.UTF8.GetString(accName))} for routed message on subject: {GoQuote(Encoding.UTF8.GetString(subject))}");
            return;
        }
        var r = acc.Sublist.Match(subject);
        if (r.Psubs.Length + r.Qsubs.Length == 0) return;
        var reply = _rReplyLen > 0 ? _rArg.AsSpan(_rReplyStart, _rReplyLen) : default;
        _fromRouteQueues = _rQueues.Count > 0;
        try
        {
            ProcessMsgResults(acc, r, subject, reply, p.Pa.Hdr, msg, fromService: false);
        }
        finally
        {
            _fromRouteQueues = false;
        }
    }

    // Set while processing a routed message that named queue groups (Go's c.pa.queues).
    private bool _fromRouteQueues;

    /// <summary>Go's queue filter for a routed message: is <paramref name="queue"/> one the remote picked this server for.</summary>
    private bool RoutedQueueSelected(string queue)
    {
        foreach (var (start, len) in _rQueues)
            if (Ascii.Equals(_rArg.AsSpan(start, len), queue)) return true;
        return false;
    }

    // ---- route targets (Go's c.in.rts) ----

    private sealed class RouteTarget
    {
        public Subscription Sub = null!;
        public readonly List<Subscription> Qsubs = new(4);
    }

    private readonly List<RouteTarget> _rts = new();
    private int _rtsCount;

    /// <summary>Go's addSubToRouteTargets: one message per route, naming every queue group it is sent for.</summary>
    private void AddSubToRouteTargets(Subscription sub)
    {
        for (int i = 0; i < _rtsCount; i++)
        {
            var rt = _rts[i];
            if (ReferenceEquals(rt.Sub.Client, sub.Client))
            {
                if (sub.Queue is not null) rt.Qsubs.Add(sub);
                return;
            }
        }
        if (_rtsCount == _rts.Count) _rts.Add(new RouteTarget());
        var t = _rts[_rtsCount++];
        t.Sub = sub;
        t.Qsubs.Clear();
        if (sub.Queue is not null) t.Qsubs.Add(sub);
    }

    /// <summary>Go's sendToRoutesOrLeafs: one RMSG (HMSG with headers) per route target.</summary>
    private bool SendToRouteTargets(Account acc, ReadOnlySpan<byte> subject, ReadOnlySpan<byte> reply, int hdr, ReadOnlySpan<byte> msg)
    {
        bool delivered = false;
        Span<byte> stack = stackalloc byte[512];
        for (int i = 0; i < _rtsCount; i++)
        {
            var rt = _rts[i];
            var route = rt.Sub.Client!;
            if (route._closed) continue;
            bool hasHeader = hdr > 0;
            bool canReceiveHeader = route.Headers;
            int qlen = 0;
            foreach (var q in rt.Qsubs) qlen += Encoding.UTF8.GetByteCount(q.Queue!) + 1;
            int max = 32 + acc.Name.Length + subject.Length + reply.Length + qlen;
            byte[]? rented = null;
            Span<byte> mh = max <= stack.Length ? stack : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(max));
            int n = 0;
            if (hasHeader && canReceiveHeader) { "HMSG "u8.CopyTo(mh); }
            else { "RMSG "u8.CopyTo(mh); }
            n = 5;
            if (route.RouteState!.AccName.Length == 0)
            {
                n += Encoding.UTF8.GetBytes(acc.Name, mh[n..]);
                mh[n++] = (byte)' ';
            }
            subject.CopyTo(mh[n..]);
            n += subject.Length;
            mh[n++] = (byte)' ';
            if (rt.Qsubs.Count > 0)
            {
                if (reply.Length > 0)
                {
                    mh[n++] = (byte)'+';
                    mh[n++] = (byte)' ';
                    reply.CopyTo(mh[n..]);
                    n += reply.Length;
                    mh[n++] = (byte)' ';
                }
                else
                {
                    mh[n++] = (byte)'|';
                    mh[n++] = (byte)' ';
                }
                foreach (var q in rt.Qsubs)
                {
                    n += Encoding.UTF8.GetBytes(q.Queue!, mh[n..]);
                    mh[n++] = (byte)' ';
                }
            }
            else if (reply.Length > 0)
            {
                reply.CopyTo(mh[n..]);
                n += reply.Length;
                mh[n++] = (byte)' ';
            }
            ReadOnlySpan<byte> payload = msg;
            int w;
            if (hasHeader)
            {
                if (canReceiveHeader)
                {
                    Utf8Formatter.TryFormat(hdr, mh[n..], out w);
                    n += w;
                    mh[n++] = (byte)' ';
                }
                else
                {
                    payload = msg[hdr..];
                }
            }
            Utf8Formatter.TryFormat(payload.Length - 2, mh[n..], out w);
            n += w;
            mh[n++] = (byte)'\r';
            mh[n++] = (byte)'\n';
            bool ok = route.EnqueueRouted(mh[..n], payload);
            if (ok && route.Tracing)
            {
                route.TraceOut(Encoding.UTF8.GetString(mh[..(n - 2)]), null);
                route.TraceMsg(payload, true, hdr);
            }
            if (rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            if (ok)
            {
                delivered = true;
                _batchOutMsgs++;
                _batchOutBytes += payload.Length - 2;
                _pcd.Add(route);
            }
        }
        _rtsCount = 0;
        return delivered;
    }

    /// <summary>Queues a routed message on this route connection.</summary>
    private bool EnqueueRouted(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        lock (_mu)
        {
            if (_closed) return false;
            OutMsgs++;
            OutBytes += payload.Length - 2;
            QueueOutboundLocked(header);
            QueueOutboundLocked(payload);
        }
        return true;
    }

    // ---- sending interest ----

    /// <summary>Go's addRouteSubOrUnsubProtoToBuf: "RS+ [account ]subject[ queue weight]" (LS+ with an origin for a
    /// remote that knows leaf origins), or the RS-/LS- counterpart.</summary>
    internal void AppendSubProto(StringBuilder buf, string accName, string subject, string? queue, int weight, string? origin, bool isSub)
    {
        var r = RouteState!;
        if (origin is { Length: > 0 } && r.Lnoc)
        {
            if (isSub) buf.Append("LS+ ").Append(origin).Append(' ');
            else
            {
                buf.Append("LS- ");
                if (r.Lnocu) buf.Append(origin).Append(' ');
            }
        }
        else
        {
            buf.Append(isSub ? "RS+ " : "RS- ");
        }
        if (r.AccName.Length == 0) buf.Append(accName).Append(' ');
        buf.Append(subject);
        if (queue is not null)
        {
            buf.Append(' ').Append(queue);
            if (isSub) buf.Append(' ').Append(weight);
        }
        buf.Append("\r\n");
    }

    /// <summary>Queues interest protocols, tracing each line as Go's sendRouteSubOrUnSubProtos does.</summary>
    internal void SendRouteProtos(string protos)
    {
        if (protos.Length == 0) return;
        if (Tracing)
            foreach (var line in protos.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)) TraceOut(line, null);
        EnqueueProto(Encoding.UTF8.GetBytes(protos));
    }

    /// <summary>The remote subscriptions this route holds (Go's c.subs for a route), for removal when it closes.</summary>
    internal List<Subscription> TakeRemoteSubs()
    {
        lock (_mu)
        {
            var subs = new List<Subscription>(_subs.Values);
            _subs.Clear();
            foreach (var s in subs) s.Closed = true;
            return subs;
        }
    }

    /// <summary>The remote subscriptions of this route (routez subscriptions_list).</summary>
    internal List<Subscription> RemoteSubs()
    {
        lock (_mu) return [.. _subs.Values];
    }

}

/// <summary>Route error texts (Go's errors.go).</summary>
internal static class RouteErrors
{
    public const string ClientConnectedToRoutePort = "attempted to connect to route port";
}
