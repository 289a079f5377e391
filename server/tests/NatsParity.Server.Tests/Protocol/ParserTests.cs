using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Protocol;

/// <summary>Ports of server/parser_test.go: the state machine driven byte by byte on a socketless client.</summary>
public sealed class ParserTests
{
    /// <summary>Go's dummyClient: no max payload, the default max control line.</summary>
    private static ClientConnection DummyClient(int maxControlLine = ProtocolParser.MaxControlLineSize, int maxPayload = -1) =>
        new(new NatsServer(new ServerOptions { NoLog = true, MaxPayload = maxPayload, MaxControlLine = maxControlLine }), 1);

    private static string? Parse(ClientConnection c, string proto) => c.ParseForTest(Encoding.ASCII.GetBytes(proto));

    private static void Step(ClientConnection c, string proto, ParserState expected)
    {
        Parse(c, proto).ShouldBeNull();
        c.Parser.State.ShouldBe(expected);
    }

    private static void ClearSnapshots(ClientConnection c)
    {
        c.Parser.Release();
        c.Parser.State = ParserState.OpStart;
    }

    [Fact, GoTest("server/parser_test.go", "TestParsePing")]
    public void ParsePing()
    {
        var c = DummyClient();
        c.Parser.State.ShouldBe(ParserState.OpStart);
        Step(c, "P", ParserState.OpP);
        Step(c, "I", ParserState.OpPi);
        Step(c, "N", ParserState.OpPin);
        Step(c, "G", ParserState.OpPing);
        Step(c, "\r", ParserState.OpPing);
        Step(c, "\n", ParserState.OpStart);
        Step(c, "PING\r\n", ParserState.OpStart);
        // Spaces are tolerated.
        Step(c, "PING  \r", ParserState.OpPing);
        c.Parser.State = ParserState.OpStart;
        Step(c, "PING  \r  \n", ParserState.OpStart);
    }

    [Fact, GoTest("server/parser_test.go", "TestParsePong")]
    public void ParsePong()
    {
        var c = DummyClient();
        c.Parser.State.ShouldBe(ParserState.OpStart);
        Step(c, "P", ParserState.OpP);
        Step(c, "O", ParserState.OpPo);
        Step(c, "N", ParserState.OpPon);
        Step(c, "G", ParserState.OpPong);
        Step(c, "\r", ParserState.OpPong);
        Step(c, "\n", ParserState.OpStart);
        c.PingsOut.ShouldBe(0);
        Step(c, "PONG\r\n", ParserState.OpStart);
        c.PingsOut.ShouldBe(0);
        Step(c, "PONG  \r", ParserState.OpPong);
        c.Parser.State = ParserState.OpStart;
        Step(c, "PONG  \r  \n", ParserState.OpStart);
        c.PingsOut.ShouldBe(0);

        // A PONG resets the count of outstanding PINGs.
        c.Parser.State = ParserState.OpStart;
        c.PingsOut = 10;
        Step(c, "PONG\r\n", ParserState.OpStart);
        c.PingsOut.ShouldBe(0);
    }

    [Fact, GoTest("server/parser_test.go", "TestParseConnect")]
    public void ParseConnect()
    {
        var c = DummyClient();
        Step(c, "CONNECT {\"verbose\":false,\"pedantic\":true,\"tls_required\":false}\r\n", ParserState.OpStart);
        c.Parser.ArgStart.ShouldBe(8);
    }

    [Fact, GoTest("server/parser_test.go", "TestParseSub")]
    public void ParseSub()
    {
        var c = DummyClient();
        var sub = "SUB foo 1\r";
        Step(c, sub, ParserState.SubArg);
        c.Parser.ArgStart.ShouldBe(4);
        c.Parser.Drop.ShouldBe(1);
        sub[c.Parser.ArgStart..].ShouldBe("foo 1\r");
    }

    [Fact, GoTest("server/parser_test.go", "TestParsePub")]
    public void ParsePub()
    {
        var c = DummyClient();
        Step(c, "PUB foo 5\r\nhello\r", ParserState.MsgEndN);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        c.Parser.Reply.Length.ShouldBe(0);
        c.Parser.Pa.Size.ShouldBe(5);

        ClearSnapshots(c);
        Step(c, "PUB foo.bar INBOX.22 11\r\nhello world\r", ParserState.MsgEndN);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo.bar");
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe("INBOX.22");
        c.Parser.Pa.Size.ShouldBe(11);

        // More data than the size announced.
        ClearSnapshots(c);
        Parse(c, "PUB foo.bar 11\r\nhello world hello world\r").ShouldNotBeNull();
        c.Parser.HasMsgBuf.ShouldBeFalse();
    }

    [Fact, GoTest("server/parser_test.go", "TestParsePubSizeOverflow")]
    public void ParsePubSizeOverflow()
    {
        var c = DummyClient();
        Parse(c, "PUB foo 3333333333333333333333333333333333333333333333333333333333333333\r\n").ShouldNotBeNull();
    }

