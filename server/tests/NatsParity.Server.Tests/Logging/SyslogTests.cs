using System.Net;
using System.Net.Sockets;
using System.Text;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Log;

/// <summary>Ports of logger/syslog_test.go: the syslog loggers, their tag, and remote syslog over UDP as a test
/// syslog server receives it.</summary>
public sealed class SyslogTests
{
    /// <summary>
    /// Go's startServer and runSyslog: a UDP socket on a free loopback port that gathers what arrives until a read
    /// deadline passes. Go's deadline is 100ms from the start; this one is longer so a loaded machine does not lose
    /// the line, which only makes the "nothing arrives" tests wait a little longer.
    /// </summary>
    private sealed class SyslogServer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Task<string> _done;

        public SyslogServer()
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            Fqn = $"udp://{_socket.LocalEndPoint}";
            var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
            _done = Task.Run(async () =>
            {
                var buf = new byte[4096];
                var rcvd = new StringBuilder();
                while (true)
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero) break;
                    using var cts = new CancellationTokenSource(left);
                    int n;
                    try
                    {
                        n = await _socket.ReceiveAsync(buf, SocketFlags.None, cts.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    if (n == 0) break;
                    rcvd.Append(Encoding.UTF8.GetString(buf, 0, n));
                }
                return rcvd.ToString();
            });
        }

        public string Fqn { get; }

        /// <summary>Go's &lt;-done: everything received before the deadline.</summary>
        public string Done() => _done.GetAwaiter().GetResult();

        public void Dispose() => _socket.Dispose();
    }

    /// <summary>Go's expectSyslogOutput: the message after the "tag[pid]: " header.</summary>
    private static void ExpectSyslogOutput(string line, string expected)
    {
        string[] data = line.Split("]: ");
        data.Length.ShouldBe(2, $"Unexpected syslog line {line}");
        data[1].ShouldBe(expected);
    }

    /// <summary>
    /// A stand-in for the local syslog daemon (this machine may have no /dev/log, where Go's test would stop the
    /// process): a unix datagram socket the logger is pointed at, as Go's unixSyslog would find the daemon's.
    /// </summary>
    private static (Socket Socket, string Path) LocalDaemon()
    {
        string path = Path.Combine(Path.GetTempPath(), $"natsparity-syslog-{Guid.NewGuid():N}.sock");
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.ReceiveTimeout = 5000;
        return (s, path);
    }

    private static void CheckSysLogger(bool debug, bool trace)
    {
        var (daemon, path) = LocalDaemon();
        try
        {
            using var logger = ServerLogger.NewSysLogger(debug, trace, socketPaths: [path]);
            logger.DebugEnabled.ShouldBe(debug);
            logger.TraceEnabled.ShouldBe(trace);
            // The daemon gets local syslog's format: facility daemon, severity notice (3*8+5), the tag and pid.
            logger.Notice("foo");
            var buf = new byte[4096];
            string line = Encoding.UTF8.GetString(buf, 0, daemon.Receive(buf));
            line.ShouldStartWith("<29>");
            line.ShouldEndWith($"{ServerLogger.GetSysLoggerTag()}[{Environment.ProcessId}]: foo\n");
        }
        finally
        {
            daemon.Dispose();
            File.Delete(path);
        }
    }

    [Fact, GoTest("logger/syslog_test.go", "TestSysLogger")]
    public void SysLogger() => CheckSysLogger(false, false);

    [Fact, GoTest("logger/syslog_test.go", "TestSysLoggerWithDebugAndTrace")]
    public void SysLoggerWithDebugAndTrace() => CheckSysLogger(true, true);

    [Fact, GoTest("logger/syslog_test.go", "TestSysLoggerTagGen")]
    public void SysLoggerTagGen()
    {
        void TestTag(string exePath, string expected) => ServerLogger.GetSysLoggerTag(exePath).ShouldBe(expected);
        TestTag("nats-server", "nats-server");
        TestTag(Path.Join(".", "nats-server"), "nats-server");
        TestTag(Path.Join("home", "bin", "nats-server"), "nats-server");
        TestTag(Path.Join("..", "..", "nats-server"), "nats-server");
        TestTag("nats-server.service1", "nats-server.service1");
        TestTag("nats-server_service1", "nats-server_service1");
        TestTag("nats-server-service1", "nats-server-service1");
        TestTag("nats-server service1", "nats-server service1");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestSysLoggerTag")]
    public void SysLoggerTag()
    {
        // Go's test sets os.Args[0]; the tag is what the logger derives from it.
        const string arg0 = "ServerLoggerTag";
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, true, true, tag: ServerLogger.GetSysLoggerTag(arg0));
        logger.Notice("foo");
        string line = server.Done();
        string[] data = line.Split('[');
        data.Length.ShouldBe(2, $"Unexpected syslog line {line}");
        data[0].ShouldContain(arg0);
    }

    [Fact, GoTest("logger/syslog_test.go", "TestRemoteSysLogger")]
    public void RemoteSysLogger()
    {
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, true, true);
        logger.DebugEnabled.ShouldBeTrue();
        logger.TraceEnabled.ShouldBeTrue();
        logger.Notice("foo");
        server.Done().ShouldEndWith("]: foo\n");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestRemoteSysLoggerNotice")]
    public void RemoteSysLoggerNotice()
    {
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, true, true);
        logger.Notice($"foo {"bar"}");
        ExpectSyslogOutput(server.Done(), "foo bar\n");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestRemoteSysLoggerDebug")]
    public void RemoteSysLoggerDebug()
    {
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, true, true);
        logger.Debug($"foo {"qux"}");
        ExpectSyslogOutput(server.Done(), "foo qux\n");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestRemoteSysLoggerDebugDisabled")]
    public void RemoteSysLoggerDebugDisabled()
    {
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, false, false);
        logger.Debug($"foo {"qux"}");
        server.Done().ShouldBe("");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestRemoteSysLoggerTrace")]
    public void RemoteSysLoggerTrace()
    {
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, true, true);
        logger.Trace($"foo {"qux"}");
        ExpectSyslogOutput(server.Done(), "foo qux\n");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestRemoteSysLoggerTraceDisabled")]
    public void RemoteSysLoggerTraceDisabled()
    {
        using var server = new SyslogServer();
        using var logger = ServerLogger.NewRemoteSysLogger(server.Fqn, true, false);
        logger.Trace($"foo {"qux"}");
        server.Done().ShouldBe("");
    }

    [Fact, GoTest("logger/syslog_test.go", "TestGetNetworkAndAddrUDP")]
    public void GetNetworkAndAddrUdp() => ServerLogger.GetNetworkAndAddr("udp://foo.com:1000").ShouldBe(("udp", "foo.com:1000"));

    [Fact, GoTest("logger/syslog_test.go", "TestGetNetworkAndAddrTCP")]
    public void GetNetworkAndAddrTcp() => ServerLogger.GetNetworkAndAddr("tcp://foo.com:1000").ShouldBe(("tcp", "foo.com:1000"));

    [Fact, GoTest("logger/syslog_test.go", "TestGetNetworkAndAddrUnix")]
    public void GetNetworkAndAddrUnix() => ServerLogger.GetNetworkAndAddr("unix:///foo.sock").ShouldBe(("unix", "/foo.sock"));
}
