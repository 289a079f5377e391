using System.Globalization;
using System.Runtime.CompilerServices;

namespace NatsParity.Server.Config;

/// <summary>Where a value sits in a conf file: Go's token source file, line and position (the key's, for map entries).</summary>
public sealed record ConfPos(string File, int Line, int Pos)
{
    public override string ToString() => $"{File}:{Line}:{Pos}";
}

/// <summary>
/// A conf file that Go would reject, with Go's message; <see cref="Source"/> is set when Go reports the error at a token
/// (its configErr: "file:line:col: reason").
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string reason) : this(null, reason) { }

    public ConfigException(ConfPos? source, string reason) : base(source is null ? reason : $"{source}: {reason}")
    {
        Source = source;
        Reason = reason;
    }

    public new ConfPos? Source { get; }
    public string Reason { get; }

    /// <summary>This error placed at <paramref name="pos"/> unless it already has a place.</summary>
    public ConfigException At(ConfPos? pos) => Source is not null || pos is null ? this : new ConfigException(pos, Reason);
}

/// <summary>Go's processConfigErr: every warning and error found in one conf file, warnings first, one per line.</summary>
public sealed class ConfigProcessException(IReadOnlyList<string> errors, IReadOnlyList<string> warnings)
    : Exception(string.Concat(warnings.Select(w => w + "\n")) + string.Concat(errors.Select(e => e + "\n")))
{
    public IReadOnlyList<string> Errors { get; } = errors;
    public IReadOnlyList<string> Warnings { get; } = warnings;
}

/// <summary>
/// The conf parser, ported from Go's conf/parse.go: it drives <see cref="ConfLexer"/> and builds the value tree.
/// Values become long, double, bool, string, DateTime, Dictionary (maps) or List (arrays). Variables resolve while
/// parsing, against the enclosing maps and then the environment; include merges another file relative to this one.
/// </summary>
public sealed class ConfigParser
{
    private const string PKey = "pk";
    private const string BcryptPrefix = "2a$";

    private readonly Dictionary<string, object?> _mapping = new(StringComparer.Ordinal);
    private readonly ConfLexer _lx;
    private object _ctx = null!;
    private readonly List<object> _ctxs = [];
    private readonly List<string> _keys = [];
    private readonly List<ConfPos> _ikeys = [];
    private readonly string _fp;
    private readonly string _file;
    private HashSet<string> _envVarReferences = new(StringComparer.Ordinal);

    private ConfigParser(string data, string fp)
    {
        _lx = new ConfLexer(data);
        _file = fp;
        _fp = fp.Length == 0 ? "." : Path.GetDirectoryName(fp) is { Length: > 0 } d ? d : ".";
        // Go's filepath.Dir cleans the directory it returns.
        _fp = GoClean(_fp);
    }

    /// <summary>Go's conf.Parse.</summary>
    public static Dictionary<string, object?> Parse(string text) => Run(text, "");

