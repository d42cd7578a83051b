// The worker's two service modes with a cell runner that only records what it ran: without a sweep name it
// runs every stored sweep's cells, oldest sweep first; waiting for work, it picks up a sweep stored after it
// started and a cancellation between cells ends it without interrupting anything.
using System.Collections.Concurrent;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Sweeps;

namespace Sld.Bench.Tests.Sweeps;

public sealed class SweepWorkerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private sealed class RecordingRunner : ICellRunner
    {
        public ConcurrentQueue<string> Ran { get; } = new();

        public Task<CellOutcome> RunAsync(CellContext context, CancellationToken cancellation)
        {
            Ran.Enqueue($"{Path.GetFileName(Path.GetDirectoryName(context.RunDirectory))}#{context.Claim.Index}");
            return Task.FromResult<CellOutcome>(new CellOutcome.Done());
        }
    }

    private SweepPlan Plan(string name, int cells)
    {
        var file = _dir.File(name + ".yaml");
        File.WriteAllText(file, $"seed: 0\nwidth: 1\nsweep:\n  name: {name}\n  grid:\n    width: [{string.Join(", ", Enumerable.Range(1, cells))}]\n");
        return ExperimentFile.Load(file).Expand();
    }

    [Fact]
    public async Task WithoutASweepNameEveryStoredSweepRunsOldestFirst()
    {
        await using var store = await ResultsStore.OpenAsync(_dir.File("results.db"));
        await store.UpsertPlanAsync(Plan("first", 2));
        await Task.Delay(20); // distinct creation times
        await store.UpsertPlanAsync(Plan("second", 3));
        var runner = new RecordingRunner();
        var summary = await new SweepWorker(store, runner, new WorkerOptions { OutputRoot = _dir.Path }).RunAsync(null, CancellationToken.None);
        Assert.Equal(new WorkerSummary(5, 0, 0, 0, 0), summary);
        Assert.Equal(["first#0", "first#1", "second#0", "second#1", "second#2"], runner.Ran.ToArray());
    }

    [Fact]
    public async Task AWaitingWorkerRunsWhatIsSubmittedLaterAndStopsCleanly()
    {
        await using var store = await ResultsStore.OpenAsync(_dir.File("results.db"));
        var runner = new RecordingRunner();
        var log = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var options = new WorkerOptions { OutputRoot = _dir.Path, WaitForWork = TimeSpan.FromMilliseconds(50) };
        var named = new SweepWorker(store, new RecordingRunner(), options with { MaxCells = 1 }).RunAsync("later", stop.Token);
        var worker = new SweepWorker(store, runner, options, log.Enqueue).RunAsync(null, stop.Token);

        var idle = DateTime.UtcNow.AddSeconds(60);
        while (!log.Any(l => l.Contains("waiting for work", StringComparison.Ordinal)) && DateTime.UtcNow < idle) await Task.Delay(20);
        await Task.Delay(300); // several more polls
        Assert.False(worker.IsCompleted, "a waiting worker does not stop when there is nothing to do");
        Assert.False(named.IsCompleted, "nor when its sweep is not stored yet");
        Assert.Single(log, l => l.Contains("waiting for work", StringComparison.Ordinal));

        await store.UpsertPlanAsync(Plan("later", 4));
        Assert.Equal(new WorkerSummary(1, 0, 0, 0, 0), await named.WaitAsync(TimeSpan.FromSeconds(30)));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (runner.Ran.Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(20);
        await stop.CancelAsync();
        var summary = await worker.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(new WorkerSummary(3, 0, 0, 0, 0), summary);
        var sweep = (await store.GetSweepAsync("later"))!;
        Assert.All(await store.ListRunsAsync(sweep.Id), r => Assert.Equal(RunStatus.Done, r.Status));
    }

    public void Dispose() => _dir.Dispose();
}
