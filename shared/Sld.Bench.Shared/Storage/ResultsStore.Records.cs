// Writing results: step metrics and per-utterance rows in bulk (multi-row INSERTs, one transaction per
// batch), evaluations that replace an earlier one of the same run and test set, provenance, and checkpoints
// (one best per run). Re-recording after a resume overwrites instead of duplicating.
using System.Data.Common;
using System.Text.Json;

namespace Sld.Bench.Shared.Storage;

public sealed partial class ResultsStore
{
    /// <summary>Records metrics; a (run, name, step) recorded again (after a resume) is overwritten. Non-finite values are stored as null.</summary>
    public Task RecordMetricsAsync(long runId, IReadOnlyList<MetricPoint> points, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            await BulkInsertAsync(conn, tx, "step_metrics", ["run_id", "name", "step", "value"],
                points.Select(p => new object?[] { runId, p.Name, p.Step, double.IsFinite(p.Value) ? p.Value : null }).ToList(),
                conflict: "ON CONFLICT (run_id, name, step) DO UPDATE SET value = excluded.value");
            return 0;
        }, ct);

    /// <summary>
    /// Records the evaluation of a run on a test set with its utterances, replacing any earlier evaluation of
    /// that run and test set. More utterances may follow with <see cref="AddUtterancesAsync"/>. Returns the evaluation id.
    /// </summary>
    public Task<long> RecordEvaluationAsync(long runId, EvaluationRecord evaluation, IReadOnlyList<UtteranceRecord> utterances, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            await ExecuteAsync(conn, tx,
                "DELETE FROM utterance_results WHERE evaluation_id IN (SELECT id FROM evaluations WHERE run_id = @run AND test_set = @set)",
                ("@run", runId), ("@set", evaluation.TestSet));
            await ExecuteAsync(conn, tx, "DELETE FROM evaluations WHERE run_id = @run AND test_set = @set", ("@run", runId), ("@set", evaluation.TestSet));
            var e = evaluation;
            var rows = await BulkInsertAsync(conn, tx, "evaluations",
                ["run_id", "test_set", "wer", "cer", "correct", "substitutions", "deletions", "insertions", "ref_words",
                 "char_correct", "char_substitutions", "char_deletions", "char_insertions", "ref_chars",
                 "sentences", "sentence_errors", "normalization", "decoding_json", "step", "created_at"],
                [[runId, e.TestSet, e.Wer, e.Cer, e.Correct, e.Substitutions, e.Deletions, e.Insertions, e.RefWords,
                  e.CharCorrect, e.CharSubstitutions, e.CharDeletions, e.CharInsertions, e.RefChars,
                  e.Sentences, e.SentenceErrors, e.Normalization, e.DecodingJson, e.Step, DateTime.UtcNow]],
                returning: "id");
            var evaluationId = Convert.ToInt64(rows[0][0]);
            await InsertUtterancesAsync(conn, tx, evaluationId, utterances);
            return evaluationId;
        }, ct);

    /// <summary>Adds utterances to an evaluation (for test sets streamed in batches); an utterance id given twice is an error.</summary>
    public Task AddUtterancesAsync(long evaluationId, IReadOnlyList<UtteranceRecord> utterances, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            await InsertUtterancesAsync(conn, tx, evaluationId, utterances);
            return 0;
        }, ct);

    private static Task<List<object?[]>> InsertUtterancesAsync(DbConnection conn, DbTransaction tx, long evaluationId, IReadOnlyList<UtteranceRecord> utterances) =>
        BulkInsertAsync(conn, tx, "utterance_results",
            ["evaluation_id", "utterance_id", "speaker", "duration", "reference", "hypothesis", "correct", "substitutions",
             "deletions", "insertions", "errors", "ref_words", "alignment", "metadata_json"],
            utterances.Select(u => new object?[]
            {
                evaluationId, u.UtteranceId, u.Speaker, u.Duration, u.Reference, u.Hypothesis, u.Correct, u.Substitutions,
                u.Deletions, u.Insertions, u.Substitutions + u.Deletions + u.Insertions, u.Correct + u.Substitutions + u.Deletions,
                u.Alignment, u.MetadataJson,
            }).ToList());

    /// <summary>Records where and how a claimed run ran. Null fields leave earlier values in place.</summary>
    public Task<bool> RecordProvenanceAsync(RunClaim claim, RunProvenance p, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) => await ExecuteAsync(conn, tx,
            "UPDATE runs SET git_commit = COALESCE(@git, git_commit), machine = COALESCE(@machine, machine), " +
            "device = COALESCE(@device, device), libtorch_version = COALESCE(@torch, libtorch_version), " +
            "parameter_count = COALESCE(@params, parameter_count), durations_json = COALESCE(@durations, durations_json), " +
            "data_hash = COALESCE(@data, data_hash), tokenizer_hash = COALESCE(@tok, tokenizer_hash) " +
            "WHERE id = @id AND claim_token = @token",
            ("@git", p.GitCommit), ("@machine", p.Machine), ("@device", p.Device), ("@torch", p.LibtorchVersion),
            ("@params", p.ParameterCount), ("@durations", p.StageSeconds is null ? null : JsonSerializer.Serialize(p.StageSeconds)),
            ("@data", p.DataHash), ("@tok", p.TokenizerHash), ("@id", claim.RunId), ("@token", claim.Token)) == 1, ct);

    /// <summary>Records a checkpoint (again at the same step: replaced). With <paramref name="isBest"/> it becomes the run's only best one.</summary>
    public Task RecordCheckpointAsync(long runId, long step, string path, double? devWer = null, bool isBest = false, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            if (isBest) await ExecuteAsync(conn, tx, "UPDATE checkpoints SET is_best = @f WHERE run_id = @run", ("@f", false), ("@run", runId));
            await BulkInsertAsync(conn, tx, "checkpoints", ["run_id", "step", "path", "is_best", "dev_wer", "created_at"],
                [[runId, step, path, isBest, devWer, DateTime.UtcNow]],
                conflict: "ON CONFLICT (run_id, step) DO UPDATE SET path = excluded.path, is_best = excluded.is_best, dev_wer = excluded.dev_wer");
            return 0;
        }, ct);
}
