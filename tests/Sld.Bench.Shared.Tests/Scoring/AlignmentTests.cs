// Alignment, counts and rates on hand-checked cases: sclite's costs against equal costs, corpus rates from
// summed counts, character units, and the summary formats (Kaldi line, sclite table, ESPnet rows).
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Tests.Scoring;

public class AlignmentTests
{
    private static readonly SequenceAligner Sclite = new(AlignmentCosts.Sclite);
    private static readonly SequenceAligner Levenshtein = new(AlignmentCosts.Levenshtein);

    private static string Ops(SequenceAligner aligner, string r, string h) =>
        aligner.AlignOps<string>(TextUnits.Words(r), TextUnits.Words(h));

    [Theory]
    [InlineData("a b c d e", "d e x y z", "DDDCCIII", "SSSSS")]   // sclite: 3 D + 3 I (cost 18) beats 5 S (20)
    [InlineData("a b", "b a", "DCI", "SS")]                       // ties: equal costs keep the diagonal
    [InlineData("a b c", "a x c", "CSC", "CSC")]
    [InlineData("", "x y", "II", "II")]
    [InlineData("x y", "", "DD", "DD")]
    [InlineData("", "", "", "")]
    [InlineData("the cat sat on the mat", "the the cat sat on mat mat", "ICCCCSC", "ICCCCSC")]
    [InlineData("a a a a", "a a", "DDCC", "DDCC")]
    public void ScliteCostsAndTieBreakingDifferFromEqualCosts(string r, string h, string sclite, string levenshtein)
    {
        Assert.Equal(sclite, Ops(Sclite, r, h));
        Assert.Equal(levenshtein, Ops(Levenshtein, r, h));
    }

    [Fact]
    public void EqualCostsGiveTheMinimumEditDistance()
    {
        // Levenshtein is never worse than sclite in errors; on this pair sclite reports one error more.
        Assert.Equal(5, ErrorCounts.FromOps(Ops(Levenshtein, "a b c d e", "d e x y z")).Errors);
        Assert.Equal(6, ErrorCounts.FromOps(Ops(Sclite, "a b c d e", "d e x y z")).Errors);
    }

    [Theory]
    [InlineData(11, 2)]
    [InlineData(12, 5)]
    [InlineData(13, 40)]
    public void BandedAlignmentEqualsTheFullMatrix(int seed, int alphabet)
    {
        // Long sequences with few symbols (many equal-cost alignments) and edits of varying density: the band
        // must give the full matrix's alignment, tie-breaking included, whether it widens or not.
        var rng = new Random(seed);
        foreach (var costs in new[] { AlignmentCosts.Sclite, AlignmentCosts.Levenshtein })
        {
            var aligner = new SequenceAligner(costs);
            for (var trial = 0; trial < 30; trial++)
            {
                var r = Enumerable.Range(0, rng.Next(0, 400)).Select(_ => rng.Next(alphabet)).ToArray();
                var rate = rng.NextDouble() * 0.6;
                var h = r.SelectMany(x => rng.NextDouble() < rate ? rng.Next(3) switch { 0 => [], 1 => [rng.Next(alphabet)], _ => new[] { x, rng.Next(alphabet) } } : [x]).ToArray();
                if (trial % 10 == 0) h = [.. Enumerable.Range(0, rng.Next(0, 300)).Select(_ => rng.Next(alphabet))];
                Assert.Equal(FullMatrix(r, h, costs), aligner.AlignOps<int>(r, h));
            }
        }
    }

    [Fact]
    public void BandWidensWhenTheBestPathLeavesIt()
    {
        // REF = P Q, HYP = Q P with 40 and 200 distinct symbols: the best alignment matches Q forty diagonals
        // away (40 D + 200 C + 40 I, cost 240), outside the first band; substituting everything would cost 960.
        int[] p = [.. Enumerable.Range(1000, 40)], q = [.. Enumerable.Range(0, 200)];
        var ops = new SequenceAligner().AlignOps<int>([.. p, .. q], [.. q, .. p]);
        Assert.Equal(new string('D', 40) + new string('C', 200) + new string('I', 40), ops);
    }

