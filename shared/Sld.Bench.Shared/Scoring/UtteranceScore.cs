// The per-utterance data model shared by the scorer, the results store and the dashboard: what was scored
// (normalised reference and hypothesis), how it aligned (the word operation string) and what it counts.
// The alignment pairs are not stored separately: the two word lists and WordOps rebuild them exactly.
using System.Text.Json.Serialization;

namespace Sld.Bench.Shared.Scoring;

/// <summary>One utterance to score. The texts are already normalised by the caller.</summary>
public sealed record UtteranceText(string Id, string Speaker, string Reference, string Hypothesis)
{
    /// <summary>Test subset (e.g. test-clean), for per-subset breakdowns.</summary>
    public string? Subset { get; init; }

    /// <summary>Audio duration, for per-duration breakdowns.</summary>
    public double? DurationSeconds { get; init; }
}

/// <summary>The score of one utterance.</summary>
public sealed record UtteranceScore
{
    public required string Id { get; init; }

    public required string Speaker { get; init; }

    public string? Subset { get; init; }

    public double? DurationSeconds { get; init; }

    /// <summary>The normalised reference exactly as scored.</summary>
    public required string Reference { get; init; }

    /// <summary>The normalised hypothesis exactly as scored.</summary>
    public required string Hypothesis { get; init; }

    /// <summary>The word alignment, one letter (C, S, D, I) per aligned position, in order.</summary>
    public required string WordOps { get; init; }

    /// <summary>Word counts (for WER).</summary>
    public required ErrorCounts Words { get; init; }

    /// <summary>Character counts (for CER), see <see cref="ScoringOptions.CharacterSpaces"/>.</summary>
    public required ErrorCounts Characters { get; init; }

    public required UtteranceDiagnostics Diagnostics { get; init; }

    /// <summary>The reference words, split from <see cref="Reference"/> on first use (not kept by the scorer, so a
    /// scored corpus holds few objects per utterance).</summary>
    [JsonIgnore]
    public string[] ReferenceWords => _referenceWords ??= TextUnits.Words(Reference);

    [JsonIgnore]
    public string[] HypothesisWords => _hypothesisWords ??= TextUnits.Words(Hypothesis);

    private string[]? _referenceWords;
    private string[]? _hypothesisWords;

    /// <summary>The aligned word pairs with their operations.</summary>
    public TokenAlignment WordAlignment() => new(ReferenceWords, HypothesisWords, WordOps);

    /// <summary>Equal when every stored property is equal (the cached word lists derive from the texts).</summary>
    public bool Equals(UtteranceScore? other) =>
        other is not null && Id == other.Id && Speaker == other.Speaker && Subset == other.Subset &&
        DurationSeconds == other.DurationSeconds && Reference == other.Reference && Hypothesis == other.Hypothesis &&
        WordOps == other.WordOps && Words == other.Words && Characters == other.Characters && Diagnostics == other.Diagnostics;

    public override int GetHashCode() => HashCode.Combine(Id, Reference, Hypothesis, WordOps, Words, Characters);
}
