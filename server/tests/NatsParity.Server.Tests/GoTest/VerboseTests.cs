using NatsParity.Testing;
using Xunit;

namespace NatsParity.Server.Tests.GoTest;

/// <summary>Ports of test/verbose_test.go: +OK acknowledgements for verbose clients.</summary>
public sealed class VerboseTests
{
    private static ProtoClient ConnectVerbose(NatsServerProcess server)
    {
        var c = ProtoClient.Connect(server);
        c.SendConnect(verbose: true);
        c.ExpectLine(ProtoRegex.Ok);
        return c;
    }

    [Theory, TargetData]
    [GoTest("test/verbose_test.go", "TestVerbosePing")]
    public void VerbosePing(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, GoTestServers.Proto);
        using var c = ConnectVerbose(server);

        c.Flush();
    }

    [Theory, TargetData]
    [GoTest("test/verbose_test.go", "TestVerboseConnect")]
    public void VerboseConnect(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, GoTestServers.Proto);
        using var c = ConnectVerbose(server);

        c.Send("CONNECT {\"verbose\":true,\"pedantic\":true,\"tls_required\":false}\r\n");
        c.ExpectLine(ProtoRegex.Ok);
    }

    [Theory, TargetData]
    [GoTest("test/verbose_test.go", "TestVerbosePubSub")]
    public void VerbosePubSub(ServerTarget target)
    {
        using var server = NatsServerProcess.Start(target, GoTestServers.Proto);
        using var c = ConnectVerbose(server);

        c.Send("PUB foo 2\r\nok\r\n");
        c.ExpectLine(ProtoRegex.Ok);
        c.Send("SUB foo 1\r\n");
        c.ExpectLine(ProtoRegex.Ok);
        c.Send("UNSUB 1\r\n");
        c.ExpectLine(ProtoRegex.Ok);
    }
}