    /// <summary>The textbook full-matrix programme with sclite's rule, as a reference for the banded one.</summary>
    private static string FullMatrix(int[] r, int[] h, AlignmentCosts c)
    {
        var d = new int[r.Length + 1, h.Length + 1];
        var move = new char[r.Length + 1, h.Length + 1];
        for (var j = 1; j <= h.Length; j++) (d[0, j], move[0, j]) = (d[0, j - 1] + c.Insertion, 'L');
        for (var i = 1; i <= r.Length; i++)
        {
            (d[i, 0], move[i, 0]) = (d[i - 1, 0] + c.Deletion, 'U');
            for (var j = 1; j <= h.Length; j++)
            {
                int sub = d[i - 1, j - 1] + (r[i - 1] == h[j - 1] ? 0 : c.Substitution), del = d[i - 1, j] + c.Deletion, ins = d[i, j - 1] + c.Insertion;
                (d[i, j], move[i, j]) = sub <= del && sub <= ins ? (sub, 'D') : del < ins ? (del, 'U') : (ins, 'L');
            }
        }
        var ops = new List<char>();
        for (int i = r.Length, j = h.Length; i > 0 || j > 0;)
        {
            switch (move[i, j])
            {
                case 'D': ops.Add(r[i - 1] == h[j - 1] ? 'C' : 'S'); i--; j--; break;
                case 'U': ops.Add('D'); i--; break;
                default: ops.Add('I'); j--; break;
            }
        }
        ops.Reverse();
        return new string([.. ops]);
    }

    [Fact]
    public void LongSequencesNeedOnlyTheirBand()
    {
        // 30,000 tokens a side: the full matrix would be 900 MB of back-pointers; the band is a few MB.
        var rng = new Random(3);
        var r = Enumerable.Range(0, 30_000).Select(_ => rng.Next(50)).ToArray();
        var h = (int[])r.Clone();
        for (var i = 1000; i < 30_000; i += 3000) h[i] = 99;                // 10 substitutions
        var counts = new SequenceAligner().AlignCounts<int>(r, h);
        Assert.Equal(new ErrorCounts(29_990, 10, 0, 0), counts);
        var ops = new SequenceAligner().AlignOps<int>(r, [.. h[..500], .. h[501..]]);   // and one deletion
        Assert.Equal(new ErrorCounts(29_989, 10, 1, 0), ErrorCounts.FromOps(ops));
    }

    [Fact]
    public void AlignmentPairsFollowTheOperations()
    {
        var a = Sclite.Align(["a", "b", "c"], ["a", "x", "c", "d"]);
        Assert.Equal("CSCI", a.Ops);
        Assert.Equal(
            [new AlignedPair("a", "a", EditOp.Correct), new AlignedPair("b", "x", EditOp.Substitution),
             new AlignedPair("c", "c", EditOp.Correct), new AlignedPair(null, "d", EditOp.Insertion)],
            a.Pairs().ToArray());
        Assert.Equal(new ErrorCounts(2, 1, 0, 1), a.Counts);
        Assert.Throws<ArgumentException>(() => new TokenAlignment(["a"], ["a"], "S"));
        Assert.Throws<ArgumentException>(() => new TokenAlignment(["a"], ["b"], "C"));
        Assert.Throws<ArgumentException>(() => new TokenAlignment(["a"], [], "CI"));
        Assert.Throws<FormatException>(() => ErrorCounts.FromOps("CX"));
    }

    [Fact]
    public void CountsAndRates()
    {
        var c = new ErrorCounts(Correct: 51121, Substitutions: 1284, Deletions: 171, Insertions: 167);
        Assert.Equal((52576, 52572, 1622), (c.ReferenceLength, c.HypothesisLength, c.Errors));
        Assert.Equal(100.0 * 1622 / 52576, c.ErrorRate);
        Assert.Equal("%WER 3.09 [ 1622 / 52576, 167 ins, 171 del, 1284 sub ]", SummaryFormats.KaldiLine("WER", c));
        Assert.Equal("%SER 29.54 [ 774 / 2620 ]", SummaryFormats.SentenceLine(774, 2620));
        Assert.Null(new ErrorCounts(0, 0, 0, 3).ErrorRate);
        Assert.Equal("%WER n/a [ 3 / 0, 3 ins, 0 del, 0 sub ]", SummaryFormats.KaldiLine("WER", new ErrorCounts(0, 0, 0, 3)));
        Assert.Equal(new ErrorCounts(2, 4, 6, 8), new ErrorCounts(1, 2, 3, 4) + new ErrorCounts(1, 2, 3, 4));
    }

    [Fact]
    public void CorpusWerIsSummedCountsNotTheMeanOfUtteranceWers()
    {
        var score = new CorpusScorer(new ScoringOptions { Normalization = "lowercase" }).Score(
        [
            new UtteranceText("s-1", "s", "hello", "yellow"),                                    // 1 / 1
            new UtteranceText("s-2", "s", "one two three four five six seven eight nine", "one two three four five six seven eight nine"),
        ]);
        Assert.Equal(10.0, score.Wer);                       // the mean of utterance WERs would be 50
        Assert.Equal(50.0, score.SentenceErrorRate);
        Assert.Equal("lowercase", score.Normalization);
        Assert.Equal(new ErrorCounts(9, 1, 0, 0), score.Words);
    }

