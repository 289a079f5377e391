using System.Runtime.CompilerServices;

namespace NatsParity.Testing;

/// <summary>
/// Test processes block threads on purpose (raw sockets read synchronously, Go-style sleeps) while in-process servers
/// need thread-pool threads to accept and write; without headroom the pool's slow thread injection starves them.
/// </summary>
public static class TestProcessSetup
{
    [ModuleInitializer]
    public static void Initialize()
    {
        ThreadPool.GetMinThreads(out int worker, out int io);
        ThreadPool.SetMinThreads(Math.Max(worker, 64), Math.Max(io, 64));
    }

    /// <summary>Call from a test assembly to make sure this module (and so its initializer) is loaded.</summary>
    public static void EnsureInitialized() => RuntimeHelpers.RunModuleConstructor(typeof(TestProcessSetup).Module.ModuleHandle);
}
