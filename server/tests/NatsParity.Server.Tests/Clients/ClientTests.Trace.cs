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
        var s = new NatsServer(new ServerOptions { NoLog = true, Host = "127.0.0.1", MaxTracedMsgLen = maxTracedMsgLen }, log.Logger);
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
}
