using NatsParity.Console.Live;
using NatsParity.Console.Nodes;
using NatsParity.Console.Ui;
using Terminal.Gui.App;

namespace NatsParity.Console;

/// <summary>Command line: <c>natsparity-console [--launch N] [--kind ours|reference|mixed]</c>.</summary>
public static class ConsoleApp
{
    public sealed record Options(int Launch, LaunchKind Kind);

    public const string Usage = "usage: natsparity-console [--launch N] [--kind ours|reference|mixed]";

    /// <summary>Parses the arguments; null with an error text for bad ones.</summary>
    public static Options? Parse(string[] args, out string? error)
    {
        error = null;
        int launch = 0;
        var kind = LaunchKind.Ours;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--launch" or "-n" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], out launch) || launch < 1 || launch > NodeManager.MaxNodes)
                    {
                        error = $"--launch takes a number of nodes from 1 to {NodeManager.MaxNodes}";
                        return null;
                    }
                    break;
                case "--kind" or "-k" when i + 1 < args.Length:
                    switch (args[++i])
                    {
                        case "ours": kind = LaunchKind.Ours; break;
                        case "reference" or "ref": kind = LaunchKind.Reference; break;
                        case "mixed": kind = LaunchKind.Mixed; break;
                        default:
                            error = "--kind is one of ours, reference, mixed";
                            return null;
                    }
                    break;
                case "-h" or "--help":
                    error = Usage;
                    return null;
                default:
                    error = $"unknown argument '{args[i]}'\n{Usage}";
                    return null;
            }
        }
        return new Options(launch, kind);
    }

    public static int Main(string[] args)
    {
        var opts = Parse(args, out var error);
        if (opts is null)
        {
            System.Console.Error.WriteLine(error);
            return error == Usage ? 0 : 2;
        }
        var pids = new PidRegistry(PidRegistry.DefaultPath());
        var reaped = pids.Reap();
        if (reaped.Count > 0) System.Console.Error.WriteLine($"reaped {reaped.Count} server(s) left by an earlier console: {string.Join(", ", reaped)}");

        using var nodes = new NodeManager(pids);
        using var poller = new Poller();
        // Whatever happens to the UI, the nodes go with the console.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => nodes.StopAll();
        System.Console.CancelKeyPress += (_, _) => nodes.StopAll();
        try
        {
            if (opts.Launch > 0) nodes.Launch(opts.Launch, opts.Kind);
            using IApplication app = Application.Create().Init(Environment.GetEnvironmentVariable("NATSPARITY_CONSOLE_DRIVER"));
            using var window = new MainWindow(nodes, poller);
            bool polling = false;
            app.AddTimeout(TimeSpan.FromSeconds(1), () =>
            {
                if (!polling)
                {
                    polling = true;
                    _ = window.TickAsync().ContinueWith(_ => polling = false, TaskScheduler.Default);
                }
                return true;
            });
            app.Run(window);
        }
        finally
        {
            nodes.StopAll();
        }
        return 0;
    }
}
