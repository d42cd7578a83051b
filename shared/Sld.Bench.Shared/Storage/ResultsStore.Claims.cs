// Claiming runs safely across processes and machines: a claim is one conditional UPDATE ... WHERE
// status = 'pending' (PostgreSQL adds FOR UPDATE SKIP LOCKED), so two workers can never hold one run.
// Claims carry a token for heartbeats and finishing; runs whose worker went silent or died are taken back.
using System.Data.Common;
using System.Diagnostics;

namespace Sld.Bench.Shared.Storage;

public sealed partial class ResultsStore
{
    /// <summary>
    /// Claims the pending run of <paramref name="sweepId"/> with the lowest index, after taking back runs
    /// whose worker is gone. Returns null when no run is pending.
    /// </summary>
    public async Task<RunClaim?> ClaimNextAsync(long sweepId, ClaimOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ClaimOptions();
        await ReclaimAbandonedAsync(sweepId, options, ct);
        for (var attempt = 0; ; attempt++)
        {
            var claim = await WriteAsync((conn, tx) => TryClaimAsync(conn, tx, sweepId, options.Worker, ct), ct);
            if (claim != null) return claim;
            // PostgreSQL skips rows other transactions hold locked; only "none pending at all" ends the search.
            if (Location.Provider == StoreProvider.Sqlite || attempt >= 20 || await CountPendingAsync(sweepId, ct) == 0) return null;
            await Task.Delay(TimeSpan.FromMilliseconds(10 + Random.Shared.Next(40)), ct);
        }
    }

    private async Task<RunClaim?> TryClaimAsync(DbConnection conn, DbTransaction tx, long sweepId, WorkerIdentity worker, CancellationToken ct)
    {
        var token = Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;
        var skipLocked = Location.Provider == StoreProvider.Postgres ? " FOR UPDATE SKIP LOCKED" : "";
        await using var cmd = Command(conn, tx,
            "UPDATE runs SET status = @running, claim_token = @token, claimed_by_host = @host, claimed_by_pid = @pid, " +
            "claimed_process_start = @pstart, heartbeat_at = @now, started_at = @now, ended_at = NULL, error = NULL, " +
            "diverged_step = NULL, attempts = attempts + 1 " +
            "WHERE id = (SELECT id FROM runs WHERE sweep_id = @sweep AND status = @pending AND in_plan = @t ORDER BY idx LIMIT 1" + skipLocked + ") " +
            "AND status = @pending RETURNING id, idx, config_hash, config_json, attempts",
            ("@running", Status(RunStatus.Running)), ("@pending", Status(RunStatus.Pending)), ("@token", token),
            ("@host", worker.Host), ("@pid", worker.Pid), ("@pstart", worker.ProcessStart), ("@now", now),
            ("@sweep", sweepId), ("@t", true));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new RunClaim(reader.GetInt64(0), sweepId, reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.GetInt32(4), token, worker);
    }

    /// <summary>
    /// Takes back running runs whose heartbeat is older than <see cref="ClaimOptions.StaleAfter"/>, or whose
    /// claiming process no longer exists on this host. They become pending again, or failed once they have
    /// been abandoned <see cref="ClaimOptions.MaxAttempts"/> times. Returns how many were taken back.
    /// </summary>
    public async Task<int> ReclaimAbandonedAsync(long sweepId, ClaimOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ClaimOptions();
        var worker = options.Worker;
        var now = DateTime.UtcNow;
        var cutoff = now - options.StaleAfter;
        // Read first: in the common case nothing is abandoned and no write lock is taken.
        var candidates = await ReadRowsAsync(
            "SELECT id, claimed_by_host, claimed_by_pid, claimed_process_start, claim_token, heartbeat_at FROM runs " +
            "WHERE sweep_id = @sweep AND status = @running AND (heartbeat_at < @cutoff OR claimed_by_host = @host)",
            r => (Id: r.GetInt64(0), Host: r.IsDBNull(1) ? null : r.GetString(1), Pid: r.IsDBNull(2) ? (int?)null : r.GetInt32(2),
                Start: r.IsDBNull(3) ? (DateTime?)null : ReadUtc(r, 3), Token: r.IsDBNull(4) ? null : r.GetString(4),
                Heartbeat: r.IsDBNull(5) ? (DateTime?)null : ReadUtc(r, 5)),
            ct, ("@sweep", sweepId), ("@running", Status(RunStatus.Running)), ("@cutoff", cutoff), ("@host", worker.Host));
        var taken = 0;
        foreach (var run in candidates)
        {
            var why = run.Heartbeat < cutoff ? "its worker stopped sending heartbeats"
                : run.Host == worker.Host && run.Pid is { } pid && !IsAlive(pid, run.Start) ? $"its process {run.Host}:{pid} is gone"
                : null;
            if (why == null) continue;
            // The token condition makes this a no-op if the run finished or was taken back meanwhile.
            taken += await WriteAsync((conn, tx) => ExecuteAsync(conn, tx,
                Release("id = @id AND status = @running AND claim_token = @token"),
                ReleaseParameters(options, now, why, ("@id", run.Id), ("@token", run.Token))), ct);
        }
        return taken;
    }

