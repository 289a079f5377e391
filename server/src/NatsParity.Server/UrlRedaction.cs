namespace NatsParity.Server;

/// <summary>Go's redactURLString and redactURLList: a URL's password shown as "xxxxx" wherever a URL is logged or
/// reported.</summary>
public static class UrlRedaction
{
    private const string Hidden = "xxxxx";

    /// <summary>The URL with its password, if any, replaced; anything without one (or not a URL) as given.</summary>
    public static string RedactUrlString(string raw)
    {
        if (!raw.Contains('@')) return raw;
        int scheme = raw.IndexOf("://", StringComparison.Ordinal);
        if (scheme <= 0) return raw;
        int authStart = scheme + 3;
        int authEnd = raw.IndexOfAny(['/', '?', '#'], authStart);
        if (authEnd < 0) authEnd = raw.Length;
        int at = raw.LastIndexOf('@', authEnd - 1, authEnd - authStart);
        if (at < 0) return raw;
        int colon = raw.IndexOf(':', authStart, at - authStart);
        if (colon < 0) return raw;
        return string.Concat(raw.AsSpan(0, colon + 1), Hidden, raw.AsSpan(at));
    }

    /// <summary>The URLs, those with a password replaced by redacted copies; the same list when none has one.</summary>
    public static IReadOnlyList<Uri?> RedactUrlList(IReadOnlyList<Uri?> urls)
    {
        if (!urls.Any(u => u is not null && u.UserInfo.Contains(':'))) return urls;
        return urls.Select(u => u is null || !u.UserInfo.Contains(':') ? u : new Uri(RedactUrlString(u.OriginalString))).ToList();
    }
}
