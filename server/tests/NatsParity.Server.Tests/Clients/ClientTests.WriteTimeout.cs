using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NATS.Client.Core;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Clients;

/// <summary>Ports of server/client_test.go about the write deadline and the write_timeout policy.</summary>
public sealed partial class ClientTests
{
    [Fact, GoTest("server/client_test.go", "TestNoClientLeakOnSlowConsumer")]
    public async Task NoClientLeakOnSlowConsumer()
    {
        await using var s = InProcess.Run(new ServerOptions());
        using var c = ProtoClient.Connect("127.0.0.1", s.Port);
        ulong cid = c.Info!.Value.GetProperty("client_id").GetUInt64();
        c.Send("CONNECT {\"verbose\": false}\r\nSUB foo 1\r\nPING\r\n");
        c.ReadLine().ShouldBe("PONG\r\n");

        var cli = s.Clients.SingleOrDefault(x => x.Cid == cid);
        cli.ShouldNotBeNull("no client registered");
        // A write deadline so low every write to it misses it.
        lock (cli.SyncRoot) cli.WriteDeadlineNanoseconds = 1;

        await using (var nc = new NatsConnection(InProcess.ClientOpts(s)))
        {
            var payload = new byte[1000];
            for (int i = 0; i < 100; i++) await nc.PublishAsync("foo", payload);
            await nc.PingAsync();
        }

        (await InProcess.WaitFor(() => s.NumClients == 0, TimeSpan.FromSeconds(2), pollMs: 15))
            .ShouldBeTrue($"expected 0 connections, got {s.NumClients}");
    }

    [Fact, GoTest("server/client_test.go", "TestClientNoSlowConsumerIfConnectExpected")]
    public async Task ClientNoSlowConsumerIfConnectExpected()
    {
        await using var s = InProcess.Run(new ServerOptions { Username = "ivan", Password = "pass" });
        // Go sets the option write_deadline to 1ns, which a TimeSpan cannot hold: each connection gets it as Go's
        // initClient would copy it from the options, before the server writes its INFO.
        s.ClientCreated = c => c.WriteDeadlineNanoseconds = 1;

        // The INFO cannot be written in time, so the connect fails...
        using var sock = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 5000 };
        sock.Connect("127.0.0.1", s.Port);
        var buf = new byte[4096];
        int n;
        try { n = sock.Receive(buf); }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { n = 0; }
        n.ShouldBe(0, $"expected the connection closed, got {Encoding.ASCII.GetString(buf, 0, n)}");
        // ...but a connection still waiting for its CONNECT is not counted as a slow consumer.
        Interlocked.Read(ref s.SlowConsumers).ShouldBe(0);
    }

    [Theory]
    [InlineData(WriteTimeoutPolicy.Default), InlineData(WriteTimeoutPolicy.Retry), InlineData(WriteTimeoutPolicy.Close)]
    [GoTest("server/client_test.go", "TestClientConfigureWriteTimeoutPolicy")]
    public async Task ClientConfigureWriteTimeoutPolicy(WriteTimeoutPolicy policy)
    {
        await using var s = InProcess.Run(new ServerOptions { WriteTimeout = policy });
        await using var nc = new NatsConnection(InProcess.ClientOpts(s));
        await nc.ConnectAsync();
        s.Clients.ShouldNotBeEmpty();
        foreach (var c in s.Clients)
            c.WriteTimeoutPolicy.ShouldBe(policy == WriteTimeoutPolicy.Default ? WriteTimeoutPolicy.Close : policy);
    }

    [Theory, InlineData(WriteTimeoutPolicy.Retry), InlineData(WriteTimeoutPolicy.Close)]
    [GoTest("server/client_test.go", "TestClientFlushOutboundWriteTimeoutPolicy")]
    public async Task ClientFlushOutboundWriteTimeoutPolicy(WriteTimeoutPolicy policy)
    {
        await using var s = InProcess.Run(new ServerOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(250), WriteDeadline = TimeSpan.FromMilliseconds(100), WriteTimeout = policy,
        });
        await using var nc1 = new NatsConnection(InProcess.ClientOpts(s));
        await using var sub = await nc1.SubscribeCoreAsync<byte[]>("test");
        await nc1.PingAsync();
        await using var nc2 = new NatsConnection(InProcess.ClientOpts(s));
        await nc2.ConnectAsync();

        ulong cid = nc1.ServerInfo!.ClientId;
        var client = s.Clients.Single(c => c.Cid == cid);
        // As Go's writeTimeoutPolicyWriter: the first write gets one byte through at once, every later one waits
        // until its deadline has passed, so the flush times out after having written something.
        int writes = 0;
        lock (client.SyncRoot)
        {
            client.WriteDeadlineNanoseconds = (long)TimeSpan.FromMilliseconds(100).TotalNanoseconds;
            client.WriteHook = async (data, deadline, write) =>
            {
                if (Interlocked.Increment(ref writes) == 1) return await write(data[..1]);
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline) + TimeSpan.FromMilliseconds(10);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                return await write(data);
            };
        }

        await nc2.PublishAsync("test", new byte[1024 * 1024]);

        string state = "";
        (await InProcess.WaitFor(() =>
        {
            lock (client.SyncRoot)
            {
                state = !client.IsClosed ? "connection not closed yet"
                    // Retry marks the client a slow consumer and goes on flushing until nothing gets through.
                    : policy == WriteTimeoutPolicy.Retry && client.IsSlowConsumer ? ""
                    // Close does not mark it: it closes it.
                    : policy == WriteTimeoutPolicy.Close && !client.IsSlowConsumer ? ""
                    : "client not in correct state yet";
            }
            return state.Length == 0;
        }, TimeSpan.FromSeconds(5), pollMs: 10)).ShouldBeTrue(state);
    }
}
