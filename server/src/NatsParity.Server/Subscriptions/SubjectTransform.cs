using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace NatsParity.Server.Subscriptions;

/// <summary>A subject transform error with Go's texts: <see cref="Error"/> is the sentinel (e.g.
/// <see cref="SubjectTransform.ErrMappingDestinationInvalidArg"/>), the message adds " in &lt;token&gt;" as Go's
/// mappingDestinationErr does.</summary>
public sealed class SubjectTransformException(string error, string token = "") : Exception(token.Length == 0 ? error : $"{error} in {token}")
{
    public string Error { get; } = error;
    public string Token { get; } = token;

    /// <summary>Go's errors.Is: every mapping destination error is also an ErrInvalidMappingDestination.</summary>
    public bool Is(string sentinel) =>
        sentinel == Error || (sentinel == SubjectTransform.ErrInvalidMappingDestination && Error.StartsWith(SubjectTransform.ErrInvalidMappingDestination, StringComparison.Ordinal));
}

/// <summary>Subject mapping: a source pattern and a destination with $n / {{function(...)}} tokens (Go's
/// subjectTransform in subject_transform.go), used by account mappings and wildcard imports.</summary>
public sealed class SubjectTransform
{
    public const string ErrBadSubject = "invalid subject";
    public const string ErrNoTransforms = "no matching transforms available";
    public const string ErrInvalidMappingDestination = "invalid mapping destination";
    public const string ErrMappingDestinationNotUsingAllWildcards = ErrInvalidMappingDestination + ": not using all of the token wildcard(s)";
    public const string ErrUnknownMappingDestinationFunction = ErrInvalidMappingDestination + ": unknown function";
    public const string ErrInvalidMappingDestinationSubject = ErrInvalidMappingDestination + ": invalid transform";
    public const string ErrMappingDestinationIndexOutOfRange = ErrInvalidMappingDestination + ": wildcard index out of range";
    public const string ErrMappingDestinationNotEnoughArgs = ErrInvalidMappingDestination + ": not enough arguments passed to the function";
    public const string ErrMappingDestinationInvalidArg = ErrInvalidMappingDestination + ": function argument is invalid or in the wrong format";
    public const string ErrMappingDestinationTooManyArgs = ErrInvalidMappingDestination + ": too many arguments passed to the function";
    public const string ErrMappingDestinationNotSupportedForImport = ErrInvalidMappingDestination + ": the only mapping function allowed for import transforms is {{Wildcard()}}";

    public enum Kind : short { NoTransform, BadTransform, Partition, Wildcard, SplitFromLeft, SplitFromRight, SliceFromLeft, SliceFromRight, Split, Left, Right, Random }

    private static readonly Regex CommaSeparator = new(@",\s*", RegexOptions.Compiled);
    private static Regex Fn(string name) => new(@"{{\s*" + name + @"\s*\((.*)\)\s*}}", RegexOptions.Compiled);
    private static readonly Regex PartitionFn = Fn("[pP]artition");
    private static readonly Regex WildcardFn = Fn("[wW]ildcard");
    private static readonly Regex SplitFromLeftFn = Fn("[sS]plit[fF]rom[lL]eft");
    private static readonly Regex SplitFromRightFn = Fn("[sS]plit[fF]rom[rR]ight");
    private static readonly Regex SliceFromLeftFn = Fn("[sS]lice[fF]rom[lL]eft");
    private static readonly Regex SliceFromRightFn = Fn("[sS]lice[fF]rom[rR]ight");
    private static readonly Regex SplitFn = Fn("[sS]plit");
    private static readonly Regex LeftFn = Fn("[lL]eft");
    private static readonly Regex RightFn = Fn("[rR]ight");
    private static readonly Regex RandomFn = Fn("[rR]andom");

