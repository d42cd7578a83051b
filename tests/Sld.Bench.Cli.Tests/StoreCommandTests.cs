// `sldbench store migrate|backup` on SQLite and on a throw-away PostgreSQL: pending migrations are listed and
// applied to empty databases, a store with results migrates without losing any, and a SQLite backup holds the
// same sweeps, runs and evaluations and is never written over an existing file.
using Sld.Bench.Dashboard.Tests.Seeding;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Shared.Tests.Storage;

namespace Sld.Bench.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class StoreCommandTests(PostgresCluster cluster) : IClassFixture<PostgresCluster>, IDisposable
{
    private static readonly SyntheticSweep Grid = new("upkeep", [("loss.strategy", "[lm, sld]"), ("model.layers", "[2]")]) { Utterances = 12, MetricPoints = 5 };
    private readonly string _folder = Directory.CreateTempSubdirectory("store-command-").FullName;

    [Fact]
    public async Task SqliteMigrateAppliesTheSchemaAndABackupHoldsEveryResult()
    {
        var fresh = Path.Combine(_folder, "new", "fresh.db");
        var (code, stdout, _) = Cli.Capture("store", "migrate", "--check", "--db", fresh);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains("does not exist yet", stdout);
        Assert.False(File.Exists(fresh), "--check changes nothing");
        (code, stdout, _) = Cli.Capture("store", "migrate", "--db", fresh);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("migrated; latest migration now", stdout);
        (code, stdout, _) = Cli.Capture("store", "migrate", "--check", "--db", fresh);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains($"{Migrations(typeof(SqliteResultsDbContext))} migrations applied", stdout);
        Assert.Contains("0 pending", stdout);

        var results = Path.Combine(_folder, "results.db");
        await SyntheticResults.WriteThroughStoreAsync(results, [Grid], _folder);
        var before = await Snapshot(results);
        (code, stdout, _) = Cli.Capture("store", "migrate", "--db", results);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("0 pending", stdout);
        var backup = Path.Combine(_folder, "backups", "results-1.db");
        (code, stdout, var stderr) = Cli.Capture("store", "backup", backup, "--db", results);
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        Assert.Equal(before, await Snapshot(results));
        Assert.Equal(before, await Snapshot(backup));
        Assert.NotEmpty(before);

        (code, _, stderr) = Cli.Capture("store", "backup", backup, "--db", results);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("exists already", stderr);
        (code, _, stderr) = Cli.Capture("store", "backup", Path.Combine(_folder, "x.db"), "--db", Path.Combine(_folder, "missing.db"));
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("no results store at", stderr);
    }

    [Fact]
    public async Task PostgresMigrateListsAndAppliesMigrationsAndKeepsResults()
    {
        var database = await cluster.CreateDatabaseAsync();
        var (code, stdout, _) = Cli.Capture("store", "migrate", "--check", "--connection", database);
        Assert.Equal(ExitCodes.Failure, code);
        Assert.Contains($"0 migrations applied, {Migrations(typeof(PostgresResultsDbContext))} pending: ", stdout);
        Assert.Contains("_Initial", stdout);
        (code, stdout, _) = Cli.Capture("store", "migrate", "--connection", database);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("migrated", stdout);

        await SyntheticResults.WriteThroughStoreAsync(database, [Grid], _folder);
        var before = await Snapshot(database);
        (code, stdout, _) = Cli.Capture("store", "migrate", "--connection", database);
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains($"{Migrations(typeof(PostgresResultsDbContext))} migrations applied", stdout);
        Assert.Equal(before, await Snapshot(database));

        (code, _, var stderr) = Cli.Capture("store", "backup", Path.Combine(_folder, "pg.db"), "--connection", database);
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("pg_dump", stderr);
    }

    /// <summary>Every run of every sweep with its status and the WER of each evaluation, as text to compare.</summary>
    /// <summary>How many migrations the store's assembly holds for a provider's context (each has its attributes).</summary>
    private static int Migrations(Type context) =>
        typeof(ResultsStore).Assembly.GetTypes().Count(t =>
            t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Migrations.MigrationAttribute), false).Length > 0 &&
            t.GetCustomAttributes(typeof(Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute), false)
                .OfType<Microsoft.EntityFrameworkCore.Infrastructure.DbContextAttribute>().Any(a => a.ContextType == context));

    private static async Task<List<string>> Snapshot(string location)
    {
        await using var store = await ResultsStore.OpenReadOnlyAsync(location);
        var rows = new List<string>();
        foreach (var sweep in await store.ListSweepsAsync())
            foreach (var run in await store.ListRunsAsync(sweep.Id))
            {
                var evaluations = await store.GetEvaluationsAsync(run.Id);
                rows.Add($"{sweep.Name} {run.ConfigHash} {run.Status} {string.Join(",", evaluations.Select(e => $"{e.TestSet}={e.Wer}"))} metrics={(await store.GetMetricsAsync(run.Id)).Count}");
            }
        return rows;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
