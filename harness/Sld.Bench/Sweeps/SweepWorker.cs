// One worker: claims cells of a sweep from the store until none is left, keeps each claim alive with a
// heartbeat, and records how each cell ended. Several workers (processes, or Slurm array tasks on other
// machines) can share a sweep: the store's atomic claims ensure no cell runs twice, and a worker killed
// outright leaves a stale heartbeat that the next worker's reclaim turns back into a pending cell.
using System.Diagnostics;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Sweeps;

public sealed record WorkerOptions
{
    /// <summary>Root for per-run directories (runs/&lt;sweep&gt;/&lt;hash&gt;) and shared artifacts (work/).</summary>
    public required string OutputRoot { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    public TimeSpan HeartbeatEvery { get; init; } = TimeSpan.FromSeconds(15);

    public ClaimOptions Claims { get; init; } = new();

    /// <summary>Stop after this many cells (for tests and for Slurm tasks with a time budget); null: until none is left.</summary>
    public int? MaxCells { get; init; }
}

/// <summary>What one worker did.</summary>
public sealed record WorkerSummary(int Done, int Failed, int Diverged, int Cancelled, int LostClaims);

public sealed class SweepWorker(ResultsStore store, ICellRunner runner, WorkerOptions options, Action<string>? log = null)
{
    private readonly Action<string> _log = log ?? (_ => { });

    public static string RunDirectory(string outputRoot, string sweepName, string configHash) =>
        Path.Combine(outputRoot, "runs", Safe(sweepName), configHash);

    public static string WorkDirectory(string outputRoot) => Path.Combine(outputRoot, "work");

    // One path segment whatever the name: separators become '_', and "." or ".." (which would leave runs/) too.
    private static string Safe(string name)
    {
        var safe = string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return safe.Trim('.').Length == 0 ? new string('_', Math.Max(1, safe.Length)) : safe;
    }

    public async Task<WorkerSummary> RunAsync(string sweepName, CancellationToken cancellation)
    {
        var sweep = await store.GetSweepAsync(sweepName, CancellationToken.None)
            ?? throw new InvalidOperationException($"no sweep named '{sweepName}' in {store.Location}");
        int done = 0, failed = 0, diverged = 0, cancelled = 0, lost = 0;
        while (!cancellation.IsCancellationRequested && (options.MaxCells is null || done + failed + diverged < options.MaxCells))
        {
            await store.ReclaimAbandonedAsync(sweep.Id, options.Claims, CancellationToken.None);
            var claim = await store.ClaimNextAsync(sweep.Id, options.Claims, CancellationToken.None);
            if (claim is null) break;
            _log($"cell #{claim.Index} {claim.ConfigHash}: started (attempt {claim.Attempt})");
            var (outcome, kept) = await RunClaimedAsync(sweep.Name, claim, cancellation);
            if (!kept)
            {
                lost++;
                _log($"cell #{claim.Index}: the claim was lost (another worker reclaimed it); its result was not recorded");
                continue;
            }
            switch (outcome)
            {
                case CellOutcome.Done:
                    done++;
                    break;
                case CellOutcome.Failed:
                    failed++;
                    break;
                case CellOutcome.Diverged:
                    diverged++;
                    break;
                default:
                    cancelled++;
                    break;
            }
        }
        return new WorkerSummary(done, failed, diverged, cancelled, lost);
    }

    /// <summary>Runs one claimed cell; returns its outcome (null when cancelled) and whether the claim held to the end.</summary>
    private async Task<(CellOutcome? outcome, bool kept)> RunClaimedAsync(string sweepName, RunClaim claim, CancellationToken cancellation)
    {
        using var lostClaim = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, lostClaim.Token);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatLoopAsync(claim, lostClaim, stopHeartbeat.Token);
        CellOutcome? outcome;
        var watch = Stopwatch.StartNew();
        try
        {
            var context = new CellContext(
                claim,
                ParseConfig(claim),
                store,
                RunDirectory(options.OutputRoot, sweepName, claim.ConfigHash),
                WorkDirectory(options.OutputRoot),
                options.Threads,
                message => _log($"cell #{claim.Index}: {message}"));
            Directory.CreateDirectory(context.RunDirectory);
            outcome = await runner.RunAsync(context, linked.Token);
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            outcome = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            outcome = new CellOutcome.Failed(Describe(e));
        }
        finally
        {
            await stopHeartbeat.CancelAsync();
            await heartbeat;
        }
        if (lostClaim.IsCancellationRequested) return (outcome, false);

        bool kept;
        switch (outcome)
        {
            case CellOutcome.Done:
                kept = await store.MarkDoneAsync(claim, CancellationToken.None);
                _log($"cell #{claim.Index}: done in {watch.Elapsed.TotalSeconds:F0} s");
                break;
            case CellOutcome.Diverged d:
                kept = await store.MarkDivergedAsync(claim, d.Step, d.Detail, CancellationToken.None);
                _log($"cell #{claim.Index}: diverged at step {d.Step}: {d.Detail}");
                break;
            case CellOutcome.Failed f:
                kept = await store.MarkFailedAsync(claim, f.Error, CancellationToken.None);
                _log($"cell #{claim.Index}: FAILED: {f.Error}");
                break;
            default:
                // Interrupted (Ctrl+C, SIGTERM, a Slurm time limit): requeued by `sweep resume`, continuing from its checkpoint.
                kept = await store.MarkCancelledAsync(claim, "interrupted", CancellationToken.None);
                _log($"cell #{claim.Index}: interrupted; `sldbench sweep resume` continues it from its last checkpoint");
                break;
        }
        return (outcome, kept);
    }

    private async Task HeartbeatLoopAsync(RunClaim claim, CancellationTokenSource lostClaim, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(options.HeartbeatEvery, stop);
                if (!await store.HeartbeatAsync(claim, CancellationToken.None))
                {
                    await lostClaim.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static ConfigMap ParseConfig(RunClaim claim) =>
        ConfigYaml.Parse(claim.ConfigJson, $"run {claim.RunId} config") as ConfigMap
        ?? throw new InvalidDataException($"run {claim.RunId} has a config that is not a mapping");

    /// <summary>The error text stored with a failed cell: the exception chain's messages, then where it was thrown.</summary>
    public static string Describe(Exception e)
    {
        var messages = new List<string>();
        for (var x = e; x is not null; x = x.InnerException) messages.Add($"{x.GetType().Name}: {x.Message}");
        var frame = e.StackTrace?.Split('\n').FirstOrDefault(l => l.Contains(" in ", StringComparison.Ordinal))?.Trim();
        return string.Join(" <- ", messages) + (frame is null ? "" : $" ({frame})");
    }
}