    /// <summary>Go's ValidateMapping: the destination's tokens are non-empty with '>' only last and no spaces, its
    /// mustache tokens name a mapping function, and a transform can be made from <paramref name="src"/> to it; a
    /// <see cref="SubjectTransformException"/> otherwise.</summary>
    public static void ValidateMapping(string src, string dest)
    {
        if (dest.Length == 0) return;
        bool sfwc = false;
        foreach (var t in dest.Split('.'))
        {
            if (t.Length == 0 || sfwc) throw new SubjectTransformException(ErrInvalidMappingDestinationSubject, t);
            if (t.Length > 4 && t.StartsWith("{{", StringComparison.Ordinal) && t.EndsWith("}}", StringComparison.Ordinal))
            {
                // Go's list here leaves out left() and right().
                if (!PartitionFn.IsMatch(t) && !WildcardFn.IsMatch(t) && !SplitFromLeftFn.IsMatch(t) && !SplitFromRightFn.IsMatch(t)
                    && !SliceFromLeftFn.IsMatch(t) && !SliceFromRightFn.IsMatch(t) && !SplitFn.IsMatch(t) && !RandomFn.IsMatch(t))
                    throw new SubjectTransformException(ErrUnknownMappingDestinationFunction, t);
                continue;
            }
            if (t == ">") sfwc = true;
            else if (t.AsSpan().IndexOfAny("\t\n\f\r ") >= 0) throw new SubjectTransformException(ErrInvalidMappingDestinationSubject);
        }
        Create(src, dest);
    }

    public string Source { get; }
    public string Destination { get; }
    private readonly string[] _dtoks, _stoks;
    private readonly Kind[] _types;
    private readonly int[][] _indexes;
    private readonly int[] _intArgs;
    private readonly string[] _stringArgs;

    private SubjectTransform(string src, string dest, string[] dtoks, string[] stoks, List<Kind> types, List<int[]> idx, List<int> ints, List<string> strs)
    {
        Source = src;
        Destination = dest;
        _dtoks = dtoks;
        _stoks = stoks;
        _types = [.. types];
        _indexes = [.. idx];
        _intArgs = [.. ints];
        _stringArgs = [.. strs];
    }

    public static SubjectTransform? Create(string src, string dest) => Create(src, dest, strict: false);
    public static SubjectTransform? CreateStrict(string src, string dest) => Create(src, dest, strict: true);

    /// <summary>Go's NewSubjectTransformWithStrict; null for an empty destination, <see cref="SubjectTransformException"/> on errors.
    /// Strict (imports) allows only wildcard functions and requires every source wildcard to be used.</summary>
    public static SubjectTransform? Create(string src, string dest, bool strict)
    {
        if (dest.Length == 0) return null;
        if (src.Length == 0) src = ">";
        var (sv, stokens, npwcs, hasFwc) = SubjectInfo(src);
        var (dv, dtokens, dnpwcs, dHasFwc) = SubjectInfo(dest);
        if (!sv || !dv || dnpwcs > 0 || hasFwc != dHasFwc) throw new SubjectTransformException(ErrBadSubject);

        var types = new List<Kind>();
        var idx = new List<int[]>();
        var ints = new List<int>();
        var strs = new List<string>();
        if (npwcs > 0 || hasFwc)
        {
            var sti = new Dictionary<int, int>();
            for (int i = 0; i < stokens.Length; i++)
                if (stokens[i] == "*") sti[sti.Count + 1] = i;
            int nphs = 0;
            foreach (var token in dtokens)
            {
                var (type, wildcardIndexes, intArg, strArg) = IndexPlaceHolders(token);
                if (strict && type != Kind.NoTransform && type != Kind.Wildcard)
                    throw new SubjectTransformException(ErrMappingDestinationNotSupportedForImport, token);
                if (type == Kind.NoTransform)
                {
                    types.Add(Kind.NoTransform); idx.Add([-1]); ints.Add(-1); strs.Add("");
                }
                else if (type == Kind.Random)
                {
                    types.Add(Kind.Random); idx.Add([]); ints.Add(intArg); strs.Add("");
                }
                else
                {
                    nphs += wildcardIndexes.Length;
                    var stis = new int[wildcardIndexes.Length];
                    for (int k = 0; k < wildcardIndexes.Length; k++)
                    {
                        int wi = wildcardIndexes[k];
                        if (wi > npwcs) throw new SubjectTransformException(ErrMappingDestinationIndexOutOfRange, $"{token}: [{wi}]");
                        stis[k] = sti.TryGetValue(wi, out int si) ? si : 0;
                    }
                    types.Add(type); idx.Add(stis); ints.Add(intArg); strs.Add(strArg);
                }
            }
            if (strict && nphs < npwcs) throw new SubjectTransformException(ErrMappingDestinationNotUsingAllWildcards, dest);
        }
        else
        {
            foreach (var token in dtokens)
            {
                var (type, _, intArg, _) = IndexPlaceHolders(token);
                if (type == Kind.NoTransform) { types.Add(Kind.NoTransform); idx.Add([-1]); ints.Add(-1); strs.Add(""); }
                else if (type is Kind.Random or Kind.Partition) { types.Add(type); idx.Add([]); ints.Add(intArg); strs.Add(""); }
                else throw new SubjectTransformException(ErrMappingDestinationIndexOutOfRange, token);
            }
        }
        return new SubjectTransform(src, dest, dtokens, stokens, types, idx, ints, strs);
    }

