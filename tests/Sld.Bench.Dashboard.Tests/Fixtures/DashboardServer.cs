// The dashboard started in-process on a free loopback port over the seeded store, shared by the HTTP and
// browser tests of one collection.
using Sld.Bench.Dashboard.Hosting;

namespace Sld.Bench.Dashboard.Tests.Fixtures;

public sealed class DashboardServer : IAsyncLifetime
{
    public SeededStore Store { get; } = new();

    public RunningDashboard Dashboard { get; private set; } = default!;

    public Uri BaseAddress => Dashboard.BaseAddress;

    public async Task InitializeAsync()
    {
        await Store.InitializeAsync();
        Dashboard = await DashboardHost.StartAsync(new DashboardOptions
        {
            Database = Store.Database,
            Urls = ["http://127.0.0.1:0"],
            PollInterval = TimeSpan.FromMilliseconds(500),
            DetailedErrors = true,
        });
    }

    public async Task DisposeAsync()
    {
        await Dashboard.DisposeAsync();
        await Store.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardServer>
{
    public const string Name = "dashboard";
}
