// Paired bootstrap, sign test, relative reduction, improved/degraded counts and the seed summary, on cases
// whose answers are known exactly.
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Shared.Statistics;

namespace Sld.Bench.Shared.Tests.Statistics;

public class PairedComparisonTests
{
    [Fact]
    public void RandomStreamIsXoshiro256StarStarSeededBySplitMix64()
    {
        // Values from an independent Python transcription of the published algorithms, seed 0.
        var rng = new DeterministicRandom(0);
        Assert.Equal(11091344671253066420UL, rng.NextUInt64());
        Assert.Equal(13793997310169335082UL, rng.NextUInt64());
        Assert.Equal(1900383378846508768UL, rng.NextUInt64());
    }

    [Fact]
    public void BoundedIntegersAreUniform()
    {
        var rng = new DeterministicRandom(42);
        var counts = new int[6];
        for (var i = 0; i < 60_000; i++) counts[rng.NextInt(6)]++;
        // Each face 10,000 +- 5 standard deviations (sd = sqrt(60000 * 1/6 * 5/6) = 91).
        Assert.All(counts, c => Assert.InRange(c, 10_000 - 456, 10_000 + 456));
    }

    [Fact]
    public void BootstrapOfAConstantDifferenceIsThatDifference()
    {
        // Every utterance: 10 reference words, baseline 2 errors, system 1. Every resample says -10 points.
        var a = Enumerable.Repeat(new ErrorCounts(8, 1, 1, 0), 50).ToArray();
        var b = Enumerable.Repeat(new ErrorCounts(9, 1, 0, 0), 50).ToArray();
        var r = PairedBootstrap.Run(a, b, resamples: 200, seed: 7);
        Assert.Equal((-10.0, -10.0, -10.0), (r.Difference, r.Lower, r.Upper));
        Assert.Equal(1.0, r.ProbabilityOfImprovement);
        Assert.True(r.Significant);
        Assert.Equal((50, 200, 7UL, 0.95), (r.Utterances, r.Resamples, r.Seed, r.ConfidenceLevel));
    }

    [Fact]
    public void BootstrapOfIdenticalSystemsIsZero()
    {
        var a = new[] { new ErrorCounts(3, 1, 0, 2), new ErrorCounts(0, 0, 4, 0), new ErrorCounts(5, 0, 0, 0) };
        var r = PairedBootstrap.Run(a, a, resamples: 500);
        Assert.Equal((0.0, 0.0, 0.0, 0.0), (r.Difference, r.Lower, r.Upper, r.ProbabilityOfImprovement));
        Assert.False(r.Significant);
    }

    [Fact]
    public void BootstrapIsDeterministicInItsSeedAndBracketsTheObservedDifference()
    {
        var rng = new Random(5);
        var a = new ErrorCounts[300];
        var b = new ErrorCounts[300];
        for (var i = 0; i < a.Length; i++)
        {
            var n = rng.Next(1, 30);
            var ea = rng.Next(0, n / 2 + 1);
            var eb = Math.Max(0, ea + rng.Next(-2, 2));
            eb = Math.Min(eb, n);
            a[i] = new ErrorCounts(n - ea, ea, 0, 0);
            b[i] = new ErrorCounts(n - eb, eb, 0, 0);
        }
        var r1 = PairedBootstrap.Run(a, b, resamples: 2000, seed: 1);
        var r2 = PairedBootstrap.Run(a, b, resamples: 2000, seed: 1);
        var r3 = PairedBootstrap.Run(a, b, resamples: 2000, seed: 2);
        Assert.Equal(r1, r2);
        Assert.NotEqual((r1.Lower, r1.Upper), (r3.Lower, r3.Upper));
        Assert.InRange(r1.Difference, r1.Lower, r1.Upper);
        Assert.True(r1.Upper - r1.Lower > 0.1, "a noisy difference has an interval of some width");
    }

