using System.Collections.ObjectModel;
using System.Globalization;
using NatsParity.Console.Live;
using NatsParity.Console.Nodes;
using NatsParity.Console.Parity;
using NatsParity.Console.Suites;
using NatsParity.Testing;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace NatsParity.Console.Ui;

/// <summary>The console's one window: four views (Cluster, Live, Parity, Suites) switched with F1–F4, and a status bar
/// that lists the keys.</summary>
public sealed class MainWindow : Window
{
    public enum Page { Cluster, Live, Parity, Suites }

    private readonly NodeManager _nodes;
    private readonly Poller _poller;
    private readonly SuiteRunner _suites = new();

    private readonly FrameView _clusterView, _liveView, _parityView, _suitesView;
    private readonly ListView _nodeList = new();
    private readonly Label _clusterNote = new();
    private readonly TextView _nodeDetail = new() { ReadOnly = true, WordWrap = false };
    private readonly ListView _liveList = new();
    private readonly ListView _connzList = new();
    private readonly Label _liveTitle = new();
    private readonly Label _parityOverall = new();
    private readonly ListView _subsystemList = new();
    private readonly TextField _search = new();
    private readonly ListView _unportedList = new();
    private readonly TextView _parityDetail = new() { ReadOnly = true };
    private readonly Label _suiteSummary = new();
    private readonly ListView _suiteList = new();

    private ObservableCollection<string> _nodeRows = [];
    private ObservableCollection<string> _liveRows = [];
    private ObservableCollection<string> _connzRows = [];
    private ObservableCollection<string> _subsystemRows = [];
    private ObservableCollection<string> _unportedRows = [];
    private ObservableCollection<string> _suiteRows = [];

    private ParityModel? _parity;
    private IReadOnlyList<UnportedRow> _unported = [];
    private string _status = "";
    private bool _allTests;

