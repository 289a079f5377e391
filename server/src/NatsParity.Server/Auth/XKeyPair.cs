using System.Security.Cryptography;

namespace NatsParity.Server.Auth;

/// <summary>An nkeys curve key ("X" public key, "SX" seed): X25519 with NaCl box (XSalsa20-Poly1305) sealing, in the
/// nkeys xkv1 format: "xkv1", the 24-byte nonce, then the box (tag and cipher text).</summary>
public sealed class XKeyPair
{
    private static readonly byte[] Version = "xkv1"u8.ToArray();
    private const int NonceLength = 24;
    private readonly byte[] _seed;

    private XKeyPair(byte[] seed)
    {
        _seed = seed;
        PublicKey = NKeys.Encode(NKeys.PrefixCurve, NaCl.Curve25519.ScalarMultiplicationBase(seed));
        Seed = NKeys.EncodeSeed(NKeys.PrefixCurve, seed);
    }

    public string PublicKey { get; }
    public string Seed { get; }

    /// <summary>nkeys CreateCurveKeys.</summary>
    public static XKeyPair Create()
    {
        var seed = new byte[32];
        RandomNumberGenerator.Fill(seed);
        return new XKeyPair(seed);
    }

    /// <summary>nkeys FromCurveSeed.</summary>
    public static XKeyPair FromSeed(string seed)
    {
        var decoded = NKeys.DecodeSeed(seed, out var error) ?? throw new ArgumentException(error);
        if (decoded.Prefix != NKeys.PrefixCurve) throw new ArgumentException("nkeys: invalid curve key");
        return new XKeyPair(decoded.Seed);
    }

    /// <summary>nkeys Seal: <paramref name="input"/> for <paramref name="recipient"/>'s public curve key, with a random nonce.</summary>
    public byte[] Seal(ReadOnlySpan<byte> input, string recipient)
    {
        Span<byte> nonce = stackalloc byte[NonceLength];
        RandomNumberGenerator.Fill(nonce);
        return Seal(input, recipient, nonce);
    }

    internal byte[] Seal(ReadOnlySpan<byte> input, string recipient, ReadOnlySpan<byte> nonce)
    {
        var rpub = NKeys.Decode(NKeys.PrefixCurve, recipient, out _) ?? throw new ArgumentException("nkeys: not a valid recipient public curve key");
        var output = new byte[Version.Length + NonceLength + NaCl.XSalsa20Poly1305.TagLength + input.Length];
        Version.CopyTo(output, 0);
        nonce.CopyTo(output.AsSpan(Version.Length));
        using var box = new NaCl.Curve25519XSalsa20Poly1305(_seed, rpub);
        box.Encrypt(output.AsSpan(Version.Length + NonceLength), input, nonce);
        return output;
    }

    /// <summary>nkeys Open: what <paramref name="sender"/> sealed for this key; null with nkeys' error when it does not open.</summary>
    public byte[]? Open(ReadOnlySpan<byte> input, string sender, out string? error)
    {
        error = null;
        if (input.Length <= Version.Length + NonceLength)
        {
            error = "nkeys: invalid encrypted data";
            return null;
        }
        if (!input[..Version.Length].SequenceEqual(Version))
        {
            error = "nkeys: encrypted input is not valid version";
            return null;
        }
        var spub = NKeys.Decode(NKeys.PrefixCurve, sender, out _);
        if (spub is null)
        {
            error = "nkeys: not a valid sender public curve key";
            return null;
        }
        var nonce = input.Slice(Version.Length, NonceLength);
        var box = input[(Version.Length + NonceLength)..];
        if (box.Length < NaCl.XSalsa20Poly1305.TagLength)
        {
            error = "nkeys: unable to decrypt input";
            return null;
        }
        var output = new byte[box.Length - NaCl.XSalsa20Poly1305.TagLength];
        using var cipher = new NaCl.Curve25519XSalsa20Poly1305(_seed, spub);
        if (!cipher.TryDecrypt(output, box, nonce))
        {
            error = "nkeys: unable to decrypt input";
            return null;
        }
        return output;
    }
}
