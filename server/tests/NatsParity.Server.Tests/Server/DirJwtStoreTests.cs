using System.Runtime.InteropServices;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;
using Shouldly;
using Xunit;

namespace NatsParity.Server.Tests.Server;

/// <summary>Ports of server/dirstore_test.go: the directory JWT store, sharded or not, packing and merging, and the
/// expiring store's expiration, TTL, LRU limit, hash and notifications.</summary>
public sealed class DirJwtStoreTests : IDisposable
{
    private static readonly TimeSpan InfDur = TimeSpan.MaxValue;
    private static readonly NKeyPair Op = NKeyPair.Create(NKeys.PrefixOperator);
    private static readonly (string Key, string Jwt)[] Accounts = Enumerable.Range(0, 4).Select(_ =>
    {
        string pub = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
        return (pub, new AccountClaims(pub).Encode(Op));
    }).ToArray();
    private static string One => Accounts[0].Key;
    private static string Two => Accounts[1].Key;
    private static string Three => Accounts[2].Key;
    private static string Four => Accounts[3].Key;

    private readonly string _root = Directory.CreateTempSubdirectory("natsparity-dirstore-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Go's t.TempDir.</summary>
    private string TempDir() => Directory.CreateDirectory(Path.Combine(_root, Guid.NewGuid().ToString("N"))).FullName;

    private static Dictionary<string, string> Expected() => new()
    {
        [One] = "alpha", [Two] = "beta", [Three] = "gamma", [Four] = "delta",
    };

    private static string Hex(byte[] hash) => Convert.ToHexString(hash);

    private static bool FileExists(string dir, string key) => File.Exists(Path.Combine(dir, key + ".jwt"));

    private static int EntryCount(string dir) => Directory.GetFileSystemEntries(dir).Length;

    /// <summary>Go's createTestAccount: a self-signed account JWT, expiring <paramref name="expSec"/> seconds after the
    /// rounded now when positive, saved in the store.</summary>
    private static string CreateTestAccount(DirJwtStore store, int expSec, NKeyPair accKey)
    {
        var account = new AccountClaims(accKey.PublicKey);
        if (expSec > 0) account.Expires = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 500) / 1000 + expSec;
        string jwt = account.Encode(accKey);
        store.SaveAcc(accKey.PublicKey, jwt);
        return jwt;
    }

    /// <summary>Go's assertStoreSize: the JWT files (in shards too) and each index structure hold <paramref name="length"/>.</summary>
    private static void AssertStoreSize(DirJwtStore store, int length)
    {
        Directory.GetFiles(store.Directory, "*", SearchOption.AllDirectories).Count(f => f.EndsWith(".jwt", StringComparison.Ordinal))
            .ShouldBe(length);
        var (idx, lru, heap) = store.TrackedCounts();
        idx.ShouldBe(length);
        lru.ShouldBe(length);
        heap.ShouldBe(length);
    }

    private static void WriteAndReadonly(string dir, bool shard)
    {
        var expected = Expected();
        var store = DirJwtStore.Create(dir, shard, create: false);
        store.IsReadOnly.ShouldBeFalse();
        foreach (var (k, v) in expected) store.SaveAcc(k, v);
        foreach (var (k, v) in expected) store.LoadAcc(k).ShouldBe(v);
        Should.Throw<Exception>(() => store.LoadAcc("random"));
        Should.Throw<Exception>(() => store.LoadAcc(""));
        Should.Throw<Exception>(() => store.SaveAcc("", "onetwothree"));
        store.Dispose();

        // The same folder in read-only mode.
        store = DirJwtStore.CreateImmutable(dir, shard);
        store.IsReadOnly.ShouldBeTrue();
        Should.Throw<InvalidOperationException>(() => store.SaveAcc("five", "omega"));
        foreach (var (k, v) in expected) store.LoadAcc(k).ShouldBe(v);
        store.Dispose();
    }

