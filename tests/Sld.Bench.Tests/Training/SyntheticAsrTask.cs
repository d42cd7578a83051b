// A toy "acoustic" process for tests: sentences of 2-4 words from a small lexicon; each character (space
// included) emits 1..maxRepeat frames of a context-dependent speech token (a function of the character and the
// one before it, like a diphone), and each frame is replaced by a random token with probability Noise. A model that learns the mapping (and to collapse the repeats) transcribes unseen sentences.
using Sld.Bench.Model;
using Sld.Bench.Training;

namespace Sld.Bench.Tests.Training;

public sealed class SyntheticAsrTask
{
    public static readonly string[] Lexicon = ["one", "two", "six", "red", "blue", "green", "cat", "dog", "bird", "sun", "moon", "tree"];

    public const int K = 64;

    public SyntheticAsrTask(int trainCount, int devCount, ulong seed = 17, double noise = 0.1, int maxRepeat = 3)
    {
        var random = new DeterministicRandom(seed);
        var chars = Lexicon.SelectMany(w => w).Append(' ').Distinct().OrderBy(c => c).ToArray();
        var index = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
        int TokenOf(char previous, char c) => (index[previous] * 29 + index[c] * 7 + 3) % K; // context-dependent units
        AsrUtterance Make(string id)
        {
            var words = Enumerable.Range(0, 2 + random.NextInt(3)).Select(_ => Lexicon[random.NextInt(Lexicon.Length)]);
            var text = string.Join(' ', words);
            var frames = new List<int>();
            var previous = ' ';
            foreach (var c in text)
            {
                for (var r = 1 + random.NextInt(maxRepeat); r > 0; r--)
                    frames.Add(random.NextDouble() < noise ? random.NextInt(K) : TokenOf(previous, c));
                previous = c;
            }
            return new AsrUtterance(id, new SpeechTokens([.. frames]), text);
        }
        Train = Enumerable.Range(0, trainCount).Select(i => Make($"train-{i:D4}")).ToList();
        Dev = Enumerable.Range(0, devCount).Select(i => Make($"dev-{i:D4}")).ToList();
        Vocabulary = AsrVocabulary.Characters(Train.Select(u => u.Text).Concat(Dev.Select(u => u.Text)), K);
    }

    public IReadOnlyList<AsrUtterance> Train { get; }
    public IReadOnlyList<AsrUtterance> Dev { get; }
    public AsrVocabulary Vocabulary { get; }
    public InMemoryAsrData Data => new(Train, Dev);

    /// <summary>Dev WER of predicting the most frequent training sentence for every dev utterance.</summary>
    public double MajoritySentenceWer()
    {
        var majority = Train.GroupBy(u => u.Text).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        return ReferenceWer.Corpus(Dev.Select(u => (u.Id, u.Text, majority)).ToList());
    }
}
