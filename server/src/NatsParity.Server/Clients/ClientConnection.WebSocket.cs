using System.Buffers;
using System.IO.Compression;
using NatsParity.Server.Protocol;
using NatsParity.Server.WebSockets;

namespace NatsParity.Server.Clients;

/// <summary>A client that came through the websocket listener (Go's websocket struct on the client): its frames,
/// cookies and negotiated options.</summary>
internal sealed class WsClientState
{
    public bool Compress, CloseSent, Browser, NoCompFrag, MaskRead = true, MaskWrite;
    public string CookieJwt = "", CookieUsername = "", CookiePassword = "", CookieToken = "", ClientIp = "";
    // Control frames queued ahead of the data (Go's ws.frames) and the close frame that goes last (ws.closeMsg).
    public readonly List<(byte[] Buf, int Len)> Frames = [];
    public (byte[] Buf, int Len)? CloseMsg;
    // What the writer sends for one batch: frame headers and payloads in order.
    public List<(byte[] Buf, int Len)> Out = [];
    public WsReadInfo? Reader;

    public bool HasFrames => Frames.Count > 0 || CloseMsg is not null;
}

/// <summary>The websocket side of a client: inbound frames decoded and unmasked into the parser, outbound chunks
/// framed (and compressed when negotiated) by the writer; Go's websocket.go for kind CLIENT.</summary>
public sealed partial class ClientConnection
{
    private WsClientState? _ws;

    /// <summary>Go's clientTypeString: what monitoring and events call this kind of client.</summary>
    internal string ClientTypeString => _ws is null ? "nats" : "websocket";

    /// <summary>The connection type users' allowed_connection_types are checked against (Go's clientType).</summary>
    internal string ConnectionType => _ws is null ? Auth.ConnectionTypes.Standard : Auth.ConnectionTypes.Websocket;

    /// <summary>Go's processConnect for websocket clients: credentials the CONNECT leaves out come from the cookies.</summary>
    private void WsApplyCookies(ConnectOptions opts)
    {
        var ws = _ws!;
        if (string.IsNullOrEmpty(opts.Jwt)) opts.Jwt = ws.CookieJwt;
        if (string.IsNullOrEmpty(opts.Username)) opts.Username = ws.CookieUsername;
        if (string.IsNullOrEmpty(opts.Password)) opts.Password = ws.CookiePassword;
        if (string.IsNullOrEmpty(opts.Token)) opts.Token = ws.CookieToken;
    }

    internal bool IsWebsocket => _ws is not null;
    internal WsClientState? WebsocketState => _ws;

    /// <summary>Go's EOF from a close frame: the client closed, after its close frame was answered.</summary>
    internal const string WsEof = "EOF";

    /// <summary>A websocket client: the upgrade already happened on <paramref name="socket"/> (over
    /// <paramref name="tls"/> with wss).</summary>
    internal ClientConnection(NatsServer server, System.Net.Sockets.Socket socket, ulong cid, WsClientState ws, System.Net.Security.SslStream? tls)
        : this(server, socket, cid, ws)
    {
        _tls = tls;
    }

    private ClientConnection(NatsServer server, System.Net.Sockets.Socket socket, ulong cid, WsClientState ws) : this(server, socket, cid)
    {
        _ws = ws;
        ws.Reader = new WsReadInfo(ws.MaskRead);
        _ncs = WsConnString(ws.ClientIp, RemoteHost, RemotePort, cid);
    }

    /// <summary>A socketless websocket client for unit tests of the frame handling (Go's testWSSetupForRead).</summary>
    internal static ClientConnection ForWebsocketTest(NatsServer server, ulong cid, WsClientState ws)
    {
        var c = new ClientConnection(server, cid);
        c._ws = ws;
        ws.Reader = new WsReadInfo(ws.MaskRead);
        return c;
    }

    private static string WsConnString(string clientIp, string host, int port, ulong cid)
    {
        string conn = host.Contains(':') ? $"[{host}]:{port}" : $"{host}:{port}";
        if (clientIp.Length > 0) conn = $"{(clientIp.Contains(':') ? $"[{clientIp}]" : clientIp)}/{conn}";
        return $"{conn} - wid:{cid}";
    }

