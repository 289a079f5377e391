using System.Collections.Concurrent;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>Where an operator-mode server finds account JWTs (Go's AccountResolver).</summary>
public interface IAccountResolver
{
    /// <summary>The account's JWT, or null when it is not known.</summary>
    string? Fetch(string name);

    /// <summary>Stores (or replaces) an account's JWT.</summary>
    void Store(string name, string jwt);
}

/// <summary>Go's MemAccResolver (resolver: MEMORY): account JWTs held in memory, filled by resolver_preload or by
/// the program embedding the server.</summary>
public sealed class MemoryAccountResolver : IAccountResolver
{
    private readonly ConcurrentDictionary<string, string> _jwts = new(StringComparer.Ordinal);

    public string? Fetch(string name) => _jwts.TryGetValue(name, out var jwt) ? jwt : null;

    public void Store(string name, string jwt) => _jwts[name] = jwt;
}
