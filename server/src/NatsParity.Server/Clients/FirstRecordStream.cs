namespace NatsParity.Server.Clients;

/// <summary>Passes a connection through to the TLS handshake, keeping the header of the first record the peer sent, so
/// that a failed handshake can tell a peer that never spoke TLS (a load balancer's probe) from a TLS client.</summary>
internal sealed class FirstRecordStream(Stream inner) : PassThroughStream(inner)
{
    private readonly byte[] _header = new byte[5];
    private int _count;

    /// <summary>As Go's crypto/tls flags a first record with its connection (what Go's isClientProbeTLSHandshakeError
    /// looks for): bytes came that are not a TLS alert or handshake record (nor an SSLv2 hello), or that carry a
    /// version no TLS has.</summary>
    public bool FirstRecordNotTls
    {
        get
        {
            if (_count == 0) return false;
            byte typ = _header[0];
            if (typ == 0x80) return false;
            if (typ != 0x15 && typ != 0x16) return true;
            return _count >= 3 && ((_header[1] << 8) | _header[2]) >= 0x1000;
        }
    }

    public override int Read(Span<byte> buffer)
    {
        int n = Inner.Read(buffer);
        Keep(buffer[..n]);
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_count >= _header.Length) return Inner.ReadAsync(buffer, ct);
        return ReadKeeping(buffer, ct);
    }

    private async ValueTask<int> ReadKeeping(Memory<byte> buffer, CancellationToken ct)
    {
        int n = await Inner.ReadAsync(buffer, ct).ConfigureAwait(false);
        Keep(buffer.Span[..n]);
        return n;
    }

    private void Keep(ReadOnlySpan<byte> read)
    {
        int n = Math.Min(_header.Length - _count, read.Length);
        if (n <= 0) return;
        read[..n].CopyTo(_header.AsSpan(_count));
        _count += n;
    }
}
