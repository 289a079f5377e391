using System.Diagnostics;
using System.Text;
using NatsParity.Server.Auth;
using NatsParity.Server.Clients;
using NATS.Client.Core;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Server.Protocol;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

/// <summary>Ports of server/client_test.go about how a client is named in logs: its auth user and connection string.</summary>
public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestClientUserInfo")]
    public void ClientUserInfo()
    {
        var (s, _) = SetupClient();
        ClientConnection With(Action<ConnectOptions> set)
        {
            var c = new ClientConnection(s, 1024);
            set(c.Options);
            return c;
        }

        With(o => o.Nkey = "UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI").AuthUser
            .ShouldBe("Nkey \"UD6AYQSOIN2IN5OGC6VQZCR4H3UFMIOXSW6NNS6N53CLJA4PB56CEJJI\"");
        With(o => o.Username = "foo").AuthUser.ShouldBe("User \"foo\"");
        With(_ => { }).AuthUser.ShouldBe("User \"N/A\"");
        With(o => o.Token = "s3cr3t!").AuthUser.ShouldBe("Token \"[REDACTED]\"");
    }

    /// <summary>Go's rawSetup: a server that is not started and its first client, cid 1, over a pipe.</summary>
    private static (NatsServer, TestClient) RawSetup(ServerOptions o)
    {
        o.NoLog = true;
        o.Host = "127.0.0.1";
        var s = new NatsServer(o);
        var c = new ClientConnection(s, 1);
        c.Options.Verbose = false;
        return (s, new TestClient(c));
    }

    [Fact, GoTest("server/client_test.go", "TestConnectionStringWithLogConnectionInfo")]
    public void ConnectionStringWithLogConnectionInfo()
    {
        var (_, c) = RawSetup(new ServerOptions());
        const string connect = "CONNECT {\"verbose\":false,\"pedantic\":false,\"version\":\"1.0.0\",\"lang\":\"go\",\"name\":\"test-client\"}\r\n";
        c.Parse(connect).ShouldBeNull();
        string first = c.C.ToString();
        first.ShouldBe("pipe - cid:1 - \"v1.0.0:go:test-client\"");

        for (int i = 0; i < 3; i++) c.Parse(connect).ShouldBeNull($"attempt {i + 2}");
        c.C.ToString().ShouldBe(first);

        c.Parse("CONNECT {\"verbose\":false,\"pedantic\":false,\"version\":\"1.0.0\",\"lang\":\"go\",\"name\":\"test-client:new\"}\r\n").ShouldBeNull();
        c.C.ToString().Length.ShouldBeLessThanOrEqualTo(first.Length);
    }

    [Fact, GoTest("server/client_test.go", "TestLogConnectionAuthInfo")]
    public void LogConnectionAuthInfo()
    {
        // username_password
        var (_, c) = RawSetup(new ServerOptions { Username = "testuser", Password = "testpass" });
        c.Parse("CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"testuser\",\"pass\":\"testpass\"}\r\n").ShouldBeNull();
        c.C.ToString().ShouldContain("\"$G/user:testuser\"");

        // token
        (_, c) = RawSetup(new ServerOptions { Authorization = "secret-token" });
        c.Parse("CONNECT {\"verbose\":false,\"pedantic\":false,\"auth_token\":\"secret-token\"}\r\n").ShouldBeNull();
        c.C.ToString().ShouldContain("\"$G/token\"");

        // nkey: the client signs the 32-byte nonce it was given
        var kp = NKeyPair.Create(NKeys.PrefixUser);
        (_, c) = RawSetup(new ServerOptions { Nkeys = [new NkeyUser { Nkey = kp.PublicKey }] });
        var nonce = new byte[32];
        c.C.Nonce = Encoding.ASCII.GetString(nonce);
        string sig = Convert.ToBase64String(kp.Sign(nonce)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        c.Parse($"CONNECT {{\"verbose\":false,\"pedantic\":false,\"nkey\":\"{kp.PublicKey}\",\"sig\":\"{sig}\"}}\r\n").ShouldBeNull();
        c.C.ToString().ShouldContain($"\"$G/nkey:{kp.PublicKey}\"");

        // combined_info_and_auth
        (_, c) = RawSetup(new ServerOptions { Username = "testuser", Password = "testpass" });
        c.Parse("CONNECT {\"verbose\":false,\"pedantic\":false,\"user\":\"testuser\",\"pass\":\"testpass\",\"version\":\"1.0.0\",\"lang\":\"go\",\"name\":\"test-client\"}\r\n")
            .ShouldBeNull();
        c.C.ToString().ShouldContain("\"v1.0.0:go:test-client\"");
        c.C.ToString().ShouldContain("\"$G/user:testuser\"");

        // no_auth
        (_, c) = RawSetup(new ServerOptions());
        c.Parse("CONNECT {\"verbose\":false,\"pedantic\":false}\r\n").ShouldBeNull();
        c.C.ToString().ShouldNotContain("$G/");
    }

    [Fact, GoTest("server/client_test.go", "TestReadloopWarning")]
    public async Task ReadloopWarning()
    {
        string path = Path.Combine(Path.GetTempPath(), $"natsparity-warn-{Guid.NewGuid():N}.log");
        using var logger = new ServerLogger(debug: false, trace: false, logtime: false, file: path);
        try
        {
            await using var s = InProcess.Run(new ServerOptions(), logger);
            s.ReadLoopReportTicks = (long)(0.1 * Stopwatch.Frequency); // 100ms

            await using var nc = new NatsConnection(InProcess.ClientOpts(s));
            await using var sub = await nc.SubscribeCoreAsync<byte[]>("foo");
            await nc.PingAsync();
            ulong cid = nc.ServerInfo!.ClientId;
            await using var sender = new NatsConnection(InProcess.ClientOpts(s));
            await sender.ConnectAsync();

            // The subscriber's lock is held for 250ms, so the sender's read loop waits on it to deliver.
            var c = s.Clients.Single(x => x.Cid == cid);
            using var locked = new ManualResetEventSlim();
            var holder = new Thread(() =>
            {
                lock (c.SyncRoot)
                {
                    locked.Set();
                    Thread.Sleep(250);
                }
            });
            holder.Start();
            locked.Wait(TimeSpan.FromSeconds(5)).ShouldBeTrue();

            await sender.PublishAsync("foo", new byte[100]);
            await sender.PingAsync();

            string? warn = null;
            (await InProcess.WaitFor(() => (warn = Warnings(path).FirstOrDefault()) is not null, TimeSpan.FromSeconds(2), pollMs: 10))
                .ShouldBeTrue("no warning printed");
            warn.ShouldContain("Readloop");
            holder.Join();
        }
        finally
        {
            logger.Dispose();
            File.Delete(path);
        }

        static IEnumerable<string> Warnings(string path)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(fs);
            return reader.ReadToEnd().Split('\n').Where(l => l.Contains("[WRN]")).ToList();
        }
    }
}
