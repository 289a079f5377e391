using System.Text;
using NatsParity.Console.Live;
using NatsParity.Console.Nodes;
using NatsParity.Console.Ui;
using Shouldly;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Xunit;

namespace NatsParity.Console.Tests;

/// <summary>The app driven headlessly on Terminal.Gui's ANSI driver at 80×24: keys go in, the screen buffer is read.</summary>
[Collection("ui")]
public sealed class UiTests
{
    private static string Screen(IApplication app)
    {
        var contents = app.Driver!.Contents!;
        var sb = new StringBuilder();
        for (int r = 0; r < contents.GetLength(0); r++)
        {
            for (int c = 0; c < contents.GetLength(1); c++) sb.Append(contents[r, c].Grapheme);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    [Fact]
    public void KeysSwitchViewsAndNodesShowUpLive()
    {
        var pids = new PidRegistry(Path.Combine(Path.GetTempPath(), $"natsparity-console-{Guid.NewGuid():N}", "launched.pids"));
        using var nodes = new NodeManager(pids);
        using var poller = new Poller();
        using IApplication app = Application.Create().Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(80, 24);
        using var window = new MainWindow(nodes, poller);
        var token = app.Begin(window);
        try
        {
            app.LayoutAndDraw(true);
            string screen = Screen(app);
            screen.ShouldContain("Cluster (F1)");
            screen.ShouldContain("no nodes");
            screen.ShouldContain("Quit");

            // F5 on the cluster view starts a node of ours.
            app.Keyboard.RaiseKeyDownEvent(Key.F5);
            app.LayoutAndDraw(true);
            nodes.Nodes.Count.ShouldBe(1);
            Screen(app).ShouldContain("node-1  ours      running");

            // F2: the live view polls the node's monitoring port.
            app.Keyboard.RaiseKeyDownEvent(Key.F2);
            window.Current.ShouldBe(MainWindow.Page.Live);
            // Terminal.Gui installs its own synchronization context on this thread, and its main loop is not running
            // here: the polling runs on the thread pool and is waited for.
            var connz = Task.Run(async () =>
            {
                await poller.PollAsync(nodes.Nodes);
                return await poller.ConnzAsync(nodes.Nodes[0]);
            }).GetAwaiter().GetResult();
            window.RefreshLive(connz);
            app.LayoutAndDraw(true);
            screen = Screen(app);
            screen.ShouldContain("Live (F2)");
            screen.ShouldContain("in msg/s");
            screen.ShouldContain("node-1");

            // F3 and F4 show the parity and suites views.
            app.Keyboard.RaiseKeyDownEvent(Key.F3);
            app.LayoutAndDraw(true);
            Screen(app).ShouldContain("Parity (F3)");
            app.Keyboard.RaiseKeyDownEvent(Key.F4);
            app.LayoutAndDraw(true);
            Screen(app).ShouldContain("F5 runs the conformance suite");

            // Back on the cluster view F7 stops the selected node.
            app.Keyboard.RaiseKeyDownEvent(Key.F1);
            app.Keyboard.RaiseKeyDownEvent(Key.F7);
            nodes.Nodes[0].State.ShouldBe(NodeState.Stopped);
        }
        finally
        {
            app.End(token!);
        }
        pids.Read().ShouldBeEmpty();
    }
}