    public static TheoryData<string, string, string, int, string> PubArgs => new()
    {
        { "a 2", "a", "", 2, "2" }, { "a 222", "a", "", 222, "222" }, { "foo 22", "foo", "", 22, "22" },
        { " foo 22", "foo", "", 22, "22" }, { "foo 22 ", "foo", "", 22, "22" }, { "foo   22", "foo", "", 22, "22" },
        { " foo 22 ", "foo", "", 22, "22" }, { " foo   22 ", "foo", "", 22, "22" }, { "foo bar 22", "foo", "bar", 22, "22" },
        { " foo bar 22", "foo", "bar", 22, "22" }, { "foo bar 22 ", "foo", "bar", 22, "22" }, { "foo  bar  22", "foo", "bar", 22, "22" },
        { " foo bar 22 ", "foo", "bar", 22, "22" }, { "  foo   bar  22  ", "foo", "bar", 22, "22" },
        { "  foo   bar  2222  ", "foo", "bar", 2222, "2222" }, { "  foo     2222  ", "foo", "", 2222, "2222" },
        { "a\t2", "a", "", 2, "2" }, { "a\t222", "a", "", 222, "222" }, { "foo\t22", "foo", "", 22, "22" },
        { "\tfoo\t22", "foo", "", 22, "22" }, { "foo\t22\t", "foo", "", 22, "22" }, { "foo\t\t\t22", "foo", "", 22, "22" },
        { "\tfoo\t22\t", "foo", "", 22, "22" }, { "\tfoo\t\t\t22\t", "foo", "", 22, "22" }, { "foo\tbar\t22", "foo", "bar", 22, "22" },
        { "\tfoo\tbar\t22", "foo", "bar", 22, "22" }, { "foo\tbar\t22\t", "foo", "bar", 22, "22" },
        { "foo\t\tbar\t\t22", "foo", "bar", 22, "22" }, { "\tfoo\tbar\t22\t", "foo", "bar", 22, "22" },
        { "\t \tfoo\t \t \tbar\t \t22\t \t", "foo", "bar", 22, "22" }, { "\t\tfoo\t\t\tbar\t\t2222\t\t", "foo", "bar", 2222, "2222" },
        { "\t \tfoo\t \t \t\t\t2222\t \t", "foo", "", 2222, "2222" },
    };

    [Theory, MemberData(nameof(PubArgs)), GoTest("server/parser_test.go", "TestParsePubArg")]
    public void ParsePubArg(string arg, string subject, string reply, int size, string szb)
    {
        var c = DummyClient();
        c.Parser.ProcessPubArg(arg).ShouldBeNull();
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe(subject);
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe(reply);
        Encoding.ASCII.GetString(c.Parser.SizeBytes).ShouldBe(szb);
        c.Parser.Pa.Size.ShouldBe(size);
    }

    [Fact, GoTest("server/parser_test.go", "TestParsePubBadSize")]
    public void ParsePubBadSize()
    {
        var c = DummyClient(maxPayload: 32768);
        c.Parser.ProcessPubArg("foo 2222222222222222").ShouldNotBeNull();
    }

    private static ClientConnection HeadersClient()
    {
        var c = DummyClient();
        Parse(c, "CONNECT {\"verbose\":false,\"headers\":true}\r\n").ShouldBeNull();
        c.Headers.ShouldBeTrue();
        return c;
    }

    [Fact, GoTest("server/parser_test.go", "TestParseHeaderPub")]
    public void ParseHeaderPub()
    {
        var c = HeadersClient();
        Step(c, "HPUB foo 12 17\r\nname:derek\r\nHELLO\r", ParserState.MsgEndN);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        c.Parser.Reply.Length.ShouldBe(0);
        c.Parser.Pa.Hdr.ShouldBe(12);
        Encoding.ASCII.GetString(c.Parser.HeaderSizeBytes).ShouldBe("12");
        c.Parser.Pa.Size.ShouldBe(17);

        ClearSnapshots(c);
        Step(c, "HPUB foo INBOX.22 12 17\r\nname:derek\r\nHELLO\r", ParserState.MsgEndN);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe("INBOX.22");
        c.Parser.Pa.Hdr.ShouldBe(12);
        Encoding.ASCII.GetString(c.Parser.HeaderSizeBytes).ShouldBe("12");
        c.Parser.Pa.Size.ShouldBe(17);

        ClearSnapshots(c);
        Step(c, "HPUB foo INBOX.22 0 5\r\nHELLO\r", ParserState.MsgEndN);
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe("foo");
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe("INBOX.22");
        c.Parser.Pa.Hdr.ShouldBe(0);
        Encoding.ASCII.GetString(c.Parser.HeaderSizeBytes).ShouldBe("0");
        c.Parser.Pa.Size.ShouldBe(5);
    }

