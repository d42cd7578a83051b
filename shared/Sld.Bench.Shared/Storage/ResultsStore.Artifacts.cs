// Shared stage outputs (a fitted tokenizer, extracted features) identified by the hash of their inputs:
// the first worker to ask builds it, later ones reuse it, and one that asks while another builds waits.
// A builder that went silent or died is replaced, as with runs.
using Microsoft.EntityFrameworkCore;

namespace Sld.Bench.Shared.Storage;

public sealed partial class ResultsStore
{
    /// <summary>
    /// Asks to build the artifact of <paramref name="spec"/>: Acquired (build it, then Complete/Fail with the
    /// token), Ready (reuse it), or BuildingElsewhere (another live worker has it: wait and ask again).
    /// </summary>
    public async Task<ArtifactClaim> ClaimArtifactAsync(ArtifactSpec spec, ClaimOptions? options = null, CancellationToken ct = default)
    {
        options ??= new ClaimOptions();
        var worker = options.Worker;
        var token = Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;
        var inserted = await WriteAsync(async (conn, tx) => (await BulkInsertAsync(conn, tx, "artifacts",
            ["hash", "stage", "kind", "config_json", "lineage_json", "status", "claim_token", "claimed_by_host", "claimed_by_pid",
             "claimed_process_start", "heartbeat_at", "created_at"],
            [[spec.Hash, spec.Stage, spec.Kind, spec.ConfigJson, spec.LineageJson, Status(ArtifactStatus.Building), token, worker.Host,
              worker.Pid, worker.ProcessStart, now, now]],
            conflict: "ON CONFLICT (hash) DO NOTHING", returning: "hash")).Count, ct);
        var artifact = await GetArtifactAsync(spec.Hash, ct) ?? throw new InvalidOperationException($"artifact {spec.Hash} vanished");
        if (inserted == 1) return new ArtifactClaim(ArtifactClaimOutcome.Acquired, artifact, token);
        if (artifact.Status == ArtifactStatus.Ready) return new ArtifactClaim(ArtifactClaimOutcome.Ready, artifact, null);

        var abandoned = artifact.Status == ArtifactStatus.Failed
            || artifact.HeartbeatAt < now - options.StaleAfter
            || (artifact.ClaimedByHost == worker.Host && artifact.ClaimedByPid is { } pid && !IsAlive(pid, artifact.ClaimedProcessStart));
        if (!abandoned) return new ArtifactClaim(ArtifactClaimOutcome.BuildingElsewhere, artifact, null);
        var taken = await WriteAsync((conn, tx) => ExecuteAsync(conn, tx,
            "UPDATE artifacts SET status = @building, claim_token = @token, claimed_by_host = @host, claimed_by_pid = @pid, " +
            "claimed_process_start = @pstart, heartbeat_at = @now, error = NULL WHERE hash = @hash AND status = @old AND " +
            (artifact.ClaimToken is null ? "claim_token IS NULL" : "claim_token = @oldToken"),
            ("@building", Status(ArtifactStatus.Building)), ("@token", token), ("@host", worker.Host), ("@pid", worker.Pid),
            ("@pstart", worker.ProcessStart), ("@now", now), ("@hash", spec.Hash), ("@old", Status(artifact.Status)),
            ("@oldToken", artifact.ClaimToken)), ct);
        artifact = await GetArtifactAsync(spec.Hash, ct) ?? artifact;
        return taken == 1
            ? new ArtifactClaim(ArtifactClaimOutcome.Acquired, artifact, token)
            : new ArtifactClaim(artifact.Status == ArtifactStatus.Ready ? ArtifactClaimOutcome.Ready : ArtifactClaimOutcome.BuildingElsewhere, artifact, null);
    }

    public Task<bool> HeartbeatArtifactAsync(string hash, string token, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE artifacts SET heartbeat_at = @now WHERE hash = @hash AND claim_token = @token AND status = @building",
            ("@now", DateTime.UtcNow), ("@hash", hash), ("@token", token), ("@building", Status(ArtifactStatus.Building))) == 1, ct);

    /// <summary>Marks a built artifact ready with where it lies and its statistics. False when the claim was lost.</summary>
    public Task<bool> CompleteArtifactAsync(string hash, string token, string path, string? statsJson = null, string? lineageJson = null, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE artifacts SET status = @ready, path = @path, stats_json = @stats, lineage_json = COALESCE(@lineage, lineage_json), " +
            "completed_at = @now, heartbeat_at = @now WHERE hash = @hash AND claim_token = @token AND status = @building",
            ("@ready", Status(ArtifactStatus.Ready)), ("@path", path), ("@stats", statsJson), ("@lineage", lineageJson), ("@now", DateTime.UtcNow),
            ("@hash", hash), ("@token", token), ("@building", Status(ArtifactStatus.Building))) == 1, ct);

    /// <summary>Marks a build failed; the next claim builds it again.</summary>
    public Task<bool> FailArtifactAsync(string hash, string token, string error, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE artifacts SET status = @failed, error = @error, completed_at = @now WHERE hash = @hash AND claim_token = @token AND status = @building",
            ("@failed", Status(ArtifactStatus.Failed)), ("@error", error), ("@now", DateTime.UtcNow),
            ("@hash", hash), ("@token", token), ("@building", Status(ArtifactStatus.Building))) == 1, ct);

    public Task<Artifact?> GetArtifactAsync(string hash, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Artifacts.FirstOrDefaultAsync(a => a.Hash == hash, ct), ct);

    /// <summary>Artifacts of one stage ("tokenizer") or all, newest first.</summary>
    public Task<List<Artifact>> ListArtifactsAsync(string? stage = null, CancellationToken ct = default) =>
        ReadAsync(ctx => ctx.Artifacts.Where(a => stage == null || a.Stage == stage).OrderByDescending(a => a.CreatedAt).ToListAsync(ct), ct);
}
