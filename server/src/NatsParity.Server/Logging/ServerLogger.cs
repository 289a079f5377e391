using System.Diagnostics;
using System.Globalization;
using System.Text;
using NatsParity.Server.Config;

namespace NatsParity.Server.Logging;

/// <summary>Go's standard log flags, as the logger package sets them (Ldate, Ltime, Lmicroseconds, LUTC).</summary>
[Flags]
public enum LogFlags
{
    None = 0,
    Date = 1,
    Time = 2,
    Microseconds = 4,
    Utc = 32,
    /// <summary>Go's LstdFlags.</summary>
    Std = Date | Time,
}

/// <summary>
/// Go's logger package: "[pid] 2006/01/02 15:04:05.000000 [INF] text" lines to stderr (optionally with colored
/// labels) or to a file that can rotate at a size limit, or messages to a local or remote syslog.
/// </summary>
public sealed class ServerLogger : IDisposable
{
    private readonly object _lock = new();
    private readonly string _prefix;
    private readonly FileLog? _file;
    private readonly SyslogWriter? _syslog;
    private TextWriter _out;
    private string _infoLabel = "", _debugLabel = "", _warnLabel = "", _errorLabel = "", _fatalLabel = "", _traceLabel = "";

    public bool DebugEnabled { get; }
    public bool TraceEnabled { get; }

    /// <summary>The Go log flags of this logger's lines (none for syslog, which stamps its own time).</summary>
    public LogFlags Flags { get; }

    /// <summary>A file logger when <paramref name="file"/> is set, else a logger to stderr; both with the pid prefix.</summary>
    public ServerLogger(bool debug, bool trace, bool logtime = true, bool utc = false, string file = "")
        : this(debug, trace, GoFlags(logtime, utc), pid: true, file.Length > 0 ? FileLog.Open(file) : null, null, null)
    {
        if (_file is null) SetPlainLabelFormats();
    }

    private ServerLogger(bool debug, bool trace, LogFlags flags, bool pid, FileLog? file, SyslogWriter? syslog, TextWriter? stderr)
    {
        DebugEnabled = debug;
        TraceEnabled = trace;
        Flags = flags;
        _prefix = pid ? PidPrefix() : "";
        _file = file;
        _syslog = syslog;
        _out = stderr ?? Console.Error;
        if (_file is not null)
        {
            _file.Owner = this;
            SetPlainLabelFormats();
        }
    }

    private ServerLogger()
    {
        _prefix = "";
        _out = TextWriter.Null;
        IsDiscard = true;
    }

    /// <summary>The stand-in for no logger at all (Go's nil logger): it writes nothing.</summary>
    internal bool IsDiscard { get; }

    /// <summary>A logger that writes nothing (Go's NoLog option, used by in-process tests).</summary>
    public static ServerLogger Discard() => new();

    /// <summary>Go's NewStdLogger; <paramref name="stderr"/> stands in for os.Stderr.</summary>
    public static ServerLogger NewStdLogger(bool time, bool debug, bool trace, bool colors, bool pid, bool utc = false, TextWriter? stderr = null)
    {
        var l = new ServerLogger(debug, trace, GoFlags(time, utc), pid, null, null, stderr);
        if (colors) l.SetColoredLabelFormats();
        else l.SetPlainLabelFormats();
        return l;
    }

    /// <summary>Go's NewFileLogger: appends to <paramref name="filename"/>, creating it.</summary>
    public static ServerLogger NewFileLogger(string filename, bool time, bool debug, bool trace, bool pid, bool utc = false) =>
        new(debug, trace, GoFlags(time, utc), pid, FileLog.Open(filename), null, null);

    /// <summary>Go's NewSysLogger: the local syslog daemon (its unix socket), facility daemon.</summary>
    public static ServerLogger NewSysLogger(bool debug, bool trace, string? tag = null, IReadOnlyList<string>? socketPaths = null) =>
        new(debug, trace, LogFlags.None, false, null,
            SyslogWriter.Local(SyslogWriter.LogDaemon | SyslogWriter.LogNotice, tag ?? GetSysLoggerTag(), socketPaths), null);

