using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NatsParity.Server.Accounts;
using NatsParity.Server.Clients;

namespace NatsParity.Server.Monitoring;

/// <summary>The HTTP monitoring port (Go's monitor.go) on Kestrel: varz, connz, subsz, healthz, accountz, accstatz and
/// the endpoints of subsystems this server does not run (routes, gateways, leafnodes, JetStream), answered as Go does
/// when they are not configured.</summary>
public sealed partial class Monitor : IAsyncDisposable
{
    public const string RootPath = "/", VarzPath = "/varz", ConnzPath = "/connz", RoutezPath = "/routez", GatewayzPath = "/gatewayz",
        LeafzPath = "/leafz", SubszPath = "/subsz", SubscriptionszPath = "/subscriptionsz", AccountzPath = "/accountz",
        AccountStatzPath = "/accstatz", JszPath = "/jsz", HealthzPath = "/healthz", RaftzPath = "/raftz", ExpvarzPath = "/debug/vars",
        IPQueuesPath = "/ipqueuesz", StackszPath = "/stacksz";

    private readonly NatsServer _s;
    private WebApplication? _app;
    private readonly ConcurrentDictionary<string, ulong> _reqStats = new(StringComparer.Ordinal);
    private string _basePath = "/";

    public int Port { get; private set; }
    public string Host { get; private set; } = "";

    /// <summary>The endpoints of <paramref name="s"/>, answered over HTTP once <see cref="StartHttpAsync"/> runs and to
    /// system account requests always.</summary>
    internal Monitor(NatsServer s) => _s = s;

