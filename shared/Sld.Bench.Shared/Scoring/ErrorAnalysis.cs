// Which words go wrong: confusion pairs (ref ==> hyp), the most deleted and most inserted words, and per-word
// statistics, tallied in one pass over the word alignments. Lists are ordered as sclite's dtl report orders
// them: by count, most first, then by the words in code-point order.
namespace Sld.Bench.Shared.Scoring;

/// <summary>A substitution of <see cref="Reference"/> by <see cref="Hypothesis"/> and how often it occurred.</summary>
public sealed record ConfusionPair(string Reference, string Hypothesis, int Count)
{
    public override string ToString() => $"{Reference} ==> {Hypothesis}";
}

public sealed record WordCount(string Word, int Count);

/// <summary>
/// Everything that happened to one word. Reference side: <see cref="Correct"/> + <see cref="Substituted"/> +
/// <see cref="Deleted"/> = <see cref="InReference"/>. Hypothesis side: <see cref="Correct"/> +
/// <see cref="FalselyRecognized"/> (it replaced another word) + <see cref="Inserted"/> = <see cref="InHypothesis"/>.
/// </summary>
public sealed record WordStatistics(
    string Word, int InReference, int InHypothesis, int Correct, int Substituted, int Deleted, int Inserted, int FalselyRecognized)
{
    /// <summary>Errors this word took part in: substituted, deleted, inserted, or falsely recognized (icefall's tot_errs).</summary>
    public int Errors => Substituted + Deleted + Inserted + FalselyRecognized;
}

/// <summary>
/// Everything the error lists are made of, counted in one pass over the word alignments; the lists are read
/// from it in sclite's order (count, most first, then the words in code-point order).
/// </summary>
public sealed class ErrorTally
{
    private readonly Dictionary<(string, string), int> _confusions = [];
    private readonly Dictionary<string, int> _deleted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inserted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _substituted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _falselyRecognized = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int[]> _perWord = new(StringComparer.Ordinal);

    public static ErrorTally Of(IEnumerable<UtteranceScore> utterances)
    {
        var tally = new ErrorTally();
        foreach (var u in utterances) tally.Add(u.ReferenceWords, u.HypothesisWords, u.WordOps);
        return tally;
    }

    private void Add(string[] reference, string[] hypothesis, string ops)
    {
        var (r, h) = (0, 0);
        foreach (var op in ops)
        {
            switch (op)
            {
                case 'C': Word(reference[r++])[0]++; h++; break;
                case 'S':
                    var (rw, hw) = (reference[r++], hypothesis[h++]);
                    Increment(_confusions, (rw, hw));
                    Increment(_substituted, rw);
                    Increment(_falselyRecognized, hw);
                    Word(rw)[1]++;
                    Word(hw)[4]++;
                    break;
                case 'D': Increment(_deleted, reference[r]); Word(reference[r++])[2]++; break;
                default: Increment(_inserted, hypothesis[h]); Word(hypothesis[h++])[3]++; break;
            }
        }
    }

    public IReadOnlyList<ConfusionPair> ConfusionPairs(int top = int.MaxValue) =>
        [.. _confusions.Select(kv => new ConfusionPair(kv.Key.Item1, kv.Key.Item2, kv.Value))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Reference, ErrorAnalysis.CodePointOrder)
            .ThenBy(p => p.Hypothesis, ErrorAnalysis.CodePointOrder).Take(top)];

    public IReadOnlyList<WordCount> Deletions(int top = int.MaxValue) => Ordered(_deleted, top);

    public IReadOnlyList<WordCount> Insertions(int top = int.MaxValue) => Ordered(_inserted, top);

    public IReadOnlyList<WordCount> Substitutions(int top = int.MaxValue) => Ordered(_substituted, top);

    public IReadOnlyList<WordCount> FalselyRecognized(int top = int.MaxValue) => Ordered(_falselyRecognized, top);

    /// <summary>Statistics of every word seen in a reference or hypothesis, most errors first.</summary>
    public IReadOnlyList<WordStatistics> PerWord() =>
        [.. _perWord.Select(kv =>
            {
                var s = kv.Value;
                return new WordStatistics(kv.Key, s[0] + s[1] + s[2], s[0] + s[3] + s[4], s[0], s[1], s[2], s[3], s[4]);
            })
            .OrderByDescending(w => w.Errors).ThenBy(w => w.Word, ErrorAnalysis.CodePointOrder)];

    private int[] Word(string w) => _perWord.TryGetValue(w, out var s) ? s : _perWord[w] = new int[5];

    private static IReadOnlyList<WordCount> Ordered(Dictionary<string, int> counts, int top) =>
        [.. counts.Select(kv => new WordCount(kv.Key, kv.Value))
            .OrderByDescending(w => w.Count).ThenBy(w => w.Word, ErrorAnalysis.CodePointOrder).Take(top)];

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;
}

/// <summary>Shortcuts that tally the utterances and read one list; use <see cref="ErrorTally"/> for several.</summary>
public static class ErrorAnalysis
{
    /// <summary>Compares strings by Unicode code point (the order of UTF-8 bytes, which sclite sorts by).</summary>
    public static readonly IComparer<string> CodePointOrder = Comparer<string>.Create(CompareCodePoints);

    public static IReadOnlyList<ConfusionPair> ConfusionPairs(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        ErrorTally.Of(utterances).ConfusionPairs(top);

    /// <summary>Reference words the hypothesis dropped.</summary>
    public static IReadOnlyList<WordCount> Deletions(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        ErrorTally.Of(utterances).Deletions(top);

    /// <summary>Hypothesis words with no reference counterpart.</summary>
    public static IReadOnlyList<WordCount> Insertions(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        ErrorTally.Of(utterances).Insertions(top);

    /// <summary>Reference words that were replaced by another word (sclite's SUBSTITUTIONS list).</summary>
    public static IReadOnlyList<WordCount> Substitutions(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        ErrorTally.Of(utterances).Substitutions(top);

    /// <summary>Hypothesis words that replaced another word (sclite's FALSELY RECOGNIZED list).</summary>
    public static IReadOnlyList<WordCount> FalselyRecognized(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        ErrorTally.Of(utterances).FalselyRecognized(top);

    public static IReadOnlyList<WordStatistics> PerWord(IEnumerable<UtteranceScore> utterances) => ErrorTally.Of(utterances).PerWord();

    private static int CompareCodePoints(string? a, string? b)
    {
        if (ReferenceEquals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        var (x, y) = (a.EnumerateRunes(), b.EnumerateRunes());
        while (true)
        {
            var (hasX, hasY) = (x.MoveNext(), y.MoveNext());
            if (!hasX || !hasY) return hasX.CompareTo(hasY);
            var c = x.Current.Value.CompareTo(y.Current.Value);
            if (c != 0) return c;
        }
    }
}
