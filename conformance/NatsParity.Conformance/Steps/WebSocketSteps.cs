using System.Text;
using NATS.Client.Core;
using NatsParity.Testing;
using Shouldly;

namespace NatsParity.Conformance.Scenarios;

/// <summary>Websocket steps: a server with a websocket listener (no TLS) on its own free port, raw websocket clients
/// (masked frames in, frames out) and NATS.Client.Core over ws://.</summary>
public sealed partial class ScenarioWorld
{
    private int _wsPort;
    private readonly Dictionary<string, WsTestClient> _ws = new(StringComparer.Ordinal);

    [Step(@"a server with a websocket listener")]
    public void AServerWithWebsocket() => StartWebsocketServer("");

    /// <summary>A conf with a websocket {} block, which gets the listen address and no_tls.</summary>
    [Step(@"a server with websocket config:")]
    public void AServerWithWebsocketConfig(Gherkin.Ast.DocString conf)
    {
        int at = conf.Content.IndexOf("websocket {", StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException("the config needs a websocket { } block");
        _wsPort = NatsServerProcess.FreePort();
        at += "websocket {".Length;
        StartServer(new ServerConfig { Extra = conf.Content[..at] + $"\n  listen: \"127.0.0.1:{_wsPort}\"\n  no_tls: true\n" + conf.Content[at..] });
    }

    private void StartWebsocketServer(string wsBlock)
    {
        _wsPort = NatsServerProcess.FreePort();
        StartServer(new ServerConfig { Extra = $"websocket {{\n  listen: \"127.0.0.1:{_wsPort}\"\n  no_tls: true\n{wsBlock}\n}}\n" });
    }

    private WsTestClient Ws(string name) =>
        _ws.TryGetValue(name, out var c) ? c : throw new InvalidOperationException($"websocket client {name} is not connected");

    [Step(@"websocket client (\w+) connects")]
    public void WsConnects(string name) => _ws[name] = WsTestClient.Connect("127.0.0.1", _wsPort);

    [Step(@"websocket client (\w+) connects offering compression")]
    public void WsConnectsCompressed(string name) => _ws[name] = WsTestClient.Connect("127.0.0.1", _wsPort, new WsTestClientOptions { Compress = true });

    [Step(@"websocket client (\w+) sends ""(.*)""")]
    public void WsSends(string name, string text) => Ws(name).Send(Unescape(text));

    [Step(@"websocket client (\w+) sends compressed ""(.*)""")]
    public void WsSendsCompressed(string name, string text) => Ws(name).Send(Unescape(text), compressed: true);

    [Step(@"websocket client (\w+) sends a ping frame with ""(.*)""")]
    public void WsSendsPing(string name, string text) =>
        Ws(name).Write(WsTestClient.CreateClientMsg(WsTestClient.OpPing, 1, true, false, Encoding.UTF8.GetBytes(text)));

    [Step(@"websocket client (\w+) sends a close frame with status (\d+) and ""(.*)""")]
    public void WsSendsClose(string name, int status, string text)
    {
        byte[] payload = [(byte)(status >> 8), (byte)status, .. Encoding.UTF8.GetBytes(text)];
        Ws(name).Write(WsTestClient.CreateClientMsg(WsTestClient.OpClose, 1, true, false, payload));
    }

    /// <summary>The next data frame's payload (inflated when compressed), exactly; a frame holding only an INFO (the
    /// one servers since 2.10 send after the first PONG) is passed over.</summary>
    [Step(@"websocket client (\w+) receives ""(.*)""")]
    public void WsReceives(string name, string text)
    {
        var f = Ws(name).ReadFrame();
        if (f.Text.StartsWith("INFO {", StringComparison.Ordinal) && f.Text.IndexOf("\r\n", StringComparison.Ordinal) == f.Text.Length - 2)
            f = Ws(name).ReadFrame();
        f.OpCode.ShouldBe(WsTestClient.OpBinary, $"websocket client {name} got opcode {f.OpCode}: {f.Text}");
        f.Text.ShouldBe(Unescape(text));
    }

    /// <summary>The next data frame starts with <paramref name="text"/> (servers since 2.10 put an INFO after the first
    /// PONG, in the same frame or the next).</summary>
    [Step(@"websocket client (\w+) receives a frame starting with ""(.*)""")]
    public void WsReceivesStart(string name, string text)
    {
        var f = Ws(name).ReadFrame();
        f.OpCode.ShouldBe(WsTestClient.OpBinary, $"websocket client {name} got opcode {f.OpCode}: {f.Text}");
        f.Text.ShouldStartWith(Unescape(text));
    }

    [Step(@"websocket client (\w+) receives a (pong|close) frame with ""(.*)""")]
    public void WsReceivesControl(string name, string kind, string text)
    {
        var f = Ws(name).ReadFrame();
        f.OpCode.ShouldBe(kind == "pong" ? WsTestClient.OpPong : WsTestClient.OpClose);
        (kind == "pong" ? f.Text : f.CloseText).ShouldBe(text);
    }

    [Step(@"websocket client (\w+) receives a close frame with status (\d+) and ""(.*)""")]
    public void WsReceivesCloseStatus(string name, int status, string text)
    {
        var f = Ws(name).ReadFrame();
        f.OpCode.ShouldBe(WsTestClient.OpClose, $"got {f.Text}");
        f.CloseStatus.ShouldBe(status);
        f.CloseText.ShouldBe(text);
    }

    [Step(@"websocket client (\w+) is disconnected")]
    public void WsDisconnected(string name) => Ws(name).WaitClosed().ShouldBeTrue($"websocket client {name} is still connected");

    /// <summary>An upgrade request: Go's valid one with <paramref name="header"/> left out; the status and body of the
    /// answer.</summary>
    [Step(@"an upgrade without the ""([^""]+)"" header gets (\d+) ""(.*)""")]
    public void UpgradeWithout(string header, int status, string body)
    {
        string request = WsTestClient.Request(new WsTestClientOptions());
        request = string.Join("\r\n", request.Split("\r\n").Where(l => !l.StartsWith(header + ":", StringComparison.OrdinalIgnoreCase)));
        using var c = WsTestClient.Upgrade("127.0.0.1", _wsPort, rawRequest: request);
        c.Status.ShouldBe(status, c.ResponseHead);
        c.Body.ShouldBe(Unescape(body));
        c.ResponseHeader("Sec-Websocket-Version").ShouldBe("13");
    }

    [Step(@"an upgrade with method ""(\w+)"" gets (\d+) ""(.*)""")]
    public void UpgradeWithMethod(string method, int status, string body)
    {
        string request = "POST" + WsTestClient.Request(new WsTestClientOptions())[3..];
        request = method + request[request.IndexOf(' ')..];
        using var c = WsTestClient.Upgrade("127.0.0.1", _wsPort, rawRequest: request);
        c.Status.ShouldBe(status, c.ResponseHead);
        c.Body.ShouldBe(Unescape(body));
    }

    [Step(@"nats client (\w+) connects over websocket")]
    public async Task NatsConnectsOverWebsocket(string name)
    {
        var c = new NatsConnection(new NatsOpts { ConnectTimeout = TimeSpan.FromSeconds(10), Url = $"ws://127.0.0.1:{_wsPort}", Name = name });
        await c.ConnectAsync();
        _nats[name] = c;
    }

    private void DisposeWebsocketClients()
    {
        foreach (var c in _ws.Values) c.Dispose();
    }
}
