using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace NatsParity.Server.Auth;

/// <summary>
/// Go's pkix.Name String() for a certificate subject: the well-known attributes regrouped in Go's fixed order
/// (SERIALNUMBER, CN, OU, O, POSTALCODE, STREET, L, ST, C, several values of one type joined with '+'), then any other
/// attribute as its dotted OID and hex DER, with Go's value escaping.
/// </summary>
public static class GoDistinguishedName
{
    private static readonly Dictionary<string, string> Names = new(StringComparer.Ordinal)
    {
        ["2.5.4.6"] = "C", ["2.5.4.10"] = "O", ["2.5.4.11"] = "OU", ["2.5.4.3"] = "CN", ["2.5.4.5"] = "SERIALNUMBER",
        ["2.5.4.7"] = "L", ["2.5.4.8"] = "ST", ["2.5.4.9"] = "STREET", ["2.5.4.17"] = "POSTALCODE",
    };

    // Go's ToRDNSequence order; the string is written from the last to the first.
    private static readonly string[] SequenceOrder = ["2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11", "2.5.4.3", "2.5.4.5"];

    /// <param name="rdnSequenceOnly">Go's ToRDNSequence().String(): only the well-known attributes (what the server
    /// matches users against), not the others that Name.String() appends.</param>
    public static string Format(X500DistinguishedName name, bool rdnSequenceOnly = false)
    {
        var standard = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var other = new List<(string Oid, string Value)>();
        // In DER order, as Go reads the certificate (.NET enumerates reversed by default).
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            foreach (var (oid, value) in Attributes(rdn))
            {
                if (Names.ContainsKey(oid))
                {
                    // Go keeps one common name and one serial number (the last seen).
                    if (!standard.TryGetValue(oid, out var values)) standard[oid] = values = [];
                    if (oid is "2.5.4.3" or "2.5.4.5") values.Clear();
                    values.Add(value);
                }
                else
                {
                    other.Add((oid, value));
                }
            }
        }

        var rdns = new List<List<(string Oid, string Value)>>();
        if (!rdnSequenceOnly)
            foreach (var (oid, value) in other) rdns.Add([(oid, value)]);
        foreach (var oid in SequenceOrder)
            if (standard.TryGetValue(oid, out var values) && values.Count > 0)
                rdns.Add(values.Select(v => (oid, v)).ToList());

        var sb = new StringBuilder();
        for (int i = rdns.Count - 1; i >= 0; i--)
        {
            if (sb.Length > 0) sb.Append(',');
            for (int j = 0; j < rdns[i].Count; j++)
            {
                if (j > 0) sb.Append('+');
                var (oid, value) = rdns[i][j];
                if (Names.TryGetValue(oid, out var typeName)) sb.Append(typeName).Append('=').Append(Escape(value));
                else sb.Append(oid).Append("=#").Append(Convert.ToHexStringLower(MarshalString(value)));
            }
        }
        return sb.ToString();
    }

    /// <summary>Go's getTLSAuthDCs: the subject's domain components in certificate order, "DC=a,DC=b".</summary>
    public static string DomainComponents(X500DistinguishedName name) =>
        string.Join(",", name.EnumerateRelativeDistinguishedNames(reversed: false)
            .SelectMany(Attributes).Where(a => a.Oid == "0.9.2342.19200300.100.1.25").Select(a => "DC=" + a.Value));

    private static IEnumerable<(string Oid, string Value)> Attributes(X500RelativeDistinguishedName rdn)
    {
        var set = new AsnReader(rdn.RawData, AsnEncodingRules.DER).ReadSetOf(skipSortOrderValidation: true);
        while (set.HasData)
        {
            var atv = set.ReadSequence();
            string oid = atv.ReadObjectIdentifier();
            var tag = atv.PeekTag();
            string value = tag.TagClass == TagClass.Universal && Enum.IsDefined(typeof(UniversalTagNumber), tag.TagValue)
                ? TryReadString(atv, (UniversalTagNumber)tag.TagValue) : Encoding.UTF8.GetString(atv.ReadEncodedValue().Span);
            yield return (oid, value);
        }
    }

    private static string TryReadString(AsnReader r, UniversalTagNumber type)
    {
        try { return r.ReadCharacterString(type); }
        catch (Exception e) when (e is ArgumentException or AsnContentException)
        {
            return Encoding.UTF8.GetString(r.ReadEncodedValue().Span);
        }
    }

    /// <summary>Go's asn1.Marshal of a string: PrintableString when every character allows it, else UTF8String.</summary>
    private static byte[] MarshalString(string value)
    {
        var w = new AsnWriter(AsnEncodingRules.DER);
        bool printable = value.All(c => char.IsAsciiLetterOrDigit(c) || " '()+,-./:=?".Contains(c));
        w.WriteCharacterString(printable ? UniversalTagNumber.PrintableString : UniversalTagNumber.UTF8String, value);
        return w.Encode();
    }

    /// <summary>Go's RDNSequence.String escaping.</summary>
    private static string Escape(string value)
    {
        var sb = new StringBuilder(value.Length);
        for (int k = 0; k < value.Length; k++)
        {
            char c = value[k];
            bool escape = c switch
            {
                ',' or '+' or '"' or '\\' or '<' or '>' or ';' => true,
                ' ' => k == 0 || k == value.Length - 1,
                '#' => k == 0,
                _ => false,
            };
            if (escape) sb.Append('\\');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
