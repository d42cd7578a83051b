// One worker: claims cells of a sweep (or of every stored sweep) from the store until none is left, or, as a
// long-lived service, waits for new ones; keeps each claim alive with a heartbeat and records how each cell
// ended. Several workers (processes, Slurm array tasks, containers on other machines) can share a sweep: the
// store's atomic claims ensure no cell runs twice, and a worker killed outright leaves a stale heartbeat that
// the next worker's reclaim turns back into a pending cell.
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

    /// <summary>
    /// When set, a worker that finds no pending cell (or no sweep of the given name yet) looks again after this
    /// long instead of stopping: a service that runs whatever is submitted until it is stopped.
    /// </summary>
    public TimeSpan? WaitForWork { get; init; }
}

/// <summary>What one worker did.</summary>
public sealed record WorkerSummary(int Done, int Failed, int Diverged, int Cancelled, int LostClaims);

public sealed class SweepWorker(ResultsStore store, ICellRunner runner, WorkerOptions options, Action<string>? log = null)
{
    private readonly Action<string> _log = log ?? (_ => { });

    public static string RunDirectory(string outputRoot, string sweepName, string configHash) =>
        Path.Combine(outputRoot, "runs", Safe(sweepName), configHash);

    public static string WorkDirectory(string outputRoot) => Path.Combine(outputRoot, "work");

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    /// <summary>
    /// Runs cells of the sweep named <paramref name="sweepName"/>, or of every stored sweep (oldest first) when it
    /// is null, until none is pending (or, with <see cref="WorkerOptions.WaitForWork"/>, until cancelled).
    /// </summary>
    public async Task<WorkerSummary> RunAsync(string? sweepName, CancellationToken cancellation)
    {
        if (sweepName is not null && options.WaitForWork is null && await store.GetSweepAsync(sweepName, CancellationToken.None) is null)
            throw new InvalidOperationException($"no sweep named '{sweepName}' in {store.Location}");
        int done = 0, failed = 0, diverged = 0, cancelled = 0, lost = 0;
        var idle = false;
        while (!cancellation.IsCancellationRequested && (options.MaxCells is null || done + failed + diverged < options.MaxCells))
        {
            var next = await ClaimNextAsync(sweepName);
            if (next is not { } work)
            {
                if (options.WaitForWork is not { } wait) break;
                if (!idle)
                {
                    idle = true;
                    _log(sweepName is null ? "no pending cell in any sweep; waiting for work" : $"no pending cell in sweep {sweepName}; waiting for work");
                }
                try
                {
                    await Task.Delay(wait, cancellation);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                continue;
            }
            idle = false;
            var (name, claim) = work;
            _log($"cell #{claim.Index} {claim.ConfigHash}: started (attempt {claim.Attempt}){(sweepName is null ? $" in sweep {name}" : "")}");
            var (outcome, kept) = await RunClaimedAsync(name, claim, cancellation);
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

    /// <summary>The next cell to run: of the named sweep, or of the oldest stored sweep that has one pending.</summary>
    private async Task<(string SweepName, RunClaim Claim)?> ClaimNextAsync(string? sweepName)
    {
        List<(long Id, string Name)> sweeps;
        if (sweepName is not null)
            sweeps = await store.GetSweepAsync(sweepName, CancellationToken.None) is { } named ? [(named.Id, named.Name)] : [];
        else
            // Sweeps with running cells stay candidates: one of those cells may be abandoned and taken back.
            sweeps = [.. (await store.ListSweepsAsync(CancellationToken.None))
                .Where(s => s.Count(RunStatus.Pending) + s.Count(RunStatus.Running) > 0)
                .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => (s.Id, s.Name))];
        foreach (var (id, name) in sweeps)
        {
            await store.ReclaimAbandonedAsync(id, options.Claims, CancellationToken.None);
            if (await store.ClaimNextAsync(id, options.Claims, CancellationToken.None) is { } claim) return (name, claim);
        }
        return null;
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
