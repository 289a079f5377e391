using System.Text.Json;
using System.Text.RegularExpressions;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>
/// The system account against ours and the reference with the same conf file: request services ($SYS.REQ.SERVER.PING.*,
/// $SYS.REQ.SERVER.&lt;id&gt;.*, $SYS.REQ.ACCOUNT.&lt;acc&gt;.*, the imports every account gets) and events (connect,
/// disconnect, account connections, authentication errors) must arrive on Go's subjects with every key path the
/// reference sends, with the same JSON type. Values that vary by server are not compared.
/// </summary>
public sealed class SystemAccountParityTests
{
    private const string Conf = """
        accounts {
          SYS { users [ {user: sys, password: sys} ] }
          A { users [ {user: a, password: a} ] }
        }
        system_account: SYS
        """;

    private static ServerConfig Config => new() { Extra = Conf };

    private static void Need()
    {
        Assert.SkipUnless(ServerTargets.IsSelected(ServerTarget.Ours) && ServerTargets.IsSelected(ServerTarget.Reference),
            "compares ours with the reference: both targets must be selected");
    }

    private static ProtoClient Login(NatsServerProcess s, string user, string sub)
    {
        var c = ProtoClient.Connect(s);
        c.Send($"CONNECT {{\"verbose\":false,\"user\":\"{user}\",\"pass\":\"{user}\",\"headers\":true,\"name\":\"{user}-client\",\"lang\":\"go\",\"version\":\"1.0\"}}\r\nSUB {sub} 1\r\nPING\r\n");
        c.ReadUntil("PONG\r\n");
        return c;
    }

    /// <summary>Sends a request and returns the first answer's JSON.</summary>
    private static JsonElement Request(ProtoClient c, string subject, string body = "")
    {
        c.Send($"PUB {subject} _INBOX.r {body.Length}\r\n{body}\r\n");
        var m = c.ReadMsg(TimeSpan.FromSeconds(5));
        m.Subject.ShouldBe("_INBOX.r");
        using var doc = JsonDocument.Parse(m.Payload);
        return doc.RootElement.Clone();
    }

