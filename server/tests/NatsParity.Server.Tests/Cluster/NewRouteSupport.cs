using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NatsParity.Server.Accounts;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.Cluster;

/// <summary>Go's test/test.go route helpers for test/new_routes_test.go: a raw route connection that speaks the route
/// protocol by hand (createRouteConn, setupRouteEx, sendRouteInfo, routeSend/routeExpect), the route protocol regexes,
/// and the new_cluster.conf server for both targets.</summary>
internal sealed class NewRouteConn : IDisposable
{
    public static readonly Regex RsubRe = new(@"RS\+\s+([^\s]+)\s+([^\s]+)\s*([^\s]+)?\s*(\d+)?\r\n", RegexOptions.Compiled);
    public static readonly Regex RunsubRe = new(@"RS\-\s+([^\s]+)\s+([^\s]+)\s*([^\s]+)?\r\n", RegexOptions.Compiled);
    public static readonly Regex RmsgRe = new(@"RMSG\s+([^\s]+)\s+([^\s]+)\s+(?:([|+]\s+([\w\s]+)|[^\s]+)[^\S\r\n]+)?(\d+)\s*\r\n([^\r\n]*?)\r\n", RegexOptions.Compiled);
    public static readonly Regex PongRe = new(@"^PONG\r\n$", RegexOptions.Compiled);

    private readonly ProtoClient _c;

    private NewRouteConn(ProtoClient c) => _c = c;

    /// <summary>The INFO the server sent on the route port (Go's checkInfoMsg on the route connection).</summary>
    public JsonObject Info { get; private set; } = new();

    /// <summary>Go's createRouteConn plus reading the server's INFO.</summary>
    public static NewRouteConn Create(string host, int clusterPort)
    {
        var c = ProtoClient.Connect(host, clusterPort);
        return new NewRouteConn(c) { Info = JsonNode.Parse(c.Info!.Value.GetRawText())!.AsObject() };
    }

    /// <summary>Go's setupRouteEx: the route CONNECT with the given id as name, cluster "xyz".</summary>
    public NewRouteConn Setup(string id, string user = "", string pass = "")
    {
        Send($"CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"{pass}\",\"name\":\"{id}\",\"cluster\":\"xyz\"}}\r\n");
        return this;
    }

    /// <summary>Go's sendRouteInfo: the server's own INFO sent back with our id and without its name.</summary>
    public void SendRouteInfo(string routeId, Action<JsonObject>? edit = null)
    {
        var info = (JsonObject)Info.DeepClone();
        info["server_id"] = routeId;
        info.Remove("server_name");
        edit?.Invoke(info);
        Send($"INFO {info.ToJsonString()}\r\n");
    }

    public void Send(string op) => _c.Send(op);

    /// <summary>routeSend("PING") and routeExpect(pongRe): all sent so far was processed.</summary>
    public void PingPong()
    {
        Send("PING\r\n");
        Expect(PongRe);
    }

    /// <summary>Go's routeExpect: the next protocol line (the server's own PINGs answered and skipped) must match
    /// <paramref name="re"/>; returned with the lines matching it that came right along with it, as Go reads them in
    /// one chunk.</summary>
    public List<Match> Expect(Regex re, TimeSpan? timeout = null)
    {
        var first = NextLine(timeout ?? TimeSpan.FromSeconds(2));
        var m = re.Match(first);
        if (!m.Success) Assert.Fail($"Route response did not match expected: received {Escape(first)}, expected /{re}/");
        var all = new List<Match> { m };
        while (TryPeekLine(TimeSpan.FromMilliseconds(50)) is { } next && re.Match(next) is { Success: true } n)
        {
            _pending.Dequeue();
            all.Add(n);
        }
        return all;
    }

