// Answers only to the host names the dashboard is meant to be reached by, against DNS rebinding: a page on
// another site that points its own name at 127.0.0.1 reaches a loopback-bound server with its own name in the
// Host header, and is refused here. Loopback binds accept localhost, *.localhost and loopback addresses, plus
// the names given with --allowed-hosts; exposed binds (which need the token anyway) accept any name unless
// names are given.
using System.Net;

namespace Sld.Bench.Dashboard.Hosting;

public sealed class HostNameFilter(RequestDelegate next, IReadOnlyList<string> allowedHosts, bool loopbackOnly)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        if (IsAllowed(host, allowedHosts, loopbackOnly))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain; charset=utf-8";
        var expected = loopbackOnly ? "localhost, 127.0.0.1 and [::1]" : "";
        if (allowedHosts.Count > 0) expected += (expected.Length > 0 ? ", and " : "") + string.Join(", ", allowedHosts);
        await context.Response.WriteAsync($"This dashboard does not answer to the host name '{host}': it answers to {expected} (add names with --allowed-hosts).\n");
    }

    /// <summary>Whether a Host header's name (without port) may reach the dashboard.</summary>
    public static bool IsAllowed(string host, IReadOnlyList<string> allowedHosts, bool loopbackOnly)
    {
        if (string.IsNullOrEmpty(host)) return false;
        var name = host.TrimEnd('.');
        if (allowedHosts.Any(a => string.Equals(a.TrimEnd('.'), name, StringComparison.OrdinalIgnoreCase))) return true;
        if (!loopbackOnly) return allowedHosts.Count == 0;
        if (name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
