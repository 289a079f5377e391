using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Port of server/jwt_test.go's TestJWTImportsOnServerRestartAndClientsReconnect: a hundred accounts
/// importing from and exported to by one, their clients reconnecting quickly each time the server restarts.</summary>
public sealed partial class JwtTests
{
    /// <summary>A client of an account that reconnects (every 15 ms, without limit) and subscribes again after the
    /// server goes away, as the Go client with ReconnectWait(15ms) and MaxReconnects(-1).</summary>
    private sealed class ReconnectingUser(int port, NKeyPair account, Func<UserClaims> claims, NKeyPair user, string? subscribe) : IDisposable
    {
        private ProtoClient? _c;

        public ProtoClient Client => _c ?? throw new InvalidOperationException("not connected");

        /// <summary>Connects (again), retrying every 15 ms until <paramref name="deadline"/>.</summary>
        public async Task ConnectAsync(DateTime deadline)
        {
            _c?.Dispose();
            _c = null;
            while (true)
            {
                try
                {
                    var c = ProtoClient.Connect("127.0.0.1", port, timeout: TimeSpan.FromSeconds(2));
                    c.Send(JwtCreds.ConnectLine(c, account, claims(), user: user));
                    c.ExpectLine(ProtoRegex.Pong);
                    if (subscribe is not null) c.SendAndFlush($"SUB {subscribe} 1\r\n");
                    _c = c;
                    return;
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or ProtoException or TimeoutException
                    or ShouldAssertException)
                {
                    if (DateTime.UtcNow > deadline) throw;
                    await Task.Delay(15);
                }
            }
        }

        /// <summary>Drops the messages already received.</summary>
        public void Drain()
        {
            try
            {
                while (TryRead(Client, TimeSpan.FromMilliseconds(1))) { }
            }
            catch (Exception e) when (e is IOException or InvalidOperationException) { }
        }

        /// <summary>True when a message arrived since the last <see cref="Drain"/> (within <paramref name="wait"/>).</summary>
        public bool ReceivedOne(TimeSpan wait)
        {
            try
            {
                return TryRead(Client, wait);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                return false;
            }
        }

        private static bool TryRead(ProtoClient c, TimeSpan timeout)
        {
            try
            {
                c.ReadMsg(timeout);
                return true;
            }
            catch (ProtoException)
            {
                return false;
            }
        }

        public void Dispose() => _c?.Dispose();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTImportsOnServerRestartAndClientsReconnect")]
    public async Task JwtImportsOnServerRestartAndClientsReconnect()
    {
        var preload = new List<(string, string)>();
        var (_, sysPub, sysAc) = NewJwtAccountClaim("sys");
        preload.Add((sysPub, sysAc.Encode(Operator)));

        // The main account exports city.> and imports from every other account.
        var (mainKp, mainPub, mainAc) = NewJwtAccountClaim("main");
        mainAc.Exports.Add(new JwtExport { Type = "stream", Subject = "city.>" });
        UserClaims Publisher()
        {
            var uc = new UserClaims("") { Name = "publisher" };
            uc.Permissions.Pub.Allow.Add("city.>");
            return uc;
        }
        UserClaims Subscriber()
        {
            var uc = new UserClaims("") { Name = "subscriber" };
            uc.Permissions.Sub.Allow.AddRange(["city.>", "internal.*"]);
            uc.Permissions.Pub.Allow.Add("internal.*");
            return uc;
        }

        const int maxAccounts = 100;
        var secondaries = new List<NKeyPair>();
        for (int i = 0; i < maxAccounts; i++)
        {
            var (kp, pub, ac) = NewJwtAccountClaim($"secondary-{i}");
            ac.Exports.Add(new JwtExport { Type = "stream", Subject = "internal.*" });
            ac.Imports.Add(new JwtImport { Type = "stream", Subject = $"city.{i}-1.*", Account = mainPub });
            mainAc.Imports.Add(new JwtImport { Type = "stream", Subject = $"internal.{i}", Account = pub });
            preload.Add((pub, ac.Encode(Operator)));
            secondaries.Add(kp);
        }
        preload.Add((mainPub, mainAc.Encode(Operator)));

        int port = NatsServerProcess.FreePort();
        string conf = InProcess.WriteConf(OperatorConf(preload, $"system_account: {sysPub}").Replace("listen: 127.0.0.1:-1", $"listen: 127.0.0.1:{port}"));
        NatsServer Start()
        {
            var o = NatsParity.Server.Config.ServerOptions.FromConfigFile(conf);
            o.NoLog = true;
            return InProcess.Run(o);
        }
        var s = Start();
        try
        {
            // A subscriber on city.> for each account, and the publisher.
            var subs = secondaries.Select(kp => new ReconnectingUser(port, kp, Subscriber, NKeyPair.Create(NKeys.PrefixUser), "city.>")).ToList();
            var publisher = new ReconnectingUser(port, mainKp, Publisher, NKeyPair.Create(NKeys.PrefixUser), null);
            try
            {
                await Task.WhenAll(subs.Select(u => u.ConnectAsync(DateTime.UtcNow.AddSeconds(10))));
                await publisher.ConnectAsync(DateTime.UtcNow.AddSeconds(10));

                // Every 200 ms, a message to each account.
                using var cts = new CancellationTokenSource();
                var sender = Task.Run(async () =>
                {
                    while (!cts.IsCancellationRequested)
                    {
                        try
                        {
                            var c = publisher.Client;
                            var sb = new System.Text.StringBuilder();
                            for (int i = 0; i < maxAccounts; i++)
                            {
                                string payload = $"test:{i}";
                                sb.Append($"PUB city.{i}-1.A4BDB048-69DC-4F10-916C-2B998249DC11 {payload.Length}\r\n{payload}\r\n");
                            }
                            c.Send(sb.ToString());
                        }
                        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException) { }
                        try { await Task.Delay(200, cts.Token); } catch (OperationCanceledException) { }
                    }
                });

                // Go drains each subscription, then waits up to 500 ms for its next message; here all are drained,
                // then all get the same 500 ms (more than two rounds of the sender).
                async Task Receive()
                {
                    foreach (var u in subs) u.Drain();
                    await Task.Delay(500);
                    int received = subs.Count(u => u.ReceivedOne(TimeSpan.FromMilliseconds(50)));
                    received.ShouldBeGreaterThanOrEqualTo(maxAccounts / 2, "too many missed messages after restart");
                }
                await Receive();

                // A few restarts, the clients coming back as fast as they can.
                for (int r = 0; r < 5; r++)
                {
                    await s.DisposeAsync();
                    s = Start();
                    var deadline = DateTime.UtcNow.AddSeconds(10);
                    var reconnects = subs.Select(u => u.ConnectAsync(deadline)).Append(publisher.ConnectAsync(deadline)).ToArray();
                    // The server is ready when Start returns (Go polls healthz for it).
                    await Task.WhenAll(reconnects);
                    await Task.Delay(500);
                    await Receive();
                }
                cts.Cancel();
                await sender;
            }
            finally
            {
                foreach (var u in subs) u.Dispose();
                publisher.Dispose();
            }
        }
        finally
        {
            await s.DisposeAsync();
        }
    }
}
