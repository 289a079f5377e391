namespace NatsParity.Server.Clients;

/// <summary>A stream that first gives back bytes already read from the connection (Go's tlsMixConn): used when the
/// server looked at a client's first bytes to tell a TLS handshake from plain text.</summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner) : PassThroughStream(inner)
{
    private int _offset;

    public override int Read(Span<byte> buffer)
    {
        if (TakePrefix(buffer) is var n and > 0) return n;
        return Inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (TakePrefix(buffer.Span) is var n and > 0) return ValueTask.FromResult(n);
        return Inner.ReadAsync(buffer, ct);
    }

    private int TakePrefix(Span<byte> buffer)
    {
        int n = Math.Min(prefix.Length - _offset, buffer.Length);
        if (n <= 0) return 0;
        prefix.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }
}
