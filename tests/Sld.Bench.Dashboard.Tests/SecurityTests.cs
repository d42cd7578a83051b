// The host's security rules: loopback by default, no non-loopback bind without a token, the token required on
// every request (pages, assets, circuit) once configured, the store opened read-only.
using System.Net;
using Sld.Bench.Dashboard.Data;
using Sld.Bench.Dashboard.Hosting;
using Sld.Bench.Dashboard.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;

namespace Sld.Bench.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class SecurityTests(DashboardServer server)
{
    private const string Token = "0123456789abcdef-token";

    [Theory]
    [InlineData("http://127.0.0.1:5080", true)]
    [InlineData("http://localhost:5080", true)]
    [InlineData("http://[::1]:5080", true)]
    [InlineData("http://0.0.0.0:5080", false)]
    [InlineData("http://*:5080", false)]
    [InlineData("http://+:5080", false)]
    [InlineData("http://192.168.1.20:5080", false)]
    public void Loopback_is_recognised(string url, bool loopback) => Assert.Equal(loopback, BindPolicy.IsLoopback(url));

    [Fact]
    public void Default_binds_loopback_only() => Assert.All(new DashboardOptions { Database = "x.db" }.Urls, u => Assert.True(BindPolicy.IsLoopback(u)));

    [Fact]
    public void Non_loopback_without_token_refuses_to_start()
    {
        var e = Assert.Throws<InvalidOperationException>(() => DashboardHost.Build(new DashboardOptions { Database = server.Store.Database, Urls = ["http://0.0.0.0:0"] }));
        Assert.Contains("refusing to listen on http://0.0.0.0:0 without an access token", e.Message);
        Assert.Throws<ArgumentException>(() => DashboardHost.Build(new DashboardOptions { Database = server.Store.Database, Urls = ["http://0.0.0.0:0"], AccessToken = "short" }));
    }

    [Fact]
    public async Task Token_is_required_on_every_request()
    {
        await using var app = await DashboardHost.StartAsync(new DashboardOptions { Database = server.Store.Database, Urls = ["http://127.0.0.1:0"], AccessToken = Token });
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
        using var http = new HttpClient(handler) { BaseAddress = app.BaseAddress };
        foreach (var path in new[] { "", "grid", "runs/1", "_framework/blazor.web.js", "_blazor/negotiate" })
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("?token=wrong-token-wrong-token")).StatusCode);

        var login = await http.GetAsync("grid?token=" + Token);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/grid", login.Headers.Location?.OriginalString);
        Assert.Contains("HttpOnly", string.Join(";", login.Headers.GetValues("Set-Cookie")), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("grid")).StatusCode);

        using var bearer = new HttpClient { BaseAddress = app.BaseAddress };
        bearer.DefaultRequestHeaders.Authorization = new("Bearer", Token);
        Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("")).StatusCode);
    }

    [Fact]
    public async Task Store_is_opened_read_only()
    {
        var access = server.Dashboard.Services.GetRequiredService<StoreAccess>();
        var store = await access.TryGetAsync();
        Assert.NotNull(store);
        Assert.True(store.IsReadOnly);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.RecordMetricsAsync(1, [new(1, "loss", 1.0)]));
    }

    [Fact]
    public async Task Responses_carry_a_content_security_policy()
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await http.GetAsync("");
        Assert.Contains("script-src 'self'", string.Join(";", response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Missing_database_shows_how_to_create_it()
    {
        await using var app = await DashboardHost.StartAsync(new DashboardOptions { Database = Path.Combine(server.Store.Directory, "none.db"), Urls = ["http://127.0.0.1:0"] });
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var html = await http.GetStringAsync("");
        Assert.Contains("No runs yet", html);
        Assert.Contains("sldbench sweep run experiments/demo.yaml", html);
        Assert.False(File.Exists(Path.Combine(server.Store.Directory, "none.db")));
    }
}
