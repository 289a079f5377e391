using System.Text.RegularExpressions;

namespace NatsParity.Testing;

/// <summary>The line patterns of Go's test/test.go (infoRe, pingRe, pongRe, okRe, errRe), for <see cref="ProtoClient.ExpectLine"/>.</summary>
public static class ProtoRegex
{
    public static readonly Regex Info = new(@"^INFO\s+([^\r\n]+)\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex Ping = new(@"^PING\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex Pong = new(@"^PONG\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex Ok = new(@"^\+OK\r\n", RegexOptions.CultureInvariant);
    public static readonly Regex Err = new(@"^-ERR\s+([^\r\n]+)\r\n", RegexOptions.CultureInvariant);
}