    /// <summary>Go's NewRemoteSysLogger: a syslog server at udp://, tcp:// or unix:// <paramref name="fqn"/>.</summary>
    public static ServerLogger NewRemoteSysLogger(string fqn, bool debug, bool trace, string? tag = null)
    {
        var (network, addr) = GetNetworkAndAddr(fqn);
        return new(debug, trace, LogFlags.None, false, null, SyslogWriter.Dial(network, addr, SyslogWriter.LogDebug, tag ?? GetSysLoggerTag()), null);
    }

    /// <summary>
    /// Go's ConfigureLogger: a file logger (with its size limit) when a log file is set, else remote syslog, else local
    /// syslog, else stderr with colored labels when stderr is a terminal. Throws <see cref="ArgumentException"/> with
    /// Go's fatal text when a syslog cannot be reached or its address is invalid.
    /// </summary>
    public static ServerLogger Configure(ServerOptions o)
    {
        if (o.LogFile.Length > 0)
        {
            var l = NewFileLogger(o.LogFile, o.Logtime, o.Debug, o.Trace, pid: true, o.LogtimeUTC);
            if (o.LogSizeLimit > 0) l.SetSizeLimit(o.LogSizeLimit);
            // A count beyond an int keeps every file, as Go's overflow check does.
            if (o.LogMaxFiles > 0) l.SetMaxNumFiles(o.LogMaxFiles > int.MaxValue ? 0 : (int)o.LogMaxFiles);
            return l;
        }
        if (o.RemoteSyslog.Length > 0) return NewRemoteSysLogger(o.RemoteSyslog, o.Debug, o.Trace);
        if (o.Syslog) return NewSysLogger(o.Debug, o.Trace);
        return NewStdLogger(o.Logtime, o.Debug, o.Trace, colors: !Console.IsErrorRedirected, pid: true, o.LogtimeUTC);
    }

    private static LogFlags GoFlags(bool time, bool utc) =>
        !time ? LogFlags.None : LogFlags.Std | LogFlags.Microseconds | (utc ? LogFlags.Utc : LogFlags.None);

    private static string PidPrefix() => $"[{Environment.ProcessId}] ";

    private void SetPlainLabelFormats()
    {
        _infoLabel = "[INF] ";
        _debugLabel = "[DBG] ";
        _warnLabel = "[WRN] ";
        _errorLabel = "[ERR] ";
        _fatalLabel = "[FTL] ";
        _traceLabel = "[TRC] ";
    }

    private void SetColoredLabelFormats()
    {
        static string C(string color, string label) => $"[\x1b[{color}m{label}\x1b[0m] ";
        _infoLabel = C("32", "INF");
        _debugLabel = C("36", "DBG");
        _warnLabel = C("0;93", "WRN");
        _errorLabel = C("31", "ERR");
        _fatalLabel = C("31", "FTL");
        _traceLabel = C("33", "TRC");
    }

    /// <summary>Go's SetSizeLimit: past <paramref name="limit"/> bytes the file is renamed to a timestamped backup and
    /// a new one started. Returns an error text for a logger that does not write a file.</summary>
    public string? SetSizeLimit(long limit)
    {
        if (_file is null) return "can set log size limit only for file logger";
        _file.SetLimit(limit);
        return null;
    }

    /// <summary>Go's SetMaxNumFiles: how many log files (the current one and its backups) rotation keeps.</summary>
    public string? SetMaxNumFiles(int max)
    {
        if (_file is null) return "can set log max number of files only for file logger";
        _file.SetMaxNumFiles(max);
        return null;
    }

    /// <summary>The file a file logger writes to (a seam for tests, as Go's tests reach into fileLogger.f).</summary>
    internal FileLog? File => _file;

    /// <summary>SIGUSR1: a file logger opens its file again, so rotation tools can move the old one away.</summary>
    public void Reopen() => _file?.Reopen();

    public void Notice(string msg)
    {
        if (_syslog is not null) _syslog.Write(SyslogWriter.LogNotice, msg);
        else Write(_infoLabel, msg);
    }

    public void Warn(string msg)
    {
        if (_syslog is not null) _syslog.Write(SyslogWriter.LogWarning, msg);
        else Write(_warnLabel, msg);
    }

    public void Error(string msg)
    {
        if (_syslog is not null) _syslog.Write(SyslogWriter.LogErr, msg);
        else Write(_errorLabel, msg);
    }

