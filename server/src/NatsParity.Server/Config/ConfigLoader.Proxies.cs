using NatsParity.Server.Auth;

namespace NatsParity.Server.Config;

/// <summary>proxies { trusted: [ {key: ..} ] } with Go's checks and messages (opts.go parseProxies, parseProxiesTrusted).</summary>
public static partial class ConfigLoader
{
    private static ProxiesConfig ParseProxies(object? v)
    {
        if (v is not Dictionary<string, object?> m) throw new ConfigException($"expected proxies to be a map/struct, got {GoTypeName(v)}");
        var proxies = new ProxiesConfig();
        foreach (var (k, val) in m)
        {
            try
            {
                switch (k.ToLowerInvariant())
                {
                    case "trusted": proxies.Trusted = ParseProxiesTrusted(val); break;
                    default:
                        if (ConfigParser.IsUsedVariable(m, k)) break;
                        throw new ConfigException($"unknown field \"{k}\"");
                }
            }
            catch (ConfigException e)
            {
                throw e.At(ConfigParser.PositionOf(m, k));
            }
        }
        return proxies;
    }

    private static List<ProxyConfig> ParseProxiesTrusted(object? v)
    {
        if (v is not List<object?> list) throw new ConfigException($"expected proxies' trusted field to be an array, got {GoTypeName(v)}");
        var trusted = new List<ProxyConfig>();
        for (int i = 0; i < list.Count; i++)
        {
            if (list[i] is not Dictionary<string, object?> tm)
                throw new ConfigException($"expected proxies' trusted entry to be a map/struct, got {GoTypeName(list[i])}").At(ConfigParser.PositionOf(list, i));
            var proxy = new ProxyConfig();
            foreach (var (k, val) in tm)
            {
                try
                {
                    switch (k.ToLowerInvariant())
                    {
                        case "key" or "public_key":
                            proxy.Key = Str(val);
                            if (!NKeys.IsValidPublicKey(proxy.Key)) throw new ConfigException($"invalid proxy key \"{proxy.Key}\"");
                            break;
                        default:
                            if (ConfigParser.IsUsedVariable(tm, k)) break;
                            throw new ConfigException($"unknown field \"{k}\"");
                    }
                }
                catch (ConfigException e)
                {
                    throw e.At(ConfigParser.PositionOf(tm, k));
                }
            }
            trusted.Add(proxy);
        }
        return trusted;
    }
}