    private static string Release(string where) =>
        "UPDATE runs SET status = CASE WHEN attempts >= @max THEN @failed ELSE @pending END, " +
        "error = CASE WHEN attempts >= @max THEN @gaveUp ELSE @reason END, " +
        "ended_at = CASE WHEN attempts >= @max THEN @now ELSE NULL END, claim_token = NULL WHERE " + where;

    private static (string, object?)[] ReleaseParameters(ClaimOptions options, DateTime now, string why, params (string, object?)[] more) =>
    [
        ("@max", options.MaxAttempts), ("@failed", Status(RunStatus.Failed)), ("@pending", Status(RunStatus.Pending)),
        ("@running", Status(RunStatus.Running)), ("@now", now),
        ("@reason", $"taken back: {why}"),
        ("@gaveUp", $"abandoned {options.MaxAttempts} times, last because {why}; rerun with the retry-failed option"),
        .. more,
    ];

    /// <summary>Whether a process with this pid and start time runs on this machine (a reused pid has another start time).</summary>
    internal static bool IsAlive(int pid, DateTime? start)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            return start is not { } s || Math.Abs((process.StartTime.ToUniversalTime() - s).TotalSeconds) < 2;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Refreshes the claim's heartbeat. False when the claim was lost (taken back): the worker must stop.</summary>
    public Task<bool> HeartbeatAsync(RunClaim claim, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE runs SET heartbeat_at = @now WHERE id = @id AND claim_token = @token AND status = @running",
            ("@now", DateTime.UtcNow), ("@id", claim.RunId), ("@token", claim.Token), ("@running", Status(RunStatus.Running))) == 1, ct);

    public Task<bool> MarkDoneAsync(RunClaim claim, CancellationToken ct = default) => FinishAsync(claim, RunStatus.Done, null, null, ct);

    public Task<bool> MarkFailedAsync(RunClaim claim, string error, CancellationToken ct = default) => FinishAsync(claim, RunStatus.Failed, error, null, ct);

    /// <summary>A NaN/inf loss at <paramref name="step"/>: a result of its own, not an error to retry.</summary>
    public Task<bool> MarkDivergedAsync(RunClaim claim, long step, string? detail = null, CancellationToken ct = default) =>
        FinishAsync(claim, RunStatus.Diverged, detail ?? $"non-finite loss at step {step}", step, ct);

    public Task<bool> MarkCancelledAsync(RunClaim claim, string? reason = null, CancellationToken ct = default) =>
        FinishAsync(claim, RunStatus.Cancelled, reason, null, ct);

    /// <summary>Ends a claimed run. False when the claim was lost (another worker took the run back).</summary>
    private Task<bool> FinishAsync(RunClaim claim, RunStatus status, string? error, long? step, CancellationToken ct) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE runs SET status = @status, error = @error, diverged_step = @step, ended_at = @now, heartbeat_at = @now " +
            "WHERE id = @id AND claim_token = @token AND status = @running",
            ("@status", Status(status)), ("@error", error), ("@step", step), ("@now", DateTime.UtcNow),
            ("@id", claim.RunId), ("@token", claim.Token), ("@running", Status(RunStatus.Running))) == 1, ct);

    /// <summary>
    /// Gives a claimed run back as pending without counting the attempt, with <paramref name="reason"/> as its
    /// note: for a worker that cannot go on through no fault of the cell (a full disk, missing files).
    /// False when the claim was already lost.
    /// </summary>
    public Task<bool> ReleaseAsync(RunClaim claim, string reason, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE runs SET status = @pending, claim_token = NULL, error = @reason, ended_at = NULL, " +
            "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END " +
            "WHERE id = @id AND claim_token = @token AND status = @running",
            ("@pending", Status(RunStatus.Pending)), ("@reason", reason), ("@id", claim.RunId), ("@token", claim.Token),
            ("@running", Status(RunStatus.Running))) == 1, ct);

    /// <summary>Marks every pending run of the sweep cancelled (running ones finish or are cancelled by their worker).</summary>
    public Task<int> CancelPendingAsync(long sweepId, CancellationToken ct = default) =>
        WriteAsync((conn, tx) => ExecuteAsync(conn, tx,
            "UPDATE runs SET status = @cancelled, error = @why, ended_at = @now WHERE sweep_id = @sweep AND status = @pending",
            ("@cancelled", Status(RunStatus.Cancelled)), ("@why", "cancelled before it started"), ("@now", DateTime.UtcNow),
            ("@sweep", sweepId), ("@pending", Status(RunStatus.Pending))), ct);

    /// <summary>
    /// Prepares a sweep for `resume`: abandoned runs are taken back, cancelled runs become pending, and with the
    /// options failed and diverged runs too (their attempt count restarts). Done runs are never touched.
    /// </summary>
    public async Task<ResumeResult> ResetForResumeAsync(long sweepId, ResumeOptions? options = null, ClaimOptions? claim = null, CancellationToken ct = default)
    {
        options ??= new ResumeOptions();
        var reclaimed = await ReclaimAbandonedAsync(sweepId, claim, ct);
        return await WriteAsync(async (conn, tx) =>
        {
            async Task<int> Reset(RunStatus from, bool restartAttempts) => await ExecuteAsync(conn, tx,
                "UPDATE runs SET status = @pending, claim_token = NULL" + (restartAttempts ? ", attempts = 0" : "") +
                " WHERE sweep_id = @sweep AND in_plan = @t AND status = @from",
                ("@pending", Status(RunStatus.Pending)), ("@sweep", sweepId), ("@t", true), ("@from", Status(from)));
            var cancelled = await Reset(RunStatus.Cancelled, false);
            var failed = options.RetryFailed ? await Reset(RunStatus.Failed, true) : 0;
            var diverged = options.RetryDiverged ? await Reset(RunStatus.Diverged, true) : 0;
            return new ResumeResult(cancelled, failed, diverged, reclaimed);
        }, ct);
    }

    private Task<int> CountPendingAsync(long sweepId, CancellationToken ct) =>
        RetryAsync(async () =>
        {
            await using var conn = await OpenConnectionAsync(ct);
            await using var cmd = Command(conn, null, "SELECT COUNT(*) FROM runs WHERE sweep_id = @sweep AND status = @pending AND in_plan = @t",
                ("@sweep", sweepId), ("@pending", Status(RunStatus.Pending)), ("@t", true));
            return Convert.ToInt32(await cmd.ExecuteScalarAsync(ct));
        }, ct);

    private Task<List<T>> ReadRowsAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken ct, params (string, object?)[] parameters) =>
        RetryAsync(async () =>
        {
            await using var conn = await OpenConnectionAsync(ct);
            await using var cmd = Command(conn, null, sql, parameters);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<T>();
            while (await reader.ReadAsync(ct)) rows.Add(map(reader));
            return rows;
        }, ct);

    private static DateTime ReadUtc(DbDataReader reader, int ordinal) => DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);
}
