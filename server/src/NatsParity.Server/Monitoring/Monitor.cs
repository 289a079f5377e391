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
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, ulong> _reqStats = new(StringComparer.Ordinal);
    private readonly string _basePath;

    public int Port { get; private set; }
    public string Host { get; }

    private Monitor(NatsServer s, WebApplication app, string host, string basePath)
    {
        _s = s;
        _app = app;
        Host = host;
        _basePath = basePath;
    }

    /// <summary>Go's startMonitoring: listens on http_host (the client host when unset) and http_port (-1 picks one).</summary>
    public static async Task<Monitor> StartAsync(NatsServer s)
    {
        var o = s.Options;
        string host = o.HttpHost.Length > 0 ? o.HttpHost : o.Host;
        int port = o.HttpPort < 0 ? 0 : o.HttpPort;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            bool wildcard = host is "" or "0.0.0.0" or "::";
            k.Listen(wildcard ? IPAddress.IPv6Any : IPAddress.Parse(host == "localhost" ? "127.0.0.1" : host), port);
        });
        var app = builder.Build();
        string basePath = NormalizeBasePath(o.HttpBasePath);
        var m = new Monitor(s, app, host, basePath);
        m.Map();
        await app.StartAsync().ConfigureAwait(false);
        var addr = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        m.Port = new Uri(addr.Replace("[::]", "localhost").Replace("0.0.0.0", "localhost")).Port;
        return m;
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

    private void Map()
    {
        _app.MapGet(PathFor(RootPath), HandleRoot);
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
        Json(HealthzPath, Healthz, indented: false);
    }

    /// <summary>Maps an endpoint: counted in http_req_stats, answered with JSON (or JSONP with callback=), or with the
    /// handler's 400 text for bad options.</summary>
    private void Json(string path, Func<HttpContext, Utf8JsonWriter, string?> write, bool indented = true)
    {
        _app.MapGet(PathFor(path), async ctx =>
        {
            _reqStats.AddOrUpdate(path == SubscriptionszPath ? SubszPath : path, 1, (_, n) => n + 1);
            var buf = new MemoryStream();
            string? error;
            using (var w = new Utf8JsonWriter(buf, indented ? GoJson.Indented : GoJson.Compact)) error = write(ctx, w);
            if (error is not null)
            {
                ctx.Response.StatusCode = error.StartsWith("503:", StringComparison.Ordinal) ? 503 : 400;
                await ctx.Response.WriteAsync(error.StartsWith("503:", StringComparison.Ordinal) ? error[4..] : error).ConfigureAwait(false);
                return;
            }
            await Respond(ctx, buf.ToArray()).ConfigureAwait(false);
        });
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

    private static string? Q(HttpContext ctx, string name) => ctx.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    private static string? DecodeBool(HttpContext ctx, string name, out bool value)
    {
        value = false;
        string? s = Q(ctx, name);
        if (string.IsNullOrEmpty(s)) return null;
        switch (s)
        {
            case "1" or "t" or "T" or "true" or "TRUE" or "True": value = true; return null;
            case "0" or "f" or "F" or "false" or "FALSE" or "False": return null;
            default: return $"Error decoding boolean for '{name}': strconv.ParseBool: parsing \"{s}\": invalid syntax";
        }
    }

    private static string? DecodeInt(HttpContext ctx, string name, out int value)
    {
        value = 0;
        string? s = Q(ctx, name);
        if (string.IsNullOrEmpty(s)) return null;
        return int.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value)
            ? null : $"Error decoding int for '{name}': strconv.Atoi: parsing \"{s}\": invalid syntax";
    }

    private static string? DecodeUInt(HttpContext ctx, string name, out ulong value)
    {
        value = 0;
        string? s = Q(ctx, name);
        if (string.IsNullOrEmpty(s)) return null;
        return ulong.TryParse(s, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value)
            ? null : $"Error decoding uint64 for '{name}': strconv.ParseUint: parsing \"{s}\": invalid syntax";
    }

    internal IReadOnlyDictionary<string, ulong> RequestStats => _reqStats;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static long ResidentMemory()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}
