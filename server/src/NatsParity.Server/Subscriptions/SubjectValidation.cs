namespace NatsParity.Server.Subscriptions;

/// <summary>Subject rules as Go's sublist.go: tokens split on '.', '*' and '>' as whole tokens, '>' only last.</summary>
public static class SubjectValidation
{
    /// <summary>A valid subscription subject (wildcards allowed); Go's IsValidSubject.</summary>
    public static bool IsValidSubject(string subject) => IsValidSubject(subject, checkRunes: false);

    /// <summary>Go's isValidSubject; with <paramref name="checkRunes"/> embedded NULs and invalid UTF-8 are refused too.</summary>
    public static bool IsValidSubject(string subject, bool checkRunes)
    {
        if (subject.Length == 0) return false;
        if (checkRunes && (subject.Contains('\0') || subject.Contains('\uFFFD'))) return false;
        bool sawFwc = false;
        foreach (var t in subject.Split('.'))
        {
            if (t.Length == 0 || sawFwc) return false;
            if (t.Length > 1)
            {
                if (t.AsSpan().IndexOfAny("\t\n\f\r ") >= 0) return false;
                continue;
            }
            switch (t[0])
            {
                case '>': sawFwc = true; break;
                case ' ' or '\t' or '\n' or '\r' or '\f': return false;
            }
        }
        return true;
    }

    /// <summary>Go's IsValidLiteralSubject on bytes: no empty tokens and no wildcard tokens.</summary>
    public static bool IsValidLiteralSubject(ReadOnlySpan<byte> subject)
    {
        int start = 0;
        for (int i = 0; i <= subject.Length; i++)
        {
            if (i < subject.Length && subject[i] != '.') continue;
            int len = i - start;
            if (len == 0) return false;
            if (len == 1 && subject[start] is (byte)'*' or (byte)'>') return false;
            start = i + 1;
        }
        return true;
    }

    /// <summary>Go's tokenAt: the 1-based token at <paramref name="index"/>, or "".</summary>
    public static string TokenAt(string subject, int index)
    {
        var tokens = subject.Split('.');
        return index >= 1 && index <= tokens.Length ? tokens[index - 1] : "";
    }

    /// <summary>Go's subjectIsSubsetMatch: whether every subject <paramref name="subject"/> matches is matched by <paramref name="test"/>.</summary>
    public static bool IsSubsetMatch(string subject, string test) => IsSubsetMatchTokenized(subject.Split('.'), test.Split('.'));

    private static bool IsSubsetMatchTokenized(string[] tokens, string[] test)
    {
        for (int i = 0; i < test.Length; i++)
        {
            if (i >= tokens.Length) return false;
            string t2 = test[i];
            if (t2.Length == 0) return false;
            if (t2 == ">") return true;
            string t1 = tokens[i];
            if (t1.Length == 0 || t1 == ">") return false;
            if (t1 == "*")
            {
                if (t2 != "*") return false;
                continue;
            }
            if (t2[0] != '*' && t1 != t2) return false;
        }
        return tokens.Length == test.Length;
    }

    /// <summary>Go's SubjectsCollide: whether some literal subject could match both.</summary>
    public static bool SubjectsCollide(string subj1, string subj2)
    {
        if (subj1 == subj2) return true;
        var toks1 = subj1.Split('.');
        var toks2 = subj2.Split('.');
        var (pwc1, fwc1) = Analyze(toks1);
        var (pwc2, fwc2) = Analyze(toks2);
        bool l1 = !(pwc1 || fwc1), l2 = !(pwc2 || fwc2);
        if (l1 && l2) return false;
        if (l1 && !l2) return IsSubsetMatchTokenized(toks1, toks2);
        if (l2 && !l1) return IsSubsetMatchTokenized(toks2, toks1);
        if (!fwc1 && !fwc2 && toks1.Length != toks2.Length) return false;
        if (toks1.Length != toks2.Length && ((toks1.Length < toks2.Length && !fwc1) || (toks2.Length < toks1.Length && !fwc2))) return false;
        int stop = Math.Min(toks1.Length, toks2.Length);
        for (int i = 0; i < stop; i++)
        {
            string t1 = toks1[i], t2 = toks2[i];
            if (t1.Length == 0 || t2.Length == 0) return false;
            bool wild = t1[0] is '*' or '>' || t2[0] is '*' or '>';
            if (!wild && t1 != t2) return false;
        }
        return true;
    }

    private static (bool Pwc, bool Fwc) Analyze(string[] tokens) => (tokens.Contains("*"), tokens.Contains(">"));

    /// <summary>Go's subjectIsLiteral: no '*' or '>' standing as a whole token.</summary>
    public static bool SubjectIsLiteral(string subject)
    {
        for (int i = 0; i < subject.Length; i++)
        {
            char c = subject[i];
            if (c is '*' or '>' && (i == 0 || subject[i - 1] == '.') && (i + 1 == subject.Length || subject[i + 1] == '.'))
                return false;
        }
        return true;
    }

    /// <summary>Go's IsValidPublishSubject: valid and literal.</summary>
    public static bool IsValidPublishSubject(string subject) => IsValidSubject(subject) && SubjectIsLiteral(subject);

    public static bool IsValidLiteralSubject(string subject) =>
        IsValidLiteralSubject(System.Text.Encoding.UTF8.GetBytes(subject));

    /// <summary>Whether literal <paramref name="literal"/> is matched by <paramref name="pattern"/> (Go's matchLiteral).</summary>
    public static bool MatchLiteral(string literal, string pattern)
    {
        int li = 0;
        int ll = literal.Length;
        for (int i = 0; i < pattern.Length; i++)
        {
            if (li >= ll) return false;
            char b = pattern[i];
            switch (b)
            {
                case '*':
                    if ((i == 0 || pattern[i - 1] == '.') && (i == pattern.Length - 1 || pattern[i + 1] == '.'))
                    {
                        while (li < ll && literal[li] != '.') li++;
                        continue;
                    }
                    break;
                case '>':
                    if ((i == 0 || pattern[i - 1] == '.') && i == pattern.Length - 1) return true;
                    break;
            }
            if (b != literal[li]) return false;
            li++;
        }
        return li == ll;
    }
}
