using System.Reflection;
using Xunit;
using Xunit.Sdk;
using Xunit.v3;

namespace NatsParity.Testing;

/// <summary>
/// Supplies one theory row per selected <see cref="ServerTarget"/>, so a test method
/// <c>[Theory, TargetData] void X(ServerTarget target)</c> shows up as <c>X(target: Reference)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class TargetDataAttribute : DataAttribute
{
    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker)
    {
        IReadOnlyCollection<ITheoryDataRow> rows = ServerTargets.Selected
            .Select(target => (ITheoryDataRow)new TheoryDataRow<ServerTarget>(target))
            .ToArray();
        return new(rows);
    }

    public override bool SupportsDiscoveryEnumeration() => true;
}
