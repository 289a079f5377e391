using System.Text;

namespace NatsParity.Server.Config;

/// <summary>Token kinds of the conf lexer (Go's conf itemType).</summary>
public enum ItemType
{
    Error, Nil, Eof, Key, Text, String, Bool, Integer, Float, Datetime, ArrayStart, ArrayEnd, MapStart, MapEnd,
    CommentStart, Variable, Include,
}

/// <summary>One token: its kind, text, line and position in the line (Go's conf item).</summary>
public readonly record struct Item(ItemType Type, string Val, int Line, int Pos)
{
    public override string ToString() => $"({Type}, '{Val}', {Line}, {Pos})";
}

/// <summary>
/// The conf format's lexer as a state machine, ported from Go's conf/lex.go: keys separated from values by '=', ':'
/// or whitespace; maps, arrays and '(' ... ')' blocks; '#' and '//' comments; quoted, escaped and bare strings;
/// integers with size suffixes, floats, ISO 8601 datetimes, IP addresses, booleans, $variables and include.
/// </summary>
public sealed class ConfLexer
{
    private delegate StateFn? StateFn(ConfLexer lx);

    private const char Eof = '\0';
    private const char MapStart = '{', MapEnd = '}', KeySepEqual = '=', KeySepColon = ':', ArrayStart = '[', ArrayEnd = ']';
    private const char ArrayValTerm = ',', MapValTerm = ',', CommentHashStart = '#', CommentSlashStart = '/';
    private const char DqStringStart = '"', DqStringEnd = '"', SqStringStart = '\'', SqStringEnd = '\'', OptValTerm = ';';
    private const char TopOptStart = '{', TopOptValTerm = ',', TopOptTerm = '}', BlockStart = '(', BlockEnd = ')';

    private readonly string _input;
    private int _start, _pos, _width, _line = 1;
    private StateFn? _state;
    private readonly Queue<Item> _items = new();
    private readonly List<StateFn> _stack = [];
    private List<string> _stringParts = [];
    private StateFn? _stringStateFn;
    private int _lstart, _ilstart;

    public ConfLexer(string input)
    {
        _input = input;
        _state = LexTop;
    }

    /// <summary>The next token; after an error or EOF the lexer keeps returning EOF.</summary>
    public Item NextItem()
    {
        while (true)
        {
            if (_items.Count > 0) return _items.Dequeue();
            if (_state is null) return new Item(ItemType.Eof, "", _line, 0);
            _state = _state(this);
        }
    }

    private void Push(StateFn s) => _stack.Add(s);

    private StateFn? Pop()
    {
        if (_stack.Count == 0) return Errorf("BUG in lexer: no states to pop.");
        var last = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return last;
    }

    private void Emit(ItemType t)
    {
        string val = string.Concat(_stringParts) + _input[_start.._pos];
        int pos = _pos - _ilstart - val.Length;
        _items.Enqueue(new Item(t, val, _line, pos));
        _start = _pos;
        _ilstart = _lstart;
    }

    private void EmitString()
    {
        string final;
        if (_stringParts.Count > 0)
        {
            final = string.Concat(_stringParts) + _input[_start.._pos];
            _stringParts = [];
        }
        else
        {
            final = _input[_start.._pos];
        }
        int pos = _pos - _ilstart - final.Length;
        _items.Enqueue(new Item(ItemType.String, final, _line, pos));
        _start = _pos;
        _ilstart = _lstart;
    }

    private void AddCurrentStringPart(int offset)
    {
        _stringParts.Add(_input[_start..(_pos - offset)]);
        _start = _pos;
    }

    private StateFn? AddStringPart(string s)
    {
        _stringParts.Add(s);
        _start = _pos;
        return _stringStateFn;
    }

    private bool HasEscapedParts => _stringParts.Count > 0;

    private char Next()
    {
        if (_pos >= _input.Length)
        {
            _width = 0;
            return Eof;
        }
        if (_input[_pos] == '\n')
        {
            _line++;
            _lstart = _pos;
        }
        char r = _input[_pos];
        _width = 1;
        _pos += _width;
        return r;
    }

    private void Ignore()
    {
        _start = _pos;
        _ilstart = _lstart;
    }

