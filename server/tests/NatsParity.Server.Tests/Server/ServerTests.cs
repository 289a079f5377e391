using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using NATS.Client.Core;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/server_test.go (single node).</summary>
public sealed class ServerTests
{
    [Fact, GoTest("server/server_test.go", "TestSemanticVersion")]
    public void SemanticVersion()
    {
        // Go's semVerRe from const.go.
        var semVer = new Regex(@"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$");
        semVer.IsMatch(NatsServer.Version).ShouldBeTrue(NatsServer.Version);
    }

    [Fact, GoTest("server/server_test.go", "TestStartupAndShutdown")]
    public async Task StartupAndShutdown()
    {
        await using var s = InProcess.Run(new ServerOptions { NoSystemAccount = true });
        s.Port.ShouldBeGreaterThan(0);
        s.NumClients.ShouldBeInRange(0, 1);
        s.Sublist.Count.ShouldBe(0u);
        await s.ShutdownAsync();
        s.ShutdownCompleted.IsCompleted.ShouldBeTrue();
    }

    [Fact, GoTest("server/server_test.go", "TestInfoServerNameDefaultsToPK")]
    public void InfoServerNameDefaultsToPK()
    {
        var s = new NatsServer(new ServerOptions { Port = 4222, ClientAdvertise = "nats.example.com", NoLog = true });
        s.Name.ShouldBe(s.ServerId);
    }

    [Fact, GoTest("server/server_test.go", "TestInfoServerNameIsSettable")]
    public void InfoServerNameIsSettable()
    {
        var s = new NatsServer(new ServerOptions { Port = 4222, ClientAdvertise = "nats.example.com", ServerName = "test_server_name", NoLog = true });
        s.Name.ShouldBe("test_server_name");
    }

    [Fact, GoTest("server/server_test.go", "TestMaxConnections")]
    public async Task MaxConnections()
    {
        await using var s = InProcess.Run(new ServerOptions { MaxConnections = 1 });
        await using var nc = new NatsConnection(InProcess.ClientOpts(s));
        await nc.ConnectAsync();
        await using var nc2 = new NatsConnection(InProcess.ClientOpts(s));
        await Should.ThrowAsync<NatsException>(async () => await nc2.ConnectAsync());
    }

    [Fact, GoTest("server/server_test.go", "TestMaxConnectionsPreventsAll")]
    public async Task MaxConnectionsPreventsAll()
    {
        await using var s = InProcess.Run(new ServerOptions { MaxConnections = -1 });
        await using var nc = new NatsConnection(InProcess.ClientOpts(s));
        await Should.ThrowAsync<NatsException>(async () => await nc.ConnectAsync());
    }

