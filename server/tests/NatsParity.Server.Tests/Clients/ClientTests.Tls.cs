using System.Diagnostics;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestNonTLSConnectionState")]
    public void NonTlsConnectionState()
    {
        var (_, c) = SetupClient();
        c.C.TlsState.ShouldBeNull("TLS connection state of a connection without TLS");
    }

    [Fact, GoTest("server/client_test.go", "TestClientCloseTLSConnection")]
    public async Task ClientCloseTlsConnection()
    {
        // Go's configs/tls.conf, with a 100s TLS timeout as the test sets it.
        using var pki = new TestPki();
        static string Q(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";
        await using var s = InProcess.RunConf(
            $"listen: \"127.0.0.1:-1\"\nno_sys_acc: true\ntls {{\n  cert_file: {Q(pki.ServerCertFile)}\n  key_file: {Q(pki.ServerKeyFile)}\n  timeout: 100\n}}\n" +
            "authorization {\n  user: derek\n  password: foo\n  timeout: 1\n}\n");

        using var conn = ProtoClient.Connect("127.0.0.1", s.Port);
        conn.UpgradeToTls(null, pki.Ca);
        conn.Send("CONNECT {\"user\":\"derek\",\"pass\":\"foo\",\"verbose\":false,\"pedantic\":false,\"tls_required\":true}\r\n");
        conn.Send("PING\r\n");
        conn.ReadLine(TimeSpan.FromSeconds(2)).ShouldBe("PONG\r\n");

        (await InProcess.WaitFor(() => s.NumClients == 1, TimeSpan.FromSeconds(2), pollMs: 15)).ShouldBeTrue($"expected 1 client, got {s.NumClients}");
        var cli = s.Clients.Single();
        cli.TlsState.ShouldNotBeNull("TLS connection state of a TLS connection");
        cli.RemoteHost.ShouldBe("127.0.0.1", "remote address");

        // Fill the connection while its peer reads nothing, so that the server's write to it cannot complete.
        var chunk = new byte[64 * 1024];
        long last = -1;
        for (int i = 0; i < 128; i++) cli.EnqueueProto(chunk);
        for (var wait = Stopwatch.StartNew(); wait.Elapsed < TimeSpan.FromSeconds(3);)
        {
            await Task.Delay(100);
            long pending = cli.PendingBytes;
            if (pending > 0 && pending == last) break;
            last = pending;
        }
        cli.PendingBytes.ShouldBeGreaterThan(0, "the writes should be blocked");

        // Closing it must not block on that write.
        var closing = Task.Run(() => cli.Close(ClosedState.ClientClosed));
        (await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(3)))).ShouldBeSameAs(closing, "close is blocked");
        await closing;
        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2), pollMs: 15)).ShouldBeTrue($"expected 0 clients, got {s.NumClients}");
    }
    [Theory, GoTest("server/client_test.go", "TestTLSClientHandshakeProbeErrorsLogAsDebug", Since = "2.15")]
    [InlineData("timeout", 0.01, "", false, true, false)]
    [InlineData("not_tls_first_record", 1, "plain", false, true, false)]
    [InlineData("pinned_cert_failure", 1, "tls", true, false, true)]
    public async Task TlsClientHandshakeProbeErrorsLogAsDebug(string name, double timeout, string peer, bool pinned, bool wantDebug, bool wantErrLog)
    {
        using var pki = new TestPki();
        string path = Path.Combine(Path.GetTempPath(), $"natsparity-probe-{Guid.NewGuid():N}.log");
        try
        {
            using (var logger = new ServerLogger(debug: true, trace: false, logtime: false, file: path))
            {
                var o = new ServerOptions
                {
                    NoSystemAccount = true, Tls = true, TlsCert = pki.ServerCertFile, TlsKey = pki.ServerKeyFile,
                    TlsTimeout = TimeSpan.FromSeconds(timeout),
                    // Any pin fails: the client presents no certificate.
                    TlsPinnedCerts = pinned ? [new string('0', 64)] : null,
                };
                await using var s = InProcess.Run(o, logger);
                using var c = ProtoClient.Connect("127.0.0.1", s.Port);
                switch (peer)
                {
                    case "plain":
                        c.Send("not tls\r\n");
                        break;
                    case "tls":
                        try { c.UpgradeToTls(null, pki.Ca); } catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException) { }
                        break;
                }
                (await InProcess.WaitFor(() => s.Closed.TotalClosed > 0, TimeSpan.FromSeconds(3), pollMs: 15)).ShouldBeTrue($"{name}: the handshake did not fail");
                await Task.Delay(100);
            }
            string[] lines = ReadShared(path).Split('\n');
            bool gotDebug = lines.Any(l => l.Contains("[DBG]") && l.Contains("TLS handshake error"));
            bool gotErrLog = lines.Any(l => l.Contains("[ERR]") && l.Contains("TLS handshake error"));
            gotDebug.ShouldBe(wantDebug, $"{name}: debug TLS handshake error log");
            gotErrLog.ShouldBe(wantErrLog, $"{name}: error TLS handshake error log");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string ReadShared(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var r = new StreamReader(fs);
        return r.ReadToEnd();
    }
}