    private void Backup()
    {
        _pos -= _width;
        if (_pos < _input.Length && _input[_pos] == '\n') _line--;
    }

    private char Peek()
    {
        char r = Next();
        Backup();
        return r;
    }

    private static string Esc(char c) => c == '\n' ? "\\n" : c == Eof ? "\0" : c.ToString();

    private StateFn? Errorf(string message)
    {
        int pos = _pos - _lstart;
        _items.Enqueue(new Item(ItemType.Error, message, _line, pos));
        return null;
    }

    private static StateFn Skip(StateFn next) => lx =>
    {
        lx.Ignore();
        return next;
    };

    private static bool IsSpace(char r) => r != Eof && char.IsWhiteSpace(r);
    private static bool IsDigit(char r) => r != Eof && char.IsDigit(r);
    private static bool IsNumberSuffix(char r) => r is 'k' or 'K' or 'm' or 'M' or 'g' or 'G' or 't' or 'T' or 'p' or 'P' or 'e' or 'E';
    private static bool IsKeySeparator(char r) => r is KeySepEqual or KeySepColon;
    private static bool IsWhitespace(char r) => r is '\t' or ' ';
    private static bool IsNL(char r) => r is '\n' or '\r';

    // ---- top level ----

    private static StateFn? LexTop(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsSpace(r)) return Skip(LexTop);
        switch (r)
        {
            case TopOptStart:
                lx.Push(LexTop);
                return Skip(LexBlockStart);
            case CommentHashStart:
                lx.Push(LexTop);
                return LexCommentStart;
            case CommentSlashStart:
            {
                char rn = lx.Next();
                if (rn == CommentSlashStart)
                {
                    lx.Push(LexTop);
                    return LexCommentStart;
                }
                lx.Backup();
                goto case Eof;
            }
            case Eof:
                if (lx._pos > lx._start) return lx.Errorf("Unexpected EOF.");
                lx.Emit(ItemType.Eof);
                return null;
        }
        lx.Backup();
        lx.Push(LexTopValueEnd);
        return LexKeyStart;
    }

    private static StateFn? LexTopValueEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == CommentHashStart)
        {
            lx.Push(LexTop);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexTop);
                return LexCommentStart;
            }
            lx.Backup();
            return LexTopValueEnd;
        }
        if (IsWhitespace(r)) return LexTopValueEnd;
        if (IsNL(r) || r == Eof || r == OptValTerm || r == TopOptValTerm || r == TopOptTerm)
        {
            lx.Ignore();
            return LexTop;
        }
        return lx.Errorf($"Expected a top-level value to end with a new line, comment or EOF, but got '{Esc(r)}' instead.");
    }

    private static StateFn? LexBlockStart(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsSpace(r)) return Skip(LexBlockStart);
        switch (r)
        {
            case TopOptStart:
                lx.Push(LexBlockEnd);
                return Skip(LexBlockStart);
            case TopOptTerm:
                lx.Ignore();
                return lx.Pop();
            case CommentHashStart:
                lx.Push(LexBlockStart);
                return LexCommentStart;
            case CommentSlashStart:
            {
                char rn = lx.Next();
                if (rn == CommentSlashStart)
                {
                    lx.Push(LexBlockStart);
                    return LexCommentStart;
                }
                lx.Backup();
                goto case Eof;
            }
            case Eof:
                if (lx._pos > lx._start) return lx.Errorf("Unexpected EOF.");
                lx.Emit(ItemType.Eof);
                return null;
        }
        lx.Backup();
        lx.Push(LexBlockValueEnd);
        return LexKeyStart;
    }

    private static StateFn? LexBlockValueEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == CommentHashStart)
        {
            lx.Push(LexBlockValueEnd);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexBlockValueEnd);
                return LexCommentStart;
            }
            lx.Backup();
            return LexBlockValueEnd;
        }
        if (IsWhitespace(r)) return LexBlockValueEnd;
        if (IsNL(r) || r == OptValTerm || r == TopOptValTerm)
        {
            lx.Ignore();
            return LexBlockStart;
        }
        if (r == TopOptTerm)
        {
            lx.Backup();
            return LexBlockEnd;
        }
        return lx.Errorf($"Expected a block-level value to end with a new line, comment or EOF, but got '{Esc(r)}' instead.");
    }

    private static StateFn? LexBlockEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == CommentHashStart)
        {
            lx.Push(LexBlockStart);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexBlockStart);
                return LexCommentStart;
            }
            lx.Backup();
            return LexBlockEnd;
        }
        if (IsNL(r) || IsWhitespace(r)) return LexBlockEnd;
        if (r == OptValTerm || r == TopOptValTerm)
        {
            lx.Ignore();
            return LexBlockStart;
        }
        if (r == TopOptTerm)
        {
            lx.Ignore();
            return lx.Pop();
        }
        return lx.Errorf($"Expected a block-level to end with a '}}', but got '{Esc(r)}' instead.");
    }

    // ---- keys ----

    private static StateFn? LexKeyStart(ConfLexer lx)
    {
        char r = lx.Peek();
        if (IsKeySeparator(r)) return lx.Errorf($"Unexpected key separator '{Esc(r)}'");
        if (IsSpace(r))
        {
            lx.Next();
            return Skip(LexKeyStart);
        }
        if (r == DqStringStart)
        {
            lx.Next();
            return Skip(LexDubQuotedKey);
        }
        if (r == SqStringStart)
        {
            lx.Next();
            return Skip(LexQuotedKey);
        }
        lx.Ignore();
        lx.Next();
        return LexKey;
    }

    private static StateFn? LexDubQuotedKey(ConfLexer lx) => LexQuotedKeyWith(lx, DqStringEnd, LexDubQuotedKey);

    private static StateFn? LexQuotedKey(ConfLexer lx) => LexQuotedKeyWith(lx, SqStringEnd, LexQuotedKey);

    private static StateFn? LexQuotedKeyWith(ConfLexer lx, char end, StateFn self)
    {
        char r = lx.Peek();
        if (r == end)
        {
            lx.Emit(ItemType.Key);
            lx.Next();
            return Skip(LexKeyEnd);
        }
        if (r == Eof)
        {
            if (lx._pos > lx._start) return lx.Errorf("Unexpected EOF.");
            lx.Emit(ItemType.Eof);
            return null;
        }
        lx.Next();
        return self;
    }

    private StateFn? KeyCheckKeyword(StateFn fallThrough, StateFn? push)
    {
        string key = _input[_start.._pos].ToLowerInvariant();
        if (key == "include")
        {
            Ignore();
            if (push is not null) Push(push);
            return LexIncludeStart;
        }
        Emit(ItemType.Key);
        return fallThrough;
    }

    private static StateFn? LexIncludeStart(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsWhitespace(r)) return Skip(LexIncludeStart);
        lx.Backup();
        return LexInclude;
    }

    private static StateFn? LexIncludeQuotedString(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == SqStringEnd)
        {
            lx.Backup();
            lx.Emit(ItemType.Include);
            lx.Next();
            lx.Ignore();
            return lx.Pop();
        }
        if (r == Eof) return lx.Errorf("Unexpected EOF in quoted include");
        return LexIncludeQuotedString;
    }

    private static StateFn? LexIncludeDubQuotedString(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == DqStringEnd)
        {
            lx.Backup();
            lx.Emit(ItemType.Include);
            lx.Next();
            lx.Ignore();
            return lx.Pop();
        }
        if (r == Eof) return lx.Errorf("Unexpected EOF in double quoted include");
        return LexIncludeDubQuotedString;
    }

    private static StateFn? LexIncludeString(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsNL(r) || r == Eof || r == OptValTerm || r == MapEnd || IsWhitespace(r))
        {
            lx.Backup();
            lx.Emit(ItemType.Include);
            return lx.Pop();
        }
        if (r == SqStringEnd)
        {
            lx.Backup();
            lx.Emit(ItemType.Include);
            lx.Next();
            lx.Ignore();
            return lx.Pop();
        }
        return LexIncludeString;
    }

    private static StateFn? LexInclude(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == SqStringStart)
        {
            lx.Ignore();
            return LexIncludeQuotedString;
        }
        if (r == DqStringStart)
        {
            lx.Ignore();
            return LexIncludeDubQuotedString;
        }
        if (r == ArrayStart) return lx.Errorf("Expected include value but found start of an array");
        if (r == MapStart) return lx.Errorf("Expected include value but found start of a map");
        if (r == BlockStart) return lx.Errorf("Expected include value but found start of a block");
        if (IsDigit(r) || r == '-') return lx.Errorf("Expected include value but found start of a number");
        if (r == '\\') return lx.Errorf("Expected include value but found escape sequence");
        if (IsNL(r)) return lx.Errorf("Expected include value but found new line");
        lx.Backup();
        return LexIncludeString;
    }

    private static StateFn? LexKey(ConfLexer lx)
    {
        char r = lx.Peek();
        if (IsSpace(r)) return lx.KeyCheckKeyword(LexKeyEnd, null);
        if (IsKeySeparator(r) || r == Eof)
        {
            lx.Emit(ItemType.Key);
            return LexKeyEnd;
        }
        lx.Next();
        return LexKey;
    }

    private static StateFn? LexKeyEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsSpace(r)) return Skip(LexKeyEnd);
        if (IsKeySeparator(r)) return Skip(LexValue);
        if (r == Eof)
        {
            lx.Emit(ItemType.Eof);
            return null;
        }
        lx.Backup();
        return LexValue;
    }

    // ---- values ----

    private static StateFn? LexValue(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsWhitespace(r)) return Skip(LexValue);
        if (r == ArrayStart)
        {
            lx.Ignore();
            lx.Emit(ItemType.ArrayStart);
            return LexArrayValue;
        }
        if (r == MapStart)
        {
            lx.Ignore();
            lx.Emit(ItemType.MapStart);
            return LexMapKeyStart;
        }
        if (r == SqStringStart)
        {
            lx.Ignore();
            return LexQuotedString;
        }
        if (r == DqStringStart)
        {
            lx.Ignore();
            lx._stringStateFn = LexDubQuotedString;
            return LexDubQuotedString;
        }
        if (r == '-') return LexNegNumberStart;
        if (r == BlockStart)
        {
            lx.Ignore();
            return LexBlock;
        }
        if (IsDigit(r))
        {
            lx.Backup();
            return LexNumberOrDateOrStringOrIPStart;
        }
        if (r == '.') return lx.Errorf("Floats must start with a digit");
        if (IsNL(r)) return lx.Errorf("Expected value but found new line");
        lx.Backup();
        lx._stringStateFn = LexString;
        return LexString;
    }

    private static StateFn? LexArrayValue(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsSpace(r)) return Skip(LexArrayValue);
        if (r == CommentHashStart)
        {
            lx.Push(LexArrayValue);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexArrayValue);
                return LexCommentStart;
            }
            lx.Backup();
            return lx.Errorf($"Unexpected array value terminator '{ArrayValTerm}'.");
        }
        if (r == ArrayValTerm) return lx.Errorf($"Unexpected array value terminator '{ArrayValTerm}'.");
        if (r == ArrayEnd) return LexArrayEnd;
        lx.Backup();
        lx.Push(LexArrayValueEnd);
        return LexValue;
    }

    private static StateFn? LexArrayValueEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsWhitespace(r)) return Skip(LexArrayValueEnd);
        if (r == CommentHashStart)
        {
            lx.Push(LexArrayValueEnd);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexArrayValueEnd);
                return LexCommentStart;
            }
            lx.Backup();
            return Skip(LexArrayValue);
        }
        if (r == ArrayValTerm || IsNL(r)) return Skip(LexArrayValue);
        if (r == ArrayEnd) return LexArrayEnd;
        return lx.Errorf($"Expected an array value terminator \"{ArrayValTerm}\" or an array terminator \"{ArrayEnd}\", but got '{Esc(r)}' instead.");
    }

    private static StateFn? LexArrayEnd(ConfLexer lx)
    {
        lx.Ignore();
        lx.Emit(ItemType.ArrayEnd);
        return lx.Pop();
    }

    private static StateFn? LexMapKeyStart(ConfLexer lx)
    {
        char r = lx.Peek();
        if (IsKeySeparator(r)) return lx.Errorf($"Unexpected key separator '{Esc(r)}'.");
        if (r == ArrayEnd) return lx.Errorf($"Unexpected array end '{Esc(r)}' processing map.");
        if (IsSpace(r))
        {
            lx.Next();
            return Skip(LexMapKeyStart);
        }
        if (r == MapEnd)
        {
            lx.Next();
            return Skip(LexMapEnd);
        }
        if (r == CommentHashStart)
        {
            lx.Next();
            lx.Push(LexMapKeyStart);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            lx.Next();
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexMapKeyStart);
                return LexCommentStart;
            }
            lx.Backup();
        }
        else if (r == SqStringStart)
        {
            lx.Next();
            return Skip(LexMapQuotedKey);
        }
        else if (r == DqStringStart)
        {
            lx.Next();
            return Skip(LexMapDubQuotedKey);
        }
        else if (r == Eof)
        {
            return lx.Errorf("Unexpected EOF processing map.");
        }
        lx.Ignore();
        lx.Next();
        return LexMapKey;
    }

    private static StateFn? LexMapQuotedKey(ConfLexer lx)
    {
        char r = lx.Peek();
        if (r == Eof) return lx.Errorf("Unexpected EOF processing quoted map key.");
        if (r == SqStringEnd)
        {
            lx.Emit(ItemType.Key);
            lx.Next();
            return Skip(LexMapKeyEnd);
        }
        lx.Next();
        return LexMapQuotedKey;
    }

    private static StateFn? LexMapDubQuotedKey(ConfLexer lx)
    {
        char r = lx.Peek();
        if (r == Eof) return lx.Errorf("Unexpected EOF processing double quoted map key.");
        if (r == DqStringEnd)
        {
            lx.Emit(ItemType.Key);
            lx.Next();
            return Skip(LexMapKeyEnd);
        }
        lx.Next();
        return LexMapDubQuotedKey;
    }

    private static StateFn? LexMapKey(ConfLexer lx)
    {
        char r = lx.Peek();
        if (r == Eof) return lx.Errorf("Unexpected EOF processing map key.");
        if (IsSpace(r)) return lx.KeyCheckKeyword(LexMapKeyEnd, LexMapValueEnd);
        if (IsKeySeparator(r))
        {
            lx.Emit(ItemType.Key);
            return LexMapKeyEnd;
        }
        lx.Next();
        return LexMapKey;
    }

    private static StateFn? LexMapKeyEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsSpace(r)) return Skip(LexMapKeyEnd);
        if (IsKeySeparator(r)) return Skip(LexMapValue);
        lx.Backup();
        return LexMapValue;
    }

    private static StateFn? LexMapValue(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsSpace(r)) return Skip(LexMapValue);
        if (r == MapValTerm) return lx.Errorf($"Unexpected map value terminator \"{MapValTerm}\".");
        if (r == MapEnd) return Skip(LexMapEnd);
        lx.Backup();
        lx.Push(LexMapValueEnd);
        return LexValue;
    }

    private static StateFn? LexMapValueEnd(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsWhitespace(r)) return Skip(LexMapValueEnd);
        if (r == CommentHashStart)
        {
            lx.Push(LexMapValueEnd);
            return LexCommentStart;
        }
        if (r == CommentSlashStart)
        {
            char rn = lx.Next();
            if (rn == CommentSlashStart)
            {
                lx.Push(LexMapValueEnd);
                return LexCommentStart;
            }
            lx.Backup();
            return Skip(LexMapKeyStart);
        }
        if (r == OptValTerm || r == MapValTerm || IsNL(r)) return Skip(LexMapKeyStart);
        if (r == MapEnd) return Skip(LexMapEnd);
        return lx.Errorf($"Expected a map value terminator \"{MapValTerm}\" or a map terminator \"{MapEnd}\", but got '{Esc(r)}' instead.");
    }

    private static StateFn? LexMapEnd(ConfLexer lx)
    {
        lx.Ignore();
        lx.Emit(ItemType.MapEnd);
        return lx.Pop();
    }

    private bool IsBool()
    {
        string str = _input[_start.._pos].ToLowerInvariant();
        return str is "true" or "false" or "on" or "off" or "yes" or "no";
    }

    private bool IsVariable()
    {
        if (_start >= _input.Length) return false;
        if (_input[_start] == '$')
        {
            _start += 1;
            return true;
        }
        return false;
    }

    private static StateFn? LexQuotedString(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == SqStringEnd)
        {
            lx.Backup();
            lx.Emit(ItemType.String);
            lx.Next();
            lx.Ignore();
            return lx.Pop();
        }
        if (r == Eof)
        {
            if (lx._pos > lx._start) return lx.Errorf("Unexpected EOF.");
            lx.Emit(ItemType.Eof);
            return null;
        }
        return LexQuotedString;
    }

    private static StateFn? LexDubQuotedString(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == '\\')
        {
            lx.AddCurrentStringPart(1);
            return LexStringEscape;
        }
        if (r == DqStringEnd)
        {
            lx.Backup();
            lx.EmitString();
            lx.Next();
            lx.Ignore();
            return lx.Pop();
        }
        if (r == Eof)
        {
            if (lx._pos > lx._start) return lx.Errorf("Unexpected EOF.");
            lx.Emit(ItemType.Eof);
            return null;
        }
        return LexDubQuotedString;
    }

    private static StateFn? LexString(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == '\\')
        {
            lx.AddCurrentStringPart(1);
            return LexStringEscape;
        }
        if (IsNL(r) || r == Eof || r == OptValTerm || r == ArrayValTerm || r == ArrayEnd || r == MapEnd || IsWhitespace(r))
        {
            lx.Backup();
            if (lx.HasEscapedParts) lx.EmitString();
            else if (lx.IsBool()) lx.Emit(ItemType.Bool);
            else if (lx.IsVariable()) lx.Emit(ItemType.Variable);
            else lx.EmitString();
            return lx.Pop();
        }
        if (r == SqStringEnd)
        {
            lx.Backup();
            lx.EmitString();
            lx.Next();
            lx.Ignore();
            return lx.Pop();
        }
        return LexString;
    }

    private static StateFn? LexBlock(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == BlockEnd)
        {
            lx.Backup();
            lx.Backup();
            // A ')' ends the block only on a line by itself.
            if (lx.Next() != '\n')
            {
                lx.Next();
                return LexBlock;
            }
            lx.Next();
            char after = lx.Next();
            if (after is '\n' or Eof)
            {
                lx.Backup();
                lx.Backup();
                lx.Emit(ItemType.String);
                lx.Next();
                lx.Ignore();
                return lx.Pop();
            }
            lx.Backup();
        }
        else if (r == Eof)
        {
            return lx.Errorf("Unexpected EOF processing block.");
        }
        return LexBlock;
    }

    private static StateFn? LexStringEscape(ConfLexer lx)
    {
        char r = lx.Next();
        return r switch
        {
            'x' => LexStringBinary,
            't' => lx.AddStringPart("\t"),
            'n' => lx.AddStringPart("\n"),
            'r' => lx.AddStringPart("\r"),
            '"' => lx.AddStringPart("\""),
            '\\' => lx.AddStringPart("\\"),
            _ => lx.Errorf($"Invalid escape character '{Esc(r)}'. Only the following escape characters are allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\."),
        };
    }

    private static StateFn? LexStringBinary(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsNL(r)) return lx.Errorf("Expected two hexadecimal digits after '\\x', but hit end of line");
        r = lx.Next();
        if (IsNL(r)) return lx.Errorf("Expected two hexadecimal digits after '\\x', but hit end of line");
        int offset = lx._pos - 2;
        string hex = lx._input[offset..lx._pos];
        byte[] bytes;
        try { bytes = Convert.FromHexString(hex); }
        catch (FormatException) { return lx.Errorf($"Expected two hexadecimal digits after '\\x', but got '{hex}'"); }
        lx.AddStringPart(Encoding.Latin1.GetString(bytes));
        return lx._stringStateFn;
    }

    private static StateFn? LexNumberOrDateOrStringOrIPStart(ConfLexer lx)
    {
        char r = lx.Next();
        if (!IsDigit(r))
        {
            if (r == '.') return lx.Errorf("Floats must start with a digit, not '.'.");
            return lx.Errorf($"Expected a digit but got '{Esc(r)}'.");
        }
        return LexNumberOrDateOrStringOrIP;
    }

    private static StateFn? LexNumberOrDateOrStringOrIP(ConfLexer lx)
    {
        char r = lx.Next();
        if (r == '-')
        {
            if (lx._pos - lx._start != 5) return lx.Errorf("All ISO8601 dates must be in full Zulu form.");
            return LexDateAfterYear;
        }
        if (IsDigit(r)) return LexNumberOrDateOrStringOrIP;
        if (r == '.') return LexFloatStart;
        if (IsNumberSuffix(r)) return LexConvenientNumber;
        if (!(IsNL(r) || r == Eof || r == MapEnd || r == OptValTerm || r == MapValTerm || IsWhitespace(r) || IsDigit(r)))
        {
            lx._stringStateFn = LexString;
            return LexString;
        }
        lx.Backup();
        lx.Emit(ItemType.Integer);
        return lx.Pop();
    }

    private static StateFn? LexConvenientNumber(ConfLexer lx)
    {
        char r = lx.Next();
        if (r is 'b' or 'B' or 'i' or 'I') return LexConvenientNumber;
        lx.Backup();
        if (IsNL(r) || r == Eof || r == MapEnd || r == OptValTerm || r == MapValTerm || IsWhitespace(r) || IsDigit(r))
        {
            lx.Emit(ItemType.Integer);
            return lx.Pop();
        }
        lx._stringStateFn = LexString;
        return LexString;
    }

    private static StateFn? LexDateAfterYear(ConfLexer lx)
    {
        const string formats = "00-00T00:00:00Z";
        foreach (char f in formats)
        {
            char r = lx.Next();
            if (f == '0')
            {
                if (!IsDigit(r)) return lx.Errorf($"Expected digit in ISO8601 datetime, but found '{Esc(r)}' instead.");
            }
            else if (f != r)
            {
                return lx.Errorf($"Expected '{f}' in ISO8601 datetime, but found '{Esc(r)}' instead.");
            }
        }
        lx.Emit(ItemType.Datetime);
        return lx.Pop();
    }

    private static StateFn? LexNegNumberStart(ConfLexer lx)
    {
        char r = lx.Next();
        if (!IsDigit(r))
        {
            if (r == '.') return lx.Errorf("Floats must start with a digit, not '.'.");
            return lx.Errorf($"Expected a digit but got '{Esc(r)}'.");
        }
        return LexNegNumber;
    }

    private static StateFn? LexNegNumber(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsDigit(r)) return LexNegNumber;
        if (r == '.') return LexFloatStart;
        if (IsNumberSuffix(r)) return LexConvenientNumber;
        lx.Backup();
        lx.Emit(ItemType.Integer);
        return lx.Pop();
    }

    private static StateFn? LexFloatStart(ConfLexer lx)
    {
        char r = lx.Next();
        if (!IsDigit(r)) return lx.Errorf($"Floats must have a digit after the '.', but got '{Esc(r)}' instead.");
        return LexFloat;
    }

    private static StateFn? LexFloat(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsDigit(r)) return LexFloat;
        if (r == '.') return LexIPAddr;
        lx.Backup();
        lx.Emit(ItemType.Float);
        return lx.Pop();
    }

    private static StateFn? LexIPAddr(ConfLexer lx)
    {
        char r = lx.Next();
        if (IsDigit(r) || r == '.' || r == ':' || r == '-') return LexIPAddr;
        lx.Backup();
        lx.Emit(ItemType.String);
        return lx.Pop();
    }

    private static StateFn? LexCommentStart(ConfLexer lx)
    {
        lx.Ignore();
        lx.Emit(ItemType.CommentStart);
        return LexComment;
    }

    private static StateFn? LexComment(ConfLexer lx)
    {
        char r = lx.Peek();
        if (IsNL(r) || r == Eof)
        {
            lx.Emit(ItemType.Text);
            return lx.Pop();
        }
        lx.Next();
        return LexComment;
    }
}
