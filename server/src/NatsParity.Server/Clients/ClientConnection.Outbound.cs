using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using NatsParity.Server.Config;

namespace NatsParity.Server.Clients;

/// <summary>The outbound side: pooled chunks filled under the client lock, drained by one writer per connection.</summary>
public sealed partial class ClientConnection
{
    internal const int ChunkSize = OutboundChunks.Size;

    private readonly AsyncSignal _signal = new();
    private List<(byte[] Buf, int Len)> _pending = new();
    private List<(byte[] Buf, int Len)> _writing = new();
    private byte[]? _cur;
    private int _curLen;
    private long _pendingBytes;
    private Task? _writeTask;

    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    // Go's stall gate (c.out.stc): there while this client's queue is over three quarters of max_pending. Publishers
    // delivering to it wait on it a little (StalledWait); it opens when the writer catches up or the client closes.
    private ManualResetEventSlim? _stallGate;

    /// <summary>How many times publishers were held back for this client (Go's c.stalls).</summary>
    internal long Stalls;

    // What this connection, as a publisher, has spent stalled while processing the current read (Go's c.in.tst).
    private TimeSpan _stalledFor;

    // Go's stallClientMinDuration, stallClientMaxDuration and stallTotalAllowed.
    internal static readonly TimeSpan StallMin = TimeSpan.FromMilliseconds(2), StallMax = TimeSpan.FromMilliseconds(5),
        StallTotalAllowed = TimeSpan.FromMilliseconds(10);

    /// <summary>Go's stalledWait: <paramref name="producer"/> waits for this client's writer to catch up, 2 ms (5 ms
    /// when the queue is at max_pending) at most each time and 10 ms in all for what one read of it brought.</summary>
    private void StalledWait(ClientConnection producer)
    {
        if (producer._stalledFor > StallTotalAllowed) return;
        var gate = Volatile.Read(ref _stallGate);
        if (gate is null) return;
        var ttl = Interlocked.Read(ref _pendingBytes) >= _server.Options.MaxPending ? StallMax : StallMin;
        Interlocked.Increment(ref Stalls);
        Interlocked.Increment(ref _server.StalledClients);
        if (producer._stalledFor + ttl > StallTotalAllowed) ttl = StallTotalAllowed - producer._stalledFor;
        long start = Stopwatch.GetTimestamp();
        if (!gate.Wait(ttl)) producer.Debug($"Timed out of fast producer stall ({ServerOptions.GoDuration(ttl)})");
        producer._stalledFor += Stopwatch.GetElapsedTime(start);
    }

    /// <summary>Go's resetReadLoopStallTime: a publisher held back for long is warned about, once in a while.</summary>
    private void ResetReadLoopStallTime()
    {
        if (_stalledFor >= StallMax)
        {
            var ms = TimeSpan.FromMilliseconds(Math.Round(_stalledFor.TotalMilliseconds, MidpointRounding.AwayFromZero));
            RateLimitFormatWarn("Producer was stalled for a total of %v", $"Producer was stalled for a total of {ServerOptions.GoDuration(ms)}");
        }
        _stalledFor = TimeSpan.Zero;
    }

    /// <summary>Sets a stall gate as Go's tests do by hand, with the queue's pending count set to
    /// <paramref name="pendingBytes"/> when given.</summary>
    internal void SetStallGateForTest(long? pendingBytes = null)
    {
        lock (_mu)
        {
            Volatile.Write(ref _stallGate, new ManualResetEventSlim());
            if (pendingBytes is { } pb) _pendingBytes = pb;
        }
    }

    /// <summary>Opens the stall gate, if there is one (lock held).</summary>
    private void ReleaseStalledLocked()
    {
        if (_stallGate is not { } gate) return;
        Volatile.Write(ref _stallGate, null);
        gate.Set();
    }

    private void InitOutbound()
    {
        var o = _server.Options;
        WriteDeadlineNanoseconds = (long)Math.Min(o.WriteDeadline.Ticks * 100.0, long.MaxValue / 2);
        _wtp = o.WriteTimeout == WriteTimeoutPolicy.Default ? WriteTimeoutPolicy.Close : o.WriteTimeout;
    }

