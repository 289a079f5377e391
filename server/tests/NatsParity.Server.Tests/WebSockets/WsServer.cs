using NatsParity.Testing;

namespace NatsParity.Server.Tests.WebSockets;

/// <summary>A target server with a websocket listener on its own free loopback port (Go's testWSOptions), over TLS
/// with a generated certificate unless <c>noTls</c>.</summary>
internal sealed class WsServer : IDisposable
{
    private readonly TestPki? _pki;

    public NatsServerProcess Server { get; }
    public int WsPort { get; }
    public bool Tls => _pki is not null;
    public string Host => "127.0.0.1";

    /// <param name="wsBlock">More lines inside websocket {}.</param>
    /// <param name="extra">More top-level conf.</param>
    public WsServer(ServerTarget target, string wsBlock = "", string extra = "", bool noTls = false, ServerConfig? config = null)
    {
        WsPort = NatsServerProcess.FreePort();
        string tls = "no_tls: true\n";
        if (!noTls)
        {
            _pki = new TestPki();
            static string Q(string path) => "\"" + path.Replace("\\", "\\\\") + "\"";
            tls = $"tls {{\n  cert_file: {Q(_pki.ServerCertFile)}\n  key_file: {Q(_pki.ServerKeyFile)}\n}}\n";
        }
        string conf = $"websocket {{\n  listen: \"127.0.0.1:{WsPort}\"\n{tls}{wsBlock}\n}}\n{extra}";
        var c = (config ?? new ServerConfig()) with { NoSystemAccount = true };
        Server = NatsServerProcess.Start(target, c with { Extra = (c.Extra ?? "") + "\n" + conf });
    }

    public WsTestClientOptions Options(bool compress = false, bool web = false) => new() { Compress = compress, Web = web, Tls = Tls };

    /// <summary>Go's testWSCreateClientGetInfo: upgraded, INFO read.</summary>
    public WsTestClient Connect(WsTestClientOptions? o = null) => WsTestClient.Connect(Host, WsPort, o ?? Options());

    /// <summary>Go's testWSCreateClient: upgraded and past CONNECT and the first PING/PONG.</summary>
    /// <remarks>The INFO after the first PONG came with Go 2.10; the 2.9.10 reference does not send it.</remarks>
    public WsTestClient Login(bool compress = false, bool web = false) =>
        WsTestClient.Login(Host, WsPort, Options(compress, web), connectInfo: Server.Target == ServerTarget.Ours);

    public void Dispose()
    {
        Server.Dispose();
        _pki?.Dispose();
    }
}
