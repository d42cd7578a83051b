// A worker facing faults that are not its cell's: a full disk (simulated, and real on a tiny tmpfs), a store
// it cannot write, the sweep's files gone, a run folder another store filled, and an interruption the cell
// ignores. Each leaves every cell pending or interrupted with the reason, never failed and never `running`.
using Microsoft.Data.Sqlite;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Sweeps;
using Sld.Bench.Testing;

namespace Sld.Bench.Tests.Sweeps;

public sealed class SweepWorkerFaultTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>A cell runner whose behaviour each test chooses; it counts the cells it was given.</summary>
    private sealed class ScriptedRunner(Func<CellContext, CancellationToken, Task<CellOutcome>> run) : ICellRunner
    {
        public int Calls;

        public Task<CellOutcome> RunAsync(CellContext context, CancellationToken cancellation)
        {
            Interlocked.Increment(ref Calls);
            return run(context, cancellation);
        }
    }

    private SweepPlan Plan(int cells)
    {
        var file = _dir.File("faults.yaml");
        File.WriteAllText(file, $"seed: 0\nx: 0\nsweep:\n  name: faults\n  grid:\n    x: range(0, {cells})\n");
        return ExperimentFile.Load(file).Expand();
    }

    private async Task<(ResultsStore Store, long SweepId)> StoreAsync(string database, int cells = 3)
    {
        var store = await ResultsStore.OpenAsync(database);
        var plan = await store.UpsertPlanAsync(Plan(cells));
        return (store, plan.SweepId);
    }

    private static WorkerOptions Options(string output) => new() { OutputRoot = output, Threads = 1, InterruptGrace = TimeSpan.FromSeconds(2) };

    private static async Task<Dictionary<RunStatus, int>> CountsAsync(ResultsStore store, long sweepId) =>
        await store.GetStatusCountsAsync(sweepId);

    [Fact]
    public async Task A_full_disk_stops_the_worker_and_leaves_every_cell_pending_uncounted()
    {
        var (store, sweepId) = await StoreAsync(_dir.File("full.db"));
        await using var _ = store;
        var runner = new ScriptedRunner((_, _) => throw new IOException("No space left on device : '/out/x'", 28));
        var summary = await new SweepWorker(store, runner, Options(_dir.File("out"))).RunAsync("faults", CancellationToken.None);
        Assert.Equal(1, runner.Calls); // it stopped claiming after the first
        Assert.Contains("no space left", summary.StoppedBecause, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, summary.Failed);
        Assert.Equal(new Dictionary<RunStatus, int> { [RunStatus.Pending] = 3 }, await CountsAsync(store, sweepId));
        var runs = await store.ListRunsAsync(sweepId);
        Assert.All(runs, r => Assert.Equal(0, r.Attempts));
        Assert.Contains("No space left", runs.Single(r => r.Index == 0).Error, StringComparison.Ordinal);
    }

    [SmallDiskFact]
    public async Task A_real_full_disk_under_the_output_folder_leaves_the_cells_pending()
    {
        var output = _dir.File("tiny");
        using var disk = FileSystemFaults.MountSmallDisk(output, 256 * 1024);
        var (store, sweepId) = await StoreAsync(_dir.File("real-full.db"));
        await using var _ = store;
        var runner = new ScriptedRunner(async (context, ct) =>
        {
            // A checkpoint larger than the disk.
            await File.WriteAllBytesAsync(Path.Combine(context.RunDirectory, "last.safetensors"), new byte[1024 * 1024], ct);
            return new CellOutcome.Done();
        });
        var summary = await new SweepWorker(store, runner, Options(output)).RunAsync("faults", CancellationToken.None);
        Assert.Equal(1, runner.Calls);
        Assert.NotNull(summary.StoppedBecause);
        Assert.Equal(new Dictionary<RunStatus, int> { [RunStatus.Pending] = 3 }, await CountsAsync(store, sweepId));
    }

    [SmallDiskFact]
    public async Task A_store_on_a_full_disk_stops_the_worker_before_it_claims()
    {
        var folder = _dir.File("storedisk");
        using var disk = FileSystemFaults.MountSmallDisk(folder, 512 * 1024);
        var database = Path.Combine(folder, "results.db");
        var (store, sweepId) = await StoreAsync(database, cells: 40);
        await using var _ = store;
        SqliteConnection.ClearAllPools();
        // Fill the disk to the last byte.
        await using (var filler = new FileStream(Path.Combine(folder, "filler"), FileMode.Create))
        {
            var block = new byte[4096];
            try
            {
                while (true) filler.Write(block);
            }
            catch (IOException)
            {
            }
        }
        var runner = new ScriptedRunner((_, _) => Task.FromResult<CellOutcome>(new CellOutcome.Done()));
        var summary = await new SweepWorker(store, runner, Options(_dir.File("out"))).RunAsync("faults", CancellationToken.None);
        Assert.NotNull(summary.StoppedBecause);
        Assert.Contains(database, summary.StoppedBecause, StringComparison.Ordinal);
        File.Delete(Path.Combine(folder, "filler"));
        var counts = await CountsAsync(store, sweepId);
        Assert.False(counts.ContainsKey(RunStatus.Running), string.Join(", ", counts));
        Assert.False(counts.ContainsKey(RunStatus.Failed), string.Join(", ", counts));
        Assert.True(counts.GetValueOrDefault(RunStatus.Pending) >= 39, string.Join(", ", counts));
    }

    [Fact]
    public async Task A_run_folder_filled_by_another_store_is_refused_and_left_as_it_was()
    {
        var output = _dir.File("shared-out");
        var done = new ScriptedRunner(async (context, ct) =>
        {
            await File.WriteAllTextAsync(Path.Combine(context.RunDirectory, "last.safetensors"), "weights", ct);
            return new CellOutcome.Done();
        });
        var (first, firstSweep) = await StoreAsync(_dir.File("first.db"));
        await using (first)
            Assert.Equal(3, (await new SweepWorker(first, done, Options(output)).RunAsync("faults", CancellationToken.None)).Done);

        var (second, secondSweep) = await StoreAsync(_dir.File("second.db"));
        await using var _ = second;
        var runner = new ScriptedRunner((_, _) => Task.FromResult<CellOutcome>(new CellOutcome.Done()));
        var summary = await new SweepWorker(second, runner, Options(output)).RunAsync("faults", CancellationToken.None);
        Assert.Equal(0, runner.Calls);
        Assert.Contains("another results store", summary.StoppedBecause, StringComparison.Ordinal);
        Assert.Contains("first.db", summary.StoppedBecause, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<RunStatus, int> { [RunStatus.Pending] = 3 }, await CountsAsync(second, secondSweep));
        var folder = Directory.GetDirectories(Path.Combine(output, "runs", "faults")).First();
        Assert.Equal("weights", File.ReadAllText(Path.Combine(folder, "last.safetensors")));
        Assert.Contains("first.db", File.ReadAllText(Path.Combine(folder, RunFolderOwner.FileName)), StringComparison.Ordinal);
        Assert.True(firstSweep > 0);
    }

    [Fact]
    public async Task A_missing_output_folder_on_a_resumed_cell_is_an_error_not_a_failed_cell()
    {
        var (store, sweepId) = await StoreAsync(_dir.File("moved.db"), cells: 1);
        await using var _ = store;
        var output = _dir.File("moved-out");
        using (var cancel = new CancellationTokenSource())
        {
            var interrupted = new ScriptedRunner(async (_, ct) =>
            {
                await cancel.CancelAsync();
                await Task.Delay(Timeout.Infinite, ct);
                return new CellOutcome.Done();
            });
            await new SweepWorker(store, interrupted, Options(output)).RunAsync("faults", cancel.Token);
        }
        await store.ResetForResumeAsync(sweepId);
        Directory.Delete(output, recursive: true);
        var runner = new ScriptedRunner((_, _) => Task.FromResult<CellOutcome>(new CellOutcome.Done()));
        var summary = await new SweepWorker(store, runner, Options(output)).RunAsync("faults", CancellationToken.None);
        Assert.Equal(0, runner.Calls);
        Assert.Contains("does not exist", summary.StoppedBecause, StringComparison.Ordinal);
        Assert.Equal(RunStatus.Pending, Assert.Single(await store.ListRunsAsync(sweepId)).Status);
    }

    [Fact]
    public async Task A_cell_that_ignores_an_interruption_is_recorded_interrupted_after_the_grace_period()
    {
        var (store, sweepId) = await StoreAsync(_dir.File("stubborn.db"), cells: 2);
        await using var _ = store;
        using var cancel = new CancellationTokenSource();
        var runner = new ScriptedRunner((_, _) =>
        {
            cancel.Cancel();
            Thread.Sleep(TimeSpan.FromSeconds(30)); // a stage that never looks at the token
            return Task.FromResult<CellOutcome>(new CellOutcome.Done());
        });
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var summary = await new SweepWorker(store, runner, Options(_dir.File("out"))).RunAsync("faults", cancel.Token);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.5, 15);
        Assert.Equal(1, summary.Cancelled);
        var counts = await CountsAsync(store, sweepId);
        Assert.Equal(new Dictionary<RunStatus, int> { [RunStatus.Cancelled] = 1, [RunStatus.Pending] = 1 }, counts);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}

/// <summary>A fact that mounts a tiny tmpfs; skipped, with the reason, where this machine cannot (not root).</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (FileSystemFaults.SmallDiskUnavailable is { } why) Skip = why;
    }
}
