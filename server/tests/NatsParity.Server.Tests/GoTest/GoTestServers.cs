using NatsParity.Testing;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>The server option sets of Go's test package (test/test.go DefaultTestOptions and the per-file runXServer helpers).</summary>
internal static class GoTestServers
{
    /// <summary>DefaultTestOptions: the wire-visible part is the 4 KB control line limit.</summary>
    public static readonly ServerConfig Default = new() { MaxControlLine = 4096 };

    /// <summary>runProtoServer in test/proto_test.go.</summary>
    public static readonly ServerConfig Proto = Default with { MaxControlLine = 256, NoSystemAccount = true };

    /// <summary>runPingServer in test/ping_test.go.</summary>
    public static readonly ServerConfig Ping = Default with { PingInterval = TimeSpan.FromMilliseconds(50), PingMax = 2 };
}
