using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;

namespace NatsParity.Server.Protocol;

/// <summary>Parser states, numbered as Go's parserState (parser.go) so logged state numbers match.</summary>
public enum ParserState
{
    OpStart, OpPlus, OpPlusO, OpPlusOk, OpMinus, OpMinusE, OpMinusEr, OpMinusErr, OpMinusErrSpc, MinusErrArg,
    OpC, OpCo, OpCon, OpConn, OpConne, OpConnec, OpConnect, ConnectArg,
    OpH, OpHp, OpHpu, OpHpub, OpHpubSpc, HpubArg,
    OpHm, OpHms, OpHmsg, OpHmsgSpc, HmsgArg,
    OpP, OpPu, OpPub, OpPubSpc, PubArg,
    OpPi, OpPin, OpPing, OpPo, OpPon, OpPong,
    MsgPayload, MsgEndR, MsgEndN,
    OpS, OpSu, OpSub, OpSubSpc, SubArg,
    OpA, OpAsub, OpAsubSpc, AsubArg, OpAusub, OpAusubSpc, AusubArg,
    OpL, OpLs, OpR, OpRs,
    OpU, OpUn, OpUns, OpUnsu, OpUnsub, OpUnsubSpc, UnsubArg,
    OpM, OpMs, OpMsg, OpMsgSpc, MsgArg,
    OpI, OpIn, OpInf, OpInfo, InfoArg,
}

/// <summary>What the parser calls back into: the connection that owns it.</summary>
/// <remarks>Methods return null when fine, or an error text; the connection is then closed (Go's readLoop
/// closes with ProtocolViolation unless the handler already closed it with a more precise reason).</remarks>
public interface IProtocolHandler
{
    /// <summary>True while authentication is required and no CONNECT has been accepted.</summary>
    bool AwaitingAuth { get; }
    /// <summary>Tries the no_auth_user path for a first operation that is not CONNECT.</summary>
    bool TryNoAuthUser();
    void AuthViolation();
    int MaxControlLine { get; }
    void MaxControlLineViolation();
    bool HeadersEnabled { get; }
    string? ProcessConnect(ReadOnlySpan<byte> arg);
    /// <summary>PUB/HPUB arguments parsed into <see cref="ProtocolParser.Pa"/>: checks payload size and pedantic subject.</summary>
    string? ProcessPubArgs(ProtocolParser parser);
    /// <summary>The same checks again when the arguments are cloned because the payload spans reads; Go's clonePubArg
    /// re-runs processPub, so a pedantic -ERR is sent a second time.</summary>
    string? RecheckPubArgs(ProtocolParser parser);
    /// <summary>A complete message; <paramref name="msg"/> includes the trailing CRLF (headers first for HPUB).</summary>
    void ProcessInboundMsg(ProtocolParser parser, ReadOnlySpan<byte> msg);
    string? ProcessSub(ReadOnlySpan<byte> arg);
    string? ProcessUnsub(ReadOnlySpan<byte> arg);
    void ProcessPing();
    void ProcessPong();
    string? ProcessInfo(ReadOnlySpan<byte> arg);
    /// <summary>Route connections: RMSG/LMSG (<paramref name="op"/> 'R' or 'L') or routed HMSG arguments; the handler
    /// keeps what it needs and returns the payload and header sizes through the parser's <see cref="ProtocolParser.Pa"/>.</summary>
    string? ProcessRoutedMsgArgs(ProtocolParser parser, ReadOnlySpan<byte> arg, byte op, bool hmsg);
    /// <summary>Route connections: RS+ or LS+ (<paramref name="leaf"/>).</summary>
    string? ProcessRemoteSub(ReadOnlySpan<byte> arg, bool leaf);
    /// <summary>Route connections: RS- or LS- (<paramref name="leaf"/>).</summary>
    string? ProcessRemoteUnsub(ReadOnlySpan<byte> arg, bool leaf);
    void ProcessErr(string err);
    void SendErr(string err);
}

/// <summary>Arguments of the PUB/HPUB being parsed, as offsets into <see cref="Source"/>.</summary>
public struct PubArg
{
    public byte[]? Source;
    public int SubjectStart, SubjectLen;
    public int ReplyStart, ReplyLen;
    public int SizeStart, SizeLen;
    public int HdrStart, HdrLen;
    /// <summary>Total payload size (headers included).</summary>
    public int Size;
    /// <summary>Header size, or -1 for PUB.</summary>
    public int Hdr;
}

