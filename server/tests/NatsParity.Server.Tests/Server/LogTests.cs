using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/log_test.go: re-opening the log file and its size limit.</summary>
public sealed class LogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("natsparity-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Read(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(fs);
        return reader.ReadToEnd();
    }

    [Fact, GoTest("server/log_test.go", "TestReOpenLogFile")]
    public void ReOpenLogFile()
    {
        var s = new NatsServer(new ServerOptions());
        try
        {
            // No logger at all.
            s.SetLogger(null);
            s.ReOpenLogFile();

            // A logger, but no log file in the options.
            string dummy = Path.Combine(_dir, "dummy.log");
            s.SetLogger(new ServerLogger(debug: false, trace: false, logtime: false, file: dummy));
            s.ReOpenLogFile();
            Read(dummy).TrimEnd().ShouldEndWith("File log re-open ignored, not a file logger");

            // A file logger.
            s.Options.LogFile = Path.Combine(_dir, "test.log");
            var o = s.Options;
            s.SetLogger(new ServerLogger(o.Debug, o.Trace, o.Logtime, o.LogtimeUTC, o.LogFile));
            s.Logger.Notice("This is a Notice");
            Read(o.LogFile).ShouldContain("This is a Notice");

            // Moved away, as by a rotation tool, then re-opened: a new file.
            File.Move(o.LogFile, o.LogFile + ".bak");
            s.ReOpenLogFile();
            string content = Read(o.LogFile);
            content.ShouldContain("File log re-opened");
            content.ShouldNotContain("This is a Notice");

            // Logging goes on in the new file.
            s.Logger.Notice("New message");
            Read(o.LogFile).ShouldContain("New message");
            Read(o.LogFile + ".bak").ShouldNotContain("New message");
        }
        finally
        {
            s.SetLogger(null);
        }
    }

    [Fact, GoTest("server/log_test.go", "TestFileLoggerSizeLimitAndReopen")]
    public void FileLoggerSizeLimitAndReopen()
    {
        string file = Path.Combine(_dir, "log_" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(file, []);
        var s = new NatsServer(new ServerOptions());
        try
        {
            s.Options.LogFile = file;
            s.Options.Logtime = true;
            s.Options.LogSizeLimit = 1000;
            s.ConfigureLogger();

            s.Logger.Notice("this is a notice");
            s.ReOpenLogFile();
            Read(file).ShouldContain("File log re-opened");

            // The limit still holds after the re-open: the two long lines push the file over it and into a backup.
            s.Logger.Notice(new string('A', 800));
            s.Logger.Notice(new string('B', 800));
            string content = Read(file);
            content.ShouldNotContain("AAAAA");
            content.ShouldNotContain("BBBBB");
            content.ShouldContain("Rotated log, backup saved");
        }
        finally
        {
            s.SetLogger(null);
        }
    }
}
