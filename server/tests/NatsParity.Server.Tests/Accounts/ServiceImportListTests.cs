using NatsParity.Server.Config;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Accounts;

/// <summary>Ports of server/accounts_test.go on service imports of one subject from several accounts, import cycles
/// through a reload, and no responders behind an import.</summary>
public sealed class ServiceImportListTests
{
    [Fact, GoTest("server/accounts_test.go", "TestAccountDuplicateServiceImportSubject")]
    public async Task AccountDuplicateServiceImportSubject()
    {
        await using var s = InProcess.Run(new ServerOptions());
        var foo = s.RegisterAccount("foo");
        foo.AddServiceExport("remote1", null);
        foo.AddServiceExport("remote2", null);
        var bar = s.RegisterAccount("bar");
        bar.AddServiceImport(foo, "foo", "remote1").ShouldBeNull();
        bar.AddServiceImport(foo, "foo", "remote2").ShouldNotBeNull().ShouldContain("duplicate");

        // More than one import of a subject is fine from different exporting accounts...
        var baz = s.RegisterAccount("baz");
        baz.AddServiceExport("remote1", null);
        bar.AddServiceImport(baz, "foo", "remote1").ShouldBeNull();
        var bat = s.RegisterAccount("bat");
        bat.AddServiceExport("remote1", null);
        bar.AddServiceImport(bat, "foo", "remote1").ShouldBeNull();

        // ...but not twice from the same one.
        bar.AddServiceImport(baz, "foo", "remote1").ShouldNotBeNull().ShouldContain("duplicate");
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountRemoveServiceImport")]
    public async Task AccountRemoveServiceImport()
    {
        await using var s = InProcess.Run(new ServerOptions());
        var bar = s.RegisterAccount("bar");
        foreach (var name in new[] { "foo", "baz", "bat" })
        {
            var exporter = s.RegisterAccount(name);
            exporter.AddServiceExport("remote1", null);
            bar.AddServiceImport(exporter, "foo", "remote1").ShouldBeNull();
        }

        bool GetSi(string acc, string subj) => bar.GetServiceImportFor(acc, subj) is { } si && si.Acc.Name == acc;
        GetSi("nonsense", "foo").ShouldBeFalse();
        GetSi("foo", "nonsense").ShouldBeFalse();

        // Each removal (by exporting account and subject) and which of foo's, baz's and bat's imports remain after it:
        // unknown accounts or subjects change nothing, with three imports or with one left; then all go.
        (string Account, string Subject, bool Foo, bool Baz, bool Bat)[] steps =
        [
            ("", "", true, true, true),
            ("nonsense", "foo", true, true, true), ("baz", "nonsense", true, true, true),
            ("baz", "foo", true, false, true), ("bat", "foo", true, false, false),
            ("nonsense", "foo", true, false, false), ("foo", "nonsense", true, false, false),
            ("foo", "foo", false, false, false),
        ];
        foreach (var (account, subject, fooFoo, bazFoo, batFoo) in steps)
        {
            if (account.Length > 0) bar.RemoveServiceImport(account, subject);
            GetSi("foo", "foo").ShouldBe(fooFoo, $"after removing {account}/{subject}");
            GetSi("baz", "foo").ShouldBe(bazFoo, $"after removing {account}/{subject}");
            GetSi("bat", "foo").ShouldBe(batFoo, $"after removing {account}/{subject}");
        }
        bar.HasServiceImportsFor("foo").ShouldBeFalse();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountMultipleServiceImportsWithSameSubjectFromDifferentAccounts")]
    public async Task AccountMultipleServiceImportsWithSameSubjectFromDifferentAccounts()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            accounts: {
              SVC-E: {
                users: [ { user:svc-e, password:svc-e } ]
                exports: [ { accounts: [CLIENTS], service: "SvcReq.>", response_type: singleton } ]
              }
              SVC-W: {
                users: [ { user:svc-w, password:svc-w } ]
                exports: [ { accounts: [CLIENTS], service: "SvcReq.>", response_type: singleton } ]
              }
              CLIENTS: {
                users: [ { user:cl, password:cl } ]
                imports: [
                  { service: { account: SVC-E, subject: "SvcReq.>" } }
                  { service: { account: SVC-W, subject: "SvcReq.>" } }
                ]
              }
            }
            listen: "127.0.0.1:-1"
            """));
        await using var s = InProcess.Run(o);

        ProtoClient Responder(string user)
        {
            var c = ProtoClient.Login("127.0.0.1", s.Port, user, user, commands: "SUB SvcReq.> 1\r\n");
            return c;
        }
        using var ncE = Responder("svc-e");
        using var ncW = Responder("svc-w");
        using var nc = ProtoClient.Login("127.0.0.1", s.Port, "cl", "cl", commands: "SUB _INBOX.test 1\r\nPUB SvcReq.Test _INBOX.test 4\r\ntest\r\n");

        // Both services get the request and answer on the reply subject they were given.
        foreach (var (svc, text) in new[] { (ncE, "From SVC-E"), (ncW, "From SVC-W") })
        {
            var req = svc.ReadMsg(TimeSpan.FromSeconds(1));
            svc.Send($"PUB {req.Reply} {text.Length}\r\n{text}\r\n");
        }
        var replies = new[] { nc.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText, nc.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText };
        replies.ShouldBe(["From SVC-E", "From SVC-W"], ignoreOrder: true);
    }

    private const string CycleTemplate = """
        port: -1
        accounts: {
          CP: {
            users: [
              {user: cp, password: cp},
            ],
            exports: [
              {service: "q1.>", response_type: Singleton},
              {service: "q2.>", response_type: Singleton},
              EXPORT
            ],
          },
          A: {
            users: [
              {user: a, password: a},
            ],
            imports: [
              {service: {account: CP, subject: "q1.>"}},
              {service: {account: CP, subject: "q2.>"}},
              IMPORT
            ]
          },
        }
        """;

    [Fact, GoTest("server/accounts_test.go", "TestAccountImportCycle")]
    public async Task AccountImportCycle()
    {
        await using var s = InProcess.RunConf(CycleTemplate.Replace("EXPORT", "").Replace("IMPORT", ""), out string conf);
        using var ncCp = ProtoClient.Login("127.0.0.1", s.Port, "cp", "cp", commands: "SUB q1.> 1\r\n");
        using var ncA = ProtoClient.Connect("127.0.0.1", s.Port);
        // The requester's inbox is itself under an imported service subject.
        ncA.SendAndFlush("CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"a\"}\r\nSUB q2.inbox 1\r\n");

        void Req()
        {
            ncA.SendAndFlush("PUB q1.a q2.inbox 4\r\ntest\r\n");
            var req = ncCp.ReadMsg(TimeSpan.FromSeconds(1));
            ncCp.Send($"PUB {req.Reply} 5\r\nreply\r\n");
            ncA.ReadMsg(TimeSpan.FromSeconds(1)).PayloadText.ShouldBe("reply");
        }
        Req();

        // A third export and import, reloaded: everything still works.
        File.WriteAllText(conf, CycleTemplate.Replace("EXPORT", "{service: \"q3.>\", response_type: Singleton},")
            .Replace("IMPORT", "{service: {account: CP, subject: \"q3.>\"}},"));
        s.Reload().ShouldBeNull();
        Req();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountServiceImportNoResponders")]
    public async Task AccountServiceImportNoResponders()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            port: -1
            accounts: {
              accExp: {
                users: [{user: accExp, password: accExp}]
                exports: [{service: "foo"}]
              }
              accImp: {
                users: [{user: accImp, password: accImp}]
                imports: [{service: {account: accExp, subject: "foo"}}]
              }
            }
            """));
        await using var s = InProcess.Run(o);
        // No responder in the exporting account: a request through the import gets no responders.
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        nc.Send("CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true,\"user\":\"accImp\",\"pass\":\"accImp\"}\r\n" +
                "SUB _INBOX.r 1\r\nPUB foo _INBOX.r 7\r\nrequest\r\nPING\r\n");
        var msg = nc.ReadMsg(TimeSpan.FromMilliseconds(250));
        msg.Op.ShouldBe("HMSG");
        System.Text.Encoding.ASCII.GetString(msg.Header).ShouldStartWith("NATS/1.0 503");
    }
}

