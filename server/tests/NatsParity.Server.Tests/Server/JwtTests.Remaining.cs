using System.Threading.Channels;
using NatsParity.Server.Accounts;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;
using NatsParity.Server.Events;
using NatsParity.Server.Logging;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/jwt_test.go: URL resolvers that fail, lie or serve stale JWTs, import signers going away,
/// and claim updates racing each other.</summary>
public sealed partial class JwtTests
{
    /// <summary>Go's chanRecv: a signal within <paramref name="timeout"/>.</summary>
    private static async Task ChanRecv(Channel<bool> ch, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try { await ch.Reader.ReadAsync(cts.Token); }
        catch (OperationCanceledException) { throw new ShouldAssertException($"no signal within {timeout}"); }
    }

    /// <summary>Go's checkSubInterest: the account has interest in <paramref name="subject"/> within the time.</summary>
    private static async Task CheckSubInterest(NatsServer s, string account, string subject, TimeSpan timeout) =>
        (await InProcess.WaitFor(() => s.LookupAccount(account)?.Sublist.HasInterest(subject) == true, timeout, 20))
            .ShouldBeTrue($"no interest in {subject} in account {account}");

    /// <summary>The /A/ account server of these tests: a path "/A/&lt;key&gt;" is answered by the route for that key
    /// ("" for the directory itself); any other path is recorded in <paramref name="unexpected"/>.</summary>
    private static Func<string, string?> AccountRoutes(Dictionary<string, Func<string>> routes, System.Runtime.CompilerServices.StrongBox<string?> unexpected) =>
        path =>
        {
            if (path.StartsWith("/A/", StringComparison.Ordinal) && routes.TryGetValue(path[3..], out var route)) return route();
            unexpected.Value = path;
            return null;
        };

    /// <summary>Signals <paramref name="ch"/> and answers <paramref name="value"/>.</summary>
    private static string Signal(Channel<bool> ch, string value)
    {
        ch.Writer.TryWrite(true);
        return value;
    }

