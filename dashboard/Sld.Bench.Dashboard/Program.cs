// `dotnet run --project dashboard/Sld.Bench.Dashboard -- --db results.db [--urls http://127.0.0.1:5080] [--token T]`:
// the same dashboard that `sldbench serve` starts. The token may also come from SLDBENCH_DASHBOARD_TOKEN.
using Sld.Bench.Dashboard.Hosting;

string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();

var database = Arg("--db") ?? Environment.GetEnvironmentVariable("SLDBENCH_DB");
if (database is null)
{
    Console.Error.WriteLine("usage: Sld.Bench.Dashboard --db RESULTS [--urls URL[;URL]] [--token TOKEN]");
    return 2;
}
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
await DashboardHost.RunAsync(new DashboardOptions
{
    Database = database,
    Urls = Arg("--urls")?.Split(';', StringSplitOptions.RemoveEmptyEntries) ?? [DashboardOptions.DefaultUrl],
    AccessToken = Arg("--token") ?? Environment.GetEnvironmentVariable("SLDBENCH_DASHBOARD_TOKEN"),
}, stop.Token);
return 0;
