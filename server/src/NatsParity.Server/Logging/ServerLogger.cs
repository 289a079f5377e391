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
    }

    /// <summary>A logger that writes nothing (Go's NoLog option, used by in-process tests).</summary>
    public static ServerLogger Discard() => new();

    private TextWriter Open()
    {
        if (_file.Length == 0) return Console.Error;
        var fs = new FileStream(_file, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return new StreamWriter(fs, new UTF8Encoding(false)) { AutoFlush = true };
    }

    /// <summary>SIGUSR1: reopen the log file so rotation tools can move it away.</summary>
    public void Reopen()
    {
        if (_file.Length == 0) return;
        lock (_lock)
        {
            _out.Dispose();
            _out = Open();
            Write("INF", "File log re-opened");
        }
    }

    public void Notice(string msg) => Write("INF", msg);
    public void Warn(string msg) => Write("WRN", msg);
    public void Error(string msg) => Write("ERR", msg);
    public void Fatal(string msg) => Write("FTL", msg);
    public void Debug(string msg) { if (DebugEnabled) Write("DBG", msg); }
    public void Trace(string msg) { if (TraceEnabled) Write("TRC", msg); }

    private void Write(string level, string msg)
    {
        var sb = new StringBuilder(64 + msg.Length);
        sb.Append(_pidPrefix);
        if (_time)
        {
            var now = _utc ? DateTime.UtcNow : DateTime.Now;
            sb.Append(now.ToString("yyyy/MM/dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append(' ');
        }
        sb.Append('[').Append(level).Append("] ").Append(msg);
        lock (_lock)
        {
            _out.WriteLine(sb.ToString());
            if (ReferenceEquals(_out, Console.Error)) _out.Flush();
        }
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
