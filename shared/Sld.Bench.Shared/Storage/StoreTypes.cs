// The values the executor and the dashboard pass to and get from ResultsStore: who is working (host, pid,
// process start), a claim on a run, what a plan upsert changed, and the records written in batches
// (metrics, evaluation counts, per-utterance results, provenance, artifacts).
using System.Diagnostics;

namespace Sld.Bench.Shared.Storage;

/// <summary>The process that claims work. A claim whose heartbeat is stale, or whose process is gone from this host, is reclaimed.</summary>
public sealed record WorkerIdentity(string Host, int Pid, DateTime ProcessStart)
{
    public static WorkerIdentity Current { get; } = CreateCurrent();

    private static WorkerIdentity CreateCurrent()
    {
        using var self = Process.GetCurrentProcess();
        return new WorkerIdentity(Environment.MachineName, Environment.ProcessId, self.StartTime.ToUniversalTime());
    }

    public override string ToString() => $"{Host}:{Pid}";
}

public sealed record ClaimOptions
{
    public WorkerIdentity Worker { get; init; } = WorkerIdentity.Current;

    /// <summary>A running run whose heartbeat is older than this is taken back (its worker hung or its machine died).</summary>
    public TimeSpan StaleAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A run abandoned this many times (its process died each time) is marked failed instead of retried.</summary>
    public int MaxAttempts { get; init; } = 3;
}

/// <summary>A run held by one worker. Only the holder of <see cref="Token"/> may heartbeat or finish it.</summary>
public sealed record RunClaim(long RunId, long SweepId, int Index, string ConfigHash, string ConfigJson, int Attempt, string Token, WorkerIdentity Worker);

public sealed record PlanResult(long SweepId, int Added, int Existing, int Retired);

public sealed record ResumeOptions
{
    /// <summary>Also rerun failed runs (an error, not a crash).</summary>
    public bool RetryFailed { get; init; }

    /// <summary>Also rerun diverged runs (NaN/inf loss), e.g. after changing the code.</summary>
    public bool RetryDiverged { get; init; }
}

/// <summary>What resetting a sweep for resume changed.</summary>
public sealed record ResumeResult(int Cancelled, int Failed, int Diverged, int Reclaimed);

public sealed record MetricPoint(long Step, string Name, double Value);

/// <summary>Corpus-level counts of one run on one test set; WER and CER are derived from them.</summary>
public sealed record EvaluationRecord(
    string TestSet,
    long Correct,
    long Substitutions,
    long Deletions,
    long Insertions,
    long CharCorrect,
    long CharSubstitutions,
    long CharDeletions,
    long CharInsertions,
    int Sentences,
    int SentenceErrors,
    string Normalization,
    string DecodingJson,
    long? Step = null)
{
    public long RefWords => Correct + Substitutions + Deletions;
    public long RefChars => CharCorrect + CharSubstitutions + CharDeletions;
    public double Wer => RefWords == 0 ? 0 : (double)(Substitutions + Deletions + Insertions) / RefWords;
    public double Cer => RefChars == 0 ? 0 : (double)(CharSubstitutions + CharDeletions + CharInsertions) / RefChars;
}

public sealed record UtteranceRecord(
    string UtteranceId,
    string? Speaker,
    double Duration,
    string Reference,
    string Hypothesis,
    int Correct,
    int Substitutions,
    int Deletions,
    int Insertions,
    string? Alignment = null,
    string? MetadataJson = null);

public sealed record RunProvenance(
    string? GitCommit = null,
    string? Machine = null,
    string? Device = null,
    string? LibtorchVersion = null,
    long? ParameterCount = null,
    IReadOnlyDictionary<string, double>? StageSeconds = null,
    string? DataHash = null,
    string? TokenizerHash = null);

public sealed record ArtifactSpec(string Hash, string Stage, string Kind, string ConfigJson, string? LineageJson = null);

public enum ArtifactClaimOutcome
{
    /// <summary>This worker must build it, then call CompleteArtifactAsync or FailArtifactAsync.</summary>
    Acquired,
    /// <summary>Already built: use <see cref="ArtifactClaim.Artifact"/>.</summary>
    Ready,
    /// <summary>Another live worker is building it: wait and ask again.</summary>
    BuildingElsewhere,
}

public sealed record ArtifactClaim(ArtifactClaimOutcome Outcome, Artifact Artifact, string? Token);

public sealed record UtteranceQuery
{
    public bool OnlyErrors { get; init; }
    public string? Speaker { get; init; }
    /// <summary>Most errors first (the default), or by utterance id.</summary>
    public bool ByErrors { get; init; } = true;
    public int Skip { get; init; }
    public int Take { get; init; } = 100;
}

public sealed record SweepSummary(long Id, string Name, string File, DateTime CreatedAt, DateTime UpdatedAt, int CellCount, IReadOnlyDictionary<RunStatus, int> Counts)
{
    public int Count(RunStatus status) => Counts.TryGetValue(status, out var n) ? n : 0;
}
