// Two smaller guards of the dashboard: an access token must be a real secret (no spaces, not one character
// repeated), and a loopback-bound dashboard answers only to loopback host names or configured ones, so a
// DNS-rebinding page (evil.example resolving to 127.0.0.1) cannot read results through the victim's browser.
using System.Net;
using Sld.Bench.Dashboard.Hosting;
using Sld.Bench.Dashboard.Tests.Fixtures;

namespace Sld.Bench.Dashboard.Tests;

[Collection(DashboardCollection.Name)]
public sealed class HostAndTokenTests(DashboardServer server)
{
    [Theory]
    [InlineData("                ")]
    [InlineData("0123456789 abcdef")]
    [InlineData("0123456789abcdef\t")]
    [InlineData("aaaaaaaaaaaaaaaaaaaa")]
    [InlineData("abababababababababab")]
    [InlineData("short")]
    public void A_token_that_is_no_secret_is_refused(string token)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            BindPolicy.Validate(new DashboardOptions { Database = "x.db", Urls = ["http://0.0.0.0:0"], AccessToken = token }));
        Assert.Contains("access token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_random_token_is_accepted() =>
        BindPolicy.Validate(new DashboardOptions { Database = "x.db", Urls = ["http://0.0.0.0:0"], AccessToken = "9f2c4e1a7b3d8e6f0a5c" });

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.53", true)]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST.", true)]
    [InlineData("app.localhost", true)]
    [InlineData("[::1]", true)]
    [InlineData("evil.example", false)]
    [InlineData("localhost.evil.example", false)]
    [InlineData("192.168.1.20", false)]
    [InlineData("", false)]
    public void Loopback_binds_accept_only_loopback_names(string host, bool allowed) =>
        Assert.Equal(allowed, HostNameFilter.IsAllowed(host, [], loopbackOnly: true));

    [Fact]
    public void Configured_names_are_accepted_and_exposed_binds_answer_to_them_only()
    {
        Assert.True(HostNameFilter.IsAllowed("dash.lab.example", ["dash.lab.example"], loopbackOnly: true));
        Assert.True(HostNameFilter.IsAllowed("anything.example", [], loopbackOnly: false));
        Assert.False(HostNameFilter.IsAllowed("anything.example", ["dash.lab.example"], loopbackOnly: false));
    }

    [Fact]
    public async Task A_request_with_a_foreign_host_header_is_refused_and_a_loopback_one_served()
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        using var rebinding = new HttpRequestMessage(HttpMethod.Get, "/");
        rebinding.Headers.Host = "evil.example:" + server.BaseAddress.Port;
        var refused = await http.SendAsync(rebinding);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("evil.example", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var local = new HttpRequestMessage(HttpMethod.Get, "/");
        local.Headers.Host = "localhost:" + server.BaseAddress.Port;
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(local)).StatusCode);
    }
}
