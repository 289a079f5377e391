using System.Threading.Channels;
using NATS.Client.Core;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

public sealed partial class ClientTests
{
    /// <summary>A tracing server logger writing to a temporary file; Go's tests read the same lines from a DummyLogger.</summary>
    private sealed class TraceLog : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"natsparity-trace-{Guid.NewGuid():N}.log");

        public TraceLog() => Logger = new ServerLogger(debug: false, trace: true, logtime: false, file: _path);

        public ServerLogger Logger { get; }

        public string[] Lines()
        {
            using var fs = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(fs);
            return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        public void Dispose()
        {
            Logger.Dispose();
            File.Delete(_path);
        }
    }

    [Fact, GoTest("server/client_test.go", "TestClientTraceRace")]
    public async Task ClientTraceRace()
    {
        using var log = new TraceLog();
        await using var s = InProcess.Run(new ServerOptions(), log.Logger);
        var opts = InProcess.ClientOpts(s) with { SubPendingChannelFullMode = BoundedChannelFullMode.Wait };
        await using var nc1 = new NatsConnection(opts);
        const int total = 10000;
        await using var sub = await nc1.SubscribeCoreAsync<byte[]>("foo");
        await using var nc2 = new NatsConnection(opts);
        await nc2.ConnectAsync();

        var hello = "hello"u8.ToArray();
        var publishBar = Task.Run(async () =>
        {
            for (int i = 0; i < total; i++) await nc1.PublishAsync("bar", hello);
        });
        for (int i = 0; i < total; i++) await nc2.PublishAsync("foo", hello);

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int count = 0;
        while (count < total && await sub.Msgs.WaitToReadAsync(cts.Token))
        {
            while (count < total && sub.Msgs.TryRead(out _)) count++;
        }
        count.ShouldBe(total);
        await publishBar.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData("normal", "<<- MSG_PAYLOAD: [\"normal\"]", 10)]
    [InlineData("over length", "<<- MSG_PAYLOAD: [\"over lengt...\"]", 10)]
    [InlineData("unlimited length", "<<- MSG_PAYLOAD: [\"unlimited length\"]", 0)]
    [InlineData("negative max traced msg len", "<<- MSG_PAYLOAD: [\"negative max traced msg len\"]", -1)]
    [GoTest("server/client_test.go", "TestTraceMsg")]
    public void TraceMsg(string payload, string wanted, int maxTracedMsgLen)
    {
        using var log = new TraceLog();
        var s = new NatsServer(new ServerOptions { NoLog = true, MaxTracedMsgLen = maxTracedMsgLen }, log.Logger);
        var c = NewClient(s);
        c.Parse($"PUB foo {payload.Length}\r\n{payload}\r\n").ShouldBeNull();
        log.Lines()[^1].ShouldEndWith(wanted);
    }

    [Fact, GoTest("server/client_test.go", "TestTraceMsgDelivery")]
    public async Task TraceMsgDelivery()
    {
        using var log = new TraceLog();
        await using var s = InProcess.Run(new ServerOptions { Trace = true }, log.Logger);
        await using var nc = new NatsConnection(InProcess.ClientOpts(s));
        await using var ncp = new NatsConnection(InProcess.ClientOpts(s));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await using var foo = await nc.SubscribeCoreAsync<string>("foo", cancellationToken: cts.Token);
        var fooResponder = Task.Run(async () =>
        {
            var m = await foo.Msgs.ReadAsync(cts.Token);
            await m.ReplyAsync("Hi Traced", headers: new NatsHeaders { ["A"] = "1", ["B"] = "2" }, cancellationToken: cts.Token);
        });
        await nc.PingAsync(cts.Token);

        var reply = await ncp.RequestAsync<string, string>("foo", "Hello Traced",
            headers: new NatsHeaders { ["A"] = "A:1", ["B"] = "B:2" }, cancellationToken: cts.Token);
        reply.Data.ShouldBe("Hi Traced");
        await fooResponder;
        (await InProcess.WaitFor(() => log.Lines().Any(l => l.Contains("->> MSG_PAYLOAD:") && l.Contains("NATS/1.0") && l.Contains("Hi Traced")),
            TimeSpan.FromSeconds(2))).ShouldBeTrue();

        await using var bar = await nc.SubscribeCoreAsync<string>("bar", cancellationToken: cts.Token);
        var barResponder = Task.Run(async () =>
        {
            var m = await bar.Msgs.ReadAsync(cts.Token);
            await m.ReplyAsync("Plain Response", cancellationToken: cts.Token);
        });
        await nc.PingAsync(cts.Token);

        reply = await ncp.RequestAsync<string, string>("bar", null, cancellationToken: cts.Token);
        reply.Data.ShouldBe("Plain Response");
        await barResponder;
        (await InProcess.WaitFor(() => log.Lines().Any(l => l.Contains("->> MSG_PAYLOAD:") && l.Contains("Plain Response")),
            TimeSpan.FromSeconds(2))).ShouldBeTrue();
    }

    private const string TraceHdr = "NATS/1.0\r\nFoo: 1\r\n\r\n";

    /// <summary>PUB, or HPUB when <paramref name="hdr"/> is set, of <paramref name="hdr"/> + <paramref name="payload"/> on foo.</summary>
    private static string PubFoo(string hdr, string payload) => hdr.Length == 0
        ? $"PUB foo {payload.Length}\r\n{payload}\r\n"
        : $"HPUB foo {hdr.Length} {hdr.Length + payload.Length}\r\n{hdr}{payload}\r\n";

    [Theory]
    [InlineData("", "test\\r\\n", "", 0)]
    [InlineData(TraceHdr, "", "<<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]", 0)]
    [InlineData(TraceHdr, "test", "<<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]", 0)]
    [InlineData(TraceHdr, "", "<<- MSG_PAYLOAD: [\"NATS/1...\"]", 6)]
    [InlineData("NATS/1.0\r\nFoo: 1\r\nBar: 2\r\n\r\n", "", "<<- MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\\r\\nBar...\"]", 21)]
    [GoTest("server/client_test.go", "TestTraceMsgHeadersOnly")]
    public void TraceMsgHeadersOnly(string hdr, string payload, string wanted, int maxTracedMsgLen)
    {
        using var log = new TraceLog();
        var s = new NatsServer(new ServerOptions { NoLog = true, MaxTracedMsgLen = maxTracedMsgLen, TraceHeaders = true }, log.Logger);
        var c = NewClient(s);
        c.Parse("CONNECT {\"headers\":true}\r\n" + PubFoo(hdr, payload)).ShouldBeNull();
        var traced = log.Lines().Where(l => l.Contains("MSG_PAYLOAD")).ToArray();
        if (wanted.Length == 0) traced.ShouldBeEmpty();
        else traced.ShouldHaveSingleItem().ShouldEndWith(wanted);
    }

    [Theory]
    [InlineData(TraceHdr, "", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]")]
    [InlineData(TraceHdr, "test", false, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\\r\\n\\r\\ntest\"]")]
    [InlineData(TraceHdr, "test", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\"]")]
    [InlineData("NATS/1.0\r\nFoo: bar\r\nBar: baz\r\n\r\n", "", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: bar\\r\\nBar: baz\"]")]
    [InlineData("NATS/1.0\r\nFoo: bar\r\nBar: baz\r\n\r\n", "payload data", true, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: bar\\r\\nBar: baz\"]")]
    [InlineData("", "plain message", false, "->> MSG_PAYLOAD: [\"plain message\"]")]
    [InlineData(TraceHdr, "payload", false, "->> MSG_PAYLOAD: [\"NATS/1.0\\r\\nFoo: 1\\r\\n\\r\\npayload\"]")]
    [GoTest("server/client_test.go", "TestTraceMsgDeliveryWithHeaders")]
    public void TraceMsgDeliveryWithHeaders(string hdr, string payload, bool traceHeaders, string expected)
    {
        using var log = new TraceLog();
        var s = new NatsServer(new ServerOptions { NoLog = true, Trace = true, TraceHeaders = traceHeaders }, log.Logger);
        var sub = NewClient(s);
        sub.Parse("CONNECT {\"headers\":true}\r\nSUB foo 1\r\n").ShouldBeNull();
        var pub = NewClient(s);
        pub.Parse("CONNECT {\"headers\":true}\r\n" + PubFoo(hdr, payload)).ShouldBeNull();
        log.Lines().Last(l => l.Contains("->> MSG_PAYLOAD:")).ShouldEndWith(expected);
    }
}
