using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Monitoring;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go for server metadata and feature flags in varz.</summary>
public sealed partial class ServerMonitorTests
{
    private static JsonElement RenderVarz(NatsServer s)
    {
        var (json, err) = s.Monitor.Render(Monitor.VarzPath, MonitorQuery.From(new Dictionary<string, string>()));
        err.ShouldBeNull();
        using var doc = JsonDocument.Parse(json!);
        return doc.RootElement.Clone();
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorVarzMetadata")]
    public async Task MonitorVarzMetadata()
    {
        await using var s = RunMonitorServer();
        var md = RenderVarz(s).GetProperty("metadata").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        md.ShouldBe(new Dictionary<string, string?> { ["key1"] = "value1", ["key2"] = "value2" }, ignoreOrder: true);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorVarzFeatureFlags")]
    public async Task MonitorVarzFeatureFlags()
    {
        // A flag the server knows, off by default, that the options turn on ("feature" and "revert_fix" are unknown).
        FeatureFlags.Defaults["fix"] = false;
        try
        {
            var expected = FeatureFlags.Defaults.ToDictionary(kv => kv.Key, kv => kv.Value);
            expected["fix"] = true;
            await using var s = RunMonitorServer();
            var flags = RenderVarz(s).GetProperty("feature_flags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean());
            flags.ShouldBe(expected, ignoreOrder: true);
        }
        finally
        {
            FeatureFlags.Defaults.TryRemove("fix", out _);
        }
    }
}

/// <summary>Port of TestMonitorAuthorizedUsers: connz's authorized_user for users, nkeys, tokens and JWT users.</summary>
public sealed partial class ServerMonitorTests
{
    [Fact, GoTest("server/monitor_test.go", "TestMonitorAuthorizedUsers")]
    public async Task MonitorAuthorizedUsers()
    {
        var kp = NatsParity.Server.Auth.NKeyPair.FromSeed("SUAKYRHVIOREXV7EUZTBHUHL7NUMHPMAS7QMDU3GTIUWEI5LDNOXD43IZY");
        string usrNKey = kp.PublicKey;

        async Task CheckAuthUser(NatsServer s, string expected)
        {
            for (int mode = 0; mode < 2; mode++)
            {
                var conns = (await PollConnz(s, mode, "?auth=true")).GetProperty("connections");
                conns.GetArrayLength().ShouldBe(1);
                string au = conns[0].GetProperty("authorized_user").GetString() ?? "";
                au.ShouldNotBeEmpty();
                au.ShouldBe(expected);
            }
        }

        var o = MonitorOptions();
        o.Nkeys = [new NatsParity.Server.Auth.NkeyUser { Nkey = usrNKey }];
        o.Users = [new NatsParity.Server.Auth.User { Username = "user", Password = "pwd" }];
        await using (var s = InProcess.Run(o))
        {
            using (ProtoClient.Login("127.0.0.1", s.Port, "user", "pwd")) await CheckAuthUser(s, "user");
            using (var c = ProtoClient.Connect("127.0.0.1", s.Port))
            {
                string nonce = c.Info!.Value.GetProperty("nonce").GetString()!;
                string sig = NatsParity.Server.Auth.Jwt.JwtCodec.Base64Url(kp.Sign(System.Text.Encoding.ASCII.GetBytes(nonce)));
                c.Send($"CONNECT {{\"verbose\":false,\"nkey\":\"{usrNKey}\",\"sig\":\"{sig}\"}}\r\n");
                c.Flush();
                // The user's nkey.
                await CheckAuthUser(s, usrNKey);
            }
        }

        o = MonitorOptions();
        o.Authorization = "sometoken";
        await using (var s = InProcess.Run(o))
        {
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            c.Send("CONNECT {\"verbose\":false,\"auth_token\":\"sometoken\"}\r\n");
            c.Flush();
            // Tokens are not shown.
            await CheckAuthUser(s, "[REDACTED]");
        }

        // Operator mode: the user's public key.
        o = MonitorOptions();
        o.TrustedKeys = [JwtCreds.Operator.PublicKey];
        o.AccountResolver = new NatsParity.Server.Auth.Jwt.MemoryAccountResolver();
        await using (var s = InProcess.Run(o))
        {
            var akp = NatsParity.Server.Auth.NKeyPair.Create(NatsParity.Server.Auth.NKeys.PrefixAccount);
            s.AccountResolver!.Store(akp.PublicKey, new NatsParity.Server.Auth.Jwt.AccountClaims(akp.PublicKey).Encode(JwtCreds.Operator));
            var ukp = NatsParity.Server.Auth.NKeyPair.Create(NatsParity.Server.Auth.NKeys.PrefixUser);
            using var c = ProtoClient.Connect("127.0.0.1", s.Port);
            c.Send(JwtCreds.ConnectLine(c, akp, user: ukp));
            c.ExpectLine(ProtoRegex.Pong);
            await CheckAuthUser(s, ukp.PublicKey);
        }
    }
}