    private static string[]? FunctionArgs(Regex fn, string token)
    {
        var m = fn.Match(token);
        return m.Success ? CommaSeparator.Split(m.Groups[1].Value) : null;
    }

    private static bool TryInt(string s, out int v) => int.TryParse(s.Trim(' '), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v);

    private static (Kind, int[], int, string) IndexIntArgs(string token, string[] args, Kind kind)
    {
        if (args.Length < 2) throw new SubjectTransformException(ErrMappingDestinationNotEnoughArgs, token);
        if (args.Length > 2) throw new SubjectTransformException(ErrMappingDestinationTooManyArgs, token);
        if (!TryInt(args[0], out int i)) throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
        if (!TryInt(args[1], out int n)) throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
        return (kind, [i], n, "");
    }

    /// <summary>Go's indexPlaceHolders: the function of one destination token and its arguments.</summary>
    public static (Kind Type, int[] Indexes, int IntArg, string StringArg) IndexPlaceHolders(string token)
    {
        int length = token.Length;
        if (length > 1)
        {
            if (token[0] == '$')
            {
                return int.TryParse(token.AsSpan(1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int tp)
                    ? (Kind.Wildcard, [tp], -1, "")
                    : (Kind.NoTransform, [-1], -1, "");
            }
            if (length > 4 && token[0] == '{' && token[1] == '{' && token[^2] == '}' && token[^1] == '}')
            {
                if (FunctionArgs(WildcardFn, token) is { } wa)
                {
                    if (wa.Length == 1 && wa[0].Length == 0) throw new SubjectTransformException(ErrMappingDestinationNotEnoughArgs, token);
                    if (wa.Length != 1) throw new SubjectTransformException(ErrMappingDestinationTooManyArgs, token);
                    if (!TryInt(wa[0], out int ti)) throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
                    return (Kind.Wildcard, [ti], -1, "");
                }
                if (FunctionArgs(PartitionFn, token) is { } pa)
                {
                    if (!long.TryParse(pa[0].Trim(' '), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long np) || np > int.MaxValue)
                        throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
                    if (pa.Length == 1) return (Kind.Partition, [], (int)np, "");
                    var indexes = new int[pa.Length - 1];
                    for (int k = 1; k < pa.Length; k++)
                        if (!TryInt(pa[k], out indexes[k - 1])) throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
                    return (Kind.Partition, indexes, (int)np, "");
                }
                if (FunctionArgs(SplitFromLeftFn, token) is { } a1) return IndexIntArgs(token, a1, Kind.SplitFromLeft);
                if (FunctionArgs(SplitFromRightFn, token) is { } a2) return IndexIntArgs(token, a2, Kind.SplitFromRight);
                if (FunctionArgs(SliceFromLeftFn, token) is { } a3) return IndexIntArgs(token, a3, Kind.SliceFromLeft);
                if (FunctionArgs(SliceFromRightFn, token) is { } a4) return IndexIntArgs(token, a4, Kind.SliceFromRight);
                if (FunctionArgs(RightFn, token) is { } a5) return IndexIntArgs(token, a5, Kind.Right);
                if (FunctionArgs(LeftFn, token) is { } a6) return IndexIntArgs(token, a6, Kind.Left);
                if (FunctionArgs(SplitFn, token) is { } sa)
                {
                    if (sa.Length < 2) throw new SubjectTransformException(ErrMappingDestinationNotEnoughArgs, token);
                    if (sa.Length > 2) throw new SubjectTransformException(ErrMappingDestinationTooManyArgs, token);
                    if (!TryInt(sa[0], out int si)) throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
                    if (sa[1].Contains(' ') || sa[1].Contains('.')) throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
                    return (Kind.Split, [si], -1, sa[1]);
                }
                if (FunctionArgs(RandomFn, token) is { } ra)
                {
                    if (ra.Length != 1) throw new SubjectTransformException(ErrMappingDestinationNotEnoughArgs, token);
                    if (!long.TryParse(ra[0].Trim(' '), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long max) || max > int.MaxValue)
                        throw new SubjectTransformException(ErrMappingDestinationInvalidArg, token);
                    return (Kind.Random, [], (int)max, "");
                }
                throw new SubjectTransformException(ErrUnknownMappingDestinationFunction, token);
            }
        }
        return (Kind.NoTransform, [-1], -1, "");
    }

    /// <summary>Go's transformTokenize: "foo.*.*" becomes "foo.$1.$2".</summary>
    public static string Tokenize(string subject)
    {
        int i = 1;
        return string.Join('.', subject.Split('.').Select(t => t == "*" ? $"${i++}" : t));
    }

    /// <summary>Go's transformUntokenize: placeholders back to "*", with the placeholders in order.</summary>
    public static (string Subject, List<string> Placeholders) Untokenize(string subject)
    {
        var phs = new List<string>();
        var nda = new List<string>();
        foreach (var token in subject.Split('.'))
        {
            var args = FunctionArgs(WildcardFn, token);
            if ((token.Length > 1 && token[0] == '$' && token[1] is >= '1' and <= '9') || (args is { Length: 1 } && args[0].Length > 0))
            {
                phs.Add(token);
                nda.Add("*");
            }
            else nda.Add(token);
        }
        return (string.Join('.', nda), phs);
    }

    /// <summary>Go's Match: the transformed subject when the literal <paramref name="subject"/> matches the source.</summary>
    public string Match(string subject)
    {
        if (Source is ">" or "" && Destination is ">" or "") return subject;
        var tts = subject.Split('.');
        foreach (var t in tts)
            if (t.Length == 0 || t == "*" || t == ">") throw new SubjectTransformException(ErrBadSubject);
        if (Source is "" or ">" || SubjectValidation.IsSubsetMatch(subject, Source)) return TransformTokenized(tts);
        throw new SubjectTransformException(ErrNoTransforms);
    }

    public string TransformSubject(string subject) => TransformTokenized(subject.Split('.'));

    private static string HashPartition(ReadOnlySpan<byte> key, int buckets)
    {
        if (buckets == 0) return "0";
        uint h = 2166136261;
        foreach (byte b in key) { h ^= b; h *= 16777619; }
        return (h % (uint)buckets).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Go's TransformTokenizedSubject.</summary>
    public string TransformTokenized(string[] tokens)
    {
        if (_types.Length == 0) return Destination;
        var b = new StringBuilder();
        int li = _types.Length - 1;
        for (int i = 0; i < _types.Length; i++)
        {
            var type = _types[i];
            if (type == Kind.NoTransform)
            {
                if (_dtoks[i] == ">") break;
                b.Append(_dtoks[i]);
            }
            else
            {
                switch (type)
                {
                    case Kind.Partition:
                        string key = _indexes[i].Length > 0 ? string.Concat(_indexes[i].Select(t => tokens[t])) : string.Join('.', tokens);
                        b.Append(HashPartition(Encoding.UTF8.GetBytes(key), _intArgs[i]));
                        break;
                    case Kind.Wildcard:
                        if (_indexes[i].Length >= 1 && tokens.Length > _indexes[i][0]) b.Append(tokens[_indexes[i][0]]);
                        break;
                    case Kind.SplitFromLeft:
                    {
                        string st = tokens[_indexes[i][0]];
                        int pos = _intArgs[i];
                        if (pos > 0 && pos < st.Length) b.Append(st, 0, pos).Append('.').Append(st, pos, st.Length - pos);
                        else b.Append(st);
                        break;
                    }
                    case Kind.SplitFromRight:
                    {
                        string st = tokens[_indexes[i][0]];
                        int pos = _intArgs[i];
                        if (pos > 0 && pos < st.Length) b.Append(st, 0, st.Length - pos).Append('.').Append(st, st.Length - pos, pos);
                        else b.Append(st);
                        break;
                    }
                    case Kind.SliceFromLeft:
                    {
                        string st = tokens[_indexes[i][0]];
                        int size = _intArgs[i];
                        if (size > 0 && size < st.Length)
                        {
                            for (int k = 0; k + size <= st.Length; k += size)
                            {
                                if (k != 0) b.Append('.');
                                b.Append(st, k, size);
                                if (k + size != st.Length && k + size + size > st.Length)
                                {
                                    b.Append('.').Append(st, k + size, st.Length - k - size);
                                    break;
                                }
                            }
                        }
                        else b.Append(st);
                        break;
                    }
                    case Kind.SliceFromRight:
                    {
                        string st = tokens[_indexes[i][0]];
                        int size = _intArgs[i];
                        if (size > 0 && size < st.Length)
                        {
                            int rem = st.Length % size;
                            if (rem > 0) b.Append(st, 0, rem).Append('.');
                            for (int k = rem; k + size <= st.Length; k += size)
                            {
                                b.Append(st, k, size);
                                if (k + size < st.Length) b.Append('.');
                            }
                        }
                        else b.Append(st);
                        break;
                    }
                    case Kind.Split:
                    {
                        string st = tokens[_indexes[i][0]];
                        var splits = st.Split(_stringArgs[i]);
                        for (int j = 0; j < splits.Length; j++)
                        {
                            if (splits[j].Length > 0) b.Append(splits[j]);
                            if (j < splits.Length - 1 && splits[j + 1].Length > 0 && !(j == 0 && splits[j].Length == 0)) b.Append('.');
                        }
                        break;
                    }
                    case Kind.Left:
                    {
                        string st = tokens[_indexes[i][0]];
                        int size = _intArgs[i];
                        b.Append(size > 0 && size < st.Length ? st[..size] : st);
                        break;
                    }
                    case Kind.Right:
                    {
                        string st = tokens[_indexes[i][0]];
                        int size = _intArgs[i];
                        b.Append(size > 0 && size < st.Length ? st[^size..] : st);
                        break;
                    }
                    case Kind.Random:
                        b.Append(_intArgs[i] == 0 ? "0" : (Random.Shared.Next() % _intArgs[i]).ToString(CultureInfo.InvariantCulture));
                        break;
                }
            }
            if (i < li) b.Append('.');
        }
        if (_dtoks[^1] == ">")
        {
            int sli = tokens.Length - 1;
            for (int i = _stoks.Length - 1; i < tokens.Length; i++)
            {
                b.Append(tokens[i]);
                if (i < sli) b.Append('.');
            }
        }
        return b.ToString();
    }

    /// <summary>Go's reverse: the transform that maps destination subjects back to source ones.</summary>
    public SubjectTransform? Reverse()
    {
        if (_indexes.Length == 0) return CreateStrict(Destination, Source);
        var (nsrc, phs) = Untokenize(Destination);
        var nda = new List<string>();
        int p = 0;
        foreach (var token in _stoks)
        {
            if (token == "*")
            {
                if (p >= phs.Count) return null;
                nda.Add(phs[p++]);
            }
            else nda.Add(token);
        }
        try { return CreateStrict(nsrc, string.Join('.', nda)); }
        catch (SubjectTransformException) { return null; }
    }

    /// <summary>Go's subjectInfo: valid, tokens, number of '*' and whether it ends with '>'.</summary>
    private static (bool Valid, string[] Tokens, int Pwcs, bool Fwc) SubjectInfo(string subject)
    {
        if (subject.Length == 0) return (false, [], 0, false);
        int npwcs = 0;
        bool fwc = false;
        var tokens = subject.Split('.');
        foreach (var t in tokens)
        {
            if (t.Length == 0 || fwc) return (false, [], 0, false);
            if (t.Length > 1) continue;
            if (t[0] == '>') fwc = true;
            else if (t[0] == '*') npwcs++;
        }
        return (true, tokens, npwcs, fwc);
    }
}
