using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace NatsParity.Testing;

/// <summary>
/// A raw NATS client protocol connection for wire-level tests: send bytes, expect lines, frames, silence or a close.
/// Every expectation has a timeout (default <see cref="DefaultTimeout"/>) and fails with what was actually received.
/// The counterpart of the helpers in Go's test/test.go.
/// </summary>
public sealed class ProtoClient : IDisposable, IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    private readonly Socket _socket;
    private Stream _stream = Stream.Null;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private ProtoClient(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>The INFO JSON sent on connect (null until read).</summary>
    public JsonElement? Info { get; private set; }

    /// <summary>True once the server closed the connection.</summary>
    public bool IsClosed { get; private set; }

    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    public static ProtoClient Connect(NatsServerProcess server, bool readInfo = true) =>
        Connect(server.Host, server.Port, readInfo);

    /// <summary>Opens a TCP connection and, unless <paramref name="readInfo"/> is false, reads the INFO line.</summary>
    public static ProtoClient Connect(string host, int port, bool readInfo = true, TimeSpan? timeout = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var client = new ProtoClient(socket) { Timeout = timeout ?? DefaultTimeout };
        try
        {
            // Blocking calls throughout: sync-over-async would starve the thread pool when many tests run at once.
            socket.Connect(host, port);
            client._stream = new NetworkStream(socket, ownsSocket: false);
            // A server greets at once; on a loaded machine the greeting may still take a while.
            if (readInfo)
                client.ReadInfo(timeout ?? TimeSpan.FromSeconds(5));
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a connection the test accepted itself (Go's acceptRouteConn: a server soliciting a route to
    /// the test); the client owns the socket from then on.</summary>
    public static ProtoClient FromAccepted(Socket socket, TimeSpan? timeout = null)
    {
        socket.NoDelay = true;
        return new ProtoClient(socket) { Timeout = timeout ?? DefaultTimeout, _stream = new NetworkStream(socket, ownsSocket: false) };
    }

    /// <summary>Expects an INFO line and parses its JSON (Go: checkInfoMsg).</summary>
    public JsonElement ReadInfo(TimeSpan? timeout = null)
    {
        var m = ExpectLine(ProtoRegex.Info, timeout);
        using var doc = JsonDocument.Parse(m.Groups[1].Value);
        Info = doc.RootElement.Clone();
        return Info.Value;
    }

    /// <summary>Wraps the connection in TLS, presenting <paramref name="clientCert"/> when given and trusting only
    /// <paramref name="trustedCa"/> for the server certificate (throws AuthenticationException otherwise).</summary>
    public void UpgradeToTls(System.Security.Cryptography.X509Certificates.X509Certificate2? clientCert,
        System.Security.Cryptography.X509Certificates.X509Certificate2? trustedCa, string targetHost = "localhost",
        System.Security.Authentication.SslProtocols protocols = System.Security.Authentication.SslProtocols.None,
        System.Security.Cryptography.X509Certificates.X509Certificate2Collection? clientChain = null)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, cert, chain, errors) =>
        {
            if (trustedCa is null || cert is null) return errors == SslPolicyErrors.None;
            using var custom = new System.Security.Cryptography.X509Certificates.X509Chain();
            custom.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
            custom.ChainPolicy.CustomTrustStore.Add(trustedCa);
            custom.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
            return custom.Build(System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(cert.GetRawCertData()));
        });
        ssl.ReadTimeout = (int)Timeout.TotalMilliseconds;
        ssl.AuthenticateAsClient(new SslClientAuthenticationOptions
        {
            TargetHost = targetHost,
            // With intermediates the client sends its certificate's chain (Go's *_bundle.pem client certificates).
            ClientCertificates = clientCert is null || clientChain is not null ? null : [clientCert],
            ClientCertificateContext = clientCert is null || clientChain is null ? null : SslStreamCertificateContext.Create(clientCert, clientChain, offline: true),
            // A resumed session would skip the client certificate the server is to check again.
            AllowTlsResume = clientChain is null,
            EnabledSslProtocols = protocols,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        });
        _stream = ssl;
    }

    /// <summary>The certificate the server presented in the TLS handshake (null before one).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate? RemoteCertificate => (_stream as SslStream)?.RemoteCertificate;

    /// <summary>Wraps the connection in TLS (any server certificate accepted), for servers that asked for it in INFO.</summary>
    public void UpgradeToTls(string targetHost = "localhost")
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, (_, _, _, _) => true);
        ssl.AuthenticateAsClient(targetHost);
        _stream = ssl;
    }

    public void Send(string op) => Send(Encoding.UTF8.GetBytes(op));

    public void Send(ReadOnlySpan<byte> data)
    {
        _stream.Write(data);
        _stream.Flush();
    }

    /// <summary>Sends <c>CONNECT {json}</c> with the object serialized as-is (property names as given).</summary>
    public void SendConnect(object connect) =>
        Send("CONNECT " + JsonSerializer.Serialize(connect) + "\r\n");

    /// <summary>Go's doHeadersConnect/doConnect: <c>CONNECT {"verbose":..,"pedantic":..,"tls_required":..[,"headers":..]}</c>.</summary>
    public void SendConnect(bool verbose = false, bool pedantic = false, bool tlsRequired = false, bool? headers = null)
    {
        var cs = $"CONNECT {{\"verbose\":{Bool(verbose)},\"pedantic\":{Bool(pedantic)},\"tls_required\":{Bool(tlsRequired)}"
                 + (headers is { } h ? $",\"headers\":{Bool(h)}" : "") + "}\r\n";
        Send(cs);
    }

    /// <summary>A client that sent CONNECT (verbose off; <paramref name="user"/>/<paramref name="pass"/> when given;
    /// <paramref name="connectFields"/> as further JSON fields, each starting with a comma), then
    /// <paramref name="commands"/>, and got the PONG to a PING after them: all it sent was processed.</summary>
    public static ProtoClient Login(string host, int port, string? user = null, string? pass = null, string commands = "", string connectFields = "")
    {
        var c = Connect(host, port);
        try
        {
            string creds = user is null ? "" : $",\"user\":\"{user}\",\"pass\":\"{pass}\"";
            c.Send($"CONNECT {{\"verbose\":false{creds}{connectFields}}}\r\n{commands}");
            c.Flush();
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <inheritdoc cref="Login(string, int, string?, string?, string, string)"/>
    public static ProtoClient Login(NatsServerProcess server, string? user = null, string? pass = null, string commands = "", string connectFields = "") =>
        Login(server.Host, server.Port, user, pass, commands, connectFields);

    /// <summary>Sends <paramref name="commands"/>, then PING, and waits for the PONG: all of it was processed.</summary>
    public void SendAndFlush(string commands)
    {
        Send(commands);
        Flush();
    }

    /// <summary>Sends <paramref name="commands"/> and a PING; returns the one message they bring back, which comes
    /// before the PONG.</summary>
    public MsgFrame SendAndReadMsg(string commands, TimeSpan? timeout = null)
    {
        Send(commands + "PING\r\n");
        var m = ReadMsg(timeout);
        ExpectLine(ProtoRegex.Pong, timeout);
        return m;
    }

    /// <summary>PING and its PONG (Go's nc.Flush): everything sent before was processed.</summary>
    public void Flush()
    {
        Send("PING\r\n");
        ExpectLine(ProtoRegex.Pong);
    }

    /// <summary>Go's setupConn/setupHeaderConn: INFO (if not read yet) then a default CONNECT.</summary>
    public ProtoClient Setup(bool headers = false)
    {
        if (Info is null)
            ReadInfo();
        SendConnect(headers: headers ? true : null);
        return this;
    }

    /// <summary>Waits until a whole line has arrived (or the connection closed, or <paramref name="timeout"/> passed)
    /// without consuming anything; true when a line is there.</summary>
    public bool WaitForLine(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Buffered.IndexOf("\r\n"u8) < 0)
        {
            if (IsClosed || !Fill(deadline))
                return false;
        }
        return true;
    }

    /// <summary>Reads the next CRLF-terminated line, CRLF included.</summary>
    public string ReadLine(TimeSpan? timeout = null)
    {
        var deadline = Deadline(timeout);
        while (true)
        {
            var idx = Buffered.IndexOf("\r\n"u8);
            if (idx >= 0)
                return TakeString(idx + 2);
            if (!Fill(deadline))
                throw Fail($"a CRLF-terminated line within {Describe(timeout)}");
        }
    }

    /// <summary>Reads the next line and requires it to match <paramref name="re"/> (which sees the line with its CRLF).</summary>
    public Match ExpectLine(Regex re, TimeSpan? timeout = null)
    {
        var deadline = Deadline(timeout);
        while (true)
        {
            var idx = Buffered.IndexOf("\r\n"u8);
            if (idx >= 0)
            {
                var line = Encoding.UTF8.GetString(Buffered[..(idx + 2)]);
                var m = re.Match(line);
                if (!m.Success)
                    throw Fail($"a line matching /{re}/", extra: $"line was {Escape(line)}");
                Consume(idx + 2);
                return m;
            }
            if (!Fill(deadline))
                throw Fail($"a line matching /{re}/ within {Describe(timeout)}");
        }
    }

    /// <summary>Requires the next bytes to be exactly <paramref name="expected"/>.</summary>
    public void Expect(string expected, TimeSpan? timeout = null)
    {
        var want = Encoding.UTF8.GetBytes(expected);
        var deadline = Deadline(timeout);
        while (true)
        {
            var have = Buffered;
            var n = Math.Min(have.Length, want.Length);
            if (!have[..n].SequenceEqual(want.AsSpan(0, n)))
                throw Fail(Escape(expected), extra: "received bytes differ");
            if (n == want.Length)
            {
                Consume(n);
                return;
            }
            if (!Fill(deadline))
                throw Fail($"{Escape(expected)} within {Describe(timeout)}");
        }
    }

    /// <summary>Reads until <paramref name="marker"/> has been received and returns everything up to and including it.</summary>
    public string ReadUntil(string marker, TimeSpan? timeout = null)
    {
        var want = Encoding.UTF8.GetBytes(marker);
        var deadline = Deadline(timeout);
        while (true)
        {
            var idx = Buffered.IndexOf(want);
            if (idx >= 0)
                return TakeString(idx + want.Length);
            if (!Fill(deadline))
                throw Fail($"{Escape(marker)} within {Describe(timeout)}");
        }
    }

    /// <summary>Reads until the received text matches <paramref name="re"/>; consumes through the end of the match.</summary>
    public Match ReadUntil(Regex re, TimeSpan? timeout = null)
    {
        var deadline = Deadline(timeout);
        while (true)
        {
            var text = Encoding.UTF8.GetString(Buffered);
            var m = re.Match(text);
            if (m.Success)
            {
                Consume(Encoding.UTF8.GetByteCount(text.AsSpan(0, m.Index + m.Length)));
                return m;
            }
            if (!Fill(deadline))
                throw Fail($"text matching /{re}/ within {Describe(timeout)}");
        }
    }

    /// <summary>Requires that nothing arrives within <paramref name="window"/> (Go: expectNothing, 100 ms by default).</summary>
    public void ExpectNothing(TimeSpan? window = null)
    {
        var deadline = DateTime.UtcNow + (window ?? TimeSpan.FromMilliseconds(100));
        if (Buffered.Length > 0 || Fill(deadline))
            throw Fail("nothing", extra: "data arrived");
    }

    /// <summary>
    /// Requires the server to close the connection within the timeout and returns whatever it sent first
    /// (e.g. a final -ERR line).
    /// </summary>
    public string ExpectClosed(TimeSpan? timeout = null)
    {
        var deadline = Deadline(timeout);
        while (!IsClosed)
        {
            if (!Fill(deadline) && !IsClosed)
                throw Fail($"the server to close the connection within {Describe(timeout)}");
        }
        return TakeString(Buffered.Length);
    }

    /// <summary>
    /// Collects what the server sends until it has been quiet for <paramref name="quiet"/>, it closes,
    /// or <paramref name="max"/> elapses; never fails. Used to record transcripts.
    /// </summary>
    public string Drain(TimeSpan quiet, TimeSpan max)
    {
        var end = DateTime.UtcNow + max;
        while (!IsClosed)
        {
            var next = DateTime.UtcNow + quiet;
            if (!Fill(next < end ? next : end) || DateTime.UtcNow >= end)
                break;
        }
        return TakeString(Buffered.Length);
    }

    /// <summary>Reads the next MSG or HMSG frame.</summary>
    public MsgFrame ReadMsg(TimeSpan? timeout = null)
    {
        var deadline = Deadline(timeout);
        while (true)
        {
            if (MsgFrame.TryParse(Buffered, out var frame, out var consumed, out var error))
            {
                Consume(consumed);
                return frame;
            }
            if (error is not null)
                throw Fail("a MSG or HMSG frame", extra: error);
            if (!Fill(deadline))
                throw Fail($"a MSG or HMSG frame within {Describe(timeout)}");
        }
    }

    /// <summary>What a client library does with the server's own traffic: PINGs answered, async INFOs (cluster
    /// topology) taken in; true when something was consumed.</summary>
    private bool SkipServerTraffic()
    {
        if (Buffered.StartsWith("PING\r\n"u8))
        {
            Consume(6);
            Send("PONG\r\n");
            return true;
        }
        if (Buffered.StartsWith("INFO "u8) && Buffered.IndexOf("\r\n"u8) is int eol and >= 0)
        {
            Consume(eol + 2);
            return true;
        }
        return false;
    }

    /// <summary>Go's sub.NextMsg on a client library: the next MSG or HMSG, past the server's PINGs and INFOs.</summary>
    public MsgFrame NextMsg(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (SkipServerTraffic()) continue;
            if (Buffered.Length >= 6 || Buffered.IndexOf("\r\n"u8) >= 0)
            {
                var remaining = deadline - DateTime.UtcNow;
                return ReadMsg(remaining > TimeSpan.Zero ? remaining : TimeSpan.FromMilliseconds(1));
            }
            if (!Fill(deadline)) throw Fail($"a MSG or HMSG frame within {Describe(timeout)}");
        }
    }

    /// <summary>Go's "no more messages" check on a client library: no MSG or HMSG within <paramref name="window"/>
    /// (the server's PINGs and INFOs are handled as a client library does).</summary>
    public void ExpectNoMsg(TimeSpan window)
    {
        var deadline = DateTime.UtcNow + window;
        while (true)
        {
            if (SkipServerTraffic()) continue;
            if (Buffered.Length > 0 && !"PING\r\n"u8.StartsWith(Buffered) && !Buffered.StartsWith("INFO "u8) && !"INFO "u8.StartsWith(Buffered))
                throw Fail("no message", extra: "data arrived");
            if (DateTime.UtcNow >= deadline || !Fill(deadline)) return;
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> MSG frames (Go: expectMsgs); an HMSG or other line fails.</summary>
    public IReadOnlyList<MsgFrame> ExpectMsgs(int count, TimeSpan? timeout = null) => ExpectFrames("MSG", count, timeout);

    /// <summary>Reads exactly <paramref name="count"/> HMSG frames (Go: expectHeaderMsgs).</summary>
    public IReadOnlyList<MsgFrame> ExpectHeaderMsgs(int count, TimeSpan? timeout = null) => ExpectFrames("HMSG", count, timeout);

    private List<MsgFrame> ExpectFrames(string op, int count, TimeSpan? timeout)
    {
        var deadline = Deadline(timeout);
        var frames = new List<MsgFrame>(count);
        while (frames.Count < count)
        {
            var remaining = deadline - DateTime.UtcNow;
            MsgFrame frame;
            try
            {
                frame = ReadMsg(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
            }
            catch (ProtoException ex)
            {
                throw new ProtoException($"Got {frames.Count} of {count} {op} frames. {ex.Message}");
            }
            if (frame.Op != op)
                throw new ProtoException($"Expected {op} frames, got {frame}.");
            frames.Add(frame);
        }
        return frames;
    }

    private ReadOnlySpan<byte> Buffered => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Bytes received but not yet consumed (Go's bufio.Reader.Buffered).</summary>
    public int BufferedCount => _end - _start;

    private static DateTime Deadline(TimeSpan? timeout) => DateTime.UtcNow + (timeout ?? DefaultTimeout);

    private string Describe(TimeSpan? timeout) =>
        (timeout ?? Timeout).TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Reads more bytes until <paramref name="deadline"/>; false on timeout or when the peer closed.</summary>
    private bool Fill(DateTime deadline)
    {
        if (IsClosed)
            return false;
        var remaining = deadline - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
            return false;
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }
        try
        {
            _stream.ReadTimeout = Math.Max(1, (int)Math.Ceiling(remaining.TotalMilliseconds));
            var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                IsClosed = true;
                return false;
            }
            _end += n;
            return true;
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            return false;
        }
        catch (IOException ex) when (ex.InnerException is SocketException)
        {
            IsClosed = true;
            return false;
        }
        catch (SocketException)
        {
            IsClosed = true;
            return false;
        }
    }

    private void Consume(int count)
    {
        _start += count;
        if (_start == _end)
            _start = _end = 0;
    }

    private string TakeString(int count)
    {
        var s = Encoding.UTF8.GetString(_buffer, _start, count);
        Consume(count);
        return s;
    }

    private ProtoException Fail(string expected, string? extra = null)
    {
        var received = Buffered.Length > 4096
            ? Escape(Encoding.UTF8.GetString(Buffered[..4096])) + $"... ({Buffered.Length} bytes)"
            : Escape(Encoding.UTF8.GetString(Buffered));
        return new ProtoException(
            $"Expected {expected}{(extra is null ? "" : $" ({extra})")}.\n  Received (unconsumed): {received}{(IsClosed ? "\n  Connection closed by server." : "")}");
    }

    /// <summary>Shows CR/LF and control bytes visibly, for failure messages.</summary>
    public static string Escape(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var ch in s)
        {
            sb.Append(ch switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                '"' => "\\\"",
                < ' ' => $"\\x{(int)ch:x2}",
                _ => ch.ToString(),
            });
        }
        return sb.Append('"').ToString();
    }

    private static string Bool(bool b) => b ? "true" : "false";

    public void Dispose()
    {
        _stream.Dispose();
        _socket.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A wire expectation that did not hold.</summary>
public sealed class ProtoException(string message) : Exception(message);

/// <summary>Clients a test opens along the way, all closed when it ends (<c>using var clients = new ProtoClients()</c>).</summary>
public sealed class ProtoClients : List<ProtoClient>, IDisposable
{
    public ProtoClients() { }

    public ProtoClients(IEnumerable<ProtoClient> clients) : base(clients) { }

    public void Dispose()
    {
        foreach (var c in this) c.Dispose();
        Clear();
    }
}
