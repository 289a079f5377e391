using System.Buffers.Binary;
using System.Net;
using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

/// <summary>Ports of server/client_proxyproto_test.go: PROXY protocol v1 and v2 headers on the client port, the
/// parser over byte buffers and whole connections (plain, TLS required, TLS first, allow_non_tls). The reference,
/// 2.9.10, has no proxy_protocol, so these run in process only.</summary>
public sealed class ProxyProtoTests
{
    private const string ConnectVerbose = "CONNECT {\"verbose\":true,\"pedantic\":false,\"protocol\":1}\r\n";

    /// <summary>Go's buildProxyV2Header: a PROXY command over TCP for an IPv4 or IPv6 family.</summary>
    private static byte[] V2Header(string srcIp, string dstIp, ushort srcPort, ushort dstPort, byte family)
    {
        var src = IPAddress.Parse(srcIp);
        var dst = IPAddress.Parse(dstIp);
        byte[] addr;
        switch (family)
        {
            case ProxyProtocol.FamilyInet:
                addr = new byte[ProxyProtocol.AddrSizeIPv4];
                src.MapToIPv4().GetAddressBytes().CopyTo(addr, 0);
                dst.MapToIPv4().GetAddressBytes().CopyTo(addr, 4);
                BinaryPrimitives.WriteUInt16BigEndian(addr.AsSpan(8), srcPort);
                BinaryPrimitives.WriteUInt16BigEndian(addr.AsSpan(10), dstPort);
                break;
            case ProxyProtocol.FamilyInet6:
                addr = new byte[ProxyProtocol.AddrSizeIPv6];
                src.MapToIPv6().GetAddressBytes().CopyTo(addr, 0);
                dst.MapToIPv6().GetAddressBytes().CopyTo(addr, 16);
                BinaryPrimitives.WriteUInt16BigEndian(addr.AsSpan(32), srcPort);
                BinaryPrimitives.WriteUInt16BigEndian(addr.AsSpan(34), dstPort);
                break;
            default:
                throw new ArgumentException($"unsupported address family: {family}");
        }
        var len = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(len, (ushort)addr.Length);
        return [.. ProxyProtocol.V2Sig, ProxyProtocol.V2Ver | ProxyProtocol.CmdProxy, (byte)(family | ProxyProtocol.ProtoStream), .. len, .. addr];
    }

    /// <summary>Go's buildProxyV2LocalHeader: a LOCAL command (a proxy's health check), no address.</summary>
    private static byte[] V2LocalHeader() =>
        [.. ProxyProtocol.V2Sig, ProxyProtocol.V2Ver | ProxyProtocol.CmdLocal, ProxyProtocol.FamilyUnspec | ProxyProtocol.ProtoUnspec, 0, 0];

    /// <summary>Go's buildProxyV1Header: the text line for TCP4, TCP6 or UNKNOWN.</summary>
    private static byte[] V1Header(string protocol, string srcIp, string dstIp, ushort srcPort, ushort dstPort)
    {
        if (protocol is not ("TCP4" or "TCP6" or "UNKNOWN")) throw new ArgumentException($"invalid protocol: {protocol}");
        return Encoding.ASCII.GetBytes(protocol == "UNKNOWN" ? "PROXY UNKNOWN\r\n" : $"PROXY {protocol} {srcIp} {dstIp} {srcPort} {dstPort}\r\n");
    }

    /// <summary>A v2 header made of the signature, the version/command and family/protocol bytes and <paramref name="rest"/>.</summary>
    private static byte[] V2Raw(byte verCmd, byte famProto, params byte[] rest) => [.. ProxyProtocol.V2Sig, verCmd, famProto, .. rest];

    // Go's mockConn: reads come from the buffer; an empty buffer reads as EOF.
    private static MemoryStream MockConn(byte[] data) => new(data, writable: false);

