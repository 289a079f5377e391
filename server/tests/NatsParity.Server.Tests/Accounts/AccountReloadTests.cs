using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Accounts;

/// <summary>Ports of server/accounts_test.go that reload the accounts of a running server.</summary>
public sealed class AccountReloadTests
{
    [Fact, GoTest("server/accounts_test.go", "TestAccountReloadServiceImportPanic")]
    public async Task AccountReloadServiceImportPanic()
    {
        await using var s = InProcess.RunConf("""
            listen: 127.0.0.1:-1
            accounts {
              A {
                users = [ { user: "a", pass: "p" } ]
                exports [ { service: "HELP" } ]
              }
              B {
                users = [ { user: "b", pass: "p" } ]
                imports [ { service: { account: A, subject: "HELP"} } ]
              }
              $SYS { users = [ { user: "admin", pass: "s3cr3t!" } ] }
            }
            """);

        // A answers every HELP request.
        using var service = ProtoClient.Login("127.0.0.1", s.Port, "a", "p", "SUB HELP 1\r\n");
        using var stop = new CancellationTokenSource();
        var responder = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                MsgFrame m;
                try { m = service.ReadMsg(TimeSpan.FromMilliseconds(200)); }
                catch (ProtoException) { continue; }
                service.Send($"PUB {m.Reply} 2\r\nOK\r\n");
            }
        });

        // B publishes requests through its import while the server reloads; another B connection counts the responses.
        const string reply = "_INBOX.reload.panic";
        using var replies = ProtoClient.Login("127.0.0.1", s.Port, "b", "p", $"SUB {reply} 1\r\n");
        long responses = 0;
        var counter = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try { replies.ReadMsg(TimeSpan.FromMilliseconds(200)); }
                catch (ProtoException) { continue; }
                Interlocked.Increment(ref responses);
            }
        });
        using var nc = ProtoClient.Login("127.0.0.1", s.Port, "b", "p");

        long requests = 0;
        bool done = false;
        var publisher = Task.Run(() =>
        {
            // Bounded: at most 100k requests, and only while the reloads run.
            string batch = string.Concat(Enumerable.Repeat($"PUB HELP {reply} 4\r\nHELP\r\n", 10));
            while (!Volatile.Read(ref done) && requests < 100_000)
            {
                nc.Send(batch);
                requests += 10;
                Thread.Yield();
            }
        });

        for (int i = 0; i < 1000; i++) s.Reload().ShouldBeNull();
        Volatile.Write(ref done, true);
        await publisher;
        nc.Send("PING\r\n");
        nc.ExpectLine(ProtoRegex.Pong, TimeSpan.FromSeconds(20));

        long total = requests;
        total.ShouldBeGreaterThan(0);
        (await InProcess.WaitFor(() => Interlocked.Read(ref responses) == total, TimeSpan.FromSeconds(20), 250))
            .ShouldBeTrue($"have not received all responses, want {total} got {Interlocked.Read(ref responses)}");
        await stop.CancelAsync();
        await Task.WhenAll(responder, counter);
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountMaxConnectionsDisconnectsNewestFirst")]
    public async Task AccountMaxConnectionsDisconnectsNewestFirst()
    {
        await using var s = InProcess.RunConf("""
            port: -1
            server_name: A
            accounts {
              TEST {
                users = [
                  {user: user1, password: foo}
                  {user: user2, password: foo}
                  {user: user3, password: foo}
                ]
                limits {
                  max_connections: 3
                }
              }
            }
            """);
        using var conns = new ProtoClients();
        for (int i = 1; i <= 3; i++)
        {
            conns.Add(ProtoClient.Login("127.0.0.1", s.Port, $"user{i}", "foo"));
            // Distinct start times.
            await Task.Delay(10);
        }
        var acc = s.LookupAccount("TEST")!;
        acc.NumClients.ShouldBe(3);

        // Claims with a lower connection limit: the newest connection goes.
        var claims = new NatsParity.Server.Auth.Jwt.AccountClaims(acc.Name);
        claims.Limits.Conn = 2;
        s.UpdateAccountClaims(acc, claims);
        conns[2].ReadLine(TimeSpan.FromSeconds(2)).ShouldStartWith("-ERR 'maximum account active connections exceeded'");
        conns[2].ExpectClosed();
        foreach (var c in conns.Take(2)) c.Flush();
        acc.NumClients.ShouldBe(2);
    }
}