    [Fact]
    public void CharactersAreGraphemeClustersWithTheSpaceAsAUnit()
    {
        Assert.Equal(["e\u0301", "t", "\u00e9", TextUnits.Space, "日", "本"], TextUnits.Characters("e\u0301t\u00e9  日本", includeSpaces: true));
        Assert.Equal(["a", "b", "c"], TextUnits.Characters(" ab\tc ", includeSpaces: false));
        Assert.Equal(["😀", "x"], TextUnits.Characters("😀x", includeSpaces: true));
        // A no-break space is part of a word, as in sclite and Kaldi.
        Assert.Equal(["a\u00a0b"], TextUnits.Words("a\u00a0b"));

        var score = new CorpusScorer(new ScoringOptions { Normalization = "none" }).Score([new UtteranceText("u", "s", "ab cd", "abcd")]);
        Assert.Equal(new ErrorCounts(4, 0, 1, 0), score.Characters);        // the space is deleted
        Assert.Equal(20.0, score.Cer);
        var noSpace = new CorpusScorer(new ScoringOptions { Normalization = "none", CharacterSpaces = false })
            .Score([new UtteranceText("u", "s", "ab cd", "abcd")]);
        Assert.Equal(new ErrorCounts(4, 0, 0, 0), noSpace.Characters);
    }

    [Fact]
    public void AnEmptyTestSetHasNoRates()
    {
        var score = new CorpusScorer(new ScoringOptions { Normalization = "none" }).Score([]);
        Assert.Equal((0, default(ErrorCounts), null, 0.0), (score.Sentences, score.Words, score.Wer, score.SentenceErrorRate));
        Assert.Equal("%WER n/a [ 0 / 0, 0 ins, 0 del, 0 sub ]\n%CER n/a [ 0 / 0, 0 ins, 0 del, 0 sub ]\n%SER n/a [ 0 / 0 ]\n",
            SummaryFormats.KaldiSummary(score));
        Assert.Contains("| Sum/Avg |     0       0 |   0.0    0.0    0.0    0.0    0.0    0.0 |", SummaryFormats.ScliteTable(score));
    }

    [Fact]
    public void DuplicateUtteranceIdsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new CorpusScorer(new ScoringOptions { Normalization = "none" })
            .Score([new UtteranceText("u", "s", "a", "a"), new UtteranceText("u", "s", "b", "b")]));
        Assert.Contains("'u' occurs twice", e.Message);
    }

    [Fact]
    public void ScliteTableAndEspnetRows()
    {
        var score = new CorpusScorer(new ScoringOptions { Normalization = "none" }).Score(
        [
            new UtteranceText("s1-1", "s1", "a b c d e", "d e x y z"),
            new UtteranceText("s1-2", "s1", "a b", "b c"),
            new UtteranceText("s2-1", "s2", "x y z w", "x y z w"),
            new UtteranceText("s2-2", "s2", "", "oh"),
        ]);
        Assert.Equal(
            "| SPKR    | # Snt   # Wrd |  Corr    Sub    Del    Ins    Err  S.Err |\n" +
            "|---------+---------------+-------------------------------------------|\n" +
            "| s1      |     2       7 |  42.9    0.0   57.1   57.1  114.3  100.0 |\n" +
            "| s2      |     2       4 | 100.0    0.0    0.0   25.0   25.0   50.0 |\n" +
            "|=========+===============+===========================================|\n" +
            "| Sum/Avg |     4      11 |  63.6    0.0   36.4   45.5   81.8   75.0 |\n" +
            "|=========+===============+===========================================|\n" +
            "| Mean    |   2.0     5.5 |  71.4    0.0   28.6   41.1   69.6   75.0 |\n" +
            "| S.D.    |   0.0     2.1 |  40.4    0.0   40.4   22.7   63.1   35.4 |\n" +
            "| Median  |   2.0     5.5 |  71.4    0.0   28.6   41.1   69.6   75.0 |\n",
            SummaryFormats.ScliteTable(score));
        Assert.Equal(
            "### WER\n\n|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|\n|---|---|---|---|---|---|---|---|---|\n" +
            "|test|4|11|63.6|0.0|36.4|45.5|81.8|75.0|\n\n" +
            "### CER\n\n|dataset|Snt|Wrd|Corr|Sub|Del|Ins|Err|S.Err|\n|---|---|---|---|---|---|---|---|---|\n" +
            "|test|4|19|63.2|36.8|0.0|10.5|47.4|75.0|\n\n",   // as sclite scores the character trn
            SummaryFormats.EspnetMarkdown([("test", score)]));
    }

    [Fact]
    public void ScliteRoundsHalfUpWhereprintfRoundsToEven()
    {
        Assert.Equal("31.3", SummaryFormats.ScliteF1(31.25));
        Assert.Equal("31.2", 31.25.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.0", SummaryFormats.ScliteF1(0));
        Assert.Equal("-2.5", SummaryFormats.ScliteF1(-2.45));
    }
}
