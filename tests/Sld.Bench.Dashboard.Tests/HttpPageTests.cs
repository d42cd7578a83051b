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
    public async Task Run_page_shows_alignment_and_summary()
    {
        var html = await _http.GetStringAsync($"runs/{server.Store.XssRunId}?view=test-clean");
        Assert.Contains("%WER ", html);
        Assert.Contains("w w-s", html);
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