/// <summary>The client protocol as a byte state machine over spans: a port of Go's client.parse (parser.go).</summary>
public sealed class ProtocolParser
{
    public const int MaxControlLineSize = 4096;
    internal const int ProtoSnippetSize = 32;

    private readonly IProtocolHandler _h;
    public ParserState State;
    private int _as;
    private int _drop;
    public PubArg Pa;
    private byte[]? _scratch;
    private int _argLen = -1; // length of the pending argument saved in _scratch, -1 when none
    private byte[]? _msgBuf;  // rented when a payload spans reads
    private int _msgLen;
    private byte _op;

    /// <summary>Set for route connections: the RS+/RS-/LS+/LS-/RMSG/LMSG/A+/A- operations are accepted and routed
    /// message arguments are the handler's (Go's parser for kind ROUTER).</summary>
    public bool RouteMode;

    public ProtocolParser(IProtocolHandler handler)
    {
        _h = handler;
        Pa.Hdr = -1;
    }

    public ReadOnlySpan<byte> Subject => Pa.Source.AsSpan(Pa.SubjectStart, Pa.SubjectLen);
    public ReadOnlySpan<byte> Reply => Pa.Source.AsSpan(Pa.ReplyStart, Pa.ReplyLen);
    public ReadOnlySpan<byte> SizeBytes => Pa.Source.AsSpan(Pa.SizeStart, Pa.SizeLen);
    public ReadOnlySpan<byte> HeaderSizeBytes => Pa.Source.AsSpan(Pa.HdrStart, Pa.HdrLen);

    /// <summary>The PUB/HPUB arguments as text, for tracing.</summary>
    public string PubArgText()
    {
        var sb = new StringBuilder(Encoding.UTF8.GetString(Subject));
        if (Pa.ReplyLen > 0) sb.Append(' ').Append(Encoding.UTF8.GetString(Reply));
        if (Pa.HdrLen > 0) sb.Append(' ').Append(Encoding.UTF8.GetString(HeaderSizeBytes));
        return sb.Append(' ').Append(Encoding.UTF8.GetString(SizeBytes)).ToString();
    }

    /// <summary>True when an argument or payload is held over between reads.</summary>
    public bool HasPending => _argLen >= 0 || _msgBuf is not null;