    private struct ParseSink(ClientConnection c) : IWsPayloadSink
    {
        public string? Handle(byte[] buf, int off, int len, bool compressed, bool final) =>
            compressed ? c.WsDecompressAndParse(buf, off, len, final) : len == 0 ? null : c.ParseSpan(buf, off, len);
    }

    /// <summary>Payloads in order, for unit tests of the decoder (Go's wsRead).</summary>
    internal struct CollectSink(List<byte[]> into) : IWsPayloadSink
    {
        public string? Handle(byte[] buf, int off, int len, bool compressed, bool final)
        {
            if (compressed) return "compressed websocket frames require wsReadAndParse";
            into.Add(buf.AsSpan(off, len).ToArray());
            return null;
        }
    }

    internal interface IWsPayloadSink
    {
        string? Handle(byte[] buf, int off, int len, bool compressed, bool final);
    }

    // The parser reads from an offset only through a copy at the start of a buffer: payloads that do not start at
    // zero are moved down first (in place; the frame bytes before them are consumed).
    private string? ParseSpan(byte[] buf, int off, int len)
    {
        if (off != 0) Buffer.BlockCopy(buf, off, buf, 0, len);
        return _parser.Parse(buf, len);
    }

    /// <summary>Go's wsReadAndParse: every frame of one read decoded, data handed to the parser.</summary>
    internal string? WsReadAndParse(byte[] buf, int n)
    {
        var sink = new ParseSink(this);
        return WsReadLoop(_ws!.Reader!, buf, n, ref sink);
    }

    /// <summary>Go's wsReadLoop over <paramref name="n"/> bytes of <paramref name="buf"/> (unmasked in place).</summary>
    internal string? WsReadLoop<TSink>(WsReadInfo r, byte[] buf, int n, ref TSink sink) where TSink : struct, IWsPayloadSink
    {
        int pos = 0;
        while (pos < n)
        {
            if (r.Fs)
            {
                // Assemble the header, across reads when it was cut.
                while (true)
                {
                    int need = r.HeaderSize(r.HeaderLen);
                    if (r.HeaderLen >= need) break;
                    if (pos == n) return null;
                    r.Header[r.HeaderLen++] = buf[pos++];
                    // Each part of the header is checked once it is in, in Go's order.
                    string? partErr = r.HeaderLen switch
                    {
                        1 => CheckFirstByte(r.Header[0]),
                        2 => CheckFrameType(r),
                        10 when (r.Header[1] & 0x7f) == 127 => (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(r.Header.AsSpan(2)) & (1UL << 63)) != 0
                            ? WsHandleProtocolError("invalid 64-bit payload length") : null,
                        _ => null,
                    };
                    if (partErr is not null) return partErr;
                }
                r.HeaderLen = 0;
                if (WsParseHeader(r) is { } err) return err;
                continue;
            }
            if (r.Control is { } op)
            {
                int take = (int)Math.Min(r.Rem, (ulong)(n - pos));
                Span<byte> dst = r.ControlPayload.AsSpan(r.ControlLen, take);
                buf.AsSpan(pos, take).CopyTo(dst);
                if (r.Mask) r.Unmask(dst);
                pos += take;
                r.ControlLen += take;
                r.Rem -= (ulong)take;
                if (r.Rem == 0)
                {
                    r.Control = null;
                    r.Fs = true;
                    if (WsHandleControlFrame(op, r.ControlPayload.AsSpan(0, r.ControlLen)) is { } cerr) return cerr;
                }
                continue;
            }
            int len = (int)Math.Min(r.Rem, (ulong)(n - pos));
            int off = pos;
            pos += len;
            r.Rem -= (ulong)len;
            if (r.Mask) r.Unmask(buf.AsSpan(off, len));
            bool last = r.Rem == 0;
            if (last) r.Fs = true;
            if (sink.Handle(buf, off, len, r.Fc, r.Ff && last) is { } herr) return herr;
        }
        // A data frame whose header ended this read with no payload yet in it, when its payload is empty, is done.
        if (!r.Fs && r.Control is null && r.Rem == 0)
        {
            r.Fs = true;
            if (sink.Handle(buf, n, 0, r.Fc, r.Ff) is { } herr) return herr;
        }
        return null;
    }

