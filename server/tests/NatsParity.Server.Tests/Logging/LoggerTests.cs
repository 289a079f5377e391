using System.Text.RegularExpressions;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Log;

/// <summary>Ports of logger/log_test.go: the stderr logger's flags, labels and colors, and the file logger with its
/// size limit. Go's tests swap os.Stderr for a pipe; these hand the logger a writer in its place.</summary>
public sealed class LoggerTests
{
    [Fact, GoTest("logger/log_test.go", "TestStdLogger")]
    public void StdLogger()
    {
        var logger = ServerLogger.NewStdLogger(false, false, false, false, false);
        logger.Flags.ShouldBe(LogFlags.None);
        logger.DebugEnabled.ShouldBeFalse();
        logger.TraceEnabled.ShouldBeFalse();
    }

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerWithDebugTraceAndTime")]
    public void StdLoggerWithDebugTraceAndTime()
    {
        var logger = ServerLogger.NewStdLogger(true, true, true, false, false);
        logger.Flags.ShouldBe(LogFlags.Std | LogFlags.Microseconds);
        logger.DebugEnabled.ShouldBeTrue();
        logger.TraceEnabled.ShouldBeTrue();
    }

    /// <summary>Go's expectOutput: what <paramref name="f"/> wrote to the logger's stderr.</summary>
    private static void ExpectOutput(Action<TextWriter> f, string expected)
    {
        var stderr = new StringWriter();
        f(stderr);
        stderr.ToString().ShouldBe(expected);
    }

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerNotice")]
    public void StdLoggerNotice() => ExpectOutput(w =>
    {
        var logger = ServerLogger.NewStdLogger(false, false, false, false, false, stderr: w);
        logger.Notice("foo");
    }, "[INF] foo\n");

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerNoticeWithColor")]
    public void StdLoggerNoticeWithColor() => ExpectOutput(w =>
    {
        var logger = ServerLogger.NewStdLogger(false, false, false, true, false, stderr: w);
        logger.Notice("foo");
    }, "[\x1b[32mINF\x1b[0m] foo\n");

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerDebug")]
    public void StdLoggerDebug() => ExpectOutput(w =>
    {
        var logger = ServerLogger.NewStdLogger(false, true, false, false, false, stderr: w);
        logger.Debug($"foo {"bar"}");
    }, "[DBG] foo bar\n");

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerDebugWithOutDebug")]
    public void StdLoggerDebugWithOutDebug() => ExpectOutput(w =>
    {
        var logger = ServerLogger.NewStdLogger(false, false, false, false, false, stderr: w);
        logger.Debug("foo");
    }, "");

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerTrace")]
    public void StdLoggerTrace() => ExpectOutput(w =>
    {
        var logger = ServerLogger.NewStdLogger(false, false, true, false, false, stderr: w);
        logger.Trace("foo");
    }, "[TRC] foo\n");

    [Fact, GoTest("logger/log_test.go", "TestStdLoggerTraceWithOutDebug")]
    public void StdLoggerTraceWithOutDebug() => ExpectOutput(w =>
    {
        var logger = ServerLogger.NewStdLogger(false, false, false, false, false, stderr: w);
        logger.Trace("foo");
    }, "");

    /// <summary>Go's createFileAtDir (os.CreateTemp): a new empty file named prefix + random digits.</summary>
    private static string CreateFileAtDir(string dir, string prefix)
    {
        while (true)
        {
            string path = Path.Combine(dir, prefix + Random.Shared.NextInt64(1_000_000_000L, 9_999_999_999L));
            try
            {
                using var _ = new FileStream(path, FileMode.CreateNew);
                return path;
            }
            catch (IOException) when (File.Exists(path))
            {
            }
        }
    }

    private static string TempDir() => Directory.CreateTempSubdirectory("natsparity-logger-").FullName;