    /// <summary>Parses one read. Returns null, or the error that ends the connection.</summary>
    public string? Parse(byte[] buf, int count)
    {
        int i;
        byte b;
        bool authSet = _h.AwaitingAuth;
        int mcl = _h.MaxControlLine;

        for (i = 0; i < count; i++)
        {
            b = buf[i];
            switch (State)
            {
                case ParserState.OpStart:
                    if (b != 'C' && b != 'c' && authSet)
                    {
                        if (!_h.TryNoAuthUser())
                            goto authErr;
                        authSet = false;
                    }
                    _op = b;
                    switch (b)
                    {
                        case (byte)'P' or (byte)'p': State = ParserState.OpP; break;
                        case (byte)'H' or (byte)'h': State = ParserState.OpH; break;
                        case (byte)'S' or (byte)'s': State = ParserState.OpS; break;
                        case (byte)'U' or (byte)'u': State = ParserState.OpU; break;
                        case (byte)'C' or (byte)'c': State = ParserState.OpC; break;
                        case (byte)'I' or (byte)'i': State = ParserState.OpI; break;
                        case (byte)'+': State = ParserState.OpPlus; break;
                        case (byte)'-': State = ParserState.OpMinus; break;
                        case (byte)'R' or (byte)'r' when RouteMode: State = ParserState.OpR; break;
                        case (byte)'L' or (byte)'l' when RouteMode: State = ParserState.OpL; break;
                        case (byte)'A' or (byte)'a' when RouteMode: State = ParserState.OpA; break;
                        default: goto parseErr; // R, L, A and M are route/leaf protocols: not for clients
                    }
                    break;
                case ParserState.OpR:
                case ParserState.OpL:
                    if (b is (byte)'S' or (byte)'s') State = State == ParserState.OpR ? ParserState.OpRs : ParserState.OpLs;
                    else if (b is (byte)'M' or (byte)'m') State = ParserState.OpM;
                    else goto parseErr;
                    break;
                case ParserState.OpRs:
                case ParserState.OpLs:
                    if (b == '+') State = ParserState.OpSub;
                    else if (b == '-') State = ParserState.OpUnsub;
                    else goto parseErr;
                    break;
                case ParserState.OpM:
                    if (b is (byte)'S' or (byte)'s') State = ParserState.OpMs; else goto parseErr;
                    break;
                case ParserState.OpMs:
                    if (b is (byte)'G' or (byte)'g') State = ParserState.OpMsg; else goto parseErr;
                    break;
                case ParserState.OpMsg:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpMsgSpc; else goto parseErr;
                    break;
                case ParserState.OpMsgSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    Pa.Hdr = -1; State = ParserState.MsgArg; _as = i;
                    break;
                case ParserState.OpA:
                    if (b == '+') State = ParserState.OpAsub;
                    else if (b is (byte)'-' or (byte)'u') State = ParserState.OpAusub;
                    else goto parseErr;
                    break;
                case ParserState.OpAsub:
                case ParserState.OpAusub:
                    if (b is (byte)' ' or (byte)'\t') State = State == ParserState.OpAsub ? ParserState.OpAsubSpc : ParserState.OpAusubSpc;
                    else goto parseErr;
                    break;
                case ParserState.OpAsubSpc:
                case ParserState.OpAusubSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    State = State == ParserState.OpAsubSpc ? ParserState.AsubArg : ParserState.AusubArg; _as = i;
                    break;
                case ParserState.AsubArg:
                case ParserState.AusubArg:
                    // Account interest (A+/A-) matters to gateways only: a route's is read and dropped, as Go does.
                    if (b == '\r') { _drop = 1; break; }
                    if (b == '\n')
                    {
                        int len = _argLen >= 0 ? _argLen : i - _drop - _as;
                        _argLen = -1;
                        if (len > mcl) { _h.MaxControlLineViolation(); return ProtocolErrors.MaxControlLineExceeded; }
                        _drop = 0; _as = i + 1; State = ParserState.OpStart;
                        break;
                    }
                    if (_argLen >= 0) AppendArg(b, mcl);
                    break;
                case ParserState.OpH:
                    if (b is (byte)'P' or (byte)'p') State = ParserState.OpHp;
                    else if (b is (byte)'M' or (byte)'m') State = ParserState.OpHm;
                    else goto parseErr;
                    break;
                case ParserState.OpHp:
                    if (b is (byte)'U' or (byte)'u') State = ParserState.OpHpu; else goto parseErr;
                    break;
                case ParserState.OpHpu:
                    if (b is (byte)'B' or (byte)'b') State = ParserState.OpHpub; else goto parseErr;
                    break;
                case ParserState.OpHpub:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpHpubSpc; else goto parseErr;
                    break;
                case ParserState.OpHpubSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    Pa.Hdr = 0;
                    State = ParserState.HpubArg;
                    _as = i;
                    break;
                case ParserState.HpubArg:
                case ParserState.PubArg:
                    if (b == '\r') { _drop = 1; break; }
                    if (b == '\n')
                    {
                        bool hpub = State == ParserState.HpubArg;
                        byte[] src; int start, len;
                        if (_argLen >= 0) { src = _scratch!; start = 0; len = _argLen; _argLen = -1; }
                        else { src = buf; start = _as; len = i - _drop - _as; }
                        if (len > mcl) { _h.MaxControlLineViolation(); return ProtocolErrors.MaxControlLineExceeded; }
                        string? err = hpub ? ParseHeaderPubArgs(src, start, len) : ParsePubArgs(src, start, len);
                        if (err is null) err = _h.ProcessPubArgs(this);
                        if (err is not null) return err;
                        _drop = 0; _as = i + 1; State = ParserState.MsgPayload;
                        // Jump ahead over the payload when it is all in this buffer.
                        if (_msgBuf is null) i = _as + Pa.Size - 2;
                        break;
                    }
                    if (_argLen >= 0) AppendArg(b, mcl);
                    break;
                case ParserState.OpHm:
                    if (b is (byte)'S' or (byte)'s') State = ParserState.OpHms; else goto parseErr;
                    break;
                case ParserState.OpHms:
                    if (b is (byte)'G' or (byte)'g') State = ParserState.OpHmsg; else goto parseErr;
                    break;
                case ParserState.OpHmsg:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpHmsgSpc; else goto parseErr;
                    break;
                case ParserState.OpHmsgSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    Pa.Hdr = 0; State = ParserState.HmsgArg; _as = i;
                    break;
                case ParserState.HmsgArg:
                case ParserState.MsgArg:
                    // Clients may not send MSG/HMSG; Go accepts the line and leaves the payload state with size 0.
                    if (b == '\r') { _drop = 1; break; }
                    if (b == '\n')
                    {
                        ReadOnlySpan<byte> marg = _argLen >= 0 ? _scratch.AsSpan(0, _argLen) : buf.AsSpan(_as, i - _drop - _as);
                        _argLen = -1;
                        if (marg.Length > mcl) { _h.MaxControlLineViolation(); return ProtocolErrors.MaxControlLineExceeded; }
                        if (!RouteMode) goto parseErr;
                        if (_h.ProcessRoutedMsgArgs(this, marg, _op, State == ParserState.HmsgArg) is { } rerr) return rerr;
                        _drop = 0; _as = i + 1; State = ParserState.MsgPayload;
                        if (_msgBuf is null) i = _as + Pa.Size - 2;
                        break;
                    }
                    if (_argLen >= 0) AppendArg(b, mcl);
                    break;
                case ParserState.OpP:
                    if (b is (byte)'U' or (byte)'u') State = ParserState.OpPu;
                    else if (b is (byte)'I' or (byte)'i') State = ParserState.OpPi;
                    else if (b is (byte)'O' or (byte)'o') State = ParserState.OpPo;
                    else goto parseErr;
                    break;
                case ParserState.OpPu:
                    if (b is (byte)'B' or (byte)'b') State = ParserState.OpPub; else goto parseErr;
                    break;
                case ParserState.OpPub:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpPubSpc; else goto parseErr;
                    break;
                case ParserState.OpPubSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    Pa.Hdr = -1; State = ParserState.PubArg; _as = i;
                    break;
                case ParserState.MsgPayload:
                    if (_msgBuf is not null)
                    {
                        int toCopy = Pa.Size - _msgLen;
                        int avail = count - i;
                        if (avail < toCopy) toCopy = avail;
                        if (toCopy > 0)
                        {
                            Buffer.BlockCopy(buf, i, _msgBuf, _msgLen, toCopy);
                            _msgLen += toCopy;
                            i += toCopy - 1;
                        }
                        else
                        {
                            _msgBuf[_msgLen++] = b;
                        }
                        if (_msgLen >= Pa.Size) State = ParserState.MsgEndR;
                    }
                    else if (i - _as + 1 >= Pa.Size)
                    {
                        State = ParserState.MsgEndR;
                    }
                    break;
                case ParserState.MsgEndR:
                    if (b != '\r') goto parseErr;
                    if (_msgBuf is not null) _msgBuf[_msgLen++] = b;
                    State = ParserState.MsgEndN;
                    break;
                case ParserState.MsgEndN:
                    if (b != '\n') goto parseErr;
                    if (_msgBuf is not null)
                    {
                        _msgBuf[_msgLen++] = b;
                        _h.ProcessInboundMsg(this, _msgBuf.AsSpan(0, _msgLen));
                        ArrayPool<byte>.Shared.Return(_msgBuf);
                        _msgBuf = null;
                        _msgLen = 0;
                    }
                    else
                    {
                        _h.ProcessInboundMsg(this, buf.AsSpan(_as, i + 1 - _as));
                    }
                    _argLen = -1;
                    _drop = 0; _as = i + 1; State = ParserState.OpStart;
                    Pa = default;
                    Pa.Hdr = -1;
                    break;
                case ParserState.OpS:
                    if (b is (byte)'U' or (byte)'u') State = ParserState.OpSu; else goto parseErr;
                    break;
                case ParserState.OpSu:
                    if (b is (byte)'B' or (byte)'b') State = ParserState.OpSub; else goto parseErr;
                    break;
                case ParserState.OpSub:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpSubSpc; else goto parseErr;
                    break;
                case ParserState.OpSubSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    State = ParserState.SubArg; _as = i;
                    break;
                case ParserState.SubArg:
                case ParserState.UnsubArg:
                case ParserState.ConnectArg:
                case ParserState.InfoArg:
                case ParserState.MinusErrArg:
                    if (b == '\r') { _drop = 1; break; }
                    if (b == '\n')
                    {
                        ReadOnlySpan<byte> arg;
                        if (_argLen >= 0) { arg = _scratch.AsSpan(0, _argLen); _argLen = -1; }
                        else arg = buf.AsSpan(_as, i - _drop - _as);
                        if (arg.Length > mcl) { _h.MaxControlLineViolation(); return ProtocolErrors.MaxControlLineExceeded; }
                        var st = State;
                        string? err = st switch
                        {
                            ParserState.SubArg when RouteMode => _op is (byte)'R' or (byte)'r' ? _h.ProcessRemoteSub(arg, false)
                                : _op is (byte)'L' or (byte)'l' ? _h.ProcessRemoteSub(arg, true) : null,
                            ParserState.UnsubArg when RouteMode => _op is (byte)'R' or (byte)'r' ? _h.ProcessRemoteUnsub(arg, false)
                                : _op is (byte)'L' or (byte)'l' ? _h.ProcessRemoteUnsub(arg, true) : null,
                            ParserState.SubArg => _h.ProcessSub(arg),
                            ParserState.UnsubArg => _h.ProcessUnsub(arg),
                            ParserState.ConnectArg => _h.ProcessConnect(arg),
                            ParserState.InfoArg => _h.ProcessInfo(arg),
                            _ => ProcessErrArg(arg),
                        };
                        if (err is not null) return err;
                        // Go leaves the arg start in place after CONNECT (parser.go CONNECT_ARG).
                        if (st != ParserState.ConnectArg) _as = i + 1;
                        _drop = 0; State = ParserState.OpStart;
                        if (st == ParserState.ConnectArg) authSet = _h.AwaitingAuth;
                        break;
                    }
                    if (_argLen >= 0) AppendArg(b, mcl);
                    break;
                case ParserState.OpU:
                    if (b is (byte)'N' or (byte)'n') State = ParserState.OpUn; else goto parseErr;
                    break;
                case ParserState.OpUn:
                    if (b is (byte)'S' or (byte)'s') State = ParserState.OpUns; else goto parseErr;
                    break;
                case ParserState.OpUns:
                    if (b is (byte)'U' or (byte)'u') State = ParserState.OpUnsu; else goto parseErr;
                    break;
                case ParserState.OpUnsu:
                    if (b is (byte)'B' or (byte)'b') State = ParserState.OpUnsub; else goto parseErr;
                    break;
                case ParserState.OpUnsub:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpUnsubSpc; else goto parseErr;
                    break;
                case ParserState.OpUnsubSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    State = ParserState.UnsubArg; _as = i;
                    break;
                case ParserState.OpPi:
                    if (b is (byte)'N' or (byte)'n') State = ParserState.OpPin; else goto parseErr;
                    break;
                case ParserState.OpPin:
                    if (b is (byte)'G' or (byte)'g') State = ParserState.OpPing; else goto parseErr;
                    break;
                case ParserState.OpPing:
                    if (b == '\n')
                    {
                        _h.ProcessPing();
                        _drop = 0; State = ParserState.OpStart;
                    }
                    break;
                case ParserState.OpPo:
                    if (b is (byte)'N' or (byte)'n') State = ParserState.OpPon; else goto parseErr;
                    break;
                case ParserState.OpPon:
                    if (b is (byte)'G' or (byte)'g') State = ParserState.OpPong; else goto parseErr;
                    break;
                case ParserState.OpPong:
                    if (b == '\n')
                    {
                        _h.ProcessPong();
                        _drop = 0; State = ParserState.OpStart;
                    }
                    break;
                case ParserState.OpC:
                    if (b is (byte)'O' or (byte)'o') State = ParserState.OpCo; else goto parseErr;
                    break;
                case ParserState.OpCo:
                    if (b is (byte)'N' or (byte)'n') State = ParserState.OpCon; else goto parseErr;
                    break;
                case ParserState.OpCon:
                    if (b is (byte)'N' or (byte)'n') State = ParserState.OpConn; else goto parseErr;
                    break;
                case ParserState.OpConn:
                    if (b is (byte)'E' or (byte)'e') State = ParserState.OpConne; else goto parseErr;
                    break;
                case ParserState.OpConne:
                    if (b is (byte)'C' or (byte)'c') State = ParserState.OpConnec; else goto parseErr;
                    break;
                case ParserState.OpConnec:
                    if (b is (byte)'T' or (byte)'t') State = ParserState.OpConnect; else goto parseErr;
                    break;
                case ParserState.OpConnect:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    State = ParserState.ConnectArg; _as = i;
                    break;
                case ParserState.OpI:
                    if (b is (byte)'N' or (byte)'n') State = ParserState.OpIn; else goto parseErr;
                    break;
                case ParserState.OpIn:
                    if (b is (byte)'F' or (byte)'f') State = ParserState.OpInf; else goto parseErr;
                    break;
                case ParserState.OpInf:
                    if (b is (byte)'O' or (byte)'o') State = ParserState.OpInfo; else goto parseErr;
                    break;
                case ParserState.OpInfo:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    State = ParserState.InfoArg; _as = i;
                    break;
                case ParserState.OpPlus:
                    if (b is (byte)'O' or (byte)'o') State = ParserState.OpPlusO; else goto parseErr;
                    break;
                case ParserState.OpPlusO:
                    if (b is (byte)'K' or (byte)'k') State = ParserState.OpPlusOk; else goto parseErr;
                    break;
                case ParserState.OpPlusOk:
                    if (b == '\n') { _drop = 0; State = ParserState.OpStart; }
                    break;
                case ParserState.OpMinus:
                    if (b is (byte)'E' or (byte)'e') State = ParserState.OpMinusE; else goto parseErr;
                    break;
                case ParserState.OpMinusE:
                    if (b is (byte)'R' or (byte)'r') State = ParserState.OpMinusEr; else goto parseErr;
                    break;
                case ParserState.OpMinusEr:
                    if (b is (byte)'R' or (byte)'r') State = ParserState.OpMinusErr; else goto parseErr;
                    break;
                case ParserState.OpMinusErr:
                    if (b is (byte)' ' or (byte)'\t') State = ParserState.OpMinusErrSpc; else goto parseErr;
                    break;
                case ParserState.OpMinusErrSpc:
                    if (b is (byte)' ' or (byte)'\t') continue;
                    State = ParserState.MinusErrArg; _as = i;
                    break;
                default:
                    goto parseErr;
            }
        }

        // Hold over a partial control line.
        if (State is ParserState.SubArg or ParserState.UnsubArg or ParserState.PubArg or ParserState.HpubArg
            or ParserState.MsgArg or ParserState.HmsgArg or ParserState.MinusErrArg or ParserState.ConnectArg
            or ParserState.InfoArg or ParserState.AsubArg or ParserState.AusubArg)
        {
            if (_argLen < 0)
            {
                int len = Math.Max(0, i - _drop - _as);
                if (len > mcl) { _h.MaxControlLineViolation(); return ProtocolErrors.MaxControlLineExceeded; }
                EnsureScratch(len);
                Buffer.BlockCopy(buf, _as, _scratch!, 0, len);
                _argLen = len;
            }
            else if (_argLen > mcl)
            {
                _h.MaxControlLineViolation();
                return ProtocolErrors.MaxControlLineExceeded;
            }
        }

        // Hold over a partial payload: copy the pub args out of the read buffer, then the payload so far.
        if (State is ParserState.MsgPayload or ParserState.MsgEndR or ParserState.MsgEndN && _msgBuf is null)
        {
            if (!RouteMode && !ReferenceEquals(Pa.Source, _scratch))
            {
                ClonePubArg();
                if (_h.RecheckPubArgs(this) is { } recheckErr) return recheckErr;
            }
            int lrem = count - _as;
            if (lrem > Pa.Size + 2) goto parseErr;
            _msgBuf = ArrayPool<byte>.Shared.Rent(Pa.Size + 2);
            Buffer.BlockCopy(buf, _as, _msgBuf, 0, lrem);
            _msgLen = lrem;
        }
        return null;

    authErr:
        _h.AuthViolation();
        return ProtocolErrors.AuthenticationError;

    parseErr:
        _h.SendErr(ProtocolErrors.UnknownProtocolOperation);
        return $"{(RouteMode ? "Router" : "Client")} parser ERROR, state={(int)State}, i={i}: proto='{Snippet(buf, i, count)}...'";
    }