    public MainWindow(NodeManager nodes, Poller poller)
    {
        _nodes = nodes;
        _poller = poller;
        Title = "NatsParity console";
        Width = Dim.Fill();
        Height = Dim.Fill();

        _clusterView = Frame("Cluster (F1)");
        _liveView = Frame("Live (F2)");
        _parityView = Frame("Parity (F3)");
        _suitesView = Frame("Suites (F4)");

        // Cluster: the nodes, a note, and the selected node's config and log tail.
        _nodeList.X = 0; _nodeList.Y = 0; _nodeList.Width = Dim.Fill(); _nodeList.Height = 8;
        _nodeList.SetSource(_nodeRows);
        _clusterNote.X = 0; _clusterNote.Y = Pos.Bottom(_nodeList); _clusterNote.Width = Dim.Fill();
        _nodeDetail.X = 0; _nodeDetail.Y = Pos.Bottom(_clusterNote); _nodeDetail.Width = Dim.Fill(); _nodeDetail.Height = Dim.Fill();
        _nodeList.ValueChanged += (_, _) => RefreshNodeDetail();
        _clusterView.Add(_nodeList, _clusterNote, _nodeDetail);

        // Live: one line per node with rates and a sparkline, then the selected node's connections.
        _liveList.X = 0; _liveList.Y = 0; _liveList.Width = Dim.Fill(); _liveList.Height = 9;
        _liveList.SetSource(_liveRows);
        _liveTitle.X = 0; _liveTitle.Y = Pos.Bottom(_liveList); _liveTitle.Width = Dim.Fill();
        _connzList.X = 0; _connzList.Y = Pos.Bottom(_liveTitle); _connzList.Width = Dim.Fill(); _connzList.Height = Dim.Fill();
        _connzList.SetSource(_connzRows);
        _liveView.Add(_liveList, _liveTitle, _connzList);

        // Parity: overall figure, subsystems with bars, search, the unported list and a detail pane.
        _parityOverall.X = 0; _parityOverall.Y = 0; _parityOverall.Width = Dim.Fill();
        _subsystemList.X = 0; _subsystemList.Y = 1; _subsystemList.Width = Dim.Percent(50); _subsystemList.Height = Dim.Fill();
        _subsystemList.SetSource(_subsystemRows);
        var searchLabel = new Label { Text = "Search:", X = Pos.Right(_subsystemList) + 1, Y = 1 };
        _search.X = Pos.Right(searchLabel) + 1; _search.Y = 1; _search.Width = Dim.Fill();
        _unportedList.X = Pos.Right(_subsystemList) + 1; _unportedList.Y = 2; _unportedList.Width = Dim.Fill(); _unportedList.Height = Dim.Percent(60);
        _unportedList.SetSource(_unportedRows);
        _parityDetail.X = Pos.Right(_subsystemList) + 1; _parityDetail.Y = Pos.Bottom(_unportedList); _parityDetail.Width = Dim.Fill(); _parityDetail.Height = Dim.Fill();
        _subsystemList.ValueChanged += (_, _) => RefreshUnported();
        _search.ValueChanged += (_, _) => RefreshUnported();
        _unportedList.ValueChanged += (_, _) => RefreshParityDetail();
        _parityView.Add(_parityOverall, _subsystemList, searchLabel, _search, _unportedList, _parityDetail);

        // Suites: a summary line and the streamed results.
        _suiteSummary.X = 0; _suiteSummary.Y = 0; _suiteSummary.Width = Dim.Fill();
        _suiteSummary.Text = "F5 runs the conformance suite against ours, F6 against the reference.";
        _suiteList.X = 0; _suiteList.Y = 1; _suiteList.Width = Dim.Fill(); _suiteList.Height = Dim.Fill();
        _suiteList.SetSource(_suiteRows);
        _suitesView.Add(_suiteSummary, _suiteList);

        // Quit first so it shows at 80 columns; the action keys are explained in each view too.
        var statusBar = new StatusBar(
        [
            new Shortcut(Key.Q.WithCtrl, "Quit", () => App?.RequestStop()),
            new Shortcut(Key.F1, "Clust", () => Show(Page.Cluster)),
            new Shortcut(Key.F2, "Live", () => Show(Page.Live)),
            new Shortcut(Key.F3, "Parity", () => Show(Page.Parity)),
            new Shortcut(Key.F4, "Suite", () => Show(Page.Suites)),
            new Shortcut(Key.F5, "+ours", () => Do(Key.F5)),
            new Shortcut(Key.F6, "+ref", () => Do(Key.F6)),
            new Shortcut(Key.F7, "stop", () => Do(Key.F7)),
            new Shortcut(Key.F8, "kill", () => Do(Key.F8)),
            new Shortcut(Key.F9, "rst", () => Do(Key.F9)),
        ]);
        Add(_clusterView, _liveView, _parityView, _suitesView, statusBar);
        Show(Page.Cluster);
        LoadParity();
        RefreshNodes();
    }

    private static FrameView Frame(string title) => new()
    {
        Title = title, X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill(1), Visible = false,
    };

    public Page Current { get; private set; }

    /// <summary>The last action's outcome, shown in the cluster note.</summary>
    public string Status => _status;

    public void Show(Page page)
    {
        Current = page;
        _clusterView.Visible = page == Page.Cluster;
        _liveView.Visible = page == Page.Live;
        _parityView.Visible = page == Page.Parity;
        _suitesView.Visible = page == Page.Suites;
        (page switch { Page.Cluster => (View)_nodeList, Page.Live => _liveList, Page.Parity => _subsystemList, _ => _suiteList }).SetFocus();
        SetNeedsDraw();
    }

    private Node? SelectedNode
    {
        get
        {
            var nodes = _nodes.Nodes;
            int i = _nodeList.SelectedItem ?? 0;
            return i >= 0 && i < nodes.Count ? nodes[i] : nodes.FirstOrDefault();
        }
    }

