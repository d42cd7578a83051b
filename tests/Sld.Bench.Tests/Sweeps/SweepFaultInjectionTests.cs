// Fault injection: two real worker processes on one SQLite store are SIGKILLed at random moments, over and
// over, each time followed by what `sweep resume` does. After every round the store must be intact
// (PRAGMA integrity_check), nothing may be left `running`, no cell may be failed, every cell's metrics must be
// exactly the steps 1..k with no gap or extra row, and a cell once done must never start again. At the end
// every cell is done with all its steps. The kill times come from a fixed seed; the round count is bounded
// by a time budget, so what is asserted is the same on every machine.
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Testing;

namespace Sld.Bench.Tests.Sweeps;

public sealed class SweepFaultInjectionTests : IDisposable
{
    private const int Cells = 6, Steps = 12, StepMs = 40;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Workers_killed_at_random_moments_resume_to_every_cell_done_exactly_once()
    {
        var database = _dir.File("chaos.db");
        var output = _dir.File("out");
        var file = _dir.File("chaos.yaml");
        File.WriteAllText(file, $"seed: 0\nx: 0\nsweep:\n  name: chaos\n  grid:\n    x: range(0, {Cells})\n");
        long sweepId;
        await using (var store = await ResultsStore.OpenAsync(database))
            sweepId = (await store.UpsertPlanAsync(ExperimentFile.Load(file).Expand())).SweepId;

        var random = new Random(20261203);
        var doneSince = new Dictionary<long, DateTime>();
        var clock = Stopwatch.StartNew();
        var rounds = 0;
        while (clock.Elapsed < Budget && rounds < 25)
        {
            rounds++;
            var workers = Enumerable.Range(0, 2).Select(_ => Start(database, output)).ToList();
            // Each worker dies at its own moment: often mid-step, sometimes mid-claim or mid-commit.
            var kills = workers.Select(w => (Worker: w, At: TimeSpan.FromMilliseconds(200 + random.Next(2500)))).OrderBy(k => k.At).ToList();
            var started = Stopwatch.StartNew();
            foreach (var (worker, at) in kills)
            {
                var wait = at - started.Elapsed;
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
                if (!worker.HasExited) worker.Kill(); // SIGKILL: no handler runs
            }
            foreach (var w in workers)
            {
                await w.WaitForExitAsync();
                w.Dispose();
            }
            await ResumeAsync(database, sweepId);
            await CheckInvariantsAsync(database, sweepId, output, doneSince, final: false);
            if ((await StatusesAsync(database, sweepId)).All(s => s == RunStatus.Done)) break;
        }

        // Then let one worker finish whatever is left, uninterrupted.
        using (var last = Start(database, output))
        {
            var finished = await Task.WhenAny(last.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
            Assert.True(last.HasExited, "the last worker did not finish within 60 s");
            Assert.Equal(0, last.ExitCode);
            Assert.NotNull(finished);
        }
        await CheckInvariantsAsync(database, sweepId, output, doneSince, final: true);
        Assert.True(rounds >= 3, $"only {rounds} rounds of kills ran");
    }

    private static async Task ResumeAsync(string database, long sweepId)
    {
        await using var store = await ResultsStore.OpenAsync(database);
        await store.ResetForResumeAsync(sweepId, claim: new ClaimOptions { MaxAttempts = 10_000 });
    }

    private static async Task<List<RunStatus>> StatusesAsync(string database, long sweepId)
    {
        await using var store = await ResultsStore.OpenReadOnlyAsync(database);
        return [.. (await store.ListRunsAsync(sweepId)).Select(r => r.Status)];
    }

    private static async Task CheckInvariantsAsync(string database, long sweepId, string output, Dictionary<long, DateTime> doneSince, bool final)
    {
        SqliteConnection.ClearAllPools();
        await using (var conn = new SqliteConnection($"Data Source={database};Mode=ReadOnly"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", (string?)await cmd.ExecuteScalarAsync());
        }
        await using var store = await ResultsStore.OpenReadOnlyAsync(database);
        var runs = await store.ListRunsAsync(sweepId);
        Assert.Equal(Cells, runs.Count);
        foreach (var run in runs)
        {
            Assert.True(run.Status is RunStatus.Pending or RunStatus.Done, $"run {run.Id} is {run.Status} after resume: {run.Error}");
            var steps = (await store.GetMetricsAsync(run.Id, "train/loss")).Select(p => p.Step).ToList();
            Assert.Equal(Enumerable.Range(1, steps.Count).Select(s => (long)s), steps); // 1..k: no gap, no duplicate
            if (run.Status == RunStatus.Done)
            {
                Assert.Equal(Steps, steps.Count);
                doneSince.TryAdd(run.Id, DateTime.UtcNow);
            }
            else Assert.False(doneSince.ContainsKey(run.Id), $"run {run.Id} was done and is {run.Status} again");
            var events = Path.Combine(output, "runs", "chaos", run.ConfigHash, "events");
            if (doneSince.TryGetValue(run.Id, out var since) && File.Exists(events))
            {
                // A done cell is never claimed again: no start after the moment it was seen done.
                var lateStarts = File.ReadLines(events).Where(l => l.Contains(" start ", StringComparison.Ordinal))
                    .Select(l => DateTime.Parse(l[..l.IndexOf(' ')], null, System.Globalization.DateTimeStyles.RoundtripKind))
                    .Count(t => t > since);
                Assert.Equal(0, lateStarts);
            }
        }
        if (final) Assert.All(runs, r => Assert.Equal(RunStatus.Done, r.Status));
    }

    private static Process Start(string database, string output)
    {
        var start = new ProcessStartInfo(DotnetHost()) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { WorkerPath(), database, "chaos", output, Steps.ToString(), StepMs.ToString() }) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static string WorkerPath()
    {
        // This assembly runs from tests/Sld.Bench.Tests/bin/<Configuration>/net10.0/.
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var path = Path.Combine(RepoPaths.Root, "tests", "Sld.Bench.Sweep.ChaosWorker", "bin", configuration, "net10.0", "Sld.Bench.Sweep.ChaosWorker.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException($"build tests/Sld.Bench.Sweep.ChaosWorker first ({path})", path);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