    [Fact, GoTest("server/server_test.go", "TestMaxSubscriptions")]
    public async Task MaxSubscriptions()
    {
        await using var s = InProcess.Run(new ServerOptions { MaxSubscriptions = 10 });
        // Raw protocol: NATS.Client.Core's own inbox subscription would count against the limit, nats.go's does not.
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false}\r\n");
        for (int i = 0; i < 10; i++) nc.Send($"SUB foo.{i} {i + 1}\r\n");
        nc.Send("PING\r\n");
        nc.ReadLine().ShouldBe("PONG\r\n");
        nc.Send("SUB foo.22 22\r\nPING\r\n");
        nc.ReadLine().ShouldBe("-ERR 'maximum subscriptions exceeded'\r\n");
        nc.ReadLine().ShouldBe("PONG\r\n");
    }

    [Fact, GoTest("server/server_test.go", "TestProcessCommandLineArgs")]
    public void ProcessCommandLineArgs()
    {
        var r = CommandLine.Parse(["-a", "127.0.0.1", "-p", "9090"]);
        r.Action.ShouldBe(CommandLineAction.Run);
        r.Error.ShouldBeEmpty();
        (r.Options.Host, r.Options.Port).ShouldBe(("127.0.0.1", 9090));

        CommandLine.Parse(["version"]).Action.ShouldBe(CommandLineAction.Version);
        CommandLine.Parse(["help"]).Action.ShouldBe(CommandLineAction.Help);

        var bad = CommandLine.Parse(["foo", "-p", "9090"]);
        bad.Action.ShouldBe(CommandLineAction.Exit);
        bad.Error.ShouldBe("unrecognized command: \"foo\"");
    }

    [Fact, GoTest("server/server_test.go", "TestServerConfigLastLineComments")]
    public async Task ServerConfigLastLineComments()
    {
        var conf = ConfigParser.Parse("""

            {
                "listen":  "0.0.0.0:4222"
            }
            # wibble

            """);
        var o = new ServerOptions();
        ConfigLoader.Apply(o, conf);
        (o.Host, o.Port).ShouldBe(("0.0.0.0", 4222));
        o.Port = ServerOptions.RandomPort;
        await using var s = InProcess.Run(o);
        await using var nc = new NatsConnection(InProcess.ClientOpts(s));
        await nc.ConnectAsync();
    }

    [Fact, GoTest("server/server_test.go", "TestServerLogsConfigurationFile")]
    public async Task ServerLogsConfigurationFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            var o = new ServerOptions { Port = ServerOptions.RandomPort, LogFile = file, ConfigFile = file };
            var s = InProcess.Run(o);
            await s.ShutdownAsync();
            s.Logger.Dispose();
            File.ReadAllText(file).ShouldContain($"Using configuration file: {file}");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact, GoTest("server/server_test.go", "TestLameDuckOptionsValidation")]
    public void LameDuckOptionsValidation()
    {
        var o = new ServerOptions { LameDuckDuration = TimeSpan.FromSeconds(5), LameDuckGracePeriod = TimeSpan.FromSeconds(10), NoLog = true };
        var ex = Should.Throw<ArgumentException>(() => new NatsServer(o));
        ex.Message.ShouldContain("should be strictly lower");
        ex.Message.ShouldStartWith("lame duck grace period (10s) should be strictly lower than lame duck duration (5s)");
    }
    [Fact, GoTest("server/server_test.go", "TestAcceptError")]
    public async Task AcceptError()
    {
        await using var s = InProcess.Run(new ServerOptions { NoSystemAccount = true });
        var orgDelay = TimeSpan.FromHours(1);
        (await s.AcceptError("Test", new InvalidOperationException("any error"), orgDelay)).ShouldBe(orgDelay,
            "with this type of error, delay should have stayed same");

        // A temporary accept error (Go's net.Error with Temporary true).
        var ne = new SocketException((int)SocketError.TooManyOpenSockets);
        orgDelay = TimeSpan.FromMilliseconds(10);
        (await s.AcceptError("Test", ne, orgDelay)).ShouldBe(2 * orgDelay, "expected delay to double");
        orgDelay = NatsServer.AcceptMaxSleep * 60 / 100;
        (await s.AcceptError("Test", ne, orgDelay)).ShouldBe(NatsServer.AcceptMaxSleep, "expected delay to be capped");

        var start = Stopwatch.StartNew();
        var pending = Task.Run(() => s.AcceptError("Test", ne, orgDelay));
        await Task.Delay(100);
        // Shutdown cuts the pause short.
        await s.ShutdownAsync();
        start.Elapsed.ShouldBeLessThan(NatsServer.AcceptMaxSleep, "shutdown took too long");
        await pending;
        (await s.AcceptError("Test", ne, orgDelay)).ShouldBeLessThan(TimeSpan.Zero, "expected delay to be negative");
    }

    [Fact, GoTest("server/server_test.go", "TestClientWriteLoopStall")]
    public async Task ClientWriteLoopStall()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\n");
        nc.Flush();
        ulong cid = nc.Info!.Value.GetProperty("client_id").GetUInt64();
        using var sender = ProtoClient.Connect("127.0.0.1", s.Port);
        sender.Send("CONNECT {\"verbose\":false}\r\n");

        // As Go's shortWriteConn: each write gets at most 10 bytes through.
        var c = s.Clients.Single(x => x.Cid == cid);
        lock (c.SyncRoot) c.WriteHook = (data, _, write) => write(data.Length > 10 ? data[..10] : data);

        sender.Send($"PUB foo 100\r\n{new string('\0', 100)}\r\n");
        // The whole message gets through, not just its first 10 bytes, and the connection gets no error.
        nc.ReadLine(TimeSpan.FromSeconds(3)).ShouldBe("MSG foo 1 100\r\n", "write loop has stalled");
        nc.ReadLine(TimeSpan.FromSeconds(3)).ShouldBe(new string('\0', 100) + "\r\n", "write loop has stalled");
        nc.ExpectNothing(TimeSpan.FromMilliseconds(250));
    }
    [Fact, GoTest("server/server_test.go", "TestMonitoringNoTimeout")]
    public async Task MonitoringNoTimeout()
    {
        // Go's runMonitorServer.
        await using var s = InProcess.Run(new ServerOptions { HttpHost = "127.0.0.1", HttpPort = ServerOptions.RandomPort, NoSystemAccount = true });
        var limits = s.Monitor.HttpLimits;
        limits.ShouldNotBeNull("monitoring server not set");
        // Kestrel's read and write timeouts are its minimum request body and response data rates.
        limits.MinRequestBodyDataRate.ShouldBeNull("read timeout should not be set");
        limits.MinResponseDataRate.ShouldBeNull("write timeout should not be set");
    }
    [Fact, GoTest("server/server_test.go", "TestClientAdvertiseConnectURL")]
    public void ClientAdvertiseConnectURL()
    {
        var opts = new ServerOptions { Host = "127.0.0.1", Port = 4222, ClientAdvertise = "nats.example.com", NoLog = true };
        var s = new NatsServer(opts);
        var urls = s.ClientConnectUrls();
        urls.Count.ShouldBe(1, $"expected to get one url with ClientAdvertise {opts.ClientAdvertise}");
        urls[0].ShouldBe("nats.example.com:4222");

        opts.ClientAdvertise = "nats.example.com:7777";
        s = new NatsServer(opts);
        urls = s.ClientConnectUrls();
        urls.Count.ShouldBe(1, $"expected to get one url with ClientAdvertise {opts.ClientAdvertise}");
        urls[0].ShouldBe("nats.example.com:7777");
        s.InfoHostPort.Host.ShouldBe("nats.example.com");
        s.InfoHostPort.Port.ShouldBe(7777);

        opts = new ServerOptions { Host = "127.0.0.1", Port = 0, ClientAdvertise = "nats.example.com:7777", NoLog = true };
        s = new NatsServer(opts);
        s.InfoHostPort.ShouldBe(("nats.example.com", 7777));
    }
}