    /// <summary>Collects lines matching <paramref name="re"/> until <paramref name="count"/> have arrived (Go's loops
    /// that add up matches over several reads); any other line fails.</summary>
    public List<Match> ExpectCount(Regex re, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        var all = new List<Match>();
        while (all.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) Assert.Fail($"Got {all.Count} of {count} lines matching /{re}/");
            var line = NextLine(left);
            var m = re.Match(line);
            if (!m.Success) Assert.Fail($"Route response did not match expected: received {Escape(line)}, expected /{re}/");
            all.Add(m);
        }
        return all;
    }

    /// <summary>Go's expectNothing on the route (100 ms); a PING from the server is answered, not counted.</summary>
    public void ExpectNothing()
    {
        if (TryPeekLine(TimeSpan.FromMilliseconds(100)) is { } line)
            Assert.Fail($"Expected nothing on the route, received {Escape(line)}");
        if (_c.BufferedCount > 0) Assert.Fail("Expected nothing on the route, received a partial line");
    }

    private readonly Queue<string> _pending = new();

    /// <summary>The next protocol line, not a PING from the server (which is answered), with its payload line for
    /// RMSG/HMSG/LMSG; null when none arrived within <paramref name="timeout"/>. It stays unread.</summary>
    private string? TryPeekLine(TimeSpan timeout)
    {
        if (_pending.Count > 0) return _pending.Peek();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_c.WaitForLine(left)) return null;
            var line = _c.ReadLine();
            if (line == "PING\r\n") { Send("PONG\r\n"); continue; }
            if (line.StartsWith("RMSG ") || line.StartsWith("HMSG ") || line.StartsWith("LMSG "))
                line += _c.ReadLine(TimeSpan.FromSeconds(2));
            _pending.Enqueue(line);
            return line;
        }
    }

    private string NextLine(TimeSpan timeout)
    {
        if (TryPeekLine(timeout) is null) Assert.Fail($"Route: no protocol line within {timeout.TotalMilliseconds:0} ms");
        return _pending.Dequeue();
    }

    private static string Escape(string s) => s.Replace("\r", "\\r").Replace("\n", "\\n");

    public void Dispose() => _c.Dispose();
}

/// <summary>A server for the raw route tests: where its client and cluster ports are, and what stops it.</summary>
internal sealed record NewRouteServer(string Host, int Port, int ClusterPort, IAsyncDisposable Owner) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Owner.DisposeAsync();

    /// <summary>Go's runNewRouteServer (test/configs/new_cluster.conf): cluster "xyz" without credentials, soliciting two
    /// ports nobody listens on, no system account; on the target as a process. Ours runs as Go's test package does:
    /// no route pooling, no compression (options the 2.9.10 reference does not know).</summary>
    public static NewRouteServer Start(ServerTarget target)
    {
        int cp = NatsServerProcess.FreePort(), r1 = NatsServerProcess.FreePort(), r2 = NatsServerProcess.FreePort();
        string newer = target == ServerTarget.Ours ? "  pool_size: -1\n  compression: off\n" : "";
        var conf = new ServerConfig
        {
            NoSystemAccount = true,
            Extra = $"cluster {{\n  listen: 127.0.0.1:{cp}\n  name: xyz\n{newer}  routes = [\n    nats-route://127.0.0.1:{r1}\n    nats-route://127.0.0.1:{r2}\n  ]\n}}\n",
        };
        var p = NatsServerProcess.Start(target, conf);
        return new NewRouteServer(p.Host, p.Port, cp, p);
    }

    public static NewRouteServer Of(NatsServer s) => new("127.0.0.1", s.Port, s.ClusterPort, s);
}

/// <summary>In-process servers for the new_routes tests that look inside the server (accounts, subscription counts).</summary>
internal static class NewRouteSupport
{
    /// <summary>Options like test/configs/new_cluster.conf, built in code.</summary>
    public static ServerOptions NewClusterConf()
    {
        var o = new ServerOptions { Host = "127.0.0.1", Port = ServerOptions.RandomPort, NoSystemAccount = true };
        o.Cluster.Host = "127.0.0.1";
        o.Cluster.Port = NatsServerProcess.FreePort();
        o.Cluster.Name = "xyz";
        o.Routes.Add(new Uri($"nats-route://127.0.0.1:{NatsServerProcess.FreePort()}"));
        o.Routes.Add(new Uri($"nats-route://127.0.0.1:{NatsServerProcess.FreePort()}"));
        return o;
    }

    /// <summary>Go's runNewRouteServer in process.</summary>
    public static NatsServer RunNewRouteServer(Action<ServerOptions>? edit = null)
    {
        var o = NewClusterConf();
        edit?.Invoke(o);
        return ClusterTestSupport.RunTestPackageServer(o);
    }

