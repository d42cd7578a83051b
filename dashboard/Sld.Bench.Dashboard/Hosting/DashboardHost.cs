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
        builder.Services.AddRazorComponents().AddInteractiveServerComponents(o => o.DetailedErrors = options.DetailedErrors);
        builder.Services.AddRadzenComponents();

        var app = builder.Build();
        // Load the catalogue as soon as the server listens, so the first page a researcher opens finds it ready.
        app.Lifetime.ApplicationStarted.Register(() => _ = app.Services.GetRequiredService<ResultsReader>().WarmAsync(app.Lifetime.ApplicationStopping));
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
        if (!string.IsNullOrEmpty(options.AccessToken)) app.UseMiddleware<AccessTokenMiddleware>(options.AccessToken);
        app.UseAntiforgery();
        app.MapEmbeddedAssets();
        app.MapExportDownload();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static IReadOnlyList<string> Addresses(WebApplication app) =>
        [.. app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []];
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
