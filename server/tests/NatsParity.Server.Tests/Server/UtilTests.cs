using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/util_test.go for the helpers the server has: the protocol's size parsing, the
/// host:port parsing of client_advertise and the redaction of passwords in URLs.</summary>
public sealed class UtilTests
{
    [Fact, GoTest("server/util_test.go", "TestParseSize")]
    public void ParseSize()
    {
        ProtocolParser.ParseSize(default).ShouldBe(-1, "should error on an empty slice");
        ProtocolParser.ParseSize("12345678"u8).ShouldBe(12345678);
        ProtocolParser.ParseSize("12345invalid678"u8).ShouldBe(-1);
    }

    [Fact, GoTest("server/util_test.go", "TestParseHostPort")]
    public void ParseHostPort()
    {
        void Check(string hostPort, int defaultPort, string expectedHost, int expectedPort, bool expectedErr)
        {
            var (h, p, err) = NatsServer.ParseHostPort(hostPort, defaultPort);
            if (expectedErr)
            {
                err.ShouldNotBeNull($"expected an error for \"{hostPort}\"");
                return;
            }
            err.ShouldBeNull($"unexpected error for \"{hostPort}\"");
            h.ShouldBe(expectedHost);
            p.ShouldBe(expectedPort);
        }
        Check("addr:1234", 5678, "addr", 1234, false);
        Check(" addr:1234 ", 5678, "addr", 1234, false);
        Check(" addr : 1234 ", 5678, "addr", 1234, false);
        Check("addr", 5678, "addr", 5678, false);
        Check(" addr ", 5678, "addr", 5678, false);
        Check("addr:-1", 5678, "addr", 5678, false);
        Check(" addr:-1 ", 5678, "addr", 5678, false);
        Check(" addr : -1 ", 5678, "addr", 5678, false);
        Check("addr:0", 5678, "addr", 5678, false);
        Check(" addr:0 ", 5678, "addr", 5678, false);
        Check(" addr : 0 ", 5678, "addr", 5678, false);
        Check("addr:addr", 0, "", 0, true);
        Check("addr:::1234", 0, "", 0, true);
        Check("", 0, "", 0, true);
    }

    [Fact, GoTest("server/util_test.go", "TestURLRedaction")]
    public void UrlRedactionOfPasswords()
    {
        (string Full, string Safe)[] redactionFromTo =
        [
            ("nats://foo:bar@example.org", "nats://foo:xxxxx@example.org"),
            ("nats://foo@example.org", "nats://foo@example.org"),
            ("nats://example.org", "nats://example.org"),
            ("nats://example.org/foo?bar=1", "nats://example.org/foo?bar=1"),
        ];
        var listFull = new List<Uri?>();
        var listSafe = new List<Uri?>();
        for (int i = 0; i < redactionFromTo.Length; i++)
        {
            var (full, safe) = redactionFromTo[i];
            UrlRedaction.RedactUrlString(full).ShouldBe(safe, $"Redacting URL [index {i}] {full}");
            listFull.Add(new Uri(full));
            listSafe.Add(new Uri(safe));
        }
        // Uri equality leaves out the user info, so the lists are compared as Go's DeepEqual would: whole URLs.
        UrlRedaction.RedactUrlList(listFull).Select(u => u?.OriginalString).ShouldBe(listSafe.Select(u => u?.OriginalString),
            "Redacting URL list did not compare equal, even after each URL did");
    }
}
