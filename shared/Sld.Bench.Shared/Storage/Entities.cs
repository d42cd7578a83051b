// The rows of the results database: sweeps, their runs (one per cell, with claim and provenance columns),
// axis values for pivots, step metrics, evaluations per test set with sclite-style counts, per-utterance
// results, shared stage artifacts (tokenizers, features) and checkpoints. Times are UTC.
namespace Sld.Bench.Shared.Storage;

public enum RunStatus
{
    Pending,
    Running,
    Done,
    Failed,
    Diverged,
    Cancelled,
}

public enum ArtifactStatus
{
    Building,
    Ready,
    Failed,
}

public sealed class Sweep
{
    public long Id { get; set; }
    public required string Name { get; set; }
    /// <summary>The experiment file's path on the machine that last planned the sweep.</summary>
    public required string File { get; set; }
    /// <summary>JSON array of the --set overrides of the last plan.</summary>
    public required string OverridesJson { get; set; }
    /// <summary>JSON array of the declared axes: name, kind, values, condition, zip group.</summary>
    public required string AxesJson { get; set; }
    /// <summary>Hash of the set of cell hashes of the last plan.</summary>
    public required string PlanHash { get; set; }
    public int CellCount { get; set; }
    /// <summary>
    /// The absolute folder of the sweep's run directories and shared work folder (`--out` of `sweep run`), so
    /// `resume` and workers find its checkpoints without being told; null for sweeps planned before it was kept.
    /// </summary>
    public string? OutputRoot { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public List<Run> Runs { get; set; } = [];
}

/// <summary>One cell of a sweep and the state of its execution.</summary>
public sealed class Run
{
    public long Id { get; set; }
    public long SweepId { get; set; }
    public Sweep? Sweep { get; set; }
    /// <summary>Position in the latest plan.</summary>
    public int Index { get; set; }
    /// <summary>False when the latest plan no longer contains the cell: kept for its results, never claimed.</summary>
    public bool InPlan { get; set; } = true;
    public required string ConfigHash { get; set; }
    /// <summary>The config hash without the seed: runs that differ only by seed share it.</summary>
    public required string SettingHash { get; set; }
    public long? Seed { get; set; }
    /// <summary>JSON object axis -> value (canonical JSON values) of the cell.</summary>
    public required string AxesJson { get; set; }
    /// <summary>The fully resolved config as canonical JSON.</summary>
    public required string ConfigJson { get; set; }

    public RunStatus Status { get; set; }
    public string? Error { get; set; }
    public int Attempts { get; set; }
    public long? DivergedStep { get; set; }

