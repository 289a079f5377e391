using Gherkin.Ast;
using NatsParity.Testing;
using Shouldly;

namespace NatsParity.Conformance.Scenarios;

/// <summary>Steps for a server given a conf file it should refuse: its exit status and its error output.</summary>
public sealed partial class ScenarioWorld
{
    private string? _confDir;
    private (int ExitCode, string Stdout, string Stderr)? _run;

    private string ConfDir => _confDir ??= Directory.CreateTempSubdirectory("natsparity-conf-").FullName;

    /// <summary>Writes a file beside the others of this scenario; the server runs in that directory, so conf files name
    /// each other (include) and are named on the command line by their relative paths.</summary>
    [Step(@"a file ""([^""]+)"" with:")]
    public void AFileWith(string name, DocString content)
    {
        var path = Path.Combine(ConfDir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.Content + "\n");
    }

    [Step(@"the server is run with ""(.*)""")]
    public void TheServerIsRunWith(string args) =>
        _run = NatsServerProcess.RunToExit(Target, ConfDir, TimeSpan.FromSeconds(20),
            args.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private (int ExitCode, string Stdout, string Stderr) Run => _run ?? throw new InvalidOperationException("the server was not run");

    [Step(@"it exits with status (\d+)")]
    public void ItExitsWithStatus(int status) => Run.ExitCode.ShouldBe(status, $"stderr: {Run.Stderr}");

    /// <summary>The error output, line by line, with the executable's name written as nats-server's.</summary>
    [Step(@"its error output is:")]
    public void ItsErrorOutputIs(DocString expected)
    {
        static string Normalize(string s) => string.Join('\n', s.Replace("\r", "").Split('\n').Select(l => l.TrimEnd())).Trim('\n');
        var actual = Normalize(Run.Stderr.Replace("natsparity-server:", "nats-server:"));
        actual.ShouldBe(Normalize(expected.Content));
    }

    private void DisposeConfDir()
    {
        if (_confDir is null) return;
        try { Directory.Delete(_confDir, recursive: true); }
        catch (IOException) { }
    }
}
