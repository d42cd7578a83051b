// The behaviour every results-store provider must have, run once against SQLite and once against a real
// PostgreSQL cluster: migrations, idempotent planning, exclusive claims under concurrency, recovery of
// abandoned claims, resume, and the round trip of metrics, evaluations and utterances.
using Microsoft.EntityFrameworkCore;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Shared.Tests.Config;

namespace Sld.Bench.Shared.Tests.Storage;

public abstract class StoreContractTests
{
    /// <summary>A location string for a new, empty database.</summary>
    protected abstract Task<string> NewDatabaseAsync();

    protected static SweepPlan Grid(params string[] sets) => ConfigFixtures.Expand("grid.yaml", sets); // 54 cells

    protected async Task<(ResultsStore Store, long SweepId)> PlannedAsync(SweepPlan? plan = null)
    {
        var store = await ResultsStore.OpenAsync(await NewDatabaseAsync());
        var result = await store.UpsertPlanAsync(plan ?? Grid());
        return (store, result.SweepId);
    }

    [Fact]
    public async Task Migrations_create_the_schema()
    {
        await using var store = await ResultsStore.OpenAsync(await NewDatabaseAsync());
        Assert.Equal(["Initial", "SweepOutputRoot"], (await store.AppliedMigrationsAsync()).Select(m => m[(m.IndexOf('_') + 1)..]));
        await using var ctx = store.CreateContext();
        Assert.Equal(0, await ctx.Runs.CountAsync());
        Assert.Equal(0, await ctx.UtteranceResults.CountAsync());
        Assert.Empty(await ctx.Database.GetPendingMigrationsAsync());
        // Opening again does not migrate twice.
        await using var again = await ResultsStore.OpenAsync(store.Location.ConnectionString);
        Assert.Equal(2, (await again.AppliedMigrationsAsync()).Count);
    }

    [Fact]
    public async Task Planning_is_idempotent_by_config_hash_and_retires_runs_that_left_the_plan()
    {
        await using var store = await ResultsStore.OpenAsync(await NewDatabaseAsync());
        var plan = Grid();
        var first = await store.UpsertPlanAsync(plan);
        Assert.Equal((54, 0, 0), (first.Added, first.Existing, first.Retired));
        var again = await store.UpsertPlanAsync(Grid());
        Assert.Equal((first.SweepId, 0, 54, 0), (again.SweepId, again.Added, again.Existing, again.Retired));

        var runs = await store.ListRunsAsync(first.SweepId);
        Assert.Equal(54, runs.Count);
        Assert.Equal(plan.Cells.Select(c => c.Hash), runs.Select(r => r.ConfigHash));
        Assert.All(runs, r => Assert.Equal(RunStatus.Pending, r.Status));
        Assert.Equal(4, runs[5].AxisValues.Count);
        Assert.Equal(plan.Cells[5].CanonicalJson, runs[5].ConfigJson);
        Assert.Equal("{\"loss.strategy\":\"lm\",\"model.layers\":1,\"train.lr\":0.3,\"seed\":1}", runs[5].AxesJson);
        var lr = runs[5].AxisValues.Single(a => a.Axis == "train.lr");
        Assert.Equal(("0.3", 0.3), (lr.ValueText, lr.ValueNumber!.Value));

        var edited = await store.UpsertPlanAsync(Grid("train.batch_size=16"));
        Assert.Equal((54, 0, 54), (edited.Added, edited.Existing, edited.Retired));
        Assert.Equal(54, (await store.ListRunsAsync(first.SweepId)).Count);
        Assert.Equal(108, (await store.ListRunsAsync(first.SweepId, includeRetired: true)).Count);
        var back = await store.UpsertPlanAsync(plan);
        Assert.Equal((0, 54, 54), (back.Added, back.Existing, back.Retired));
        Assert.Equal(plan.Cells.Select(c => c.Hash), (await store.ListRunsAsync(first.SweepId)).Select(r => r.ConfigHash));
        var sweeps = await store.ListSweepsAsync();
        Assert.Equal(("grid_demo", 54, 54), (sweeps.Single().Name, sweeps.Single().CellCount, sweeps.Single().Count(RunStatus.Pending)));
    }

