using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace NatsParity.Server.Logging;

/// <summary>Go's log line format: "[pid] 2006/01/02 15:04:05.000000 [INF] text", to stderr or a file.</summary>
public sealed class ServerLogger : IDisposable
{
    private readonly object _lock = new();
    private readonly string _pidPrefix = $"[{Environment.ProcessId}] ";
    private readonly bool _time;
    private readonly bool _utc;
    private readonly string _file;
    private TextWriter _out;

    public bool DebugEnabled { get; }
    public bool TraceEnabled { get; }

    public ServerLogger(bool debug, bool trace, bool logtime = true, bool utc = false, string file = "")
    {
        DebugEnabled = debug;
        TraceEnabled = trace;
        _time = logtime;
        _utc = utc;
        _file = file;
        _out = Open();
    }

    private ServerLogger()
    {
        _file = "";
        _out = TextWriter.Null;
        _discard = true;
    }

    /// <summary>A logger that writes nothing (Go's NoLog option, used by in-process tests).</summary>
    public static ServerLogger Discard() => new();

    private TextWriter Open()
    {
        if (_file.Length == 0) return Console.Error;
        var fs = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _outBytes = fs.Length;
        return new StreamWriter(fs, new UTF8Encoding(false)) { AutoFlush = true };
    }

    /// <summary>The stand-in for no logger at all (Go's nil logger): it writes nothing.</summary>
    internal bool IsDiscard => _discard;
    private readonly bool _discard;

    // Go's fileLogger size limit: bytes in the current file, the limit in force (doubled after a failed rotation)
    // and the one configured.
    private long _outBytes, _limit, _olimit;
    private bool _canRotate;

    /// <summary>Go's SetSizeLimit: once the file grows past <paramref name="limit"/> bytes it is moved to a backup
    /// named after the time and a fresh file is started. File loggers only.</summary>
    public void SetSizeLimit(long limit)
    {
        if (_file.Length == 0) return;
        bool rotateNow;
        lock (_lock)
        {
            _olimit = _limit = limit;
            _canRotate = true;
            rotateNow = _outBytes > _limit;
        }
        if (rotateNow) Notice("Rotating logfile...");
    }

    /// <summary>Go's fileLogger rotation, with the lock held: the file becomes "name.yyyy.MM.dd.HH.mm.ss.nnnnnnnnn"
    /// and logging goes on in a new file that starts by saying so.</summary>
    private void Rotate()
    {
        try
        {
            _out.Dispose();
        }
        catch (IOException e)
        {
            _limit *= 2;
            _out.WriteLine(Format("ERR", $"Unable to close logfile for rotation ({e.Message}), will attempt next rotation at size {_limit}"));
            return;
        }
        var now = DateTime.Now;
        long nanos = now.Ticks % TimeSpan.TicksPerSecond * 100;
        string bak = string.Create(CultureInfo.InvariantCulture,
            $"{_file}.{now.Year:0000}.{now.Month:00}.{now.Day:00}.{now.Hour:00}.{now.Minute:00}.{now.Second:00}.{nanos:000000000}");
        try { File.Move(_file, bak); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        _out = Open();
        string line = Format("INF", $"Rotated log, backup saved as {Clients.ClientConnection.GoQuote(bak)}");
        _out.WriteLine(line);
        _outBytes = Encoding.UTF8.GetByteCount(line) + 1;
        _limit = _olimit;
    }

    public void Notice(string msg) => Write("INF", msg);
    public void Warn(string msg) => Write("WRN", msg);
    public void Error(string msg) => Write("ERR", msg);
    public void Fatal(string msg) => Write("FTL", msg);
    public void Debug(string msg) { if (DebugEnabled) Write("DBG", msg); }
    public void Trace(string msg) { if (TraceEnabled) Write("TRC", msg); }

    private void Write(string level, string msg)
    {
        string line = Format(level, msg);
        lock (_lock)
        {
            _out.WriteLine(line);
            if (ReferenceEquals(_out, Console.Error)) _out.Flush();
            else if (_file.Length > 0 && !ReferenceEquals(_out, TextWriter.Null))
            {
                _outBytes += Encoding.UTF8.GetByteCount(line) + 1;
                if (_canRotate && _outBytes > _limit) Rotate();
            }
        }
    }

    private string Format(string level, string msg)
    {
        var sb = new StringBuilder(64 + msg.Length);
        sb.Append(_pidPrefix);
        if (_time)
        {
            var now = _utc ? DateTime.UtcNow : DateTime.Now;
            sb.Append(now.ToString("yyyy/MM/dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append(' ');
        }
        sb.Append('[').Append(level).Append("] ").Append(msg);
        return sb.ToString();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (!ReferenceEquals(_out, Console.Error)) _out.Dispose();
            _out = TextWriter.Null; // lines racing a reload's swap of loggers are dropped, not thrown
        }
    }

    public static string ProcessName => Process.GetCurrentProcess().ProcessName;
}