    /// <summary>F5–F9: node actions on the Cluster and Live views, suite runs on the Suites view.</summary>
    public void Do(Key key)
    {
        try
        {
            if (Current == Page.Parity)
            {
                // F7 switches the list between the unported Go tests and all of them (with their ports' outcomes).
                if (key == Key.F7)
                {
                    _allTests = !_allTests;
                    RefreshUnported();
                }
                return;
            }
            if (Current == Page.Suites)
            {
                if (key == Key.F5) RunSuite("ours");
                else if (key == Key.F6) RunSuite("reference");
                else if (key == Key.F7) _suites.Stop();
                return;
            }
            var node = SelectedNode;
            if (key == Key.F5) Report($"started {Add(ServerTarget.Ours).Name}");
            else if (key == Key.F6) Report($"started {Add(ServerTarget.Reference).Name}");
            else if (key == Key.F7 && node is not null)
            {
                if (node.State == NodeState.Running) { node.Stop(); Report($"stopped {node.Name}"); }
                else { node.Restart(); Report($"started {node.Name}"); }
            }
            else if (key == Key.F8 && node is not null) { node.Kill(); Report($"killed {node.Name}"); }
            else if (key == Key.F9 && node is not null) { node.Restart(); Report($"restarted {node.Name}"); }
        }
        catch (Exception e) when (e is InvalidOperationException or ServerStartException or IOException)
        {
            Report(e.Message.Split('\n')[0]);
        }
        RefreshNodes();
    }

    private Node Add(ServerTarget kind) => _nodes.Add(kind);

    private void Report(string text)
    {
        _status = text;
        RefreshNodes();
    }

    // ---- Cluster ----

