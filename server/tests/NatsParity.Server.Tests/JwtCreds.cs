using System.Text;
using NatsParity.Server.Auth;
using NatsParity.Server.Auth.Jwt;
using NatsParity.Testing;

namespace NatsParity.Server.Tests;

/// <summary>JWT credentials as Go's JWT tests make them: the operator of the tests (Go's oSeed), and a CONNECT with a
/// fresh user's JWT, signed by its account, carrying the user's signature of the connection's nonce.</summary>
internal static class JwtCreds
{
    /// <summary>Go's oSeed: the operator key of the JWT tests.</summary>
    public const string OperatorSeed = "SOAFYNORQLQFJYBYNUGC5D7SH2MXMUX5BFEWWGHN3EK4VGG5TPT5DZP7QU";
    public static readonly NKeyPair Operator = NKeyPair.FromSeed(OperatorSeed);

    /// <summary>The CONNECT (then PING) of a new user of <paramref name="account"/> on <paramref name="c"/> (which read
    /// the INFO with the nonce). <paramref name="claims"/> get the user's key as subject; with
    /// <paramref name="signNonce"/> false the nonce is signed by another key. <paramref name="user"/> is the user's key
    /// (a new one when not given).</summary>
    public static string ConnectLine(ProtoClient c, NKeyPair account, UserClaims? claims = null, string fields = "", bool signNonce = true,
        NKeyPair? user = null)
    {
        var ukp = user ?? NKeyPair.Create(NKeys.PrefixUser);
        claims ??= new UserClaims(ukp.PublicKey);
        claims.Subject = ukp.PublicKey;
        string ujwt = claims.Encode(account);
        string nonce = c.Info is { } info && info.TryGetProperty("nonce", out var n) ? n.GetString()! : "";
        var signer = signNonce ? ukp : NKeyPair.Create(NKeys.PrefixUser);
        string sig = JwtCodec.Base64Url(signer.Sign(Encoding.ASCII.GetBytes(nonce)));
        return $"CONNECT {{\"verbose\":false,\"jwt\":\"{ujwt}\",\"sig\":\"{sig}\"{fields}}}\r\nPING\r\n";
    }
}