    private string? CheckFirstByte(byte b0)
    {
        if ((b0 & (WsFrames.Rsv2Bit | WsFrames.Rsv3Bit)) != 0) return WsHandleProtocolError("RSV2 and RSV3 must be clear");
        if ((b0 & WsFrames.Rsv1Bit) != 0 && !_ws!.Compress)
            return WsHandleProtocolError("compressed frame received without negotiated permessage-deflate");
        return null;
    }

    /// <summary>The checks Go's wsReadLoop makes on the first two bytes of a frame, in its order.</summary>
    private string? CheckFrameType(WsReadInfo r)
    {
        byte b0 = r.Header[0], b1 = r.Header[1];
        var op = (WsOpCode)(b0 & 0xf);
        bool final = (b0 & WsFrames.FinalBit) != 0, compressed = (b0 & WsFrames.Rsv1Bit) != 0;
        if (r.Mask && (b1 & WsFrames.MaskBit) == 0) return WsHandleProtocolError("mask bit missing");
        int len7 = b1 & 0x7f;
        switch (op)
        {
            case WsOpCode.Ping or WsOpCode.Pong or WsOpCode.Close:
                if (len7 > WsFrames.MaxControlPayloadSize)
                    return WsHandleProtocolError($"control frame length bigger than maximum allowed of {WsFrames.MaxControlPayloadSize} bytes");
                if (!final) return WsHandleProtocolError("control frame does not have final bit set");
                if (compressed) return WsHandleProtocolError("control frame must not be compressed");
                break;
            case WsOpCode.Text or WsOpCode.Binary:
                if (!r.Ff) return WsHandleProtocolError("new message started before final frame for previous message was received");
                r.Ff = final;
                r.Fc = compressed;
                break;
            case WsOpCode.Continuation:
                if (r.Ff || compressed) return WsHandleProtocolError("invalid continuation frame");
                r.Ff = final;
                break;
            default:
                return WsHandleProtocolError($"unknown opcode {(int)op}");
        }
        return null;
    }

    /// <summary>A whole frame header: the payload length and mask key; a control frame's payload is read next.</summary>
    private string? WsParseHeader(WsReadInfo r)
    {
        var op = (WsOpCode)(r.Header[0] & 0xf);
        r.Rem = (ulong)(r.Header[1] & 0x7f);
        int p = 2;
        if (r.Rem == 126)
        {
            r.Rem = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(r.Header.AsSpan(2));
            p = 4;
        }
        else if (r.Rem == 127)
        {
            r.Rem = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(r.Header.AsSpan(2));
            p = 10;
        }
        if (r.Mask)
        {
            r.MaskKey = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(r.Header.AsSpan(p));
            r.MaskPos = 0;
        }
        r.Fs = false;
        if (WsFrames.IsControlFrame(op))
        {
            r.ControlLen = 0;
            if (r.Rem == 0)
            {
                r.Fs = true;
                return WsHandleControlFrame(op, []);
            }
            r.Control = op;
        }
        return null;
    }

