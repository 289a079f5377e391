using System.Runtime.InteropServices;
using NatsParity.Server;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;

return await ServerHost.RunAsync(args);

/// <summary>The natsparity-server executable: nats-server's flags, signals and exit codes (Go's main.go).</summary>
internal static class ServerHost
{
    private const int SIGHUP = 1, SIGINT = 2, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;

    public static async Task<int> RunAsync(string[] args)
    {
        var cl = CommandLine.Parse(args);
        switch (cl.Action)
        {
            case CommandLineAction.Help:
                if (cl.Error.Length > 0) Console.Error.WriteLine(cl.Error);
                Console.Out.Write(CommandLine.Usage);
                return 0;
            case CommandLineAction.Version:
                Console.Out.WriteLine($"natsparity-server: v{NatsServer.Version}");
                return 0;
            case CommandLineAction.HelpTls:
                Console.Out.WriteLine("TLS options are configured with --tls, --tlscert, --tlskey, --tlsverify and --tlscacert.");
                return 0;
            case CommandLineAction.Signal:
                return SendSignal(cl.Signal);
            case CommandLineAction.Exit:
                Console.Error.WriteLine($"natsparity-server: {cl.Error}");
                return 1;
        }

        var opts = cl.Options;
        if (opts.ConfigFile.Length > 0)
        {
            var fromFile = new ServerOptions();
            try
            {
                fromFile.ProcessConfigFile(opts.ConfigFile);
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine($"natsparity-server: {e.Message}");
                return 1;
            }
            catch (ConfigProcessException e)
            {
                // Go's ConfigureOptions: errors (or anything under -t) end the run; warnings alone are printed and
                // the server starts.
                if (opts.CheckConfig || e.Errors.Count > 0)
                {
                    Console.Error.WriteLine($"natsparity-server: {e.Message}");
                    return 1;
                }
                Console.Error.Write(e.Message);
            }
            // Flags given on the command line override the file, as Go's MergeOptions does.
            CommandLine.Parse(args, fromFile);
            opts = fromFile;
        }
        if (opts.CheckConfig)
        {
            Console.Error.WriteLine($"natsparity-server: configuration file {opts.ConfigFile} is valid ({opts.ConfigDigest})");
            return 0;
        }

        var logger = new ServerLogger(opts.Debug, opts.Trace, opts.Logtime, opts.LogtimeUTC, opts.LogFile);
        NatsServer server;
        try
        {
            // The options are validated (and completed, as Go's NewServer does) by the server.
            server = new NatsServer(opts, logger);
        }
        catch (ArgumentException e)
        {
            // Go's main: "<exe>: <error>" and exit 1.
            string msg = e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
            Console.Error.WriteLine($"natsparity-server: {msg}");
            logger.Dispose();
            return 1;
        }
        if (opts.ConfigFile.Length > 0)
        {
            // Reload reads the file again with the command line's flags on top, as Go's MergeOptions(FlagSnapshot).
            string confFile = opts.ConfigFile;
            server.ReloadSource = () =>
            {
                var next = ServerOptions.FromConfigFile(confFile);
                CommandLine.Parse(args, next);
                return next;
            };
        }
        // Signals are trapped before the server listens (Go's handleSignals runs first in Start), so a SIGHUP sent
        // as soon as clients can connect reloads instead of killing the process.
        var regs = new List<PosixSignalRegistration>();
        if (NatsServer.HasPosixSignals)
        {
            regs.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; Trapped(server, logger, "interrupt"); }));
            regs.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; Trapped(server, logger, "terminated"); }));
            regs.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                server.Logger.Debug("Trapped \"hangup\" signal");
                try
                {
                    if (server.Reload() is { } err) server.Logger.Error($"Failed to reload server configuration: {err}");
                }
                catch (Exception e)
                {
                    // A reload must never take the server down.
                    server.Logger.Error($"Failed to reload server configuration: {e}");
                }
            }));
            regs.Add(PosixSignalRegistration.Create((PosixSignal)SIGUSR1, ctx => { ctx.Cancel = true; server.ReOpenLogFile(); }));
            regs.Add(PosixSignalRegistration.Create((PosixSignal)SIGUSR2, ctx => { ctx.Cancel = true; _ = server.LameDuckShutdownAsync(); }));
        }
        try
        {
            server.Start();
        }
        catch (System.Net.Sockets.SocketException e)
        {
            logger.Fatal($"Error listening on port: {opts.Host}:{opts.Port}, \"{e.Message}\"");
            return 1;
        }
        catch (InvalidOperationException)
        {
            // Start already logged Go's fatal message (monitoring port, client_advertise).
            return 1;
        }

        await server.ShutdownCompleted;
        foreach (var r in regs) r.Dispose();
        logger.Dispose();
        return 0;
    }

    private static void Trapped(NatsServer server, ServerLogger logger, string name)
    {
        logger.Notice($"Trapped \"{name}\" signal");
        _ = server.ShutdownAsync();
    }

    /// <summary>--signal cmd[=pid|pidfile]: sends the matching POSIX signal, as nats-server does.</summary>
    private static int SendSignal(string spec)
    {
        string cmd = spec, target = "";
        int eq = spec.IndexOf('=');
        if (eq >= 0) { cmd = spec[..eq]; target = spec[(eq + 1)..]; }
        int sig = cmd switch
        {
            "stop" => SIGKILL, "quit" => SIGINT, "term" => SIGTERM, "reopen" => SIGUSR1,
            "reload" => SIGHUP, "ldm" => SIGUSR2, _ => 0,
        };
        if (sig == 0)
        {
            Console.Error.WriteLine($"natsparity-server: unknown signal \"{cmd}\"");
            return 1;
        }
        var pids = new List<int>();
        if (target.Length == 0)
        {
            foreach (var p in System.Diagnostics.Process.GetProcessesByName("natsparity-server"))
                if (p.Id != Environment.ProcessId) pids.Add(p.Id);
            if (pids.Count == 0) { Console.Error.WriteLine("natsparity-server: no natsparity-server processes running"); return 1; }
            if (pids.Count > 1)
            {
                Console.Error.WriteLine($"natsparity-server: multiple natsparity-server processes running:\n{string.Join('\n', pids)}");
                return 1;
            }
        }
        else if (int.TryParse(target, out int pid))
        {
            pids.Add(pid);
        }
        else
        {
            try { pids.Add(int.Parse(File.ReadAllText(target).Trim())); }
            catch (Exception e) when (e is IOException or FormatException)
            {
                Console.Error.WriteLine($"natsparity-server: invalid pid file \"{target}\": {e.Message}");
                return 1;
            }
        }
        foreach (int pid in pids)
        {
            if (Kill(pid, sig) != 0)
            {
                Console.Error.WriteLine($"natsparity-server: failed to signal pid {pid}");
                return 1;
            }
        }
        return 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int sig);
}