    public static TheoryData<string, string, string, int, int, string> HeaderPubArgs => new()
    {
        { "a 2 4", "a", "", 2, 4, "4" }, { "a 22 222", "a", "", 22, 222, "222" }, { "foo 3 22", "foo", "", 3, 22, "22" },
        { " foo   1 22", "foo", "", 1, 22, "22" }, { "foo 0   22 ", "foo", "", 0, 22, "22" }, { "foo  0     22", "foo", "", 0, 22, "22" },
        { " foo 1 22 ", "foo", "", 1, 22, "22" }, { " foo   3 22 ", "foo", "", 3, 22, "22" }, { "foo bar 1 22", "foo", "bar", 1, 22, "22" },
        { " foo bar 11 22", "foo", "bar", 11, 22, "22" }, { "foo bar 11 22 ", "foo", "bar", 11, 22, "22" },
        { "foo  bar  11  22", "foo", "bar", 11, 22, "22" }, { " foo bar  11 22 ", "foo", "bar", 11, 22, "22" },
        { "  foo   bar  11   22  ", "foo", "bar", 11, 22, "22" }, { "  foo   bar  22   2222  ", "foo", "bar", 22, 2222, "2222" },
        { "  foo 1    2222  ", "foo", "", 1, 2222, "2222" }, { "a\t2\t22", "a", "", 2, 22, "22" }, { "a\t2\t\t222", "a", "", 2, 222, "222" },
        { "foo\t2 22", "foo", "", 2, 22, "22" }, { "\tfoo\t11\t  22", "foo", "", 11, 22, "22" }, { "foo\t11\t22\t", "foo", "", 11, 22, "22" },
        { "foo\t\t\t11 22", "foo", "", 11, 22, "22" }, { "\tfoo\t11\t \t 22\t", "foo", "", 11, 22, "22" },
        { "\tfoo\t\t\t11 22\t", "foo", "", 11, 22, "22" }, { "foo\tbar\t2 22", "foo", "bar", 2, 22, "22" },
        { "\tfoo\tbar\t11\t22", "foo", "bar", 11, 22, "22" }, { "foo\tbar\t11\t\t22\t ", "foo", "bar", 11, 22, "22" },
        { "foo\t\tbar\t\t11\t\t\t22", "foo", "bar", 11, 22, "22" }, { "\tfoo\tbar\t11\t22\t", "foo", "bar", 11, 22, "22" },
        { "\t \tfoo\t \t \tbar\t \t11\t 22\t \t", "foo", "bar", 11, 22, "22" },
        { "\t\tfoo\t\t\tbar\t\t22\t\t\t2222\t\t", "foo", "bar", 22, 2222, "2222" },
        { "\t \tfoo\t \t \t\t\t11\t\t 2222\t \t", "foo", "", 11, 2222, "2222" },
    };

    [Theory, MemberData(nameof(HeaderPubArgs)), GoTest("server/parser_test.go", "TestParseHeaderPubArg")]
    public void ParseHeaderPubArg(string arg, string subject, string reply, int hdr, int size, string szb)
    {
        var c = HeadersClient();
        c.Parser.ProcessHeaderPubArg(arg).ShouldBeNull();
        Encoding.ASCII.GetString(c.Parser.Subject).ShouldBe(subject);
        Encoding.ASCII.GetString(c.Parser.Reply).ShouldBe(reply);
        Encoding.ASCII.GetString(c.Parser.SizeBytes).ShouldBe(szb);
        c.Parser.Pa.Hdr.ShouldBe(hdr);
        c.Parser.Pa.Size.ShouldBe(size);
    }

    [Fact, GoTest("server/parser_test.go", "TestProtoSnippet")]
    public void ProtoSnippet()
    {
        var sample = Encoding.ASCII.GetBytes("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
        // Go's table: 32 bytes from the start while they fit, then up to "Y" (the last byte is left out), then nothing.
        for (int start = 0; start <= 54; start++)
        {
            string expected = start <= 20 ? Encoding.ASCII.GetString(sample, start, 32)
                : start <= 50 ? Encoding.ASCII.GetString(sample, start, 51 - start)
                : "";
            ProtocolParser.ProtoSnippet(start, ProtocolParser.ProtoSnippetSize, sample).ShouldBe($"\"{expected}\"", $"start={start}");
        }
        // Spot checks straight from Go's table.
        ProtocolParser.ProtoSnippet(0, 32, sample).ShouldBe("\"abcdefghijklmnopqrstuvwxyzABCDEF\"");
        ProtocolParser.ProtoSnippet(20, 32, sample).ShouldBe("\"uvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\"");
        ProtocolParser.ProtoSnippet(21, 32, sample).ShouldBe("\"vwxyzABCDEFGHIJKLMNOPQRSTUVWXY\"");
        ProtocolParser.ProtoSnippet(50, 32, sample).ShouldBe("\"Y\"");
        ProtocolParser.ProtoSnippet(51, 32, sample).ShouldBe("\"\"");
        ProtocolParser.ProtoSnippet(54, 32, sample).ShouldBe("\"\"");
    }

    [Fact, GoTest("server/parser_test.go", "TestParseOK")]
    public void ParseOK()
    {
        var c = DummyClient();
        c.Parser.State.ShouldBe(ParserState.OpStart);
        Step(c, "+", ParserState.OpPlus);
        Step(c, "O", ParserState.OpPlusO);
        Step(c, "K", ParserState.OpPlusOk);
        Step(c, "\r", ParserState.OpPlusOk);
        Step(c, "\n", ParserState.OpStart);
    }
}
