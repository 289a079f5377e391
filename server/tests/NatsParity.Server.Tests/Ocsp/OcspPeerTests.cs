using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;
using NatsParity.Server.Ocsp;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Ocsp;

/// <summary>Ports of test/ocsp_peer_test.go for the client port: client certificates checked against their CAs'
/// OCSP responders during the TLS handshake.</summary>
public sealed class OcspPeerTests : IDisposable
{
    /// <summary>Go's deleteLocalStore: every test starts (and ends) without a cache saved in the default local store.</summary>
    public OcspPeerTests() => DeleteLocalStore(DefaultStore);

    public void Dispose() => DeleteLocalStore(DefaultStore);

    private const string DefaultStore = "_rc_";

    private static void DeleteLocalStore(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Go's nats.Connect with the client's bundle followed by a request answered by its own subscription.</summary>
    private static void ConnectAndRequest(NatsServer s, OcspTestPki pki, X509Certificate2 client)
    {
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, timeout: ClientTimeout);
        c.UpgradeToTls(client, pki.Root, clientChain: pki.BundleFor(client));
        c.SendConnect(tlsRequired: true);
        c.SendAndFlush("SUB ping 1\r\nSUB _INBOX.r 2\r\n");
        var req = c.SendAndReadMsg("PUB ping _INBOX.r 4\r\nping\r\n");
        req.Subject.ShouldBe("ping");
        req.Reply.ShouldBe("_INBOX.r");
        var resp = c.SendAndReadMsg("PUB _INBOX.r 4\r\npong\r\n");
        resp.Subject.ShouldBe("_INBOX.r");
        resp.PayloadText.ShouldBe("pong");
    }

    /// <summary>A client refused for its certificate's OCSP status: the server fails the handshake (with TLS 1.3 the
    /// client learns it on its first read, as a close) and logs why. Go's client also sees the server's "bad
    /// certificate" alert, which .NET's SslStream does not send: the tests that refuse a client check less than Go's and
    /// so are not ports.</summary>
    private static async Task ConnectRefused(NatsServer s, StringWriter log, OcspTestPki pki, X509Certificate2 client)
    {
        using (var c = ProtoClient.Connect("127.0.0.1", s.Port, timeout: ClientTimeout))
        {
            try
            {
                c.UpgradeToTls(client, pki.Root, clientChain: pki.BundleFor(client));
                c.SendConnect(tlsRequired: true);
                c.Send("PING\r\n");
                c.ExpectClosed();
            }
            catch (AuthenticationException) { }
        }
        (await InProcess.WaitFor(() => Log(log).Contains("TLS handshake error: client not OCSP valid"), ClientTimeout))
            .ShouldBeTrue(Log(log));
    }

    private static string Log(StringWriter log) => log.ToString();

