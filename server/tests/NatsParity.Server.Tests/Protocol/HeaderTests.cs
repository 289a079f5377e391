using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using H = NatsParity.Server.Protocol.Headers;

namespace NatsParity.Server.Tests.Protocol;

/// <summary>Ports of the header helper tests of server/client_test.go.</summary>
public sealed class HeaderTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);
    private static string S(byte[]? b) => b is null ? "<nil>" : Encoding.ASCII.GetString(b);
    private static string S(ArraySegment<byte> b) => Encoding.ASCII.GetString(b);

    private static byte[] Gen(byte[] hdr, params (string K, string V)[] kvs)
    {
        foreach (var (k, v) in kvs) hdr = H.GenHeader(hdr, k, v);
        return hdr;
    }

    [Fact, GoTest("server/client_test.go", "TestRemoveHeaderIfPrefixPresent")]
    public void RemoveHeaderIfPrefixPresent()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("a", "1"), (H.JSExpectedStream, "my-stream"), (H.JSExpectedLastSeq, "22"), ("b", "2"),
            (H.JSExpectedLastSubjSeq, "24"), (H.JSExpectedLastMsgId, "1"), ("c", "3"));
        S(H.RemoveHeaderIfPrefixPresent(hdr, "Nats-Expected-")).ShouldBe("NATS/1.0\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestRemoveHeaderIfPrefixPresentSkipsValueMatches")]
    public void RemoveHeaderIfPrefixPresentSkipsValueMatches()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("X-Note", "see Nats-Expected-Stream below"), (H.JSExpectedStream, "my-stream"),
            (H.JSExpectedLastSeq, "22"), ("c", "3"));
        S(H.RemoveHeaderIfPrefixPresent(hdr, "Nats-Expected-")).ShouldBe("NATS/1.0\r\nX-Note: see Nats-Expected-Stream below\r\nc: 3\r\n\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestRemoveHeaderIfPresentSkipsValueMatches")]
    public void RemoveHeaderIfPresentSkipsValueMatches()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("X-Note", "Nats-Msg-Id is set below"), ("Nats-Msg-Id", "real-id"), ("c", "3"));
        S(H.RemoveHeaderIfPresent(hdr, "Nats-Msg-Id")).ShouldBe("NATS/1.0\r\nX-Note: Nats-Msg-Id is set below\r\nc: 3\r\n\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestRemoveHeaderIfPresentDuplicates")]
    public void RemoveHeaderIfPresentDuplicates()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("a", "1"), ("a", "2"), ("c", "3"), ("a", "4"), ("a", "5"));
        S(H.RemoveHeaderIfPresent(hdr, "a")).ShouldBe("NATS/1.0\r\nc: 3\r\n\r\n");
    }

    [Fact, GoTest("server/client_test.go", "TestRemoveHeaderIfPresentOrderingPrefix")]
    public void RemoveHeaderIfPresentOrderingPrefix()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), (H.JSExpectedLastSubjSeqSubj, "foo"), (H.JSExpectedLastSubjSeq, "24"));
        S(H.RemoveHeaderIfPresent(hdr, H.JSExpectedLastSubjSeq)).ShouldBe(S(H.GenHeader([], H.JSExpectedLastSubjSeqSubj, "foo")));
    }

    [Fact, GoTest("server/client_test.go", "TestRemoveHeaderIfPresentOrderingSuffix")]
    public void RemoveHeaderIfPresentOrderingSuffix()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("Previous-Nats-Msg-Id", "user"), ("Nats-Msg-Id", "control"));
        S(H.RemoveHeaderIfPresent(hdr, "Nats-Msg-Id")).ShouldBe(S(H.GenHeader([], "Previous-Nats-Msg-Id", "user")));
    }

    [Theory, GoTest("server/client_test.go", "TestSetHeaderDoesNotOverwriteUnderlyingBuffer")]
    [InlineData("Key1", "Val1Updated", "NATS/1.0\r\nKey1: Val1Updated\r\nKey2: Val2\r\n\r\n", true)]
    [InlineData("Key1", "v1", "NATS/1.0\r\nKey1: v1\r\nKey2: Val2\r\n\r\n", false)]
    [InlineData("Key3", "Val3", "NATS/1.0\r\nKey1: Val1\r\nKey2: Val2\r\nKey3: Val3\r\n\r\n", true)]
    public void SetHeaderDoesNotOverwriteUnderlyingBuffer(string key, string val, string expectedHdr, bool newBuf)
    {
        const string initial = "NATS/1.0\r\nKey1: Val1\r\nKey2: Val2\r\n\r\n";
        const string body = "this is the message body\r\n";
        var buf = B(initial + body);
        var hdr = new ArraySegment<byte>(buf, 0, initial.Length);
        var msg = new ArraySegment<byte>(buf, initial.Length, body.Length);
        hdr = H.SetHeader(key, val, hdr);
        S(hdr).ShouldBe(expectedHdr);
        S(msg).ShouldBe(body);
        if (newBuf) Encoding.ASCII.GetString(buf, 0, initial.Length).ShouldBe(initial);
        else Encoding.ASCII.GetString(buf, 0, expectedHdr.Length).ShouldBe(expectedHdr);
    }

    private static byte[] NoSpaces(byte[] b) => B(S(b).Replace(" ", ""));

    [Theory, GoTest("server/client_test.go", "TestSetHeaderOrderingPrefix")]
    [InlineData(true)]
    [InlineData(false)]
    public void SetHeaderOrderingPrefix(bool space)
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), (H.JSExpectedLastSubjSeqSubj, "foo"), (H.JSExpectedLastSubjSeq, "24"));
        if (!space) hdr = NoSpaces(hdr);
        var got = H.SetHeader(H.JSExpectedLastSubjSeq, "12", hdr);
        var expected = Gen([], (H.JSExpectedLastSubjSeqSubj, "foo"), (H.JSExpectedLastSubjSeq, "12"));
        if (!space) expected = NoSpaces(expected);
        S(got).ShouldBe(S(expected));
    }

    [Theory, GoTest("server/client_test.go", "TestSetHeaderOrderingSuffix")]
    [InlineData(true)]
    [InlineData(false)]
    public void SetHeaderOrderingSuffix(bool space)
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("Previous-Nats-Msg-Id", "user"), ("Nats-Msg-Id", "control"));
        if (!space) hdr = NoSpaces(hdr);
        var got = H.SetHeader("Nats-Msg-Id", "other", hdr);
        var expected = Gen([], ("Previous-Nats-Msg-Id", "user"), ("Nats-Msg-Id", "other"));
        if (!space) expected = NoSpaces(expected);
        S(got).ShouldBe(S(expected));
    }

    /// <summary>Go checks cap(sliced) == len: the slice is a view of the header; the copy owns exactly its bytes.</summary>
    private static void CheckSliceAndCopy(byte[] hdr, string key, int expectedLen)
    {
        var sliced = H.SliceHeader(key, hdr);
        var copied = H.GetHeader(key, hdr);
        sliced.ShouldNotBeNull();
        sliced.Value.Count.ShouldBe(expectedLen);
        sliced.Value.Array.ShouldBeSameAs(hdr);
        copied.ShouldNotBeNull();
        copied.Length.ShouldBe(expectedLen);
        copied.ShouldNotBeSameAs(hdr);
        copied.ShouldBe(sliced.Value.ToArray());
    }

    [Fact, GoTest("server/client_test.go", "TestSliceHeader")]
    public void SliceHeader()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("a", "1"), (H.JSExpectedStream, "my-stream"), (H.JSExpectedLastSeq, "22"), ("b", "2"),
            (H.JSExpectedLastSubjSeq, "24"), (H.JSExpectedLastMsgId, "1"), ("c", "3"));
        CheckSliceAndCopy(hdr, H.JSExpectedLastSubjSeq, 2);
    }

    [Fact, GoTest("server/client_test.go", "TestSliceHeaderOrderingPrefix")]
    public void SliceHeaderOrderingPrefix()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), (H.JSExpectedLastSubjSeqSubj, "foo"), (H.JSExpectedLastSubjSeq, "24"));
        CheckSliceAndCopy(hdr, H.JSExpectedLastSubjSeq, 2);
    }

    [Fact, GoTest("server/client_test.go", "TestSliceHeaderOrderingSuffix")]
    public void SliceHeaderOrderingSuffix()
    {
        var hdr = Gen(B("NATS/1.0\r\n\r\n"), ("Previous-Nats-Msg-Id", "user"), ("Nats-Msg-Id", "control"));
        var sliced = H.SliceHeader("Nats-Msg-Id", hdr);
        var copied = H.GetHeader("Nats-Msg-Id", hdr);
        sliced.ShouldNotBeNull();
        copied.ShouldNotBeNull();
        copied.ShouldBe(sliced.Value.ToArray());
        S(copied).ShouldBe("control");
    }

    [Fact, GoTest("server/client_test.go", "TestClientSetHeaderDoesNotMutateInputMsg")]
    public void ClientSetHeaderDoesNotMutateInputMsg()
    {
        const string hdr = "NATS/1.0\r\nClientInfo: {old}\r\nKey2: Val2\r\n\r\n";
        const string msg = "this is the message body\r\n";
        var buf = B(hdr + msg);
        var original = (byte[])buf.Clone();
        var (outMsg, _) = ClientConnection.SetHeader("ClientInfo", "{newvalue}", hdr.Length, buf);
        buf.ShouldBe(original);
        S(outMsg).ShouldBe("NATS/1.0\r\nKey2: Val2\r\nClientInfo: {newvalue}\r\n\r\n" + msg);
    }

    [Theory, GoTest("server/client_test.go", "TestReplyHasJSAckSuffix")]
    [InlineData("$JS.ACK.STREAM.CONS.1.2.3.4.5", false)]
    [InlineData("$JS.ACK.STREAM.CONS.1.2.3.4.5@deliver.subject", true)]
    [InlineData("$JS.ACK.STREAM.CONS.1.2.3.4.5@inner@outer", true)]
    [InlineData("_INBOX.abc@xyz", false)]
    [InlineData("$JS.ACK.STREAM@oops.1.2.3.4.5", false)]
    [InlineData("", false)]
    [InlineData("$JS.ACK.", false)]
    [InlineData("$JS.ACK.dom.acct.STREAM.CONS.1.2.3.4.5@deliver", true)]
    public void ReplyHasJSAckSuffix(string reply, bool want) => H.ReplyHasJSAckSuffix(B(reply)).ShouldBe(want);
}
