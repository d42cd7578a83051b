// The rule that keeps results private by default: listening anywhere but loopback needs an access token,
// and a token must be a real secret (16+ characters, no spaces or control characters, not one character
// repeated). Checked before the server starts, so a misconfigured `sldbench serve --urls http://0.0.0.0:5080`
// refuses to start instead of exposing the database.
using System.Net;

namespace Sld.Bench.Dashboard.Hosting;

public static class BindPolicy
{
    /// <summary>Minimum token length: short secrets are guessable over the network.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>Different characters a token needs: "aaaaaaaaaaaaaaaa" is 16 characters and no secret.</summary>
    public const int MinimumDistinctTokenCharacters = 6;

    /// <summary>Throws when the options would expose the dashboard beyond this machine without a usable token.</summary>
    public static void Validate(DashboardOptions options)
    {
        if (options.Urls.Count == 0) throw new ArgumentException("the dashboard needs at least one URL to listen on");
        var exposed = options.Urls.Where(u => !IsLoopback(u)).ToList();
        if (options.AccessToken is { } token) ValidateToken(token);
        if (exposed.Count > 0 && string.IsNullOrEmpty(options.AccessToken))
            throw new InvalidOperationException(
                $"refusing to listen on {string.Join(", ", exposed)} without an access token: " +
                "set one (sldbench serve --token ..., or SLDBENCH_DASHBOARD_TOKEN) or listen on 127.0.0.1 only");
    }

    /// <summary>Throws when <paramref name="token"/> is too short, has spaces or control characters, or is too repetitive to be a secret.</summary>
    public static void ValidateToken(string token)
    {
        if (token.Length < MinimumTokenLength)
            throw new ArgumentException($"the access token must be at least {MinimumTokenLength} characters long");
        if (token.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException("the access token must not contain spaces or control characters (it travels in a header and a cookie)");
        if (token.Distinct().Count() < MinimumDistinctTokenCharacters)
            throw new ArgumentException($"the access token repeats too few characters to be a secret (at least {MinimumDistinctTokenCharacters} different ones; e.g. openssl rand -hex 16)");
    }

    /// <summary>Whether a listen URL binds only the loopback interface (127.0.0.0/8, ::1 or localhost).</summary>
    public static bool IsLoopback(string url)
    {
        // Kestrel's wildcards ("*", "+") are not valid URI hosts: they bind every interface.
        if (url.Contains("://*", StringComparison.Ordinal) || url.Contains("://+", StringComparison.Ordinal)) return false;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) throw new ArgumentException($"'{url}' is not a URL to listen on");
        if (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
    }
}
