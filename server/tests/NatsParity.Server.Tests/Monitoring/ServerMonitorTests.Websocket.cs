using NatsParity.Server.Auth;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

public sealed partial class ServerMonitorTests
{
    [Fact, GoTest("server/monitor_test.go", "TestMonitorWebsocket")]
    public async Task MonitorWebsocket()
    {
        const string pin = "7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069";
        var o = new ServerOptions
        {
            NoLog = true, HttpHost = "127.0.0.1", HttpPort = ServerOptions.RandomPort,
            TrustedKeys = [NKeyPair.FromSeed(JwtCreds.OperatorSeed).PublicKey],
            Users = [new User { Username = "someuser" }],
            Websocket = new WebsocketOptions
            {
                Host = "127.0.0.1", Port = -1, Advertise = "somehost:8080", NoAuthUser = "someuser", JwtCookie = "somecookiename",
                AuthTimeout = 2.0, NoTls = true, TlsMap = true, TlsPinnedCerts = [pin], SameOrigin = true,
                AllowedOrigins = ["https://origin1", "https://origin2"], Compression = true, HandshakeTimeout = TimeSpan.FromSeconds(4),
            },
        };
        await using var s = InProcess.Run(o);
        for (int mode = 0; mode < 2; mode++)
        {
            var vw = (await Poll(s, mode, Monitor.VarzPath)).GetProperty("websocket");
            var got = vw.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == System.Text.Json.JsonValueKind.Array
                ? string.Join(",", p.Value.EnumerateArray().Select(e => e.GetString())) : p.Value.ToString())).ToList();
            got.ShouldBe([
                ("host", "127.0.0.1"), ("port", s.WebsocketPort.ToString()), ("advertise", "somehost:8080"), ("no_auth_user", "someuser"),
                ("jwt_cookie", "somecookiename"), ("handshake_timeout", "4000000000"), ("auth_timeout", "2"), ("no_tls", "True"),
                ("tls_map", "True"), ("tls_pinned_certs", pin), ("same_origin", "True"),
                ("allowed_origins", "https://origin1,https://origin2"), ("compression", "True"),
            ], $"mode {mode}");
        }
    }
}
