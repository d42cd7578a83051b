// Scores a test set: aligns every utterance at word and character level with sclite's alignment, sums the
// counts, and records how the numbers were made (normalisation, costs, CER convention, diagnostic thresholds)
// so that a WER in the database can always be traced to its definition.
namespace Sld.Bench.Shared.Scoring;

public sealed record ScoringOptions
{
    /// <summary>
    /// Which text normalisation the caller applied before scoring (e.g. "whisper-english v1" or "none"). It is
    /// recorded with the score; scoring itself never changes the text.
    /// </summary>
    public required string Normalization { get; init; }

    public AlignmentCosts Costs { get; init; } = AlignmentCosts.Sclite;

    /// <summary>Whether the space between words is a unit of CER (ESPnet and jiwer count it; sclite -c does not).</summary>
    public bool CharacterSpaces { get; init; } = true;

    public DiagnosticThresholds Diagnostics { get; init; } = new();
}

/// <summary>The score of a whole test set.</summary>
public sealed class CorpusScore
{
    internal CorpusScore(ScoringOptions options, IReadOnlyList<UtteranceScore> utterances)
    {
        Options = options;
        Utterances = utterances;
        Words = ErrorCounts.Sum(utterances.Select(u => u.Words));
        Characters = ErrorCounts.Sum(utterances.Select(u => u.Characters));
        SentencesWithErrors = utterances.Count(u => u.Words.Errors > 0);
    }

    public ScoringOptions Options { get; }

    public string Normalization => Options.Normalization;

    /// <summary>The utterances in input order.</summary>
    public IReadOnlyList<UtteranceScore> Utterances { get; }

    /// <summary>Summed word counts; WER = (S + D + I) / N over these.</summary>
    public ErrorCounts Words { get; }

    /// <summary>Summed character counts; CER = (S + D + I) / N over these.</summary>
    public ErrorCounts Characters { get; }

    public int Sentences => Utterances.Count;

    /// <summary>Utterances with at least one word error (sclite's S.Err numerator).</summary>
    public int SentencesWithErrors { get; }

    /// <summary>Corpus WER in percent; null when the references have no word.</summary>
    public double? Wer => Words.ErrorRate;

    public double? Cer => Characters.ErrorRate;

    /// <summary>Sentence error rate in percent (0 for an empty test set).</summary>
    public double SentenceErrorRate => Sentences == 0 ? 0 : 100.0 * SentencesWithErrors / Sentences;

    public DiagnosticsSummary Diagnostics() => DecoderDiagnostics.Summarize(Utterances, Options.Diagnostics);
}

public sealed class CorpusScorer(ScoringOptions options)
{
    public ScoringOptions Options { get; } = options;

    public CorpusScore Score(IEnumerable<UtteranceText> utterances)
    {
        var aligner = new SequenceAligner(Options.Costs);
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var chars = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var scores = new List<UtteranceScore>();
        foreach (var u in utterances)
        {
            if (!seen.Add(u.Id)) throw new ArgumentException($"utterance '{u.Id}' occurs twice", nameof(utterances));
            var refWords = TextUnits.Words(u.Reference);
            var hypWords = TextUnits.Words(u.Hypothesis);
            var ops = aligner.AlignOps<int>(Intern(words, refWords), Intern(words, hypWords));
            var refChars = Intern(chars, TextUnits.Characters(refWords, Options.CharacterSpaces));
            var hypChars = Intern(chars, TextUnits.Characters(hypWords, Options.CharacterSpaces));
            var charCounts = ErrorCounts.FromOps(aligner.AlignOps<int>(refChars, hypChars));
            scores.Add(new UtteranceScore
            {
                Id = u.Id,
                Speaker = u.Speaker,
                Subset = u.Subset,
                DurationSeconds = u.DurationSeconds,
                Reference = u.Reference,
                Hypothesis = u.Hypothesis,
                WordOps = ops,
                Words = ErrorCounts.FromOps(ops),
                Characters = charCounts,
                Diagnostics = DecoderDiagnostics.Analyze(refWords, hypWords, ops, Options.Diagnostics),
            }.WithWords(refWords, hypWords));
        }
        return new CorpusScore(Options, scores);
    }

    /// <summary>Rebuilds a corpus score from stored per-utterance results (for example from the database).</summary>
    public static CorpusScore FromUtterances(ScoringOptions options, IReadOnlyList<UtteranceScore> utterances) =>
        new(options, utterances);

    private static int[] Intern(Dictionary<string, int> ids, string[] tokens)
    {
        var result = new int[tokens.Length];
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!ids.TryGetValue(tokens[i], out var id)) ids[tokens[i]] = id = ids.Count;
            result[i] = id;
        }
        return result;
    }
}
