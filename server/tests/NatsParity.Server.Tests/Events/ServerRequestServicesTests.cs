using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Events;

/// <summary>The server request services Go added after the 2.9.10 reference (IPQUEUESZ and RAFTZ), answered in Go's
/// response envelope.</summary>
public sealed class ServerRequestServicesTests
{
    private static JsonElement Ask(ProtoClient c, string subject, string body)
    {
        c.Send($"PUB {subject} _INBOX.z {body.Length}\r\n{body}\r\n");
        using var doc = JsonDocument.Parse(c.ReadMsg(TimeSpan.FromSeconds(2)).Payload);
        return doc.RootElement.Clone();
    }

    [Fact]
    public async Task IpqueueszAndRaftzAnswerInTheEnvelope()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            accounts { $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] } }
            """);
        using var nc = ProtoClient.Login("127.0.0.1", s.Port, "admin", "s3cr3t!", commands: "SUB _INBOX.z 1\r\n");

        // Every internal queue, with its pending count; a filter keeps the matching ones.
        var all = Ask(nc, "$SYS.REQ.SERVER.PING.IPQUEUESZ", "{\"all\":true}");
        all.GetProperty("server").GetProperty("id").GetString().ShouldBe(s.ServerId);
        var queues = all.GetProperty("data").EnumerateObject().ToList();
        queues.ShouldNotBeEmpty();
        foreach (var q in queues) q.Value.GetProperty("pending").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
        string one = queues[0].Name;
        var filtered = Ask(nc, $"$SYS.REQ.SERVER.{s.ServerId}.IPQUEUESZ", $"{{\"all\":true,\"filter\":\"{one}\"}}");
        filtered.GetProperty("data").EnumerateObject().Select(p => p.Name).ShouldAllBe(n => n.Contains(one));

        // No Raft groups on a server that is not clustered.
        var raft = Ask(nc, "$SYS.REQ.SERVER.PING.RAFTZ", "");
        raft.GetProperty("data").ValueKind.ShouldBe(JsonValueKind.Object);
        raft.GetProperty("data").EnumerateObject().ShouldBeEmpty();
    }
}
