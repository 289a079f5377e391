using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/log_test.go's log file tests: reopening the server's log file, and the size limit kept
/// across a reopen.</summary>
public sealed class ServerLogTests
{
    [Fact, GoTest("server/log_test.go", "TestReOpenLogFile")]
    public void ReOpenLogFile()
    {
        // Without a logger there is nothing to reopen.
        var quiet = new NatsServer(new ServerOptions { NoLog = true });
        quiet.ReOpenLogFile();

        // A logger that does not write a file says so.
        var stderr = new StringWriter();
        var s = new NatsServer(new ServerOptions(), ServerLogger.NewStdLogger(false, false, false, false, false, stderr: stderr));
        s.ReOpenLogFile();
        stderr.ToString().ShouldContain("File log re-open ignored, not a file logger");

        string dir = Directory.CreateTempSubdirectory("natsparity-reopen-").FullName;
        try
        {
            var opts = new ServerOptions { LogFile = Path.Combine(dir, "test.log") };
            using var fileLog = ServerLogger.NewFileLogger(opts.LogFile, opts.Logtime, opts.Debug, opts.Trace, true, opts.LogtimeUTC);
            s = new NatsServer(opts, fileLog);
            const string expected = "This is a Notice";
            s.Logger.Notice(expected);
            File.ReadAllText(opts.LogFile).ShouldContain(expected);
            File.Move(opts.LogFile, opts.LogFile + ".bak");

            s.ReOpenLogFile();
            File.ReadAllText(opts.LogFile).ShouldContain("File log re-opened");
            // The reopened file takes new lines.
            s.Logger.Notice("New message");
            File.ReadAllText(opts.LogFile).ShouldEndWith("[INF] New message\n");
            File.ReadAllText(opts.LogFile + ".bak").ShouldNotContain("New message");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact, GoTest("server/log_test.go", "TestFileLoggerSizeLimitAndReopen")]
    public void FileLoggerSizeLimitAndReopen()
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-sizelimit-").FullName;
        try
        {
            // The server's own logger (Go's ConfigureLogger) from the options.
            var opts = new ServerOptions { LogFile = Path.Combine(dir, "log_"), Logtime = true, LogSizeLimit = 1000 };
            var s = new NatsServer(opts);
            try
            {
                s.Logger.Notice("this is a notice");
                s.ReOpenLogFile();
                File.ReadAllText(opts.LogFile).ShouldContain("File log re-opened");

                // The limit still holds after the reopen.
                s.Logger.Notice(new string('A', 800));
                s.Logger.Notice(new string('B', 800));
                string sbuf = File.ReadAllText(opts.LogFile);
                sbuf.ShouldNotContain("AAAAA", customMessage: "the file was rotated");
                sbuf.ShouldNotContain("BBBBB", customMessage: "the file was rotated");
                sbuf.ShouldContain("Rotated log, backup saved");
            }
            finally
            {
                s.Logger.Dispose();
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
