// The store contract on SQLite files, plus what only SQLite has: WAL mode, and four real worker processes
// (tests/Sld.Bench.Store.Worker) sharing one database file without "database is locked" failures.
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Testing;

namespace Sld.Bench.Shared.Tests.Storage;

public sealed class SqliteStoreTests : StoreContractTests, IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sldbench-store-");

    protected override Task<string> NewDatabaseAsync() =>
        Task.FromResult("sqlite:" + Path.Combine(_dir.FullName, Guid.NewGuid().ToString("N")[..8], "results.db"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task The_database_is_in_wal_mode_with_its_directory_created()
    {
        var location = await NewDatabaseAsync();
        await using var store = await ResultsStore.OpenAsync(location);
        Assert.True(File.Exists(store.Location.SqliteFile));
        await using var conn = new SqliteConnection(store.Location.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = conn.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Opening_a_missing_database_read_only_fails_without_creating_it()
    {
        var location = await NewDatabaseAsync();
        await Assert.ThrowsAsync<FileNotFoundException>(() => ResultsStore.OpenReadOnlyAsync(location));
        Assert.False(File.Exists(StoreLocation.Parse(location).SqliteFile));
    }

    [Fact]
    public async Task Four_worker_processes_share_one_database_and_each_run_is_done_once()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var worker = WorkerPath();
        var go = Path.Combine(_dir.FullName, "go");
        var processes = Enumerable.Range(0, 4).Select(_ =>
        {
            var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { worker, store.Location.ConnectionString, "grid_demo", "20", go }) start.ArgumentList.Add(a);
            return Process.Start(start)!;
        }).ToList();
        var stderr = processes.Select(p => p.StandardError.ReadToEndAsync()).ToList();
        // Start all workers together, once each has opened the store, so they really compete.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        foreach (var (p, i) in processes.Select((p, i) => (p, i)))
        {
            var first = await p.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.True(first == "ready", $"worker {i} said '{first}': {(p.HasExited ? await stderr[i] : "")}");
        }
        await File.WriteAllTextAsync(go, "");
        var outputs = await Task.WhenAll(processes.Select(async (p, i) =>
        {
            var stdout = await p.StandardOutput.ReadToEndAsync(timeout.Token);
            await p.WaitForExitAsync(timeout.Token);
            return (p.ExitCode, Out: stdout, Err: await stderr[i]);
        }));
        foreach (var p in processes) p.Dispose();
        Assert.All(outputs, o => Assert.True(o.ExitCode == 0, $"worker exited {o.ExitCode}: {o.Err}"));
        Assert.DoesNotContain(outputs, o => o.Err.Contains("locked", StringComparison.OrdinalIgnoreCase));
        var claimed = outputs.SelectMany(o => o.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(54, claimed.Count);
        Assert.Equal(54, claimed.Distinct().Count());
        var runs = await store.ListRunsAsync(sweepId);
        Assert.All(runs, r => Assert.Equal((RunStatus.Done, 1), (r.Status, r.Attempts)));
        Assert.True(runs.Select(r => r.ClaimedByPid).Distinct().Count() >= 2, "the runs should be spread over the processes");
        Assert.Equal(10, (await store.GetMetricsAsync(runs[^1].Id, "loss")).Count);
    }

    private static string WorkerPath()
    {
        // This assembly runs from tests/Sld.Bench.Shared.Tests/bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(RepoPaths.Root, "tests", "Sld.Bench.Store.Worker", "bin", configuration, "net10.0", "Sld.Bench.Store.Worker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build tests/Sld.Bench.Store.Worker first ({path})", path);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
