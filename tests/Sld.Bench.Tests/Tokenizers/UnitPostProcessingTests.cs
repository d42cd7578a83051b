// Dedup, BPE and unigram units over unit strings: exact dedup spans, merges counted by hand, planted "words"
// recovered by both unit models, lossless round trips, token spans that tile the frames, and unit models that
// read back from units.json encode identically.
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Tokenizers;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class UnitPostProcessingTests
{
    [Fact]
    public void DedupCollapsesRunsAndKeepsTheirSpans()
    {
        var (units, starts, lengths) = Dedup.Collapse(new long[] { 1, 1, 2, 2, 2, 3, 1, 1 });
        Assert.Equal(new long[] { 1, 2, 3, 1 }, units);
        Assert.Equal(new[] { 0, 2, 5, 6 }, starts);
        Assert.Equal(new[] { 2, 3, 1, 2 }, lengths);
        Assert.Empty(Dedup.Collapse(ReadOnlySpan<long>.Empty).units);
    }

    [Fact]
    public void BpeMergesTheMostFrequentPairFirstAndBreaksTiesBySmallerPair()
    {
        // (0,1) occurs 4 times and becomes 5; then the strings read 5 2 5 2 and 5 3 5 4: (5,2) occurs twice, every
        // other pair once; after it, 6 6 and 5 3 5 4 hold five pairs seen once each, and the smallest, (3,5), wins.
        int[][] corpus = [[0, 1, 2, 0, 1, 2], [0, 1, 3, 0, 1, 4]];
        var bpe = BpeModel.Train(corpus, units: 5, vocabularySize: 8, maxPieceLength: 8, FitContext.None);
        Assert.Equal(new[] { (0, 1), (5, 2) }, bpe.Merges.ToArray());
        Assert.Equal(new[] { 6, 6 }, bpe.Encode([0, 1, 2, 0, 1, 2]));
        Assert.Equal(new[] { 0, 1, 2 }, bpe.PieceUnits(6).ToArray());
        Assert.Equal(new[] { 5, 3, 5, 4 }, bpe.Encode([0, 1, 3, 0, 1, 4]));
    }

    [Fact]
    public void BpeStopsWhenNothingRepeatsAndRespectsTheMaximumPieceLength()
    {
        int[][] corpus = [[0, 0, 0, 0, 0, 0, 0, 0]];
        var bpe = BpeModel.Train(corpus, units: 1, vocabularySize: 100, maxPieceLength: 4, FitContext.None);
        Assert.All(Enumerable.Range(0, bpe.VocabularySize), p => Assert.InRange(bpe.PieceUnits(p).Length, 1, 4));
        Assert.Equal(new[] { 2, 2 }, bpe.Encode([0, 0, 0, 0, 0, 0, 0, 0])); // piece 2 = 4 units
        Assert.Equal(3, bpe.VocabularySize); // "00", "0000"; then the only repeating pair would exceed 4 units
    }

    /// <summary>Sentences made of five planted words over 12 units (pieces are capped at the longest word's 4 units).</summary>
    private static (List<int[]> corpus, int[][] words) PlantedWords(int sentences, ulong seed)
    {
        int[][] words = [[0, 1, 2], [3, 4, 5, 6], [7, 8], [9, 10, 11], [2, 5, 8]];
        var rng = new DeterministicRandom(seed);
        var corpus = new List<int[]>();
        for (var s = 0; s < sentences; s++)
            corpus.Add(Enumerable.Range(0, 12).SelectMany(_ => words[rng.NextLong(words.Length)]).ToArray());
        return (corpus, words);
    }

    [Theory]
    [InlineData(UnitModelKind.Bpe, 12 + 10)]
    [InlineData(UnitModelKind.Unigram, 12 + 5)]
    public void UnitModelsFindPlantedWordsAndRoundTrip(UnitModelKind kind, int vocabulary)
    {
        var (corpus, words) = PlantedWords(300, 31);
        IUnitModel model = kind == UnitModelKind.Bpe
            ? BpeModel.Train(corpus, 12, vocabulary, 4, FitContext.None)
            : UnigramModel.Train(corpus, 12, vocabulary, 4, FitContext.None);
        Assert.InRange(model.VocabularySize, 12, vocabulary);
        var pieces = Enumerable.Range(12, model.VocabularySize - 12).Select(p => string.Join(' ', model.PieceUnits(p).ToArray())).ToHashSet();
        foreach (var w in words.Where(w => w.Length > 1)) Assert.Contains(string.Join(' ', w), pieces);
        var (test, _) = PlantedWords(20, 32);
        foreach (var sentence in test)
        {
            var encoded = model.Encode(sentence);
            Assert.Equal(sentence, encoded.SelectMany(p => model.PieceUnits(p).ToArray()).ToArray());
            Assert.Equal(12, encoded.Length); // one piece per planted word
        }
    }

    [Theory]
    [InlineData(UnitModelKind.Bpe)]
    [InlineData(UnitModelKind.Unigram)]
    public void TokenSpansTileTheFramesAndTheModelReadsBack(UnitModelKind kind)
    {
        var (corpus, _) = PlantedWords(200, 33);
        // Raw frame units: every unit held for 1 to 3 frames, as nearest-centroid units of speech are.
        var rng = new DeterministicRandom(34);
        var raw = corpus.Select(s => s.SelectMany(u => Enumerable.Repeat((long)u, 1 + (int)rng.NextLong(3))).ToArray()).ToList();
        var options = new PostProcessingOptions(Dedup: true, Units: new UnitModelOptions(kind, 20, 8));
        var post = UnitPostProcessor.Fit(options, 12, raw, FitContext.None);
        var dir = Directory.CreateTempSubdirectory("sldbench-units-").FullName;
        try
        {
            Assert.Equal([UnitPostProcessor.FileName], post.Save(dir));
            var loaded = UnitPostProcessor.Load(options, 12, dir);
            foreach (var r in raw.Take(20))
            {
                var tokens = post.Apply(r, 50);
                tokens.Validate();
                Assert.Equal(r.Length, tokens.FrameCounts.Sum());
                Assert.True(tokens.Length < Dedup.Collapse(r).units.Length, "pieces should be fewer than deduplicated units");
                var again = loaded.Apply(r, 50);
                Assert.Equal(tokens.Ids[0], again.Ids[0]);
                Assert.Equal(tokens.FrameStarts, again.FrameStarts);
                // Each token's frames hold exactly the units of its piece, run-length expanded.
                for (var i = 0; i < tokens.Length; i++)
                {
                    var frames = r.AsSpan(tokens.FrameStarts[i], tokens.FrameCounts[i]).ToArray();
                    Assert.Equal(post.Model!.PieceUnits((int)tokens.Ids[0][i]).ToArray().Select(u => (long)u), Dedup.Collapse(frames).units);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void UnitModelOptionsMustGrowTheVocabulary()
    {
        Assert.Throws<ArgumentException>(() => new UnitModelOptions(UnitModelKind.Bpe, 12, 8).Validate(12));
        Assert.Throws<ArgumentException>(() => new UnitModelOptions(UnitModelKind.Unigram, 100, 1).Validate(12));
    }
}
