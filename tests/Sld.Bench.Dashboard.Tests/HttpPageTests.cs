// Every page over plain HTTP against the seeded store: it answers 200 with the expected content, user text is
// escaped, and the embedded assets are served.
using System.Net;
using Sld.Bench.Dashboard.Tests.Fixtures;

namespace Sld.Bench.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class HttpPageTests(DashboardServer server)
{
    private readonly HttpClient _http = new() { BaseAddress = server.BaseAddress };

    [Theory]
    [InlineData("", "Leaderboard")]
    [InlineData("grid", "Sweep grid")]
    [InlineData("?group=loss.strategy", "mean over seeds")]
    public async Task Page_renders(string path, string expected)
    {
        var html = await _http.GetStringAsync(path);
        Assert.Contains(expected, html);
        Assert.Contains("_framework/blazor.web.js", html);
    }

    [Fact]
    public async Task Export_page_and_download_give_the_same_table()
    {
        var html = await _http.GetStringAsync("export?sweep=sld_vs_lm&rows=model.layers&cols=loss.strategy&format=csv");
        Assert.Contains("id=\"export-preview\"", html);
        Assert.Contains("sldbench export --sweep sld_vs_lm --rows model.layers --cols loss.strategy --metric wer@test-clean --format csv", html);
        using var response = await _http.GetAsync("export/download?sweep=sld_vs_lm&rows=model.layers&cols=loss.strategy&format=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("sld_vs_lm-model.layers-by-loss.strategy-wer-test-clean.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        var csv = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("model.layers,loss.strategy,metric,n,", csv);
        Assert.Equal(1 + 6, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(csv.Split("\r\n")[1]), html);
    }

    [Fact]
    public async Task Export_of_a_one_axis_sweep_explains_itself()
    {
        using var response = await _http.GetAsync("export/download?sweep=sld_vs_lm&rows=loss.strategy&cols=loss.strategy&baseline=lm,99");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("has no value '99'", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Run_page_shows_alignment_and_summary()
    {
        var html = await _http.GetStringAsync($"runs/{server.Store.XssRunId}?view=test-clean");
        Assert.Contains("%WER ", html);
        Assert.Contains("w w-s", html);
        // The shared scoring code's views of the stored utterances: sclite's table, error lists, diagnostics.
        Assert.Contains("| Sum/Avg |", html);
        Assert.Contains("%SER ", html);
        Assert.Matches("<code>[a-z]+ ==&gt; [a-z]+</code>", html);
        Assert.Contains("id=\"diagnostics\"", html);
        Assert.Contains("empty hypotheses", html);
    }

    [Fact]
    public async Task Transcripts_speakers_and_config_strings_render_as_text()
    {
        var html = await _http.GetStringAsync($"runs/{server.Store.XssRunId}?view=xss");
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<b>spk</b>", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt;", html);
        Assert.Contains("&lt;b&gt;spk&lt;/b&gt;", html);
    }

    [Theory]
    [InlineData("_framework/blazor.web.js", "text/javascript")]
    [InlineData("_content/Radzen.Blazor/css/material.css", "text/css")]
    [InlineData("_content/Radzen.Blazor/Radzen.Blazor.js", "text/javascript")]
    [InlineData("assets/app.css", "text/css")]
    public async Task Embedded_assets_are_served(string path, string type)
    {
        using var response = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(type, response.Content.Headers.ContentType?.ToString());
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 1000);
    }

    [Theory]
    [InlineData("_content/Radzen.Blazor/../../../etc/passwd")]
    [InlineData("_content/Radzen.Blazor/css/dark.css")]
    [InlineData("results.db")]
    public async Task No_other_file_is_served(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("root:", body);
        Assert.DoesNotContain("SQLite format", body);
        Assert.True(response.StatusCode == HttpStatusCode.NotFound || !response.Content.Headers.ContentType!.MediaType!.Contains("css"),
            $"{path} answered {response.StatusCode} {response.Content.Headers.ContentType}");
    }
}
