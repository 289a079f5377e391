using Xunit;

namespace NatsParity.Server.Tests;

/// <summary>Tests that assert timings run after the parallel ones, one at a time, as Go's sequential tests do.</summary>
[CollectionDefinition(nameof(TimingSensitive), DisableParallelization = true)]
public sealed class TimingSensitive;
