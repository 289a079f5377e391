using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestClientCheckUseOfGWReplyPrefix")]
    public async Task ClientCheckUseOfGWReplyPrefix()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false}\r\n");

        nc.Send("PUB _GR_.anything 11\r\nshould fail\r\n");
        var err = nc.ReadLine();
        err.ShouldStartWith("-ERR ");
        err.ToLowerInvariant().ShouldContain("violation for publish");

        nc.Send("PUB foo _GR_.anything 11\r\nshould fail\r\n");
        err = nc.ReadLine();
        err.ShouldStartWith("-ERR ");
        err.ToLowerInvariant().ShouldContain("violation for publish with reply");
    }

    [Fact, GoTest("server/client_test.go", "TestClientDenySysGroupSub")]
    public async Task ClientDenySysGroupSub()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false}\r\nSUB foo _sys_ 1\r\nPING\r\n");
        var err = nc.ReadLine();
        err.ShouldStartWith("-ERR ");
        err.ShouldContain("Permissions Violation");
        nc.ReadLine().ShouldBe("PONG\r\n");
        s.Clients.Single().SubscriptionCount.ShouldBe(0);
    }
}
