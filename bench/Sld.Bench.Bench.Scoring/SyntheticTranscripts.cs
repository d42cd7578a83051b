// A LibriSpeech-shaped synthetic test set for the benchmark: Zipf-distributed words from a 5,000-word
// vocabulary, 100 utterances per speaker, 5-35 words each (about 20 on average, as test-clean), and
// hypotheses with about 10% WER (substitutions, deletions, insertions, and a few runaway outputs).
using System.Text;

namespace Sld.Bench.Bench.Scoring;

internal static class SyntheticTranscripts
{
    public static (string refTrn, string hypTrn) Generate(int utterances, int seed)
    {
        var rng = new Random(seed);
        var vocabulary = Enumerable.Range(0, 5000).Select(i => Word(rng, i)).ToArray();
        // Zipf: cumulative weights 1/k, sampled by binary search.
        var cumulative = new double[vocabulary.Length];
        var total = 0.0;
        for (var k = 0; k < vocabulary.Length; k++) cumulative[k] = total += 1.0 / (k + 1);
        string Draw()
        {
            var i = Array.BinarySearch(cumulative, rng.NextDouble() * total);
            return vocabulary[i < 0 ? ~i : i];
        }

        var (refs, hyps) = (new StringBuilder(), new StringBuilder());
        for (var u = 0; u < utterances; u++)
        {
            var id = $"{1000 + u / 100}-{u % 100:0000}";
            var reference = Enumerable.Range(0, rng.Next(5, 36)).Select(_ => Draw()).ToList();
            var hypothesis = new List<string>();
            foreach (var w in reference)
            {
                var r = rng.NextDouble();
                if (r < 0.02) continue;                          // deletion
                hypothesis.Add(r < 0.07 ? Draw() : w);           // substitution
                if (r > 0.97) hypothesis.Add(Draw());            // insertion
            }
            if (rng.Next(200) == 0) hypothesis.AddRange(Enumerable.Repeat(hypothesis.LastOrDefault() ?? "the", 20));
            refs.Append(string.Join(' ', reference)).Append(" (").Append(id).Append(")\n");
            hyps.Append(string.Join(' ', hypothesis)).Append(hypothesis.Count == 0 ? "(" : " (").Append(id).Append(")\n");
        }
        return (refs.ToString(), hyps.ToString());
    }

    private static string Word(Random rng, int index)
    {
        const string letters = "etaoinshrdlcumwfgypbvkjxqz";
        var length = 2 + rng.Next(8);
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = letters[Math.Min(letters.Length - 1, (int)(-Math.Log(1 - rng.NextDouble()) * 6))];
        return new string(chars) + (index % 7 == 0 ? "s" : "");
    }
}
