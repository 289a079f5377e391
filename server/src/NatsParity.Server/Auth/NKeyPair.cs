using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;

namespace NatsParity.Server.Auth;

/// <summary>An Ed25519 NKey pair from a seed (nkeys FromSeed / CreatePair): public key, seed, sign and verify.</summary>
public sealed class NKeyPair
{
    private readonly Ed25519PrivateKeyParameters _priv;
    private readonly byte _prefix;

    private NKeyPair(byte prefix, byte[] seed)
    {
        _prefix = prefix;
        _priv = new Ed25519PrivateKeyParameters(seed, 0);
        Seed = NKeys.EncodeSeed(prefix, seed);
        PublicKey = NKeys.Encode(prefix, _priv.GeneratePublicKey().GetEncoded());
    }

    public string PublicKey { get; }
    public string Seed { get; }

    /// <summary>nkeys CreatePair: a fresh random key of the given type.</summary>
    public static NKeyPair Create(byte prefix)
    {
        var seed = new byte[32];
        RandomNumberGenerator.Fill(seed);
        return new NKeyPair(prefix, seed);
    }

    /// <summary>nkeys FromSeed.</summary>
    public static NKeyPair FromSeed(string seed)
    {
        var decoded = NKeys.DecodeSeed(seed, out var error) ?? throw new ArgumentException(error);
        return new NKeyPair(decoded.Prefix, decoded.Seed);
    }

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        var signer = new Ed25519Signer();
        signer.Init(true, _priv);
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) => NKeys.Verify(PublicKey, data, signature);
}
