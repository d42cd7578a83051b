// Scores a test set: aligns every utterance at word and character level with sclite's alignment, sums the
// counts, and records how the numbers were made (normalisation, costs, CER convention, diagnostic thresholds)
// so that a WER in the database can always be traced to its definition.
using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

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

    /// <summary>A corpus of utterances scored earlier (e.g. read back from the results store), in their order.</summary>
    public static CorpusScore Of(ScoringOptions options, IReadOnlyList<UtteranceScore> utterances) => new(options, utterances);

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
    private const int ChunkSize = 512;

    public ScoringOptions Options { get; } = options;

    /// <summary>
    /// Scores every utterance. Utterances are independent, so chunks of them are scored on all cores, each worker
    /// with its own aligner and token ids (ids only have to agree within one utterance pair); the result keeps the
    /// input order.
    /// </summary>
    public CorpusScore Score(IEnumerable<UtteranceText> utterances)
    {
        var input = utterances as IReadOnlyList<UtteranceText> ?? [.. utterances];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in input)
            if (!seen.Add(u.Id)) throw new ArgumentException($"utterance '{u.Id}' occurs twice", nameof(utterances));
        var scores = new UtteranceScore[input.Count];
        if (scores.Length == 0) return new CorpusScore(Options, scores);
        try
        {
            Parallel.ForEach(Partitioner.Create(0, input.Count, ChunkSize), () => new Worker(Options), (range, _, worker) =>
            {
                for (var i = range.Item1; i < range.Item2; i++) scores[i] = worker.Score(input[i]);
                return worker;
            }, _ => { });
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
        return new CorpusScore(Options, scores);
    }

    /// <summary>Rebuilds a corpus score from stored per-utterance results (for example from the database).</summary>
    public static CorpusScore FromUtterances(ScoringOptions options, IReadOnlyList<UtteranceScore> utterances) =>
        new(options, utterances);

    private sealed class Worker(ScoringOptions options)
    {
        // Character ids: ASCII characters are their code, the space between words is -1, other grapheme
        // clusters are numbered above the Unicode range.
        private const int SpaceId = -1, FirstGraphemeId = 0x110000;

        private readonly SequenceAligner _aligner = new(options.Costs);
        private readonly Dictionary<string, int> _words = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _graphemes = new(StringComparer.Ordinal);
        private readonly List<int> _refUnits = [];
        private readonly List<int> _hypUnits = [];
        private readonly List<int> _refLengths = [];
        private readonly List<int> _hypLengths = [];

        public UtteranceScore Score(UtteranceText u)
        {
            var refWords = TextUnits.Words(u.Reference);
            var hypWords = TextUnits.Words(u.Hypothesis);
            var ops = _aligner.AlignOps<int>(WordIds(refWords), WordIds(hypWords));
            var refChars = CharacterIds(refWords, _refUnits, _refLengths);
            var hypChars = CharacterIds(hypWords, _hypUnits, _hypLengths);
            var characters = _aligner.AlignCounts<int>(CollectionsMarshal.AsSpan(refChars), CollectionsMarshal.AsSpan(hypChars), CharacterCostBound(ops));
            return new UtteranceScore
            {
                Id = u.Id,
                Speaker = u.Speaker,
                Subset = u.Subset,
                DurationSeconds = u.DurationSeconds,
                Reference = u.Reference,
                Hypothesis = u.Hypothesis,
                WordOps = ops,
                Words = ErrorCounts.FromOps(ops),
                Characters = characters,
                Diagnostics = DecoderDiagnostics.Analyze(refWords, hypWords, ops, options.Diagnostics),
            };
        }

        private int[] WordIds(string[] tokens)
        {
            var result = new int[tokens.Length];
            for (var i = 0; i < tokens.Length; i++)
            {
                if (!_words.TryGetValue(tokens[i], out var id)) _words[tokens[i]] = id = _words.Count;
                result[i] = id;
            }
            return result;
        }

        /// <summary>
        /// The cost of one character alignment that follows the word alignment (matched words match, a
        /// substituted pair aligns optimally within itself, a deleted or inserted word goes with its space, and at
        /// most one space is left unpaired): an upper bound on the optimum that sizes the aligner's band.
        /// </summary>
        private long CharacterCostBound(string ops)
        {
            var c = options.Costs;
            var space = options.CharacterSpaces ? 1 : 0;
            long bound = space * Math.Max(c.Insertion, c.Deletion);
            var (r, h, rStart, hStart) = (0, 0, 0, 0);
            foreach (var op in ops)
            {
                var (rLength, hLength) = (op == 'I' ? 0 : _refLengths[r], op == 'D' ? 0 : _hypLengths[h]);
                if (op == 'S')
                    bound += EditCost(CollectionsMarshal.AsSpan(_refUnits).Slice(rStart, rLength), CollectionsMarshal.AsSpan(_hypUnits).Slice(hStart, hLength), c);
                else if (op == 'D') bound += (long)c.Deletion * (rLength + 1);
                else if (op == 'I') bound += (long)c.Insertion * (hLength + 1);
                if (op != 'I') { r++; rStart += rLength + space; }
                if (op != 'D') { h++; hStart += hLength + space; }
            }
            return bound;
        }

        /// <summary>The optimal alignment cost of two words' characters (two rows of a small dynamic programme).</summary>
        private static int EditCost(ReadOnlySpan<int> a, ReadOnlySpan<int> b, AlignmentCosts c)
        {
            Span<int> row = b.Length < 256 ? stackalloc int[b.Length + 1] : new int[b.Length + 1];
            for (var j = 0; j <= b.Length; j++) row[j] = j * c.Insertion;
            for (var i = 1; i <= a.Length; i++)
            {
                var diagonal = row[0];
                row[0] = i * c.Deletion;
                for (var j = 1; j <= b.Length; j++)
                {
                    var up = row[j];
                    row[j] = Math.Min(diagonal + (a[i - 1] == b[j - 1] ? 0 : c.Substitution), Math.Min(up + c.Deletion, row[j - 1] + c.Insertion));
                    diagonal = up;
                }
            }
            return row[b.Length];
        }

        /// <summary>
        /// The ids of <see cref="TextUnits.Characters(IReadOnlyList{string}, bool)"/>'s units, without making their
        /// strings, into <paramref name="units"/>; <paramref name="lengths"/> receives each word's number of units.
        /// </summary>
        private List<int> CharacterIds(string[] words, List<int> units, List<int> lengths)
        {
            units.Clear();
            lengths.Clear();
            for (var w = 0; w < words.Length; w++)
            {
                if (w > 0 && options.CharacterSpaces) units.Add(SpaceId);
                var word = words[w];
                var before = units.Count;
                if (!word.AsSpan().ContainsAnyExceptInRange((char)0, (char)0x7F))
                {
                    foreach (var ch in word) units.Add(ch);
                    lengths.Add(units.Count - before);
                    continue;
                }
                var elements = StringInfo.GetTextElementEnumerator(word);
                while (elements.MoveNext())
                {
                    var e = elements.GetTextElement();
                    if (e.Length == 1 && e[0] < 0x80) { units.Add(e[0]); continue; }
                    if (!_graphemes.TryGetValue(e, out var id)) _graphemes[e] = id = FirstGraphemeId + _graphemes.Count;
                    units.Add(id);
                }
                lengths.Add(units.Count - before);
            }
            return units;
        }
    }
}
