// One worker: claims cells of a sweep (or of every stored sweep) from the store until none is left, or, as a
// long-lived service, waits for new ones; keeps each claim alive with a heartbeat and records how each cell
// ended. Several workers (processes, Slurm array tasks, containers on other machines) can share a sweep: the store's atomic claims ensure no cell runs twice, and a worker killed
// outright leaves a stale heartbeat that the next worker's reclaim turns back into a pending cell. A worker
// that cannot go on through no fault of the cell (a full disk, an unusable store, the sweep's files missing, a
// run folder of another store) gives its cell back as pending and stops, saying why, instead of failing cells.
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

    /// <summary>
    /// After an interruption, how long a cell may take to stop by itself (saving its checkpoint) before the
    /// worker records it interrupted anyway and returns, so a stage that checks for cancellation rarely cannot
    /// leave the cell running. Slurm's default grace between SIGTERM and SIGKILL is 30 s.
    /// </summary>
    public TimeSpan InterruptGrace { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>What one worker did; <paramref name="StoppedBecause"/> says why it stopped with cells left pending, if it did.</summary>
public sealed record WorkerSummary(int Done, int Failed, int Diverged, int Cancelled, int LostClaims, string? StoppedBecause = null);

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

    /// <summary>
    /// Runs cells of the sweep named <paramref name="sweepName"/>, or of every stored sweep (oldest first) when it
    /// is null, until none is pending (or, with <see cref="WorkerOptions.WaitForWork"/>, until cancelled).
    /// </summary>
    public async Task<WorkerSummary> RunAsync(string? sweepName, CancellationToken cancellation)
    {
        try
        {
            if (sweepName is not null && options.WaitForWork is null && await store.GetSweepAsync(sweepName, CancellationToken.None) is null)
                throw new InvalidOperationException($"no sweep named '{sweepName}' in {store.Location}");
        }
        catch (StoreException e)
        {
            _log($"worker stopped before claiming a cell: {e.Message}");
            return new WorkerSummary(0, 0, 0, 0, 0, e.Message);
        }
        int done = 0, failed = 0, diverged = 0, cancelled = 0, lost = 0;
        string? stopped = null;
        var idle = false;
        while (!cancellation.IsCancellationRequested && (options.MaxCells is null || done + failed + diverged < options.MaxCells))
        {
            (Sweep Sweep, RunClaim Claim)? next;
            try
            {
                next = await ClaimNextAsync(sweepName);
            }
            catch (StoreException e)
            {
                stopped = e.Message;
                break;
            }
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
            var (sweep, claim) = work;
            _log($"cell #{claim.Index} {claim.ConfigHash}: started (attempt {claim.Attempt}){(sweepName is null ? $" in sweep {sweep.Name}" : "")}");
            var (outcome, kept, stop) = await RunClaimedAsync(sweep, claim, cancellation);
            if (stop is not null)
            {
                stopped = stop;
                break;
            }
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
        if (stopped is not null) _log($"worker stopped, leaving the remaining cells pending: {stopped}");
        return new WorkerSummary(done, failed, diverged, cancelled, lost, stopped);
    }

    /// <summary>The next cell to run: of the named sweep, or of the oldest stored sweep that has one pending.</summary>
    private async Task<(Sweep Sweep, RunClaim Claim)?> ClaimNextAsync(string? sweepName)
    {
        List<Sweep> sweeps;
        if (sweepName is not null)
            sweeps = await store.GetSweepAsync(sweepName, CancellationToken.None) is { } named ? [named] : [];
        else
        {
            // Sweeps with running cells stay candidates: one of those cells may be abandoned and taken back.
            var candidates = (await store.ListSweepsAsync(CancellationToken.None))
                .Where(s => s.Count(RunStatus.Pending) + s.Count(RunStatus.Running) > 0)
                .OrderBy(s => s.CreatedAt).ThenBy(s => s.Id).Select(s => s.Name).ToList();
            sweeps = [];
            foreach (var name in candidates)
                if (await store.GetSweepAsync(name, CancellationToken.None) is { } sweep) sweeps.Add(sweep);
        }
        foreach (var sweep in sweeps)
        {
            await store.ReclaimAbandonedAsync(sweep.Id, options.Claims, CancellationToken.None);
            if (await store.ClaimNextAsync(sweep.Id, options.Claims, CancellationToken.None) is { } claim) return (sweep, claim);
        }
        return null;
    }

    /// <summary>
    /// Runs one claimed cell; returns its outcome (null when interrupted), whether the claim held to the end,
    /// and, when the worker must stop without blaming the cell, why.
    /// </summary>
    private async Task<(CellOutcome? outcome, bool kept, string? stop)> RunClaimedAsync(Sweep sweep, RunClaim claim, CancellationToken cancellation)
    {
        var runDirectory = RunDirectory(options.OutputRoot, sweep.Name, claim.ConfigHash);
        var owner = RunFolderOwner.For(store, sweep, claim.RunId);
        string? stop = null;
        try
        {
            if (!Directory.Exists(options.OutputRoot) && claim.Attempt > 1)
                stop = $"the sweep's output folder {options.OutputRoot} does not exist (moved or deleted?); give its place with --out";
            else stop = RunFolderOwner.Conflict(runDirectory, owner, startedBefore: claim.Attempt > 1);
            if (stop is null) owner.Write(runDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            stop = $"cannot write the run folder {runDirectory}: {e.Message}";
        }
        if (stop is not null) return (null, false, await GiveBackAsync(claim, stop));

        using var lostClaim = new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, lostClaim.Token);
        using var stopHeartbeat = new CancellationTokenSource();
        var heartbeat = HeartbeatLoopAsync(claim, lostClaim, stopHeartbeat.Token);
        CellOutcome? outcome = null;
        var watch = Stopwatch.StartNew();
        try
        {
            var context = new CellContext(claim, ParseConfig(claim), store, runDirectory, WorkDirectory(options.OutputRoot), options.Threads,
                message => _log($"cell #{claim.Index}: {message}"));
            var run = Task.Run(() => runner.RunAsync(context, linked.Token), CancellationToken.None);
            if (!await StoppedInTimeAsync(run, linked.Token))
                _log($"cell #{claim.Index}: did not stop within {options.InterruptGrace.TotalSeconds:0} s of the interruption; recording it interrupted");
            else outcome = await run;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            outcome = null;
        }
        catch (Exception e) when (e is not OutOfMemoryException && EnvironmentFailure(e) is { } why)
        {
            stop = why;
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
        if (lostClaim.IsCancellationRequested) return (outcome, false, null);
        if (stop is not null) return (null, false, await GiveBackAsync(claim, stop));

        try
        {
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
            return (outcome, kept, null);
        }
        catch (StoreException e)
        {
            return (null, false, $"{e.Message}; cell #{claim.Index} stays claimed until the next worker on this machine or `sweep resume` takes it back");
        }
    }

    /// <summary>False when the run was interrupted and did not stop within the grace period (it is left behind).</summary>
    private async Task<bool> StoppedInTimeAsync(Task run, CancellationToken interrupted)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (interrupted.Register(() => signal.TrySetResult()))
            if (await Task.WhenAny(run, signal.Task) == run) return true;
        return await Task.WhenAny(run, Task.Delay(options.InterruptGrace, CancellationToken.None)) == run;
    }

    /// <summary>Why the worker must stop for <paramref name="e"/> without failing the cell, or null when the cell failed.</summary>
    private string? EnvironmentFailure(Exception e)
    {
        if (StoreFailure.IsDiskFull(e)) return $"no space left on the disk ({e.Message}); free space, then `sldbench sweep resume` continues";
        if (e is StoreException) return e.Message;
        if (e is FileNotFoundException or DirectoryNotFoundException && (!Directory.Exists(options.OutputRoot)
            || e.Message.Contains(options.OutputRoot, StringComparison.Ordinal) || (e as FileNotFoundException)?.FileName?.StartsWith(options.OutputRoot, StringComparison.Ordinal) == true))
            return $"the sweep's files under {options.OutputRoot} are missing ({e.Message}); give the sweep's output folder with --out, or restore it";
        return null;
    }

    /// <summary>Returns the claim as pending (not counted as an attempt); the reason is what the worker stops with.</summary>
    private async Task<string> GiveBackAsync(RunClaim claim, string reason)
    {
        try
        {
            if (await store.ReleaseAsync(claim, $"not run: {reason}", CancellationToken.None))
                _log($"cell #{claim.Index}: given back as pending");
        }
        catch (StoreException e)
        {
            _log($"cell #{claim.Index}: could not be given back ({e.Message}); it is taken back when this worker's process is gone");
        }
        return reason;
    }

    private async Task HeartbeatLoopAsync(RunClaim claim, CancellationTokenSource lostClaim, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(options.HeartbeatEvery, stop);
                bool held;
                try
                {
                    held = await store.HeartbeatAsync(claim, CancellationToken.None);
                }
                catch (StoreException e)
                {
                    // A heartbeat that cannot be written now (a full disk) is tried again; the claim is not lost.
                    _log($"cell #{claim.Index}: heartbeat not recorded: {e.Message}");
                    continue;
                }
                if (!held)
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
