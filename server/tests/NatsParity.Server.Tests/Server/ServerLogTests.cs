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

    /// <summary>test/log_test.go's cases: the conf (with the log file's path for {0}) and the files left in its folder.
    /// With a 100-byte limit the startup and shutdown lines rotate the file 8 times.</summary>
    public static TheoryData<string, int> LogMaxArchivesCases => new()
    {
        { "port: -1\nlog_file: \"{0}\"\nlogfile_size_limit: 100\n", 9 },
        { "port: -1\nlog_file: \"{0}\"\nlogfile_size_limit: 100\nlogfile_max_num: 0\n", 9 },
        { "port: -1\nlog_file: \"{0}\"\nlogfile_size_limit: 100\nlogfile_max_num: -42\n", 9 },
        { "port: -1\nlog_file: \"{0}\"\nlogfile_size_limit: 100\nlogfile_max_num: 1\n", 1 },
        { "port: -1\nlog_file: \"{0}\"\nlog_size_limit: 100\nlog_max_num: 5\n", 5 },
        { "port: -1\nlog_file: \"{0}\"\nlogfile_size_limit: 100\nlogfile_max_num: 100\n", 9 },
    };

    [Theory, MemberData(nameof(LogMaxArchivesCases)), GoTest("test/log_test.go", "TestLogMaxArchives")]
    public async Task LogMaxArchives(string config, int totEntriesExpected)
    {
        string d = Directory.CreateTempSubdirectory("natsparity-logtest-").FullName;
        try
        {
            string conf = InProcess.WriteConf(string.Format(System.Globalization.CultureInfo.InvariantCulture, config, Path.Combine(d, "nats-server.log")));
            try
            {
                // Go's RunServerWithLogging: the server logs to its configured file.
                var s = InProcess.Run(ServerOptions.FromConfigFile(conf));
                await s.ShutdownAsync();
                s.Logger.Dispose();
                string[] entries = Directory.GetFileSystemEntries(d);
                entries.Length.ShouldBe(totEntriesExpected, string.Join("\n", entries.Select(Path.GetFileName)));
            }
            finally
            {
                File.Delete(conf);
            }
        }
        finally
        {
            Directory.Delete(d, recursive: true);
        }
    }
}
