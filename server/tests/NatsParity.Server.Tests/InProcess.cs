using NATS.Client.Core;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;

namespace NatsParity.Server.Tests;

/// <summary>An in-process server on a free loopback port, as Go's tests' RunServer, plus the client options they use.</summary>
internal static class InProcess
{
    public static NatsServer Run(ServerOptions o, ServerLogger? logger = null)
    {
        o.Host = "127.0.0.1";
        if (o.Port == ServerOptions.DefaultPort) o.Port = ServerOptions.RandomPort;
        if (o.LogFile.Length == 0) o.NoLog = true;
        var s = new NatsServer(o, logger);
        if (o.ConfigFile.Length > 0)
        {
            // The loopback host is like a -a flag: it stays over the file on reload, as flags do in Go.
            string conf = o.ConfigFile;
            s.ReloadSource = () =>
            {
                var next = ServerOptions.FromConfigFile(conf);
                next.Host = "127.0.0.1";
                return next;
            };
        }
        s.Start();
        return s;
    }

    /// <summary>Go's createConfFile: the content in a fresh conf file under the temp folder; its path.</summary>
    public static string WriteConf(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"natsparity-{Guid.NewGuid():N}.conf");
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Go's RunServerWithConfig: a server from a fresh conf file with <paramref name="content"/>.</summary>
    public static NatsServer RunConf(string content) => RunConf(content, out _);

    public static NatsServer RunConf(string content, out string path)
    {
        path = WriteConf(content);
        return Run(ServerOptions.FromConfigFile(path));
    }

    public static string Url(NatsServer s) => $"nats://127.0.0.1:{s.Port}";

    /// <summary>NATS.Client.Core options like nats.Connect's: one attempt, no reconnects, patient on a loaded runner.</summary>
    public static NatsOpts ClientOpts(NatsServer s, string? url = null) => new()
    {
        Url = url ?? Url(s), ConnectTimeout = TimeSpan.FromSeconds(10), MaxReconnectRetry = 0, RetryOnInitialConnect = false,
    };

    /// <summary>Go's checkFor: polls until the condition holds or the time is up.</summary>
    public static async Task<bool> WaitFor(Func<bool> condition, TimeSpan timeout, int pollMs = 5)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline) return false;
            await Task.Delay(pollMs);
        }
        return true;
    }
}
