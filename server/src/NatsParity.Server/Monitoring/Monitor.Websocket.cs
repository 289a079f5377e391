using System.Text.Json;
using NatsParity.Server.Config;

namespace NatsParity.Server.Monitoring;

public sealed partial class Monitor
{
    /// <summary>Go's WebsocketOptsVarz: the websocket block's settings, each left out when empty.</summary>
    private static void WriteWebsocketVarz(Utf8JsonWriter w, WebsocketOptions ws)
    {
        w.Str("host", ws.Host, omitEmpty: true);
        w.Num("port", ws.Port, omitEmpty: true);
        w.Str("advertise", ws.Advertise, omitEmpty: true);
        w.Str("no_auth_user", ws.NoAuthUser, omitEmpty: true);
        w.Str("jwt_cookie", ws.JwtCookie, omitEmpty: true);
        w.Num("handshake_timeout", ws.HandshakeTimeout.Ticks * 100, omitEmpty: true);
        if (ws.AuthTimeout != 0) w.Flt("auth_timeout", ws.AuthTimeout);
        w.Bool("no_tls", ws.NoTls, omitEmpty: true);
        w.Bool("tls_map", ws.TlsMap, omitEmpty: true);
        if (ws.TlsPinnedCerts is { Count: > 0 } pinned)
        {
            w.WriteStartArray("tls_pinned_certs");
            foreach (var p in pinned) w.WriteStringValue(p);
            w.WriteEndArray();
        }
        w.Bool("same_origin", ws.SameOrigin, omitEmpty: true);
        if (ws.AllowedOrigins is { Count: > 0 } origins)
        {
            w.WriteStartArray("allowed_origins");
            foreach (var a in origins) w.WriteStringValue(a);
            w.WriteEndArray();
        }
        w.Bool("compression", ws.Compression, omitEmpty: true);
    }
}
