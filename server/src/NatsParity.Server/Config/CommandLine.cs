using System.Globalization;

namespace NatsParity.Server.Config;

/// <summary>What the command line asked for besides running the server.</summary>
public enum CommandLineAction { Run, Help, Version, HelpTls, Signal, Exit }

public sealed class CommandLineResult
{
    public required ServerOptions Options { get; init; }
    public CommandLineAction Action { get; init; }
    public string Signal { get; init; } = "";
    public string Error { get; init; } = "";
}

/// <summary>nats-server's flags with Go's flag-package semantics (opts.go ConfigureOptions).</summary>
public static class CommandLine
{
    public const string Usage = """

Usage: natsparity-server [options]

Server Options:
    -a, --addr, --net <host>         Bind to host address (default: 0.0.0.0)
    -p, --port <port>                Use port for clients (default: 4222)
    -n, --name
        --server_name <server_name>  Server name (default: auto)
    -P, --pid <file>                 File to store PID
    -m, --http_port <port>           Use port for http monitoring
    -ms,--https_port <port>          Use port for https monitoring
    -c, --config <file>              Configuration file
    -t                               Test configuration and exit
    -sl,--signal <signal>[=<pid>]    Send signal to natsparity-server process (ldm, stop, quit, term, reopen, reload)
                                     <pid> can be either a PID (e.g. 1) or the path to a PID file (e.g. /var/run/natsparity-server.pid)
        --client_advertise <string>  Client URL to advertise to other servers
        --ports_file_dir <dir>       Creates a ports file in the specified directory (<executable_name>_<pid>.ports).

Logging Options:
    -l, --log <file>                 File to redirect log output
    -T, --logtime                    Timestamp log entries (default: true)
    -s, --syslog                     Log to syslog or windows event log
    -r, --remote_syslog <addr>       Syslog server addr (udp://localhost:514)
    -D, --debug                      Enable debugging output
    -V, --trace                      Trace the raw protocol
    -VV                              Verbose trace (traces system account as well)
    -DV                              Debug and trace
    -DVV                             Debug and verbose trace (traces system account as well)
        --log_size_limit <limit>     Logfile size limit (default: auto)
        --max_traced_msg_len <len>   Maximum printable length for traced messages (default: unlimited)

JetStream Options:
    -js, --jetstream                 Enable JetStream functionality
    -sd, --store_dir <dir>           Set the storage directory

Authorization Options:
        --user <user>                User required for connections
        --pass <password>            Password required for connections
        --auth <token>               Authorization token required for connections

TLS Options:
        --tls                        Enable TLS, do not verify clients (default: false)
        --tlscert <file>             Server certificate file
        --tlskey <file>              Private key for server certificate
        --tlsverify                  Enable TLS, verify client certificates
        --tlscacert <file>           Client certificate CA for verification

Cluster Options:
        --routes <rurl-1, rurl-2>    Routes to solicit and connect
        --cluster <cluster-url>      Cluster URL for solicited routes
        --cluster_name <string>      Cluster Name, if not set one will be dynamically generated
        --no_advertise <bool>        Do not advertise known cluster information to clients
        --cluster_advertise <string> Cluster URL to advertise to other servers
        --connect_retries <number>   For implicit routes, number of connect retries
        --cluster_listen <url>       Cluster url from which members can solicit routes

Profiling Options:
        --profile <port>             Profiling HTTP port

Common Options:
    -h, --help                       Show this message
    -v, --version                    Show version
        --help_tls                   TLS help

""";

    private enum Kind { Bool, Int, Int64, String }

    private sealed record Flag(Kind Kind, Action<ServerOptions, string> Set);