    [Fact]
    public void BootstrapRefusesUnpairedInput()
    {
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Run([new ErrorCounts(1, 0, 0, 0)], [new ErrorCounts(2, 0, 0, 0)]));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Run([new ErrorCounts(1, 0, 0, 0)], []));
        Assert.Throws<ArgumentException>(() => PairedBootstrap.Run([new ErrorCounts(0, 0, 0, 1)], [new ErrorCounts(0, 0, 0, 0)]));
    }

    [Fact]
    public void SignTestIsTheExactBinomial()
    {
        var r = SignTest.FromCounts(better: 9, worse: 1, ties: 3);
        Assert.Equal((13, 9, 1, 3), (r.Speakers, r.Better, r.Worse, r.Ties));
        Assert.Equal(22.0 / 1024, r.PValue, 15);                 // 2 * (1 + 10) / 2^10
        Assert.True(r.SignificantAt(0.05));
        Assert.Equal(1.0, SignTest.FromCounts(3, 3, 0).PValue);   // 2 * P(X <= 3 | 6) > 1, capped
        Assert.Equal(1.0, SignTest.FromCounts(0, 0, 4).PValue);
    }

    [Fact]
    public void SignTestComparesSpeakerWerExactly()
    {
        var scorer = new CorpusScorer(new ScoringOptions { Normalization = "none" });
        UtteranceText U(string id, string spk, string r, string h) => new(id, spk, r, h);
        var baseline = scorer.Score([U("1", "a", "x y z", "x q z"), U("2", "b", "x y", "x y"), U("3", "c", "p q r s", "p"), U("4", "d", "", "n")]);
        var system = scorer.Score([U("1", "a", "x y z", "x y z"), U("2", "b", "x y", "x q"), U("3", "c", "p q r s", "p q")]);
        // a improves (1/3 -> 0), b degrades (0 -> 1/2), c improves (3/4 -> 2/4); d has no reference words.
        var r = SignTest.OnSpeakerWer(baseline.Utterances.Take(3), system.Utterances);
        Assert.Equal((3, 2, 1, 0), (r.Speakers, r.Better, r.Worse, r.Ties));
        Assert.Equal(1.0, r.PValue);
    }

    [Fact]
    public void ComparisonCountsImprovedDegradedUnchangedAndRelativeReduction()
    {
        var scorer = new CorpusScorer(new ScoringOptions { Normalization = "none" });
        var refs = new[] { "a b c d", "e f g h", "i j k l", "m n o p" };
        var baseline = scorer.Score(refs.Select((r, i) => new UtteranceText($"s-{i}", "s", r, new[] { "a b c", "e f g h", "i x k l", "m" }[i])));
        var system = scorer.Score(refs.Select((r, i) => new UtteranceText($"s-{i}", "s", r, new[] { "a b c d", "e f x h", "i x k l", "m n" }[i])));
        var c = SystemComparison.Compare(baseline, system, resamples: 100);
        Assert.Equal(new UtteranceChanges(Improved: 2, Degraded: 1, Unchanged: 1), c.Changes);
        Assert.Equal(100.0 * 5 / 16, c.BaselineWer);                     // 1 + 0 + 1 + 3 errors over 16 words
        Assert.Equal(100.0 * 4 / 16, c.SystemWer);                       // 0 + 1 + 1 + 2
        Assert.Equal(100.0 / 16, c.AbsoluteReduction, 12);
        Assert.Equal(20.0, c.RelativeReduction!.Value, 12);               // (5 - 4) / 5
        Assert.Null(SystemComparison.RelativeReduction(0, 1));
        Assert.Equal(-25.0, SystemComparison.RelativeReduction(4, 5));
    }

    [Fact]
    public void ComparisonRefusesDifferentTestSets()
    {
        var scorer = new CorpusScorer(new ScoringOptions { Normalization = "none" });
        var a = scorer.Score([new UtteranceText("u1", "s", "a b", "a b"), new UtteranceText("u2", "s", "c", "c")]);
        var b = scorer.Score([new UtteranceText("u1", "s", "a b", "a"), new UtteranceText("u3", "s", "c", "c")]);
        var e = Assert.Throws<ArgumentException>(() => SystemComparison.Pair(a, b));
        Assert.Contains("only in the baseline (u2)", e.Message);
        Assert.Contains("only in the system (u3)", e.Message);
        var c = scorer.Score([new UtteranceText("u1", "s", "a c", "a b"), new UtteranceText("u2", "s", "c", "c")]);
        Assert.Contains("'u1' has different references", Assert.Throws<ArgumentException>(() => SystemComparison.Pair(a, c)).Message);
    }

    [Fact]
    public void SeedSummaryUsesTheSampleStandardDeviationAndNamesMissingSeeds()
    {
        var s = SeedSummary.Of(new Dictionary<int, double> { [1] = 3.0, [2] = 4.0, [4] = 8.0 }, [1, 2, 3, 4]);
        Assert.Equal((3, 4), (s.N, s.ExpectedN));
        Assert.Equal(5.0, s.Mean);
        Assert.Equal(Math.Sqrt((4.0 + 1.0 + 9.0) / 2), s.StdDev!.Value, 15);
        Assert.Equal((3.0, 8.0), (s.Min!.Value, s.Max!.Value));
        Assert.Equal([3], s.MissingSeeds);
        Assert.True(s.HasMissingSeeds);

        var one = SeedSummary.Of(new Dictionary<int, double> { [0] = 2.5 }, [0]);
        Assert.Equal((1, 2.5), (one.N, one.Mean!.Value));
        Assert.Null(one.StdDev);
        Assert.False(one.HasMissingSeeds);

        var none = SeedSummary.Of(new Dictionary<int, double>(), [0, 1]);
        Assert.Null(none.Mean);
        Assert.Equal([0, 1], none.MissingSeeds);
        Assert.Throws<ArgumentException>(() => SeedSummary.Of(new Dictionary<int, double> { [0] = double.NaN }, [0]));
    }
}
