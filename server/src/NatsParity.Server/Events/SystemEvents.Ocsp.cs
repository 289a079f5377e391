using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using NatsParity.Server.Auth;
using NatsParity.Server.Monitoring;

namespace NatsParity.Server.Events;

/// <summary>Go's OCSP peer advisories: a connection refused for its chain's OCSP status, and each chain link found
/// OCSP invalid.</summary>
internal sealed partial class SystemEvents
{
    public const string OcspPeerRejectEventSubj = "$SYS.SERVER.{0}.OCSP.PEER.CONN.REJECT";
    public const string OcspPeerChainlinkInvalidEventSubj = "$SYS.SERVER.{0}.OCSP.PEER.LINK.INVALID";
    public const string OcspPeerRejectEventMsgType = "io.nats.server.advisory.v1.ocsp_peer_reject";
    public const string OcspPeerChainlinkInvalidEventMsgType = "io.nats.server.advisory.v1.ocsp_peer_link_invalid";

    /// <summary>Go's sendOCSPPeerRejectEvent.</summary>
    public void SendOcspPeerReject(string kind, X509Certificate2 peer, string reason)
    {
        string eid = NextEventId();
        var now = DateTime.UtcNow;
        SendInternalMsg(string.Format(OcspPeerRejectEventSubj, _s.ServerId), "", true, st => Json(w =>
        {
            w.WriteStartObject();
            w.Str("type", OcspPeerRejectEventMsgType);
            w.Str("id", eid);
            w.Str("timestamp", GoJson.Time(now));
            w.Str("kind", kind);
            WriteCertInfo(w, "peer", peer);
            WriteServerInfo(w, st);
            w.Str("reason", reason);
            w.WriteEndObject();
        }));
    }

    /// <summary>Go's sendOCSPPeerChainlinkInvalidEvent.</summary>
    public void SendOcspPeerChainlinkInvalid(X509Certificate2 peer, X509Certificate2 link, string reason)
    {
        string eid = NextEventId();
        var now = DateTime.UtcNow;
        SendInternalMsg(string.Format(OcspPeerChainlinkInvalidEventSubj, _s.ServerId), "", true, st => Json(w =>
        {
            w.WriteStartObject();
            w.Str("type", OcspPeerChainlinkInvalidEventMsgType);
            w.Str("id", eid);
            w.Str("timestamp", GoJson.Time(now));
            WriteCertInfo(w, "link", link);
            WriteCertInfo(w, "peer", peer);
            WriteServerInfo(w, st);
            w.Str("reason", reason);
            w.WriteEndObject();
        }));
    }

    /// <summary>Go's certidp.CertInfo.</summary>
    private static void WriteCertInfo(Utf8JsonWriter w, string name, X509Certificate2 cert)
    {
        w.WriteStartObject(name);
        w.Str("subject", GoDistinguishedName.Format(cert.SubjectName, rdnSequenceOnly: true), omitEmpty: true);
        w.Str("issuer", GoDistinguishedName.Format(cert.IssuerName, rdnSequenceOnly: true), omitEmpty: true);
        w.Str("fingerprint", Convert.ToBase64String(SHA256.HashData(cert.RawData)));
        w.WriteBase64String("raw", cert.RawData);
        w.WriteEndObject();
    }
}
