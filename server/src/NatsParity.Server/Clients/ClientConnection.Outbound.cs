using System.Net.Sockets;

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
    private long _writeStartTicks; // 0 when no write is in progress; read by the server's write-deadline check
    private Task? _writeTask;

    public long PendingBytes => Interlocked.Read(ref _pendingBytes);

    private void InitOutbound() { }

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
                        if (_pending.Count == 0) break;
                        batch = _pending;
                        _pending = _writing;
                        _writing = batch;
                    }
                    long written = 0;
                    try
                    {
                        Volatile.Write(ref _writeStartTicks, Environment.TickCount64);
                        if (_tls is not null)
                        {
                            foreach (var (buf, len) in batch)
                            {
                                await _tls.WriteAsync(buf.AsMemory(0, len)).ConfigureAwait(false);
                                written += len;
                            }
                            await _tls.FlushAsync().ConfigureAwait(false);
                        }
                        else
                        {
                            foreach (var (buf, len) in batch)
                            {
                                int off = 0;
                                while (off < len)
                                {
                                    int n = await _socket!.SendAsync(buf.AsMemory(off, len - off), SocketFlags.None).ConfigureAwait(false);
                                    off += n;
                                    written += n;
                                }
                            }
                        }
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                    {
                        Volatile.Write(ref _writeStartTicks, 0);
                        ReturnChunks(batch);
                        Close(ClosedState.WriteError);
                        return;
                    }
                    Volatile.Write(ref _writeStartTicks, 0);
                    ReturnChunks(batch);
                    lock (_mu) _pendingBytes -= written;
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

    private static void ReturnChunks(List<(byte[] Buf, int Len)> chunks)
    {
        foreach (var (buf, _) in chunks) OutboundChunks.Return(buf);
        chunks.Clear();
    }

    /// <summary>Called by the server's periodic check: a write stuck past write_deadline closes the client as a slow consumer.</summary>
    internal void CheckWriteDeadline(long nowTicks, long deadlineMs)
    {
        long start = Volatile.Read(ref _writeStartTicks);
        if (start == 0 || nowTicks - start < deadlineMs || _closed) return;
        _server.RecordSlowConsumer();
        _server.Logger.Notice($"{this} - Slow Consumer Detected: WriteDeadline of {_server.Options.WriteDeadline} exceeded");
        Close(ClosedState.SlowConsumerWriteDeadline);
    }

    internal Task WriterDone => _writeTask ?? Task.CompletedTask;
}
