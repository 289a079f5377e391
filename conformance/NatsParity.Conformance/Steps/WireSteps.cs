using System.Text;
using System.Text.RegularExpressions;
using Gherkin.Ast;
using NatsParity.Conformance.Scenarios;
using NatsParity.Testing;
using Shouldly;

namespace NatsParity.Conformance.Scenarios;

/// <summary>Raw-protocol steps: exact bytes in, exact bytes out.</summary>
public sealed partial class ScenarioWorld
{
    [Step(@"a server")]
    public void AServer() => _ = Server;

    [Step(@"a server with config:")]
    public void AServerWithConfig(DocString conf) => StartServer(new ServerConfig { Extra = conf.Content });

    [Step(@"client (\w+) connects")]
    public void ClientConnects(string name) => _raw[name] = ProtoClient.Connect(Server);

    /// <summary>Connects with CONNECT and PING, retrying while the launcher's readiness probe may still hold the only
    /// connection slot (its close reaches the server asynchronously).</summary>
    [Step(@"client (\w+) takes a free connection slot with (\{.*\})")]
    public void ClientTakesSlot(string name, string json)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (true)
        {
            var c = ProtoClient.Connect(Server);
            c.Send($"CONNECT {json}\r\nPING\r\n");
            var line = c.ReadLine().TrimEnd('\r', '\n');
            if (line == "PONG") { _raw[name] = c; return; }
            c.Dispose();
            if (line != "-ERR 'maximum connections exceeded'" || DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"client {name} could not connect: {line}");
            Thread.Sleep(50);
        }
    }

    [Step(@"client (\w+) connects with (\{.*\})")]
    public void ClientConnectsWith(string name, string json)
    {
        var c = ProtoClient.Connect(Server);
        _raw[name] = c;
        c.Send($"CONNECT {json}\r\n");
    }

    /// <summary>Each doc string line is one protocol line, sent with CRLF; \r, \n, \t and \\ escapes are decoded.</summary>
    [Step(@"client (\w+) sends:")]
    public void ClientSendsLines(string name, DocString doc) =>
        Raw(name).Send(string.Concat(doc.Content.Replace("\r", "").Split('\n').Select(l => Unescape(l) + "\r\n")));

    /// <summary>Exact bytes, with escapes: "PUB foo 2\r\nhi\r\n".</summary>
    [Step(@"client (\w+) sends ""(.*)""")]
    public void ClientSendsBytes(string name, string text) => Raw(name).Send(Unescape(text));

    [Step(@"client (\w+) sends ""(.*)"" one byte at a time")]
    public void ClientSendsByteByByte(string name, string text)
    {
        foreach (var b in Encoding.UTF8.GetBytes(Unescape(text)))
        {
            // The server may close mid-way (that is what some scenarios check); later bytes then have nowhere to go.
            try { Raw(name).Send([b]); }
            catch (IOException) { break; }
            Thread.Sleep(1);
        }
    }

    /// <summary>Exactly these lines, in order, and nothing else before them. "{*}" in a line matches any text.</summary>
    [Step(@"client (\w+) receives exactly:")]
    public void ClientReceivesExactly(string name, DocString doc)
    {
        var c = Raw(name);
        foreach (var expected in doc.Content.Replace("\r", "").Split('\n'))
        {
            var line = Line(name);
            var pattern = "^" + string.Join(".*", Unescape(expected).Split("{*}").Select(Regex.Escape)) + "$";
            Regex.IsMatch(line, pattern, RegexOptions.Singleline).ShouldBeTrue($"client {name} expected \"{expected}\" but received \"{line}\"");
        }
    }

    [Step(@"client (\w+) receives ""(.*)""")]
    public void ClientReceivesLine(string name, string line) => Line(name).ShouldBe(Unescape(line));

    [Step(@"client (\w+) receives PONG")]
    public void ClientReceivesPong(string name) => Line(name).ShouldBe("PONG");

    [Step(@"client (\w+) receives PING")]
    public void ClientReceivesPing(string name) => Line(name).ShouldBe("PING");

    [Step(@"client (\w+) receives HMSG on ""([^""]*)"" with headers ""([^""]*)"" and payload ""([^""]*)""")]
    public void ClientReceivesHmsg(string name, string subject, string headers, string payload)
    {
        var m = Raw(name).ReadMsg();
        m.Op.ShouldBe("HMSG");
        m.Subject.ShouldBe(subject);
        Encoding.UTF8.GetString(m.Header).ShouldBe(Unescape(headers));
        Encoding.UTF8.GetString(m.Payload).ShouldBe(Unescape(payload));
    }

    [Step(@"client (\w+) receives \+OK")]
    public void ClientReceivesOk(string name) => Line(name).ShouldBe("+OK");

    [Step(@"client (\w+) receives INFO")]
    public void ClientReceivesInfo(string name) => Line(name).ShouldStartWith("INFO {");

    [Step(@"client (\w+) receives MSG on ""([^""]*)"" with payload ""([^""]*)""")]
    public void ClientReceivesMsg(string name, string subject, string payload)
    {
        var m = Raw(name).ReadMsg();
        m.Op.ShouldBe("MSG");
        m.Subject.ShouldBe(subject);
        Encoding.UTF8.GetString(m.Payload).ShouldBe(Unescape(payload));
    }

    [Step(@"client (\w+) receives MSG on ""([^""]*)"" for sid ""([^""]*)"" with reply ""([^""]*)"" and payload ""([^""]*)""")]
    public void ClientReceivesMsgWithReply(string name, string subject, string sid, string reply, string payload)
    {
        var m = Raw(name).ReadMsg();
        m.Op.ShouldBe("MSG");
        m.Subject.ShouldBe(subject);
        m.Sid.ShouldBe(sid);
        (m.Reply ?? "").ShouldBe(reply);
        Encoding.UTF8.GetString(m.Payload).ShouldBe(Unescape(payload));
    }

    [Step(@"client (\w+) receives (\d+) messages")]
    public void ClientReceivesCount(string name, int count) => Raw(name).ExpectMsgs(count).Count.ShouldBe(count);

    [Step(@"client (\w+) receives nothing")]
    public void ClientReceivesNothing(string name) => Raw(name).ExpectNothing(TimeSpan.FromMilliseconds(200));

    [Step(@"client (\w+) receives -ERR '(.*)'")]
    public void ClientReceivesErr(string name, string text) => Line(name).ShouldBe($"-ERR '{text}'");

    [Step(@"client (\w+) is disconnected after -ERR '(.*)'")]
    public void ClientDisconnectedAfterErr(string name, string text)
    {
        var c = Raw(name);
        Line(name).ShouldBe($"-ERR '{text}'");
        c.ExpectClosed();
    }

    [Step(@"client (\w+) is disconnected")]
    public void ClientIsDisconnected(string name) => Raw(name).ExpectClosed();

    [Step(@"client (\w+) is still connected")]
    public void ClientStillConnected(string name)
    {
        var c = Raw(name);
        c.Send("PING\r\n");
        Line(name).ShouldBe("PONG");
    }

    [Step(@"client (\w+) waits (\d+) ms")]
    public void ClientWaits(string name, int ms) => Thread.Sleep(ms);

    private string Line(string name) => Raw(name).ReadLine().TrimEnd('\r', '\n');

    private static string Unescape(string s) =>
        s.Replace("\\r", "\r").Replace("\\n", "\n").Replace("\\t", "\t").Replace("\\\"", "\"").Replace("\\\\", "\\");
}
