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
