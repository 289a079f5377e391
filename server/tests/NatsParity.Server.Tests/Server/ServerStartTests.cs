using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>More ports of server/server_test.go: client URLs, random and absent ports, a bad client_advertise,
/// concurrent shutdowns, and an authorization block beside a system account.</summary>
public sealed class ServerStartTests
{
    [Theory, GoTest("server/server_test.go", "TestServerClientURL")]
    [InlineData("host.com", "nats://host.com:12345")]
    [InlineData("1.2.3.4", "nats://1.2.3.4:12345")]
    [InlineData("2000::1", "nats://[2000::1]:12345")]
    public void ServerClientUrl(string host, string expected)
    {
        var s = new NatsServer(new ServerOptions { Host = host, Port = 12345, NoLog = true });
        s.ClientUrl.ShouldBe(expected);
    }

    [Fact, GoTest("server/server_test.go", "TestRandomPorts")]
    public async Task RandomPorts()
    {
        await using var s = InProcess.Run(new ServerOptions { Port = ServerOptions.RandomPort, HttpPort = ServerOptions.RandomPort, HttpHost = "127.0.0.1" });
        s.Port.ShouldBeGreaterThan(0, "a port was assigned");
        s.Port.ShouldNotBe(ServerOptions.DefaultPort);
        s.Monitor.Port.ShouldBeGreaterThan(0, "a monitoring port was assigned");
    }

    [Fact, GoTest("server/server_test.go", "TestNilMonitoringPort")]
    public async Task NilMonitoringPort()
    {
        await using var s = InProcess.Run(new ServerOptions { HttpPort = 0, HttpsPort = 0 });
        s.Monitor.HttpRunning.ShouldBeFalse("no monitoring address");
    }

    [Fact, GoTest("server/server_test.go", "TestClientAdvertiseErrorOnStartup")]
    public void ClientAdvertiseErrorOnStartup()
    {
        string path = Path.Combine(Path.GetTempPath(), $"natsparity-adv-{Guid.NewGuid():N}.log");
        try
        {
            using (var logger = new Logging.ServerLogger(debug: false, trace: false, logtime: false, file: path))
            {
                var s = new NatsServer(new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, ClientAdvertise = "addr:::123" }, logger);
                Should.Throw<InvalidOperationException>(s.Start);
            }
            // Go's fatal error at start names the option.
            File.ReadAllText(path).ShouldContain("ClientAdvertise");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact, GoTest("server/server_test.go", "TestConcurrentShutdown")]
    public async Task ConcurrentShutdown()
    {
        var s = InProcess.Run(new ServerOptions { Accounts = [new NatsParity.Server.Accounts.Account("$SYS")], SystemAccount = "$SYS" });
        s.Events.ShouldNotBeNull("events enabled");
        using var start = new ManualResetEventSlim();
        var callers = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            await s.ShutdownAsync();
        })).ToArray();
        start.Set();
        var all = Task.WhenAll(callers);
        (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(5)))).ShouldBeSameAs(all, "concurrent shutdowns finish");
        await s.ShutdownCompleted;
    }

    [Fact, GoTest("server/server_test.go", "TestServerAuthBlockAndSysAccounts")]
    public async Task ServerAuthBlockAndSysAccounts()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            listen: 127.0.0.1:-1
            server_name: s-test
            authorization {
              users = [ { user: "u", password: "pass"} ]
            }
            accounts {
              $SYS: { users: [ { user: admin, password: pwd } ] }
            }
            """));
        await using var s = InProcess.Run(o);
        using (var nc = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            nc.SendAndFlush("CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"pass\"}\r\n");
        }
        using var anon = ProtoClient.Connect("127.0.0.1", s.Port);
        anon.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        anon.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Authorization Violation'");
    }
}
