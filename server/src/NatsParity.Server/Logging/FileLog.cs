using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NatsParity.Server.Logging;

/// <summary>An open log file: what <see cref="FileLog"/> writes through (Go's writerAndCloser).</summary>
internal interface ILogFile
{
    void Write(byte[] b);
    void Close();
    string Name { get; }
}

/// <summary>A log file on disk, opened to append and created with mode 0640 as Go's logger does.</summary>
internal sealed class OsLogFile : ILogFile
{
    private readonly FileStream _fs;

    public OsLogFile(string name)
    {
        Name = name;
        var o = new FileStreamOptions
        {
            Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete,
        };
        if (!OperatingSystem.IsWindows()) o.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        _fs = new FileStream(name, o);
    }

    public string Name { get; }
    public long Length => _fs.Length;

    public void Write(byte[] b)
    {
        _fs.Write(b);
        _fs.Flush();
    }

    public void Close() => _fs.Dispose();
}

/// <summary>
/// Go's fileLogger: counts the bytes written and, once a size limit is set and passed, closes the file, renames it to
/// "name.yyyy.MM.dd.HH.mm.ss.nnnnnnnnn", starts a new one and notes the backup in it; optionally removes the oldest
/// backups beyond a maximum number of files.
/// </summary>
internal sealed class FileLog
{
    private readonly object _lock = new();
    private long _out;
    private int _canRotate;
    private long _limit, _olimit;
    private bool _closed;
    private int _maxNumFiles;

    private FileLog(OsLogFile f)
    {
        F = f;
        _out = f.Length;
    }

    /// <summary>The logger this file belongs to: its prefix, flags and labels for the lines the file writes itself.</summary>
    public ServerLogger Owner { get; set; } = null!;

    /// <summary>The open file; tests swap it for one whose close fails (Go's test sets fileLogger.f).</summary>
    public ILogFile F { get; set; }

    public object SyncRoot => _lock;

    public static FileLog Open(string filename) => new(new OsLogFile(filename));

    public void SetLimit(long limit)
    {
        bool rotateNow;
        lock (_lock)
        {
            _olimit = _limit = limit;
            Volatile.Write(ref _canRotate, 1);
            rotateNow = _out > _limit;
        }
        if (rotateNow) Owner.Notice("Rotating logfile...");
    }

    public void SetMaxNumFiles(int max)
    {
        lock (_lock) _maxNumFiles = max;
    }

    /// <summary>Go's logDirect: a line in the log's format, written straight to the file (CRLF-terminated, as Go's).</summary>
    private int LogDirect(string label, string msg)
    {
        var sb = new StringBuilder(Owner.Prefix);
        if (Owner.Flags != LogFlags.None)
            sb.Append(DateTime.Now.ToString("yyyy/MM/dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append(' ');
        sb.Append(label).Append(msg).Append("\r\n");
        var entry = Encoding.UTF8.GetBytes(sb.ToString());
        try { F.Write(entry); }
        catch (Exception e) when (e is IOException or ObjectDisposedException) { }
        return entry.Length;
    }

    private static readonly Regex BackupStamp = new(@"^(\d{4}\.\d{2}\.\d{2}\.\d{2}\.\d{2}\.\d{2})(\.\d{1,9})?$", RegexOptions.CultureInvariant);

    /// <summary>Go's logPurge: removes the oldest backups of <paramref name="fname"/> beyond the maximum.</summary>
    private void LogPurge(string fname)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(fname)) ?? ".";
        string lBase = Path.GetFileName(fname);
        string[] entries;
        try
        {
            entries = Directory.GetFiles(dir).Select(Path.GetFileName).Select(n => n!).Order(StringComparer.Ordinal).ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogDirect(Owner.ErrorLabel, $"Unable to read directory {GoQuote(dir)} for log purge ({e.Message}), will attempt next rotation");
            return;
        }
        var backups = new List<string>();
        foreach (string name in entries)
        {
            if (name == lBase || !name.StartsWith(lBase + ".", StringComparison.Ordinal)) continue;
            var m = BackupStamp.Match(name[(lBase.Length + 1)..]);
            if (m.Success && DateTime.TryParseExact(m.Groups[1].Value, "yyyy.MM.dd.HH.mm.ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                backups.Add(name);
        }
        int maxBackups = _maxNumFiles - 1;
        for (int i = 0; i < backups.Count - maxBackups; i++)
        {
            try
            {
                File.Delete(Path.Combine(dir, backups[i]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogDirect(Owner.ErrorLabel, $"Unable to remove backup log file {GoQuote(backups[i])} ({e.Message}), will attempt next rotation");
                return;
            }
            LogDirect(Owner.InfoLabel, $"Purged log file {GoQuote(backups[i])}");
        }
    }

    public void Write(byte[] b)
    {
        if (Volatile.Read(ref _canRotate) == 0)
        {
            lock (_lock)
            {
                if (_closed) return;
                try { F.Write(b); }
                catch (Exception e) when (e is IOException or ObjectDisposedException) { return; }
                _out += b.Length;
            }
            return;
        }
        lock (_lock)
        {
            if (_closed) return;
            try { F.Write(b); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { return; }
            _out += b.Length;
            if (_out <= _limit) return;
            try
            {
                F.Close();
            }
            catch (Exception e)
            {
                _limit *= 2;
                LogDirect(Owner.ErrorLabel, $"Unable to close logfile for rotation ({e.Message}), will attempt next rotation at size {_limit}");
                return;
            }
            string fname = F.Name;
            var now = DateTime.Now;
            string bak = fname + "." + now.ToString("yyyy.MM.dd.HH.mm.ss.fffffff", CultureInfo.InvariantCulture) + "00";
            try { File.Move(fname, bak); }
            catch (IOException) { }
            // Go panics when the log file cannot be opened again; an exception here surfaces the same way.
            F = new OsLogFile(fname);
            _out = LogDirect(Owner.InfoLabel, $"Rotated log, backup saved as {GoQuote(bak)}");
            _limit = _olimit;
            if (_maxNumFiles > 0) LogPurge(fname);
        }
    }

    /// <summary>SIGUSR1: the file is opened again by name, counting from its current size.</summary>
    public void Reopen()
    {
        lock (_lock)
        {
            if (_closed) return;
            try { F.Close(); }
            catch (Exception e) when (e is IOException or ObjectDisposedException) { }
            var f = new OsLogFile(F.Name);
            F = f;
            _out = f.Length;
        }
    }

    public void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
            F.Close();
        }
    }

    /// <summary>Go's %q for the names in log lines.</summary>
    private static string GoQuote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
