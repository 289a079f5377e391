using System.Text;
using NatsParity.Server.Clients;
using NatsParity.Server.Config;

namespace NatsParity.Server;

/// <summary>Trusted proxies (Go's proxiesKeyPairs, proxyCheck, proxiedConns, proxiesReload): a connection that carries
/// a trusted proxy's signature of its nonce is proxied; users with proxy_required accept only such connections.</summary>
public sealed partial class NatsServer
{
    /// <summary>Go's ErrAuthProxyNotTrusted and ErrAuthProxyRequired texts.</summary>
    internal const string ErrAuthProxyNotTrusted = "proxy is not trusted";
    internal const string ErrAuthProxyRequired = "proxy connection required";

    /// <summary>The trusted proxies' public keys; replaced whole on reload, read without a lock.</summary>
    private volatile string[] _proxyKeys = [];
    private readonly object _proxiedLock = new();
    /// <summary>Connected clients by the trusted key that signed for them, closed when that key is removed on reload.</summary>
    private readonly Dictionary<string, Dictionary<ulong, ClientConnection>> _proxiedConns = new(StringComparer.Ordinal);

    /// <summary>Go's processProxiesTrustedKeys.</summary>
    private void ConfigureProxies() =>
        _proxyKeys = Options.Proxies?.Trusted.Select(p => p.Key).ToArray() ?? [];

    /// <summary>The trusted proxies' keys in force, in configuration order.</summary>
    internal IReadOnlyList<string> ProxyKeys => _proxyKeys;

    /// <summary>Connections registered under <paramref name="key"/> (tests).</summary>
    internal int ProxiedConnCount(string key)
    {
        lock (_proxiedLock) return _proxiedConns.TryGetValue(key, out var conns) ? conns.Count : 0;
    }

    /// <summary>Go's proxyCheck: (false, false) without a proxy signature or trusted proxies; else (true, whether one of
    /// the trusted keys verifies the signature of the nonce). A verified connection is tracked under its proxy's key,
    /// unless it closed meanwhile (its removal already ran, so nothing would ever untrack it).</summary>
    internal (bool Proxied, bool Trusted) ProxyCheck(ClientConnection c)
    {
        string? psig = c.Options.ProxySig;
        var keys = _proxyKeys;
        if (string.IsNullOrEmpty(psig) || Options.Proxies is not { Trusted.Count: > 0 } || keys.Length == 0) return (false, false);
        byte[] sig;
        try { sig = DecodeBase64Url(psig); }
        catch (FormatException)
        {
            c.Debug("Proxy signature not valid base64");
            return (true, false);
        }
        byte[] nonce = c.Nonce is null ? [] : Encoding.ASCII.GetBytes(c.Nonce);
        foreach (var pub in keys)
        {
            if (!Auth.NKeys.Verify(pub, nonce, sig)) continue;
            lock (_proxiedLock)
            {
                if (c.IsClosed) return (true, true);
                c.ProxyKey = pub;
                if (!_proxiedConns.TryGetValue(pub, out var conns)) _proxiedConns[pub] = conns = [];
                conns[c.Cid] = c;
            }
            return (true, true);
        }
        return (true, false);
    }

    /// <summary>Go's removeProxiedConn, from removeClient.</summary>
    private void RemoveProxiedConn(ClientConnection c)
    {
        lock (_proxiedLock)
        {
            string key = c.ProxyKey;
            if (key.Length == 0 || !_proxiedConns.TryGetValue(key, out var conns)) return;
            conns.Remove(c.Cid);
            if (conns.Count == 0) _proxiedConns.Remove(key);
        }
    }

    /// <summary>Go's diffProxiesTrustedKeys and proxiesReload: the clients of a removed key are closed as no longer
    /// trusted; the changes are logged.</summary>
    private void ReloadProxies(ServerOptions cur, ServerOptions next)
    {
        var oldKeys = cur.Proxies?.Trusted.Select(p => p.Key).ToList() ?? [];
        var newKeys = next.Proxies?.Trusted.Select(p => p.Key).ToList() ?? [];
        var del = oldKeys.Where(k => !newKeys.Contains(k)).ToList();
        var add = newKeys.Where(k => !oldKeys.Contains(k)).ToList();
        if (del.Count == 0 && add.Count == 0) return;
        var clients = new List<ClientConnection>();
        lock (_proxiedLock)
        {
            foreach (var k in del)
            {
                if (_proxiedConns.Remove(k, out var conns)) clients.AddRange(conns.Values);
            }
        }
        ConfigureProxies();
        if (del.Count > 0)
        {
            foreach (var c in clients)
            {
                c.AuthError = ClosedState.ProxyNotTrusted;
                c.AuthViolation();
            }
            Logger.Notice($"Reloaded: proxies trusted keys {GoQuotedList(del)} were removed");
        }
        if (add.Count > 0) Logger.Notice($"Reloaded: proxies trusted keys {GoQuotedList(add)} were added");
    }

    /// <summary>A string slice as Go's %q prints it: ["a" "b"].</summary>
    private static string GoQuotedList(IEnumerable<string> items) => "[" + string.Join(" ", items.Select(i => $"\"{i}\"")) + "]";

    /// <summary>Go's getAuthErrClosedState: the close reason for a client's authentication error.</summary>
    internal static ClosedState AuthErrClosedState(ClosedState? authError) => authError ?? ClosedState.AuthenticationViolation;

    /// <summary>Go's setProxyAuthError: logged at debug, kept as the client's authentication error, refused.</summary>
    private static bool SetProxyAuthError(ClientConnection c, ClosedState err)
    {
        c.Debug(err == ClosedState.ProxyRequired ? ErrAuthProxyRequired : ErrAuthProxyNotTrusted);
        c.AuthError = err;
        return false;
    }
}
