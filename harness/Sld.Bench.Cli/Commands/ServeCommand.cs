// `sldbench serve`: the results dashboard in the browser (leaderboard, sweep grid, runs, comparisons, exports).
// Listens on 127.0.0.1 by default and opens the database read-only; any other address needs an access token.
using System.CommandLine;
using Sld.Bench.Dashboard.Hosting;

namespace Sld.Bench.Cli.Commands;

public static class ServeCommand
{
    public const string TokenVariable = "SLDBENCH_DASHBOARD_TOKEN";

    public static Command Create()
    {
        var urls = new Option<string>("--urls")
        {
            Description = "Where to listen, URL[;URL]. Anything but loopback requires --token.",
            DefaultValueFactory = _ => DashboardOptions.DefaultUrl,
        };
        var token = new Option<string?>("--token") { Description = $"Access token every request must present (also {TokenVariable}); at least 16 characters, no spaces." };
        var hosts = new Option<string?>("--allowed-hosts")
        {
            Description = "Host names requests may use besides localhost and loopback addresses (name[;name]), e.g. a reverse proxy's.",
        };
        var database = new ResultsDatabaseOptions();
        var command = new Command("serve", "Serve the results dashboard: leaderboard, sweep grids, run analysis, comparisons and exports.") { urls, token, hosts };
        database.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var options = new DashboardOptions
            {
                Database = database.Resolve(parse),
                Urls = parse.GetValue(urls)!.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                AccessToken = parse.GetValue(token) ?? Environment.GetEnvironmentVariable(TokenVariable),
                AllowedHosts = (parse.GetValue(hosts) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            };
            try
            {
                BindPolicy.Validate(options);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.InvalidInput;
            }
            if (SweepCommand.StoreExists(options.Database))
            {
                try
                {
                    // A store that cannot be read is said now, in words, not on every page.
                    await using var store = await Sld.Bench.Shared.Storage.ResultsStore.OpenReadOnlyAsync(options.Database, ct);
                }
                catch (Sld.Bench.Shared.Storage.StoreException e)
                {
                    Console.Error.WriteLine($"error: {e.Message}");
                    return ExitCodes.InvalidInput;
                }
            }
            Console.WriteLine($"dashboard: {string.Join(", ", options.Urls)} (results: {options.Database}, read-only); Ctrl+C stops it");
            try
            {
                await DashboardHost.RunAsync(options, ct);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"error: cannot listen on {string.Join(", ", options.Urls)}: {e.Message}");
                return ExitCodes.Failure;
            }
            return ExitCodes.Success;
        });
        return command;
    }
}