/// <summary>Ports of server/accounts_test.go on account configuration errors, account limits and queue subscriptions
/// under deny permissions.</summary>
public sealed class AccountConfigTests
{
    private static Exception? ConfError(string conf)
    {
        try
        {
            ConfigLoader.Apply(new ServerOptions(), ConfigParser.Parse(conf));
            return null;
        }
        catch (Exception e) when (e is ConfigException or ConfigProcessException)
        {
            return e;
        }
    }

    [Fact, GoTest("server/accounts_test.go", "TestImportExportConfigFailures")]
    public void ImportExportConfigFailures()
    {
        // An import from an unknown account.
        ConfError("""
            accounts {
              nats.io {
                imports = [{stream: {account: "synadia", subject:"foo"}}]
              }
            }
            """).ShouldNotBeNull();
        // A service import with no account.
        ConfError("""
            accounts {
              nats.io {
                imports = [{service: subject:"foo.*"}]
              }
            }
            """).ShouldNotBeNull();
        // A service import of a wildcard subject nobody exports.
        ConfError("""
            accounts {
              nats.io {
                imports = [{service: {account: "nats.io", subject:"foo.*"}]
              }
            }
            """).ShouldNotBeNull();
        // An export with an unknown keyword.
        ConfError("""
            accounts {
              nats.io {
                exports = [{service: "foo.*", wat:true}]
              }
            }
            """).ShouldNotBeNull();
        // An import with an unknown keyword.
        ConfError("""
            accounts {
              nats.io {
                imports = [{stream: {account: nats.io, subject: "foo.*"}, wat:true}]
              }
            }
            """).ShouldNotBeNull();
        // An export naming an account.
        ConfError("""
            accounts {
              nats.io {
                exports = [{service: {account: nats.io, subject:"foo.*"}}]
              }
            }
            """).ShouldNotBeNull();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountLimitsServerConfig")]
    public async Task AccountLimitsServerConfig()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            port: -1
            max_connections: 10
            accounts {
              MAXC {
                users = [{user: derek, password: foo}]
                limits {
                  max_connections: 5
                  max_subs: 10
                  max_payload: 32k
                  max_leafnodes: 1
                }
              }
            }
            """));
        await using var s = InProcess.Run(o);
        var acc = s.LookupAccount("MAXC");
        acc.ShouldNotBeNull();
        acc.MaxConnections.ShouldBe(5);
        acc.MaxLeafNodes.ShouldBe(1);

        const string connect = "CONNECT {\"verbose\":false,\"user\":\"derek\",\"pass\":\"foo\"}\r\nPING\r\n";
        using var clients = new ProtoClients();
        for (int i = 0; i < 5; i++)
        {
            var c = ProtoClient.Connect("127.0.0.1", s.Port);
            clients.Add(c);
            c.Send(connect);
            c.ExpectLine(ProtoRegex.Pong);
        }
        // The sixth is refused.
        using var sixth = ProtoClient.Connect("127.0.0.1", s.Port);
        sixth.Send(connect);
        sixth.ExpectLine(ProtoRegex.Err);
        sixth.ExpectClosed();
    }

    [Fact, GoTest("server/accounts_test.go", "TestAccountUserSubPermsWithQueueGroups")]
    public async Task AccountUserSubPermsWithQueueGroups()
    {
        var o = new ServerOptions();
        ConfigLoader.Apply(o, ConfigParser.Parse("""
            listen: 127.0.0.1:-1

            authorization {
            users = [
              { user: user, password: "pass",
                permissions: {
                  publish: "foo.restricted"
                  subscribe: { allow: "foo.>", deny: "foo.restricted" }
                  allow_responses: { max: 1, ttl: 0s }
                }
              }
            ]}
            """));
        await using var s = InProcess.Run(o);
        using var nc = ProtoClient.Connect("127.0.0.1", s.Port);
        // A lone queue subscription on foo.> gets nothing published to the denied foo.restricted.
        nc.SendAndFlush("CONNECT {\"verbose\":false,\"user\":\"user\",\"pass\":\"pass\"}\r\nSUB foo.> qg 1\r\nPUB foo.restricted 10\r\nRESTRICTED\r\n");
        nc.ExpectNothing(TimeSpan.FromMilliseconds(100));
    }
}
