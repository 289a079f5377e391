using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Port of server/ping_test.go.</summary>
[Collection(nameof(TimingSensitive))]
public sealed class PingTests
{
    [Fact, GoTest("server/ping_test.go", "TestPing")]
    public async Task Ping()
    {
        await using var s = InProcess.Run(new ServerOptions { PingInterval = TimeSpan.FromMilliseconds(50), DisableShortFirstPing = true });
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        c.Send("CONNECT {\"verbose\":false}\r\nPING\r\n");
        c.ReadLine().ShouldBe("PONG\r\n");
        var start = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 3; i++)
        {
            c.ReadLine().ShouldBe("PING\r\n");
            var dur = start.Elapsed;
            dur.ShouldBeInRange(TimeSpan.FromMilliseconds(25), TimeSpan.FromMilliseconds(75), "Pings duration off");
            c.Send("PONG\r\n");
            start.Restart();
        }
    }
}
