// Enforces the access token on every request, the Blazor circuit's included: a Bearer header (scripts), the
// sldbench_token cookie (browsers), or ?token=... once, which sets the cookie and redirects to the same URL
// without the token so it does not linger in history or logs. Comparison is constant-time.
using System.Security.Cryptography;
using System.Text;

namespace Sld.Bench.Dashboard.Hosting;

public sealed class AccessTokenMiddleware(RequestDelegate next, string token)
{
    public const string CookieName = "sldbench_token";
    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Query.TryGetValue("token", out var fromQuery) && Matches(fromQuery.ToString()))
        {
            context.Response.Cookies.Append(CookieName, token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = request.IsHttps,
                Path = "/",
            });
            var rest = request.Query.Where(kv => kv.Key != "token").Select(kv => new KeyValuePair<string, string?>(kv.Key, kv.Value.ToString()));
            context.Response.Redirect(request.PathBase + request.Path + QueryString.Create(rest));
            return;
        }
        var header = request.Headers.Authorization.ToString();
        if ((header.StartsWith("Bearer ", StringComparison.Ordinal) && Matches(header["Bearer ".Length..].Trim())) ||
            (request.Cookies.TryGetValue(CookieName, out var cookie) && Matches(cookie)))
        {
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("This dashboard needs its access token: open it once as /?token=<token>, or send 'Authorization: Bearer <token>'.\n");
    }

    private bool Matches(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);
}
