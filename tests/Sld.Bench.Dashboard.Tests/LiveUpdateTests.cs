// The leaderboard follows a sweep while it runs: a dashboard over its own store (every run pending) is open
// in Chromium while a worker claims a run, records its evaluation and finishes it; the page shows the new
// status and WER without a reload. Also the empty states of a store that has no run yet.
using Microsoft.Playwright;
using Sld.Bench.Dashboard.Hosting;
using Sld.Bench.Dashboard.Tests.Fixtures;
using Sld.Bench.Dashboard.Tests.Seeding;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests;

public sealed class LiveUpdateTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sldbench-live-").FullName;
    private IPlaywright _playwright = default!;
    private IBrowser _browser = default!;

    private string Database => Path.Combine(_dir, "results.db");

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task Leaderboard_follows_a_running_sweep()
    {
        var sweep = new SyntheticSweep("live", [("loss.strategy", "[lm, sld]")]) { Seeds = 1, TestSets = ["test-clean"], Running = 0, Failed = 0, Pending = 2 };
        await SyntheticResults.WriteThroughStoreAsync(Database, [sweep], _dir);
        await using var dashboard = await DashboardHost.StartAsync(new DashboardOptions
        {
            Database = Database, Urls = ["http://127.0.0.1:0"], PollInterval = TimeSpan.FromMilliseconds(300),
        });
        var page = await _browser.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await page.GotoAsync(dashboard.BaseAddress.ToString());
        await page.WaitForSelectorAsync("body[data-interactive=true]");
        Assert.Equal(2, await page.Locator("#leaderboard .sb-status-pending").CountAsync());

        await using var store = await ResultsStore.OpenAsync(Database);
        var claim = await store.ClaimNextAsync((await store.ListSweepsAsync()).Single().Id) ?? throw new InvalidOperationException("nothing to claim");
        await page.WaitForSelectorAsync("#leaderboard .sb-status-running");
        await store.RecordEvaluationAsync(claim.RunId, new EvaluationRecord("test-clean", 8, 1, 1, 0, 40, 2, 1, 0, 2, 1, "none", "{}"), []);
        await store.MarkDoneAsync(claim);
        // (1 + 1 + 0) / 10 reference words.
        await page.WaitForSelectorAsync("#leaderboard td.sb-metric:has-text('20.00')");
        Assert.Equal(1, await page.Locator("#leaderboard .sb-status-done").CountAsync());
        Assert.Equal(1, await page.Locator("#leaderboard .sb-status-pending").CountAsync());
    }

    [Fact]
    public async Task A_store_without_runs_says_how_to_fill_it()
    {
        await using (await ResultsStore.OpenAsync(Database))
        {
            // Created and migrated, no sweep yet.
        }
        await using var dashboard = await DashboardHost.StartAsync(new DashboardOptions { Database = Database, Urls = ["http://127.0.0.1:0"] });
        using var http = new HttpClient { BaseAddress = dashboard.BaseAddress };
        foreach (var path in new[] { "", "grid", "export", "compare" })
        {
            var html = await http.GetStringAsync(path);
            Assert.Contains("sb-empty", html);
        }
        Assert.Contains("sldbench sweep run experiments/demo.yaml", await http.GetStringAsync("export"));
    }
}