    /// <summary>Ours must serve every key path of the reference with its type. A key the reference sends as null is
    /// optional: Go leaves such keys out since 2.10 (omitempty on ServerAPIResponse.Data).</summary>
    private static void ShouldMatch(JsonElement reference, JsonElement ours, string what)
    {
        var want = JsonPaths.Of(reference);
        var got = JsonPaths.Of(ours);
        var missing = want.Where(kv => kv.Value != JsonValueKind.Null && !got.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList();
        missing.ShouldBeEmpty($"{what}: key paths the reference sends and ours does not");
        var typeDiffs = want.Where(kv => kv.Value != JsonValueKind.Null && got.TryGetValue(kv.Key, out var k) && k != kv.Value)
            .Select(kv => $"{kv.Key}: reference {kv.Value}, ours {got[kv.Key]}").ToList();
        typeDiffs.ShouldBeEmpty($"{what}: key paths with another type");
    }

    public static TheoryData<string, string> Requests => new()
    {
        { "$SYS.REQ.SERVER.PING", "" },
        { "$SYS.REQ.SERVER.PING.STATSZ", "" },
        { "$SYS.REQ.SERVER.PING.VARZ", "" },
        { "$SYS.REQ.SERVER.PING.CONNZ", "" },
        { "$SYS.REQ.SERVER.PING.CONNZ", """{"subscriptions":true,"auth":true,"sort":"msgs_to"}""" },
        { "$SYS.REQ.SERVER.PING.CONNZ", """{"state":1}""" },
        { "$SYS.REQ.SERVER.PING.CONNZ", """{"sort":"foo"}""" },
        { "$SYS.REQ.SERVER.PING.CONNZ", """{"auth":"x"}""" },
        { "$SYS.REQ.SERVER.PING.SUBSZ", """{"subscriptions":true}""" },
        { "$SYS.REQ.SERVER.PING.ROUTEZ", "" },
        { "$SYS.REQ.SERVER.PING.GATEWAYZ", "" },
        { "$SYS.REQ.SERVER.PING.LEAFZ", "" },
        { "$SYS.REQ.SERVER.PING.ACCOUNTZ", "" },
        { "$SYS.REQ.SERVER.PING.ACCOUNTZ", """{"account":"A"}""" },
        { "$SYS.REQ.SERVER.PING.JSZ", "" },
        { "$SYS.REQ.SERVER.PING.HEALTHZ", "" },
        { "$SYS.REQ.SERVER.{id}.VARZ", "" },
        { "$SYS.REQ.SERVER.{id}.CONNZ", """{"acc":"A"}""" },
        { "$SYS.REQ.ACCOUNT.A.CONNZ", "" },
        { "$SYS.REQ.ACCOUNT.A.SUBSZ", "" },
        { "$SYS.REQ.ACCOUNT.A.INFO", "" },
        { "$SYS.REQ.ACCOUNT.A.STATZ", "" },
        { "$SYS.REQ.ACCOUNT.SYS.STATZ", """{"include_unused":true}""" },
        { "$SYS.REQ.ACCOUNT.PING.STATZ", "" },
        { "$SYS.REQ.ACCOUNT.NOPE.INFO", "" },
    };

    [Theory, MemberData(nameof(Requests))]
    public void RequestAnswersWithEveryReferenceKeyPath(string subject, string body)
    {
        Need();
        using var ours = NatsServerProcess.Start(ServerTarget.Ours, Config);
        using var reference = NatsServerProcess.Start(ServerTarget.Reference, Config);
        JsonElement Ask(NatsServerProcess s)
        {
            using var a = Login(s, "a", "bar");
            a.SendAndFlush("PUB foo 5\r\nhello\r\n");
            using var sys = Login(s, "sys", "_INBOX.>");
            string id = sys.Info!.Value.GetProperty("server_id").GetString()!;
            return Request(sys, subject.Replace("{id}", id), body);
        }
        var want = Ask(reference);
        var got = Ask(ours);
        ShouldMatch(want, got, $"{subject} {body}");
        // Errors are errors on both, with the same code.
        if (want.TryGetProperty("error", out var we) && we.ValueKind == JsonValueKind.Object)
            got.GetProperty("error").GetProperty("code").GetInt32().ShouldBe(we.GetProperty("code").GetInt32());
    }

    /// <summary>An account's own users reach its connz through the system imports on both targets.</summary>
    [Theory]
    [InlineData("$SYS.REQ.SERVER.PING.CONNZ")]
    [InlineData("$SYS.REQ.ACCOUNT.PING.CONNZ")]
    [InlineData("$SYS.REQ.ACCOUNT.PING.STATZ")]
    public void AccountUserReachesItsOwnMonitoring(string subject)
    {
        Need();
        using var ours = NatsServerProcess.Start(ServerTarget.Ours, Config);
        using var reference = NatsServerProcess.Start(ServerTarget.Reference, Config);
        JsonElement Ask(NatsServerProcess s)
        {
            using var a = Login(s, "a", "_INBOX.>");
            return Request(a, subject);
        }
        var want = Ask(reference);
        var got = Ask(ours);
        ShouldMatch(want, got, subject);
        if (want.TryGetProperty("data", out var wd) && wd.TryGetProperty("connections", out var wc))
        {
            // Only the account's own connections are listed.
            got.GetProperty("data").GetProperty("connections").GetArrayLength().ShouldBe(wc.GetArrayLength());
        }
    }

    /// <summary>Events seen by a system account subscriber: connect, account connections, disconnect, auth errors.</summary>
    [Fact]
    public void EventsArriveOnGoSubjectsWithGoShape()
    {
        Need();
        using var ours = NatsServerProcess.Start(ServerTarget.Ours, Config);
        using var reference = NatsServerProcess.Start(ServerTarget.Reference, Config);
        Dictionary<string, JsonElement> Watch(NatsServerProcess s)
        {
            using var sys = Login(s, "sys", "$SYS.ACCOUNT.>");
            sys.Send("SUB $SYS.SERVER.*.CLIENT.AUTH.ERR 2\r\nPING\r\n");
            sys.ReadUntil("PONG\r\n");
            using (var a = Login(s, "a", "bar"))
            {
                a.SendAndFlush("PUB foo 2\r\nhi\r\n");
            }
            using (var bad = ProtoClient.Connect(s))
            {
                bad.Send("CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"wrong\"}\r\n");
                bad.ExpectLine(new Regex(@"^-ERR 'Authorization Violation'\r\n$"));
            }
            var seen = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            var deadline = DateTime.UtcNow.AddSeconds(5);
            string[] wanted = ["$SYS.ACCOUNT.A.CONNECT", "$SYS.ACCOUNT.A.DISCONNECT", "$SYS.ACCOUNT.A.SERVER.CONNS", "AUTH.ERR"];
            while (DateTime.UtcNow < deadline && !wanted.All(seen.ContainsKey))
            {
                MsgFrame m;
                try { m = sys.ReadMsg(TimeSpan.FromSeconds(1)); }
                catch (ProtoException) { continue; }
                string key = m.Subject.EndsWith(".CLIENT.AUTH.ERR", StringComparison.Ordinal) ? "AUTH.ERR" : m.Subject;
                using var doc = JsonDocument.Parse(m.Payload);
                // The last connections update counts the client that left.
                seen[key] = doc.RootElement.Clone();
            }
            return seen;
        }
        var want = Watch(reference);
        var got = Watch(ours);
        foreach (var (subject, ev) in want)
        {
            if (!subject.StartsWith("$SYS.ACCOUNT.A.", StringComparison.Ordinal) && subject != "AUTH.ERR") continue;
            got.ShouldContainKey(subject);
            ShouldMatch(ev, got[subject], subject);
            got[subject].GetProperty("type").GetString().ShouldBe(ev.GetProperty("type").GetString());
            if (ev.TryGetProperty("reason", out var r)) got[subject].GetProperty("reason").GetString().ShouldBe(r.GetString());
        }
        want.Keys.Where(k => k.StartsWith("$SYS.ACCOUNT.A.", StringComparison.Ordinal) || k == "AUTH.ERR").Count().ShouldBe(4);
    }

    /// <summary>The single-server half of Go's TestServerEventsFilteredByTag: server_tags show in varz, and a ping that
    /// filters by tags is answered only when every tag asked for is one of the server's.</summary>
    [Fact]
    public void ServerTagsShowInVarzAndFilterPings()
    {
        foreach (var target in ServerTargets.Selected)
        {
            using var s = NatsServerProcess.Start(target, new ServerConfig
            {
                ServerName = "srv-A",
                Extra = Conf + "\nserver_tags: [\"foo\", \" Bar \", \"FOO\", \"\"]",
            });
            using var sys = Login(s, "sys", "_INBOX.>");
            void Ask(params string[] tags)
            {
                string body = JsonSerializer.Serialize(new { tags });
                sys.Send($"PUB $SYS.REQ.SERVER.PING.VARZ _INBOX.r {body.Length}\r\n{body}\r\n");
            }
            Ask("none");
            sys.ExpectNothing(TimeSpan.FromMilliseconds(200));
            Ask("baz", "foo");
            sys.ExpectNothing(TimeSpan.FromMilliseconds(200));
            foreach (string[] tags in new[] { ["foo"], ["foo", "bar"], new[] { " BAR" } })
            {
                Ask(tags);
                var m = sys.ReadMsg(TimeSpan.FromSeconds(5));
                using var doc = JsonDocument.Parse(m.Payload);
                doc.RootElement.GetProperty("server").GetProperty("name").GetString().ShouldBe("srv-A", target.ToString());
                doc.RootElement.GetProperty("server").GetProperty("tags").EnumerateArray().Select(t => t.GetString())
                    .ShouldBe(["foo", "bar"], target.ToString());
                doc.RootElement.GetProperty("data").GetProperty("tags").EnumerateArray().Select(t => t.GetString())
                    .ShouldBe(["foo", "bar"], target.ToString());
            }
        }
    }
}
