using System.Net.Security;
using System.Security.Authentication;

namespace NatsParity.Server.Auth;

/// <summary>The names monitoring gives a TLS connection's protocol version and cipher suite, as Go's tlsVersion and
/// tls.CipherSuiteName.</summary>
internal static class TlsNames
{
    /// <summary>Go's tlsVersion: the TLS version by its wire number.</summary>
    public static string Version(ushort wire) => wire switch
    {
        0x0301 => "1.0",
        0x0302 => "1.1",
        0x0303 => "1.2",
        0x0304 => "1.3",
        _ => $"Unknown [0x{wire:x}]",
    };

    /// <summary>The wire number of a negotiated protocol.</summary>
    public static ushort Wire(SslProtocols p) => p switch
    {
#pragma warning disable SYSLIB0039 // old versions only named here
        SslProtocols.Tls => 0x0301,
        SslProtocols.Tls11 => 0x0302,
#pragma warning restore SYSLIB0039
        SslProtocols.Tls12 => 0x0303,
        SslProtocols.Tls13 => 0x0304,
        _ => 0,
    };

    /// <summary>Go's tls.CipherSuiteName: the IANA name, or the number in hex when unknown.</summary>
    public static string CipherSuite(ushort id) =>
        Enum.IsDefined((TlsCipherSuite)id) ? ((TlsCipherSuite)id).ToString() : $"0x{id:X4}";
}