    [Fact, GoTest("server/dirstore_test.go", "TestShardedDirStoreWriteAndReadonly")]
    public void ShardedDirStoreWriteAndReadonly() => WriteAndReadonly(TempDir(), shard: true);

    [Fact, GoTest("server/dirstore_test.go", "TestUnshardedDirStoreWriteAndReadonly")]
    public void UnshardedDirStoreWriteAndReadonly() => WriteAndReadonly(TempDir(), shard: false);

    [Fact, GoTest("server/dirstore_test.go", "TestNoCreateRequiresDir")]
    public void NoCreateRequiresDir() => Should.Throw<IOException>(() => DirJwtStore.Create("/a/b/c", true, false));

    [Fact, GoTest("server/dirstore_test.go", "TestCreateMakesDir")]
    public void CreateMakesDir()
    {
        string fullPath = Path.Combine(TempDir(), "a", "b");
        Directory.Exists(fullPath).ShouldBeFalse();
        DirJwtStore.Create(fullPath, false, true).Dispose();
        Directory.Exists(fullPath).ShouldBeTrue();
    }

    [Fact, GoTest("server/dirstore_test.go", "TestDirStoreInaccessibleParent")]
    public void DirStoreInaccessibleParent()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "directory permission bits do not block traversal on Windows");
        string parent = Path.Combine(TempDir(), "parent");
        string child = Path.Combine(parent, "child");
        Directory.CreateDirectory(child);
        // Without the parent's search bit, looking at the child fails with EACCES rather than "does not exist".
        File.SetUnixFileMode(parent, UnixFileMode.None);
        try
        {
            // Root passes permission bits only by its DAC capabilities: without them (on this test's thread alone) it
            // sees what Go's test, which skips for root, sees as any other user.
            WithoutDacOverride(() => Should.Throw<IOException>(() => DirJwtStore.Create(child, false, true)));
        }
        finally
        {
            File.SetUnixFileMode(parent, (UnixFileMode)Convert.ToInt32("755", 8));
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapUserHeader { public uint Version; public int Pid; }

    [StructLayout(LayoutKind.Sequential)]
    private struct CapUserData { public uint Effective; public uint Permitted; public uint Inheritable; }

    [DllImport("libc", SetLastError = true)]
    private static extern int capget(ref CapUserHeader header, [Out] CapUserData[] data);

    [DllImport("libc", SetLastError = true)]
    private static extern int capset(ref CapUserHeader header, CapUserData[] data);

    private const uint LinuxCapabilityVersion3 = 0x20080522;
    // CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH.
    private const uint DacCapabilities = (1u << 1) | (1u << 2);

    /// <summary>Runs <paramref name="check"/>; for root, on a thread of its own whose effective capabilities lack
    /// those that pass permission bits (Linux keeps capabilities per thread, so the rest of the process keeps them).</summary>
    private static void WithoutDacOverride(Action check)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            check();
            return;
        }
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        bool dropped = false;
        var thread = new Thread(() =>
        {
            var header = new CapUserHeader { Version = LinuxCapabilityVersion3 };
            var data = new CapUserData[2];
            if (capget(ref header, data) != 0) return;
            uint effective = data[0].Effective;
            data[0].Effective &= ~DacCapabilities;
            if (capset(ref header, data) != 0) return;
            dropped = true;
            try { check(); }
            catch (Exception e) { failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e); }
            finally
            {
                data[0].Effective = effective;
                capset(ref header, data);
            }
        });
        thread.Start();
        thread.Join();
        Assert.SkipUnless(dropped, "root bypasses directory permission checks and its capabilities cannot be dropped here");
        failure?.Throw();
    }

    /// <summary>The two pack tests' common start: a sharded store of <see cref="Expected"/>, packed and merged into a
    /// second store (sharded per <paramref name="incShard"/>) that then holds the same.</summary>
    private (DirJwtStore Store, DirJwtStore Inc) PackAndMerge(bool incShard)
    {
        var expected = Expected();
        var store = DirJwtStore.Create(TempDir(), true, false);
        store.IsReadOnly.ShouldBeFalse();
        foreach (var (k, v) in expected) store.SaveAcc(k, v);
        foreach (var (k, v) in expected) store.LoadAcc(k).ShouldBe(v);
        Should.Throw<Exception>(() => store.LoadAcc("random"));

        string pack = store.Pack(-1);
        var inc = DirJwtStore.Create(TempDir(), incShard, false);
        inc.Merge(pack);
        foreach (var (k, v) in expected) inc.LoadAcc(k).ShouldBe(v);
        Should.Throw<Exception>(() => inc.LoadAcc("random"));
        return (store, inc);
    }

    [Fact, GoTest("server/dirstore_test.go", "TestShardedDirStorePackMerge")]
    public void ShardedDirStorePackMerge()
    {
        var (store, inc) = PackAndMerge(incShard: true);
        using var disposeStore = store;
        using var disposeInc = inc;
        string limitedPack = inc.Pack(1);
        using var limited = DirJwtStore.Create(TempDir(), true, false);
        limited.Merge(limitedPack);
        int count = 0;
        foreach (var (k, v) in Expected())
        {
            try
            {
                string got = limited.LoadAcc(k);
                count++;
                got.ShouldBe(v);
            }
            catch (FileNotFoundException) { }
        }
        count.ShouldBe(1);
        Should.Throw<Exception>(() => inc.LoadAcc("random"));
    }

    [Fact, GoTest("server/dirstore_test.go", "TestShardedToUnsharedDirStorePackMerge")]
    public void ShardedToUnsharedDirStorePackMerge()
    {
        var (store, inc) = PackAndMerge(incShard: false);
        using var disposeStore = store;
        using var disposeInc = inc;
        Should.Throw<Exception>(() => store.Merge("foo"));
        store.Merge(""); // skipped
        Should.Throw<Exception>(() => store.Merge("a|something")); // "a" is no account key
    }

    [Fact, GoTest("server/dirstore_test.go", "TestMergeOnlyOnNewer")]
    public void MergeOnlyOnNewer()
    {
        using var dirStore = DirJwtStore.Create(TempDir(), true, false);
        var accountKey = NKeyPair.Create(NKeys.PrefixAccount);
        string pubKey = accountKey.PublicKey;
        var account = new AccountClaims(pubKey) { Name = "old" };
        string olderJwt = account.Encode(accountKey);
        Thread.Sleep(2000);
        account.Name = "new";
        string newerJwt = account.Encode(accountKey);

        dirStore.SaveAcc(pubKey, olderJwt);
        dirStore.LoadAcc(pubKey).ShouldBe(olderJwt);

        dirStore.SaveIfNewer(pubKey, newerJwt); // replaces
        dirStore.LoadAcc(pubKey).ShouldBe(newerJwt);

        dirStore.SaveIfNewer(pubKey, olderJwt); // ignored
        dirStore.LoadAcc(pubKey).ShouldBe(newerJwt);
    }

    [Fact, GoTest("server/dirstore_test.go", "TestExpiration")]
    public void Expiration()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(50), 10, true, TimeSpan.Zero, null);
        void Account(int expSec) => CreateTestAccount(dirStore, expSec, NKeyPair.Create(NKeys.PrefixAccount));

        var hBegin = dirStore.Hash();
        Account(100);
        var hNoExp = dirStore.Hash();
        Hex(hNoExp).ShouldNotBe(Hex(hBegin));
        Account(1);
        var nh2 = dirStore.Hash();
        Hex(nh2).ShouldNotBe(Hex(hNoExp));
        AssertStoreSize(dirStore, 2);

        var failAt = DateTime.UtcNow.AddSeconds(4);
        while (DateTime.UtcNow < failAt)
        {
            Thread.Sleep(100);
            if (EntryCount(dir) == 1)
            {
                Hex(dirStore.Hash()).ShouldBe(Hex(hNoExp));
                return;
            }
        }
        Assert.Fail("Waited more than 4 seconds for the file with expiration 1 second to expire");
    }

    [Fact, GoTest("server/dirstore_test.go", "TestLimit")]
    public void Limit()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(100), 5, true, TimeSpan.Zero, null);
        var h = dirStore.Hash();
        var accountKey = NKeyPair.Create(NKeys.PrefixAccount);
        // Updates of the first account.
        for (int i = 0; i < 10; i++)
        {
            CreateTestAccount(dirStore, 50, accountKey);
            AssertStoreSize(dirStore, 1);
        }
        // New accounts.
        for (int i = 0; i < 10; i++)
        {
            CreateTestAccount(dirStore, i, NKeyPair.Create(NKeys.PrefixAccount));
            var nh = dirStore.Hash();
            Hex(nh).ShouldNotBe(Hex(h));
            h = nh;
        }
        // The first account was evicted.
        FileExists(dir, accountKey.PublicKey).ShouldBeFalse();
        // Updates of the first account.
        for (int i = 0; i < 10; i++)
        {
            CreateTestAccount(dirStore, 50, accountKey);
            AssertStoreSize(dirStore, 5);
        }
    }

    [Fact, GoTest("server/dirstore_test.go", "TestLimitNoEvict")]
    public void LimitNoEvict()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(50), 2, false, TimeSpan.Zero, null);
        var accountKey1 = NKeyPair.Create(NKeys.PrefixAccount);
        var accountKey2 = NKeyPair.Create(NKeys.PrefixAccount);
        var accountKey3 = NKeyPair.Create(NKeys.PrefixAccount);
        string pKey1 = accountKey1.PublicKey, pKey3 = accountKey3.PublicKey;

        CreateTestAccount(dirStore, 100, accountKey1);
        AssertStoreSize(dirStore, 1);
        CreateTestAccount(dirStore, 1, accountKey2);
        AssertStoreSize(dirStore, 2);

        var hBefore = dirStore.Hash();
        // Two JWTs are stored, so a third is refused.
        string jwt = new AccountClaims(pKey3).Encode(accountKey3);
        Should.Throw<InvalidOperationException>(() => dirStore.SaveAcc(pKey3, jwt)).Message.ShouldBe("jwt store is full");
        AssertStoreSize(dirStore, 2);
        FileExists(dir, pKey1).ShouldBeTrue();
        FileExists(dir, pKey3).ShouldBeFalse();
        Hex(dirStore.Hash()).ShouldBe(Hex(hBefore));
        // Account 2 expires.
        Thread.Sleep(2200);
        dirStore.SaveAcc(pKey3, jwt);
        AssertStoreSize(dirStore, 2);
        FileExists(dir, pKey1).ShouldBeTrue();
        FileExists(dir, pKey3).ShouldBeTrue();
    }

    [Fact, GoTest("server/dirstore_test.go", "TestLruLoad")]
    public void LruLoad()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(100), 2, true, TimeSpan.Zero, null);
        var accountKey1 = NKeyPair.Create(NKeys.PrefixAccount);
        var accountKey2 = NKeyPair.Create(NKeys.PrefixAccount);
        var accountKey3 = NKeyPair.Create(NKeys.PrefixAccount);

        CreateTestAccount(dirStore, 10, accountKey1);
        AssertStoreSize(dirStore, 1);
        CreateTestAccount(dirStore, 10, accountKey2);
        AssertStoreSize(dirStore, 2);
        dirStore.LoadAcc(accountKey1.PublicKey); // 1 becomes more recently used than 2
        CreateTestAccount(dirStore, 10, accountKey3);
        AssertStoreSize(dirStore, 2);

        FileExists(dir, accountKey1.PublicKey).ShouldBeTrue();
        FileExists(dir, accountKey3.PublicKey).ShouldBeTrue();
    }

    [Fact, GoTest("server/dirstore_test.go", "TestLruVolume")]
    public void LruVolume()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(50), 2, true, TimeSpan.Zero, null);
        const int replaceCnt = 500;
        var keys = new string[replaceCnt];

        var key = NKeyPair.Create(NKeys.PrefixAccount);
        keys[0] = key.PublicKey;
        CreateTestAccount(dirStore, 10000, key); // not meant to expire
        AssertStoreSize(dirStore, 1);

        key = NKeyPair.Create(NKeys.PrefixAccount);
        keys[1] = key.PublicKey;
        CreateTestAccount(dirStore, 10000, key);
        AssertStoreSize(dirStore, 2);

        for (int i = 2; i < replaceCnt; i++)
        {
            var k = NKeyPair.Create(NKeys.PrefixAccount);
            keys[i] = k.PublicKey;
            CreateTestAccount(dirStore, 10000 + Random.Shared.Next(10000), k);
            AssertStoreSize(dirStore, 2);
            FileExists(dir, keys[i - 2]).ShouldBeFalse();
            FileExists(dir, keys[i - 1]).ShouldBeTrue();
            FileExists(dir, keys[i]).ShouldBeTrue();
        }
    }

    [Fact, GoTest("server/dirstore_test.go", "TestLru")]
    public void Lru()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(50), 2, true, TimeSpan.Zero, null);
        var accountKey1 = NKeyPair.Create(NKeys.PrefixAccount);
        var accountKey2 = NKeyPair.Create(NKeys.PrefixAccount);
        var accountKey3 = NKeyPair.Create(NKeys.PrefixAccount);
        string pKey1 = accountKey1.PublicKey, pKey3 = accountKey3.PublicKey;

        CreateTestAccount(dirStore, 1000, accountKey1);
        AssertStoreSize(dirStore, 1);
        CreateTestAccount(dirStore, 1000, accountKey2);
        AssertStoreSize(dirStore, 2);
        CreateTestAccount(dirStore, 1000, accountKey3);
        AssertStoreSize(dirStore, 2);
        FileExists(dir, pKey1).ShouldBeFalse();
        FileExists(dir, pKey3).ShouldBeTrue();

        // An update moves 2 back in the eviction order.
        CreateTestAccount(dirStore, 1000, accountKey2);
        AssertStoreSize(dirStore, 2);
        // Re-creating 1 evicts 3.
        CreateTestAccount(dirStore, 1, accountKey1);
        AssertStoreSize(dirStore, 2);
        FileExists(dir, pKey3).ShouldBeFalse();
        // 1 expires (one second, plus one for rounding).
        Thread.Sleep(2200);
        AssertStoreSize(dirStore, 1);
        FileExists(dir, pKey1).ShouldBeFalse();
        // Re-creating 3 evicts nothing.
        CreateTestAccount(dirStore, 1000, accountKey3);
        AssertStoreSize(dirStore, 2);
    }

    [Fact, GoTest("server/dirstore_test.go", "TestReload")]
    public void Reload()
    {
        string dir = TempDir();
        using var notifications = new SemaphoreSlim(0, 5);
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(100), 2, true, TimeSpan.Zero,
            _ => notifications.Release());
        string NewAccount()
        {
            var accKey = NKeyPair.Create(NKeys.PrefixAccount);
            string jwt = new AccountClaims(accKey.PublicKey).Encode(accKey);
            string file = Path.Combine(dir, accKey.PublicKey + ".jwt");
            File.WriteAllText(file, jwt);
            return file;
        }
        var files = new HashSet<string>();
        AssertStoreSize(dirStore, 0);
        string emptyHash = Hex(new byte[32]);
        Hex(dirStore.Hash()).ShouldBe(emptyHash);
        for (int i = 0; i < 5; i++)
        {
            files.Add(NewAccount());
            dirStore.Reload();
            notifications.Wait(TimeSpan.FromSeconds(5)).ShouldBeTrue();
            AssertStoreSize(dirStore, i + 1);
            Hex(dirStore.Hash()).ShouldNotBe(emptyHash);
            dirStore.Pack(-1).Split('\n').Length.ShouldBe(files.Count);
        }
        foreach (var k in files.ToList())
        {
            Hex(dirStore.Hash()).ShouldNotBe(emptyHash);
            File.Delete(k);
            dirStore.Reload();
            AssertStoreSize(dirStore, files.Count - 1);
            files.Remove(k);
            string msg = dirStore.Pack(-1);
            if (files.Count != 0) msg.Split('\n').Length.ShouldBe(files.Count); // none packs as one empty line
        }
        notifications.CurrentCount.ShouldBe(0);
        Hex(dirStore.Hash()).ShouldBe(emptyHash);
    }

    [Fact, GoTest("server/dirstore_test.go", "TestExpirationUpdate")]
    public void ExpirationUpdate()
    {
        string dir = TempDir();
        using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(50), 10, true, TimeSpan.Zero, null);
        var accountKey = NKeyPair.Create(NKeys.PrefixAccount);
        var h = dirStore.Hash();

        void UpdateAndWait(int expSec, int expectedFiles)
        {
            CreateTestAccount(dirStore, expSec, accountKey);
            var nh = dirStore.Hash();
            Hex(nh).ShouldNotBe(Hex(h));
            h = nh;
            Thread.Sleep(1500);
            EntryCount(dir).ShouldBe(expectedFiles);
        }
        UpdateAndWait(0, 1);
        UpdateAndWait(2, 1);
        UpdateAndWait(0, 1);

        CreateTestAccount(dirStore, 1, accountKey);
        Hex(dirStore.Hash()).ShouldNotBe(Hex(h));
        Thread.Sleep(1500);
        // Go checks once after the sleep; the sweep runs every 50ms, so allow it one more round on a busy machine.
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (EntryCount(dir) != 0 && DateTime.UtcNow < deadline) Thread.Sleep(20);
        EntryCount(dir).ShouldBe(0);
        Hex(dirStore.Hash()).ShouldBe(Hex(new byte[32]));
    }

    [Fact, GoTest("server/dirstore_test.go", "TestTTL")]
    public void Ttl()
    {
        string dir = TempDir();
        void RequireOneJwt() => EntryCount(dir).ShouldBe(1);
        void Test(Action<DirJwtStore, NKeyPair, string, string> op)
        {
            using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, JwtDeleteType.NoDelete, TimeSpan.FromMilliseconds(50), 10, true,
                TimeSpan.FromMilliseconds(200), null);
            var accountKey = NKeyPair.Create(NKeys.PrefixAccount);
            string jwt = CreateTestAccount(dirStore, 0, accountKey);
            RequireOneJwt();
            // Activity keeps it from expiring.
            for (int i = 0; i < 4; i++)
            {
                Thread.Sleep(110);
                op(dirStore, accountKey, accountKey.PublicKey, jwt);
                RequireOneJwt();
            }
            // Without activity it expires.
            for (int i = 0; i < 40; i++)
            {
                Thread.Sleep(50);
                if (EntryCount(dir) == 0) return;
            }
            Assert.Fail("jwt should have expired by now");
        }
        Test((store, _, pubKey, _) => store.LoadAcc(pubKey));           // no expiration due to load
        Test((store, _, pubKey, jwt) => store.SaveAcc(pubKey, jwt));     // no expiration due to store
        Test((store, accountKey, _, _) => CreateTestAccount(store, 0, accountKey)); // no expiration due to overwrite
    }

    [Fact, GoTest("server/dirstore_test.go", "TestRemove")]
    public void Remove()
    {
        foreach (var (deleteType, expected, moved) in new[]
                 {
                     (JwtDeleteType.HardDelete, 0, 0), (JwtDeleteType.RenameDeleted, 0, 1), (JwtDeleteType.NoDelete, 1, 0),
                 })
        {
            string dir = TempDir();
            using var dirStore = DirJwtStore.CreateExpiring(dir, false, false, deleteType, TimeSpan.Zero, 10, true, TimeSpan.Zero, null);
            string delPubKey = "";
            dirStore.Deleted = publicKey => delPubKey = publicKey;
            var accountKey = NKeyPair.Create(NKeys.PrefixAccount);
            string pubKey = accountKey.PublicKey;
            CreateTestAccount(dirStore, 0, accountKey);
            EntryCount(dir).ShouldBe(1);
            if (deleteType == JwtDeleteType.NoDelete)
            {
                Should.Throw<InvalidOperationException>(() => dirStore.Delete(pubKey));
                delPubKey.ShouldBe("");
            }
            else
            {
                dirStore.Delete(pubKey);
                delPubKey.ShouldBe(pubKey);
            }
            Directory.GetFiles(dir).Count(f => f.EndsWith(".jwt", StringComparison.Ordinal)).ShouldBe(expected, deleteType.ToString());
            Directory.GetFiles(dir).Count(f => f.EndsWith(".jwt.deleted", StringComparison.Ordinal)).ShouldBe(moved, deleteType.ToString());
        }
    }

    [Fact, GoTest("server/dirstore_test.go", "TestNotificationOnPack")]
    public void NotificationOnPack()
    {
        var jwts = Accounts.ToDictionary(a => a.Key, a => a.Jwt);
        // As many as there are JWTs: a notification too many fails.
        using var notifications = new SemaphoreSlim(0, jwts.Count);
        void Notification(string pubKey)
        {
            jwts.ShouldContainKey(pubKey);
            notifications.Release();
        }
        void AwaitNotifications()
        {
            for (int i = 0; i < jwts.Count; i++) notifications.Wait(TimeSpan.FromSeconds(5)).ShouldBeTrue();
        }
        var packStore = DirJwtStore.CreateExpiring(TempDir(), false, false, JwtDeleteType.NoDelete, InfDur, 0, true, TimeSpan.Zero, Notification);
        foreach (var (k, v) in jwts) packStore.SaveAcc(k, v);
        AwaitNotifications();
        string msg = packStore.Pack(-1);
        packStore.Dispose();
        var hash = packStore.Hash();
        foreach (bool shard in new[] { true, false, true, false })
        {
            var mergeStore = DirJwtStore.CreateExpiring(TempDir(), shard, false, JwtDeleteType.NoDelete, InfDur, 0, true, TimeSpan.Zero, Notification);
            mergeStore.Merge(msg);
            AssertStoreSize(mergeStore, jwts.Count);
            var hash1 = packStore.Hash();
            Hex(hash1).ShouldBe(Hex(hash));
            AwaitNotifications();
            // Merging the same again changes nothing.
            mergeStore.Merge(msg);
            AssertStoreSize(mergeStore, jwts.Count);
            Hex(packStore.Hash()).ShouldBe(Hex(hash1));

            hash = hash1;
            msg = mergeStore.Pack(-1);
            mergeStore.Dispose();
            notifications.CurrentCount.ShouldBe(0);
            foreach (var (k, v) in jwts) packStore.LoadAcc(k).ShouldBe(v);
        }
    }

    [Fact, GoTest("server/dirstore_test.go", "TestNotificationOnPackWalk")]
    public void NotificationOnPackWalk()
    {
        const int storeCnt = 5, keyCnt = 50, iterCnt = 8;
        var store = new DirJwtStore[storeCnt];
        for (int i = 0; i < storeCnt; i++)
            store[i] = DirJwtStore.CreateExpiring(TempDir(), true, false, JwtDeleteType.NoDelete, InfDur, 0, true, TimeSpan.Zero, null);
        for (int i = 0; i < iterCnt; i++)
        {
            for (int j = 0; j < keyCnt; j++)
            {
                string key = NKeyPair.Create(NKeys.PrefixAccount).PublicKey;
                store[0].SaveAcc(key, new AccountClaims(key).Encode(Op));
            }
            for (int j = 0; j < storeCnt - 1; j++)
            {
                var next = store[j + 1];
                store[j].PackWalk(3, partialPackMsg => next.Merge(partialPackMsg));
            }
            for (int j = 0; j < storeCnt - 1; j++) Hex(store[j].Hash()).ShouldBe(Hex(store[j + 1].Hash()));
        }
        foreach (var s in store) s.Dispose();
    }
}
