namespace NatsParity.Server.Config;

/// <summary>Go's WriteTimeoutPolicy (write_timeout): what a write that misses its write_deadline does to the
/// connection. Clients close by default.</summary>
public enum WriteTimeoutPolicy : byte
{
    Default = 0,
    Close = 1,
    Retry = 2,
}

public static class WriteTimeoutPolicyText
{
    /// <summary>Go's WriteTimeoutPolicy.String(): "close", "retry", or empty for the default.</summary>
    public static string Text(this WriteTimeoutPolicy p) => p switch
    {
        WriteTimeoutPolicy.Close => "close",
        WriteTimeoutPolicy.Retry => "retry",
        _ => "",
    };
}