    public void RefreshNodes()
    {
        var rows = _nodes.Nodes.Select(n =>
            string.Create(CultureInfo.InvariantCulture,
                $"{n.Name,-7} {n.KindLabel,-9} {n.State.ToString().ToLowerInvariant(),-8} pid {n.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-",-7} client {n.ClientPort?.ToString(CultureInfo.InvariantCulture) ?? "-",-6} monitor {n.MonitorPort?.ToString(CultureInfo.InvariantCulture) ?? "-",-6}"))
            .ToList();
        if (rows.Count == 0) rows.Add("no nodes: F5 starts one of ours, F6 one of the Go reference");
        Replace(_nodeList, ref _nodeRows, rows);
        _clusterNote.Text = $"{_nodes.Nodes.Count(n => n.State == NodeState.Running)} running; F5/F6 add ours/reference, F7 stop/start, F8 kill, F9 restart; {NodeManager.ClusterNote}" + (_status.Length > 0 ? $" | {_status}" : "");
        RefreshNodeDetail();
    }

    private void RefreshNodeDetail()
    {
        var n = SelectedNode;
        _nodeDetail.Text = n is null ? "" : $"--- {n.ConfPath} ---\n{n.Config}\n--- log ---\n{LastLines(n.LogTail, 40)}";
    }

    private static string LastLines(string text, int count) => string.Join('\n', text.Split('\n').TakeLast(count));

    // ---- Live ----

    /// <summary>Polls the nodes' monitoring ports and redraws the live view (the app calls this every second).</summary>
    public async Task TickAsync()
    {
        await _poller.PollAsync(_nodes.Nodes).ConfigureAwait(false);
        var sel = SelectedLiveNode;
        var connz = sel is null ? [] : await _poller.ConnzAsync(sel).ConfigureAwait(false);
        App?.Invoke(() =>
        {
            RefreshLive(connz);
            RefreshNodes();
        });
    }

    private Node? SelectedLiveNode
    {
        get
        {
            var nodes = _nodes.Nodes;
            int i = _liveList.SelectedItem ?? 0;
            i -= 1; // the header row
            return i >= 0 && i < nodes.Count ? nodes[i] : nodes.FirstOrDefault();
        }
    }

    public void RefreshLive(IReadOnlyList<string> connz)
    {
        var rows = new List<string>
        {
            $"{"node",-7} {"kind",-9} {"conns",5} {"routes",6} {"subs",6} {"in msg/s",9} {"out msg/s",9} {"in B/s",8} {"out B/s",8} {"slow",4} {"uptime",9} {"mem",8}  msg rate",
        };
        foreach (var n in _nodes.Nodes)
        {
            var s = _poller.StatsFor(n);
            if (n.State != NodeState.Running || s.Last is null)
            {
                rows.Add($"{n.Name,-7} {n.KindLabel,-9} {(n.State == NodeState.Running ? s.Error ?? "waiting for /varz" : n.State.ToString().ToLowerInvariant())}");
                continue;
            }
            var v = s.Last;
            rows.Add(string.Create(CultureInfo.InvariantCulture,
                $"{n.Name,-7} {n.KindLabel,-9} {v.Connections,5} {v.Routes,6} {v.Subscriptions,6} {Units.Count(s.InMsgsRate),9} {Units.Count(s.OutMsgsRate),9} {Units.Bytes(s.InBytesRate),8} {Units.Bytes(s.OutBytesRate),8} {v.SlowConsumers,4} {v.Uptime,9} {Units.Bytes(v.Mem),8}  {Sparkline.Render(s.History, 30)}"));
        }
        Replace(_liveList, ref _liveRows, rows);
        var sel = SelectedLiveNode;
        _liveTitle.Text = sel is null ? "connections: no node" : $"connections of {sel.Name} (totals: in {Units.Count(_poller.StatsFor(sel).Last?.InMsgs ?? 0)} msgs, out {Units.Count(_poller.StatsFor(sel).Last?.OutMsgs ?? 0)} msgs)";
        Replace(_connzList, ref _connzRows, connz);
    }

    // ---- Parity ----

    public void LoadParity()
    {
        _parity = ParityModel.Load(out var error);
        if (_parity is null)
        {
            _parityOverall.Text = error ?? "no parity data";
            Replace(_subsystemList, ref _subsystemRows, []);
            return;
        }
        _parityOverall.Text = $"Parity with nats-server {_parity.Version}: {_parity.OverallText}  (select a subsystem or type to filter; F7: unported only / all tests)";
        var rows = new List<string> { $"{"(all subsystems)",-24} {ParityModel.Bar(_parity.Overall.Percent, 12)} {_parity.Overall.Percent,5:0.0}%" };
        rows.AddRange(_parity.Subsystems.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Name,-24} {ParityModel.Bar(s.Percent, 12)} {s.Percent,5:0.0}% {s.Passing,4}/{s.Total - s.Excluded}")));
        Replace(_subsystemList, ref _subsystemRows, rows);
        RefreshUnported();
    }

    /// <summary>The parity model shown, when parity-db could be read.</summary>
    public ParityModel? ParityData => _parity;

    private void RefreshUnported()
    {
        if (_parity is null) return;
        int i = _subsystemList.SelectedItem ?? 0;
        string? subsystem = i >= 1 && i - 1 < _parity.Subsystems.Count ? _parity.Subsystems[i - 1].Name : null;
        _unported = _parity.Tests(subsystem, _search.Text, _allTests);
        Replace(_unportedList, ref _unportedRows, _unported.Select(u => _allTests
            ? $"{u.State,-9} {u.GoTest}  ({u.GoFile}:{u.Line})"
            : $"{u.GoTest}  ({u.GoFile}:{u.Line})").ToList());
        RefreshParityDetail();
    }

    private void RefreshParityDetail()
    {
        if (_parity is null) return;
        int i = _unportedList.SelectedItem ?? 0;
        _parityDetail.Text = i >= 0 && i < _unported.Count ? string.Join('\n', _parity.Detail(_unported[i].GoTest))
            : $"{_unported.Count} {(_allTests ? "Go tests" : "unported")}";
    }

    // ---- Suites ----

    private void RunSuite(string target)
    {
        if (_suites.Running) return;
        Replace(_suiteList, ref _suiteRows, []);
        _suiteSummary.Text = $"running the conformance suite against {target}…";
        _suites.Start(target,
            line => App?.Invoke(() =>
            {
                _suiteRows.Add(line);
                _suiteSummary.Text = $"{target}: {_suites.Passed} passed, {_suites.Failed} failed, {_suites.Skipped} skipped so far";
            }),
            summary => App?.Invoke(() => _suiteSummary.Text = $"{target}: {summary}"));
    }

    /// <summary>Gives <paramref name="list"/> new rows in one go (adding thousands one by one redraws each time);
    /// the selection stays where it was when it still exists.</summary>
    private static void Replace(ListView list, ref ObservableCollection<string> current, IReadOnlyList<string> rows)
    {
        if (current.SequenceEqual(rows)) return;
        int? sel = list.SelectedItem;
        current = new ObservableCollection<string>(rows);
        list.SetSource(current);
        if (sel is { } i && i < rows.Count) list.SelectedItem = i;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _suites.Stop();
        base.Dispose(disposing);
    }
}