    [Fact]
    public async Task Concurrent_planning_of_one_sweep_never_duplicates_a_run()
    {
        var location = await NewDatabaseAsync();
        await using var first = await ResultsStore.OpenAsync(location);
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ResultsStore.OpenAsync(location)));
        var plan = Grid();
        var results = await Task.WhenAll(stores.Select(s => Task.Run(() => s.UpsertPlanAsync(plan))));
        Assert.Equal(54, results.Sum(r => r.Added));
        Assert.Single(results.Select(r => r.SweepId).Distinct());
        await using var ctx = first.CreateContext();
        Assert.Equal(54, await ctx.Runs.CountAsync());
        Assert.Equal(54 * 4, await ctx.RunAxisValues.CountAsync());
        foreach (var s in stores) await s.DisposeAsync();
    }

    [Fact]
    public async Task Claims_follow_plan_order_and_only_the_holder_can_finish()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var a = await store.ClaimNextAsync(sweepId);
        var b = await store.ClaimNextAsync(sweepId);
        Assert.NotNull(a);
        Assert.NotNull(b);
        Assert.Equal((0, 1, 1), (a.Index, b.Index, a.Attempt));
        Assert.Equal(Grid().Cells[0].Hash, a.ConfigHash);
        Assert.Equal(Grid().Cells[0].CanonicalJson, a.ConfigJson);
        Assert.Equal(0.1, ConfigBinder.Bind<ExperimentConfig>(ConfigYaml.Parse(a.ConfigJson, "db")).Train.Lr);
        Assert.True(await store.HeartbeatAsync(a));
        Assert.True(await store.MarkDoneAsync(a));
        Assert.False(await store.MarkDoneAsync(a));
        Assert.False(await store.HeartbeatAsync(a));
        Assert.False(await store.MarkDoneAsync(b with { Token = "forged" }));
        Assert.True(await store.MarkDivergedAsync(b, 1234));
        var counts = await store.GetStatusCountsAsync(sweepId);
        Assert.Equal((1, 1, 52), (counts[RunStatus.Done], counts[RunStatus.Diverged], counts[RunStatus.Pending]));
        var diverged = await store.GetRunAsync(b.RunId);
        Assert.Equal((1234L, "non-finite loss at step 1234"), (diverged!.DivergedStep!.Value, diverged.Error!));
        Assert.Equal(Environment.ProcessId, diverged.ClaimedByPid);
        Assert.True(diverged.EndedAt >= diverged.StartedAt);
    }

    [Fact]
    public async Task Four_workers_claim_concurrently_and_no_run_is_claimed_twice()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var claimed = new System.Collections.Concurrent.ConcurrentBag<long>();
        // Each worker opens its own store first; then all start together, so they really compete.
        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ResultsStore.OpenAsync(store.Location.ConnectionString)));
        using var start = new Barrier(4);
        var workers = stores.Select((own, w) => Task.Run(async () =>
        {
            await using var _ = own;
            var worker = new ClaimOptions { Worker = WorkerIdentity.Current with { Host = $"{WorkerIdentity.Current.Host}-thread{w}" } };
            start.SignalAndWait(TimeSpan.FromSeconds(60));
            while (await own.ClaimNextAsync(sweepId, worker) is { } claim)
            {
                claimed.Add(claim.RunId);
                await own.RecordMetricsAsync(claim.RunId, [new MetricPoint(1, "loss", 2.5), new MetricPoint(2, "loss", 2.0)]);
                await Task.Delay(5); // the "work": gives the other workers their turn at the lock
                Assert.True(await own.HeartbeatAsync(claim));
                Assert.True(await own.MarkDoneAsync(claim));
            }
        })).ToArray();
        await Task.WhenAll(workers);
        Assert.Equal(54, claimed.Count);
        Assert.Equal(54, claimed.Distinct().Count());
        var runs = await store.ListRunsAsync(sweepId);
        Assert.All(runs, r => Assert.Equal((RunStatus.Done, 1), (r.Status, r.Attempts)));
        Assert.True(runs.Select(r => r.ClaimedByHost).Distinct().Count() > 1, "the work should be spread over the workers");
    }

    [Fact]
    public async Task A_run_with_a_stale_heartbeat_is_taken_back_and_its_old_holder_is_locked_out()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var other = new ClaimOptions { Worker = new WorkerIdentity("other-machine", 4242, DateTime.UtcNow) };
        var lost = await store.ClaimNextAsync(sweepId, other);
        Assert.NotNull(lost);
        await Task.Delay(50);
        var fresh = await store.ClaimNextAsync(sweepId, new ClaimOptions { StaleAfter = TimeSpan.FromMilliseconds(20) });
        Assert.NotNull(fresh);
        Assert.Equal((lost.RunId, 2), (fresh.RunId, fresh.Attempt));
        Assert.False(await store.HeartbeatAsync(lost));
        Assert.False(await store.MarkFailedAsync(lost, "too late"));
        Assert.True(await store.MarkDoneAsync(fresh));
        Assert.Equal(RunStatus.Done, (await store.GetRunAsync(fresh.RunId))!.Status);
    }

    [Fact]
    public async Task A_run_whose_process_died_on_this_host_is_taken_back_at_once()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var dead = new WorkerIdentity(WorkerIdentity.Current.Host, DeadPid(), DateTime.UtcNow.AddMinutes(-1));
        var a = await store.ClaimNextAsync(sweepId, new ClaimOptions { Worker = dead });
        // The heartbeat is fresh and StaleAfter is 2 minutes: only the process check can take it back.
        var b = await store.ClaimNextAsync(sweepId);
        Assert.Equal((0, 0, a!.RunId, 2), (a.Index, b!.Index, b.RunId, b.Attempt));
        Assert.False(await store.HeartbeatAsync(a));

        // Our own pid with another start time is a different (earlier) process that reused the pid.
        var reused = WorkerIdentity.Current with { ProcessStart = WorkerIdentity.Current.ProcessStart.AddHours(-1) };
        var c = await store.ClaimNextAsync(sweepId, new ClaimOptions { Worker = reused });
        var d = await store.ClaimNextAsync(sweepId);
        Assert.Equal((1, 1, c!.RunId, 2), (c.Index, d!.Index, d.RunId, d.Attempt));
        Assert.Equal(0, await store.ReclaimAbandonedAsync(sweepId)); // b and d belong to this live process
        Assert.True(await store.HeartbeatAsync(b));
    }

    [Fact]
    public async Task A_run_abandoned_max_attempts_times_fails_and_resume_with_retry_failed_requeues_it()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var dead = new ClaimOptions { Worker = new WorkerIdentity(WorkerIdentity.Current.Host, DeadPid(), DateTime.UtcNow), MaxAttempts = 2 };
        var first = await store.ClaimNextAsync(sweepId, dead);
        var second = await store.ClaimNextAsync(sweepId, dead);
        Assert.Equal((first!.RunId, 2), (second!.RunId, second.Attempt));
        var third = await store.ClaimNextAsync(sweepId, dead with { Worker = WorkerIdentity.Current });
        Assert.NotEqual(first.RunId, third!.RunId);
        var run = await store.GetRunAsync(first.RunId);
        Assert.Equal(RunStatus.Failed, run!.Status);
        Assert.StartsWith("abandoned 2 times, last because its process", run.Error, StringComparison.Ordinal);

        var resumed = await store.ResetForResumeAsync(sweepId, new ResumeOptions { RetryFailed = true });
        Assert.Equal(1, resumed.Failed);
        var again = await store.ClaimNextAsync(sweepId);
        Assert.Equal((first.RunId, 1), (again!.RunId, again.Attempt));
    }

    [Fact]
    public async Task Resume_requeues_cancelled_runs_and_failed_or_diverged_ones_only_when_asked()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var claims = new List<RunClaim>();
        for (var i = 0; i < 4; i++) claims.Add((await store.ClaimNextAsync(sweepId))!);
        Assert.True(await store.MarkDoneAsync(claims[0]));
        Assert.True(await store.MarkFailedAsync(claims[1], "System.IO.IOException: disk full"));
        Assert.True(await store.MarkDivergedAsync(claims[2], 77));
        Assert.True(await store.MarkCancelledAsync(claims[3], "SIGINT"));

        Assert.Equal(new ResumeResult(1, 0, 0, 0), await store.ResetForResumeAsync(sweepId));
        Assert.Equal(new ResumeResult(0, 1, 0, 0), await store.ResetForResumeAsync(sweepId, new ResumeOptions { RetryFailed = true }));
        Assert.Equal(new ResumeResult(0, 0, 1, 0), await store.ResetForResumeAsync(sweepId, new ResumeOptions { RetryDiverged = true }));
        var counts = await store.GetStatusCountsAsync(sweepId);
        Assert.Equal((1, 53), (counts[RunStatus.Done], counts[RunStatus.Pending]));
        Assert.Equal(53, await store.CancelPendingAsync(sweepId));
        Assert.Null(await store.ClaimNextAsync(sweepId));
    }

    [Fact]
    public async Task Metrics_are_recorded_in_bulk_and_overwritten_when_recorded_again()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var claim = (await store.ClaimNextAsync(sweepId))!;
        var points = Enumerable.Range(0, 2000).Select(s => new MetricPoint(s, s % 2 == 0 ? "loss" : "lr", 1.0 / (s + 1))).ToList();
        await store.RecordMetricsAsync(claim.RunId, points);
        await store.RecordMetricsAsync(claim.RunId, [new MetricPoint(0, "loss", 0.5), new MetricPoint(2000, "loss", double.NaN)]);
        var loss = await store.GetMetricsAsync(claim.RunId, "loss");
        Assert.Equal(1001, loss.Count);
        Assert.Equal((0L, 0.5), (loss[0].Step, loss[0].Value!.Value));
        Assert.Equal(1.0 / 3, loss[1].Value!.Value, 15);
        Assert.Null(loss[^1].Value);
        Assert.Equal(2001, (await store.GetMetricsAsync(claim.RunId)).Count);
    }

    [Fact]
    public async Task Evaluations_with_5000_utterances_are_stored_fast_and_replaced_whole()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var claim = (await store.ClaimNextAsync(sweepId))!;
        var utterances = Enumerable.Range(0, 5000).Select(i => new UtteranceRecord(
            $"spk{i % 40}-utt{i:D5}", $"spk{i % 40}", 1.5 + i % 7, "the cat sat on the mat", i % 5 == 0 ? "the cat sat on mat" : "the cat sat on the mat",
            i % 5 == 0 ? 5 : 6, 0, i % 5 == 0 ? 1 : 0, 0, i % 5 == 0 ? "CCCCDC" : "CCCCCC", "{\"snr\":12}")).ToList();
        var evaluation = new EvaluationRecord("test-clean", 29000, 0, 1000, 0, 100000, 500, 300, 200, 5000, 1000, "lower, no punctuation", "{\"mode\":\"greedy\"}", Step: 900);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var id = await store.RecordEvaluationAsync(claim.RunId, evaluation, utterances);
        watch.Stop();
        // A generous bound for a loaded 2-core machine; the insert takes well under a second when idle.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"5000 utterances took {watch.Elapsed.TotalSeconds:F1} s");

        var stored = Assert.Single(await store.GetEvaluationsAsync(claim.RunId));
        Assert.Equal((30000L, 1000.0 / 30000, 1000.0 / 100800), (stored.RefWords, stored.Wer, stored.Cer));
        Assert.Equal(5000, await store.CountUtterancesAsync(id));
        Assert.Equal(1000, await store.CountUtterancesAsync(id, onlyErrors: true));
        var worst = await store.GetUtterancesAsync(id, new UtteranceQuery { Take = 3 });
        Assert.Equal(["spk0-utt00000", "spk0-utt00040", "spk0-utt00080"], worst.Select(u => u.UtteranceId));
        Assert.Equal((1, 6, "CCCCDC"), (worst[0].Errors, worst[0].RefWords, worst[0].Alignment!));
        var speaker = await store.GetUtterancesAsync(id, new UtteranceQuery { Speaker = "spk3", ByErrors = false, Take = 1000 });
        Assert.Equal(125, speaker.Count);

        await store.AddUtterancesAsync(id, [new UtteranceRecord("extra", null, 1, "a", "b", 0, 1, 0, 0)]);
        Assert.Equal(5001, await store.CountUtterancesAsync(id));
        var replaced = await store.RecordEvaluationAsync(claim.RunId, evaluation with { Deletions = 0, Correct = 30000 }, utterances.Take(10).ToList());
        Assert.Equal(10, await store.CountUtterancesAsync(replaced));
        Assert.Equal(0, await store.CountUtterancesAsync(id));
        Assert.Equal(0.0, Assert.Single(await store.GetEvaluationsAsync(claim.RunId)).Wer);
    }

    [Fact]
    public async Task Provenance_and_checkpoints_round_trip_with_one_best_checkpoint()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        var claim = (await store.ClaimNextAsync(sweepId))!;
        Assert.True(await store.RecordProvenanceAsync(claim, new RunProvenance("abc123", "node7", "cuda:0", "2.5.1", 12_345_678,
            new Dictionary<string, double> { ["train"] = 12.5 }, TokenizerHash: "tok")));
        Assert.True(await store.RecordProvenanceAsync(claim, new RunProvenance(ParameterCount: 99)));
        var run = (await store.GetRunAsync(claim.RunId))!;
        Assert.Equal(("abc123", "cuda:0", 99L, "{\"train\":12.5}", "tok"), (run.GitCommit!, run.Device!, run.ParameterCount!.Value, run.DurationsJson!, run.TokenizerHash!));

        await store.RecordCheckpointAsync(claim.RunId, 100, "/ckpt/100", 0.30, isBest: true);
        await store.RecordCheckpointAsync(claim.RunId, 200, "/ckpt/200", 0.25, isBest: true);
        await store.RecordCheckpointAsync(claim.RunId, 300, "/ckpt/300", 0.27);
        await store.RecordCheckpointAsync(claim.RunId, 300, "/ckpt/300b", 0.26);
        Assert.Equal([100L, 200L, 300L], (await store.GetCheckpointsAsync(claim.RunId)).Select(c => c.Step));
        Assert.Equal("/ckpt/200", (await store.GetBestCheckpointAsync(claim.RunId))!.Path);
        Assert.Equal(("/ckpt/300b", 0.26), ((await store.GetLatestCheckpointAsync(claim.RunId))!.Path, (await store.GetLatestCheckpointAsync(claim.RunId))!.DevWer!.Value));
    }

    [Fact]
    public async Task A_shared_artifact_is_built_once_and_a_dead_builder_is_replaced()
    {
        await using var store = await ResultsStore.OpenAsync(await NewDatabaseAsync());
        var spec = new ArtifactSpec("0123456789abcdef", "tokenizer", "kmeans", "{\"k\":100}", "{\"layer\":6}");
        var a = await store.ClaimArtifactAsync(spec);
        Assert.Equal(ArtifactClaimOutcome.Acquired, a.Outcome);
        var other = new ClaimOptions { Worker = new WorkerIdentity("other-machine", 1, DateTime.UtcNow) };
        Assert.Equal(ArtifactClaimOutcome.BuildingElsewhere, (await store.ClaimArtifactAsync(spec, other)).Outcome);
        Assert.True(await store.HeartbeatArtifactAsync(spec.Hash, a.Token!));
        Assert.True(await store.CompleteArtifactAsync(spec.Hash, a.Token!, "/art/tok", "{\"perplexity\":71.5}"));
        var ready = await store.ClaimArtifactAsync(spec, other);
        Assert.Equal((ArtifactClaimOutcome.Ready, "/art/tok", "{\"perplexity\":71.5}"), (ready.Outcome, ready.Artifact.Path!, ready.Artifact.StatsJson!));

        var spec2 = spec with { Hash = "fedcba9876543210" };
        var dead = new ClaimOptions { Worker = new WorkerIdentity(WorkerIdentity.Current.Host, DeadPid(), DateTime.UtcNow) };
        var abandoned = await store.ClaimArtifactAsync(spec2, dead);
        var taken = await store.ClaimArtifactAsync(spec2);
        Assert.Equal(ArtifactClaimOutcome.Acquired, taken.Outcome);
        Assert.False(await store.CompleteArtifactAsync(spec2.Hash, abandoned.Token!, "/late"));
        Assert.True(await store.FailArtifactAsync(spec2.Hash, taken.Token!, "out of memory"));
        Assert.Equal(ArtifactClaimOutcome.Acquired, (await store.ClaimArtifactAsync(spec2, other)).Outcome);
        Assert.Equal(["fedcba9876543210", "0123456789abcdef"], (await store.ListArtifactsAsync("tokenizer")).Select(x => x.Hash).Order().Reverse());
    }

    [Fact]
    public async Task A_read_only_store_reads_and_refuses_writes()
    {
        var (store, sweepId) = await PlannedAsync();
        await using var _ = store;
        await using var reader = await ResultsStore.OpenReadOnlyAsync(store.Location.ConnectionString);
        Assert.True(reader.IsReadOnly);
        Assert.Equal(54, (await reader.ListRunsAsync(sweepId)).Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ClaimNextAsync(sweepId));
        // The database itself refuses writes too, not only the store's API.
        await using var ctx = reader.CreateContext();
        await Assert.ThrowsAnyAsync<Exception>(() => ctx.Database.ExecuteSqlRawAsync("UPDATE runs SET attempts = 9"));
        Assert.All(await store.ListRunsAsync(sweepId), r => Assert.Equal(0, r.Attempts));
    }

    /// <summary>The pid of a process that has exited (pids are not reused that fast).</summary>
    protected static int DeadPid()
    {
        using var process = System.Diagnostics.Process.Start("true")!;
        process.WaitForExit();
        return process.Id;
    }
}
