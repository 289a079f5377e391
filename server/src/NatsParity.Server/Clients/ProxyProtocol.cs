using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace NatsParity.Server.Clients;

/// <summary>The client's addresses as a proxy's PROXY header gives them (Go's proxyProtoAddr).</summary>
internal sealed record ProxyProtoAddr(IPAddress SrcIp, ushort SrcPort, IPAddress DstIp, ushort DstPort)
{
    /// <summary>The source address as Go's net.IP prints it: an IPv4-mapped IPv6 address in dotted form.</summary>
    public string SrcHost => GoIpString(SrcIp);
    public string DstHost => GoIpString(DstIp);

    /// <summary>"tcp4" when the source is (or maps to) an IPv4 address, as Go's To4.</summary>
    public string Network => SrcIp.AddressFamily == AddressFamily.InterNetwork || SrcIp.IsIPv4MappedToIPv6 ? "tcp4" : "tcp6";

    /// <summary>Go's net.JoinHostPort of the source.</summary>
    public override string ToString() => SrcHost.Contains(':') ? $"[{SrcHost}]:{SrcPort}" : $"{SrcHost}:{SrcPort}";

    public IPEndPoint SrcEndPoint => new(SrcIp.IsIPv4MappedToIPv6 ? SrcIp.MapToIPv4() : SrcIp, SrcPort);

    private static string GoIpString(IPAddress ip) => ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString();
}

/// <summary>What a PROXY header read failed on; the kinds are Go's sentinel errors (and the io ones tests look for).</summary>
internal enum ProxyProtoError
{
    None,
    /// <summary>Go's errProxyProtoInvalid.</summary>
    Invalid,
    /// <summary>Go's errProxyProtoUnsupported.</summary>
    Unsupported,
    /// <summary>Go's errProxyProtoTimeout, or a read that timed out.</summary>
    Timeout,
    /// <summary>Go's errProxyProtoUnrecognized: the first bytes are neither v1 nor v2; they are given back.</summary>
    Unrecognized,
    /// <summary>io.EOF: the peer closed before sending anything more.</summary>
    Eof,
    /// <summary>io.ErrUnexpectedEOF: the peer closed part way.</summary>
    UnexpectedEof,
    /// <summary>Any other failure (bad port number, unknown command, short address data).</summary>
    Other,
}

/// <summary>A PROXY header read: the proxied addresses (none for LOCAL, UNKNOWN or an UNSPEC family), the bytes read
/// past the header (or, when unrecognized, the bytes the detection consumed), and the error with Go's text.</summary>
internal readonly record struct ProxyProtoResult(ProxyProtoAddr? Addr, byte[] Bytes, ProxyProtoError Error, string Message)
{
    public bool Ok => Error == ProxyProtoError.None;
}

/// <summary>HAProxy PROXY protocol v1 (text) and v2 (binary) headers on the client port (Go's client_proxyproto.go):
/// read once, before anything else, from a fresh connection.</summary>
internal static class ProxyProtocol
{
    internal static ReadOnlySpan<byte> V2Sig => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
    internal const byte V2Ver = 0x20;
    internal const byte CmdLocal = 0x00, CmdProxy = 0x01;
    internal const byte FamilyUnspec = 0x00, FamilyInet = 0x10, FamilyInet6 = 0x20, FamilyUnix = 0x30;
    internal const byte ProtoUnspec = 0x00, ProtoStream = 0x01, ProtoDatagram = 0x02;
    internal const int AddrSizeIPv4 = 12, AddrSizeIPv6 = 36;
    private const int V2HeaderSize = 16;
    private const int V1MaxLineLen = 107;

    /// <summary>Go's proxyProtoReadTimeout: a proxy that does not finish its header in time is dropped.</summary>
    internal static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private sealed class Failure(ProxyProtoError kind, string message) : Exception(message)
    {
        public ProxyProtoError Kind { get; } = kind;
    }

    /// <summary>Go's readProxyProtoHeader: detects v1 or v2 from the first 6 bytes and parses the header.</summary>
    public static async ValueTask<ProxyProtoResult> ReadHeaderAsync(Stream conn, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        var first = new byte[6];
        try
        {
            await ReadFull(conn, first, "failed to read protocol version", cts.Token).ConfigureAwait(false);
        }
        catch (Failure f)
        {
            return new(null, [], f.Kind, f.Message);
        }
        try
        {
            if (first.AsSpan().SequenceEqual(V1Prefix))
            {
                var (addr, rest) = await ReadV1(conn, cts.Token).ConfigureAwait(false);
                return new(addr, rest, ProxyProtoError.None, "");
            }
            if (first.AsSpan().SequenceEqual(V2Sig[..6]))
            {
                var sig = new byte[6];
                await ReadFull(conn, sig, "failed to read v2 signature", cts.Token).ConfigureAwait(false);
                if (!sig.AsSpan().SequenceEqual(V2Sig[6..])) throw Invalid("invalid signature");
                var header = new byte[4];
                await ReadFull(conn, header, "failed to read v2 header", cts.Token).ConfigureAwait(false);
                return new(await ParseV2(conn, header, cts.Token).ConfigureAwait(false), [], ProxyProtoError.None, "");
            }
        }
        catch (Failure f)
        {
            return new(null, [], f.Kind, f.Message);
        }
        return new(null, first, ProxyProtoError.Unrecognized, "unrecognized PROXY protocol format");
    }

