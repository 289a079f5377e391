using System.Runtime.InteropServices;
using NatsParity.Server;
using NatsParity.Server.Config;
using NatsParity.Server.Logging;

return await ServerHost.RunAsync(args);

/// <summary>The natsparity-server executable: nats-server's flags, signals and exit codes (Go's main.go).</summary>
internal static class ServerHost
{
    private const int SIGHUP = 1, SIGINT = 2, SIGUSR1 = 10, SIGUSR2 = 12, SIGTERM = 15;

    public static async Task<int> RunAsync(string[] args)
    {
        // A process started in the background by a non-interactive shell inherits SIGINT ignored, and .NET then leaves
        // it ignored; Go's signal.Notify traps it regardless. The disposition is reset before .NET sets up any signal
        // handling of its own, so its handler is the one installed when SIGINT is trapped below.
        if (NatsServer.HasPosixSignals) UnignoreSigint();
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

        ServerLogger logger;
        NatsServer server;
        try
        {
            // Go's ConfigureLogger: the log file, remote or local syslog, or stderr.
            logger = opts.NoLog ? ServerLogger.Discard() : ServerLogger.Configure(opts);
            // The options are validated (and completed, as Go's NewServer does) by the server.
            server = new NatsServer(opts, logger);
        }
        catch (ArgumentException e)
        {
            // Go's main: "<exe>: <error>" and exit 1.
            string msg = e.ParamName is { } p ? e.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : e.Message;
            Console.Error.WriteLine($"natsparity-server: {msg}");
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
            // .NET names the portable signals by its own values; USR1 and USR2 are passed as raw numbers.
            foreach (var (trap, sig) in new (PosixSignal, int)[] {(PosixSignal.SIGINT, SIGINT), (PosixSignal.SIGTERM, SIGTERM),
                         (PosixSignal.SIGHUP, SIGHUP), ((PosixSignal)SIGUSR1, SIGUSR1), ((PosixSignal)SIGUSR2, SIGUSR2) })
                regs.Add(PosixSignalRegistration.Create(trap, ctx => { ctx.Cancel = true; server.HandleSignal(sig); }));
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

    /// <summary>--signal cmd[=pid|pidfile]: Go's processSignal; errors are printed as Go's main prints them.</summary>
    private static int SendSignal(string spec)
    {
        string[] parts = spec.Split('=');
        string pid = "";
        if (parts.Length == 2)
        {
            // Go's maybeReadPidFile: a readable file's content, else the text itself.
            try { pid = File.ReadAllText(parts[1]); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { pid = parts[1]; }
        }
        else if (parts.Length > 2)
        {
            Console.Error.WriteLine($"natsparity-server: invalid signal parameters: [{string.Join(' ', parts[2..])}]");
            return 1;
        }
        var signaler = new ProcessSignaler { ProcessName = "natsparity-server" };
        if (signaler.ProcessSignal(parts[0], pid) is { } err)
        {
            Console.Error.WriteLine($"natsparity-server: {err}");
            return 1;
        }
        return 0;
    }

    /// <summary>Sets SIGINT back to its default action when it is ignored, so the trap registered next receives it.
    /// Any other disposition (the runtime's own handler) is left alone.</summary>
    private static unsafe void UnignoreSigint()
    {
        // struct sigaction begins with the handler on Linux and macOS; the buffer is larger than the struct.
        byte* buf = stackalloc byte[512];
        if (SigAction(SIGINT, IntPtr.Zero, (IntPtr)buf) == 0 && *(IntPtr*)buf == SigIgn) Signal(SIGINT, IntPtr.Zero);
    }

    private static readonly IntPtr SigIgn = 1;

    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern int SigAction(int sig, IntPtr act, IntPtr oldact);

    /// <summary>libc's signal(2); a null handler is SIG_DFL.</summary>
    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr Signal(int sig, IntPtr handler);
}
