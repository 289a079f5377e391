using System.Text;
using CsCheck;
using NatsParity.Server;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using Shouldly;
using Xunit;

namespace NatsParity.Conformance.Properties;

/// <summary>Queue groups: each message goes to exactly one member, and members share the load.</summary>
public sealed class QueueFairnessTests
{
    [Fact]
    public void EveryMessageReachesOneMemberAndEachMemberGetsAFairShare()
    {
        Gen.Int[2, 6].Sample(members =>
        {
            const int messages = 600;
            var server = new NatsServer(new ServerOptions { NoLog = true });
            var subs = Enumerable.Range(1, members).Select(i => new ClientConnection(server, (ulong)i)).ToList();
            var pub = new ClientConnection(server, 100);
            foreach (var s in subs) s.ParseForTest(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false}\r\nSUB work workers 1\r\n")).ShouldBeNull();
            pub.ParseForTest(Encoding.ASCII.GetBytes("CONNECT {\"verbose\":false}\r\n")).ShouldBeNull();
            var batch = string.Concat(Enumerable.Repeat("PUB work 1\r\nx\r\n", messages));
            pub.ParseForTest(Encoding.ASCII.GetBytes(batch)).ShouldBeNull();

            var counts = subs.Select(s => CountMsgs(Encoding.ASCII.GetString(s.TakeOutbound()))).ToList();
            counts.Sum().ShouldBe(messages);
            foreach (var c in counts) c.ShouldBeGreaterThan(messages / members / 2, $"counts {string.Join(",", counts)}");
        }, iter: 20);
    }

    private static int CountMsgs(string output)
    {
        int n = 0, i = 0;
        while ((i = output.IndexOf("MSG work 1 1\r\n", i, StringComparison.Ordinal)) >= 0) { n++; i++; }
        return n;
    }
}
