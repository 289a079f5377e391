using System.Text.Json;
using Shouldly;

namespace NatsParity.Server.Tests.Monitoring;

/// <summary>Checks Go's connz tests repeat.</summary>
internal static class ConnzChecks
{
    /// <summary>The page counts of a connz answer: connections listed, the total, and the paging (Go's default limit
    /// is 1024).</summary>
    public static void ExpectPage(JsonElement c, int connections, int total, int limit = 1024, int offset = 0)
    {
        c.GetProperty("num_connections").GetInt32().ShouldBe(connections);
        c.GetProperty("total").GetInt32().ShouldBe(total);
        c.GetProperty("connections").GetArrayLength().ShouldBe(connections);
        c.GetProperty("limit").GetInt32().ShouldBe(limit);
        c.GetProperty("offset").GetInt32().ShouldBe(offset);
    }
}