    /// <summary>Go's RunServerWithConfig, with its log kept.</summary>
    private static NatsServer RunConf(string conf, out StringWriter log)
    {
        log = new LogCapture();
        var logger = ServerLogger.NewStdLogger(time: false, debug: false, trace: false, colors: false, pid: false, stderr: log);
        return InProcess.Run(ServerOptions.FromConfigFile(InProcess.WriteConf(conf)), logger);
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerGoodClients")]
    public async Task OcspPeerGoodClients()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good), (pki.Int2, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));
        await using var int2 = await pki.Int2Responder().StartAsync((pki.UserB1, OcspStatus.Good));

        foreach (var (conf, client) in new[]
        {
            // Default cache, long form with a non-default ca_timeout; a client of intermediate CA 1.
            ("port: -1\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n ca_timeout: 5\n allowed_clockskew: 30\n }"), pki.UserA1),
            // Default cache, short form; a client of intermediate CA 2.
            ("port: -1\n" + pki.TlsBlock("ocsp_peer: true"), pki.UserB1),
            // ocsp_cache: true; a client of intermediate CA 1.
            ("port: -1\nocsp_cache: true\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n ca_timeout: 5\n allowed_clockskew: 30\n }"), pki.UserA1),
        })
        {
            DeleteLocalStore(DefaultStore);

            await using var s = InProcess.RunConf(conf);
            ConnectAndRequest(s, pki, client);
        }
    }

    // Go's TestOCSPPeerUnknownClient, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerUnknownClient()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        // UserA1's status is never set: its responder answers unknown.
        await using var int1 = await pki.Int1Responder().StartAsync();

        await using var s = RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"), out var log);
        await ConnectRefused(s, log, pki, pki.UserA1);
    }

    // Go's TestOCSPPeerRevokedClient, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerRevokedClient()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Revoked));

        // The check on: the revoked client is refused.
        DeleteLocalStore(DefaultStore);

        await using (var s = RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"), out var log))
            await ConnectRefused(s, log, pki, pki.UserA1);
        // Explicitly off (short and long form) or not configured: it connects.
        foreach (var peer in new[] { "ocsp_peer: false", "", "ocsp_peer: { verify: false }" })
        {
            DeleteLocalStore(DefaultStore);

            await using var s = InProcess.RunConf("port: -1\n" + pki.TlsBlock(peer.Length > 0 ? [peer] : []));
            Connect(s, pki, pki.UserA1);
        }
    }

    // Go's TestOCSPPeerUnknownAndRevokedIntermediate, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerUnknownAndRevokedIntermediate()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync();
        // Intermediate 1 is revoked; intermediate 2's status is never set, so unknown.
        root.SetStatus(pki.Int1, OcspStatus.Revoked);
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));
        await using var int2 = await pki.Int2Responder().StartAsync((pki.UserB1, OcspStatus.Good));

        foreach (var client in new[] { pki.UserA1, pki.UserB1 })
        {
            DeleteLocalStore(DefaultStore);

            await using var s = RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"), out var log);
            await ConnectRefused(s, log, pki, client);
        }
    }

    // Go's TestOCSPPeerWarnOnlyOption, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerWarnOnlyOption()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Revoked));

        // warn_only false: the revoked client is refused.
        DeleteLocalStore(DefaultStore);

        await using (var s = RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n warn_only: false\n }"), out var log))
            await ConnectRefused(s, log, pki, pki.UserA1);
        // warn_only true: it connects.
        DeleteLocalStore(DefaultStore);

        await using (var s = InProcess.RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n warn_only: true\n }")))
            Connect(s, pki, pki.UserA1);
    }

    // Go's TestOCSPPeerUnknownIsGoodOption, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerUnknownIsGoodOption()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        // UserA1's status is never set: unknown.
        await using var int1 = await pki.Int1Responder().StartAsync();

        DeleteLocalStore(DefaultStore);

        await using (var s = RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"), out var log))
            await ConnectRefused(s, log, pki, pki.UserA1);
        DeleteLocalStore(DefaultStore);

        await using (var s = InProcess.RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n unknown_is_good: true\n }")))
            Connect(s, pki, pki.UserA1);
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerUndelegatedCAResponseSigner")]
    public async Task OcspPeerUndelegatedCaResponseSigner()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        await using var int1 = await pki.Int1UndelegatedResponder().StartAsync((pki.UserA1, OcspStatus.Good));

        await using var s = InProcess.RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"));
        Connect(s, pki, pki.UserA1);
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerDelegatedCAResponseSigner")]
    public async Task OcspPeerDelegatedCaResponseSigner()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));

        await using var s = InProcess.RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"));
        Connect(s, pki, pki.UserA1);
    }

    // Go's TestOCSPPeerBadDelegatedCAResponseSigner, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerBadDelegatedCaResponseSigner()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        // Signed by UserA2, a certificate of intermediate 1 without the OCSP signing usage.
        await using var int1 = await pki.Int1BadDelegateResponder().StartAsync((pki.UserA1, OcspStatus.Good));

        await using var s = RunConf("port: -1\n" + pki.TlsBlock("ocsp_peer: true"), out var log);
        await ConnectRefused(s, log, pki, pki.UserA1);
    }

    [Theory, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerNextUpdateUnset")]
    [InlineData(4, 2)] // the second connection uses the first one's cached responses
    [InlineData(1, 3)] // the client's cached response (no nextUpdate) has expired by the second connection
    public async Task OcspPeerNextUpdateUnset(int ttl, long expectedMisses)
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder(ttl: TimeSpan.Zero).StartAsync((pki.UserA1, OcspStatus.Good));

        await using var s = InProcess.RunConf("port: -1\nhttp_port: -1\nocsp_cache: true\n"
            + pki.TlsBlock($"ocsp_peer: {{\n verify: true\n allowed_clockskew: 0\n cache_ttl_when_next_update_unset: {ttl}\n }}"));
        // thisUpdate is encoded in whole seconds: start at the top of a second so a one-second TTL with no clock skew
        // cannot lapse between the responder's answer and the server's check.
        await Task.Delay(TimeSpan.FromMilliseconds(1010 - DateTime.UtcNow.Millisecond));
        Connect(s, pki, pki.UserA1);
        await Task.Delay(TimeSpan.FromSeconds(2));
        Connect(s, pki, pki.UserA1);

        var cache = (await Varz(s)).GetProperty("ocsp_peer_cache");
        cache.GetProperty("cache_misses").GetInt64().ShouldBe(expectedMisses);
        cache.GetProperty("cached_responses").GetInt64().ShouldBe(2);
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerGoodClientsNoneCache")]
    public async Task OcspPeerGoodClientsNoneCache()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good), (pki.Int2, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));
        await using var int2 = await pki.Int2Responder().StartAsync((pki.UserB1, OcspStatus.Good));

        const string peer = "ocsp_peer: {\n verify: true\n ca_timeout: 5\n allowed_clockskew: 30\n }";
        // The none cache, long form and short form.
        foreach (var cache in new[] { "ocsp_cache: {\n type: none\n }\n", "ocsp_cache: false\n" })
        {
            DeleteLocalStore(DefaultStore);

            await using var s = InProcess.RunConf("port: -1\n" + pki.TlsBlock(peer) + cache);
            ConnectAndRequest(s, pki, pki.UserA1);
        }
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerGoodClientsLocalCache")]
    public async Task OcspPeerGoodClientsLocalCache()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good), (pki.Int2, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));
        await using var int2 = await pki.Int2Responder().StartAsync((pki.UserB1, OcspStatus.Good));

        foreach (var (conf, client) in new[]
        {
            // Short form cache, UserA1 of intermediate CA 1.
            (pki.TlsBlock("ocsp_peer: {\n verify: true\n ca_timeout: 5\n allowed_clockskew: 30\n }") + "ocsp_cache: true\n", pki.UserA1),
            // Long form local cache, UserB1 of intermediate CA 2.
            (pki.TlsBlock("ocsp_peer: true") + "ocsp_cache: {\n type: local\n }\n", pki.UserB1),
        })
        {
            DeleteLocalStore(DefaultStore);

            await using var s = InProcess.RunConf("port: -1\nhttp_port: -1\n" + conf);
            Connect(s, pki, client);
            // The client and its intermediate each missed the cache and were cached.
            var cache = (await Varz(s)).GetProperty("ocsp_peer_cache");
            cache.GetProperty("cache_misses").GetInt64().ShouldBe(2);
            cache.GetProperty("cached_responses").GetInt64().ShouldBe(2);

            // The second connection is answered from the cache.
            ConnectAndRequest(s, pki, client);
            cache = (await Varz(s)).GetProperty("ocsp_peer_cache");
            cache.GetProperty("cache_misses").GetInt64().ShouldBe(2);
            cache.GetProperty("cache_hits").GetInt64().ShouldBe(2);
            cache.GetProperty("cached_responses").GetInt64().ShouldBe(2);
        }
    }

    [Theory, GoTest("test/ocsp_peer_test.go", "TestOCSPResponseCacheMonitor")]
    [InlineData("ocsp_cache: true", "local")]
    [InlineData("ocsp_cache: {\n type: local\n }", "local")]
    [InlineData("", "local")] // the default
    [InlineData("ocsp_cache: false", "")]
    [InlineData("ocsp_cache: {\n type: none\n }", "")]
    public async Task OcspResponseCacheMonitor(string cache, string expect)
    {
        using var pki = new OcspTestPki();
        await using var s = InProcess.RunConf("port: -1\nhttp_port: -1\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n }") + cache + "\n");
        CacheType(await Varz(s)).ShouldBe(expect);
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPResponseCacheChangeAndReload")]
    public async Task OcspResponseCacheChangeAndReload()
    {
        using var pki = new OcspTestPki();
        string Conf(string type) => "port: -1\nhttp_port: -1\n" + pki.TlsBlock("ocsp_peer: true") + $"ocsp_cache: {{\n type: {type}\n }}\n";
        await using var s = InProcess.RunConf(Conf("none"), out string path);
        CacheType(await Varz(s)).ShouldBe("");

        File.WriteAllText(path, Conf("local"));
        s.Reload().ShouldBeNull();
        CacheType(await Varz(s)).ShouldBe("local");
    }

    /// <summary>varz ocsp_peer_cache.cache_type, empty when the cache is not reported (Go's none cache).</summary>
    private static string CacheType(JsonElement varz) =>
        varz.TryGetProperty("ocsp_peer_cache", out var c) && c.TryGetProperty("cache_type", out var t) ? t.GetString()! : "";

    [Fact]
    public async Task OcspPeerRejectAndChainlinkInvalidAdvisories()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good), (pki.Int2, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Revoked));
        await using var int2 = await pki.Int2Responder().StartAsync((pki.UserB1, OcspStatus.Good));

        await using var s = RunConf("port: -1\naccounts: { SYS: { users: [{ user: sys, password: pass }] } }\nsystem_account: SYS\n"
            + pki.TlsBlock("ocsp_peer: true"), out var log);
        // A system account subscriber (its own certificate is good).
        using var sys = ProtoClient.Connect("127.0.0.1", s.Port, timeout: ClientTimeout);
        sys.UpgradeToTls(pki.UserB1, pki.Root, clientChain: pki.BundleFor(pki.UserB1));
        sys.SendConnect(new { verbose = false, tls_required = true, user = "sys", pass = "pass" });
        sys.SendAndFlush("SUB $SYS.SERVER.*.OCSP.PEER.> 1\r\n");

        await ConnectRefused(s, log, pki, pki.UserA1);
        var msgs = sys.ExpectMsgs(2);
        var link = JsonDocument.Parse(msgs.Single(m => m.Subject.EndsWith(".OCSP.PEER.LINK.INVALID")).PayloadText).RootElement;
        link.GetProperty("type").GetString().ShouldBe("io.nats.server.advisory.v1.ocsp_peer_link_invalid");
        link.GetProperty("link").GetProperty("subject").GetString().ShouldBe("CN=UserA1,OU=Users,O=Synadia");
        link.GetProperty("peer").GetProperty("issuer").GetString().ShouldBe("CN=Intermediate CA 1");
        link.GetProperty("reason").GetString().ShouldBe("Invalid OCSP response status: revoked");
        var reject = JsonDocument.Parse(msgs.Single(m => m.Subject == $"$SYS.SERVER.{s.ServerId}.OCSP.PEER.CONN.REJECT").PayloadText).RootElement;
        reject.GetProperty("type").GetString().ShouldBe("io.nats.server.advisory.v1.ocsp_peer_reject");
        reject.GetProperty("kind").GetString().ShouldBe("Client");
        reject.GetProperty("peer").GetProperty("fingerprint").GetString()
            .ShouldBe(Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(pki.UserA1.RawData)));
        reject.GetProperty("reason").GetString().ShouldBe("client not OCSP valid");
    }

    /// <summary>Go's writeCacheFile: <paramref name="content"/> as the cache file of the store.</summary>
    private static void WriteCacheFile(string dir, string content)
    {
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cache.json"), content);
    }

    /// <summary>A cache file, in Go's format, holding an expired response of <paramref name="status"/> for UserA1 signed
    /// by intermediate 1's responder (Go's tests seed the same kind of entry).</summary>
    private static string ExpiredCacheEntry(OcspTestPki pki, OcspStatus status)
    {
        byte[] resp = pki.Int1Responder().ExpiredResponse(pki.UserA1, status);
        string key = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(pki.UserA1.RawData));
        var at = DateTime.UtcNow.AddHours(-1);
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            [key] = new Dictionary<string, object>
            {
                ["subject"] = "CN=UserA1,OU=Users,O=Synadia",
                ["cached_at"] = at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                ["resp_status"] = OcspPeer.StatusString((int)status),
                ["resp_expires"] = at.AddSeconds(4).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"),
                ["resp"] = Convert.ToBase64String(S2Stream.Encode(resp)),
            },
        });
    }

    private static string UnreachableConf(OcspTestPki pki, string cache) => "port: -1\nhttp_port: -1\n"
        + pki.TlsBlock("ocsp_peer: {\n verify: true\n ca_timeout: 0.5\n allow_when_ca_unreachable: true\n }") + cache;

    // Go's TestOCSPPeerAllowWhenCAUnreachableOption, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerAllowWhenCaUnreachableOption()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));
        // Intermediate 1's responder never runs: UserA1's CA is unreachable.
        const string cache = "ocsp_cache: {\n type: local\n preserve_revoked: true\n }\n";

        // An expired revoked response in the cache is honored: refused.
        DeleteLocalStore(DefaultStore);
        WriteCacheFile(DefaultStore, ExpiredCacheEntry(pki, OcspStatus.Revoked));
        await using (var s = RunConf(UnreachableConf(pki, cache), out var log))
            await ConnectRefused(s, log, pki, pki.UserA1);

        // An expired good or unknown response, or none (an unreadable cache file): the cached item is irrelevant, allowed.
        foreach (var content in new[] { ExpiredCacheEntry(pki, OcspStatus.Good), ExpiredCacheEntry(pki, OcspStatus.Unknown), "" })
        {
            DeleteLocalStore(DefaultStore);
            WriteCacheFile(DefaultStore, content);
            await using var s = InProcess.RunConf(UnreachableConf(pki, cache));
            Connect(s, pki, pki.UserA1);
        }
    }

    // Go's TestOCSPResponseCacheLocalStoreOpt, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspResponseCacheLocalStoreOpt()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));

        // A custom store, and "" meaning the default: the connection is refused only if the cache file there was loaded.
        foreach (var (store, location) in new[] { ("_custom_", "_custom_"), ("", DefaultStore) })
        {
            DeleteLocalStore(location);
            try
            {
                WriteCacheFile(location, ExpiredCacheEntry(pki, OcspStatus.Revoked));
                await using var s = RunConf(UnreachableConf(pki, $"ocsp_cache: {{\n type: local\n local_store: \"{store}\"\n preserve_revoked: true\n }}\n"), out var log);
                await ConnectRefused(s, log, pki, pki.UserA1);
            }
            finally
            {
                DeleteLocalStore(location);
            }
        }
    }

    // Go's TestOCSPPeerPreserveRevokedCacheItem, not a port: see ConnectRefused.
    [Fact]
    public async Task OcspPeerPreserveRevokedCacheItem()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good));

        // An expired revoked response is kept (preserve_revoked) while the CA is unreachable: refused.
        DeleteLocalStore(DefaultStore);
        WriteCacheFile(DefaultStore, ExpiredCacheEntry(pki, OcspStatus.Revoked));
        await using (var s = RunConf("port: -1\nhttp_port: -1\n" + pki.TlsBlock("ocsp_peer: {\n verify: true\n ca_timeout: 0.5\n }")
            + "ocsp_cache: {\n type: local\n preserve_revoked: true\n }\n", out var log))
        {
            await ConnectRefused(s, log, pki, pki.UserA1);
            CacheCounts(await Varz(s)).ShouldBe((1L, 1L, 0L, 0L));
        }

        // With the same store and the CA back, a current good response replaces it.
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));
        await using (var s = InProcess.RunConf("port: -1\nhttp_port: -1\n" + pki.TlsBlock("ocsp_peer: true")
            + "ocsp_cache: {\n type: local\n preserve_revoked: true\n }\n"))
        {
            Connect(s, pki, pki.UserA1);
            CacheCounts(await Varz(s)).ShouldBe((2L, 0L, 2L, 0L));
        }
    }

    [Fact, GoTest("test/ocsp_peer_test.go", "TestOCSPPeerIncrementalSaveLocalCache")]
    public async Task OcspPeerIncrementalSaveLocalCache()
    {
        using var pki = new OcspTestPki();
        await using var root = await pki.RootResponder().StartAsync((pki.Int1, OcspStatus.Good), (pki.Int2, OcspStatus.Good));
        await using var int1 = await pki.Int1Responder().StartAsync((pki.UserA1, OcspStatus.Good));
        await using var int2 = await pki.Int2Responder().StartAsync((pki.UserB1, OcspStatus.Good));

        DeleteLocalStore(DefaultStore);
        string file = Path.Combine(DefaultStore, "cache.json");
        File.Exists(file).ShouldBeFalse();
        // Saved when dirty, every second.
        await using var s = InProcess.RunConf("port: -1\nhttp_port: -1\n"
            + pki.TlsBlock("ocsp_peer: {\n verify: true\n ca_timeout: 5\n allowed_clockskew: 30\n }")
            + "ocsp_cache: {\n type: local\n save_interval: 1\n }\n");
        Connect(s, pki, pki.UserA1);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var first = new FileInfo(file);
        first.Exists.ShouldBeTrue("expected an extant local cache file");
        first.Length.ShouldBeGreaterThan(0);

        Connect(s, pki, pki.UserB1);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var second = new FileInfo(file);
        second.Exists.ShouldBeTrue("expected an extant local cache file");
        second.Length.ShouldBeGreaterThan(first.Length, "expected the cache file to have grown");
    }

    /// <summary>varz ocsp_peer_cache (responses, revokes, goods, unknowns).</summary>
    private static (long, long, long, long) CacheCounts(JsonElement varz)
    {
        var c = varz.GetProperty("ocsp_peer_cache");
        long N(string name) => c.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
        return (N("cached_responses"), N("cached_revoked_responses"), N("cached_good_responses"), N("cached_unknown_responses"));
    }

    /// <summary>Go's nats.Connect with the client's bundle: TLS, CONNECT and a PING answered.</summary>
    private static void Connect(NatsServer s, OcspTestPki pki, X509Certificate2 client)
    {
        using var c = ProtoClient.Connect("127.0.0.1", s.Port, timeout: ClientTimeout);
        c.UpgradeToTls(client, pki.Root, clientChain: pki.BundleFor(client));
        c.SendConnect(tlsRequired: true);
        c.Flush();
    }

    /// <summary>Go's monitorGetVarzHelper: /varz from the monitoring port.</summary>
    private static async Task<JsonElement> Varz(NatsServer s)
    {
        using var http = new HttpClient { Timeout = ClientTimeout };
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{s.Monitor.Port}/varz"));
        return doc.RootElement.Clone();
    }
}
