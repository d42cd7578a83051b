// Debian's Chromium driven by Playwright, headless and without the background services that would reach for the
// network: what every browser test launches.
using Microsoft.Playwright;

namespace Sld.Bench.Dashboard.Tests.Fixtures;

public static class Chromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
}
