using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/tls_test.go: users named by the client certificate's distinguished name (domain components,
/// several values of one type, multi-valued relative names, other orders).</summary>
public sealed partial class TlsTests
{
    /// <summary>Go's test/configs/certs/rdns client certificates, by their OpenSSL -subj (all with the DNS names
    /// localhost, example.com and www.example.com).</summary>
    private static readonly Dictionary<string, string> RdnSubjects = new()
    {
        ["a"] = "/C=US/ST=CA/L=Los Angeles/O=NATS/OU=NATS/CN=localhost/DC=foo1/DC=foo2",
        ["b"] = "/C=US/ST=CA/L=Los Angeles/O=NATS/OU=NATS/CN=localhost",
        ["c"] = "/C=US/ST=CA/L=Los Angeles/O=NATS/OU=NATS/CN=localhost/DC=foo3/DC=foo4",
        ["d"] = "/C=US/ST=CA/L=Los Angeles/OU=NATS/O=NATS/CN=*.example.com/DC=example/DC=com",
        ["e"] = "/CN=John Doe/CN=123456/CN=jdoe/OU=Users/OU=Organic Units/DC=acme/DC=com",
        ["f"] = "/DC=org/DC=OpenSSL/DC=DEV+O=users/CN=John Doe",
    };

    /// <summary>A user entry named by <paramref name="dn"/>, with subscriptions denied when <paramref name="denySubscribe"/>.</summary>
    private static string U(string dn, bool denySubscribe = false) =>
        $"{{ user = \"{dn}\"{(denySubscribe ? ", permissions = { subscribe = { deny = \">\" }}" : "")} }}";

    /// <summary>The cases of TestTLSClientAuthWithRDNSequence: users, the certificate, whether the connection is
    /// refused, and whether a request on it goes unanswered.</summary>
    public static TheoryData<ServerTarget, string, string[], string, bool, bool> RdnSequenceCases => Cases(
        ("connect with tls using full RDN sequence",
            [U("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2")], "a", false, false),
        ("connect with tls using full RDN sequence in original order",
            [U("DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US")], "a", false, false),
        ("connect with tls using partial RDN sequence has different permissions",
            [U("DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"),
             U("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2"),
             U("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US", denySubscribe: true)], "b", false, true),
        ("connect with tls and RDN sequence partially matches",
            [U("DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US"),
             U("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2"),
             U("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US")], "c", false, false),
        ("connect with tls and RDN sequence does not match",
            [U("CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=foo1,DC=foo2"),
             U("DC=foo2,DC=foo1,CN=localhost,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US")], "c", true, false),
        ("connect with tls and RDN sequence with space after comma not should matter",
            [U("DC=foo2, DC=foo1, CN=localhost, OU=NATS, O=NATS, L=Los Angeles, ST=CA, C=US")], "a", false, false),
        ("connect with tls and full RDN sequence respects order",
            [U("DC=com, DC=example, CN=*.example.com, O=NATS, OU=NATS, L=Los Angeles, ST=CA, C=US")], "d", false, false),
        ("connect with tls and full RDN sequence with added domainComponents and spaces also matches",
            [U("CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=example,DC=com")], "d", false, false),
        ("connect with tls and full RDN sequence with correct order takes precedence over others matches",
            [U("CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US,DC=example,DC=com", denySubscribe: true),
             U("DC=com,DC=example,CN=*.example.com,O=NATS,OU=NATS,L=Los Angeles,ST=CA,C=US"),
             U("CN=*.example.com,OU=NATS,O=NATS,L=Los Angeles,ST=CA,C=US", denySubscribe: true)], "d", false, false),
        ("connect with tls and RDN includes multiple CN elements",
            [U("DC=com,DC=acme,OU=Organic Units,OU=Users,CN=jdoe,CN=123456,CN=John Doe")], "e", false, false),
        ("connect with tls and DN includes a multi value RDN",
            [U("CN=John Doe,DC=DEV+O=users,DC=OpenSSL,DC=org")], "f", false, false),
        ("connect with tls and DN includes a multi value RDN but there is no match",
            [U("CN=John Doe,DC=DEV,DC=OpenSSL,DC=org")], "f", true, false),
        ("connect with tls and DN includes a multi value RDN that are reordered",
            [U("CN=John Doe,O=users+DC=DEV,DC=OpenSSL,DC=org")], "f", false, false));

    public static TheoryData<ServerTarget, string, string[], string, bool, bool> RdnSequenceReorderedCases => Cases(
        ("connect with tls and DN includes a multi value RDN that are reordered",
            [U("DC=org,DC=OpenSSL,O=users+DC=DEV,CN=John Doe")], "f", false, false),
        ("connect with tls and DN includes a multi value RDN that are reordered but not equal RDNs",
            [U("DC=org,DC=OpenSSL,O=users,CN=John Doe")], "f", true, false),
        ("connect with tls and DN includes a multi value RDN that are reordered but not equal RDNs (2)",
            [U("DC=OpenSSL, DC=org, O=users, CN=John Doe")], "f", true, false));

    private static TheoryData<ServerTarget, string, string[], string, bool, bool> Cases(
        params (string Name, string[] Users, string Cert, bool Refused, bool Unanswered)[] cases)
    {
        var data = new TheoryData<ServerTarget, string, string[], string, bool, bool>();
        foreach (var target in ServerTargets.Selected)
            foreach (var c in cases)
                data.Add(target, c.Name, c.Users, c.Cert, c.Refused, c.Unanswered);
        return data;
    }

    [Theory, MemberData(nameof(RdnSequenceCases)), GoTest("test/tls_test.go", "TestTLSClientAuthWithRDNSequence")]
    public void TlsClientAuthWithRdnSequence(ServerTarget target, string name, string[] users, string cert, bool refused, bool unanswered) =>
        RdnCase(target, name, users, cert, refused, unanswered);

    [Theory, MemberData(nameof(RdnSequenceReorderedCases)), GoTest("test/tls_test.go", "TestTLSClientAuthWithRDNSequenceReordered")]
    public void TlsClientAuthWithRdnSequenceReordered(ServerTarget target, string name, string[] users, string cert, bool refused, bool unanswered) =>
        RdnCase(target, name, users, cert, refused, unanswered);

    private static void RdnCase(ServerTarget target, string name, string[] users, string cert, bool refused, bool unanswered)
    {
        using var pki = new TestPki();
        var client = pki.ClientWithSubject("client-" + cert, RdnSubjects[cert], ["localhost", "example.com", "www.example.com"]);
        string entries = string.Concat(users.Select(u => "    " + u + "\n"));
        using var server = NatsServerProcess.Start(target, MapConf(pki, "authorization {\n  users = [\n" + entries + "  ]\n}\n", false, "timeout: 5"));

        using var nc = TlsClient(server, pki, client.Cert);
        nc.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        string first = nc.ReadLine(TimeSpan.FromSeconds(5));
        if (refused)
        {
            first.ShouldStartWith("-ERR 'Authorization Violation'", customMessage: name);
            return;
        }
        first.ShouldBe("PONG\r\n", name);

        // Go's check: a subscriber on "ping" answers a request.
        nc.Send("SUB ping 1\r\nSUB _INBOX.rdn 2\r\nPUB ping _INBOX.rdn 4\r\nping\r\n");
        bool answered = false;
        if (nc.Drain(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)).Contains("MSG ping 1 _INBOX.rdn 4\r\n", StringComparison.Ordinal))
        {
            nc.Send("PUB _INBOX.rdn 4\r\npong\r\n");
            answered = nc.Drain(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1)).Contains("MSG _INBOX.rdn 2 4\r\n", StringComparison.Ordinal);
        }
        answered.ShouldBe(!unanswered, name);
    }
}