    /// <summary>Go's conf.ParseFile: includes are relative to the file's directory.</summary>
    public static Dictionary<string, object?> ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(GoOpenError(path, e));
        }
        return Run(text, path);
    }

    /// <summary>Go's filepath.Clean: the shortest lexically equivalent path ("a/./b/../c" is "a/c").</summary>
    internal static string GoClean(string path)
    {
        if (path.Length == 0) return ".";
        bool rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..") parts.RemoveAt(parts.Count - 1);
                else if (!rooted) parts.Add("..");
                continue;
            }
            parts.Add(part);
        }
        string joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }

    private static string GoOpenError(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"open {path}: no such file or directory",
        UnauthorizedAccessException => $"open {path}: permission denied",
        _ => e.Message,
    };

    private static Dictionary<string, object?> Run(string text, string fp, HashSet<string>? envRefs = null)
    {
        var p = new ConfigParser(text, fp);
        if (envRefs is not null) p._envVarReferences = envRefs;
        p.DoParse(fp);
        return p._mapping;
    }

    private void DoParse(string fp)
    {
        PushContext(_mapping);
        Item prev = default;
        while (true)
        {
            var it = _lx.NextItem();
            if (it.Type == ItemType.Eof)
            {
                if (prev.Type == ItemType.Key && prev.Val != "}")
                    throw new ConfigException($"config is invalid ({fp}:{it.Line}:{it.Pos})");
                break;
            }
            prev = it;
            ProcessItem(it);
        }
    }

    private void PushContext(object ctx)
    {
        _ctxs.Add(ctx);
        _ctx = ctx;
    }

    private object PopContext()
    {
        var last = _ctxs[^1];
        _ctxs.RemoveAt(_ctxs.Count - 1);
        _ctx = _ctxs[^1];
        return last;
    }

    private string PopKey()
    {
        var last = _keys[^1];
        _keys.RemoveAt(_keys.Count - 1);
        return last;
    }

    private void ProcessItem(Item it)
    {
        switch (it.Type)
        {
            case ItemType.Error:
                throw new ConfigException($"Parse error on line {it.Line}: '{it.Val}'");
            case ItemType.Key:
                _keys.Add(it.Val);
                _ikeys.Add(Pos(it));
                break;
            case ItemType.MapStart:
                PushContext(new Dictionary<string, object?>(StringComparer.Ordinal));
                break;
            case ItemType.MapEnd:
                SetValue(PopContext(), it);
                break;
            case ItemType.String:
                SetValue(it.Val, it);
                break;
            case ItemType.Integer:
                // Go sets nothing for an unknown size suffix.
                if (ParseInteger(it.Val) is { } n) SetValue(n, it);
                break;
            case ItemType.Float:
                if (!double.TryParse(it.Val, NumberStyles.Float, CultureInfo.InvariantCulture, out double f))
                    throw new ConfigException($"expected float, but got '{it.Val}'");
                if (double.IsInfinity(f)) throw new ConfigException($"float '{it.Val}' is out of the range");
                SetValue(f, it);
                break;
            case ItemType.Bool:
                SetValue(it.Val.ToLowerInvariant() switch
                {
                    "true" or "yes" or "on" => true,
                    "false" or "no" or "off" => false,
                    _ => throw new ConfigException($"expected boolean value, but got '{it.Val}'"),
                }, it);
                break;
            case ItemType.Datetime:
                if (!DateTime.TryParseExact(it.Val, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dt))
                    throw new ConfigException($"expected Zulu formatted DateTime, but got '{it.Val}'");
                SetValue(dt, it);
                break;
            case ItemType.ArrayStart:
                PushContext(new List<object?>());
                break;
            case ItemType.ArrayEnd:
            {
                var array = _ctx;
                PopContext();
                SetValue(array, it);
                break;
            }
            case ItemType.Variable:
            {
                var (value, found, err) = LookupVariable(it.Val);
                if (err is not null)
                    throw new ConfigException($"variable reference for '{it.Val}' on line {it.Line} could not be parsed: {err}");
                if (!found) throw new ConfigException($"variable reference for '{it.Val}' on line {it.Line} can not be found");
                SetValue(value, it);
                break;
            }
            case ItemType.Include:
            {
                Dictionary<string, object?> m;
                try { m = ParseFile(GoClean(_fp + "/" + it.Val)); }
                catch (ConfigException e) { throw new ConfigException($"error parsing include file '{it.Val}', {e.Message}"); }
                foreach (var (k, v) in m)
                {
                    _keys.Add(k);
                    var at = PositionOf(m, k);
                    if (at is not null) _ikeys.Add(at);
                    SetValue(v, at);
                }
                break;
            }
        }
    }

    /// <summary>Go's integer item: digits with an optional size suffix (k, kb, m, mb, ... decimal and binary).</summary>
    private static long? ParseInteger(string val)
    {
        int lastDigit = 0;
        foreach (char r in val)
        {
            if (!char.IsDigit(r) && r != '-') break;
            lastDigit++;
        }
        string numStr = val[..lastDigit];
        if (!long.TryParse(numStr, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long num))
        {
            bool range = numStr.Length > 0 && numStr.TrimStart('-').Length > 0 && numStr.TrimStart('-').All(char.IsDigit);
            throw new ConfigException(range ? $"integer '{val}' is out of the range" : $"expected integer, but got '{val}'");
        }
        string suffix = val[lastDigit..].Trim().ToLowerInvariant();
        return suffix switch
        {
            "" => num,
            "k" => num * 1000,
            "kb" or "ki" or "kib" => num * 1024,
            "m" => num * 1000 * 1000,
            "mb" or "mi" or "mib" => num * 1024 * 1024,
            "g" => num * 1000 * 1000 * 1000,
            "gb" or "gi" or "gib" => num * 1024 * 1024 * 1024,
            "t" => num * 1000 * 1000 * 1000 * 1000,
            "tb" or "ti" or "tib" => num * 1024 * 1024 * 1024 * 1024,
            "p" => num * 1000 * 1000 * 1000 * 1000 * 1000,
            "pb" or "pi" or "pib" => num * 1024 * 1024 * 1024 * 1024 * 1024,
            "e" => num * 1000 * 1000 * 1000 * 1000 * 1000 * 1000,
            "eb" or "ei" or "eib" => num * 1024 * 1024 * 1024 * 1024 * 1024 * 1024,
            _ => null,
        };
    }

    /// <summary>Go's lookupVariable: a bcrypt hash is a string; else the nearest enclosing map that has the key, else
    /// the environment (parsed as a value), with a cycle check.</summary>
    private (object? Value, bool Found, string? Error) LookupVariable(string name)
    {
        if (name.StartsWith(BcryptPrefix, StringComparison.Ordinal)) return ("$" + name, true, null);
        for (int i = _ctxs.Count - 1; i >= 0; i--)
        {
            if (_ctxs[i] is Dictionary<string, object?> m && m.TryGetValue(name, out var v))
            {
                UsedVariables.GetOrCreateValue(m).Add(name);
                return (v, true, null);
            }
        }
        if (_envVarReferences.Contains(name)) return (null, false, $"variable reference cycle for '{name}'");
        _envVarReferences.Add(name);
        try
        {
            string? env = Environment.GetEnvironmentVariable(name);
            if (env is null) return (null, false, null);
            try
            {
                var sub = Run($"{PKey}={env}", "", _envVarReferences);
                return sub.TryGetValue(PKey, out var v) ? (v, true, null) : (null, false, null);
            }
            catch (ConfigException e)
            {
                return (null, false, e.Message);
            }
        }
        finally
        {
            _envVarReferences.Remove(name);
        }
    }

    private ConfPos Pos(Item it) => new(_file, it.Line, it.Pos);

    private void SetValue(object? val, Item it) => SetValue(val, Pos(it));

    /// <summary>Go's setValue in pedantic mode: an array element keeps its own position, a map entry takes its key's.</summary>
    private void SetValue(object? val, ConfPos? at)
    {
        if (_ctx is List<object?> list)
        {
            list.Add(val);
            var positions = ListPositions.GetOrCreateValue(list);
            while (positions.Count < list.Count - 1) positions.Add(null);
            positions.Add(at);
            return;
        }
        if (_ctx is Dictionary<string, object?> ctx)
        {
            string key = PopKey();
            ConfPos? keyAt = null;
            if (_ikeys.Count > 0)
            {
                keyAt = _ikeys[^1];
                _ikeys.RemoveAt(_ikeys.Count - 1);
            }
            ctx[key] = val;
            var pos = keyAt ?? at;
            if (pos is not null) MapPositions.GetOrCreateValue(ctx)[key] = pos;
        }
    }

    private static readonly ConditionalWeakTable<Dictionary<string, object?>, Dictionary<string, ConfPos>> MapPositions = new();
    private static readonly ConditionalWeakTable<List<object?>, List<ConfPos?>> ListPositions = new();

    /// <summary>Where the entry <paramref name="key"/> of a parsed map was written (its key's file, line and position).</summary>
    public static ConfPos? PositionOf(Dictionary<string, object?> map, string key) =>
        MapPositions.TryGetValue(map, out var p) && p.TryGetValue(key, out var at) ? at : null;

    /// <summary>Where element <paramref name="index"/> of a parsed array was written.</summary>
    public static ConfPos? PositionOf(List<object?> list, int index) =>
        ListPositions.TryGetValue(list, out var p) && index < p.Count ? p[index] : null;

    /// <summary>Go's configDigest: "sha256:" and the hex SHA-256 of the parsed tree as encoding/json writes it (map keys
    /// sorted, HTML characters escaped, a trailing newline).</summary>
    public static string Digest(Dictionary<string, object?> m)
    {
        var sb = new System.Text.StringBuilder();
        WriteJson(sb, m);
        sb.Append('\n');
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sb.ToString()));
        return "sha256:" + Convert.ToHexStringLower(hash);
    }

    private static void WriteJson(System.Text.StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case double d: sb.Append(GoFloat(d)); break;
            case string s: GoString(sb, s); break;
            case DateTime t: GoString(sb, t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)); break;
            case Dictionary<string, object?> m:
                sb.Append('{');
                bool first = true;
                foreach (var k in m.Keys.Order(StringComparer.Ordinal))
                {
                    if (!first) sb.Append(',');
                    first = false;
                    GoString(sb, k);
                    sb.Append(':');
                    WriteJson(sb, m[k]);
                }
                sb.Append('}');
                break;
            case List<object?> list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteJson(sb, list[i]);
                }
                sb.Append(']');
                break;
            default: GoString(sb, v.ToString() ?? ""); break;
        }
    }

    /// <summary>encoding/json's float64: shortest round-trip digits, exponent form outside [1e-6, 1e21).</summary>
    private static string GoFloat(double d)
    {
        double a = Math.Abs(d);
        if (a != 0 && (a < 1e-6 || a >= 1e21))
        {
            string e = d.ToString("R", CultureInfo.InvariantCulture).Replace("E+", "e+").Replace("E-", "e-");
            return System.Text.RegularExpressions.Regex.Replace(e, @"e([+-])(\d)$", "e${1}0$2");
        }
        return d.ToString("R", CultureInfo.InvariantCulture);
    }

    private static void GoString(System.Text.StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '<' or '>' or '&' or '\u2028' or '\u2029': sb.Append($"\\u{(int)c:x4}"); break;
                default:
                    if (c < 0x20) sb.Append($"\\u{(int)c:x4}");
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }

    private static readonly ConditionalWeakTable<Dictionary<string, object?>, HashSet<string>> UsedVariables = new();

    /// <summary>Go's token.IsUsedVariable: a key whose value was referenced as a $variable is not an unknown field.</summary>
    public static bool IsUsedVariable(Dictionary<string, object?> map, string key) =>
        UsedVariables.TryGetValue(map, out var used) && used.Contains(key);
}
