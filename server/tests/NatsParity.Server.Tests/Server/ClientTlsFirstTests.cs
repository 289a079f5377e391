using System.Diagnostics;
using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/client_test.go for TLS handshake first (the client's handshake before the server's INFO),
/// with and without a fallback delay for clients that wait for INFO. The reference, 2.9.10, predates the option.</summary>
public sealed class ClientTlsFirstTests
{
    private static string Conf(TestPki pki, string first, string more = "") =>
        "listen: \"127.0.0.1:-1\"\n" + pki.TlsBlock("timeout: 1", $"first: {first}") + more;

    /// <summary>A TLS client: handshake first (then INFO), or INFO first (then the handshake); CONNECT and PONG.</summary>
    private static ProtoClient ConnectTls(NatsServer s, TestPki pki, bool tlsFirst, TimeSpan? pauseAfterDial = null)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        try
        {
            if (pauseAfterDial is { } pause) Thread.Sleep(pause);
            if (tlsFirst)
            {
                c.UpgradeToTls(null, pki.Ca);
                c.ReadInfo().GetProperty("tls_required").GetBoolean().ShouldBeTrue();
            }
            else
            {
                c.ReadInfo();
                c.UpgradeToTls(null, pki.Ca);
            }
            c.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            c.ExpectLine(ProtoRegex.Pong);
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <summary>Go's connect helper: the connection works or fails as expected; a handshake-first one is flagged so in
    /// connz.</summary>
    private static void Connect(NatsServer s, TestPki pki, bool tlsFirst, bool expectedOk)
    {
        if (!expectedOk)
        {
            Should.Throw<Exception>(() => ConnectTls(s, pki, tlsFirst).Dispose());
            return;
        }
        using var c = ConnectTls(s, pki, tlsFirst);
        if (tlsFirst) ConnTlsFirst(s).ShouldBeTrue();
    }

    /// <summary>connz's tls_first of the only open connection.</summary>
    private static bool ConnTlsFirst(NatsServer s)
    {
        var (json, err) = s.Monitor.Render(Monitor.ConnzPath, MonitorQuery.From(new Dictionary<string, string>()));
        err.ShouldBeNull();
        using var doc = JsonDocument.Parse(json!);
        var conn = doc.RootElement.GetProperty("connections")[0];
        return conn.TryGetProperty("tls_first", out var f) && f.GetBoolean();
    }

    private static void WaitForNoClients(NatsServer s)
    {
        var sw = Stopwatch.StartNew();
        while (s.NumClients > 0 && sw.Elapsed < TimeSpan.FromSeconds(2)) Thread.Sleep(10);
        s.NumClients.ShouldBe(0);
    }

    [Fact, GoTest("server/client_test.go", "TestTLSClientHandshakeFirst")]
    public async Task TlsClientHandshakeFirst()
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki, "true"), out string conf);

        // The server wants the handshake first and the client does not: no connection.
        Connect(s, pki, tlsFirst: false, expectedOk: false);
        // Both handshake first.
        Connect(s, pki, tlsFirst: true, expectedOk: true);

        // Reloaded without handshake first: a client doing it first fails, the others connect.
        File.WriteAllText(conf, Conf(pki, "false"));
        s.Reload().ShouldBeNull();
        Connect(s, pki, tlsFirst: true, expectedOk: false);
        Connect(s, pki, tlsFirst: false, expectedOk: true);

        // And with it again.
        File.WriteAllText(conf, Conf(pki, "true"));
        s.Reload().ShouldBeNull();
        Connect(s, pki, tlsFirst: true, expectedOk: true);
    }

    public static TheoryData<string, string, bool, int> FirstValues => new()
    {
        { "first as boolean true", "true", true, 0 },
        { "first as boolean false", "false", false, 0 },
        { "first as string true", "\"true\"", true, 0 },
        { "first as string false", "\"false\"", false, 0 },
        { "first as string on", "on", true, 0 },
        { "first as string off", "off", false, 0 },
        { "first as string auto", "auto", true, 50 },
        { "first as string auto_fallback", "auto_fallback", true, 50 },
        { "first as fallback duration", "300ms", true, 300 },
    };

    [Theory, MemberData(nameof(FirstValues)), GoTest("server/client_test.go", "TestTLSClientHandshakeFirstFallbackDelayConfigValues")]
    public async Task TlsClientHandshakeFirstFallbackDelayConfigValues(string name, string val, bool first, int delayMs)
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki, val), out _);
        s.Options.TlsHandshakeFirst.ShouldBe(first, name);
        s.Options.TlsHandshakeFirstFallback.ShouldBe(TimeSpan.FromMilliseconds(delayMs), name);
    }

    [Fact, GoTest("server/client_test.go", "TestTLSClientHandshakeFirstFallbackDelay")]
    public async Task TlsClientHandshakeFirstFallbackDelay()
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki, "auto"), out string conf);
        var pause = ServerOptions.DefaultTlsHandshakeFirstFallback + TimeSpan.FromMilliseconds(100);

        // A client that waits for INFO, pausing after the dial beyond the fallback delay, is accepted.
        using (ConnectTls(s, pki, tlsFirst: false, pauseAfterDial: pause))
        {
            ConnTlsFirst(s).ShouldBeFalse();
        }
        WaitForNoClients(s);

        // A longer fallback delay; a client doing the handshake first does not wait for it.
        File.WriteAllText(conf, Conf(pki, "\"1s\""));
        s.Reload().ShouldBeNull();
        var sw = Stopwatch.StartNew();
        using (ConnectTls(s, pki, tlsFirst: true, pauseAfterDial: pause))
        {
            (sw.Elapsed - pause).ShouldBeLessThan(TimeSpan.FromMilliseconds(500));
            ConnTlsFirst(s).ShouldBeTrue();
        }
    }

    [Fact, GoTest("server/client_test.go", "TestTLSClientHandshakeFirstFallbackDelayAndAllowNonTLS")]
    public async Task TlsClientHandshakeFirstFallbackDelayAndAllowNonTls()
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki, "true", "allow_non_tls: true\n"), out string conf);

        // Handshake first without a fallback: only clients doing it first, allow_non_tls or not.
        using (ConnectTls(s, pki, tlsFirst: true)) ConnTlsFirst(s).ShouldBeTrue();
        Should.Throw<Exception>(() => ConnectTls(s, pki, tlsFirst: false).Dispose());
        Should.Throw<Exception>(() =>
        {
            using var plain = ProtoClient.Connect("127.0.0.1", s.Port);
            plain.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
        });

        // With a fallback delay, all three kinds get in.
        File.WriteAllText(conf, Conf(pki, "\"25ms\"", "allow_non_tls: true\n"));
        s.Reload().ShouldBeNull();

        void CheckConnInfo(bool isTls, bool isTlsFirst)
        {
            var (json, err) = s.Monitor.Render(Monitor.ConnzPath, MonitorQuery.From(new Dictionary<string, string>()));
            err.ShouldBeNull();
            using var doc = JsonDocument.Parse(json!);
            var conn = doc.RootElement.GetProperty("connections")[0];
            conn.TryGetProperty("tls_version", out _).ShouldBe(isTls);
            (conn.TryGetProperty("tls_first", out var f) && f.GetBoolean()).ShouldBe(isTls && isTlsFirst);
        }
        using (ConnectTls(s, pki, tlsFirst: true)) CheckConnInfo(true, true);
        WaitForNoClients(s);
        using (ConnectTls(s, pki, tlsFirst: false)) CheckConnInfo(true, false);
        WaitForNoClients(s);
        using (var plain = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            plain.Info!.Value.GetProperty("tls_available").GetBoolean().ShouldBeTrue();
            plain.SendAndFlush("CONNECT {\"verbose\":false}\r\n");
            CheckConnInfo(false, false);
        }
    }

    public static TheoryData<string, bool, string, string> NoticeCases => new()
    {
        { "tls only", false, "false", "TLS required for client connections" },
        { "allow non tls", true, "false", "TLS available for client connections" },
        // Handshake first without a fallback refuses non-TLS clients even with allow_non_tls.
        { "allow non tls and tls first", true, "true", "TLS required for client connections" },
        // With a fallback delay they are accepted once it has passed.
        { "allow non tls and tls first with fallback", true, "\"25ms\"", "TLS available for client connections" },
    };

    [Theory, MemberData(nameof(NoticeCases)), GoTest("server/client_test.go", "TestTLSClientNoticeWithAllowNonTLS")]
    public async Task TlsClientNoticeWithAllowNonTls(string name, bool allowNonTls, string first, string expected)
    {
        using var pki = new TestPki();
        string log = Path.Combine(pki.Dir, "server.log");
        string conf = Conf(pki, first, (allowNonTls ? "allow_non_tls: true\n" : "") + $"log_file: \"{log}\"\n");
        await using (InProcess.RunConf(conf, out _))
        {
        }
        var all = File.ReadAllLines(log);
        var notices = all.Where(l => l.Contains("[INF] ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf("[INF] ", StringComparison.Ordinal) + 6)..])
            .Where(l => l.StartsWith("TLS ", StringComparison.Ordinal) && l.EndsWith(" for client connections", StringComparison.Ordinal)).ToList();
        notices.ShouldBe([expected], name + "\n" + string.Join("\n", all));
    }
}