    private static Flag B(Action<ServerOptions, bool> set) => new(Kind.Bool, (o, v) => set(o, ParseBool(v)));
    private static Flag I(Action<ServerOptions, int> set) => new(Kind.Int, (o, v) => set(o, int.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)));
    private static Flag L(Action<ServerOptions, long> set) => new(Kind.Int64, (o, v) => set(o, long.Parse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)));
    private static Flag S(Action<ServerOptions, string> set) => new(Kind.String, set);

    private static readonly Dictionary<string, Flag> Flags = BuildFlags();

    private static Dictionary<string, Flag> BuildFlags()
    {
        var f = new Dictionary<string, Flag>(StringComparer.Ordinal);
        void Add(Flag flag, params string[] names) { foreach (var n in names) f[n] = flag; }
        Add(I((o, v) => o.Port = v), "port", "p");
        Add(S((o, v) => o.ServerName = v), "n", "name", "server_name");
        Add(S((o, v) => o.Host = v), "addr", "a", "net");
        Add(S((o, v) => o.ClientAdvertise = v), "client_advertise");
        Add(B((o, v) => o.Debug = v), "D", "debug");
        Add(B((o, v) => o.Trace = v), "V", "trace");
        Add(B((o, v) => { o.Trace = v; o.TraceVerbose = v; }), "VV");
        Add(B((o, v) => { o.Debug = v; o.Trace = v; }), "DV");
        Add(B((o, v) => { o.Debug = v; o.Trace = v; o.TraceVerbose = v; }), "DVV");
        Add(B((o, v) => o.Logtime = v), "T", "logtime");
        Add(B((o, v) => o.LogtimeUTC = v), "logtime_utc");
        Add(S((o, v) => o.Username = v), "user");
        Add(S((o, v) => o.Password = v), "pass");
        Add(S((o, v) => o.Authorization = v), "auth");
        Add(I((o, v) => o.HttpPort = v), "m", "http_port");
        Add(I((o, v) => o.HttpsPort = v), "ms", "https_port");
        Add(S((o, v) => o.ConfigFile = v), "c", "config");
        Add(B((o, v) => o.CheckConfig = v), "t");
        Add(S((o, v) => o.PidFile = v), "P", "pid");
        Add(S((o, v) => o.PortsFileDir = v), "ports_file_dir");
        Add(S((o, v) => o.LogFile = v), "l", "log");
        Add(L((o, v) => o.LogSizeLimit = v), "log_size_limit");
        Add(B((o, v) => o.Syslog = v), "s", "syslog");
        Add(S((o, v) => o.RemoteSyslog = v), "r", "remote_syslog");
        Add(I((o, v) => o.ProfPort = v), "profile");
        Add(S((o, v) => o.RoutesStr = v), "routes");
        Add(S((o, v) => o.Cluster.ListenStr = v), "cluster", "cluster_listen");
        Add(S((o, v) => o.Cluster.Advertise = v), "cluster_advertise");
        Add(B((o, v) => o.Cluster.NoAdvertise = v), "no_advertise");
        Add(I((o, v) => o.Cluster.ConnectRetries = v), "connect_retries");
        Add(S((o, v) => o.Cluster.Name = v), "cluster_name");
        Add(B((o, v) => o.Tls = v), "tls");
        Add(B((o, v) => o.TlsVerify = v), "tlsverify");
        Add(S((o, v) => o.TlsCert = v), "tlscert");
        Add(S((o, v) => o.TlsKey = v), "tlskey");
        Add(S((o, v) => o.TlsCaCert = v), "tlscacert");
        Add(I((o, v) => o.MaxTracedMsgLen = v), "max_traced_msg_len");
        Add(B((o, v) => o.JetStream = v), "js", "jetstream");
        Add(S((o, v) => o.StoreDir = v), "sd", "store_dir");
        return f;
    }

    /// <summary>Parses flags into <paramref name="into"/> (a fresh options object by default): parsing again onto options
    /// read from a conf file makes the command line override the file, as Go's MergeOptions does.</summary>
    public static CommandLineResult Parse(string[] args, ServerOptions? into = null)
    {
        var o = into ?? new ServerOptions();
        bool help = false, version = false, helpTls = false;
        string signal = "";
        var visited = new HashSet<string>(StringComparer.Ordinal);
        int i;
        for (i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a == "--") { i++; break; }
            if (a.Length < 2 || a[0] != '-') break; // Go stops at the first non-flag argument
            string name = a.StartsWith("--", StringComparison.Ordinal) ? a[2..] : a[1..];
            if (name.Length == 0 || name[0] == '-' || name[0] == '=')
                return Fail(o, $"bad flag syntax: {a}");
            string? value = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { value = name[(eq + 1)..]; name = name[..eq]; }

            switch (name)
            {
                case "h" or "help": help = value is null || ParseBool(value); continue;
                case "v" or "version": version = value is null || ParseBool(value); continue;
                case "help_tls": helpTls = value is null || ParseBool(value); continue;
                case "sl" or "signal":
                    if (value is null)
                    {
                        if (i + 1 >= args.Length) return Fail(o, $"flag needs an argument: -{name}");
                        value = args[++i];
                    }
                    signal = value;
                    continue;
            }

            if (!Flags.TryGetValue(name, out var flag))
                return Fail(o, $"flag provided but not defined: -{name}");
            if (flag.Kind == Kind.Bool)
            {
                value ??= "true";
            }
            else if (value is null)
            {
                if (i + 1 >= args.Length) return Fail(o, $"flag needs an argument: -{name}");
                value = args[++i];
            }
            try
            {
                flag.Set(o, value);
                visited.Add(name);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                string what = e is OverflowException ? "value out of range" : "parse error";
                return Fail(o, $"invalid {(flag.Kind == Kind.Bool ? "boolean " : "")}value \"{value}\" for flag -{name}: {what}");
            }
        }

        if (ApplyClusterFlags(o, visited) is { } clusterErr)
            return new() { Options = o, Action = CommandLineAction.Exit, Error = clusterErr };

        if (help) return new() { Options = o, Action = CommandLineAction.Help };
        if (version) return new() { Options = o, Action = CommandLineAction.Version };
        if (helpTls) return new() { Options = o, Action = CommandLineAction.HelpTls };

        // Go's ProcessCommandLineArgs: "version" and "help" may follow the flags as commands.
        if (i < args.Length)
        {
            switch (args[i].ToLowerInvariant())
            {
                case "version": return new() { Options = o, Action = CommandLineAction.Version };
                case "help": return new() { Options = o, Action = CommandLineAction.Help };
                default: return new() { Options = o, Action = CommandLineAction.Exit, Error = $"unrecognized command: \"{args[i]}\"" };
            }
        }
        if (signal.Length > 0) return new() { Options = o, Action = CommandLineAction.Signal, Signal = signal };
        return new() { Options = o, Action = CommandLineAction.Run };
    }

    /// <summary>Go's ConfigureOptions after the flags: --cluster overrides the cluster listen address (and its
    /// credentials), --routes the routes, and routes without a cluster port are an error.</summary>
    private static string? ApplyClusterFlags(ServerOptions o, HashSet<string> visited)
    {
        if (visited.Contains("cluster") || visited.Contains("cluster_listen"))
        {
            if (OverrideCluster(o.Cluster) is { } err) return err;
        }
        if (visited.Contains("routes"))
            o.Routes = o.RoutesStr.Length == 0 ? [] : RoutesFromStr(o.RoutesStr);
        if (o.RoutesStr.Length > 0 && o.Cluster.ListenStr.Length == 0 && o.Cluster.Host.Length == 0 && o.Cluster.Port == 0)
            return "solicited routes require cluster capabilities, e.g. --cluster";
        return null;
    }

    /// <summary>Go's overrideCluster: host, port (":-1" for a random one) and credentials from the listen URL.</summary>
    public static string? OverrideCluster(ClusterOptions c)
    {
        if (c.ListenStr.Length == 0)
        {
            c.Port = 0;
            return null;
        }
        string listen = c.ListenStr;
        bool random = listen.EndsWith(":-1", StringComparison.Ordinal);
        if (random) listen = listen[..^3] + ":0";
        if (!Uri.TryCreate(listen, UriKind.Absolute, out var u) || u.Authority.Length == 0)
            return $"parse \"{c.ListenStr}\": invalid URI for request";
        c.Host = u.Host.Trim('[', ']');
        c.Port = random ? -1 : u.Port;
        if (u.UserInfo.Length > 0)
        {
            int colon = u.UserInfo.IndexOf(':');
            if (colon < 0) return "expected cluster password to be set";
            c.Username = Uri.UnescapeDataString(u.UserInfo[..colon]);
            c.Password = Uri.UnescapeDataString(u.UserInfo[(colon + 1)..]);
        }
        else
        {
            c.Username = "";
            c.Password = "";
        }
        return null;
    }

    /// <summary>Go's RoutesFromStr: comma-separated route URLs (ones that do not parse are left out).</summary>
    public static List<Uri> RoutesFromStr(string routes)
    {
        var list = new List<Uri>();
        foreach (var r in routes.Split(','))
            if (Uri.TryCreate(r.Trim(), UriKind.Absolute, out var u)) list.Add(u);
        return list;
    }

    private static CommandLineResult Fail(ServerOptions o, string error) =>
        new() { Options = o, Action = CommandLineAction.Help, Error = error };

    private static bool ParseBool(string v) => v switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new FormatException(),
    };
}