    /// <summary>A header read that succeeded with these source and destination addresses.</summary>
    private static ProxyProtoAddr ShouldBeAddr(ProxyProtoResult r, string srcHost, int srcPort, string dstHost, int dstPort)
    {
        r.Error.ShouldBe(ProxyProtoError.None, r.Message);
        var addr = r.Addr.ShouldNotBeNull();
        addr.SrcHost.ShouldBe(srcHost);
        addr.SrcPort.ShouldBe((ushort)srcPort);
        addr.DstHost.ShouldBe(dstHost);
        addr.DstPort.ShouldBe((ushort)dstPort);
        return addr;
    }

    private static Task<ProxyProtoResult> ReadV2(byte[] data) => ProxyProtocol.ReadV2HeaderAsync(MockConn(data)).AsTask();
    private static Task<ProxyProtoResult> Read(byte[] data) => ProxyProtocol.ReadHeaderAsync(MockConn(data)).AsTask();

    /// <summary>A v2 PROXY header for the given addresses parses to them, printed and named as Go's net.Addr.</summary>
    private static async Task V2Parses(string src, string dst, ushort srcPort, ushort dstPort, byte family, string printed, string network)
    {
        var r = await ReadV2(V2Header(src, dst, srcPort, dstPort, family));
        var addr = ShouldBeAddr(r, src, srcPort, dst, dstPort);
        addr.ToString().ShouldBe(printed);
        addr.Network.ShouldBe(network);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2ParseIPv4")]
    public Task V2ParseIPv4() => V2Parses("192.168.1.50", "10.0.0.1", 12345, 4222, ProxyProtocol.FamilyInet, "192.168.1.50:12345", "tcp4");

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2ParseIPv6")]
    public Task V2ParseIPv6() => V2Parses("2001:db8::1", "2001:db8::2", 54321, 4222, ProxyProtocol.FamilyInet6, "[2001:db8::1]:54321", "tcp6");

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2ParseLocalCommand")]
    public async Task V2ParseLocalCommand()
    {
        var r = await ReadV2(V2LocalHeader());
        r.Error.ShouldBe(ProxyProtoError.None, r.Message);
        r.Addr.ShouldBeNull();
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2InvalidSignature")]
    public async Task V2InvalidSignature()
    {
        var r = await ReadV2([.. "INVALID_SIG_"u8, 0x20, 0x11, 0x00, 0x0C]);
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: invalid signature");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2InvalidVersion")]
    public async Task V2InvalidVersion()
    {
        // Version 1 in the version nibble.
        var r = await ReadV2(V2Raw(0x10 | ProxyProtocol.CmdProxy, ProxyProtocol.FamilyInet | ProxyProtocol.ProtoStream, 0, 0));
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: invalid version 0x10");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2UnsupportedFamily")]
    public async Task V2UnsupportedFamily()
    {
        var r = await ReadV2(V2Raw(ProxyProtocol.V2Ver | ProxyProtocol.CmdProxy, ProxyProtocol.FamilyUnix | ProxyProtocol.ProtoStream, 0, 0));
        r.Error.ShouldBe(ProxyProtoError.Unsupported);
        r.Message.ShouldBe("unsupported PROXY protocol feature: unsupported address family 0x30");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2UnsupportedProtocol")]
    public async Task V2UnsupportedProtocol()
    {
        // UDP rather than TCP.
        var r = await ReadV2(V2Raw(ProxyProtocol.V2Ver | ProxyProtocol.CmdProxy, ProxyProtocol.FamilyInet | ProxyProtocol.ProtoDatagram, 0, 12));
        r.Error.ShouldBe(ProxyProtoError.Unsupported);
        r.Message.ShouldBe("unsupported PROXY protocol feature: only STREAM protocol supported");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2TruncatedHeader")]
    public async Task V2TruncatedHeader()
    {
        var header = V2Header("192.168.1.50", "10.0.0.1", 12345, 4222, ProxyProtocol.FamilyInet);
        var r = await ReadV2(header[..10]);
        r.Error.ShouldBe(ProxyProtoError.UnexpectedEof);
        r.Message.ShouldBe("failed to read PROXY protocol header: unexpected EOF");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2ShortAddressData")]
    public async Task V2ShortAddressData()
    {
        // An address length of 12 with only 5 bytes of address.
        var r = await ReadV2(V2Raw(ProxyProtocol.V2Ver | ProxyProtocol.CmdProxy, ProxyProtocol.FamilyInet | ProxyProtocol.ProtoStream, 0, 12, 1, 2, 3, 4, 5));
        r.Error.ShouldBe(ProxyProtoError.UnexpectedEof);
        r.Message.ShouldBe("failed to read IPv4 address data: unexpected EOF");
    }

    /// <summary>Go wraps the connection so that its remote address is the proxied one; ours keeps the socket and
    /// reports the proxied address wherever Go's RemoteAddr is asked (custom authentication), the peer unchanged.</summary>
    [Fact, GoTest("server/client_proxyproto_test.go", "TestProxyConnRemoteAddr")]
    public async Task ProxyConnRemoteAddr()
    {
        await using var s = InProcess.RunConf("proxy_protocol: true\n");
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        c.Send(V2Header("10.0.0.50", "10.0.0.1", 12345, 4222, ProxyProtocol.FamilyInet));
        c.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nPING\r\n");
        c.ReadInfo();
        c.ExpectLine(ProtoRegex.Pong);

        var client = s.Clients.Single();
        ((Auth.IClientAuthentication)client).RemoteAddress()!.ToString().ShouldBe("10.0.0.50:12345");
        var peer = client.PeerEndPoint.ShouldBeOfType<IPEndPoint>();
        (peer.Address.IsIPv4MappedToIPv6 ? peer.Address.MapToIPv4() : peer.Address).ToString().ShouldBe("127.0.0.1");
        peer.Port.ShouldNotBe(12345);
    }

    /// <summary>Go's search of s.clients for the host and port a PROXY header gave.</summary>
    private static ClientConnection? FindClient(NatsServer s, string ip, ushort port) =>
        s.Clients.FirstOrDefault(c => c.RemoteHost == ip && c.RemotePort == port);

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2EndToEnd")]
    public async Task V2EndToEnd()
    {
        await using var s = InProcess.RunConf("proxy_protocol: true\n");
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        const string clientIp = "203.0.113.50";
        const ushort clientPort = 54321;
        c.Send(V2Header(clientIp, "127.0.0.1", clientPort, 4222, ProxyProtocol.FamilyInet));
        c.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\n");
        c.ReadLine().ShouldContain("INFO");

        s.NumClients.ShouldNotBe(0);
        (await InProcess.WaitFor(() => FindClient(s, clientIp, clientPort) is not null, TimeSpan.FromSeconds(2))).ShouldBeTrue();
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2LocalCommandEndToEnd")]
    public async Task V2LocalCommandEndToEnd()
    {
        await using var s = InProcess.RunConf("proxy_protocol: true\n");
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        c.Send(V2LocalHeader());
        c.Send("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\n");
        c.ReadLine().ShouldContain("INFO");

        // A health check goes on as a plain connection.
        (await InProcess.WaitFor(() => s.NumClients != 0, TimeSpan.FromSeconds(2))).ShouldBeTrue();
        s.NumClients.ShouldNotBe(0);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1ParseTCP4")]
    public async Task V1ParseTcp4()
    {
        var r = await Read(V1Header("TCP4", "192.168.1.50", "10.0.0.1", 12345, 4222));
        ShouldBeAddr(r, "192.168.1.50", 12345, "10.0.0.1", 4222);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1ParseTCP6")]
    public async Task V1ParseTcp6()
    {
        var r = await Read(V1Header("TCP6", "2001:db8::1", "2001:db8::2", 54321, 4222));
        ShouldBeAddr(r, "2001:db8::1", 54321, "2001:db8::2", 4222);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1ParseTCP6IPv4Mapped")]
    public async Task V1ParseTcp6IPv4Mapped()
    {
        // A dual-stack proxy's IPv4 client on an IPv6 socket.
        var r = await Read(V1Header("TCP6", "::ffff:192.0.2.1", "::ffff:10.0.0.1", 1234, 4222));
        ShouldBeAddr(r, "192.0.2.1", 1234, "10.0.0.1", 4222);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1MismatchedDestProtocol")]
    public async Task V1MismatchedDestProtocol()
    {
        var r = await Read(V1Header("TCP4", "192.168.1.1", "2001:db8::2", 12345, 443));
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: TCP4 with IPv6 address");

        r = await Read(V1Header("TCP6", "2001:db8::1", "10.0.0.1", 12345, 443));
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: TCP6 with IPv4 address");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1ParseUnknown")]
    public async Task V1ParseUnknown()
    {
        var r = await Read(V1Header("UNKNOWN", "", "", 0, 0));
        r.Error.ShouldBe(ProxyProtoError.None, r.Message);
        r.Addr.ShouldBeNull();
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1PreservesCoalescedClientBytes")]
    public async Task V1PreservesCoalescedClientBytes()
    {
        var header = V1Header("TCP4", "192.168.1.50", "10.0.0.1", 12345, 4222);
        var connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\n"u8.ToArray();
        using var conn = MockConn([.. header, .. connect]);
        var r = await ProxyProtocol.ReadHeaderAsync(conn);
        r.Error.ShouldBe(ProxyProtoError.None, r.Message);
        r.Addr.ShouldNotBeNull();
        Encoding.ASCII.GetString(r.Bytes).ShouldBe(Encoding.ASCII.GetString(connect));

        // Nothing is left unread behind the bytes given back.
        (await new StreamReader(conn).ReadToEndAsync()).Length.ShouldBe(0);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1InvalidFormat")]
    public async Task V1InvalidFormat()
    {
        // Fields missing.
        var r = await Read("PROXY TCP4 192.168.1.1\r\n"u8.ToArray());
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: invalid v1 format");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1LineTooLong")]
    public async Task V1LineTooLong()
    {
        string longIp = string.Concat(Enumerable.Repeat("1234567890", 12));
        var r = await Read(Encoding.ASCII.GetBytes($"PROXY TCP4 {longIp} 10.0.0.1 12345 443\r\n"));
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: v1 line too long");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1InvalidIP")]
    public async Task V1InvalidIp()
    {
        var r = await Read("PROXY TCP4 not.an.ip.addr 10.0.0.1 12345 443\r\n"u8.ToArray());
        r.Error.ShouldBe(ProxyProtoError.Invalid);
        r.Message.ShouldBe("invalid PROXY protocol header: invalid address");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1MismatchedProtocol")]
    public async Task V1MismatchedProtocol()
    {
        var r = await Read(V1Header("TCP4", "2001:db8::1", "2001:db8::2", 12345, 443));
        r.Error.ShouldBe(ProxyProtoError.Invalid);

        r = await Read(V1Header("TCP6", "192.168.1.1", "10.0.0.1", 12345, 443));
        r.Error.ShouldBe(ProxyProtoError.Invalid);
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1InvalidPort")]
    public async Task V1InvalidPort()
    {
        var r = await Read("PROXY TCP4 192.168.1.1 10.0.0.1 99999 443\r\n"u8.ToArray());
        r.Ok.ShouldBeFalse();
        r.Message.ShouldBe("invalid source port: strconv.ParseUint: parsing \"99999\": value out of range");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1EndToEnd")]
    public async Task V1EndToEnd()
    {
        await using var s = InProcess.RunConf("proxy_protocol: true\n");
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false);
        const string clientIp = "203.0.113.50";
        const ushort clientPort = 54321;
        // Header and the first commands in one write: the bytes read past the header must reach the parser.
        c.Send([.. V1Header("TCP4", clientIp, "127.0.0.1", clientPort, 4222), .. Encoding.ASCII.GetBytes(ConnectVerbose + "PING\r\n")]);
        c.ReadLine().ShouldStartWith("INFO ");
        c.ReadLine().ShouldStartWith("+OK");
        c.ExpectLine(ProtoRegex.Pong);

        (await InProcess.WaitFor(() => FindClient(s, clientIp, clientPort) is not null, TimeSpan.FromSeconds(2))).ShouldBeTrue();
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoVersionDetection")]
    public async Task VersionDetection()
    {
        var r1 = await Read(V1Header("TCP4", "192.168.1.1", "10.0.0.1", 12345, 443));
        r1.Error.ShouldBe(ProxyProtoError.None, r1.Message);
        r1.Addr.ShouldNotBeNull().SrcHost.ShouldBe("192.168.1.1");

        var r2 = await Read(V2Header("192.168.1.2", "10.0.0.1", 54321, 443, ProxyProtocol.FamilyInet));
        r2.Error.ShouldBe(ProxyProtoError.None, r2.Message);
        r2.Addr.ShouldNotBeNull().SrcHost.ShouldBe("192.168.1.2");
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoUnrecognizedVersion")]
    public async Task UnrecognizedVersion()
    {
        var r = await Read("HELLO WORLD\r\n"u8.ToArray());
        r.Error.ShouldBe(ProxyProtoError.Unrecognized);
        // The bytes the detection read are given back for the next layer.
        Encoding.ASCII.GetString(r.Bytes).ShouldBe("HELLO ");
    }

    private static string Conf(TestPki pki, string more = "", params string[] tls) =>
        "proxy_protocol: true\n" + pki.TlsBlock(["timeout: 2", .. tls]) + more;

    /// <summary>Go's connectProxyProtoTLS: what an L4 proxy and a TLS client do over one connection — the PROXY
    /// header, the INFO in the clear (nothing after it), then the handshake.</summary>
    private static ProtoClient ConnectTls(NatsServer s, TestPki pki, byte[] header)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false, timeout: TimeSpan.FromSeconds(5));
        try
        {
            c.Send(header);
            c.ReadLine().ShouldStartWith("INFO ");
            c.BufferedCount.ShouldBe(0);
            c.UpgradeToTls(null, pki.Ca);
            return c;
        }
        catch
        {
            c.Dispose();
            throw;
        }
    }

    /// <summary>CONNECT (verbose) and PING over the connection: +OK then PONG.</summary>
    private static void ConnectAndPing(ProtoClient c)
    {
        c.Send(ConnectVerbose + "PING\r\n");
        c.ReadLine().ShouldStartWith("+OK");
        c.ExpectLine(ProtoRegex.Pong);
    }

    private static async Task RequiredTls(byte[] header, string clientIp, ushort clientPort)
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki));
        using var c = ConnectTls(s, pki, header);
        ConnectAndPing(c);
        (await InProcess.WaitFor(() => FindClient(s, clientIp, clientPort) is not null, TimeSpan.FromSeconds(1), 10)).ShouldBeTrue();
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1WithRequiredTLS")]
    public Task V1WithRequiredTls() =>
        RequiredTls(V1Header("TCP4", "203.0.113.50", "127.0.0.1", 54321, 4222), "203.0.113.50", 54321);

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2WithRequiredTLS")]
    public Task V2WithRequiredTls() =>
        RequiredTls(V2Header("203.0.113.51", "127.0.0.1", 54322, 4222, ProxyProtocol.FamilyInet), "203.0.113.51", 54322);

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoNonProxiedTLSFirstFallback")]
    public async Task NonProxiedTlsFirstFallback()
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki, "", "handshake_first: 250ms"));
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false, timeout: TimeSpan.FromSeconds(5));
        // A direct TLS-first client, no PROXY header: the handshake at once, within the fallback delay.
        c.UpgradeToTls(null, pki.Ca);
        c.ReadLine().ShouldStartWith("INFO ");
        ConnectAndPing(c);
    }

    /// <summary>Go's testClientProxyProtoAllowNonTLS: with allow_non_tls the first byte after the PROXY header, not
    /// the header's, tells TLS from plain text; proxied TLS and plain-text clients both connect.</summary>
    private static async Task AllowNonTls(byte[] header, string clientIp, ushort clientPort)
    {
        using var pki = new TestPki();
        await using var s = InProcess.RunConf(Conf(pki, "allow_non_tls: true\n"));

        using (var c = ConnectTls(s, pki, header))
        {
            ConnectAndPing(c);
            (await InProcess.WaitFor(() => FindClient(s, clientIp, clientPort) is not null, TimeSpan.FromSeconds(1), 10)).ShouldBeTrue();

            using var plain = ProtoClient.Connect("127.0.0.1", s.Port, readInfo: false, timeout: TimeSpan.FromSeconds(5));
            plain.Send(header);
            plain.ReadLine().ShouldStartWith("INFO ");
            ConnectAndPing(plain);
        }
    }

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV1WithAllowNonTLS")]
    public Task V1WithAllowNonTls() =>
        AllowNonTls(V1Header("TCP4", "203.0.113.60", "127.0.0.1", 54331, 4222), "203.0.113.60", 54331);

    [Fact, GoTest("server/client_proxyproto_test.go", "TestClientProxyProtoV2WithAllowNonTLS")]
    public Task V2WithAllowNonTls() =>
        AllowNonTls(V2Header("203.0.113.61", "127.0.0.1", 54332, 4222, ProxyProtocol.FamilyInet), "203.0.113.61", 54332);

    // Behaviour of Go's createClientEx and reload.go around the header that the Go tests above do not check.

    [Fact]
    public async Task ProxiedAddressReplacesThePeersAndBadHeaderIsAProtocolViolation()
    {
        var sw = new StringWriter();
        // The synchronized writer locks itself for each write; reads take the same lock.
        var stderr = TextWriter.Synchronized(sw);
        string Log() { lock (stderr) return sw.ToString(); }
        await using var s = InProcess.Run(new ServerOptions { ProxyProtocol = true },
            NatsParity.Server.Logging.ServerLogger.NewStdLogger(false, false, false, false, false, stderr: stderr));
        Log().ShouldContain("PROXY protocol enabled for client connections");

        using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            // The first INFO would otherwise give the proxy's address as the client's.
            c.Info!.Value.TryGetProperty("client_ip", out _).ShouldBeFalse();
            c.Send([.. V1Header("TCP4", "203.0.113.70", "127.0.0.1", 40000, 4222), .. "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n"u8]);
            c.ExpectLine(ProtoRegex.Pong);
            // The INFO after the first PONG names the proxied client.
            c.ReadInfo().GetProperty("client_ip").GetString().ShouldBe("203.0.113.70");

            var (json, err) = s.Monitor.Render(NatsParity.Server.Monitoring.Monitor.ConnzPath, NatsParity.Server.Monitoring.MonitorQuery.From(new Dictionary<string, string>()));
            err.ShouldBeNull();
            using var doc = System.Text.Json.JsonDocument.Parse(json!);
            var conn = doc.RootElement.GetProperty("connections")[0];
            conn.GetProperty("ip").GetString().ShouldBe("203.0.113.70");
            conn.GetProperty("port").GetInt32().ShouldBe(40000);
        }
        (await InProcess.WaitFor(() => s.Closed.Count == 1, TimeSpan.FromSeconds(5))).ShouldBeTrue();
        s.Closed.Snapshot()[0].Host.ShouldBe("203.0.113.70");

        using (var bad = ProtoClient.Connect("127.0.0.1", s.Port))
        {
            bad.Send("PROXY TCP4 192.168.1.1\r\n");
            bad.ExpectClosed(TimeSpan.FromSeconds(5));
        }
        (await InProcess.WaitFor(() => s.Closed.Count == 2, TimeSpan.FromSeconds(5))).ShouldBeTrue();
        s.Closed.Snapshot().ShouldContain(cc => cc.Reason == ClosedState.ProtocolViolation);
        Log().ShouldMatch(@"Error reading PROXY protocol header from 127\.0\.0\.1:\d+: invalid PROXY protocol header: invalid v1 format");
    }

    [Fact]
    public async Task ProxyProtocolCannotBeReloaded()
    {
        const string listen = "listen: \"127.0.0.1:-1\"\n";
        await using var s = InProcess.RunConf(listen + "proxy_protocol: true\n", out string conf);
        s.Options.ProxyProtocol.ShouldBeTrue();
        File.WriteAllText(conf, listen + "proxy_protocol: false\n");
        s.Reload().ShouldBe("config reload not supported for ProxyProtocol: old=true, new=false");
    }
}