    /// <summary>Go's os.ReadDir: the names in the folder, sorted.</summary>
    private static string[] ReadDir(string dir) =>
        Directory.GetFileSystemEntries(dir).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    [Fact, GoTest("logger/log_test.go", "TestFileLogger")]
    public void FileLogger()
    {
        string tmpDir = TempDir();
        try
        {
            string file = CreateFileAtDir(tmpDir, "nats-server:log_");
            using (var logger = ServerLogger.NewFileLogger(file, false, false, false, false))
            {
                logger.Notice("foo");
                string buf = File.ReadAllText(file);
                buf.Length.ShouldBeGreaterThan(0, "a non-zero length logfile");
                buf.ShouldBe("[INF] foo\n");
            }

            file = CreateFileAtDir(tmpDir, "nats-server:log_");
            using (var logger = ServerLogger.NewFileLogger(file, true, false, true, true))
            {
                logger.Error("foo");
                string str = File.ReadAllText(file);
                str.Length.ShouldBeGreaterThan(0, "a non-zero length logfile");
                int pidEnd = str.IndexOf(' ');
                int infoStart = str.LastIndexOf("[ERR]", StringComparison.Ordinal);
                pidEnd.ShouldNotBe(-1, str);
                infoStart.ShouldNotBe(-1, str);
                string pid = str[..pidEnd];
                pid[0].ShouldBe('[', str);
                pid[^1].ShouldBe(']', str);
                string date = str[pidEnd..infoStart];
                Regex.IsMatch(date, "[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}.[0-9]{6}").ShouldBeTrue(date);
                str.ShouldEndWith("[ERR] foo\n");
            }
        }
        finally
        {
            Directory.Delete(tmpDir, recursive: true);
        }
    }

    /// <summary>Go's fileLogFailClose: a log file whose close fails while <see cref="Fail"/> is set.</summary>
    private sealed class FailClose(ILogFile inner) : ILogFile
    {
        public bool Fail { get; set; } = true;
        public string Name => inner.Name;
        public void Write(byte[] b) => inner.Write(b);

        public void Close()
        {
            if (Fail) throw new IOException("on purpose");
            inner.Close();
        }
    }

    /// <summary>Go's fmt %v of a zeroed []byte of length <paramref name="n"/>: "[0 0 ... 0]".</summary>
    private static string ZeroBytes(int n) => "[" + string.Join(' ', Enumerable.Repeat("0", n)) + "]";

    [Fact, GoTest("logger/log_test.go", "TestFileLoggerSizeLimit")]
    public void FileLoggerSizeLimit()
    {
        var std = ServerLogger.NewStdLogger(true, false, false, false, true, stderr: TextWriter.Null);
        std.SetSizeLimit(1000).ShouldNotBeNull().ShouldContain("only for file logger");
        std.Close();

        string tmpDir = TempDir(), tmpDir2 = TempDir();
        try
        {
            string file = CreateFileAtDir(tmpDir, "log_");
            var logger = ServerLogger.NewFileLogger(file, true, false, false, true);
            logger.SetSizeLimit(1000);
            for (int i = 0; i < 50; i++) logger.Notice("This is a line in the log file");
            string[] files = ReadDir(tmpDir);
            files.Length.ShouldNotBe(1, "the file was rotated");
            string lastBackup = files[^1];
            logger.Close();
            string content = File.ReadAllText(file);
            content.ShouldContain("Rotated log");
            content.ShouldContain(lastBackup);

            // A logger without a limit does not rotate; a limit below the current size rotates at once.
            file = CreateFileAtDir(tmpDir2, "log_");
            logger = ServerLogger.NewFileLogger(file, true, false, false, true);
            for (int i = 0; i < 50; i++) logger.Notice($"This is line {i + 1} in the log file");
            ReadDir(tmpDir2).Length.ShouldBe(1, "the file was not rotated");
            logger.SetSizeLimit(1000);
            files = ReadDir(tmpDir2);
            files.Length.ShouldBeGreaterThan(1, "the file was rotated");
            logger.Close();
            lastBackup = files[^1];
            content = File.ReadAllText(file);
            content.ShouldContain("Rotated log");
            content.ShouldContain(lastBackup);

            logger = ServerLogger.NewFileLogger(file, true, false, false, true);
            logger.SetSizeLimit(1000);
            // A rotation whose close fails doubles the limit to 2000 and says so in the log.
            var fl = logger.File!;
            FailClose failClose;
            lock (fl.SyncRoot)
            {
                failClose = new FailClose(fl.F);
                fl.F = failClose;
            }
            logger.Notice($"This is a big line: {ZeroBytes(1000)}");
            failClose.Fail = false;
            logger.Notice($"This is a big line: {ZeroBytes(2000)}");
            logger.Close();

            files = ReadDir(tmpDir2);
            lastBackup = files[^1];
            content = File.ReadAllText(Path.Combine(tmpDir2, lastBackup));
            content.ShouldContain("on purpose");
            content.ShouldContain("size 2000");
        }
        finally
        {
            Directory.Delete(tmpDir, recursive: true);
            Directory.Delete(tmpDir2, recursive: true);
        }
    }
}
