using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/pid_test.go, test/port_test.go, test/ports_test.go and test/opts_test.go: the pid and ports
/// files, a random port, and conf values the INFO carries.</summary>
public sealed class StartupFilesTests
{
    [Fact, GoTest("test/pid_test.go", "TestPidFile")]
    public async Task PidFile()
    {
        string file = Path.GetTempFileName();
        try
        {
            var s = InProcess.Run(new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, PidFile = file, NoSystemAccount = true });
            await s.ShutdownAsync();
            // Read after the shutdown, which leaves it.
            string text = File.ReadAllText(file);
            text.Length.ShouldBeGreaterThan(0, "expected a non-zero length pid_file");
            int.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(Environment.ProcessId);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact, GoTest("test/port_test.go", "TestResolveRandomPort")]
    public async Task ResolveRandomPort()
    {
        var opts = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, NoSystemAccount = true };
        await using var s = InProcess.Run(opts);
        int port = s.Port;
        port.ShouldNotBe(ServerOptions.DefaultPort, "expected server to choose a random port");
        port.ShouldNotBe(ServerOptions.RandomPort, "expected server to choose a random port");
        opts.Port.ShouldBe(port, "options port should have been overridden by chosen random port");
    }

    private static async Task<byte[]> WaitForFile(string path, TimeSpan timeout)
    {
        var end = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < end)
        {
            if (File.Exists(path)) return await File.ReadAllBytesAsync(path);
            await Task.Delay(25);
        }
        throw new FileNotFoundException($"no file {path} within {timeout}");
    }

    /// <summary>Go's portFile: the ports file in <paramref name="dir"/> (named after the executable and pid).</summary>
    private static string PortFile(string dir) => Directory.GetFiles(dir, "*.ports").SingleOrDefault() ?? "";

    [Fact, GoTest("test/ports_test.go", "TestPortsFileReload")]
    public async Task PortsFileReload()
    {
        string tempDir = Directory.CreateTempSubdirectory("natsparity-ports-").FullName;
        try
        {
            string dirA = Path.Combine(tempDir, "A");
            Directory.CreateDirectory(dirA);
            string confPath = Path.Combine(tempDir, $"{Environment.ProcessId}.conf");
            File.WriteAllText(confPath, $"ports_file_dir: \"{dirA}\"\nport: -1\n");
            var opts = ServerOptions.FromConfigFile(confPath);
            opts.NoLog = true;
            await using var s = InProcess.Run(opts);

            string inA = PortFile(dirA);
            inA.ShouldStartWith(dirA);
            (await WaitForFile(inA, TimeSpan.FromSeconds(5))).Length.ShouldBeGreaterThan(0);

            // Moved to dir B by a reload.
            string dirB = Path.Combine(tempDir, "B");
            Directory.CreateDirectory(dirB);
            File.WriteAllText(confPath, $"ports_file_dir: \"{dirB}\"\nport: -1\n");
            s.Reload().ShouldBeNull();
            string inB = PortFile(dirB);
            inB.ShouldStartWith(dirB);
            (await WaitForFile(inB, TimeSpan.FromSeconds(5))).Length.ShouldBeGreaterThan(0);
            // The file in A went away.
            File.Exists(inA).ShouldBeFalse($"the port file {inA} was not deleted");
        }
        finally
        {
            Directory.Delete(tempDir, true);
        }
    }

    [Theory, TargetData, GoTest("test/opts_test.go", "TestServerConfig")]
    public void ServerConfig(ServerTarget target)
    {
        // test/configs/override.conf
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with { Extra = "max_payload: 2222\n" });
        using var c = ProtoClient.Connect(server);
        c.Info!.Value.GetProperty("max_payload").GetInt32().ShouldBe(2222);
    }

    [Theory, TargetData, GoTest("test/opts_test.go", "TestTLSConfig")]
    public void TlsConfig(ServerTarget target)
    {
        using var pki = new TestPki();
        // test/configs/tls.conf
        using var server = NatsServerProcess.Start(target, GoTestServers.Default with
        {
            Extra = $"tls {{\n  cert_file: \"{pki.ServerCertFile}\"\n  key_file: \"{pki.ServerKeyFile}\"\n  timeout: 2\n}}\n"
                + "authorization {\n  user: derek\n  password: monkey\n  timeout: 1\n}\n",
        });
        using var c = ProtoClient.Connect(server);
        c.Info!.Value.GetProperty("tls_required").GetBoolean().ShouldBeTrue("expected TLSRequired to be true when configured");
    }
}
