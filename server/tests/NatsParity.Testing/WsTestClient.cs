using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace NatsParity.Testing;

/// <summary>How a <see cref="WsTestClient"/> upgrades (Go's testWSClientOptions).</summary>
public sealed record WsTestClientOptions
{
    /// <summary>Offers permessage-deflate.</summary>
    public bool Compress { get; init; }
    /// <summary>Says it is a browser (User-Agent "Mozilla/5.0"), which gets frames of at most 4 KiB.</summary>
    public bool Web { get; init; }
    /// <summary>Does a TLS handshake first (any server certificate accepted).</summary>
    public bool Tls { get; init; }
    public string Path { get; init; } = "/";
    /// <summary>More request headers, in order; a header named here replaces the default one of that name.</summary>
    public IReadOnlyList<(string Name, string Value)> ExtraHeaders { get; init; } = [];
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>One frame as the server sent it, its payload inflated when compressed (Go's testWSReadFrame).</summary>
public sealed record WsFrame(int OpCode, bool Final, bool Compressed, byte[] Payload)
{
    public string Text => Encoding.UTF8.GetString(Payload);

    /// <summary>For a close frame: the status, or 0 without one.</summary>
    public int CloseStatus => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 0;

    /// <summary>For a close frame: the text after the status.</summary>
    public string CloseText => Payload.Length > 2 ? Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : "";
}

/// <summary>
/// A raw WebSocket client for wire-level tests of the websocket listener: the HTTP upgrade, masked client frames
/// (optionally compressed), and frames read back. The counterpart of Go's testNewWSClient, testWSCreateClientMsg and
/// testWSReadFrame helpers; blocking I/O with a read timeout throughout.
/// </summary>
public sealed class WsTestClient : IDisposable
{
    public const int OpContinuation = 0, OpText = 1, OpBinary = 2, OpClose = 8, OpPing = 9, OpPong = 10;

    /// <summary>Go's testWSCreateValidReq key.</summary>
    public const string ValidKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private readonly Socket _socket;
    private readonly Stream _stream;
    private byte[] _buf = new byte[64 * 1024];
    private int _start, _end;

    private WsTestClient(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    /// <summary>The certificate the server presented, with TLS.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? RemoteCertificate => (_stream as SslStream)?.RemoteCertificate;

    /// <summary>This end of the connection, "127.0.0.1:port" (how the server logs the client).</summary>
    public string LocalEndPoint => _socket.LocalEndPoint?.ToString() ?? "";

    /// <summary>The status line and headers of the server's answer to the upgrade.</summary>
    public string ResponseHead { get; private set; } = "";
    public int Status { get; private set; }

    /// <summary>The first INFO, when <see cref="Connect"/> read it.</summary>
    public string Info { get; private set; } = "";

    /// <summary>A response header's value, or null.</summary>
    public string? ResponseHeader(string name)
    {
        foreach (var line in ResponseHead.Split("\r\n").Skip(1))
        {
            int c = line.IndexOf(':');
            if (c > 0 && line[..c].Equals(name, StringComparison.OrdinalIgnoreCase)) return line[(c + 1)..].Trim();
        }
        return null;
    }

    /// <summary>Go's testNewWSClient: upgrades, requires 101, and reads the INFO frame.</summary>
    public static WsTestClient Connect(string host, int port, WsTestClientOptions? o = null)
    {
        var c = Upgrade(host, port, o);
        try
        {
            if (c.Status != 101) throw new InvalidOperationException($"Expected response status 101, got {c.Status}: {c.ResponseHead}");
            string info = c.ReadFrame().Text;
            if (!info.StartsWith("INFO {", StringComparison.Ordinal)) throw new InvalidOperationException($"Expected INFO, got {info}");
            c.Info = info;
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <summary>Go's testWSCreateClient: connects, sends CONNECT and PING and reads the PONG and, with
    /// <paramref name="connectInfo"/> (servers since 2.10), the INFO that follows it.</summary>
    public static WsTestClient Login(string host, int port, WsTestClientOptions? o = null, bool connectInfo = true)
    {
        var c = Connect(host, port, o);
        try
        {
            c.Write(CreateClientMsg(OpBinary, 1, true, o?.Compress ?? false, "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"u8));
            string msg = c.ReadFrame().Text;
            if (!msg.StartsWith("PONG\r\n", StringComparison.Ordinal)) throw new InvalidOperationException($"Expected PONG, got {msg}");
            if (connectInfo && !msg.Contains("INFO ") && !c.ReadFrame().Text.StartsWith("INFO ", StringComparison.Ordinal))
                throw new InvalidOperationException("Expected INFO after PONG");
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <summary>Sends the upgrade request (Go's testWSCreateValidReq plus the options) and reads the response head,
    /// whatever its status.</summary>
    public static WsTestClient Upgrade(string host, int port, WsTestClientOptions? o = null, string? rawRequest = null)
    {
        o ??= new WsTestClientOptions();
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.ReceiveTimeout = (int)o.Timeout.TotalMilliseconds;
        socket.SendTimeout = (int)o.Timeout.TotalMilliseconds;
        try
        {
            socket.Connect(host, port);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (o.Tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
                ssl.AuthenticateAsClient("localhost");
                stream = ssl;
            }
            var c = new WsTestClient(socket, stream);
            c.Write(Encoding.ASCII.GetBytes(rawRequest ?? Request(o)));
            c.ReadResponseHead();
            return c;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The upgrade request Go's tests send: Host localhost, the valid key, version 13.</summary>
    public static string Request(WsTestClientOptions o)
    {
        var headers = new List<(string, string)>
        {
            ("Host", "localhost"), ("Upgrade", "websocket"), ("Connection", "Upgrade"),
            ("Sec-Websocket-Key", ValidKey), ("Sec-Websocket-Version", "13"),
        };
        if (o.Compress) headers.Add(("Sec-Websocket-Extensions", "permessage-deflate"));
        if (o.Web) headers.Add(("User-Agent", "Mozilla/5.0"));
        foreach (var (name, _) in o.ExtraHeaders) headers.RemoveAll(h => h.Item1.Equals(name, StringComparison.OrdinalIgnoreCase));
        foreach (var (name, value) in o.ExtraHeaders) headers.Add((name, value));
        var sb = new StringBuilder($"GET {o.Path} HTTP/1.1\r\n");
        foreach (var (name, value) in headers) sb.Append(name).Append(": ").Append(value).Append("\r\n");
        return sb.Append("\r\n").ToString();
    }

    private void ReadResponseHead()
    {
        while (true)
        {
            int end = _buf.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                ResponseHead = Encoding.ASCII.GetString(_buf, _start, end);
                _start += end + 4;
                var first = ResponseHead.Split("\r\n")[0].Split(' ');
                Status = first.Length > 1 && int.TryParse(first[1], out int st) ? st : 0;
                // An error response's body is read as far as Content-Length says.
                if (Status != 101 && int.TryParse(ResponseHeader("Content-Length"), out int cl))
                {
                    Fill(cl);
                    Body = Encoding.UTF8.GetString(_buf, _start, cl);
                    _start += cl;
                }
                return;
            }
            if (!ReadMore()) throw new IOException($"Connection closed before the response head; got {Encoding.ASCII.GetString(_buf, _start, _end - _start)}");
        }
    }

    /// <summary>The body of an error response.</summary>
    public string Body { get; private set; } = "";

    private bool ReadMore()
    {
        if (_start > 0 && _start == _end) _start = _end = 0;
        if (_end == _buf.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else Array.Resize(ref _buf, _buf.Length * 2);
        }
        int n = _stream.Read(_buf, _end, _buf.Length - _end);
        if (n == 0) return false;
        _end += n;
        return true;
    }

    private void Fill(int count)
    {
        while (_end - _start < count)
            if (!ReadMore()) throw new IOException("Connection closed");
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        Fill(count);
        var s = _buf.AsSpan(_start, count);
        _start += count;
        return s;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        _stream.Write(data);
        _stream.Flush();
    }

    /// <summary>Sends <paramref name="proto"/> in one binary frame.</summary>
    public void Send(string proto, bool compressed = false) => Write(CreateClientMsg(OpBinary, 1, true, compressed, Encoding.UTF8.GetBytes(proto)));

    /// <summary>Go's testWSCreateClientMsg: one masked frame (key 1,2,3,4); compressed payloads are deflated at the
    /// fastest level with the sync-flush tail dropped.</summary>
    public static byte[] CreateClientMsg(int frameType, int frameNum, bool final, bool compressed, ReadOnlySpan<byte> payload)
    {
        byte[] p = compressed ? Deflate(payload) : payload.ToArray();
        var frame = new byte[14 + p.Length];
        if (frameNum == 1) frame[0] = (byte)frameType;
        if (final) frame[0] |= 0x80;
        if (compressed) frame[0] |= 0x40;
        int pos;
        if (p.Length <= 125)
        {
            frame[1] = (byte)(p.Length | 0x80);
            pos = 2;
        }
        else if (p.Length < 65536)
        {
            frame[1] = 126 | 0x80;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)p.Length);
            pos = 4;
        }
        else
        {
            frame[1] = 127 | 0x80;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)p.Length);
            pos = 10;
        }
        byte[] key = [1, 2, 3, 4];
        key.CopyTo(frame, pos);
        pos += 4;
        for (int i = 0; i < p.Length; i++) frame[pos + i] = (byte)(p[i] ^ key[i & 3]);
        return frame[..(pos + p.Length)];
    }

    /// <summary>Raw deflate with a sync flush, its 0x00 0x00 0xff 0xff tail dropped (permessage-deflate).</summary>
    public static byte[] Deflate(ReadOnlySpan<byte> payload)
    {
        var ms = new MemoryStream();
        using (var d = new DeflateStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            d.Write(payload);
            d.Flush();
            return ms.ToArray()[..^4];
        }
    }

    /// <summary>Inflates a permessage-deflate payload (Go's testWSReadFrame appends the same tail).</summary>
    public static byte[] Inflate(ReadOnlySpan<byte> payload)
    {
        byte[] input = [.. payload, 0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff];
        using var d = new DeflateStream(new MemoryStream(input), CompressionMode.Decompress);
        var outMs = new MemoryStream();
        d.CopyTo(outMs);
        return outMs.ToArray();
    }

    /// <summary>Reads one frame: header, extended length, payload (unmasked servers only), inflated when compressed.</summary>
    public WsFrame ReadFrame()
    {
        var fh = Take(2);
        byte b0 = fh[0], b1 = fh[1];
        bool compressed = (b0 & 0x40) != 0;
        int size = b1 & 0x7f;
        if (size == 126) size = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
        else if (size == 127) size = checked((int)BinaryPrimitives.ReadUInt64BigEndian(Take(8)));
        byte[] payload = Take(size).ToArray();
        if (compressed) payload = Inflate(payload);
        return new WsFrame(b0 & 0x0f, (b0 & 0x80) != 0, compressed, payload);
    }

    /// <summary>Reads the raw byte stream (frame headers included) up to a line containing <paramref name="text"/>, as
    /// Go's tests read lines off the connection; the line, or an exception at the timeout or close.</summary>
    public string ReadLineContaining(string text)
    {
        while (true)
        {
            int nl = _buf.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                string line = Encoding.Latin1.GetString(_buf, _start, nl);
                _start += nl + 1;
                if (line.Contains(text, StringComparison.Ordinal)) return line;
                continue;
            }
            if (!ReadMore()) throw new IOException($"Connection closed before a line containing {text}");
        }
    }

    /// <summary>True when the server closes the connection (reads until then, within the read timeout).</summary>
    public bool WaitClosed()
    {
        try
        {
            while (ReadMore()) _start = _end;
            return true;
        }
        catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public void Dispose()
    {
        try { _stream.Dispose(); } catch (IOException) { }
        _socket.Dispose();
    }
}