    /// <summary>A fresh token per claim: only its holder may heartbeat or finish the run.</summary>
    public string? ClaimToken { get; set; }
    public string? ClaimedByHost { get; set; }
    public int? ClaimedByPid { get; set; }
    /// <summary>Start time of the claiming process, so a reused pid is not mistaken for the claimer.</summary>
    public DateTime? ClaimedProcessStart { get; set; }
    public DateTime? HeartbeatAt { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? EndedAt { get; set; }

    public string? GitCommit { get; set; }
    public string? Machine { get; set; }
    public string? Device { get; set; }
    public string? LibtorchVersion { get; set; }
    public long? ParameterCount { get; set; }
    /// <summary>JSON object stage -> seconds (prepare, tokenize, train, decode, ...).</summary>
    public string? DurationsJson { get; set; }
    public string? DataHash { get; set; }
    public string? TokenizerHash { get; set; }

    public List<RunAxisValue> AxisValues { get; set; } = [];
    public List<Evaluation> Evaluations { get; set; } = [];
    public List<Checkpoint> Checkpoints { get; set; } = [];
}

/// <summary>The normalised form of <see cref="Run.AxesJson"/>: one row per axis, for filtering and pivots.</summary>
public sealed class RunAxisValue
{
    public long RunId { get; set; }
    public required string Axis { get; set; }
    /// <summary>Canonical JSON of the value.</summary>
    public required string ValueJson { get; set; }
    /// <summary>Strings bare, anything else canonical JSON: what a table shows.</summary>
    public required string ValueText { get; set; }
    /// <summary>The value when it is a number, for numeric sorting.</summary>
    public double? ValueNumber { get; set; }
}

public sealed class StepMetric
{
    public long RunId { get; set; }
    public required string Name { get; set; }
    public long Step { get; set; }
    /// <summary>Null stands for a non-finite value (NaN): SQLite cannot store NaN.</summary>
    public double? Value { get; set; }
}

/// <summary>Scores of one run on one test set, from summed counts (corpus WER = (S + D + I) / N).</summary>
public sealed class Evaluation
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public required string TestSet { get; set; }
    /// <summary>Word error rate as a fraction (0.0309 for 3.09 %).</summary>
    public double Wer { get; set; }
    public double Cer { get; set; }
    public long Correct { get; set; }
    public long Substitutions { get; set; }
    public long Deletions { get; set; }
    public long Insertions { get; set; }
    public long RefWords { get; set; }
    public long CharCorrect { get; set; }
    public long CharSubstitutions { get; set; }
    public long CharDeletions { get; set; }
    public long CharInsertions { get; set; }
    public long RefChars { get; set; }
    public int Sentences { get; set; }
    public int SentenceErrors { get; set; }
    /// <summary>How text was normalised before scoring (case, punctuation).</summary>
    public required string Normalization { get; set; }
    /// <summary>JSON of the decoding settings (greedy/beam, length limits, soft assignment tau, ...).</summary>
    public required string DecodingJson { get; set; }
    /// <summary>The training step of the evaluated checkpoint.</summary>
    public long? Step { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<UtteranceResult> Utterances { get; set; } = [];
}

public sealed class UtteranceResult
{
    public long EvaluationId { get; set; }
    public required string UtteranceId { get; set; }
    public string? Speaker { get; set; }
    public double Duration { get; set; }
    public required string Reference { get; set; }
    public required string Hypothesis { get; set; }
    public int Correct { get; set; }
    public int Substitutions { get; set; }
    public int Deletions { get; set; }
    public int Insertions { get; set; }
    /// <summary>S + D + I, stored so the dashboard can sort and filter by it with an index.</summary>
    public int Errors { get; set; }
    /// <summary>C + S + D.</summary>
    public int RefWords { get; set; }
    /// <summary>Compact alignment, one operation per aligned word pair (e.g. "CCSCDI").</summary>
    public string? Alignment { get; set; }
    public string? MetadataJson { get; set; }
}

/// <summary>The output of a stage that cells share (a fitted tokenizer, extracted features), identified by the hash of its inputs.</summary>
public sealed class Artifact
{
    public required string Hash { get; set; }
    /// <summary>"tokenizer", "features", "corpus", ...</summary>
    public required string Stage { get; set; }
    /// <summary>"kmeans", "spm", ...</summary>
    public required string Kind { get; set; }
    public required string ConfigJson { get; set; }
    /// <summary>JSON: what it was made from (feature, layer and its convention, K, dedup/BPE, fit data, parent hashes).</summary>
    public string? LineageJson { get; set; }
    /// <summary>JSON: codebook usage, perplexity, bitrate, ...</summary>
    public string? StatsJson { get; set; }
    public string? Path { get; set; }
    public ArtifactStatus Status { get; set; }
    public string? Error { get; set; }
    public string? ClaimToken { get; set; }
    public string? ClaimedByHost { get; set; }
    public int? ClaimedByPid { get; set; }
    public DateTime? ClaimedProcessStart { get; set; }
    public DateTime? HeartbeatAt { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

public sealed class Checkpoint
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public long Step { get; set; }
    public required string Path { get; set; }
    public bool IsBest { get; set; }
    public double? DevWer { get; set; }
    public DateTime CreatedAt { get; set; }
}