    /// <summary>Go's runThreeServers: srv_a and srv_b soliciting each other and srv_c soliciting srv_a, once every
    /// server has a route to the two others.</summary>
    public static (NatsServer A, NatsServer B, NatsServer C) RunThreeServers()
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort(), pc = NatsServerProcess.FreePort();
        var a = ClusterTestSupport.RunTestPackageServer(ClusterTestSupport.SrvConf(pa, pb));
        var b = ClusterTestSupport.RunTestPackageServer(ClusterTestSupport.SrvConf(pb, pa));
        var c = ClusterTestSupport.RunTestPackageServer(ClusterTestSupport.SrvConf(pc, pa));
        ClusterTestSupport.CheckClusterFormed(a, b, c);
        return (a, b, c);
    }

    /// <summary>Go's setupConnWithAccount: a client that sent CONNECT and was then bound, inside the server, to
    /// <paramref name="account"/> (registered if it does not exist yet).</summary>
    public static ProtoClient ConnectWithAccount(NatsServer s, string account)
    {
        var c = ProtoClient.Connect("127.0.0.1", s.Port);
        ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
        if (s.LookupAccount(account) is null)
        {
            try { s.RegisterAccount(account); } catch (InvalidOperationException) { }
        }
        var acc = s.LookupAccount(account)!;
        c.SendConnect();
        c.Flush();
        var nc = s.Clients.FirstOrDefault(x => x.Cid == cid) ?? throw new InvalidOperationException($"Could not get client for CID:{cid}");
        nc.RegisterUser(acc, null, null);
        return c;
    }

    /// <summary>Go's registerAccounts: $foo and $bar on <paramref name="s"/>.</summary>
    public static (Account Foo, Account Bar) RegisterAccounts(NatsServer s) => (s.RegisterAccount("$foo"), s.RegisterAccount("$bar"));

    /// <summary>Reads MSG frames from <paramref name="c"/> until none arrives within <paramref name="quiet"/> (Go's peek
    /// loops); how many.</summary>
    public static int DrainMsgs(ProtoClient c, TimeSpan quiet)
    {
        int n = 0;
        while (c.WaitForLine(quiet))
        {
            var f = c.ReadMsg();
            if (f.Op != "MSG") Assert.Fail($"Expected MSG frames, got {f}");
            n++;
        }
        return n;
    }
}

/// <summary>Go's runServers on a target: srv_a and srv_b as processes (conf files with cluster blocks, monitoring on
/// to see routes and subscription counts).</summary>
internal sealed class NewRoutePair : IAsyncDisposable
{
    public required NatsServerProcess A { get; init; }
    public required NatsServerProcess B { get; init; }

    /// <summary>srv_a.conf and srv_b.conf (cluster "xyz", route credentials ruser/top_secret); <paramref name="extraA"/>
    /// is added to A's conf (e.g. no_header_support).</summary>
    public static async Task<NewRoutePair> StartAsync(ServerTarget target, string extraA = "")
    {
        int pa = NatsServerProcess.FreePort(), pb = NatsServerProcess.FreePort();
        string Conf(int listen, int route) =>
            $"cluster {{\n  listen: 127.0.0.1:{listen}\n  name: xyz\n" +
            (target == ServerTarget.Ours ? "  pool_size: -1\n  compression: off\n" : "") +
            "  authorization {\n    user: ruser\n    password: top_secret\n    timeout: 0.5\n  }\n" +
            $"  routes = [\n    nats-route://ruser:top_secret@127.0.0.1:{route}\n  ]\n}}\n";
        var a = NatsServerProcess.Start(target, new ServerConfig { NoSystemAccount = true, Monitoring = true, Extra = Conf(pa, pb) + extraA });
        NatsServerProcess b;
        try
        {
            b = NatsServerProcess.Start(target, new ServerConfig { NoSystemAccount = true, Monitoring = true, Extra = Conf(pb, pa) });
        }
        catch
        {
            await a.DisposeAsync();
            throw;
        }
        var pair = new NewRoutePair { A = a, B = b };
        try
        {
            await pair.WaitAsync(async s => (await s.GetMonitorJsonAsync("/routez")).GetProperty("num_routes").GetInt32(), 1, "routes");
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
        return pair;
    }

    /// <summary>Go's checkExpectedSubs through /varz: each server has <paramref name="expected"/> subscriptions.</summary>
    public Task CheckExpectedSubsAsync(int expected, params NatsServerProcess[] servers) =>
        WaitAsync(async s => (await s.GetMonitorJsonAsync("/varz")).GetProperty("subscriptions").GetInt32(), expected, "subscriptions", servers);

    private async Task WaitAsync(Func<NatsServerProcess, Task<int>> get, int expected, string what, params NatsServerProcess[] servers)
    {
        if (servers.Length == 0) servers = [A, B];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            string? err = null;
            foreach (var s in servers)
                if (await get(s) is var n && n != expected) { err = $"Expected {expected} {what} for {s}, got {n}"; break; }
            if (err is null) return;
            if (DateTime.UtcNow >= deadline) Assert.Fail(err);
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
