using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>A JWT that did not decode or verify (the nats-io/jwt library's errors).</summary>
public sealed class JwtException(string message) : Exception(message);

/// <summary>
/// NATS JWTs as the nats-io/jwt (v2) library writes them: a header {"typ":"JWT","alg":"ed25519-nkey"}, the claims,
/// and the issuer's Ed25519 signature over "header.claims", each part base64url without padding. The issuer ("iss")
/// is an NKey public key, so a JWT verifies with nothing but itself.
/// </summary>
public static class JwtCodec
{
    public const string AlgorithmV2 = "ed25519-nkey";
    private const string AlgorithmV1 = "ed25519";
    private static readonly string HeaderV2 = Base64Url(Encoding.UTF8.GetBytes("{\"typ\":\"JWT\",\"alg\":\"ed25519-nkey\"}"));

    /// <summary>Decodes and verifies a JWT; its claims as a JSON object.</summary>
    public static JsonObject DecodeVerified(string token)
    {
        string[] chunks = token.Split('.');
        if (chunks.Length != 3) throw new JwtException("expected 3 chunks");
        JsonObject header, claims;
        try
        {
            header = JsonNode.Parse(FromBase64Url(chunks[0])) as JsonObject ?? throw new JwtException("invalid header");
            claims = JsonNode.Parse(FromBase64Url(chunks[1])) as JsonObject ?? throw new JwtException("invalid claims");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw new JwtException(e.Message);
        }
        string typ = header["typ"]?.GetValue<string>() ?? "";
        if (!typ.Equals("JWT", StringComparison.OrdinalIgnoreCase)) throw new JwtException($"not supported type \"{typ}\"");
        string alg = header["alg"]?.GetValue<string>() ?? "";
        if (!alg.Equals(AlgorithmV2, StringComparison.OrdinalIgnoreCase) && !alg.Equals(AlgorithmV1, StringComparison.OrdinalIgnoreCase))
            throw new JwtException($"unexpected \"{alg}\" algorithm");
        byte[] sig;
        try { sig = FromBase64Url(chunks[2]); }
        catch (FormatException) { throw new JwtException("invalid signature encoding"); }
        string issuer = claims["iss"]?.GetValue<string>() ?? "";
        // Version 1 JWTs sign the claims only; version 2 the header and the claims.
        if (alg.Equals(AlgorithmV1, StringComparison.OrdinalIgnoreCase))
        {
            if (!NKeys.Verify(issuer, Encoding.ASCII.GetBytes(chunks[1]), sig)) throw new JwtException("claim failed V1 signature verification");
        }
        else if (!NKeys.Verify(issuer, Encoding.ASCII.GetBytes(chunks[0] + "." + chunks[1]), sig))
        {
            throw new JwtException("claim failed V2 signature verification");
        }
        return claims;
    }

    /// <summary>Signs <paramref name="claims"/> (issuer, issue time and id filled in as the library does).</summary>
    public static string Encode(JsonObject claims, NKeyPair issuer)
    {
        claims["iss"] = issuer.PublicKey;
        if (claims["iat"] is null || claims["iat"]!.GetValue<long>() == 0) claims["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        claims.Remove("jti");
        // The id is the base32 SHA-512/256 of the claims without it.
        var digest = new Org.BouncyCastle.Crypto.Digests.Sha512tDigest(256);
        byte[] body = Encoding.UTF8.GetBytes(claims.ToJsonString());
        digest.BlockUpdate(body, 0, body.Length);
        var hash = new byte[32];
        digest.DoFinal(hash, 0);
        var withId = new JsonObject { ["jti"] = Base32NoPad(hash) };
        foreach (var (k, v) in claims.ToList())
        {
            claims.Remove(k);
            withId[k] = v;
        }
        string payload = Base64Url(Encoding.UTF8.GetBytes(withId.ToJsonString()));
        string signed = HeaderV2 + "." + payload;
        return signed + "." + Base64Url(issuer.Sign(Encoding.ASCII.GetBytes(signed)));
    }

    public static string Base64Url(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromBase64Url(string s)
    {
        string t = s.Replace('-', '+').Replace('_', '/');
        t = (t.Length % 4) switch { 2 => t + "==", 3 => t + "=", 0 => t, _ => throw new FormatException("illegal base64 data") };
        return Convert.FromBase64String(t);
    }

    private static string Base32NoPad(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        return sb.ToString();
    }
}
