// Which words go wrong: confusion pairs (ref ==> hyp), the most deleted and most inserted words, and per-word
// statistics, counted over the word alignments. Lists are ordered as sclite's dtl report orders them: by count,
// most first, then by the words in code-point order.
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

public static class ErrorAnalysis
{
    /// <summary>Compares strings by Unicode code point (the order of UTF-8 bytes, which sclite sorts by).</summary>
    public static readonly IComparer<string> CodePointOrder = Comparer<string>.Create(CompareCodePoints);

    public static IReadOnlyList<ConfusionPair> ConfusionPairs(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue)
    {
        var counts = new Dictionary<(string, string), int>();
        foreach (var pair in AllPairs(utterances))
            if (pair.Op == EditOp.Substitution) Increment(counts, (pair.Reference!, pair.Hypothesis!));
        return [.. counts.Select(kv => new ConfusionPair(kv.Key.Item1, kv.Key.Item2, kv.Value))
            .OrderByDescending(p => p.Count).ThenBy(p => p.Reference, CodePointOrder).ThenBy(p => p.Hypothesis, CodePointOrder)
            .Take(top)];
    }

    /// <summary>Reference words the hypothesis dropped.</summary>
    public static IReadOnlyList<WordCount> Deletions(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        CountWords(utterances, EditOp.Deletion, p => p.Reference!, top);

    /// <summary>Hypothesis words with no reference counterpart.</summary>
    public static IReadOnlyList<WordCount> Insertions(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        CountWords(utterances, EditOp.Insertion, p => p.Hypothesis!, top);

    /// <summary>Reference words that were replaced by another word (sclite's SUBSTITUTIONS list).</summary>
    public static IReadOnlyList<WordCount> Substitutions(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        CountWords(utterances, EditOp.Substitution, p => p.Reference!, top);

    /// <summary>Hypothesis words that replaced another word (sclite's FALSELY RECOGNIZED list).</summary>
    public static IReadOnlyList<WordCount> FalselyRecognized(IEnumerable<UtteranceScore> utterances, int top = int.MaxValue) =>
        CountWords(utterances, EditOp.Substitution, p => p.Hypothesis!, top);

    /// <summary>Statistics of every word seen in a reference or hypothesis, most errors first.</summary>
    public static IReadOnlyList<WordStatistics> PerWord(IEnumerable<UtteranceScore> utterances)
    {
        var stats = new Dictionary<string, int[]>(StringComparer.Ordinal);
        int[] Of(string w) => stats.TryGetValue(w, out var s) ? s : stats[w] = new int[5];
        foreach (var pair in AllPairs(utterances))
        {
            switch (pair.Op)
            {
                case EditOp.Correct: Of(pair.Reference!)[0]++; break;
                case EditOp.Substitution: Of(pair.Reference!)[1]++; Of(pair.Hypothesis!)[4]++; break;
                case EditOp.Deletion: Of(pair.Reference!)[2]++; break;
                case EditOp.Insertion: Of(pair.Hypothesis!)[3]++; break;
            }
        }
        return [.. stats.Select(kv =>
            {
                var s = kv.Value;
                return new WordStatistics(kv.Key, s[0] + s[1] + s[2], s[0] + s[3] + s[4], s[0], s[1], s[2], s[3], s[4]);
            })
            .OrderByDescending(w => w.Errors).ThenBy(w => w.Word, CodePointOrder)];
    }

    private static IEnumerable<AlignedPair> AllPairs(IEnumerable<UtteranceScore> utterances) =>
        utterances.SelectMany(u => u.WordAlignment().Pairs());

    private static IReadOnlyList<WordCount> CountWords(
        IEnumerable<UtteranceScore> utterances, EditOp op, Func<AlignedPair, string> word, int top)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pair in AllPairs(utterances))
            if (pair.Op == op) Increment(counts, word(pair));
        return [.. counts.Select(kv => new WordCount(kv.Key, kv.Value))
            .OrderByDescending(w => w.Count).ThenBy(w => w.Word, CodePointOrder).Take(top)];
    }

    private static void Increment<TKey>(Dictionary<TKey, int> counts, TKey key) where TKey : notnull =>
        counts[key] = counts.GetValueOrDefault(key) + 1;

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
