using System.Security.Cryptography;

namespace NatsParity.Server.Auth;

/// <summary>The NKeys text encoding: prefix byte + key, CRC16 (XMODEM) little-endian, base32 without padding.</summary>
public static class NKeys
{
    public const byte PrefixServer = 13 << 3;   // 'N'
    public const byte PrefixCluster = 2 << 3;   // 'C'
    public const byte PrefixOperator = 14 << 3; // 'O'
    public const byte PrefixAccount = 0;        // 'A'
    public const byte PrefixUser = 20 << 3;     // 'U'
    public const byte PrefixCurve = 23 << 3;    // 'X'
    public const byte PrefixSeed = 18 << 3;     // 'S'
    public const byte PrefixPrivate = 15 << 3;  // 'P'

    // Error texts of the nkeys library.
    public const string ErrInvalidPrefixByte = "nkeys: invalid prefix byte";
    public const string ErrInvalidKey = "nkeys: invalid key";
    public const string ErrInvalidPublicKey = "nkeys: invalid public key";
    public const string ErrInvalidSeed = "nkeys: invalid seed";
    public const string ErrInvalidEncoding = "nkeys: invalid encoded key";
    public const string ErrInvalidSignature = "nkeys: signature verification failed";
    public const string ErrInvalidChecksum = "nkeys: invalid checksum";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>A public key in the NKey form for a fresh random 32-byte key (server ids, curve keys).</summary>
    public static string CreatePublicKey(byte prefix)
    {
        Span<byte> key = stackalloc byte[32];
        RandomNumberGenerator.Fill(key);
        return Encode(prefix, key);
    }

    public static string Encode(byte prefix, ReadOnlySpan<byte> key)
    {
        var raw = new byte[1 + key.Length + 2];
        raw[0] = prefix;
        key.CopyTo(raw.AsSpan(1));
        ushort crc = Crc16(raw.AsSpan(0, 1 + key.Length));
        raw[^2] = (byte)crc;
        raw[^1] = (byte)(crc >> 8);
        return Base32(raw);
    }

    /// <summary>Decodes base32 without padding; null when a character is outside the alphabet.</summary>
    public static byte[]? FromBase32(string text)
    {
        var bytes = new byte[text.Length * 5 / 8];
        int buffer = 0, bits = 0, n = 0;
        foreach (char ch in text)
        {
            int v = Alphabet.IndexOf(ch);
            if (v < 0) return null;
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                if (n < bytes.Length) bytes[n++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return bytes;
    }

    /// <summary>The raw bytes of an encoded key after the checksum is verified (nkeys decode).</summary>
    private static byte[] DecodeRaw(string src, out string? error)
    {
        error = null;
        var raw = FromBase32(src);
        if (raw is null || raw.Length < 4)
        {
            error = ErrInvalidEncoding;
            return [];
        }
        ushort crc = (ushort)(raw[^2] | (raw[^1] << 8));
        if (crc != Crc16(raw.AsSpan(0, raw.Length - 2)))
        {
            error = ErrInvalidChecksum;
            return [];
        }
        return raw[..^2];
    }

    /// <summary>nkeys Decode: the key bytes of <paramref name="src"/>, which must carry <paramref name="expectedPrefix"/>.</summary>
    public static byte[]? Decode(byte expectedPrefix, string src, out string? error)
    {
        var raw = DecodeRaw(src, out error);
        if (error is not null) return null;
        if (!IsValidPrefix(expectedPrefix)) { error = ErrInvalidPrefixByte; return null; }
        if (raw[0] != expectedPrefix) { error = ErrInvalidPrefixByte; return null; }
        return raw[1..];
    }

    private static bool IsValidPrefix(byte p) =>
        p is PrefixOperator or PrefixServer or PrefixCluster or PrefixAccount or PrefixUser or PrefixCurve or PrefixSeed or PrefixPrivate;

    private static bool IsValidPublicPrefix(byte p) =>
        p is PrefixOperator or PrefixServer or PrefixCluster or PrefixAccount or PrefixUser or PrefixCurve;

    /// <summary>nkeys EncodeSeed: the seed prefix folded with the public key type.</summary>
    public static string EncodeSeed(byte publicPrefix, ReadOnlySpan<byte> seed)
    {
        if (!IsValidPublicPrefix(publicPrefix)) throw new ArgumentException(ErrInvalidPrefixByte);
        if (seed.Length != 32) throw new ArgumentException(ErrInvalidSeed);
        var raw = new byte[2 + 32 + 2];
        raw[0] = (byte)(PrefixSeed | (publicPrefix >> 5));
        raw[1] = (byte)((publicPrefix & 31) << 3);
        seed.CopyTo(raw.AsSpan(2));
        ushort crc = Crc16(raw.AsSpan(0, 34));
        raw[34] = (byte)crc;
        raw[35] = (byte)(crc >> 8);
        return Base32(raw);
    }

    /// <summary>nkeys DecodeSeed: the public key type and the 32-byte seed.</summary>
    public static (byte Prefix, byte[] Seed)? DecodeSeed(string src, out string? error)
    {
        var raw = DecodeRaw(src, out error);
        if (error is not null) return null;
        if (raw.Length < 2 || (raw[0] & 248) != PrefixSeed) { error = ErrInvalidSeed; return null; }
        byte b2 = (byte)(((raw[0] & 7) << 5) | ((raw[1] & 248) >> 3));
        if (!IsValidPublicPrefix(b2)) { error = ErrInvalidPrefixByte; return null; }
        return (b2, raw[2..]);
    }

    /// <summary>nkeys IsValidPublicKey: a well-formed public key of any type.</summary>
    public static bool IsValidPublicKey(string src)
    {
        var raw = DecodeRaw(src, out var error);
        return error is null && IsValidPublicPrefix(raw[0]);
    }

    /// <summary>nkeys IsValidPublicKey for one key type.</summary>
    public static bool IsValidPublicKey(byte prefix, string src) => Decode(prefix, src, out _) is { Length: 32 };
    public static bool IsValidPublicUserKey(string src) => IsValidPublicKey(PrefixUser, src);
    public static bool IsValidPublicAccountKey(string src) => IsValidPublicKey(PrefixAccount, src);
    public static bool IsValidPublicServerKey(string src) => IsValidPublicKey(PrefixServer, src);
    public static bool IsValidPublicOperatorKey(string src) => IsValidPublicKey(PrefixOperator, src);
    public static bool IsValidPublicCurveKey(string src) => IsValidPublicKey(PrefixCurve, src);

    /// <summary>Verifies an Ed25519 signature made by the key behind an encoded public key of any type.</summary>
    public static bool Verify(string publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var raw = DecodeRaw(publicKey, out var error);
        if (error is not null || raw.Length != 33 || !IsValidPublicPrefix(raw[0]) || raw[0] == PrefixCurve || signature.Length != 64) return false;
        var pub = new Org.BouncyCastle.Crypto.Parameters.Ed25519PublicKeyParameters(raw, 1);
        var verifier = new Org.BouncyCastle.Crypto.Signers.Ed25519Signer();
        verifier.Init(false, pub);
        verifier.BlockUpdate(data);
        return verifier.VerifySignature(signature.ToArray());
    }

    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (byte b in data)
        {
            crc ^= (ushort)(b << 8);
            for (int i = 0; i < 8; i++)
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
        }
        return crc;
    }

    public static string Base32(ReadOnlySpan<byte> data)
    {
        var chars = new char[(data.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, n = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[n++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0) chars[n++] = Alphabet[(buffer << (5 - bits)) & 31];
        return new string(chars, 0, n);
    }
}
