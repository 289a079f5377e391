using NATS.Client.Core;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.ClientLevel;

/// <summary>Unmodified NATS.Client.Core against each target: what an application sees must be the same.</summary>
public sealed class NatsClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static NatsConnection Client(NatsServerProcess server) =>
        new(new NatsOpts { ConnectTimeout = TimeSpan.FromSeconds(10), Url = server.Url, Name = "natsparity-tests" });

    private static async Task<T> Within<T>(Task<T> task) => await task.WaitAsync(Timeout);

    [Theory, TargetData]
    public async Task PublishSubscribe(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target);
        await using var nats = Client(server);
        await nats.ConnectAsync();
        await using var sub = await nats.SubscribeCoreAsync<string>("greet.joe");
        await nats.PingAsync();
        await nats.PublishAsync("greet.joe", "hello");
        var msg = await Within(sub.Msgs.ReadAsync().AsTask());
        msg.Subject.ShouldBe("greet.joe");
        msg.Data.ShouldBe("hello");
    }

    [Theory, TargetData]
    public async Task WildcardsMatchAsTheServerDefines(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target);
        await using var nats = Client(server);
        await using var star = await nats.SubscribeCoreAsync<string>("orders.*.created");
        await using var full = await nats.SubscribeCoreAsync<string>("orders.>");
        await nats.PingAsync();

        await nats.PublishAsync("orders.eu.created", "a");
        await nats.PublishAsync("orders.eu.shipped", "b");
        await nats.PublishAsync("orders.us.created.late", "c");
        await nats.PingAsync();

        (await Within(star.Msgs.ReadAsync().AsTask())).Subject.ShouldBe("orders.eu.created");
        var fullSubjects = new List<string>();
        for (int i = 0; i < 3; i++) fullSubjects.Add((await Within(full.Msgs.ReadAsync().AsTask())).Subject);
        fullSubjects.ShouldBe(["orders.eu.created", "orders.eu.shipped", "orders.us.created.late"]);
        star.Msgs.TryRead(out _).ShouldBeFalse();
    }

    [Theory, TargetData]
    public async Task RequestReply(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target);
        await using var responder = Client(server);
        await using var requester = Client(server);
        await using var svc = await responder.SubscribeCoreAsync<int>("math.double");
        await responder.PingAsync();
        var serve = Task.Run(async () =>
        {
            for (int i = 0; i < 3; i++)
            {
                var m = await svc.Msgs.ReadAsync();
                await m.ReplyAsync(m.Data * 2);
            }
        });
        for (int i = 1; i <= 3; i++)
        {
            var reply = await Within(requester.RequestAsync<int, int>("math.double", i).AsTask());
            reply.Data.ShouldBe(i * 2);
        }
        await serve.WaitAsync(Timeout);
    }

    [Theory, TargetData]
    public async Task QueueGroupDeliversEachMessageToOneMember(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target);
        await using var nats = Client(server);
        await using var m1 = await nats.SubscribeCoreAsync<int>("work", queueGroup: "workers");
        await using var m2 = await nats.SubscribeCoreAsync<int>("work", queueGroup: "workers");
        await using var plain = await nats.SubscribeCoreAsync<int>("work");
        await nats.PingAsync();
        const int n = 200;
        for (int i = 0; i < n; i++) await nats.PublishAsync("work", i);
        await nats.PingAsync();

        var seen = new List<int>();
        for (int i = 0; i < n; i++) (await Within(plain.Msgs.ReadAsync().AsTask())).Data.ShouldBe(i);
        // Every message reaches exactly one queue member.
        var deadline = DateTime.UtcNow + Timeout;
        while (seen.Count < n && DateTime.UtcNow < deadline)
        {
            while (m1.Msgs.TryRead(out var a)) seen.Add(a.Data);
            while (m2.Msgs.TryRead(out var b)) seen.Add(b.Data);
            if (seen.Count < n) await Task.Delay(10);
        }
        seen.Order().ShouldBe(Enumerable.Range(0, n));
    }

    [Theory, TargetData]
    public async Task HeadersArriveIntact(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target);
        await using var nats = Client(server);
        await using var sub = await nats.SubscribeCoreAsync<string>("with.headers");
        await nats.PingAsync();
        var headers = new NatsHeaders { ["Trace-Id"] = "abc-123", ["Multi"] = new[] { "one", "two" } };
        await nats.PublishAsync("with.headers", "body", headers: headers);
        var msg = await Within(sub.Msgs.ReadAsync().AsTask());
        msg.Data.ShouldBe("body");
        msg.Headers.ShouldNotBeNull();
        msg.Headers["Trace-Id"].ToString().ShouldBe("abc-123");
        msg.Headers["Multi"].ToArray().ShouldBe(["one", "two"]);
    }

    [Theory, TargetData]
    public async Task RequestWithoutRespondersFailsFast(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target);
        await using var nats = Client(server);
        await nats.ConnectAsync();
        var ex = await Should.ThrowAsync<NatsNoRespondersException>(
            () => nats.RequestAsync<string, string>("nobody.home", "anyone?").AsTask().WaitAsync(Timeout));
        ex.ShouldNotBeNull();
    }

    [Theory, TargetData]
    public async Task ReconnectsAfterServerRestartAndKeepsSubscriptions(ServerTarget target)
    {
        var first = NatsServerProcess.Start(target);
        int port = first.Port;
        await using var nats = new NatsConnection(new NatsOpts
        {
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Url = first.Url,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(50),
            ReconnectWaitMax = TimeSpan.FromMilliseconds(200),
            MaxReconnectRetry = 200,
        });
        await using var sub = await nats.SubscribeCoreAsync<string>("after.restart");
        await nats.PingAsync();

        var reconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        nats.ConnectionDisconnected += (_, _) => { disconnected.TrySetResult(); return ValueTask.CompletedTask; };
        nats.ConnectionOpened += (_, _) => { if (disconnected.Task.IsCompleted) reconnected.TrySetResult(); return ValueTask.CompletedTask; };

        first.Dispose();
        await disconnected.Task.WaitAsync(Timeout);
        using var second = NatsServerProcess.StartOnPort(target, port);
        await reconnected.Task.WaitAsync(Timeout);

        await nats.PingAsync();
        await nats.PublishAsync("after.restart", "still here");
        var msg = await Within(sub.Msgs.ReadAsync().AsTask());
        msg.Data.ShouldBe("still here");
    }
}