    /// <summary>Go's readProxyProtoV2Header: a v2 header read whole, its 16 fixed bytes at once.</summary>
    public static async ValueTask<ProxyProtoResult> ReadV2HeaderAsync(Stream conn, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        try
        {
            var header = new byte[V2HeaderSize];
            try
            {
                await ReadFull(conn, header, "failed to read PROXY protocol header", cts.Token).ConfigureAwait(false);
            }
            catch (Failure f) when (f.Kind == ProxyProtoError.Timeout)
            {
                throw new Failure(ProxyProtoError.Timeout, "timeout reading PROXY protocol header");
            }
            if (!header.AsSpan(0, 12).SequenceEqual(V2Sig)) throw Invalid("invalid signature");
            return new(await ParseV2(conn, header[12..], cts.Token).ConfigureAwait(false), [], ProxyProtoError.None, "");
        }
        catch (Failure f)
        {
            return new(null, [], f.Kind, f.Message);
        }
    }

    private static Failure Invalid(string detail) => new(ProxyProtoError.Invalid, $"invalid PROXY protocol header: {detail}");
    private static Failure Unsupported(string detail) => new(ProxyProtoError.Unsupported, $"unsupported PROXY protocol feature: {detail}");

    /// <summary>Go's readProxyProtoV1Header, after "PROXY ": reads until CRLF within the line limit; what came after
    /// the CRLF in the same reads is given back.</summary>
    private static async ValueTask<(ProxyProtoAddr?, byte[])> ReadV1(Stream conn, CancellationToken ct)
    {
        int max = V1MaxLineLen - V1Prefix.Length;
        var buf = new byte[max];
        int len = 0, crlf = -1;
        while (len < max)
        {
            int n = await Read(conn, buf.AsMemory(len), "failed to read v1 line", ct).ConfigureAwait(false);
            len += n;
            int i = buf.AsSpan(0, len).IndexOf("\r\n"u8);
            if (i >= 0)
            {
                crlf = i;
                break;
            }
        }
        if (crlf < 0) throw Invalid("v1 line too long");
        byte[] rest = buf[(crlf + 2)..len];
        string[] parts = Encoding.UTF8.GetString(buf, 0, crlf).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 1) throw Invalid("invalid v1 format");
        if (parts[0] == "UNKNOWN") return (null, rest);
        if (parts.Length != 5) throw Invalid("invalid v1 format");
        string protocol = parts[0];
        var src = ParseGoIp(parts[1]);
        var dst = ParseGoIp(parts[2]);
        if (src is null || dst is null) throw Invalid("invalid address");
        ushort srcPort = ParsePort(parts[3], "invalid source port");
        ushort dstPort = ParsePort(parts[4], "invalid dest port");
        // The text decides the family: an IPv4-mapped IPv6 address is still IPv6 text, valid for TCP6.
        bool srcV6 = parts[1].Contains(':'), dstV6 = parts[2].Contains(':');
        if (protocol == "TCP4" && (srcV6 || dstV6)) throw Invalid("TCP4 with IPv6 address");
        if (protocol == "TCP6" && (!srcV6 || !dstV6)) throw Invalid("TCP6 with IPv4 address");
        if (protocol is not ("TCP4" or "TCP6")) throw Invalid($"invalid protocol {protocol}");
        return (new ProxyProtoAddr(src, srcPort, dst, dstPort), rest);
    }

    /// <summary>Go's strconv.ParseUint(s, 10, 16), its errors worded as Go words them.</summary>
    private static ushort ParsePort(string s, string what)
    {
        if (s.Length == 0 || !s.All(char.IsAsciiDigit))
            throw new Failure(ProxyProtoError.Other, $"{what}: strconv.ParseUint: parsing \"{s}\": invalid syntax");
        if (!ushort.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port))
            throw new Failure(ProxyProtoError.Other, $"{what}: strconv.ParseUint: parsing \"{s}\": value out of range");
        return port;
    }

    /// <summary>Go's net.ParseIP: dotted-decimal IPv4 (four decimal parts, no leading zeros) or IPv6 text without a
    /// zone; .NET's parser also takes shorthand and octal forms Go refuses.</summary>
    internal static IPAddress? ParseGoIp(string s)
    {
        if (s.Contains(':'))
        {
            if (s.AsSpan().IndexOfAny("%[]/") >= 0) return null;
            return IPAddress.TryParse(s, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }
        string[] parts = s.Split('.');
        if (parts.Length != 4) return null;
        var b = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            string p = parts[i];
            if (p.Length is 0 or > 3 || !p.All(char.IsAsciiDigit) || (p.Length > 1 && p[0] == '0')) return null;
            int v = int.Parse(p, CultureInfo.InvariantCulture);
            if (v > 255) return null;
            b[i] = (byte)v;
        }
        return new IPAddress(b);
    }

    /// <summary>Go's parseProxyProtoV2Header: <paramref name="header"/> is the version/command, family/protocol and
    /// address length bytes that follow the signature.</summary>
    private static async ValueTask<ProxyProtoAddr?> ParseV2(Stream conn, byte[] header, CancellationToken ct)
    {
        int version = header[0] & 0xF0, command = header[0] & 0x0F;
        if (version != V2Ver) throw Invalid($"invalid version 0x{version:x2}");
        int family = header[1] & 0xF0, protocol = header[1] & 0x0F;
        int addrLen = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        if (command == CmdLocal)
        {
            await Discard(conn, addrLen, "failed to discard LOCAL command address data", ct).ConfigureAwait(false);
            return null;
        }
        if (command != CmdProxy) throw new Failure(ProxyProtoError.Other, $"unknown PROXY protocol command: 0x{command:x2}");
        if (protocol != ProtoStream) throw Unsupported("only STREAM protocol supported");
        switch (family)
        {
            case FamilyInet:
                return await ReadAddrs(conn, addrLen, 4, "IPv4", ct).ConfigureAwait(false);
            case FamilyInet6:
                return await ReadAddrs(conn, addrLen, 16, "IPv6", ct).ConfigureAwait(false);
            case FamilyUnspec:
                await Discard(conn, addrLen, "failed to discard UNSPEC address address data", ct).ConfigureAwait(false);
                return null;
            default:
                throw Unsupported($"unsupported address family 0x{family:x2}");
        }
    }

    /// <summary>Go's parseIPv4Addr and parseIPv6Addr: source and destination addresses of <paramref name="ipLen"/>
    /// bytes each, then the two ports; address data longer than that (TLVs) is read and ignored.</summary>
    private static async ValueTask<ProxyProtoAddr> ReadAddrs(Stream conn, int addrLen, int ipLen, string family, CancellationToken ct)
    {
        if (addrLen < 2 * ipLen + 4) throw new Failure(ProxyProtoError.Other, $"{family} address data too short: {addrLen} bytes");
        var d = new byte[addrLen];
        await ReadFull(conn, d, $"failed to read {family} address data", ct).ConfigureAwait(false);
        return new ProxyProtoAddr(new IPAddress(d.AsSpan(0, ipLen)), BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(2 * ipLen)),
            new IPAddress(d.AsSpan(ipLen, ipLen)), BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(2 * ipLen + 2)));
    }

    /// <summary>Go's io.CopyN to io.Discard: a short source ends in EOF.</summary>
    private static async ValueTask Discard(Stream conn, int count, string what, CancellationToken ct)
    {
        if (count == 0) return;
        var buf = new byte[Math.Min(count, 4096)];
        while (count > 0)
        {
            int n;
            try
            {
                n = await Read(conn, buf.AsMemory(0, Math.Min(count, buf.Length)), what, ct).ConfigureAwait(false);
            }
            catch (Failure f) when (f.Kind == ProxyProtoError.Eof)
            {
                throw new Failure(ProxyProtoError.Eof, $"{what}: EOF");
            }
            count -= n;
        }
    }

    /// <summary>Go's io.ReadFull: EOF when nothing came, unexpected EOF when part did.</summary>
    private static async ValueTask ReadFull(Stream conn, Memory<byte> buf, string what, CancellationToken ct)
    {
        int got = 0;
        while (got < buf.Length)
        {
            try
            {
                got += await Read(conn, buf[got..], what, ct).ConfigureAwait(false);
            }
            catch (Failure f) when (f.Kind == ProxyProtoError.Eof && got > 0)
            {
                throw new Failure(ProxyProtoError.UnexpectedEof, $"{what}: unexpected EOF");
            }
        }
    }

    /// <summary>One read: at least a byte, or the failure named after <paramref name="what"/>.</summary>
    private static async ValueTask<int> Read(Stream conn, Memory<byte> buf, string what, CancellationToken ct)
    {
        int n;
        try
        {
            n = await conn.ReadAsync(buf, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new Failure(ProxyProtoError.Timeout, $"{what}: i/o timeout");
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new Failure(ProxyProtoError.Other, $"{what}: {(e.InnerException ?? e).Message}");
        }
        if (n == 0) throw new Failure(ProxyProtoError.Eof, $"{what}: EOF");
        return n;
    }
}
