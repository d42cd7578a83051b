// The dashboard's entry point for `sldbench serve`, `dotnet run` and the tests: checks the bind policy, opens
// the results store read-only, and serves the Blazor app with its embedded assets, the export download
// endpoint and (when configured) the access token in front of everything.
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Radzen;
using Sld.Bench.Dashboard.Components;
using Sld.Bench.Dashboard.Data;

namespace Sld.Bench.Dashboard.Hosting;

public static class DashboardHost
{
    /// <summary>Serves the dashboard until <paramref name="ct"/> is cancelled (Ctrl+C in the CLI).</summary>
    public static async Task RunAsync(DashboardOptions options, CancellationToken ct = default)
    {
        await using var app = Build(options);
        await app.StartAsync(ct);
        foreach (var address in Addresses(app)) app.Logger.LogWarning("sldbench dashboard on {Address} (results: {Database})", address, options.Database);
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        await app.StopAsync(CancellationToken.None);
    }

    /// <summary>Starts the dashboard and returns it with the addresses it listens on (port 0 resolved); dispose to stop.</summary>
    public static async Task<RunningDashboard> StartAsync(DashboardOptions options, CancellationToken ct = default)
    {
        var app = Build(options);
        await app.StartAsync(ct);
        return new RunningDashboard(app, Addresses(app));
    }

    /// <summary>Builds the web application without starting it. Throws when the bind policy is violated.</summary>
    public static WebApplication Build(DashboardOptions options)
    {
        BindPolicy.Validate(options);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(DashboardHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            Args = [],
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new StoreAccess(options.Database));
        builder.Services.AddSingleton<ResultsReader>();
        builder.Services.AddSingleton<ExportTables>();
        builder.Services.AddSingleton<WarmUp>();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents(o => o.DetailedErrors = options.DetailedErrors);
        builder.Services.AddScoped<Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider, NoFormTokens>();
        builder.Services.AddRadzenComponents();
        builder.Services.AddOutputCache(o =>
        {
            o.AddBasePolicy(new PageCachePolicy());
            o.SizeLimit = 64L * 1024 * 1024; // rendered pages kept at most, whatever the store holds
        });

        var app = builder.Build();
        // Load the catalogue as soon as the server listens, then render each kind of page once, so the first
        // page a researcher opens finds the data loaded and the code compiled. (On a pool thread: SQLite's async
        // calls complete synchronously and would hold up the start.)
        var warmUp = app.Services.GetRequiredService<WarmUp>();
        app.Lifetime.ApplicationStarted.Register(() => warmUp.Completed = Task.Run(() => WarmUpAsync(app, options, app.Lifetime.ApplicationStopping)));
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
                                            "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
            await next(context);
        });
        app.UseMiddleware<HostNameFilter>(options.AllowedHosts, options.Urls.All(BindPolicy.IsLoopback));
        if (!string.IsNullOrEmpty(options.AccessToken)) app.UseMiddleware<AccessTokenMiddleware>(options.AccessToken);
        app.UseOutputCache();
        app.UseAntiforgery();
        app.MapEmbeddedAssets();
        app.MapExportDownload();
        // No page posts a form (filters are GET forms, everything else runs over the circuit), so pages need no
        // antiforgery cookie; without it a page is the same for every visitor and the page cache can serve it.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().DisableAntiforgery();
        return app;
    }

    private static async Task WarmUpAsync(WebApplication app, DashboardOptions options, CancellationToken ct)
    {
        var reader = app.Services.GetRequiredService<ResultsReader>();
        await reader.WarmAsync(ct);
        // Only over loopback: a request to ourselves on an exposed address would leave the machine's stack.
        if (Addresses(app).FirstOrDefault(BindPolicy.IsLoopback) is not { } address) return;
        try
        {
            var snapshot = await reader.GetSnapshotAsync(ct);
            var done = snapshot.Runs.Where(r => r.Status == Sld.Bench.Shared.Storage.RunStatus.Done).Take(2).Select(r => r.Id).ToList();
            var testSet = snapshot.TestSets.FirstOrDefault();
            using var http = new HttpClient { BaseAddress = new Uri(address.TrimEnd('/') + "/"), Timeout = TimeSpan.FromMinutes(1) };
            if (!string.IsNullOrEmpty(options.AccessToken)) http.DefaultRequestHeaders.Authorization = new("Bearer", options.AccessToken);
            List<string> pages = ["", "grid", "export"];
            if (done.Count > 0) pages.AddRange([$"runs/{done[0]}?view=overview", $"runs/{done[0]}?view=training", $"runs/{done[0]}?view={Uri.EscapeDataString(testSet ?? "")}"]);
            if (done.Count > 1) pages.Add($"compare?runs={done[0]},{done[1]}");
            foreach (var page in pages)
                using (await http.GetAsync(page, ct)) { }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
        {
            // Warming up is an optimisation; the pages work without it.
        }
    }

    private static IReadOnlyList<string> Addresses(WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
}

/// <summary>
/// No antiforgery token in pages: none posts a form, and a token would set a per-visitor cookie on every page,
/// which makes each response unique and uncacheable.
/// </summary>
internal sealed class NoFormTokens : Microsoft.AspNetCore.Components.Forms.AntiforgeryStateProvider
{
    public override Microsoft.AspNetCore.Components.Forms.AntiforgeryRequestToken? GetAntiforgeryToken() => null;
}

/// <summary>The start-up warm-up (catalogue, one request per page kind); the benchmark waits for it.</summary>
public sealed class WarmUp
{
    public Task Completed { get; internal set; } = Task.CompletedTask;
}

/// <summary>A started dashboard; <see cref="BaseAddress"/> is its first address.</summary>
public sealed class RunningDashboard(WebApplication app, IReadOnlyList<string> addresses) : IAsyncDisposable
{
    public IReadOnlyList<string> Addresses { get; } = addresses;

    public Uri BaseAddress => new(Addresses[0].TrimEnd('/') + "/");

    public IServiceProvider Services => app.Services;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
