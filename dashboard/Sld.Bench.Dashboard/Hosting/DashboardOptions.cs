// What `sldbench serve` (and `dotnet run`) pass to the dashboard: the results database, the addresses to
// listen on, and the access token that a non-loopback address requires. Defaults are the safe ones:
// loopback only, no token needed there.
namespace Sld.Bench.Dashboard.Hosting;

public sealed record DashboardOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>The results store location (SQLite path, sqlite:PATH, postgresql:// URL or connection string); opened read-only.</summary>
    public required string Database { get; init; }

    /// <summary>Addresses to listen on. Port 0 picks a free port (tests).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [DefaultUrl];

    /// <summary>
    /// A shared secret every request must present (Authorization: Bearer, the sldbench_token cookie, or
    /// ?token= once). Required when any address is not loopback; optional, but then enforced, on loopback.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// Host names (besides localhost and loopback addresses) requests may carry, e.g. a reverse proxy's name.
    /// A loopback-bound dashboard refuses every other Host header (DNS rebinding); with names given, an exposed
    /// one answers to them only.
    /// </summary>
    public IReadOnlyList<string> AllowedHosts { get; init; } = [];

    /// <summary>How often open pages ask the store whether anything changed (cheap: a few aggregate queries).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Detailed circuit errors in the browser (for development only).</summary>
    public bool DetailedErrors { get; init; }
}
