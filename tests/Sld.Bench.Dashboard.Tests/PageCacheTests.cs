// Rendered pages are kept per store version so a burst of identical requests costs one render; a write to
// the store (any commit) must make the very next request render afresh, and the token still guards a cached page.
using System.Net;
using Sld.Bench.Dashboard.Hosting;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests;

public sealed class PageCacheTests : IAsyncLifetime
{
    private const string Token = "9f2c4e1a7b3d8e6f0a5c";
    private readonly string _dir = Directory.CreateTempSubdirectory("sldbench-pagecache-").FullName;
    private RunningDashboard _dashboard = default!;

    private string Database => Path.Combine(_dir, "results.db");

    private async Task PlanAsync(string name)
    {
        var file = Path.Combine(_dir, name + ".yaml");
        File.WriteAllText(file, $"seed: 0\nx: 0\nsweep:\n  name: {name}\n  grid:\n    x: [1, 2]\n");
        await using var store = await ResultsStore.OpenAsync(Database);
        await store.UpsertPlanAsync(ExperimentFile.Load(file).Expand());
    }

    public async Task InitializeAsync()
    {
        await PlanAsync("first_sweep");
        _dashboard = await DashboardHost.StartAsync(new DashboardOptions { Database = Database, Urls = ["http://127.0.0.1:0"], AccessToken = Token });
    }

    [Fact]
    public async Task Identical_requests_share_one_render_until_the_store_changes()
    {
        using var http = new HttpClient { BaseAddress = _dashboard.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        var first = await http.GetAsync("grid");
        Assert.False(first.Headers.Contains("Set-Cookie"), "a page that sets a cookie cannot be shared");
        var pages = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.GetStringAsync("grid")));
        Assert.All(pages, p => Assert.Contains("first_sweep", p, StringComparison.Ordinal));
        Assert.Single(pages.Distinct()); // one render served to all

        await PlanAsync("second_sweep");
        var after = await http.GetStringAsync("grid");
        Assert.Contains("second_sweep", after, StringComparison.Ordinal);

        using var anonymous = new HttpClient { BaseAddress = _dashboard.BaseAddress };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("grid")).StatusCode);
    }

    public async Task DisposeAsync()
    {
        await _dashboard.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
