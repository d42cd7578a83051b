// A corpus WER written from first principles for the tests (the harness takes its scorer from outside):
// word-level Levenshtein distance with unit costs per utterance, summed, over the summed reference words.
namespace Sld.Bench.Tests.Training;

public static class ReferenceWer
{
    public static int EditDistance(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        var previous = Enumerable.Range(0, hypothesis.Count + 1).ToArray();
        for (var i = 1; i <= reference.Count; i++)
        {
            var current = new int[hypothesis.Count + 1];
            current[0] = i;
            for (var j = 1; j <= hypothesis.Count; j++)
            {
                var substitution = previous[j - 1] + (reference[i - 1] == hypothesis[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            previous = current;
        }
        return previous[hypothesis.Count];
    }

    private static string[] Words(string s) => s.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>(S + D + I) / N over the corpus.</summary>
    public static double Corpus(IReadOnlyList<(string Id, string Reference, string Hypothesis)> utterances)
    {
        long errors = 0, words = 0;
        foreach (var (_, reference, hypothesis) in utterances)
        {
            var r = Words(reference);
            errors += EditDistance(r, Words(hypothesis));
            words += r.Length;
        }
        return words == 0 ? 0 : (double)errors / words;
    }
}
