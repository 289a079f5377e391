using System.Runtime.CompilerServices;

namespace NatsParity.Conformance;

internal static class AssemblySetup
{
    [ModuleInitializer]
    internal static void Initialize() => NatsParity.Testing.TestProcessSetup.EnsureInitialized();
}
