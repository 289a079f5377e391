using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/pedantic_test.go: subject validation for clients that CONNECT with pedantic on.</summary>
public sealed class PedanticTests
{
    // runPedanticServer only turns on tracing, which is not visible on the wire.
    private static NatsServerProcess Start(ServerTarget target) => NatsServerProcess.Start(target, GoTestServers.Default);

    [Theory, TargetData]
    [GoTest("test/pedantic_test.go", "TestPedanticSub")]
    public void PedanticSub(ServerTarget target)
    {
        using var server = Start(target);
        using var c = ProtoClient.Connect(server);
        c.SendConnect(verbose: false, pedantic: true);

        c.Flush();

        // Empty terminal, leading and middle tokens.
        c.Send("SUB foo. 1\r\n");
        c.ExpectLine(ProtoRegex.Err);
        c.Send("SUB .foo. 1\r\n");
        c.ExpectLine(ProtoRegex.Err);
        c.Send("SUB foo..bar 1\r\n");
        c.ExpectLine(ProtoRegex.Err);

        // A full wildcard that is not the last token.
        c.Send("SUB foo.>.bar 1\r\n");
        c.ExpectLine(ProtoRegex.Err).Groups[1].Value.ShouldBe("'Invalid Subject'");
    }

    [Theory, TargetData]
    [GoTest("test/pedantic_test.go", "TestPedanticPub")]
    public void PedanticPub(ServerTarget target)
    {
        using var server = Start(target);
        using var c = ProtoClient.Connect(server);
        c.SendConnect(verbose: false, pedantic: true);

        c.Flush();

        // Publish subjects may not hold wildcards or empty tokens.
        foreach (var subject in (string[])["foo.*", "foo.>", "foo.", ".foo", "foo..*"])
        {
            c.Send($"PUB {subject} 2\r\nok\r\n");
            c.ExpectLine(ProtoRegex.Err);
        }
    }
}
