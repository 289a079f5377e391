using System.Text;
using BenchmarkDotNet.Attributes;
using NatsParity.Server;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Subscriptions;

namespace NatsParity.MicroBench;

/// <summary>The client protocol parser and inbound path: a read of PUBs with no subscribers, per message.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private const int Messages = 2000;
    private NatsServer _server = null!;
    private ClientConnection _client = null!;
    private byte[] _read = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = new NatsServer(new ServerOptions { NoLog = true });
        _client = new ClientConnection(_server, 1);
        _client.ParseForTest("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"u8.ToArray());
        var one = "PUB foo.bar 16\r\n0123456789abcdef\r\n"u8.ToArray();
        _read = new byte[one.Length * Messages];
        for (int i = 0; i < Messages; i++) one.CopyTo(_read, i * one.Length);
    }

    /// <summary>Parse and process a PUB of 16 bytes that no one subscribes to.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public string? ParsePub16NoSubscribers() => _client.ParseForTest(_read);
}

/// <summary>Sublist matching: the same subject again (cache hit) and subjects that miss the cache.</summary>
[MemoryDiagnoser]
public class SublistBenchmarks
{
    private Sublist _sl = null!;
    private byte[][] _misses = null!;
    private readonly byte[] _hit = "orders.eu.123.created"u8.ToArray();
    private int _i;

    [GlobalSetup]
    public void Setup()
    {
        _sl = new Sublist();
        foreach (var s in new[] { "orders.>", "orders.*.*.created", "orders.eu.>", "metrics.*", "a.b.c", "x.*.z" })
            _sl.Insert(new Subscription(s));
        for (int i = 0; i < 1000; i++) _sl.Insert(new Subscription($"svc.{i}.req"));
        // More distinct subjects than the match cache keeps, visited in turn: every match misses.
        _misses = Enumerable.Range(0, 50_000).Select(i => Encoding.ASCII.GetBytes($"orders.r{i % 97}.{i}.created")).ToArray();
    }

    [Benchmark]
    public SublistResult MatchCacheHit() => _sl.Match(_hit);

    [Benchmark]
    public SublistResult MatchCacheMiss()
    {
        var s = _misses[_i];
        _i = _i + 1 == _misses.Length ? 0 : _i + 1;
        return _sl.Match(s);
    }
}

/// <summary>The outbound writer: a 16 B message delivered into a subscriber's buffer, per message.</summary>
[MemoryDiagnoser]
public class OutboundBenchmarks
{
    private const int Messages = 2000;
    private NatsServer _server = null!;
    private ClientConnection _pub = null!, _sub = null!;
    private byte[] _read = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = new NatsServer(new ServerOptions { NoLog = true, MaxPending = 1L << 30 });
        _pub = new ClientConnection(_server, 1);
        _sub = new ClientConnection(_server, 2);
        _pub.ParseForTest("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n"u8.ToArray());
        _sub.ParseForTest("CONNECT {\"verbose\":false,\"pedantic\":false}\r\nSUB foo.bar 1\r\n"u8.ToArray());
        var one = "PUB foo.bar 16\r\n0123456789abcdef\r\n"u8.ToArray();
        _read = new byte[one.Length * Messages];
        for (int i = 0; i < Messages; i++) one.CopyTo(_read, i * one.Length);
    }

    /// <summary>A PUB of 16 bytes delivered as MSG into one subscriber's outbound buffer.</summary>
    [Benchmark(OperationsPerInvoke = Messages)]
    public void DeliverPub16ToOneSubscriber()
    {
        _pub.ParseForTest(_read);
        _sub.DiscardOutbound();
    }
}