    /// <summary>Takes everything queued for this connection (socketless test connections only).</summary>
    internal byte[] TakeOutbound()
    {
        lock (_mu)
        {
            var ms = new MemoryStream();
            foreach (var (buf, len) in _pending) ms.Write(buf, 0, len);
            if (_cur is not null) ms.Write(_cur, 0, _curLen);
            ReturnChunks(_pending);
            if (_cur is not null) { OutboundChunks.Return(_cur); _cur = null; _curLen = 0; }
            _pendingBytes = 0;
            return ms.ToArray();
        }
    }

    /// <summary>Drops everything queued for this connection back to the pool (socketless connections in
    /// micro-benchmarks).</summary>
    internal void DiscardOutbound()
    {
        lock (_mu)
        {
            ReturnChunks(_pending);
            if (_cur is not null) { OutboundChunks.Return(_cur); _cur = null; _curLen = 0; }
            _pendingBytes = 0;
        }
    }

    /// <summary>How many bytes each queued chunk holds, oldest first (tests: Go's len(c.out.nb[i])).</summary>
    internal int[] QueuedChunkLengths()
    {
        lock (_mu)
        {
            var lengths = _pending.Select(c => c.Len).ToList();
            if (_cur is not null) lengths.Add(_curLen);
            return lengths.ToArray();
        }
    }

    /// <summary>Queues a protocol line and wakes the writer (Go's enqueueProto).</summary>
    internal void EnqueueProto(ReadOnlySpan<byte> proto)
    {
        lock (_mu)
        {
            if (_closed) return;
            QueueOutboundLocked(proto);
        }
        _signal.Set();
    }

    private void QueueOutbound(ReadOnlySpan<byte> data)
    {
        lock (_mu)
        {
            if (_closed) return;
            QueueOutboundLocked(data);
        }
    }

    private void QueueOutboundLocked(ReadOnlySpan<byte> data)
    {
        int queued = data.Length;
        _pendingBytes += queued;
        while (data.Length > 0)
        {
            if (_cur is null)
            {
                _cur = OutboundChunks.Rent(data.Length < ChunkSize ? ChunkSize : Math.Min(data.Length, 1 << 20));
                _curLen = 0;
            }
            int free = _cur.Length - _curLen;
            if (free == 0)
            {
                _pending.Add((_cur, _curLen));
                _cur = null;
                continue;
            }
            int n = Math.Min(free, data.Length);
            data[..n].CopyTo(_cur.AsSpan(_curLen));
            _curLen += n;
            data = data[n..];
        }
        if (_pendingBytes > _server.Options.MaxPending && !_closed)
        {
            // As Go's queueOutbound: what pushed the client over max_pending is not counted as pending.
            _pendingBytes -= queued;
            _server.RecordSlowConsumer();
            _server.Logger.Notice($"{this} - Slow Consumer Detected: MaxPending of {_server.Options.MaxPending} Exceeded");
            Close(ClosedState.SlowConsumerPendingBytes);
        }
        else if (_stallGate is null && _pendingBytes > _server.Options.MaxPending / 4 * 3)
        {
            // Falling behind: publishers to this client are held back a little from now on (Go's queueOutbound).
            Volatile.Write(ref _stallGate, new ManualResetEventSlim());
        }
    }

    internal void FlushSignal() => _signal.Set();

