using System.Diagnostics;
using NatsParity.Server.Clients;
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
}
