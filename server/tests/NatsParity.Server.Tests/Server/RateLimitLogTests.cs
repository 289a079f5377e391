using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Port of server/server_test.go's TestServerRateLimitLogging: a statement (or a format) is logged once per
/// interval, by the server or by any of its clients.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class RateLimitLogTests
{
    [Fact, GoTest("server/server_test.go", "TestServerRateLimitLogging")]
    public async Task ServerRateLimitLogging()
    {
        string log = Path.Combine(Path.GetTempPath(), $"natsparity-{Guid.NewGuid():N}.log");
        var logger = new ServerLogger(debug: false, trace: false, logtime: false, file: log);
        try
        {
            await using var s = InProcess.Run(new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, NoSystemAccount = true }, logger);
            s.ChangeRateLimitLogInterval(TimeSpan.FromMilliseconds(100));
            long offset = new FileInfo(log).Length;

            // The warnings logged since the last look.
            List<string> NewWarnings()
            {
                using var fs = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                fs.Seek(offset, SeekOrigin.Begin);
                using var r = new StreamReader(fs);
                string text = r.ReadToEnd();
                offset += System.Text.Encoding.UTF8.GetByteCount(text);
                return [.. text.Split('\n').Where(l => l.Contains("[WRN]", StringComparison.Ordinal))];
            }

            const string nb1 = "Warning number 1", nb2 = "Warning number 2", nbv = "warning value";
            async Task CheckLog(NatsParity.Server.Clients.ClientConnection? c1, NatsParity.Server.Clients.ClientConnection? c2)
            {
                await Task.Delay(150);
                var w = NewWarnings();
                w.Count(l => l.Contains(nb1)).ShouldBe(1, "only one warning for nb1");
                w.Count(l => l.Contains(nb2)).ShouldBe(1, "only one warning for nb2");
                w.Count(l => l.Contains(nbv)).ShouldBe(1, "only one warning for the format");

                // Past the interval they are logged again, once.
                await Task.Delay(200);
                if (c1 is null)
                {
                    s.RateLimitWarn(nb1);
                    s.RateLimitFormatWarn("warning value %d", "warning value 1");
                }
                else
                {
                    c1.RateLimitWarn(nb1);
                    c2!.RateLimitWarn(nb1);
                    c1.RateLimitFormatWarn("warning value %d", "warning value 1");
                }
                await Task.Delay(200);
                w = NewWarnings();
                w.Count(l => l.Contains(nb1)).ShouldBe(1, "warning still suppressed, or more than one");
                w.Count(l => l.Contains(nbv)).ShouldBe(1, "format warning still suppressed, or more than one");
            }

            s.RateLimitWarn("Warning number 1");
            s.RateLimitWarn("Warning number 2");
            s.RateLimitFormatWarn("warning value %d", "warning value 1");
            s.RateLimitWarn("Warning number 1");
            s.RateLimitWarn("Warning number 2");
            s.RateLimitFormatWarn("warning value %d", "warning value 2");
            await CheckLog(null, null);

            using var nc1 = ProtoClient.Connect("127.0.0.1", s.Port);
            nc1.SendAndFlush("CONNECT {\"verbose\":false,\"name\":\"c1\"}\r\n");
            using var nc2 = ProtoClient.Connect("127.0.0.1", s.Port);
            nc2.SendAndFlush("CONNECT {\"verbose\":false,\"name\":\"c2\"}\r\n");
            var c1 = s.Clients.Single(c => c.Options.Name == "c1");
            var c2 = s.Clients.Single(c => c.Options.Name == "c2");

            await Task.Delay(200);
            c1.RateLimitWarn("Warning number 1");
            c1.RateLimitWarn("Warning number 2");
            c1.RateLimitFormatWarn("warning value %d", "warning value 1");
            c2.RateLimitWarn("Warning number 1");
            c2.RateLimitWarn("Warning number 2");
            c2.RateLimitFormatWarn("warning value %d", "warning value 2");
            await CheckLog(c1, c2);
        }
        finally
        {
            logger.Dispose();
            File.Delete(log);
        }
    }
}
