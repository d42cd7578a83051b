// Builds the query strings that make every view addressable: /?sweep=...&metric=cer, /grid?rows=...,
// /compare?runs=1,2. Values are URL-encoded; empty values are left out.
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Sld.Bench.Dashboard.Components.Shared;

public static class UrlState
{
    public static string Build(string path, params (string Key, string? Value)[] values)
    {
        var query = string.Join("&", values.Where(v => !string.IsNullOrEmpty(v.Value))
            .Select(v => Uri.EscapeDataString(v.Key) + "=" + Uri.EscapeDataString(v.Value!)));
        return query.Length == 0 ? path : path + "?" + query;
    }

    /// <summary>Replaces the address bar's URL (no navigation, no reload); a no-op before the circuit is up.</summary>
    public static async Task ReplaceAsync(IJSRuntime js, NavigationManager nav, string relative)
    {
        try
        {
            await js.InvokeVoidAsync("sldbench.setUrl", new Uri(new Uri(nav.BaseUri), relative).PathAndQuery);
        }
        catch (InvalidOperationException)
        {
            // Prerendering: there is no browser to talk to yet.
        }
        catch (JSDisconnectedException)
        {
            // The page was closed.
        }
    }
}
