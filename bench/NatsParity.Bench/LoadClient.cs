using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace NatsParity.Bench;

/// <summary>A raw-protocol connection for load: the same bytes go to either target; nothing NATS-client-specific.</summary>
internal sealed class LoadClient : IDisposable
{
    private readonly Socket _s;
    private readonly byte[] _buf = new byte[256 * 1024];
    private int _len;

    public LoadClient(int port)
    {
        _s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 30_000 };
        _s.Connect("127.0.0.1", port);
        ReadLine(); // INFO
    }

    public void Handshake()
    {
        Send("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nPING\r\n");
        while (ReadLine() != "PONG") { }
    }

    public void Send(string s) => Send(Encoding.ASCII.GetBytes(s));

    public void Send(byte[] b)
    {
        int off = 0;
        while (off < b.Length) off += _s.Send(b, off, b.Length - off, SocketFlags.None);
    }

    /// <summary>Waits for the server to have processed everything sent so far.</summary>
    public void Flush()
    {
        Send("PING\r\n");
        while (ReadLine() != "PONG") { }
    }

    public string ReadLine()
    {
        while (true)
        {
            int i = Array.IndexOf(_buf, (byte)'\n', 0, _len);
            if (i >= 0)
            {
                var line = Encoding.ASCII.GetString(_buf, 0, i).TrimEnd('\r');
                Buffer.BlockCopy(_buf, i + 1, _buf, 0, _len - i - 1);
                _len -= i + 1;
                return line;
            }
            int n = _s.Receive(_buf, _len, _buf.Length - _len, SocketFlags.None);
            if (n <= 0) throw new IOException("connection closed");
            _len += n;
        }
    }

    /// <summary>Reads exactly <paramref name="n"/> bytes following what is buffered (a payload and its CRLF).</summary>
    public byte[] ReadBytes(int n)
    {
        var result = new byte[n];
        int have = Math.Min(n, _len);
        Buffer.BlockCopy(_buf, 0, result, 0, have);
        Buffer.BlockCopy(_buf, have, _buf, 0, _len - have);
        _len -= have;
        while (have < n)
        {
            int r = _s.Receive(result, have, n - have, SocketFlags.None);
            if (r <= 0) throw new IOException("connection closed");
            have += r;
        }
        return result;
    }

    /// <summary>Counts received bytes into <paramref name="total"/> until it reaches <paramref name="expected"/>; several
    /// connections may share one total (queue members), so each wakes up now and then to look at it.</summary>
    public void Drain(StrongBox<long> total, long expected, TimeSpan timeout)
    {
        Interlocked.Add(ref total.Value, _len);
        _len = 0;
        var deadline = DateTime.UtcNow + timeout;
        var scratch = new byte[256 * 1024];
        _s.ReceiveTimeout = 100;
        while (Interlocked.Read(ref total.Value) < expected && DateTime.UtcNow < deadline)
        {
            int n;
            try { n = _s.Receive(scratch); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut) { continue; }
            if (n <= 0) break;
            Interlocked.Add(ref total.Value, n);
        }
        _s.ReceiveTimeout = 30_000;
    }

    public void Dispose() => _s.Dispose();
}
