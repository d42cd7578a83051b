// The JSON summary of a scored test set: the corpus numbers with their definitions (normalisation, alignment
// costs, CER convention), the breakdowns, the top error lists and the failure diagnostics. Per-utterance
// results go to JSONL beside it (ScoringFiles), not into this document.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sld.Bench.Shared.Scoring;

public sealed record ScoreReport(
    string Normalization,
    AlignmentCosts Costs,
    bool CharacterSpaces,
    int Sentences,
    int SentencesWithErrors,
    ErrorCounts Words,
    ErrorCounts Characters,
    double? Wer,
    double? Cer,
    double SentenceErrorRate,
    string KaldiWer,
    string KaldiCer,
    GroupBreakdown Speakers,
    GroupBreakdown Subsets,
    GroupBreakdown LengthInWords,
    GroupBreakdown? LengthInSeconds,
    IReadOnlyList<ConfusionPair> ConfusionPairs,
    IReadOnlyList<WordCount> Deletions,
    IReadOnlyList<WordCount> Insertions,
    DiagnosticsSummary Diagnostics)
{
    /// <summary>Camel-case names, indented, nulls written; the options every scoring JSON file uses.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static ScoreReport Of(CorpusScore score, int top = 20)
    {
        var u = score.Utterances;
        var tally = ErrorTally.Of(u);
        return new ScoreReport(
            score.Normalization, score.Options.Costs, score.Options.CharacterSpaces,
            score.Sentences, score.SentencesWithErrors, score.Words, score.Characters,
            score.Wer, score.Cer, score.SentenceErrorRate,
            SummaryFormats.KaldiLine("WER", score.Words), SummaryFormats.KaldiLine("CER", score.Characters),
            Breakdowns.BySpeaker(u), Breakdowns.BySubset(u), Breakdowns.ByLength(u, LengthMeasure.ReferenceWords),
            u.Any(x => x.DurationSeconds.HasValue) ? Breakdowns.ByLength(u, LengthMeasure.DurationSeconds) : null,
            tally.ConfusionPairs(top), tally.Deletions(top), tally.Insertions(top),
            score.Diagnostics());
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