    /// <summary>Go's startMonitoring: listens on http_host (the client host when unset) on the HTTP or, with
    /// <paramref name="secure"/>, the HTTPS port (-1 picks one), serving the client port's certificate as it is at each
    /// handshake (a reload changes it) and asking for no client certificate.</summary>
    internal async Task StartHttpAsync(bool secure)
    {
        var o = _s.Options;
        string host = o.HttpHost.Length > 0 ? o.HttpHost : o.Host;
        int configured = secure ? o.HttpsPort : o.HttpPort;
        int port = configured < 0 ? 0 : configured;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // As Go's monitoring http.Server: no read or write timeout (a slow reader of a large connz is not cut off),
            // 5s to read a request's headers, which may take up to 1MB.
            k.Limits.MinRequestBodyDataRate = null;
            k.Limits.MinResponseDataRate = null;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(5);
            k.Limits.MaxRequestHeadersTotalSize = 1 << 20;
            bool wildcard = host is "" or "0.0.0.0" or "::";
            k.Listen(wildcard ? IPAddress.IPv6Any : IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port, lo =>
            {
                if (secure)
                {
                    lo.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, name) => _s.MonitorCertificate(name),
                    });
                }
            });
        });
        var app = builder.Build();
        Host = host;
        Secure = secure;
        _basePath = NormalizeBasePath(o.HttpBasePath);
        Map(app);
        await app.StartAsync().ConfigureAwait(false);
        _app = app;
        var addr = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(addr.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost")).Port;
    }

    /// <summary>True when the monitoring port speaks HTTPS.</summary>
    public bool Secure { get; private set; }

    public bool HttpRunning => _app is not null;

    /// <summary>The running HTTP server's limits (its timeouts among them); null when it is not running.</summary>
    internal Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerLimits? HttpLimits =>
        _app?.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits;

    /// <summary>One endpoint's JSON (compact) for the given options, or the error text Go gives for bad ones.</summary>
    internal (byte[]? Json, string? Error) Render(string endpoint, MonitorQuery q)
    {
        Func<MonitorQuery, Utf8JsonWriter, string?> write = endpoint switch
        {
            VarzPath => Varz, ConnzPath => Connz, RoutezPath => Routez, GatewayzPath => Gatewayz, LeafzPath => Leafz,
            SubszPath => Subsz, AccountzPath => Accountz, AccountStatzPath => AccountStatz, JszPath => Jsz, HealthzPath => Healthz,
            IPQueuesPath => Ipqueuesz,
            _ => throw new ArgumentException(endpoint),
        };
        var buf = new MemoryStream();
        string? error;
        using (var w = new Utf8JsonWriter(buf, GoJson.Compact)) error = write(q, w);
        return error is null ? (buf.ToArray(), null) : (null, error);
    }

    /// <summary>Go's normalizeBasePath.</summary>
    private static string NormalizeBasePath(string p)
    {
        if (p.Length == 0) return "/";
        if (p[0] != '/') p = "/" + p;
        p = p.TrimEnd('/');
        return p.Length == 0 ? "/" : p;
    }

    private string PathFor(string endpoint) => _basePath == "/" ? endpoint : _basePath + endpoint;

    private void Map(WebApplication app)
    {
        app.MapGet(PathFor(RootPath), HandleRoot);
        void Json(string path, Func<MonitorQuery, Utf8JsonWriter, string?> write, bool indented = true, int indent = 2) => MapJson(app, path, write, indented, indent);
        Json(VarzPath, Varz);
        Json(ConnzPath, Connz);
        Json(RoutezPath, Routez);
        Json(GatewayzPath, Gatewayz);
        Json(LeafzPath, Leafz);
        Json(SubszPath, Subsz);
        Json(SubscriptionszPath, Subsz);
        Json(AccountzPath, Accountz);
        Json(AccountStatzPath, AccountStatz);
        Json(JszPath, Jsz);
        app.MapGet(PathFor(HealthzPath), async ctx =>
        {
            _reqStats.AddOrUpdate(HealthzPath, 1, (_, n) => n + 1);
            var buf = new MemoryStream();
            string? error, failure;
            int code;
            using (var w = new Utf8JsonWriter(buf, GoJson.Compact)) error = WriteHealthz(MonitorQuery.From(ctx), w, withCode: false, out code, out failure);
            if (error is not null)
            {
                await RespondError(ctx, error).ConfigureAwait(false);
                return;
            }
            if (failure is not null) _s.Logger.Warn(failure);
            // Go's handleResponse: the health's status code on plain JSON (no JSONP).
            ctx.Response.StatusCode = code;
            ctx.Response.ContentType = "application/json";
            ctx.Response.Headers["Access-Control-Allow-Origin"] = "*";
            await ctx.Response.Body.WriteAsync(buf.ToArray()).ConfigureAwait(false);
        });
        Json(IPQueuesPath, Ipqueuesz, indented: true, indent: 3);
        app.MapGet(PathFor(StackszPath), async ctx =>
        {
            _reqStats.AddOrUpdate(StackszPath, 1, (_, n) => n + 1);
            await Respond(ctx, Encoding.UTF8.GetBytes(HandleStacksz())).ConfigureAwait(false);
        });
        app.MapGet(PathFor(RaftzPath), async ctx =>
        {
            // Go's HandleRaftz on a server without JetStream clustering: no Raft nodes.
            _reqStats.AddOrUpdate(RaftzPath, 1, (_, n) => n + 1);
            ctx.Response.StatusCode = 404;
            await ctx.Response.WriteAsync("No Raft nodes registered").ConfigureAwait(false);
        });
    }

    /// <summary>Maps an endpoint: counted in http_req_stats, answered with JSON (or JSONP with callback=), or with the
    /// handler's 400 text for bad options.</summary>
    private void MapJson(WebApplication app, string path, Func<MonitorQuery, Utf8JsonWriter, string?> write, bool indented, int indent)
    {
        app.MapGet(PathFor(path), async ctx =>
        {
            _reqStats.AddOrUpdate(path == SubscriptionszPath ? SubszPath : path, 1, (_, n) => n + 1);
            var buf = new MemoryStream();
            string? error;
            var wopts = indented ? GoJson.Indented : GoJson.Compact;
            if (indented && indent != 2) wopts.IndentSize = indent;
            using (var w = new Utf8JsonWriter(buf, wopts)) error = write(MonitorQuery.From(ctx), w);
            if (error is not null)
            {
                await RespondError(ctx, error).ConfigureAwait(false);
                return;
            }
            await Respond(ctx, buf.ToArray()).ConfigureAwait(false);
        });
    }

    /// <summary>A handler's refusal: 400 (503 for a "503:" text) with the text, which Go writes after WriteHeader and
    /// net/http sniffs as plain text.</summary>
    private static async Task RespondError(HttpContext ctx, string error)
    {
        bool unavailable = error.StartsWith("503:", StringComparison.Ordinal);
        ctx.Response.StatusCode = unavailable ? 503 : 400;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(unavailable ? error[4..] : error).ConfigureAwait(false);
    }

    /// <summary>Go's ResponseHandler: JSON, or JSONP when a callback is named; any origin may read it.</summary>
    private static async Task Respond(HttpContext ctx, byte[] data)
    {
        ctx.Response.Headers["Access-Control-Allow-Origin"] = "*";
        string? callback = ctx.Request.Query["callback"];
        if (!string.IsNullOrEmpty(callback))
        {
            ctx.Response.ContentType = "application/javascript";
            await ctx.Response.WriteAsync($"{callback}({Encoding.UTF8.GetString(data)})").ConfigureAwait(false);
            return;
        }
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(data).ConfigureAwait(false);
    }

    private async Task HandleRoot(HttpContext ctx)
    {
        _reqStats.AddOrUpdate(RootPath, 1, (_, n) => n + 1);
        var sb = new StringBuilder();
        sb.Append("<html lang=\"en\">\n<head><title>natsparity-server</title></head>\n<body>\n");
        sb.Append($"<h1>natsparity-server v{NatsServer.Version}</h1>\n");
        foreach (var (label, path) in new[]
                 {
                     ("General", VarzPath), ("JetStream", JszPath), ("Connections", ConnzPath), ("Accounts", AccountzPath),
                     ("Account Stats", AccountStatzPath), ("Subscriptions", SubszPath), ("Routes", RoutezPath),
                     ("LeafNodes", LeafzPath), ("Gateways", GatewayzPath), ("Health Probe", HealthzPath),
                 })
        {
            sb.Append($"<a href=.{PathFor(path)}>{label}</a><br/>\n");
        }
        sb.Append("</body>\n</html>");
        ctx.Response.ContentType = "text/html; charset=utf-8";
        await ctx.Response.WriteAsync(sb.ToString()).ConfigureAwait(false);
    }

    // ---- query decoding, as Go's decodeBool/decodeInt/... with their 400 texts ----

    private static string? Q(MonitorQuery q, string name) => q.Get(name);

    private static string? DecodeBool(MonitorQuery q, string name, out bool value)
    {
        value = false;
        string? s = Q(q, name);
        if (string.IsNullOrEmpty(s)) return null;
        switch (s)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True": value = true; return null;
            case "0" or "f" or "F" or "false" or "FALSE" or "False": return null;
            default: return $"Error decoding boolean for '{name}': strconv.ParseBool: parsing \"{s}\": invalid syntax";
        }
    }

    private static string? DecodeInt(MonitorQuery q, string name, out int value)
    {
        string? err = DecodeLong(q, name, out long l);
        value = (int)Math.Clamp(l, int.MinValue, int.MaxValue);
        return err;
    }

    /// <summary>Go's strconv.Atoi on a 64-bit platform.</summary>
    private static string? DecodeLong(MonitorQuery q, string name, out long value)
    {
        value = 0;
        string? s = Q(q, name);
        if (string.IsNullOrEmpty(s)) return null;
        if (long.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value))
            return null;
        string digits = s.StartsWith('-') || s.StartsWith('+') ? s[1..] : s;
        string why = digits.Length > 0 && digits.All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
        return $"Error decoding int for '{name}': strconv.Atoi: parsing \"{s}\": {why}";
    }

    private static string? DecodeUInt(MonitorQuery q, string name, out ulong value)
    {
        value = 0;
        string? s = Q(q, name);
        if (string.IsNullOrEmpty(s)) return null;
        return ulong.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            ? null : $"Error decoding uint64 for '{name}': strconv.ParseUint: parsing \"{s}\": invalid syntax";
    }

    internal IReadOnlyDictionary<string, ulong> RequestStats => _reqStats;

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _app = null;
    }

    /// <summary>Go's HandleStacksz dumps every goroutine's stack. .NET cannot walk other threads' stacks from inside
    /// the process, so this lists every thread of the process with its state, then the full managed stack of the
    /// thread answering.</summary>
    private static string HandleStacksz()
    {
        var sb = new StringBuilder();
        using var p = Process.GetCurrentProcess();
        foreach (ProcessThread t in p.Threads)
        {
            string state;
            try { state = t.ThreadState == System.Diagnostics.ThreadState.Wait ? $"wait: {t.WaitReason}" : t.ThreadState.ToString().ToLowerInvariant(); }
            catch (InvalidOperationException) { state = "gone"; }
            string cpu;
            try { cpu = $", {t.TotalProcessorTime.TotalMilliseconds:0}ms cpu"; }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { cpu = ""; }
            sb.Append("thread ").Append(t.Id).Append(" [").Append(state).Append(cpu).Append("]:\n\n");
        }
        sb.Append("thread ").Append(Environment.CurrentManagedThreadId).Append(" [running, managed]:\n");
        sb.Append(new StackTrace(true).ToString());
        return sb.ToString();
    }

    internal static long ResidentMemory()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}

/// <summary>The options of one monitoring request: an HTTP query string, or the JSON body of a system account request
/// translated to the query names.</summary>
public sealed class MonitorQuery
{
    private readonly Func<string, string?> _get;

    private MonitorQuery(Func<string, string?> get) => _get = get;

    public string? Get(string name) => _get(name);

    public static readonly MonitorQuery Empty = new(_ => null);

    public static MonitorQuery From(HttpContext ctx) =>
        new(name => ctx.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null);

    public static MonitorQuery From(IReadOnlyDictionary<string, string> values) =>
        new(name => values.TryGetValue(name, out var v) ? v : null);
}
