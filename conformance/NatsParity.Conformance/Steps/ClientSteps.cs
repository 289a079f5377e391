using NATS.Client.Core;
using NatsParity.Conformance.Scenarios;
using Shouldly;

namespace NatsParity.Conformance.Scenarios;

/// <summary>Client-level steps with an unmodified NATS.Client.Core connection.</summary>
public sealed partial class ScenarioWorld
{
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(5);
    private readonly Dictionary<string, NatsConnection> _nats = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), INatsSub<string>> _subs = new();

    private async Task<NatsConnection> Nats(string name)
    {
        if (_nats.TryGetValue(name, out var c)) return c;
        c = new NatsConnection(new NatsOpts { ConnectTimeout = TimeSpan.FromSeconds(10), Url = Server.Url, Name = name });
        await c.ConnectAsync();
        _nats[name] = c;
        return c;
    }

    [Step(@"nats client (\w+) subscribes to ""([^""]+)""")]
    public async Task NatsSubscribes(string name, string subject)
    {
        var c = await Nats(name);
        _subs[(name, subject)] = await c.SubscribeCoreAsync<string>(subject);
        await c.PingAsync();
    }

    [Step(@"nats client (\w+) subscribes to ""([^""]+)"" in queue group ""([^""]+)""")]
    public async Task NatsQueueSubscribes(string name, string subject, string queue)
    {
        var c = await Nats(name);
        _subs[(name, subject)] = await c.SubscribeCoreAsync<string>(subject, queueGroup: queue);
        await c.PingAsync();
    }

    [Step(@"nats client (\w+) publishes ""([^""]*)"" to ""([^""]+)""")]
    public async Task NatsPublishes(string name, string payload, string subject)
    {
        var c = await Nats(name);
        await c.PublishAsync(subject, payload);
        await c.PingAsync();
    }

    [Step(@"nats client (\w+) receives ""([^""]*)"" on ""([^""]+)""")]
    public async Task NatsReceives(string name, string payload, string subject)
    {
        var sub = _subs.Where(kv => kv.Key.Item1 == name).Select(kv => kv.Value).FirstOrDefault()
            ?? throw new InvalidOperationException($"nats client {name} has no subscription");
        var msg = await sub.Msgs.ReadAsync().AsTask().WaitAsync(ClientTimeout);
        msg.Subject.ShouldBe(subject);
        msg.Data.ShouldBe(payload);
    }

    [Step(@"nats client (\w+) receives nothing")]
    public async Task NatsReceivesNothing(string name)
    {
        await Task.Delay(200);
        foreach (var sub in _subs.Where(kv => kv.Key.Item1 == name).Select(kv => kv.Value))
            sub.Msgs.TryRead(out _).ShouldBeFalse();
    }

    [Step(@"nats client (\w+) serves ""([^""]+)"" by replying ""([^""]*)""")]
    public async Task NatsServes(string name, string subject, string reply)
    {
        var c = await Nats(name);
        var sub = await c.SubscribeCoreAsync<string>(subject);
        await c.PingAsync();
        _ = Task.Run(async () =>
        {
            await foreach (var m in sub.Msgs.ReadAllAsync())
                await m.ReplyAsync(reply);
        });
        _subs[(name, subject)] = sub;
    }

    [Step(@"nats client (\w+) requests ""([^""]+)"" with ""([^""]*)"" and gets ""([^""]*)""")]
    public async Task NatsRequests(string name, string subject, string data, string expected)
    {
        var c = await Nats(name);
        var reply = await c.RequestAsync<string, string>(subject, data).AsTask().WaitAsync(ClientTimeout);
        reply.Data.ShouldBe(expected);
    }

    [Step(@"nats client (\w+) requests ""([^""]+)"" and gets no responders")]
    public async Task NatsRequestsNoResponders(string name, string subject)
    {
        var c = await Nats(name);
        await Should.ThrowAsync<NatsNoRespondersException>(() => c.RequestAsync<string, string>(subject, "?").AsTask().WaitAsync(ClientTimeout));
    }

    private async Task DisposeNatsClientsAsync()
    {
        foreach (var s in _subs.Values) await s.DisposeAsync();
        foreach (var c in _nats.Values) await c.DisposeAsync();
    }
}
