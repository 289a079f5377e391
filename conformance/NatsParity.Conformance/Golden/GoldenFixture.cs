using System.Text;
using NatsParity.Testing;

namespace NatsParity.Conformance.Golden;

/// <summary>
/// A recorded wire transcript: "#" comments and directives ("# conf: key: value", "# byte-by-byte"), "&gt; " client bytes
/// (quoted, escaped), "&lt; " server lines (INFO fields that vary masked), and a closing "= open" or "= closed by server".
/// </summary>
public sealed record GoldenFixture(string Path, string Name, IReadOnlyList<string> Header, IReadOnlyList<string> Steps, string Conf, bool ByteByByte, string Transcript)
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "NatsParity.sln"))) return System.IO.Path.Combine(d.FullName, "golden-fixtures");
        throw new InvalidOperationException("cannot find golden-fixtures/ from " + AppContext.BaseDirectory);
    }

    public static IReadOnlyList<GoldenFixture> All() =>
        Directory.EnumerateFiles(Root(), "*.golden", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(Load).ToList();

    public static GoldenFixture Load(string path)
    {
        var header = new List<string>();
        var steps = new List<string>();
        var conf = new StringBuilder();
        var transcript = new StringBuilder();
        bool byteByByte = false;
        foreach (var line in File.ReadAllText(path).Replace("\r\n", "\n").Split('\n'))
        {
            if (line.StartsWith('#'))
            {
                header.Add(line);
                var d = line.TrimStart('#').Trim();
                if (d.StartsWith("conf:", StringComparison.Ordinal)) conf.Append(d["conf:".Length..].Trim()).Append('\n');
                else if (d == "byte-by-byte") byteByByte = true;
                continue;
            }
            if (line.Length == 0) continue;
            if (line.StartsWith("> ", StringComparison.Ordinal)) steps.Add(Unquote(line[2..]));
            transcript.Append(line).Append('\n');
        }
        var root = Root();
        var name = System.IO.Path.GetRelativePath(root, path).Replace('\\', '/')[..^".golden".Length];
        return new GoldenFixture(path, name, header, steps, conf.ToString(), byteByByte, transcript.ToString());
    }

    public ServerConfig Config => new() { Extra = Conf.Length > 0 ? Conf : null };

    /// <summary>Writes the header back with a freshly recorded transcript.</summary>
    public void Save(string recorded) =>
        File.WriteAllText(Path, string.Concat(Header.Select(h => h + "\n")) + recorded);

    /// <summary>The inverse of <see cref="ProtoClient.Escape"/>.</summary>
    public static string Unquote(string quoted)
    {
        if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"') throw new FormatException($"expected a quoted string: {quoted}");
        var sb = new StringBuilder();
        for (int i = 1; i < quoted.Length - 1; i++)
        {
            char c = quoted[i];
            if (c != '\\') { sb.Append(c); continue; }
            char e = quoted[++i];
            switch (e)
            {
                case 'r': sb.Append('\r'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'x': sb.Append((char)Convert.ToInt32(quoted.Substring(i + 1, 2), 16)); i += 2; break;
                default: sb.Append(e); break;
            }
        }
        return sb.ToString();
    }
}
