// The pages as a researcher uses them, in Debian's Chromium driven by Playwright: open each page, sort and
// filter the leaderboard, group it over seeds, click a grid cell through to its run, filter the utterances.
// Each test saves a full-page screenshot under TestResults/screenshots.
using Microsoft.Playwright;
using Sld.Bench.Dashboard.Tests.Fixtures;
using Sld.Bench.Testing;

namespace Sld.Bench.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class BrowserTests(DashboardServer server) : IAsyncLifetime
{
    private IPlaywright _playwright = default!;
    private IBrowser _browser = default!;
    private IPage _page = default!;

    public static string ScreenshotDirectory => Path.Combine(RepoPaths.Root, "tests", "Sld.Bench.Dashboard.Tests", "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
        _page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 }, AcceptDownloads = true });
        _page.SetDefaultTimeout(15_000);
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private async Task OpenAsync(string path)
    {
        await _page.GotoAsync(new Uri(server.BaseAddress, path).ToString());
        // Interactive once the circuit is up: the page marks the body after its first interactive render.
        await _page.WaitForSelectorAsync("body[data-interactive=true]");
    }

    private Task ShotAsync(string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        return _page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });
    }

    private Task<IReadOnlyList<string>> ColumnAsync(int index) =>
        _page.Locator($"#leaderboard tbody tr td:nth-child({index})").AllInnerTextsAsync();

    [Fact]
    public async Task Leaderboard_sorts_filters_and_groups()
    {
        await OpenAsync("");
        await ShotAsync("leaderboard");
        var rows = await _page.Locator("#leaderboard tbody tr").CountAsync();
        Assert.Equal(15, rows); // 12 + 3 runs, all in plan
        var metricColumn = await _page.Locator("#leaderboard thead th").CountAsync();
        var values = (await ColumnAsync(metricColumn)).Where(v => v != "—").Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(values.Order(), values);

        await _page.ClickAsync("button[data-sort=metric]");
        await _page.WaitForSelectorAsync("th[aria-sort=descending]");
        var descending = (await ColumnAsync(metricColumn)).Where(v => v != "—").Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(descending.OrderDescending(), descending);
        Assert.Contains("desc=true", _page.Url);

        await _page.FillAsync("#lb-filter", "loss.strategy=sld");
        await _page.WaitForFunctionAsync("() => document.querySelectorAll('#leaderboard tbody tr').length === 4");
        Assert.All(await _page.Locator("#leaderboard tbody tr").AllInnerTextsAsync(), t => Assert.Contains("sld", t));

        await _page.FillAsync("#lb-filter", "");
        await _page.SelectOptionAsync("#lb-sweep", "sld_vs_lm");
        await _page.ClickAsync("#lb-over-seeds");
        await _page.WaitForFunctionAsync("() => document.querySelectorAll('#leaderboard tbody tr').length === 6");
        var text = await _page.InnerTextAsync("#leaderboard");
        Assert.Contains("±", text);
        await ShotAsync("leaderboard-grouped");
    }

    [Fact]
    public async Task Grid_cell_opens_its_run()
    {
        await OpenAsync("grid?sweep=sld_vs_lm");
        Assert.Equal(3, await _page.Locator("#sweep-grid tbody tr").CountAsync());
        Assert.Equal(6, await _page.Locator("#sweep-grid td.sb-cell a").CountAsync());
        await ShotAsync("grid");
        var cell = _page.Locator("#sweep-grid td.sb-cell[data-row=sld][data-col='4'] a");
        var href = await cell.GetAttributeAsync("href");
        await cell.ClickAsync();
        await _page.WaitForURLAsync(u => u.Contains("/runs/", StringComparison.Ordinal));
        Assert.EndsWith(href!, _page.Url.Split('?')[0]);
        await _page.WaitForSelectorAsync("text=loss.strategy=sld");
        Assert.Contains("model.layers=4", await _page.InnerTextAsync(".sb-axes"));
    }

    [Fact]
    public async Task Run_page_shows_training_and_error_analysis()
    {
        var run = server.Store.XssRunId;
        await OpenAsync($"runs/{run}?view=training");
        await _page.WaitForSelectorAsync("[data-chart=loss] svg");
        Assert.Contains("loss/ce", await _page.InnerTextAsync("[data-chart=loss]"));
        await ShotAsync("run-training");

        await OpenAsync($"runs/{run}?view=test-clean");
        Assert.Contains("%WER", await _page.InnerTextAsync("#summary"));
        var all = await _page.Locator("#utterances tbody tr").CountAsync();
        Assert.True(all > 0);
        Assert.True(await _page.Locator("#utterances .w-s, #utterances .w-d, #utterances .w-i").CountAsync() > 0);
        await ShotAsync("run-test-clean");

        await _page.ClickAsync("#only-errors");
        await _page.WaitForURLAsync(u => u.Contains("errors=true", StringComparison.Ordinal));
        var errors = await _page.Locator("#utterances tbody tr td:nth-child(4)").AllInnerTextsAsync();
        Assert.All(errors, e => Assert.True(int.Parse(e, System.Globalization.CultureInfo.InvariantCulture) > 0));

        await OpenAsync($"runs/{run}?view=overview");
        Assert.Contains("codebook_usage", await _page.InnerTextAsync("body"));
        await ShotAsync("run-overview");
    }

    [Fact]
    public async Task Compare_two_cells_from_the_leaderboard()
    {
        await OpenAsync("?sweep=sld_vs_lm&filter=status%3Ddone&sort=run");
        var boxes = _page.Locator("#leaderboard tbody input[type=checkbox]");
        await boxes.Nth(0).CheckAsync();
        await boxes.Nth(1).CheckAsync();
        await _page.ClickAsync("#lb-compare");
        await _page.WaitForURLAsync(u => u.Contains("/compare?runs=", StringComparison.Ordinal));
        await _page.WaitForSelectorAsync("#compare-table");
        var table = await _page.InnerTextAsync("#compare-table");
        Assert.Contains("(baseline)", table);
        Assert.Contains("Δ WER (points)", table);
        Assert.Matches(@"\d+ / \d+ / \d+", await _page.Locator("td[data-changes]").Last.InnerTextAsync());
        Assert.Matches(@"^\[[+−-]?\d+\.\d\d, [+−-]?\d+\.\d\d\]", await _page.Locator("td[data-ci]").Last.InnerTextAsync());
        Assert.Matches(@"^(< 0\.001|[01]\.\d{3})", await _page.Locator("td[data-mapsswe]").Last.InnerTextAsync());
        Assert.True(await _page.Locator("#changed tbody tr").CountAsync() > 0);
        await ShotAsync("compare");
        await _page.ClickAsync("a[data-change=degraded]");
        await _page.WaitForSelectorAsync("#changed[data-showing=degraded]");
        foreach (var cell in await _page.Locator("#changed tbody tr td:nth-child(2)").AllInnerTextsAsync())
        {
            var parts = cell.Split('→', StringSplitOptions.TrimEntries);
            Assert.True(int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) > int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Export_previews_and_downloads_a_table()
    {
        await OpenAsync("export?sweep=sld_vs_lm&rows=loss.strategy&cols=model.layers");
        await _page.SelectOptionAsync("#ex-baseline", "loss.strategy=lm,model.layers=2");
        await _page.SelectOptionAsync("#ex-test", "mapsswe");
        await _page.ClickAsync("#ex-show");
        await _page.WaitForURLAsync(u => u.Contains("baseline=", StringComparison.Ordinal));
        await _page.WaitForSelectorAsync("#export-preview .sb-caption:has-text('MAPSSWE')"); // the marks follow the table
        Assert.Equal(3, await _page.Locator("#export-preview tbody tr").CountAsync());
        Assert.Equal(2, await _page.Locator("#export-preview td.sb-best").CountAsync());
        Assert.Contains("MAPSSWE", await _page.InnerTextAsync("#export-preview .sb-caption"));
        Assert.Contains("\\toprule", await _page.InnerTextAsync("#export-text"));
        await ShotAsync("export");

        await _page.ClickAsync("a[data-format=markdown]");
        await _page.WaitForURLAsync(u => u.Contains("format=markdown", StringComparison.Ordinal));
        await _page.WaitForSelectorAsync("text=|---|---|---|");
        var download = await _page.RunAndWaitForDownloadAsync(() => _page.ClickAsync("#export-download"));
        Assert.Equal("sld_vs_lm-loss.strategy-by-model.layers-wer-test-clean.md", download.SuggestedFilename);
        var file = Path.Combine(Path.GetTempPath(), "sldbench-export-" + Guid.NewGuid().ToString("N")[..8] + ".md");
        await download.SaveAsAsync(file);
        var markdown = await File.ReadAllTextAsync(file);
        File.Delete(file);
        Assert.StartsWith("## sld\\_vs\\_lm: WER (%) on test-clean", markdown);
        Assert.Contains("matched-pairs sentence-segment word error test (MAPSSWE", markdown);
        Assert.Equal((await _page.InnerTextAsync("#export-text")).TrimEnd('\n'), markdown.TrimEnd('\n'));
    }

    [Fact]
    public async Task Script_in_a_transcript_stays_text_in_the_browser()
    {
        var dialogs = 0;
        _page.Dialog += (_, d) => { dialogs++; _ = d.DismissAsync(); };
        await OpenAsync($"runs/{server.Store.XssRunId}?view=xss");
        Assert.Contains(SeededStore.Script, await _page.InnerTextAsync("#utterances"));
        Assert.Equal(0, await _page.Locator("#utterances script").CountAsync());
        Assert.Equal(0, dialogs);
    }
}
