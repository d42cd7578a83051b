// A page that follows the store while a sweep runs: once interactive it asks for the store's version stamp
// every poll interval (a few indexed aggregates) and reloads its data only when the stamp changed.
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using Sld.Bench.Dashboard.Data;
using Sld.Bench.Dashboard.Hosting;

namespace Sld.Bench.Dashboard.Components.Shared;

public abstract class LivePage : ComponentBase, IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private StoreVersion? _seen;

    [Inject] protected ResultsReader Reader { get; set; } = default!;

    [Inject] protected DashboardOptions Options { get; set; } = default!;

    /// <summary>When the data on screen was last loaded (UTC).</summary>
    protected DateTime LoadedAt { get; private set; }

    /// <summary>Loads (or reloads) everything the page shows.</summary>
    protected abstract Task LoadAsync(CancellationToken ct);

    protected override async Task OnParametersSetAsync()
    {
        _seen = await Reader.GetVersionAsync(_stop.Token);
        await LoadAsync(_stop.Token);
        LoadedAt = DateTime.UtcNow;
    }

    [Inject] private IJSRuntime JS { get; set; } = default!;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender) return;
        _ = PollAsync();
        try
        {
            await JS.InvokeVoidAsync("sldbench.ready");
        }
        catch (JSDisconnectedException)
        {
            // The page was closed before it became interactive.
        }
    }

    private async Task PollAsync()
    {
        using var timer = new PeriodicTimer(Options.PollInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                var version = await Reader.GetVersionAsync(_stop.Token);
                if (version == _seen) continue;
                _seen = version;
                await InvokeAsync(async () =>
                {
                    await LoadAsync(_stop.Token);
                    LoadedAt = DateTime.UtcNow;
                    StateHasChanged();
                });
            }
        }
        catch (OperationCanceledException)
        {
            // The page was closed.
        }
    }

    public void Dispose()
    {
        // Not disposed: the poll loop may still be between ticks and reads the token once more.
        _stop.Cancel();
        GC.SuppressFinalize(this);
    }
}
