namespace NatsParity.Testing;

/// <summary>Environment variables set for the length of a test and removed after it (Go's t.Setenv):
/// <c>using var _ = new EnvVars(("NAME", "value"), ...)</c>.</summary>
public sealed class EnvVars : IDisposable
{
    private readonly string[] _names;

    public EnvVars(params (string Name, string Value)[] vars)
    {
        _names = vars.Select(v => v.Name).ToArray();
        foreach (var (name, value) in vars) Environment.SetEnvironmentVariable(name, value);
    }

    public void Dispose()
    {
        foreach (var name in _names) Environment.SetEnvironmentVariable(name, null);
    }
}
