using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Config;

/// <summary>Reload ports that move the log and pid files and change trace levels.</summary>
public sealed partial class ReloadTests
{
    [Fact, GoTest("server/reload_test.go", "TestConfigReloadRotateFiles")]
    public async Task ConfigReloadRotateFiles()
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-rotate-").FullName;
        try
        {
            string F(string name) => Path.Combine(dir, name);
            string Conf(string log, string pid) => $"listen: 127.0.0.1:-1\nlogfile: \"{F(log)}\"\npid_file: \"{F(pid)}\"\n";
            var (s, conf) = Run(Conf("log.txt", "nats-server.pid"));
            await using var _ = s;

            File.WriteAllText(conf, Conf("log1.txt", "nats-server1.pid"));
            s.Reload().ShouldBeNull();
            File.Exists(F("log1.txt")).ShouldBeTrue();
            File.Exists(F("nats-server1.pid")).ShouldBeTrue();

            // The files used before the reload can be moved away and removed.
            File.Move(F("log.txt"), F("log_old.txt"));
            File.Move(F("nats-server.pid"), F("nats-server_old.pid"));
            File.Delete(F("log_old.txt"));
            File.Delete(F("nats-server_old.pid"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact, GoTest("server/reload_test.go", "TestConfigReloadLogging")]
    public async Task ConfigReloadLogging()
    {
        string dir = Directory.CreateTempSubdirectory("natsparity-reloadlog-").FullName;
        try
        {
            string F(string name) => Path.Combine(dir, name);
            const string common = """
                listen: 127.0.0.1:-1
                system_account: sys
                accounts {
                  sys { users = [ {user: sys, pass: "" } ] }
                  nats.io: { users = [ { user : bar, pass: "pwd" } ] }
                }

                """;
            var (s, conf) = Run(common);
            await using var _ = s;

            void Reload(string change)
            {
                File.WriteAllText(conf, common + change);
                s.Reload().ShouldBeNull();
            }

            void Traffic(int count)
            {
                using var c = ConnectOk(s, "{\"verbose\":false,\"user\":\"bar\",\"pass\":\"pwd\"}");
                c.SendAndFlush("SUB foo 1\r\n");
                for (int i = 0; i < count; i++)
                {
                    c.Send("PUB foo 3\r\nbar\r\n");
                    c.ReadMsg().Check("foo", "1", "", 3, "bar");
                }
                c.SendAndFlush("UNSUB 1\r\n");
            }

            string[] traces = ["[TRC]", "[DBG]", "SYSTEM", "MSG_PAYLOAD", "$SYS.SERVER.ACCOUNT"];
            int Matches(string log) => traces.Count(log.Contains);
            bool Reloaded(string log) => log.Contains("[INF] Reloaded server configuration");

            Reload($"log_file: \"{F("off-pre.log")}\"\n");
            Traffic(10);
            Reload($"log_file: \"{F("on.log")}\"\ndebug: true\ntrace_verbose: true\n");
            Traffic(10);
            Reload($"log_file: \"{F("off-post.log")}\"\ndebug: false\ntrace_verbose: false\n");
            Traffic(10);

            // The disconnect events of the last traffic are sent after its client is gone.
            await Task.Delay(200);
            foreach (var (file, traced) in new[] { ("off-pre.log", false), ("on.log", true), ("off-post.log", false) })
            {
                string log = File.ReadAllText(F(file));
                Reloaded(log).ShouldBeTrue($"{file}: {log}");
                Matches(log).ShouldBe(traced ? traces.Length : 0, $"{file}: {log}");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
