// A sweep whose only axis is 10,000 seeds once made the grid page build 10^8 cells (222 s, 22.7 GB) and the
// start-up warm-up requested that page by itself. Every page now bounds what it builds: the grid shows at
// most MaxRows x MaxColumns cells per page and says which part it shows, whatever the axes.
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sld.Bench.Dashboard.Data;
using Sld.Bench.Dashboard.Hosting;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests;

public sealed class LargeAxisTests : IAsyncLifetime
{
    private const int Seeds = 10_000;
    private readonly string _dir = Directory.CreateTempSubdirectory("sldbench-largeaxis-").FullName;
    private RunningDashboard _dashboard = default!;

    private string Database => Path.Combine(_dir, "results.db");

    public async Task InitializeAsync()
    {
        var file = Path.Combine(_dir, "seeds.yaml");
        File.WriteAllText(file, $"seed: 0\ntrain: {{lr: 0.001}}\nsweep:\n  name: many_seeds\n  seeds: range(0, {Seeds})\n");
        await using (var store = await ResultsStore.OpenAsync(Database))
            await store.UpsertPlanAsync(ExperimentFile.Load(file).Expand());
        _dashboard = await DashboardHost.StartAsync(new DashboardOptions { Database = Database, Urls = ["http://127.0.0.1:0"] });
        await _dashboard.Services.GetRequiredService<WarmUp>().Completed.WaitAsync(TimeSpan.FromMinutes(2));
    }

    [Theory]
    [InlineData("grid")]
    [InlineData("grid?sweep=many_seeds&rows=seed&cols=seed")]
    [InlineData("grid?sweep=many_seeds&rows=seed&cols=seed&rowpage=199&colpage=5")]
    [InlineData("grid?sweep=many_seeds&rows=seed&cols=seed&rowpage=100000&colpage=-3")]
    public async Task The_grid_of_a_ten_thousand_value_axis_is_one_bounded_page(string path)
    {
        using var http = new HttpClient { BaseAddress = _dashboard.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var watch = Stopwatch.StartNew();
        var response = await http.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"{path} took {watch.Elapsed}");
        Assert.True(html.Length < 2_000_000, $"{path} is {html.Length:N0} characters");
        Assert.Contains($"of {Seeds}", html, StringComparison.Ordinal);
        var cells = html.Split("class=\"sb-cell\"").Length - 1;
        Assert.InRange(cells, 1, GridQuery.MaxRows * GridQuery.MaxColumns);
    }

    public async Task DisposeAsync()
    {
        await _dashboard.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
