using System.Text.Json;
using NatsParity.Testing;
using Shouldly;

namespace NatsParity.Conformance.Scenarios;

/// <summary>Cluster steps: servers of the scenario's target joined by routes, clients on any of them.</summary>
public sealed partial class ScenarioWorld
{
    private readonly List<(NatsServerProcess Server, int ClusterPort)> _cluster = [];

    /// <summary>Servers 1..n in cluster "spec": each takes routes on its own port and solicits server 1's.</summary>
    [Step(@"a cluster of (\d+) servers")]
    public void AClusterOf(int n)
    {
        int seed = NatsServerProcess.FreePort();
        for (int i = 1; i <= n; i++)
        {
            int port = i == 1 ? seed : NatsServerProcess.FreePort();
            string routes = i == 1 ? "" : $"  routes: [\"nats-route://127.0.0.1:{seed}\"]\n";
            var config = new ServerConfig
            {
                Monitoring = true, ServerName = $"S{i}",
                Extra = $"cluster {{\n  name: \"spec\"\n  listen: \"127.0.0.1:{port}\"\n{routes}}}\n",
            };
            _cluster.Add((NatsServerProcess.Start(Target, config), port));
        }
    }

    /// <summary>Every server has routes to each of the others (varz remotes), within 15s.</summary>
    [Step(@"the cluster has formed")]
    public async Task TheClusterHasFormed()
    {
        int expected = _cluster.Count - 1;
        await Poll(async () =>
        {
            foreach (var (s, _) in _cluster)
            {
                var varz = await s.GetMonitorJsonAsync("/varz");
                long remotes = varz.GetProperty("remotes").GetInt64();
                if (remotes != expected) return $"server {s.Port} has {remotes} remotes, expected {expected}";
            }
            return null;
        });
    }

    [Step(@"client (\w+) connects to server (\d+) with (\{.*\})")]
    public void ClientConnectsToServer(string name, int server, string json)
    {
        var c = ProtoClient.Connect(ClusterServer(server));
        _raw[name] = c;
        c.Send($"CONNECT {json}\r\n");
    }

    /// <summary>A raw connection to a server's route port (it greets with the route INFO).</summary>
    [Step(@"client (\w+) connects to the route port of server (\d+)")]
    public void ClientConnectsToRoutePort(string name, int server) =>
        _raw[name] = ProtoClient.Connect("127.0.0.1", _cluster[server - 1].ClusterPort);

    /// <summary>The server's routes carry interest in the subject (routez subs=1 lists remote subscriptions).</summary>
    [Step(@"server (\d+) has route interest in ""([^""]*)""")]
    public Task ServerHasRouteInterest(int server, string subject) => Poll(async () =>
        await RouteSubjects(server) is var subs && subs.Contains(subject) ? null : $"server {server} has no route interest in {subject}");

    [Step(@"server (\d+) has no route interest in ""([^""]*)""")]
    public Task ServerHasNoRouteInterest(int server, string subject) => Poll(async () =>
        await RouteSubjects(server) is var subs && !subs.Contains(subject) ? null : $"server {server} still has route interest in {subject}");

    /// <summary>Between them the clients get exactly <paramref name="count"/> messages: a queue group spread over the
    /// cluster delivers each message once.</summary>
    [Step(@"clients (\w+) and (\w+) receive (\d+) messages in total")]
    public void ClientsReceiveInTotal(string a, string b, int count)
    {
        int got = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (got < count && DateTime.UtcNow < deadline)
        {
            foreach (var c in new[] { Raw(a), Raw(b) })
            {
                if (got >= count) break;
                try
                {
                    c.ReadMsg(TimeSpan.FromMilliseconds(50));
                    got++;
                }
                catch (ProtoException) { }
            }
        }
        got.ShouldBe(count, "messages received by the two clients");
        Raw(a).ExpectNothing(TimeSpan.FromMilliseconds(200));
        Raw(b).ExpectNothing(TimeSpan.FromMilliseconds(200));
    }

    private NatsServerProcess ClusterServer(int i) =>
        i >= 1 && i <= _cluster.Count ? _cluster[i - 1].Server : throw new InvalidOperationException($"no server {i} in the cluster");

    private async Task<HashSet<string>> RouteSubjects(int server)
    {
        var routez = await ClusterServer(server).GetMonitorJsonAsync("/routez?subs=1");
        var subjects = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in routez.GetProperty("routes").EnumerateArray())
            if (r.TryGetProperty("subscriptions_list", out var list))
                foreach (var s in list.EnumerateArray()) subjects.Add(s.GetString()!);
        return subjects;
    }

    private static async Task Poll(Func<Task<string?>> check)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        string? err;
        while ((err = await check()) is not null)
        {
            if (DateTime.UtcNow > deadline) throw new ShouldAssertException(err);
            await Task.Delay(50);
        }
    }

    private async ValueTask DisposeClusterAsync()
    {
        foreach (var (s, _) in _cluster) await s.DisposeAsync();
        _cluster.Clear();
    }
}