    /// <summary>Go's wsHandleControlFrame: a close is answered (echoing a valid status) and ends the connection, a
    /// ping is answered with a pong, a pong is ignored.</summary>
    private string? WsHandleControlFrame(WsOpCode op, ReadOnlySpan<byte> payload)
    {
        switch (op)
        {
            case WsOpCode.Close:
                int status = WsFrames.CloseStatusNoStatusReceived;
                string body = "";
                if (payload.Length == 1) return WsHandleProtocolError("close frame payload cannot be 1 byte");
                if (payload.Length >= WsFrames.CloseStatusSize)
                {
                    status = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload);
                    if (!WsFrames.IsValidCloseStatus(status)) return WsHandleProtocolError($"invalid close status code {status}");
                    if (payload.Length > WsFrames.CloseStatusSize)
                    {
                        try
                        {
                            body = new System.Text.UTF8Encoding(false, true).GetString(payload[WsFrames.CloseStatusSize..]);
                        }
                        catch (System.Text.DecoderFallbackException)
                        {
                            status = WsFrames.CloseStatusInvalidPayloadData;
                            body = "invalid utf8 body in close frame";
                        }
                    }
                }
                byte[] clm = status != WsFrames.CloseStatusNoStatusReceived ? WsFrames.CreateCloseMessage(status, body) : [];
                WsEnqueueControlMessage(WsOpCode.Close, clm);
                return WsEof;
            case WsOpCode.Ping:
                WsEnqueueControlMessage(WsOpCode.Pong, payload);
                break;
        }
        return null;
    }

    /// <summary>Go's wsHandleProtocolError: the client gets a protocol-error close frame, the read loop the error.</summary>
    private string WsHandleProtocolError(string message)
    {
        WsEnqueueControlMessage(WsOpCode.Close, WsFrames.CreateCloseMessage(WsFrames.CloseStatusProtocolError, message));
        return message;
    }

    private void WsEnqueueControlMessage(WsOpCode op, ReadOnlySpan<byte> payload)
    {
        lock (_mu) WsEnqueueControlMessageLocked(op, payload);
        _signal.Set();
    }

    /// <summary>Go's wsEnqueueControlMessageLocked: a control frame queued ahead of the data; a close frame is kept to
    /// go after everything else, and only one is ever sent.</summary>
    private void WsEnqueueControlMessageLocked(WsOpCode op, ReadOnlySpan<byte> payload)
    {
        var ws = _ws!;
        bool mask = ws.MaskWrite;
        // From the shared pool: the writer gives every frame it sent back to it.
        var cm = ArrayPool<byte>.Shared.Rent(2 + (mask ? 4 : 0) + payload.Length);
        int n = WsFrames.FillFrameHeader(cm, mask, true, true, false, op, payload.Length, out uint key);
        payload.CopyTo(cm.AsSpan(n));
        if (mask) WsFrames.Mask(key, cm.AsSpan(n, payload.Length));
        int len = n + payload.Length;
        _pendingBytes += len;
        if (op == WsOpCode.Close)
        {
            ws.CloseSent = true;
            ws.CloseMsg = (cm, len);
        }
        else
        {
            ws.Frames.Add((cm, len));
        }
    }

    /// <summary>Go's wsEnqueueCloseMessage, from the close of the connection (lock held).</summary>
    private void WsEnqueueCloseMessageLocked(ClosedState reason)
    {
        if (_ws is not { CloseSent: false }) return;
        WsEnqueueControlMessageLocked(WsOpCode.Close, WsFrames.CreateCloseMessage(WsFrames.CloseStatusFor(reason), reason.Text()));
    }

    internal void WsEnqueueCloseMessageForTest(ClosedState reason)
    {
        lock (_mu) WsEnqueueCloseMessageLocked(reason);
    }

    /// <summary>Go's wsDecompressAndParse: a compressed message is kept until its final frame, then inflated into the
    /// parser in pieces, never more than the payload limit.</summary>
    private string? WsDecompressAndParse(byte[] buf, int off, int len, bool final)
    {
        var r = _ws!.Reader!;
        int mpay = _mpay <= 0 ? 1024 * 1024 : _mpay;
        ulong limit = WsFrames.MaxMessageSize(mpay);
        r.Compressed ??= new MemoryStream();
        if (len > 0)
        {
            if ((ulong)r.Compressed.Length + (ulong)len > limit) return WsCompressedFailed(r, ProtocolErrors.MaxPayloadExceeded);
            r.Compressed.Write(buf, off, len);
        }
        if (!final) return null;
        if ((ulong)r.Compressed.Length + (ulong)WsFrames.CompressLastBlock.Length > limit)
            return WsCompressedFailed(r, ProtocolErrors.MaxPayloadExceeded);
        r.Compressed.Write(WsFrames.CompressLastBlock);
        r.Compressed.Position = 0;
        var input = r.Compressed;
        r.Compressed = null;
        r.Fc = false;
        byte[] chunk = ArrayPool<byte>.Shared.Rent(32 * 1024);
        try
        {
            using var inflater = new DeflateStream(input, CompressionMode.Decompress);
            int total = 0;
            while (true)
            {
                int got;
                try { got = inflater.Read(chunk, 0, Math.Min(chunk.Length, mpay + 1 - total)); }
                catch (InvalidDataException)
                {
                    // Go's flate error: where in the compressed input the inflater gave up.
                    return WsCompressedFailed(r, $"flate: corrupt input before offset {input.Position}");
                }
                if (got == 0) return null;
                int pn = total + got > mpay ? mpay - total : got;
                if (pn > 0 && _parser.Parse(chunk, pn) is { } perr) return WsCompressedFailed(r, perr);
                total += got;
                if (total > mpay) return WsCompressedFailed(r, ProtocolErrors.MaxPayloadExceeded);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    private static string WsCompressedFailed(WsReadInfo r, string err)
    {
        r.ResetCompressedState();
        return err;
    }

    /// <summary>Go's wsCollapsePtoNB (lock held): the batch of chunks becomes frames in <see cref="WsClientState.Out"/>,
    /// control frames first and the close frame last; the pending count grows by what framing adds.</summary>
    private List<(byte[] Buf, int Len)> WsCollapseLocked(List<(byte[] Buf, int Len)> nb)
    {
        var ws = _ws!;
        var bufs = ws.Out;
        bufs.Clear();
        bufs.AddRange(ws.Frames);
        ws.Frames.Clear();
        int mfs = ws.Browser ? WsFrames.FrameSizeForBrowsers : 0;
        bool mask = ws.MaskWrite;
        long usz = 0;
        foreach (var (_, l) in nb) usz += l;
        bool compress = ws.Compress && nb.Count > 0 && usz > WsFrames.CompressThreshold;
        if (compress)
        {
            if (mfs > 0 && ws.NoCompFrag) mfs = 0;
            byte[] p = WsCompress(nb, out int plen);
            ReturnChunks(nb);
            long csz = 0;
            if (mfs > 0 && plen > mfs)
            {
                int at = 0;
                for (bool first = true; at < plen; first = false)
                {
                    int lp = Math.Min(mfs, plen - at);
                    bool final = at + lp == plen;
                    var fh = ArrayPool<byte>.Shared.Rent(WsFrames.MaxFrameHeaderSize);
                    int hn = WsFrames.FillFrameHeader(fh, mask, first, final, first, WsOpCode.Binary, lp, out uint key);
                    var part = ArrayPool<byte>.Shared.Rent(lp);
                    p.AsSpan(at, lp).CopyTo(part);
                    if (mask) WsFrames.Mask(key, part.AsSpan(0, lp));
                    bufs.Add((fh, hn));
                    bufs.Add((part, lp));
                    csz += hn + lp;
                    at += lp;
                }
                ArrayPool<byte>.Shared.Return(p);
            }
            else
            {
                var fh = ArrayPool<byte>.Shared.Rent(WsFrames.MaxFrameHeaderSize);
                int hn = WsFrames.FillFrameHeader(fh, mask, true, true, true, WsOpCode.Binary, plen, out uint key);
                if (mask) WsFrames.Mask(key, p.AsSpan(0, plen));
                bufs.Add((fh, hn));
                bufs.Add((p, plen));
                csz = hn + plen;
            }
            _pendingBytes += csz - usz;
        }
        else if (nb.Count > 0 && mfs > 0)
        {
            // Go's frames of at most mfs bytes: a chunk that fits joins the open frame; one that does not closes it
            // and is cut into frames of its own, its last piece left open for what follows.
            int total = 0, fhIdx = StartFrame(bufs);
            foreach (var (b, bl) in nb)
            {
                if (total + bl <= mfs)
                {
                    bufs.Add((CopyOf(b, 0, bl), bl));
                    total += bl;
                    continue;
                }
                for (int off = 0; off < bl;)
                {
                    bool endStart = total != 0;
                    if (endStart) EndFrame(bufs, fhIdx, total, mask);
                    total = Math.Min(bl - off, mfs);
                    if (endStart) fhIdx = StartFrame(bufs);
                    bufs.Add((CopyOf(b, off, total), total));
                    off += total;
                }
            }
            if (total > 0) EndFrame(bufs, fhIdx, total, mask);
            else
            {
                ArrayPool<byte>.Shared.Return(bufs[fhIdx].Buf);
                bufs.RemoveAt(fhIdx);
            }
            ReturnChunks(nb);
        }
        else if (nb.Count > 0)
        {
            var fh = ArrayPool<byte>.Shared.Rent(WsFrames.MaxFrameHeaderSize);
            int hn = WsFrames.FillFrameHeader(fh, mask, true, true, false, WsOpCode.Binary, (int)usz, out uint key);
            _pendingBytes += hn;
            bufs.Add((fh, hn));
            int pos = 0;
            foreach (var c in nb)
            {
                if (mask) pos = WsFrames.Mask(key, c.Buf.AsSpan(0, c.Len), pos);
                bufs.Add(c);
            }
            nb.Clear();
        }
        if (ws.CloseMsg is { } close)
        {
            bufs.Add(close);
            ws.CloseMsg = null;
        }
        // The writer returns what it sent to the pools and reuses the emptied list for the next batch.
        ws.Out = nb;
        return bufs;

        static byte[] CopyOf(byte[] src, int off, int len)
        {
            var part = ArrayPool<byte>.Shared.Rent(Math.Max(len, 1));
            src.AsSpan(off, len).CopyTo(part);
            return part;
        }

        int StartFrame(List<(byte[] Buf, int Len)> list)
        {
            list.Add((ArrayPool<byte>.Shared.Rent(WsFrames.MaxFrameHeaderSize), 0));
            return list.Count - 1;
        }

        void EndFrame(List<(byte[] Buf, int Len)> list, int idx, int size, bool useMask)
        {
            var fh = list[idx].Buf;
            int hn = WsFrames.FillFrameHeader(fh, useMask, true, true, false, WsOpCode.Binary, size, out uint key);
            list[idx] = (fh, hn);
            _pendingBytes += hn;
            if (!useMask) return;
            int pos = 0;
            for (int i = idx + 1; i < list.Count; i++) pos = WsFrames.Mask(key, list[i].Buf.AsSpan(0, list[i].Len), pos);
        }
    }

    /// <summary>What the writer would send next, frame by frame, taken off the queue (Go's tests call
    /// collapsePtoNB on a socketless client).</summary>
    internal List<byte[]> WsCollapseForTest(IEnumerable<byte[]>? queued = null)
    {
        lock (_mu)
        {
            var nb = new List<(byte[] Buf, int Len)>(_pending);
            _pending.Clear();
            // Buffers as Go's tests set c.out.nb: each its own chunk.
            foreach (var b in queued ?? [])
            {
                var chunk = ArrayPool<byte>.Shared.Rent(Math.Max(b.Length, 1));
                b.CopyTo(chunk, 0);
                nb.Add((chunk, b.Length));
            }
            if (_cur is not null && _curLen > 0) nb.Add((_cur, _curLen));
            _cur = null;
            _curLen = 0;
            var frames = WsCollapseLocked(nb);
            var result = frames.Select(f => f.Buf.AsSpan(0, f.Len).ToArray()).ToList();
            _pendingBytes = 0;
            ReturnChunks(frames);
            return result;
        }
    }

    /// <summary>The chunks deflated at the fastest level with a sync flush, its 0x00 0x00 0xff 0xff tail dropped (Go's
    /// compressor with no context kept between messages).</summary>
    private static byte[] WsCompress(List<(byte[] Buf, int Len)> nb, out int len)
    {
        var ms = new MemoryStream();
        using (var deflate = new DeflateStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            foreach (var (b, l) in nb) deflate.Write(b, 0, l);
            deflate.Flush();
            len = (int)ms.Length - 4;
            var outBuf = ArrayPool<byte>.Shared.Rent(Math.Max(len, 1));
            ms.GetBuffer().AsSpan(0, len).CopyTo(outBuf);
            // The stream's own end block is written on dispose, into the memory stream only.
            return outBuf;
        }
    }
}