    public void Fatal(string msg)
    {
        if (_syslog is not null) _syslog.Write(SyslogWriter.LogCrit, msg);
        else Write(_fatalLabel, msg);
    }

    public void Debug(string msg)
    {
        if (!DebugEnabled) return;
        if (_syslog is not null) _syslog.Write(SyslogWriter.LogDebug, msg);
        else Write(_debugLabel, msg);
    }

    public void Trace(string msg)
    {
        if (!TraceEnabled) return;
        if (_syslog is not null) _syslog.Write(SyslogWriter.LogNotice, msg);
        else Write(_traceLabel, msg);
    }

    /// <summary>Go's log.Logger.Output: prefix, date and time as the flags say, the message, a newline.</summary>
    private void Write(string label, string msg)
    {
        var sb = new StringBuilder(64 + msg.Length);
        sb.Append(_prefix);
        if (Flags != LogFlags.None)
        {
            var now = (Flags & LogFlags.Utc) != 0 ? DateTime.UtcNow : DateTime.Now;
            sb.Append(now.ToString("yyyy/MM/dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append(' ');
        }
        sb.Append(label).Append(msg).Append('\n');
        if (_file is not null)
        {
            _file.Write(Encoding.UTF8.GetBytes(sb.ToString()));
            return;
        }
        lock (_lock)
        {
            _out.Write(sb.ToString());
            _out.Flush();
        }
    }

    /// <summary>Lines written by <see cref="FileLog"/> itself, outside the log's own formatting (Go's logDirect).</summary>
    internal string InfoLabel => _infoLabel;
    internal string ErrorLabel => _errorLabel;
    internal string Prefix => _prefix;

    /// <summary>Go's Logger.Close: closes the file (or syslog connection); a failure to close is thrown.</summary>
    public void Close() => Dispose();

    public void Dispose()
    {
        _file?.Close();
        _syslog?.Close();
        lock (_lock) _out = TextWriter.Null; // lines racing a reload's swap of loggers are dropped, not thrown
    }

    public static string ProcessName => Process.GetCurrentProcess().ProcessName;

    /// <summary>Go's GetSysLoggerTag: the last path element of the program's name (os.Args[0]).</summary>
    public static string GetSysLoggerTag(string? arg0 = null)
    {
        string procName = arg0 ?? ProgramName();
        if (procName.Contains(Path.DirectorySeparatorChar))
        {
            var parts = procName.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
            procName = parts[^1];
        }
        return procName;
    }

    /// <summary>The name the program was started by: its apphost's path rather than the managed assembly's.</summary>
    private static string ProgramName()
    {
        string arg0 = Environment.GetCommandLineArgs()[0];
        if (arg0.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && Environment.ProcessPath is { } exe
            && !Path.GetFileNameWithoutExtension(exe).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return exe;
        return arg0;
    }

    /// <summary>Go's getNetworkAndAddr: "udp://host:port" and "tcp://host:port" give the host and port,
    /// "unix:///path" the path; any other scheme is an error.</summary>
    public static (string Network, string Addr) GetNetworkAndAddr(string fqn)
    {
        string scheme = "", rest = fqn;
        int colon = fqn.IndexOf(':');
        if (colon > 0 && IsScheme(fqn[..colon]))
        {
            scheme = fqn[..colon].ToLowerInvariant();
            rest = fqn[(colon + 1)..];
        }
        string host = "", path = rest;
        int q = path.IndexOfAny(['?', '#']);
        if (q >= 0) path = path[..q];
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            string auth = path[2..];
            int slash = auth.IndexOf('/');
            host = slash >= 0 ? auth[..slash] : auth;
            path = slash >= 0 ? auth[slash..] : "";
            int at = host.LastIndexOf('@');
            if (at >= 0) host = host[(at + 1)..];
        }
        return scheme switch
        {
            "udp" or "tcp" => (scheme, host),
            "unix" => (scheme, path),
            _ => throw new ArgumentException($"error invalid network type: \"{scheme}\""),
        };
    }

    private static bool IsScheme(string s)
    {
        if (s.Length == 0 || !char.IsAsciiLetter(s[0])) return false;
        foreach (char c in s)
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.')) return false;
        return true;
    }
}
