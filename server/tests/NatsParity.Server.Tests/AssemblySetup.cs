using System.Runtime.CompilerServices;

namespace NatsParity.Server.Tests;

internal static class AssemblySetup
{
    [ModuleInitializer]
    internal static void Initialize() => NatsParity.Testing.TestProcessSetup.EnsureInitialized();
}
