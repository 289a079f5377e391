using NatsParity.Server.Clients;
using NatsParity.Testing;
using Shouldly;
using Xunit;
using Monitor = NatsParity.Server.Monitoring.Monitor;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Ports of server/monitor_test.go's race tests: endpoints read while the server's state changes under them,
/// each bounded to a fraction of a second on loopback.</summary>
public sealed partial class ServerMonitorTests
{
    [Fact, GoTest("server/monitor_test.go", "TestMonitorVarzRaces")]
    public async Task MonitorVarzRaces()
    {
        await using var s = RunMonitorServer();
        int initialMaxConn = s.Options.MaxConnections;

        // Each answer is a copy taken at one moment: the max connections it shows is one the server had.
        async Task PollBoth()
        {
            for (int mode = 0; mode < 2; mode++)
            {
                var v = await Poll(s, mode, Monitor.VarzPath);
                v.GetProperty("server_id").GetString().ShouldBe(s.ServerId);
                int maxConn = v.GetProperty("max_connections").GetInt32();
                (maxConn == initialMaxConn || maxConn is >= 100 and < 1100).ShouldBeTrue($"max_connections {maxConn}");
            }
        }

        using (var done = new CancellationTokenSource())
        {
            var poller = Task.Run(async () =>
            {
                while (!done.IsCancellationRequested) await PollBoth();
            });
            // The server's options change while varz is read (the server id is fixed at creation here, so only the
            // options side of Go's change applies).
            for (int i = 0; i < 1000; i++)
            {
                s.Options.MaxConnections = 100 + i;
                Thread.Yield();
            }
            done.Cancel();
            await poller;
        }

        // Parallel pollers.
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested) await PollBoth();
        })));
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorVarzReloadRace")]
    public async Task MonitorVarzReloadRace()
    {
        await using var s = RunMonitorServer();
        string url = Url(s) + "varz";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        (await http.GetAsync(url)).EnsureSuccessStatusCode().Dispose();

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        // Reader: varz over HTTP; a failed request does not matter, only what the server does meanwhile.
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var resp = await http.GetAsync(url);
                    await resp.Content.ReadAsByteArrayAsync();
                }
                catch (HttpRequestException)
                {
                }
            }
        });
        // Writer: reloads of the running options.
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                s.ReloadOptions(s.Options.Clone()).ShouldBeNull("Error on reload");
        });
        await Task.WhenAll(reader, writer);
    }

    [Fact, GoTest("server/monitor_test.go", "TestMonitorConnzAccountRace")]
    public async Task MonitorConnzAccountRace()
    {
        await using var s = RunMonitorServerWithAccounts();
        var accA = s.LookupAccount("A").ShouldNotBeNull("LookupAccount A");
        var accB = s.LookupAccount("B").ShouldNotBeNull("LookupAccount B");

        // A real client bound to account A, and the server's side of it.
        using var nc = SubscribeAndPublish(s, user: "a", pass: "a");
        ClientConnection? c = null;
        (await InProcess.WaitFor(() => (c = s.Clients.FirstOrDefault(x => ReferenceEquals(x.Account, accA))) is not null, TimeSpan.FromSeconds(2)))
            .ShouldBeTrue("could not find server-side client for account A");

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        // Writer: the client's account swapped under its lock, as binding or a reload does.
        var writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                lock (c!.SyncRoot) c.SwapAccountForTest(ReferenceEquals(c.Account, accA) ? accB : accA);
        });
        // Reader: connz filtered by account.
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) Render(s, Monitor.ConnzPath, "?acc=A");
        });
        await Task.WhenAll(writer, reader);

        // Restored for a consistent shutdown.
        lock (c!.SyncRoot) c.SwapAccountForTest(accA);
    }
}
