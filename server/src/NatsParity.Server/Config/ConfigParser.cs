using System.Globalization;
using System.Text;

namespace NatsParity.Server.Config;

/// <summary>Thrown for a conf file that Go's parser would reject; the message carries file:line:col.</summary>
public sealed class ConfigException(string message) : Exception(message);

/// <summary>
/// A reader for the NATS conf format: key/value with '=', ':' or whitespace, maps, arrays, comments, includes,
/// variables, sizes and quoted strings. Values become long, double, bool, string, Dictionary or List.
/// </summary>
public sealed class ConfigParser
{
    private readonly string _text;
    private readonly string _file;
    private int _pos;

    private ConfigParser(string text, string file)
    {
        _text = text;
        _file = file;
    }

    public static Dictionary<string, object?> ParseFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (IOException e) { throw new ConfigException($"error opening config file: {e.Message}"); }
        return new ConfigParser(text, Path.GetFullPath(path)).ParseTop();
    }

    public static Dictionary<string, object?> Parse(string text) => new ConfigParser(text, "").ParseTop();

    private Dictionary<string, object?> ParseTop()
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        SkipSpaceAndComments(newlines: true);
        if (_pos < _text.Length && _text[_pos] == '{')
        {
            // The whole file may be one map, JSON style.
            _pos++;
            ParseMapBody(map, topLevel: false);
            SkipSpaceAndComments(newlines: true);
            if (_pos < _text.Length) throw Error($"unexpected '{_text[_pos]}' after the top-level map");
        }
        else
        {
            ParseMapBody(map, topLevel: true);
        }
        ResolveVariables(map, [map]);
        return map;
    }

    private void ParseMapBody(Dictionary<string, object?> map, bool topLevel)
    {
        while (true)
        {
            SkipSpaceAndComments(newlines: true);
            if (_pos >= _text.Length)
            {
                if (!topLevel) throw Error("unexpected EOF, expected '}'");
                return;
            }
            char c = _text[_pos];
            if (c == '}')
            {
                if (topLevel) throw Error("unexpected '}'");
                _pos++;
                return;
            }
            if (c is ',' or ';') { _pos++; continue; }
            string key = ReadKey();
            if (key == "include")
            {
                SkipSpaceAndComments(newlines: false);
                string inc = ReadString();
                string dir = _file.Length > 0 ? Path.GetDirectoryName(_file)! : Directory.GetCurrentDirectory();
                var included = ParseFile(Path.Combine(dir, inc));
                foreach (var kv in included) map[kv.Key] = kv.Value;
                continue;
            }
            SkipSpaceAndComments(newlines: false);
            if (_pos < _text.Length && (_text[_pos] == '=' || _text[_pos] == ':')) _pos++;
            SkipSpaceAndComments(newlines: false);
            map[key] = ParseValue();
        }
    }

    private string ReadKey()
    {
        if (_text[_pos] is '"' or '\'') return ReadString();
        int start = _pos;
        while (_pos < _text.Length && !char.IsWhiteSpace(_text[_pos]) && _text[_pos] is not ('=' or ':' or '{' or '[' or '}' or ',' or ';'))
            _pos++;
        if (_pos == start) throw Error($"unexpected character '{_text[_pos]}'");
        return _text[start.._pos];
    }

    private object? ParseValue()
    {
        if (_pos >= _text.Length) throw Error("unexpected EOF, expected a value");
        char c = _text[_pos];
        if (c == '{')
        {
            _pos++;
            var m = new Dictionary<string, object?>(StringComparer.Ordinal);
            ParseMapBody(m, topLevel: false);
            return m;
        }
        if (c == '[')
        {
            _pos++;
            var list = new List<object?>();
            while (true)
            {
                SkipSpaceAndComments(newlines: true);
                if (_pos >= _text.Length) throw Error("unexpected EOF, expected ']'");
                if (_text[_pos] == ']') { _pos++; return list; }
                if (_text[_pos] == ',') { _pos++; continue; }
                list.Add(ParseValue());
            }
        }
        if (c is '"' or '\'') return ReadString();
        int start = _pos;
        while (_pos < _text.Length && _text[_pos] is not ('\n' or '\r' or ',' or ';' or '}' or ']' or '#')
               && !(_text[_pos] == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/'))
            _pos++;
        string raw = _text[start.._pos].Trim();
        return Scalar(raw);
    }

    private static object? Scalar(string raw)
    {
        switch (raw.ToLowerInvariant())
        {
            case "true" or "yes" or "on": return true;
            case "false" or "no" or "off": return false;
        }
        if (raw.StartsWith('$')) return new ConfigVariable(raw[1..]);
        if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return l;
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && raw.Contains('.')) return d;
        var size = TryParseSize(raw);
        if (size is not null) return size.Value;
        return raw;
    }

    private static long? TryParseSize(string raw)
    {
        int i = 0;
        while (i < raw.Length && (char.IsDigit(raw[i]) || (i == 0 && raw[i] == '-'))) i++;
        if (i == 0 || i == raw.Length) return null;
        if (!long.TryParse(raw[..i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n)) return null;
        long mult = raw[i..].ToLowerInvariant() switch
        {
            "k" => 1000, "kb" or "ki" or "kib" => 1024,
            "m" => 1000_000, "mb" or "mi" or "mib" => 1024 * 1024,
            "g" => 1000_000_000, "gb" or "gi" or "gib" => 1024L * 1024 * 1024,
            "t" => 1000_000_000_000, "tb" or "ti" or "tib" => 1024L * 1024 * 1024 * 1024,
            _ => 0,
        };
        return mult == 0 ? null : n * mult;
    }

    private string ReadString()
    {
        char q = _text[_pos];
        if (q is not ('"' or '\''))
        {
            int s = _pos;
            while (_pos < _text.Length && !char.IsWhiteSpace(_text[_pos]) && _text[_pos] is not (',' or ';' or '}')) _pos++;
            return _text[s.._pos];
        }
        _pos++;
        var sb = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) throw Error("unexpected EOF in quoted string");
            char c = _text[_pos++];
            if (c == q) return sb.ToString();
            if (c == '\\' && q == '"' && _pos < _text.Length)
            {
                char e = _text[_pos++];
                sb.Append(e switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => e });
                continue;
            }
            sb.Append(c);
        }
    }

    private void SkipSpaceAndComments(bool newlines)
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '\n' && !newlines) return;
            if (char.IsWhiteSpace(c)) { _pos++; continue; }
            if (c == '#' || (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/'))
            {
                while (_pos < _text.Length && _text[_pos] != '\n') _pos++;
                continue;
            }
            return;
        }
    }

    private ConfigException Error(string msg)
    {
        int line = 1, col = 1;
        for (int i = 0; i < _pos && i < _text.Length; i++)
        {
            if (_text[i] == '\n') { line++; col = 1; } else col++;
        }
        return new ConfigException($"{_file}:{line}:{col}: {msg}");
    }

    private static void ResolveVariables(Dictionary<string, object?> map, List<Dictionary<string, object?>> scopes)
    {
        foreach (var key in map.Keys.ToList())
        {
            var v = map[key];
            map[key] = Resolve(v, scopes, map);
        }
    }

    private static object? Resolve(object? v, List<Dictionary<string, object?>> scopes, Dictionary<string, object?> current)
    {
        switch (v)
        {
            case ConfigVariable cv:
                // A bare bcrypt hash ("$2a$...") is a string, not a variable (Go's lookupVariable).
                if (cv.Name.StartsWith("2a$", StringComparison.Ordinal)) return "$" + cv.Name;
                for (int i = scopes.Count - 1; i >= 0; i--)
                {
                    if (scopes[i].TryGetValue(cv.Name, out var found) && found is not ConfigVariable)
                    {
                        UsedVariables.GetOrCreateValue(scopes[i]).Add(cv.Name);
                        return found;
                    }
                }
                var env = Environment.GetEnvironmentVariable(cv.Name);
                if (env is not null) return Scalar(env);
                throw new ConfigException($"variable reference for '{cv.Name}' on line 0 can not be found");
            case Dictionary<string, object?> m:
                scopes.Add(m);
                ResolveVariables(m, scopes);
                scopes.RemoveAt(scopes.Count - 1);
                return m;
            case List<object?> list:
                for (int i = 0; i < list.Count; i++) list[i] = Resolve(list[i], scopes, current);
                return list;
            default:
                return v;
        }
    }

    private sealed record ConfigVariable(string Name);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Dictionary<string, object?>, HashSet<string>> UsedVariables = new();

    /// <summary>Go's token.IsUsedVariable: a key whose value was referenced as a $variable is not an unknown field.</summary>
    public static bool IsUsedVariable(Dictionary<string, object?> map, string key) =>
        UsedVariables.TryGetValue(map, out var used) && used.Contains(key);
}
