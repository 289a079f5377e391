using System.Text;
using NatsParity.Server.Accounts;
using NatsParity.Server.Protocol;

namespace NatsParity.Server.Clients;

/// <summary>Internal clients (Go's createInternalClient): no socket, no echo, no limits; the server publishes its events
/// and responses through them as if they came from a client of their account.</summary>
public sealed partial class ClientConnection
{
    /// <summary>An internal client bound to <paramref name="acc"/>; it is not counted among the account's connections.
    /// <paramref name="system"/> marks the system account's own client (Go's SYSTEM kind, traced only with
    /// trace_verbose); the others are Go's ACCOUNT clients.</summary>
    internal ClientConnection(NatsServer server, Account acc, ulong cid, bool system)
    {
        _internalKind = system ? "SYSTEM" : "ACCOUNT";
        _systemClient = system;
        _server = server;
        Cid = cid;
        _parser = new ProtocolParser(this);
        _rand = (uint)Random.Shared.Next(1, int.MaxValue);
        _acc = acc;
        _mpay = _msubs = Account.NoLimit;
        _opts = new ConnectOptions { Echo = false, Verbose = false, Pedantic = false, Headers = true };
        Headers = true;
        _connectReceived = true;
        IsInternal = true;
        RemoteHost = "";
    }

    /// <summary>True for the server's own clients (system and account internal clients).</summary>
    public bool IsInternal { get; }

    /// <summary>The system account's own internal client (Go's SYSTEM kind).</summary>
    internal bool IsSystemClient => _systemClient;

    /// <summary>Go's ncs for an internal client: "SYSTEM" or "ACCOUNT"; null for connections.</summary>
    private readonly string? _internalKind;
    private readonly bool _systemClient;

    /// <summary>Go's getRawAuthUser: the nkey, user name, JWT user's public key, or a redacted token the client
    /// authenticated with.</summary>
    internal string RawAuthUser =>
        !string.IsNullOrEmpty(_opts.Nkey) ? _opts.Nkey! :
        !string.IsNullOrEmpty(_opts.Username) ? _opts.Username! :
        !string.IsNullOrEmpty(_opts.Jwt) ? PublicKey :
        !string.IsNullOrEmpty(_opts.Token) ? "[REDACTED]" : "";

    /// <summary>Go's getAuthUser: how logs name the user the client authenticated as.</summary>
    internal string AuthUser =>
        !string.IsNullOrEmpty(_opts.Nkey) ? $"Nkey {GoQuote(_opts.Nkey!)}" :
        !string.IsNullOrEmpty(_opts.Username) ? $"User {GoQuote(_opts.Username!)}" :
        !string.IsNullOrEmpty(_opts.Jwt) ? $"JWT User {GoQuote(PublicKey)}" :
        !string.IsNullOrEmpty(_opts.Token) ? "Token \"[REDACTED]\"" : "User \"N/A\"";

    /// <summary>Go's getAuthUserLabel: the user's label in the connection string.</summary>
    internal string AuthUserLabel =>
        !string.IsNullOrEmpty(_opts.Nkey) ? $"nkey:{_opts.Nkey}" :
        !string.IsNullOrEmpty(_opts.Username) ? $"user:{_opts.Username}" :
        !string.IsNullOrEmpty(_opts.Jwt) ? $"jwt:{PublicKey}" :
        !string.IsNullOrEmpty(_opts.Token) ? "token" : "";

    /// <summary>Go's issuerForClient: for a user authenticated by nkey or JWT, the signing key that issued it, else
    /// its account.</summary>
    internal string IssuerKey => PublicKey.Length == 0 ? "" : SigningKey.Length > 0 ? SigningKey : Account.Name;

    /// <summary>The user JWT's name (Go's c.nameTag).</summary>
    internal string JwtName { get; set; } = "";

    /// <summary>The user JWT's tags (Go's c.tags).</summary>
    internal IReadOnlyList<string> JwtTags { get; set; } = [];

    /// <summary>The client's messages and bytes in and out, read for events.</summary>
    internal (long InMsgs, long InBytes, long OutMsgs, long OutBytes) Stats =>
        (Interlocked.Read(ref InMsgs), Interlocked.Read(ref InBytes), Interlocked.Read(ref OutMsgs), Interlocked.Read(ref OutBytes));

    /// <summary>Publishes as this internal client (Go's internalSendLoop handing a message to processInboundClientMsg):
    /// account mappings apply, then delivery, service imports included. <paramref name="hdr"/> is an optional header
    /// block; <paramref name="payload"/> the body without CRLF. Called from one thread only.</summary>
    internal void PublishInternal(string subject, string reply, byte[]? hdr, ReadOnlySpan<byte> payload)
    {
        int hlen = hdr?.Length ?? 0;
        var msg = new byte[hlen + payload.Length + 2];
        hdr?.CopyTo(msg, 0);
        payload.CopyTo(msg.AsSpan(hlen));
        msg[^2] = (byte)'\r';
        msg[^1] = (byte)'\n';
        InMsgs++;
        InBytes += msg.Length - 2;
        if (Tracing)
        {
            TraceIn("PUB", $"{subject} {reply} {msg.Length - 2}");
            TraceMsg(msg, false, hlen > 0 ? hlen : -1);
        }
        if (_acc.HasMappings)
        {
            var (mapped, changed) = _acc.SelectMappedSubject(subject);
            if (changed) subject = mapped;
        }
        var subj = Encoding.UTF8.GetBytes(subject);
        var rep = Encoding.UTF8.GetBytes(reply);
        var r = _acc.Sublist.Match(subj);
        ProcessMsgResults(_acc, r, subj, rep, hlen > 0 ? hlen : -1, msg, fromService: false);
        FlushClients();
        if (_batchOutMsgs != 0)
        {
            _server.AddOutbound(_batchOutMsgs, _batchOutBytes);
            _batchOutMsgs = _batchOutBytes = 0;
        }
    }

    /// <summary>Go's systemSubscribe trace: "SUB subject queue sid" (no queue: two spaces).</summary>
    internal void TraceInternalSub(string subject, string sid)
    {
        if (Tracing) TraceIn("SUB", $"{subject}  {sid}");
    }
}