    /// <summary>The URL resolver conf of these tests: the operator and the resolver at <paramref name="url"/>/A/.</summary>
    private static string UrlResolverConf(string url, string extra = "") =>
        $"listen: 127.0.0.1:-1\noperator: {OperatorJwt}\nresolver: URL(\"{url}/A/\")\n{extra}\n";

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountURLResolverFetchFailureInServer1")]
    public async Task JwtAccountUrlResolverFetchFailureInServer1()
    {
        const string subj = "test", crossAccSubj = "test";
        var expKp = NKeyPair.Create(NKeys.PrefixAccount);
        var expAc = new AccountClaims(expKp.PublicKey);
        expAc.Exports.Add(new JwtExport { Subject = crossAccSubj, Type = "stream" });
        string expJwt = expAc.Encode(Operator);
        var impKp = NKeyPair.Create(NKeys.PrefixAccount);
        var impAc = new AccountClaims(impKp.PublicKey);
        impAc.Imports.Add(new JwtImport { Account = expKp.PublicKey, Subject = crossAccSubj, Type = "stream" });
        string impJwt = impAc.Encode(Operator);

        // An account server that answers the first request for the exporter with nothing.
        var chanImpA = Channel.CreateUnbounded<bool>();
        var chanExpS = Channel.CreateUnbounded<bool>();
        var chanExpF = Channel.CreateUnbounded<bool>();
        int failureCnt = 0;
        var unexpected = new System.Runtime.CompilerServices.StrongBox<string?>();
        var (app, url) = await JwtHttpServer(AccountRoutes(new()
        {
            [""] = () => Signal(chanImpA, ""),
            [impKp.PublicKey] = () => Signal(chanImpA, impJwt),
            [expKp.PublicKey] = () => Interlocked.Increment(ref failureCnt) <= 1 ? Signal(chanExpF, "") : Signal(chanExpS, expJwt),
        }, unexpected));
        await using var _ = app;
        await using var sA = InProcess.RunConf(UrlResolverConf(url));
        // The start-up fetch.
        await ChanRecv(chanImpA, TimeSpan.FromSeconds(10));

        using var ncA = UserConn(sA, impKp);
        ncA.SendAndFlush($"SUB {subj} 1\r\n");
        // The connect fetched both accounts, the exporter's failing.
        await ChanRecv(chanImpA, TimeSpan.FromSeconds(10));
        await ChanRecv(chanExpF, TimeSpan.FromSeconds(10));

        // A user of the exporter: this fetch works.
        using var ncB = UserConn(sA, expKp);
        await ChanRecv(chanExpS, TimeSpan.FromSeconds(10));
        await CheckSubInterest(sA, impKp.PublicKey, subj, TimeSpan.FromSeconds(10));
        await CheckSubInterest(sA, expKp.PublicKey, crossAccSubj, TimeSpan.FromSeconds(10));
        unexpected.Value.ShouldBeNull();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountURLResolverFetchFailurePushReorder")]
    public async Task JwtAccountUrlResolverFetchFailurePushReorder()
    {
        const string subj = "test", crossAccSubj = "test";
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = new AccountClaims(sysKp.PublicKey).Encode(Operator);
        var expKp = NKeyPair.Create(NKeys.PrefixAccount);
        var expAc = new AccountClaims(expKp.PublicKey);
        string expJwt1 = expAc.Encode(Operator);
        expAc.Exports.Add(new JwtExport { Subject = crossAccSubj, Type = "stream" });
        string expJwt2 = expAc.Encode(Operator);
        var impKp = NKeyPair.Create(NKeys.PrefixAccount);
        var impAc = new AccountClaims(impKp.PublicKey);
        impAc.Imports.Add(new JwtImport { Account = expKp.PublicKey, Subject = crossAccSubj, Type = "stream" });
        string impJwt = impAc.Encode(Operator);

        // An account server that only has the exporter's JWT without the export.
        var chanImpA = Channel.CreateUnbounded<bool>();
        var chanExpS = Channel.CreateUnbounded<bool>();
        var unexpected = new System.Runtime.CompilerServices.StrongBox<string?>();
        var (app, url) = await JwtHttpServer(AccountRoutes(new()
        {
            [""] = () => Signal(chanImpA, ""),
            [impKp.PublicKey] = () => Signal(chanImpA, impJwt),
            [expKp.PublicKey] = () => Signal(chanExpS, expJwt1),
            [sysKp.PublicKey] = () => sysJwt,
        }, unexpected));
        await using var _ = app;
        await using var sA = InProcess.RunConf(UrlResolverConf(url, $"system_account: {sysKp.PublicKey}"));
        await ChanRecv(chanImpA, TimeSpan.FromSeconds(10));

        using var ncA = UserConn(sA, impKp);
        ncA.SendAndFlush($"SUB {subj} 1\r\n");
        await ChanRecv(chanImpA, TimeSpan.FromSeconds(10));
        await ChanRecv(chanExpS, TimeSpan.FromSeconds(10));

        using var ncB = UserConn(sA, expKp);
        // The pushed JWT with the export mends the import.
        using var sysc = UserConn(sA, sysKp);
        string pushSubj = string.Format(SystemEvents.AccUpdateEventSubjNew, expKp.PublicKey);
        sysc.SendAndFlush($"PUB {pushSubj} {expJwt2.Length}\r\n{expJwt2}\r\n");
        await CheckSubInterest(sA, impKp.PublicKey, subj, TimeSpan.FromSeconds(10));
        await CheckSubInterest(sA, expKp.PublicKey, crossAccSubj, TimeSpan.FromSeconds(10));
        unexpected.Value.ShouldBeNull();
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountURLResolverPermanentFetchFailure")]
    public async Task JwtAccountUrlResolverPermanentFetchFailure()
    {
        const string crossAccSubj = "test";
        var expKp = NKeyPair.Create(NKeys.PrefixAccount);
        var impKp = NKeyPair.Create(NKeys.PrefixAccount);
        var sysKp = NKeyPair.Create(NKeys.PrefixAccount);
        string sysJwt = new AccountClaims(sysKp.PublicKey).Encode(Operator);
        // Each imports from the other, and neither exports.
        var expAc = new AccountClaims(expKp.PublicKey);
        expAc.Imports.Add(new JwtImport { Account = impKp.PublicKey, Subject = crossAccSubj, Type = "stream" });
        string expJwt = expAc.Encode(Operator);
        var impAc = new AccountClaims(impKp.PublicKey);
        impAc.Imports.Add(new JwtImport { Account = expKp.PublicKey, Subject = crossAccSubj, Type = "stream" });
        string impJwt = impAc.Encode(Operator);

        var unexpected = new System.Runtime.CompilerServices.StrongBox<string?>();
        var (app, url) = await JwtHttpServer(AccountRoutes(new()
        {
            [""] = () => "",
            [impKp.PublicKey] = () => impJwt,
            [expKp.PublicKey] = () => expJwt,
            [sysKp.PublicKey] = () => sysJwt,
        }, unexpected));
        await using var _ = app;
        string log = Path.Combine(Path.GetTempPath(), $"natsparity-{Guid.NewGuid():N}.log");
        var opts = ServerOptions.FromConfigFile(InProcess.WriteConf(UrlResolverConf(url, $"system_account: {sysKp.PublicKey}")));
        var logger = new ServerLogger(debug: true, trace: false, logtime: false, file: log);
        try
        {
            await using var sA = InProcess.Run(opts, logger);
            // Only what follows the start counts, as Go sets its logger then.
            long start = new FileInfo(log).Length;
            int ImportErrors()
            {
                using var fs = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                fs.Seek(start, SeekOrigin.Begin);
                using var r = new StreamReader(fs);
                return r.ReadToEnd().Split('\n').Count(l => l.Contains("[DBG] Error adding stream import to account", StringComparison.Ordinal));
            }

            using var ncA = UserConn(sA, impKp);
            using var ncB = UserConn(sA, expKp);
            using var sysc = UserConn(sA, sysKp);
            // Push both accounts, on the new and the old subject.
            string newSubj = string.Format(SystemEvents.AccUpdateEventSubjNew, impKp.PublicKey);
            string oldSubj = string.Format(SystemEvents.AccUpdateEventSubjOld, expKp.PublicKey);
            sysc.SendAndFlush($"PUB {newSubj} {impJwt.Length}\r\n{impJwt}\r\nPUB {oldSubj} {expJwt.Length}\r\n{expJwt}\r\n");
            // Connecting and each update trace their failed imports, and the ones of the importer they refresh.
            await InProcess.WaitFor(() => ImportErrors() >= 7, TimeSpan.FromSeconds(5), 20);
            await Task.Delay(500);
            ImportErrors().ShouldBe(7);
            unexpected.Value.ShouldBeNull();
        }
        finally
        {
            logger.Dispose();
            File.Delete(log);
        }
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountURLResolverReturnDifferentOperator")]
    public async Task JwtAccountUrlResolverReturnDifferentOperator()
    {
        // A valid chain of operator, account and user, of another operator.
        var op = NKeyPair.Create(NKeys.PrefixOperator);
        var akp = NKeyPair.Create(NKeys.PrefixAccount);
        string ajwt = new AccountClaims(akp.PublicKey).Encode(op);
        // A hijacked account server handing that account out.
        var (app, url) = await JwtHttpServer(ajwt);
        await using var _ = app;
        await using var sA = InProcess.RunConf(UrlResolverConf(url));

        var (c, l) = TryUserConn(sA, akp);
        using (c)
        {
            l.ShouldStartWith("-ERR ", customMessage: "expected connect to fail");
            l.ShouldContain("Authorization Violation");
        }
        sA.LookupAccount(akp.PublicKey).ShouldBeNull("expected account to NOT be in memory");
    }

    /// <summary>The exporter (srv) with a service foo and a stream bar needing tokens, its signing key, and an importer
    /// (client) whose activations the signing key signed; both in the server's memory resolver.</summary>
    private static (NKeyPair SrvKp, NKeyPair ClientKp, Func<string[], (string Jwt, AccountClaims Claims)> CreateSrvJwt) ImportSignerSetup(NatsServer s)
    {
        var srvKp = NKeyPair.Create(NKeys.PrefixAccount);
        var srvSignerKp = NKeyPair.Create(NKeys.PrefixAccount);
        var clientKp = NKeyPair.Create(NKeys.PrefixAccount);
        (string, AccountClaims) CreateSrvJwt(string[] signingKeys)
        {
            var ac = new AccountClaims(srvKp.PublicKey);
            ac.SigningKeys.AddRange(signingKeys);
            ac.Exports.Add(new JwtExport { Subject = "foo", Type = "service", TokenReq = true });
            ac.Exports.Add(new JwtExport { Subject = "bar", Type = "stream", TokenReq = true });
            return (ac.Encode(Operator), ac);
        }
        string Token(string sub, string kind) => new ActivationClaims(clientKp.PublicKey)
        {
            IssuerAccount = srvKp.PublicKey, ImportType = kind, ImportSubject = sub,
        }.Encode(srvSignerKp);
        var clientAc = new AccountClaims(clientKp.PublicKey);
        clientAc.Imports.Add(new JwtImport { Account = srvKp.PublicKey, Subject = "foo", Type = "service", Token = Token("foo", "service") });
        clientAc.Imports.Add(new JwtImport { Account = srvKp.PublicKey, Subject = "bar", Type = "stream", Token = Token("bar", "stream") });

        s.AccountResolver!.Store(srvKp.PublicKey, CreateSrvJwt([srvSignerKp.PublicKey]).Item1);
        s.AccountResolver.Store(clientKp.PublicKey, clientAc.Encode(Operator));
        return (srvKp, clientKp, CreateSrvJwt);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountImportSignerRemoved")]
    public async Task JwtAccountImportSignerRemoved()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var (srvKp, clientKp, createSrvJwt) = ImportSignerSetup(s);

        // The requester.
        using var client = Connected(s, clientKp);
        var clientSide = ServerSide(s, client);
        void CheckShadow(int expected)
        {
            int count = Math.Max(0, clientSide.ShadowCount("1"));
            count.ShouldBe(expected, "shadow subscriptions");
        }
        CheckShadow(0);

        // The responder.
        using var srv = Connected(s, srvKp);
        srv.Send("SUB foo 1\r\nPING\r\n");
        srv.ExpectLine(ProtoRegex.Pong);

        client.Send("PUB foo 2\r\nhi\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);
        srv.Send("PING\r\n");
        var m = srv.ReadMsg();
        m.Subject.ShouldBe("foo");
        m.PayloadText.ShouldBe("hi");
        srv.ExpectLine(ProtoRegex.Pong);

        client.Send("SUB bar 1\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);
        CheckShadow(1);

        srv.Send("PUB bar 2\r\nhi\r\nPING\r\n");
        srv.ExpectLine(ProtoRegex.Pong);
        client.Send("PING\r\n");
        m = client.ReadMsg();
        m.Subject.ShouldBe("bar");
        m.PayloadText.ShouldBe("hi");
        client.ExpectLine(ProtoRegex.Pong);

        // The exporter without the signing key that signed the activations.
        var (srvJwt, srvAc) = createSrvJwt([]);
        s.AccountResolver!.Store(srvKp.PublicKey, srvJwt);
        s.UpdateAccountClaims(s.LookupOrFetchAccount(srvKp.PublicKey)!, srvAc);

        // The request does not arrive any more.
        client.Send("PUB foo 2\r\nhi\r\nPING\r\n");
        client.ExpectLine(ProtoRegex.Pong);
        srv.Send("PING\r\n");
        srv.ExpectLine(ProtoRegex.Pong);

        // Nor does the stream.
        srv.Send("PUB bar 2\r\nhi\r\nPING\r\n");
        srv.ExpectLine(ProtoRegex.Pong);
        client.Send("PING\r\n");
        client.ExpectLine(ProtoRegex.Pong);
        CheckShadow(0);
    }

    [Fact, GoTest("server/jwt_test.go", "TestJWTAccountImportSignerDeadlock")]
    public async Task JwtAccountImportSignerDeadlock()
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        var (srvKp, clientKp, _) = ImportSignerSetup(s);
        var acc = s.LookupOrFetchAccount(srvKp.PublicKey)!;

        // A thread taking and releasing the exporter's lock all the time while the importer's user connects (and its
        // service import is checked against the exporter).
        using var stop = new CancellationTokenSource();
        var locker = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                lock (acc.ImportsLock) { }
                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);

        using var client = Connected(s, clientKp);
        stop.Cancel();
        (await Task.WhenAny(locker, Task.Delay(TimeSpan.FromSeconds(10)))).ShouldBe(locker, "the locking thread did not finish");
    }

    [Theory, GoTest("server/jwt_test.go", "TestJWTUpdateAccountClaimsStreamAndServiceImportDeadlock")]
    [InlineData("stream")]
    [InlineData("service")]
    public async Task JwtUpdateAccountClaimsStreamAndServiceImportDeadlock(string exportType)
    {
        await using var s = OpTrustBasicSetup(memResolver: true);
        const int numAccounts = 10;
        var accs = new List<(string Pub, AccountClaims Ac, Account A, ClientConnection C)>();
        for (int i = 0; i < numAccounts; i++)
        {
            var aKp = NKeyPair.Create(NKeys.PrefixAccount);
            var aAc = new AccountClaims(aKp.PublicKey);
            s.AccountResolver!.Store(aKp.PublicKey, aAc.Encode(Operator));
            var aAcc = s.LookupOrFetchAccount(aKp.PublicKey);
            aAcc.ShouldNotBeNull();
            // The account's internal client, among its clients.
            var c = new ClientConnection(s, aAcc, s.NextInternalCid(), system: false);
            aAcc.AddClient(c);
            accs.Add((aKp.PublicKey, aAc, aAcc, c));
        }

        void AddImportExport(int i, (string Pub, AccountClaims Ac, Account A, ClientConnection C) acc)
        {
            acc.Ac.Exports.Add(new JwtExport { Subject = $"{acc.Pub}.{i}", Type = exportType });
            foreach (var o in accs)
            {
                if (o.Pub == acc.Pub) continue;
                acc.Ac.Imports.Add(new JwtImport { Account = o.Pub, Subject = $"{o.Pub}.{i}", Type = exportType });
            }
        }

        void Test(int i)
        {
            using var start = new CountdownEvent(numAccounts);
            using var release = new ManualResetEventSlim();
            var finish = new List<Task>();
            foreach (var acc in accs)
            {
                finish.Add(Task.Factory.StartNew(() =>
                {
                    AddImportExport(i, acc);
                    string jwt = acc.Ac.Encode(Operator);
                    s.AccountResolver!.Store(acc.Pub, jwt);
                    start.Signal();
                    release.Wait();
                    s.UpdateAccountClaims(acc.A, acc.Ac);
                }, TaskCreationOptions.LongRunning));
            }
            start.Wait();

            // Every internal client locked as the updates are let go, so they meet at those locks.
            foreach (var acc in accs) System.Threading.Monitor.Enter(acc.C.SyncRoot);
            release.Set();
            Thread.Sleep(TimeSpan.FromSeconds(1));
            foreach (var acc in accs) System.Threading.Monitor.Exit(acc.C.SyncRoot);

            // All updates finish.
            Task.WaitAll([.. finish], TimeSpan.FromSeconds(30)).ShouldBeTrue($"updates deadlocked in round {i}");
        }

        // More imports and exports each round.
        for (int i = 0; i < 30; i++) Test(i);
    }
}
