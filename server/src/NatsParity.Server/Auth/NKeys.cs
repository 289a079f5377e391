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
