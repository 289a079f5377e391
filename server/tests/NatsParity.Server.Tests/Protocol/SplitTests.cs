using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Protocol;

/// <summary>Ports of server/split_test.go (client kind): operations split across reads at awkward places.</summary>
public sealed class SplitTests
{
    private static ClientConnection Client(out NatsServer server)
    {
        server = new NatsServer(new ServerOptions { NoLog = true, MaxPayload = -1, MaxControlLine = 1024 });
        return new ClientConnection(server, 1);
    }

    private static void Parse(ClientConnection c, byte[] buf, int start, int end)
    {
        var part = buf[start..end];
        c.ParseForTest(part).ShouldBeNull();
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferSubOp")]
    public void SplitBufferSubOp()
    {
        var c = Client(out var s);
        var subop = Encoding.ASCII.GetBytes("SUB foo 1\r\n");
        Parse(c, subop, 0, 6);
        c.Parser.State.ShouldBe(ParserState.SubArg);
        Parse(c, subop, 6, subop.Length);
        c.Parser.State.ShouldBe(ParserState.OpStart);
        var r = s.Sublist.Match("foo");
        r.Psubs.Length.ShouldBe(1);
        var sub = r.Psubs[0];
        sub.Subject.ShouldBe("foo");
        Encoding.ASCII.GetString(sub.Sid).ShouldBe("1");
        sub.Queue.ShouldBeNull();
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferUnsubOp")]
    public void SplitBufferUnsubOp()
    {
        var c = Client(out var s);
        c.ParseForTest(Encoding.ASCII.GetBytes("SUB foo 1024\r\n")).ShouldBeNull();
        c.Parser.State.ShouldBe(ParserState.OpStart);
        var unsubop = Encoding.ASCII.GetBytes("UNSUB 1024\r\n");
        Parse(c, unsubop, 0, 8);
        c.Parser.State.ShouldBe(ParserState.UnsubArg);
        Parse(c, unsubop, 8, unsubop.Length);
        c.Parser.State.ShouldBe(ParserState.OpStart);
        s.Sublist.Match("foo").Psubs.Length.ShouldBe(0);
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferPubOp")]
    public void SplitBufferPubOp()
    {
        var c = Client(out _);
        var pub = Encoding.ASCII.GetBytes("PUB foo.bar INBOX.22 11\r\nhello world\r");
        Parse(c, pub, 0, 2);
        c.Parser.State.ShouldBe(ParserState.OpPu);
        Parse(c, pub, 2, 9);
        c.Parser.State.ShouldBe(ParserState.PubArg);
        Parse(c, pub, 9, 15);
        c.Parser.State.ShouldBe(ParserState.PubArg);
        Parse(c, pub, 15, 22);
        c.Parser.State.ShouldBe(ParserState.PubArg);
        Parse(c, pub, 22, 25);
        c.Parser.State.ShouldBe(ParserState.MsgPayload);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo.bar");
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe("INBOX.22");
        c.Parser.Pa.Size.ShouldBe(11);
        Parse(c, pub, 25, 33);
        c.Parser.State.ShouldBe(ParserState.MsgPayload);
        Parse(c, pub, 33, pub.Length);
        c.Parser.State.ShouldBe(ParserState.MsgEndN);
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferPubOp2")]
    public void SplitBufferPubOp2()
    {
        var c = Client(out _);
        var pub = Encoding.ASCII.GetBytes("PUB foo.bar INBOX.22 11\r\nhello world\r\n");
        Parse(c, pub, 0, 30);
        c.Parser.State.ShouldBe(ParserState.MsgPayload);
        Parse(c, pub, 30, pub.Length);
        c.Parser.State.ShouldBe(ParserState.OpStart);
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferPubOp3")]
    public void SplitBufferPubOp3()
    {
        var c = Client(out _);
        var pubAll = Encoding.ASCII.GetBytes("PUB foo bar 11\r\nhello world\r\n");
        c.Parser.Parse(pubAll, 16).ShouldBeNull();
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        // The read buffer is reused by the next read: the arguments must have been copied out.
        Encoding.ASCII.GetBytes("XXXXXXXXXXXXXXXX").CopyTo(pubAll, 0);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe("bar");
        Encoding.ASCII.GetString(c.Parser.SizeBytes).ShouldBe("11");
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferPubOp4")]
    public void SplitBufferPubOp4()
    {
        var c = Client(out _);
        var pubAll = Encoding.ASCII.GetBytes("PUB foo 11\r\nhello world\r\n");
        c.Parser.Parse(pubAll, 12).ShouldBeNull();
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        Encoding.ASCII.GetBytes("XXXXXXXXXXXX").CopyTo(pubAll, 0);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe("");
        Encoding.ASCII.GetString(c.Parser.SizeBytes).ShouldBe("11");
    }

    [Fact, GoTest("server/split_test.go", "TestSplitBufferPubOp5")]
    public void SplitBufferPubOp5()
    {
        var c = Client(out _);
        var pubAll = Encoding.ASCII.GetBytes("PUB foo 11\r\nhello world\r\n");
        c.Parser.Parse(pubAll, pubAll.Length - 1).ShouldBeNull();
        c.Parser.MsgBufText.ShouldNotBeNull();
        c.Parser.MsgBufText.ShouldBe("hello world\r");
    }

    [Fact, GoTest("server/split_test.go", "TestSplitConnectArg")]
    public void SplitConnectArg()
    {
        var c = Client(out _);
        var connectAll = Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false,\"tls_required\":false," +
            "\"user\":\"test\",\"pedantic\":true,\"pass\":\"pass\"}\r\n");
        var argJson = Encoding.ASCII.GetString(connectAll, 8, connectAll.Length - 8);
        Parse(c, connectAll, 0, 5);
        c.Parser.ArgBufText.ShouldBeNull();
        Parse(c, connectAll, 5, 22);
        c.Parser.ArgBufText.ShouldBe(argJson[..14]);
        Parse(c, connectAll, 22, connectAll.Length - 2);
        c.Parser.ArgBufText.ShouldBe(argJson[..^2]);
        Parse(c, connectAll, connectAll.Length - 2, connectAll.Length);
        c.Parser.ArgBufText.ShouldBeNull();
    }
}
