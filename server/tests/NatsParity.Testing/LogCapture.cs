namespace NatsParity.Testing;

/// <summary>A log a server writes from its threads while the test reads it: every write and read under one lock.</summary>
public sealed class LogCapture : StringWriter
{
    private readonly Lock _lock = new();
    public override void Write(char value) { lock (_lock) base.Write(value); }
    public override void Write(string? value) { lock (_lock) base.Write(value); }
    public override void Write(char[] buffer, int index, int count) { lock (_lock) base.Write(buffer, index, count); }
    public override void WriteLine(string? value) { lock (_lock) base.WriteLine(value); }
    public override string ToString() { lock (_lock) return base.ToString(); }
}
