using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace NatsParity.Server.Logging;

/// <summary>
/// A syslog connection as Go's log/syslog Writer: "&lt;pri&gt;timestamp hostname tag[pid]: msg\n" to a remote server
/// (udp, tcp) or "&lt;pri&gt;Mmm dd hh:mm:ss tag[pid]: msg\n" to the local daemon's unix socket; a failed write
/// reconnects once.
/// </summary>
internal sealed class SyslogWriter
{
    public const int LogCrit = 2, LogErr = 3, LogWarning = 4, LogNotice = 5, LogDebug = 7;
    public const int LogDaemon = 3 << 3;
    private const int SeverityMask = 0x07, FacilityMask = 0xf8;

    /// <summary>Where Go's unixSyslog looks for the local daemon.</summary>
    public static readonly IReadOnlyList<string> DefaultLocalPaths = ["/dev/log", "/var/run/syslog", "/var/run/log"];

    private readonly object _lock = new();
    private readonly int _priority;
    private readonly string _tag;
    private readonly string _network;
    private readonly string _raddr;
    private readonly IReadOnlyList<string> _localPaths;
    private string _hostname;
    private Socket? _conn;
    private bool _local;
    private bool _closed;

    private SyslogWriter(int priority, string tag, string network, string raddr, IReadOnlyList<string> localPaths)
    {
        _priority = priority;
        _tag = tag;
        _network = network;
        _raddr = raddr;
        _localPaths = localPaths;
        _hostname = System.Net.Dns.GetHostName();
    }

    /// <summary>Go's syslog.New: the local daemon. Throws with Go's fatal text when none answers.</summary>
    public static SyslogWriter Local(int priority, string tag, IReadOnlyList<string>? socketPaths = null)
    {
        var w = new SyslogWriter(priority, tag, "", "", socketPaths ?? DefaultLocalPaths);
        if (w.Connect() is { } err) throw new ArgumentException($"error connecting to syslog: \"{err}\"");
        return w;
    }

    /// <summary>Go's syslog.Dial to a udp, tcp or unix address.</summary>
    public static SyslogWriter Dial(string network, string raddr, int priority, string tag)
    {
        var w = new SyslogWriter(priority, tag, network, raddr, DefaultLocalPaths);
        if (w.Connect() is { } err) throw new ArgumentException($"error connecting to syslog: \"{err}\"");
        return w;
    }

    private string? Connect()
    {
        try { _conn?.Dispose(); } catch (ObjectDisposedException) { }
        _conn = null;
        if (_network.Length == 0)
        {
            foreach (var type in (SocketType[])[SocketType.Dgram, SocketType.Stream])
            foreach (string path in _localPaths)
            {
                var s = new Socket(AddressFamily.Unix, type, ProtocolType.Unspecified);
                try
                {
                    s.Connect(new UnixDomainSocketEndPoint(path));
                    _conn = s;
                    _local = true;
                    return null;
                }
                catch (SocketException)
                {
                    s.Dispose();
                }
            }
            return "Unix syslog delivery error";
        }
        try
        {
            Socket s;
            switch (_network)
            {
                case "unix" or "unixgram":
                    s = new Socket(AddressFamily.Unix, _network == "unix" ? SocketType.Stream : SocketType.Dgram, ProtocolType.Unspecified);
                    s.Connect(new UnixDomainSocketEndPoint(_raddr));
                    _local = true;
                    break;
                case "udp" or "tcp":
                {
                    var (host, port) = SplitHostPort(_raddr);
                    var addrs = System.Net.Dns.GetHostAddresses(host);
                    if (addrs.Length == 0) return $"dial {_network} {_raddr}: no such host";
                    var ip = addrs.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addrs[0];
                    s = _network == "udp"
                        ? new Socket(ip.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
                        : new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                    s.Connect(ip, port);
                    _local = false;
                    break;
                }
                default:
                    return $"dial {_network}: unknown network {_network}";
            }
            _conn = s;
            return null;
        }
        catch (Exception e) when (e is SocketException or FormatException or ArgumentException)
        {
            return $"dial {_network} {_raddr}: {e.Message}";
        }
    }

    private static (string Host, int Port) SplitHostPort(string addr)
    {
        int colon = addr.LastIndexOf(':');
        if (colon < 0) throw new FormatException($"address {addr}: missing port in address");
        string host = addr[..colon].Trim('[', ']');
        int port = int.Parse(addr[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture);
        return (host.Length == 0 ? "localhost" : host, port);
    }

    /// <summary>Go's writeAndRetry: the message with the writer's facility and this severity.</summary>
    public void Write(int severity, string msg)
    {
        int pr = (_priority & FacilityMask) | (severity & SeverityMask);
        lock (_lock)
        {
            if (_closed) return;
            if (_conn is not null && TryWrite(pr, msg)) return;
            if (Connect() is null) TryWrite(pr, msg);
        }
    }

    private bool TryWrite(int pr, string msg)
    {
        string nl = msg.EndsWith('\n') ? "" : "\n";
        string line;
        if (_local)
        {
            // Go's time.Stamp: "Jan _2 15:04:05".
            var now = DateTime.Now;
            string stamp = now.ToString("MMM", CultureInfo.InvariantCulture) + " " + now.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2)
                           + " " + now.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
            line = $"<{pr}>{stamp} {_tag}[{Environment.ProcessId}]: {msg}{nl}";
        }
        else
        {
            // Go's time.RFC3339 in local time: "2006-01-02T15:04:05Z07:00".
            var now = DateTimeOffset.Now;
            string stamp = now.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
                           + (now.Offset == TimeSpan.Zero ? "Z" : now.ToString("zzz", CultureInfo.InvariantCulture));
            line = $"<{pr}>{stamp} {_hostname} {_tag}[{Environment.ProcessId}]: {msg}{nl}";
        }
        try
        {
            _conn!.Send(Encoding.UTF8.GetBytes(line));
            return true;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            _conn?.Dispose();
            _conn = null;
        }
    }
}
