// Rendered pages kept per store version, so 200 people opening the same page at once cost one render, not 200
// (on a 2-core machine a page render is 10-50 ms of CPU; 200 of them queue for seconds). A page is cached by
// its path and query and the store's version (SQLite: its data_version, which every commit changes), so any
// write to the store makes the next request render afresh (PostgreSQL: pages live at most PollInterval); concurrent requests for a page being rendered wait for that render (output-cache locking). Only
// successful GETs that set no cookie are kept; the token check and the Host filter run before the cache.
using Microsoft.AspNetCore.OutputCaching;
using Sld.Bench.Dashboard.Data;

namespace Sld.Bench.Dashboard.Hosting;

public sealed class PageCachePolicy : IOutputCachePolicy
{
    /// <summary>How long a rendered page may be served for one store version (a newer version replaces it sooner).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    // The circuit, the framework's scripts and downloads have their own handling; pages are what is rendered.
    private static readonly string[] Uncached = ["/_blazor", "/_framework", "/_content", ExportDownload.Path];

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var request = context.HttpContext.Request;
        var cacheable = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (cacheable && Uncached.Any(p => request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))) cacheable = false;
        context.EnableOutputCaching = cacheable;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        if (!cacheable) return;
        var reader = context.HttpContext.RequestServices.GetRequiredService<ResultsReader>();
        var version = await reader.GetVersionAsync(cancellation);
        var commits = reader.DataVersion;
        context.CacheVaryByRules.QueryKeys = "*";
        context.CacheVaryByRules.VaryByValues["store"] = $"{version}/{commits}";
        context.ResponseExpirationTimeSpan = commits >= 0 ? Lifetime : context.HttpContext.RequestServices.GetRequiredService<DashboardOptions>().PollInterval;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var response = context.HttpContext.Response;
        if (response.StatusCode != StatusCodes.Status200OK || response.Headers.ContainsKey("Set-Cookie")) context.AllowCacheStorage = false;
        return ValueTask.CompletedTask;
    }
}
