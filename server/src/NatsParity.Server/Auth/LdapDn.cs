using System.Formats.Asn1;
using System.Text;

namespace NatsParity.Server.Auth;

/// <summary>
/// An LDAP distinguished name as Go's internal/ldap package reads it: a list of relative names, each a set of
/// type=value pairs. Parsed from a user name in the conf (RFC 4514 text) or from a certificate's raw subject, and
/// compared attribute by attribute (types case-insensitively, values exactly), so a user named by its distinguished
/// name matches a certificate whatever spacing or multi-value order the conf uses.
/// </summary>
public sealed class LdapDn
{
    private static readonly Dictionary<string, string> TypeNames = new(StringComparer.Ordinal)
    {
        ["2.5.4.3"] = "CN", ["2.5.4.5"] = "SERIALNUMBER", ["2.5.4.6"] = "C", ["2.5.4.7"] = "L", ["2.5.4.8"] = "ST",
        ["2.5.4.9"] = "STREET", ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU", ["2.5.4.17"] = "POSTALCODE",
        ["0.9.2342.19200300.100.1.25"] = "DC",
    };

    public LdapDn(IReadOnlyList<IReadOnlyList<(string Type, string Value)>> rdns) => Rdns = rdns;

    /// <summary>The relative names, most specific first (as written in text form).</summary>
    public IReadOnlyList<IReadOnlyList<(string Type, string Value)>> Rdns { get; }

    /// <summary>Go's ldap.ParseDN; throws <see cref="FormatException"/> with Go's message on bad input.</summary>
    public static LdapDn Parse(string text)
    {
        var rdns = new List<IReadOnlyList<(string, string)>>();
        var rdn = new List<(string, string)>();
        var buffer = new List<byte>();
        string type = "";
        bool escaping = false;
        int trailingSpaces = 0;
        byte[] bytes = Encoding.UTF8.GetBytes(text);

        string Take()
        {
            string s = Encoding.UTF8.GetString(buffer.ToArray(), 0, buffer.Count - trailingSpaces);
            buffer.Clear();
            trailingSpaces = 0;
            return s;
        }

        for (int i = 0; i < bytes.Length; i++)
        {
            byte ch = bytes[i];
            if (escaping)
            {
                trailingSpaces = 0;
                escaping = false;
                if (" \"#+,;<=>\\".Contains((char)ch))
                {
                    buffer.Add(ch);
                    continue;
                }
                if (i + 1 == bytes.Length) throw new FormatException("got corrupted escaped character");
                buffer.Add(DecodeHexPair(bytes[i], bytes[i + 1]));
                i++;
            }
            else if (ch == '\\')
            {
                trailingSpaces = 0;
                escaping = true;
            }
            else if (ch == '=')
            {
                type = Take();
                if (i + 1 < bytes.Length && bytes[i + 1] == '#') throw new FormatException("unsupported BER encoding");
            }
            else if (ch is (byte)',' or (byte)'+')
            {
                if (type.Length == 0) throw new FormatException("incomplete type, value pair");
                rdn.Add((type, Take()));
                type = "";
                if (ch == ',')
                {
                    rdns.Add(rdn);
                    rdn = [];
                }
            }
            else if (ch == ' ' && buffer.Count == 0)
            {
            }
            else
            {
                trailingSpaces = ch == ' ' ? trailingSpaces + 1 : 0;
                buffer.Add(ch);
            }
        }
        if (buffer.Count > 0)
        {
            if (type.Length == 0) throw new FormatException("DN ended with incomplete type, value pair");
            rdn.Add((type, Take()));
            rdns.Add(rdn);
        }
        return new LdapDn(rdns);
    }

    /// <summary>Go's hex.Decode of one escaped pair, with its error text for an invalid byte.</summary>
    private static byte DecodeHexPair(byte hi, byte lo)
    {
        static int Nibble(byte b) => b switch
        {
            >= (byte)'0' and <= (byte)'9' => b - '0',
            >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
            >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
            _ => -1,
        };
        foreach (byte b in new[] { hi, lo })
            if (Nibble(b) < 0)
                throw new FormatException($"failed to decode escaped character: encoding/hex: invalid byte: U+{b:X4} '{(char)b}'");
        return (byte)(Nibble(hi) << 4 | Nibble(lo));
    }

    /// <summary>Go's ldap.FromRawCertSubject: the DER subject read back to front (relative names and the values in
    /// each), or null when it holds an attribute type other than the well-known ones or a value that is not a string.</summary>
    public static LdapDn? FromRawSubject(ReadOnlyMemory<byte> rawSubject)
    {
        try
        {
            var seq = new AsnReader(rawSubject, AsnEncodingRules.DER).ReadSequence();
            var sets = new List<List<(string, string)>>();
            while (seq.HasData)
            {
                var set = seq.ReadSetOf(skipSortOrderValidation: true);
                var atvs = new List<(string, string)>();
                while (set.HasData)
                {
                    var atv = set.ReadSequence();
                    if (!TypeNames.TryGetValue(atv.ReadObjectIdentifier(), out var typeName)) return null;
                    var tag = atv.PeekTag();
                    if (tag.TagClass != TagClass.Universal) return null;
                    atvs.Add((typeName, atv.ReadCharacterString((UniversalTagNumber)tag.TagValue)));
                }
                if (atvs.Count == 0) continue;
                atvs.Reverse();
                sets.Add(atvs);
            }
            sets.Reverse();
            return new LdapDn(sets);
        }
        catch (Exception e) when (e is AsnContentException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The same relative names in the same order (each compared as a set).</summary>
    public bool EqualTo(LdapDn other)
    {
        if (Rdns.Count != other.Rdns.Count) return false;
        for (int i = 0; i < Rdns.Count; i++)
            if (!RdnEqual(Rdns[i], other.Rdns[i])) return false;
        return true;
    }

    /// <summary>The same relative names in any order, each used once.</summary>
    public bool RdnsMatch(LdapDn other)
    {
        if (Rdns.Count != other.Rdns.Count) return false;
        var used = new bool[other.Rdns.Count];
        foreach (var mine in Rdns)
        {
            int j = 0;
            while (j < other.Rdns.Count && (used[j] || !RdnEqual(mine, other.Rdns[j]))) j++;
            if (j == other.Rdns.Count) return false;
            used[j] = true;
        }
        return true;
    }

    /// <summary>This name is a proper suffix of <paramref name="other"/> (an entry above it in the tree).</summary>
    public bool AncestorOf(LdapDn other)
    {
        if (Rdns.Count >= other.Rdns.Count) return false;
        int offset = other.Rdns.Count - Rdns.Count;
        for (int i = 0; i < Rdns.Count; i++)
            if (!RdnEqual(Rdns[i], other.Rdns[offset + i])) return false;
        return true;
    }

    private static bool RdnEqual(IReadOnlyList<(string Type, string Value)> a, IReadOnlyList<(string Type, string Value)> b) =>
        a.Count == b.Count && ContainsAll(a, b) && ContainsAll(b, a);

    private static bool ContainsAll(IReadOnlyList<(string Type, string Value)> set, IReadOnlyList<(string Type, string Value)> wanted) =>
        wanted.All(w => set.Any(s => string.Equals(s.Type, w.Type, StringComparison.OrdinalIgnoreCase) && s.Value == w.Value));
}
