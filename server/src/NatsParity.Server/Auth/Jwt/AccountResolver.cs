using System.Collections.Concurrent;

namespace NatsParity.Server.Auth.Jwt;

/// <summary>Where an operator-mode server finds account JWTs (Go's AccountResolver).</summary>
public interface IAccountResolver
{
    /// <summary>The account's JWT, or null when it is not known.</summary>
    string? Fetch(string name);

    /// <summary>Stores (or replaces) an account's JWT.</summary>
    void Store(string name, string jwt);

    /// <summary>Go's IsReadOnly: preloads cannot be stored.</summary>
    bool IsReadOnly => false;

    /// <summary>Go's IsTrackingUpdate: the resolver answers claim updates itself (the nats-based resolvers).</summary>
    bool IsTrackingUpdate => false;

    /// <summary>Go's Start: called once the server's system account and events run.</summary>
    void Start(NatsServer server) { }

    /// <summary>Go's Reload: the resolver re-reads what it keeps.</summary>
    void Reload() { }

    /// <summary>Go's Close.</summary>
    void Close() { }
}

/// <summary>Go's MemAccResolver (resolver: MEMORY): account JWTs held in memory, filled by resolver_preload or by
/// the program embedding the server.</summary>
public sealed class MemoryAccountResolver : IAccountResolver
{
    private readonly ConcurrentDictionary<string, string> _jwts = new(StringComparer.Ordinal);

    public string? Fetch(string name) => _jwts.TryGetValue(name, out var jwt) ? jwt : null;

    public void Store(string name, string jwt) => _jwts[name] = jwt;
}

/// <summary>Go's URLAccResolver (resolver: URL(...)): account JWTs fetched over HTTP(S) from a base URL with the
/// account's public key appended; read only.</summary>
public sealed class UrlAccountResolver : IAccountResolver
{
    /// <summary>Go's DEFAULT_ACCOUNT_FETCH_TIMEOUT.</summary>
    public static readonly TimeSpan DefaultFetchTimeout = TimeSpan.FromSeconds(1.9);

    private readonly HttpClient _http;

    public UrlAccountResolver(string url, HttpMessageHandler? handler = null)
    {
        Url = url.EndsWith('/') ? url : url + "/";
        // Each fetch carries its own deadline, so the timeout may change after the first request.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public string Url { get; }

    /// <summary>The time a fetch may take.</summary>
    public TimeSpan Timeout { get; set; } = DefaultFetchTimeout;

    /// <summary>The last fetch error (Go's "could not fetch ..."), for logging.</summary>
    public string? LastError { get; private set; }

    public string? Fetch(string name)
    {
        string url = Url + name;
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            using var req = new HttpRequestMessage(HttpMethod.Get, url);
            // Go's HTTP client: credentials in the URL are sent as basic auth.
            var uri = req.RequestUri!;
            if (uri.UserInfo.Length > 0)
            {
                string[] up = uri.UserInfo.Split(':', 2);
                string user = Uri.UnescapeDataString(up[0]), pass = up.Length > 1 ? Uri.UnescapeDataString(up[1]) : "";
                req.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                    Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{user}:{pass}")));
            }
            using var resp = _http.SendAsync(req, cts.Token).GetAwaiter().GetResult();
            if (!resp.IsSuccessStatusCode)
            {
                LastError = $"could not fetch <\"{UrlRedaction.RedactUrlString(url)}\">: {(int)resp.StatusCode} {resp.ReasonPhrase}";
                return null;
            }
            return resp.Content.ReadAsStringAsync(cts.Token).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            LastError = $"could not fetch <\"{UrlRedaction.RedactUrlString(url)}\">: {UrlRedaction.RedactUrlString(e.Message)}";
            return null;
        }
    }

    public bool IsReadOnly => true;

    /// <summary>Go: the URL resolver does not store.</summary>
    public void Store(string name, string jwt) => throw new InvalidOperationException("store operation not supported for URL Resolver");
}