    private async Task WriteLoop()
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync().ConfigureAwait(false);
                while (true)
                {
                    List<(byte[] Buf, int Len)> batch;
                    lock (_mu)
                    {
                        if (_cur is not null && _curLen > 0)
                        {
                            _pending.Add((_cur, _curLen));
                            _cur = null;
                            _curLen = 0;
                        }
                        if (_pending.Count == 0 && _ws is not { HasFrames: true }) break;
                        batch = _pending;
                        _pending = _writing;
                        _writing = batch;
                        if (_ws is not null) batch = WsCollapseLocked(batch);
                    }
                    long attempted = 0;
                    foreach (var (_, len) in batch) attempted += len;
                    _batchChunks = batch.Count;
                    _batchAttempted = attempted;
                    _batchTimedOut = false;
                    long written = 0;
                    long start = Stopwatch.GetTimestamp();
                    StartWriteAttempt(start);
                    int vectors = 0;
                    try
                    {
                        foreach (var (buf, len) in batch)
                        {
                            // As Go's flushOutbound, the deadline is per run of NbMaxVectorSize chunks, so that it can
                            // be tuned to a known quantity of data rather than to the whole backlog.
                            if (++vectors > NbMaxVectorSize)
                            {
                                vectors = 1;
                                Volatile.Write(ref _writeDeadline, Stopwatch.GetTimestamp() + Volatile.Read(ref _wdl));
                            }
                            int off = 0;
                            while (off < len)
                            {
                                int n;
                                try
                                {
                                    var data = buf.AsMemory(off, len - off);
                                    n = WriteHook is { } hook
                                        ? await hook(data, Volatile.Read(ref _writeDeadline), _rawWrite ??= RawWrite).ConfigureAwait(false)
                                        : await RawWrite(data).ConfigureAwait(false);
                                }
                                catch (WriteTimeoutException t)
                                {
                                    if (OnWriteTimeout(t.Deadline))
                                    {
                                        Volatile.Write(ref _writeDeadline, 0);
                                        ReturnChunks(batch);
                                        return;
                                    }
                                    continue;
                                }
                                off += n;
                                written += n;
                                Interlocked.Add(ref _attemptWritten, n);
                            }
                        }
                        if (_tls is not null) await _tls.FlushAsync().ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                    {
                        Volatile.Write(ref _writeDeadline, 0);
                        ReturnChunks(batch);
                        Close(ClosedState.WriteError);
                        return;
                    }
                    Volatile.Write(ref _writeDeadline, 0);
                    ReturnChunks(batch);
                    lock (_mu)
                    {
                        _pendingBytes -= written;
                        if (_stallGate is not null && (written == attempted || _pendingBytes < _server.Options.MaxPending / 4 * 3))
                            ReleaseStalledLocked();
                        if (!_batchTimedOut && _slowConsumer)
                        {
                            _server.Logger.Notice(string.Create(CultureInfo.InvariantCulture,
                                $"{this} - Slow Consumer Recovered: Flush took {Stopwatch.GetElapsedTime(start).TotalSeconds:0.000}s with {batch.Count} chunks of {attempted} total bytes."));
                            _slowConsumer = false;
                        }
                    }
                }
                if (_closed) break;
            }
        }
        finally
        {
            lock (_mu)
            {
                if (_cur is not null) { OutboundChunks.Return(_cur); _cur = null; }
                ReturnChunks(_pending);
            }
            try { _tls?.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
            if (!Volatile.Read(ref _socketAborted))
            {
                try { _socket?.Shutdown(SocketShutdown.Both); } catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
                _socket?.Close();
            }
        }
    }

    /// <summary>One write to the connection under the current write deadline (Go's write on a conn with
    /// SetWriteDeadline): a deadline already passed fails it with a timeout before anything is sent.</summary>
    private ValueTask<int> RawWrite(ReadOnlyMemory<byte> data)
    {
        long deadline = Volatile.Read(ref _writeDeadline);
        if (Stopwatch.GetTimestamp() >= deadline) throw new WriteTimeoutException(deadline);
        if (_tls is null) return _socket!.SendAsync(data, SocketFlags.None);
        var t = _tls.WriteAsync(data);
        return t.IsCompletedSuccessfully ? new ValueTask<int>(data.Length) : AwaitTls(t, data.Length);

        static async ValueTask<int> AwaitTls(ValueTask t, int n)
        {
            await t.ConfigureAwait(false);
            return n;
        }
    }

    private Func<ReadOnlyMemory<byte>, ValueTask<int>>? _rawWrite;

    /// <summary>Go's nbMaxVectorSize: the chunks one write deadline covers.</summary>
    private const int NbMaxVectorSize = 1024;

    /// <summary>Stands in for the connection's writes, as Go's tests wrap c.nc: it gets the bytes to write, the write
    /// deadline (a <see cref="Stopwatch"/> timestamp) and the connection's own write, and returns what it wrote.</summary>
    internal delegate ValueTask<int> WriteInterceptor(ReadOnlyMemory<byte> data, long deadline, Func<ReadOnlyMemory<byte>, ValueTask<int>> write);

    /// <summary>A test's stand-in for the connection's writes (null: the socket itself).</summary>
    internal WriteInterceptor? WriteHook { get; set; }

    private sealed class WriteTimeoutException(long deadline) : Exception
    {
        public long Deadline { get; } = deadline;
    }

    // Go's c.out.wdl (in Stopwatch ticks, and as set, in nanoseconds) and c.out.wtp, taken from the options when the
    // connection is made.
    private long _wdl, _wdlNs;
    private WriteTimeoutPolicy _wtp;

    // The write attempt in progress: the Stopwatch timestamp it must be done by (0 when not writing) and what it wrote.
    private long _writeDeadline, _attemptWritten;

    // The batch being written: chunks and bytes, and whether one of its writes timed out (Go's gotWriteTimeout).
    private int _batchChunks;
    private long _batchAttempted;
    private bool _batchTimedOut;

    // Go's isSlowConsumer flag: a write timed out and the connection was kept (retry policy) and has not caught up yet.
    private bool _slowConsumer;

    /// <summary>Go's c.out.wdl in nanoseconds; tests lower it on a live connection.</summary>
    internal long WriteDeadlineNanoseconds
    {
        get => Volatile.Read(ref _wdlNs);
        set
        {
            Volatile.Write(ref _wdlNs, value);
            Volatile.Write(ref _wdl, (long)Math.Min(value * (Stopwatch.Frequency / 1e9), long.MaxValue / 2));
        }
    }

    /// <summary>Go's c.out.wtp: close or retry (the default resolved).</summary>
    internal WriteTimeoutPolicy WriteTimeoutPolicy => _wtp;

    /// <summary>Go's isSlowConsumer flag.</summary>
    internal bool IsSlowConsumer => Volatile.Read(ref _slowConsumer);

    private void StartWriteAttempt(long now)
    {
        Volatile.Write(ref _attemptWritten, 0);
        Volatile.Write(ref _writeDeadline, now + Volatile.Read(ref _wdl));
    }

    /// <summary>A write attempt missed its deadline <paramref name="deadline"/> (seen by the writer or by the server's
    /// periodic check, whichever is first): Go's handleWriteTimeout. True when the connection was closed; otherwise a
    /// new attempt starts with a fresh deadline.</summary>
    private bool OnWriteTimeout(long deadline)
    {
        bool close, count;
        lock (_mu)
        {
            if (_closed) return true;
            if (Volatile.Read(ref _writeDeadline) != deadline) return false; // handled already, a new attempt is on
            _batchTimedOut = true;
            // Before CONNECT, a connection that cannot be written to is closed without counting a slow consumer.
            count = !(_expectConnect && !_connectReceived);
            close = true;
            if (count)
            {
                _server.RecordSlowConsumer();
                _server.Logger.Notice($"{this} - Slow Consumer {(_slowConsumer ? "State" : "Detected")}: WriteDeadline of " +
                    $"{GoDurationNs(Volatile.Read(ref _wdlNs))} exceeded with {_batchChunks} chunks of {_batchAttempted} total bytes.");
                // Clients close unless the policy says retry and the attempt got something through.
                close = _wtp == WriteTimeoutPolicy.Close || Volatile.Read(ref _attemptWritten) == 0;
                if (!close) _slowConsumer = true;
            }
            if (!close) StartWriteAttempt(Stopwatch.GetTimestamp());
        }
        if (close) Close(ClosedState.SlowConsumerWriteDeadline);
        return close;
    }

    private static string GoDurationNs(long ns) =>
        ns < 1000 ? $"{ns}ns" : Config.ServerOptions.GoDuration(TimeSpan.FromTicks(ns / 100));

    private static void ReturnChunks(List<(byte[] Buf, int Len)> chunks)
    {
        foreach (var (buf, _) in chunks) OutboundChunks.Return(buf);
        chunks.Clear();
    }

    /// <summary>Called by the server's periodic check: a write still in progress past its deadline times out.</summary>
    internal void CheckWriteDeadline(long now)
    {
        long deadline = Volatile.Read(ref _writeDeadline);
        if (deadline == 0 || now < deadline || _closed) return;
        OnWriteTimeout(deadline);
    }

    internal Task WriterDone => _writeTask ?? Task.CompletedTask;
}
