using System.Text.Json;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>
/// Each monitoring endpoint and query option against ours and the reference after the same scenario (clients
/// connected, subscribed, publishing, one closed): every key path the reference serves must be served by ours with the
/// same JSON type. Values that differ by server (ids, times, counts of internal subscriptions) are not compared.
/// </summary>
public sealed class MonitorParityTests
{
    public static TheoryData<string> Endpoints => new()
    {
        "/varz", "/connz", "/connz?subs=1", "/connz?subs=detail", "/connz?state=closed", "/connz?state=all&sort=cid",
        "/connz?sort=msgs_to", "/connz?sort=bytes_from&limit=1&offset=1", "/connz?auth=1", "/connz?cid=1",
        "/connz?state=closed&sort=stop", "/connz?state=closed&sort=reason",
        "/subsz", "/subsz?subs=1", "/subsz?subs=1&test=foo.bar", "/subscriptionsz?subs=1&offset=1&limit=1",
        "/healthz", "/routez", "/gatewayz", "/leafz", "/accountz", "/accountz?acc=$G", "/accountz?acc=$SYS", "/accstatz", "/accstatz?unused=1", "/jsz", "/ipqueuesz",
    };

    /// <summary>The scenario: two subscribers, a publisher, and one client that came and went.</summary>
    private static List<ProtoClient> Scenario(NatsServerProcess s)
    {
        var clients = new List<ProtoClient>();
        var sub = ProtoClient.Login(s, commands: "SUB foo.* 1\r\nSUB foo.bar q 2\r\n", connectFields: ",\"name\":\"sub\",\"lang\":\"go\",\"version\":\"1.0\"");
        clients.Add(sub);
        var pub = ProtoClient.Login(s, commands: "PUB foo.bar 5\r\nhello\r\nPUB foo.baz 5\r\nworld\r\n", connectFields: ",\"name\":\"pub\"");
        clients.Add(pub);
        sub.ExpectMsgs(3);
        using (var gone = ProtoClient.Connect(s))
        {
            gone.SendAndFlush("CONNECT {\"verbose\":false,\"name\":\"gone\"}\r\nSUB x 1\r\n");
        }
        Thread.Sleep(200);
        return clients;
    }

    private static async Task<JsonElement> Get(NatsServerProcess s, string path)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string body = await http.GetStringAsync(s.MonitorUrl + path);
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    [Theory, MemberData(nameof(Endpoints))]
    public async Task EndpointServesEveryReferenceKeyPathWithItsType(string endpoint)
    {
        Assert.SkipUnless(ServerTargets.IsSelected(ServerTarget.Ours) && ServerTargets.IsSelected(ServerTarget.Reference),
            "compares ours with the reference: both targets must be selected");
        var config = new ServerConfig { Monitoring = true };
        using var ours = NatsServerProcess.Start(ServerTarget.Ours, config);
        using var reference = NatsServerProcess.Start(ServerTarget.Reference, config);
        var oc = Scenario(ours);
        var rc = Scenario(reference);
        try
        {
            var want = JsonPaths.Of(await Get(reference, endpoint));
            var got = JsonPaths.Of(await Get(ours, endpoint));
            var missing = want.Where(kv => !got.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
            missing.ShouldBeEmpty($"{endpoint}: key paths the reference serves and ours does not");
            var typeDiffs = want.Where(kv => got[kv.Key] != kv.Value && kv.Value != JsonValueKind.Null)
                .Select(kv => $"{kv.Key}: reference {kv.Value}, ours {got[kv.Key]}").ToList();
            typeDiffs.ShouldBeEmpty($"{endpoint}: key paths with another type");
        }
        finally
        {
            foreach (var c in oc.Concat(rc)) c.Dispose();
        }
    }

    /// <summary>Bad query options get Go's 400 texts on both targets.</summary>
    [Theory]
    [InlineData("/connz?sort=foo", "invalid sorting option: foo")]
    [InlineData("/connz?sort=stop", "sort by stop only valid on closed connections")]
    [InlineData("/connz?sort=reason", "sort by reason only valid on closed connections")]
    [InlineData("/connz?subs=maybe", "Error decoding boolean for 'subs': strconv.ParseBool: parsing \"maybe\": invalid syntax")]
    [InlineData("/connz?offset=x", "Error decoding int for 'offset': strconv.Atoi: parsing \"x\": invalid syntax")]
    public async Task BadQueryOptionsAnswerLikeTheReference(string path, string text)
    {
        foreach (var target in ServerTargets.Selected)
        {
            using var s = NatsServerProcess.Start(target, new ServerConfig { Monitoring = true });
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            using var resp = await http.GetAsync(s.MonitorUrl + path);
            ((int)resp.StatusCode).ShouldBe(400, target.ToString());
            (await resp.Content.ReadAsStringAsync()).ShouldBe(text, target.ToString());
        }
    }
}
