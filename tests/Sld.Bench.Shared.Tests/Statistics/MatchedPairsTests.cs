// MAPSSWE against sctk's sc_stats on the same two systems (segments, totals, mean, std dev, Z and the
// decision), on the fixture and on randomized systems, plus hand-worked segmentations.
using System.Globalization;
using System.Text.RegularExpressions;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Shared.Statistics;
using Sld.Bench.Shared.Tests.Scoring;
using Sld.Bench.Testing;

namespace Sld.Bench.Shared.Tests.Statistics;

public sealed partial class MatchedPairsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mapsswe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FixtureAgreesWithScStats()
    {
        foreach (var f in new[] { "ref.trn", "hyp.trn", "hyp-b.trn" }) File.Copy(RepoPaths.Fixture($"scoring/{f}"), Path.Combine(_dir, f));
        var result = AssertAgreesWithScStats();
        Assert.Equal(27, result.Sentences);
        Assert.True(result.Segments >= 20, $"the fixture should produce many segments, got {result.Segments}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomizedSystemsAgreeWithScStats(int seed)
    {
        var rng = new Random(seed);
        var (refs, hypA) = ScliteParityTests.RandomPairs(rng, 200);
        File.WriteAllText(Path.Combine(_dir, "ref.trn"), refs);
        File.WriteAllText(Path.Combine(_dir, "hyp.trn"), hypA);
        File.WriteAllText(Path.Combine(_dir, "hyp-b.trn"), ScliteParityTests.RandomHypotheses(refs, rng));
        var result = AssertAgreesWithScStats();
        Assert.Equal(200, result.Sentences);
    }

    [Fact]
    public void SegmentsAreBoundedByTwoWordsBothSystemsGotRight()
    {
        // REF a b c d e f g: A misses c and f, B only f. Segments: [a b c d e] for c (A 1, B 0 errors), and
        // [d e f g] for f (1 and 1), which is a segment with no difference.
        var r = MatchedPairsTest.Run([("CCSCCSC", "CCCCCSC")]);
        Assert.Equal(2, r.Segments);
        Assert.Equal(5 + 4, r.ReferenceWords);
        Assert.Equal((2, 1), (r.ErrorsA, r.ErrorsB));
        Assert.Equal(0.5, r.MeanDifference);
        Assert.Equal(Math.Sqrt(0.5), r.StdDevDifference, 15);
        Assert.Equal(0.5 / (Math.Sqrt(0.5) / Math.Sqrt(2)), r.Z, 15);
        Assert.Equal(Distributions.TwoSidedNormalP(1.0), r.PValue, 15);
    }

    [Fact]
    public void EqualDifferencesHaveNoSpreadAndZeroZAsInScStats()
    {
        // A makes one more error than B in each of three segments: sc_stats reports Z = 0.
        var r = MatchedPairsTest.Run([("SCCC", "CCCC"), ("CCSC", "CCCC"), ("DCC", "CCC")]);
        Assert.Equal(3, r.Segments);
        Assert.Equal(1.0, r.MeanDifference);
        Assert.Equal(0.0, r.Z);
        Assert.Equal(1.0, r.PValue);
        Assert.False(r.SignificantAt(0.05));
    }

    [Fact]
    public void DifferentReferencesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => MatchedPairsTest.Run([("CCC", "CC")]));
        Assert.Contains("different numbers of reference words", e.Message);
    }

    private MatchedPairsResult AssertAgreesWithScStats()
    {
        var sgml = ExternalTool.RunSctkIn(_dir, null, "sclite", "-r", "ref.trn", "trn", "-h", "hyp.trn", "trn", "-h", "hyp-b.trn", "trn",
            "-i", "rm", "-s", "-e", "utf-8", "-o", "sgml", "stdout", "-f", "0");
        ExternalTool.RunSctkIn(_dir, sgml, "sc_stats", "-p", "-t", "mapsswe", "-v", "-n", "out", "-O", _dir, "-f", "0");
        var report = File.ReadAllText(Path.Combine(_dir, "out.stats.mapsswe"));

        var a = ScliteParityTests.ScoreFiles(Path.Combine(_dir, "ref.trn"), Path.Combine(_dir, "hyp.trn"));
        var b = ScliteParityTests.ScoreFiles(Path.Combine(_dir, "ref.trn"), Path.Combine(_dir, "hyp-b.trn"));
        var pairs = SystemComparison.Pair(a, b);
        var ours = MatchedPairsTest.Run(pairs.Select(p => (p.Baseline.WordOps, p.System.WordOps)));

        var m = ResultsLine().Match(report);
        Assert.True(m.Success, report);
        var inv = CultureInfo.InvariantCulture;
        Assert.Equal(m.Groups["segs"].Value, ours.Segments.ToString(inv));
        Assert.Equal(m.Groups["sps"].Value, ours.SegmentsPerSentence.ToString("F3", inv));
        Assert.Equal(m.Groups["pa"].Value, ours.PercentErrorA.ToString("F2", inv));
        Assert.Equal(m.Groups["pb"].Value, ours.PercentErrorB.ToString("F2", inv));
        Assert.Equal(m.Groups["mean"].Value, ours.MeanDifference.ToString("F3", inv));
        Assert.Equal(m.Groups["std"].Value, ours.StdDevDifference.ToString("F3", inv));
        Assert.Equal(m.Groups["z"].Value, ours.Z.ToString("F3", inv));
        Assert.Equal(m.Groups["diff"].Value == "Yes", Math.Abs(ours.Z) > 1.960);
        var totals = TotalsLine().Match(report);
        Assert.Equal($"{ours.ReferenceWords} {ours.ErrorsA} {ours.ErrorsB}",
            $"{totals.Groups[1].Value} {totals.Groups[2].Value} {totals.Groups[3].Value}");
        Assert.Equal(ours.Sentences.ToString(inv), SentencesLine().Match(report).Groups[1].Value);
        return ours;
    }

    [GeneratedRegex(@"MTCH_PR_RESULTS \(systems: \S+ \S+\) \(# segs: (?<segs>\d+)\) \(Seg per Sent: +(?<sps>[\d.]+)\) \(% Error: +(?<pa>[\d.]+) +(?<pb>[\d.]+)\) \(mean: +(?<mean>-?[\d.]+)\) \(std dev: +(?<std>[\d.]+)\) \(Z Stat: +(?<z>-?[\d.]+)\) \(Stat Diff: (?<diff>Yes|No)\)")]
    private static partial Regex ResultsLine();

    [GeneratedRegex(@"Totals +(\d+) +(\d+) +(\d+)")]
    private static partial Regex TotalsLine();

    [GeneratedRegex(@"Number of Sentences +(\d+)")]
    private static partial Regex SentencesLine();
}