    private string? ProcessErrArg(ReadOnlySpan<byte> arg)
    {
        _h.ProcessErr(Encoding.UTF8.GetString(arg));
        return "client sent -ERR";
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AppendArg(byte b, int mcl)
    {
        EnsureScratch(_argLen + 1);
        _scratch![_argLen++] = b;
    }

    private void EnsureScratch(int len)
    {
        if (_scratch is null || _scratch.Length < len)
        {
            var n = new byte[Math.Max(Math.Max(len, 256), (_scratch?.Length ?? 0) * 2)];
            if (_scratch is not null && _argLen > 0) Buffer.BlockCopy(_scratch, 0, n, 0, _argLen);
            if (_scratch is not null && ReferenceEquals(Pa.Source, _scratch)) Pa.Source = n;
            _scratch = n;
        }
    }

    /// <summary>Moves the current pub args into scratch so they survive the read buffer being reused.</summary>
    private void ClonePubArg()
    {
        var src = Pa.Source!;
        int start = Math.Min(Pa.SubjectStart, Pa.SizeStart);
        int end = Pa.SizeStart + Pa.SizeLen;
        int len = end - start;
        EnsureScratch(len);
        Buffer.BlockCopy(src, start, _scratch!, 0, len);
        Pa.Source = _scratch;
        Pa.SubjectStart -= start;
        if (Pa.ReplyLen > 0) Pa.ReplyStart -= start;
        Pa.SizeStart -= start;
        if (Pa.HdrLen > 0) Pa.HdrStart -= start;
    }

    /// <summary>Where the current argument starts in the read buffer (Go's c.as) and how many CR bytes to drop (c.drop).</summary>
    internal int ArgStart => _as;
    internal int Drop => _drop;
    internal bool HasMsgBuf => _msgBuf is not null;

    /// <summary>A control-line argument held over between reads (Go's c.argBuf), or null.</summary>
    internal string? ArgBufText => _argLen >= 0 ? Encoding.ASCII.GetString(_scratch!, 0, _argLen) : null;

    /// <summary>The payload collected so far when it spans reads (Go's c.msgBuf), or null.</summary>
    internal string? MsgBufText => _msgBuf is null ? null : Encoding.ASCII.GetString(_msgBuf, 0, _msgLen);

    /// <summary>Go's processPub on an argument string (tests).</summary>
    internal string? ProcessPubArg(string arg)
    {
        var b = Encoding.ASCII.GetBytes(arg);
        return ParsePubArgs(b, 0, b.Length) ?? _h.ProcessPubArgs(this);
    }

    /// <summary>Go's processHeaderPub on an argument string (tests).</summary>
    internal string? ProcessHeaderPubArg(string arg)
    {
        var b = Encoding.ASCII.GetBytes(arg);
        return ParseHeaderPubArgs(b, 0, b.Length) ?? _h.ProcessPubArgs(this);
    }

    private string? ParsePubArgs(byte[] src, int start, int len)
    {
        Span<int> s = stackalloc int[3];
        Span<int> l = stackalloc int[3];
        int n = SplitArgs(src.AsSpan(start, len), s, l);
        Pa.Source = src;
        Pa.Hdr = -1;
        Pa.HdrLen = 0;
        switch (n)
        {
            case 2:
                SetSubject(start, s[0], l[0]);
                Pa.ReplyStart = 0; Pa.ReplyLen = 0;
                SetSize(start, s[1], l[1]);
                break;
            case 3:
                SetSubject(start, s[0], l[0]);
                Pa.ReplyStart = start + s[1]; Pa.ReplyLen = l[1];
                SetSize(start, s[2], l[2]);
                break;
            default:
                return $"processPub Parse Error: {Quote(src.AsSpan(start, len))}";
        }
        if (Pa.Size < 0) return $"processPub Bad or Missing Size: {Quote(src.AsSpan(start, len))}";
        return null;
    }

    private string? ParseHeaderPubArgs(byte[] src, int start, int len)
    {
        if (!_h.HeadersEnabled) return ProtocolErrors.MsgHeadersNotSupported;
        Span<int> s = stackalloc int[4];
        Span<int> l = stackalloc int[4];
        int n = SplitArgs(src.AsSpan(start, len), s, l);
        Pa.Source = src;
        switch (n)
        {
            case 3:
                SetSubject(start, s[0], l[0]);
                Pa.ReplyStart = 0; Pa.ReplyLen = 0;
                Pa.HdrStart = start + s[1]; Pa.HdrLen = l[1];
                SetSize(start, s[2], l[2]);
                break;
            case 4:
                SetSubject(start, s[0], l[0]);
                Pa.ReplyStart = start + s[1]; Pa.ReplyLen = l[1];
                Pa.HdrStart = start + s[2]; Pa.HdrLen = l[2];
                SetSize(start, s[3], l[3]);
                break;
            default:
                return $"processHeaderPub Parse Error: {Quote(src.AsSpan(start, len))}";
        }
        Pa.Hdr = ParseSize(src.AsSpan(Pa.HdrStart, Pa.HdrLen));
        if (Pa.Hdr < 0) return $"processHeaderPub Bad or Missing Header Size: {Quote(src.AsSpan(start, len))}";
        if (Pa.Size < 0) return $"processHeaderPub Bad or Missing Total Size: {Quote(src.AsSpan(start, len))}";
        if (Pa.Hdr > Pa.Size) return $"processHeaderPub Header Size larger then TotalSize: {Quote(src.AsSpan(start, len))}";
        return null;
    }

    private void SetSubject(int start, int s, int l) { Pa.SubjectStart = start + s; Pa.SubjectLen = l; }

    private void SetSize(int start, int s, int l)
    {
        Pa.SizeStart = start + s; Pa.SizeLen = l;
        Pa.Size = ParseSize(Pa.Source.AsSpan(Pa.SizeStart, l));
    }

    /// <summary>Splits on spaces and tabs into at most <paramref name="starts"/>.Length args; returns the count, or more than capacity to signal too many.</summary>
    public static int SplitArgs(ReadOnlySpan<byte> arg, Span<int> starts, Span<int> lens)
    {
        int n = 0, start = -1;
        for (int i = 0; i < arg.Length; i++)
        {
            byte b = arg[i];
            if (b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                if (start >= 0)
                {
                    if (n < starts.Length) { starts[n] = start; lens[n] = i - start; }
                    n++;
                    start = -1;
                }
            }
            else if (start < 0)
            {
                start = i;
            }
        }
        if (start >= 0)
        {
            if (n < starts.Length) { starts[n] = start; lens[n] = arg.Length - start; }
            n++;
        }
        return n;
    }

    /// <summary>Go's parseSize: ASCII digits only, at most 9 of them; -1 otherwise.</summary>
    public static int ParseSize(ReadOnlySpan<byte> d)
    {
        const int maxParseSizeLen = 9;
        if (d.Length == 0 || d.Length > maxParseSizeLen) return -1;
        int n = 0;
        foreach (byte dec in d)
        {
            if (dec < '0' || dec > '9') return -1;
            n = n * 10 + (dec - '0');
        }
        return n;
    }

    /// <summary>Go's %q of a byte slice, for error texts.</summary>
    public static string Quote(ReadOnlySpan<byte> s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (byte b in s)
        {
            switch (b)
            {
                case (byte)'"': sb.Append("\\\""); break;
                case (byte)'\\': sb.Append("\\\\"); break;
                case (byte)'\n': sb.Append("\\n"); break;
                case (byte)'\r': sb.Append("\\r"); break;
                case (byte)'\t': sb.Append("\\t"); break;
                default:
                    if (b < 0x20 || b >= 0x7f) sb.Append("\\x").Append(b.ToString("x2"));
                    else sb.Append((char)b);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    private static string Snippet(byte[] buf, int start, int count) => ProtoSnippet(start, ProtoSnippetSize, buf.AsSpan(0, count));

    /// <summary>Go's protoSnippet, including its quirk of leaving out the last byte when the window runs past the end.</summary>
    internal static string ProtoSnippet(int start, int max, ReadOnlySpan<byte> buf)
    {
        if (start >= buf.Length) return "\"\"";
        int stop = start + max;
        if (stop > buf.Length) stop = buf.Length - 1;
        return Quote(buf[start..Math.Max(start, stop)]);
    }


    /// <summary>Returns a rented payload buffer when the connection closes mid-message.</summary>
    public void Release()
    {
        if (_msgBuf is not null) { ArrayPool<byte>.Shared.Return(_msgBuf); _msgBuf = null; }
    }
}
