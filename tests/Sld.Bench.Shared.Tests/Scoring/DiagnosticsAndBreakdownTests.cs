// Decoder failure diagnostics (empty, insertion runs, loops, truncation) on cases at and around each
// threshold, the per-speaker / per-subset / per-length breakdowns with their spread, the per-word statistics
// and the per-utterance ranking.
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Tests.Scoring;

public class DiagnosticsAndBreakdownTests
{
    private static UtteranceDiagnostics Diagnose(string r, string h, DiagnosticThresholds? t = null)
    {
        var (rw, hw) = (TextUnits.Words(r), TextUnits.Words(h));
        return DecoderDiagnostics.Analyze(rw, hw, new SequenceAligner().AlignOps<string>(rw, hw), t ?? new DiagnosticThresholds());
    }

    [Fact]
    public void EmptyHypothesisAndLengthRatio()
    {
        var d = Diagnose("a b c d", "");
        Assert.True(d.EmptyHypothesis);
        Assert.Equal(0.0, d.LengthRatio);
        Assert.False(d.Truncated);                      // an empty output is reported as empty, not truncated
        Assert.False(Diagnose("", "").EmptyHypothesis);
        Assert.Null(Diagnose("", "x").LengthRatio);
        Assert.Equal(1.5, Diagnose("a b", "a b c").LengthRatio);
    }

    [Fact]
    public void InsertionRunsCountConsecutiveInsertions()
    {
        var d = Diagnose("a b", "a x y z b w");
        Assert.Equal(3, d.LongestInsertionRun);
        Assert.True(d.InsertionRun);
        Assert.False(Diagnose("a b", "a x y b").InsertionRun);
        Assert.True(Diagnose("a b", "a x y b", new DiagnosticThresholds { InsertionRun = 2 }).InsertionRun);
    }

    [Fact]
    public void LoopsAreRepeatsBeyondTheReference()
    {
        var d = Diagnose("i think that is right", "i think that that that that that that is right");
        Assert.Equal(("that", 6, true), (d.LoopNgram, d.LoopCount, d.Looping));

        var bigram = Diagnose("thank you", "thank you thank you thank you thank you");
        Assert.Equal(("thank you", 4, true), (bigram.LoopNgram, bigram.LoopCount, bigram.Looping));

        // Repeats the reference has too are speech, not a loop; one more than the reference is.
        Assert.False(Diagnose("very very very good", "very very very good").Looping);
        Assert.True(Diagnose("very very very good", "very very very very good").Looping);
        // A rotation of a repeat the reference has is not a loop either.
        Assert.False(Diagnose("a b a b a b", "b a b a b a").Looping);
        Assert.True(Diagnose("a b a b a b", "b a b a b a b a").Looping);
        // Two repeats are below the default threshold of three.
        Assert.False(Diagnose("a b", "a a b b").Looping);
        // The longest cover wins: "a a a a a a" is six unigrams, not three bigrams.
        Assert.Equal(("a", 6), (Diagnose("", "a a a a a a").LoopNgram, Diagnose("", "a a a a a a").LoopCount));
    }

    [Fact]
    public void TruncationNeedsEnoughTrailingDeletions()
    {
        var d = Diagnose("the quick brown fox jumps over the lazy dog and runs away", "the quick brown fox jumps");
        Assert.Equal((7, true), (d.TrailingDeletions, d.Truncated));
        Assert.False(Diagnose("a b c", "a").Truncated);                                    // 2 < 3 words
        Assert.False(Diagnose(string.Join(' ', Enumerable.Range(0, 40)), string.Join(' ', Enumerable.Range(0, 36))).Truncated); // 4 < 20% of 40
        Assert.True(Diagnose(string.Join(' ', Enumerable.Range(0, 40)), string.Join(' ', Enumerable.Range(0, 32))).Truncated);  // 8 = 20%
    }

    [Fact]
    public void FixtureDiagnosticsSummary()
    {
        var score = ScliteParityTests.ScoreFiles(Testing.RepoPaths.Fixture("scoring/ref.trn"), Testing.RepoPaths.Fixture("scoring/hyp.trn"));
        var s = score.Diagnostics();
        Assert.Equal(27, s.Utterances);
        Assert.Equal(1, s.EmptyHypotheses);          // bob-009
        Assert.Equal(4, s.InsertionRuns);            // alice-001, bob-013, carol-019 (state-of-the-art split), erin-025
        Assert.Equal(1, s.Truncations);              // dave-021
        Assert.Equal(6, s.AnyFailure);               // bob-013 both inserts a run and loops
        Assert.Equal(score.Words.HypothesisLength / (double)score.Words.ReferenceLength, s.CorpusLengthRatio);
        Assert.Equal(["bob-009"], score.Utterances.Where(u => u.Diagnostics.EmptyHypothesis).Select(u => u.Id));
        Assert.Equal(["alice-001", "bob-013", "carol-019", "erin-025"], score.Utterances.Where(u => u.Diagnostics.InsertionRun).Select(u => u.Id));
        Assert.Equal(["dave-021"], score.Utterances.Where(u => u.Diagnostics.Truncated).Select(u => u.Id));
        Assert.Equal(["bob-013 that 6"], score.Utterances.Where(u => u.Diagnostics.Looping).Select(u => $"{u.Id} {u.Diagnostics.LoopNgram} {u.Diagnostics.LoopCount}"));
    }

    private static CorpusScore Sample() => new CorpusScorer(new ScoringOptions { Normalization = "none" }).Score(
    [
        new UtteranceText("a-1", "a", "one two three", "one two three") { Subset = "clean", DurationSeconds = 1.5 },
        new UtteranceText("a-2", "a", "one two three four five six", "one too three four") { Subset = "clean", DurationSeconds = 4.0 },
        new UtteranceText("b-1", "b", "x y z w", "x y") { Subset = "other", DurationSeconds = 12.0 },
        new UtteranceText("c-1", "c", "", "uh") { Subset = "other" },
        new UtteranceText("d-1", "d", "p q r s t u v w x y z", "p q r s t u v w x y z") { Subset = "clean", DurationSeconds = 25.0 },
    ]);

    [Fact]
    public void SpeakerBreakdownAndSpreadOverSpeakersWithWords()
    {
        var b = Breakdowns.BySpeaker(Sample().Utterances);
        Assert.Equal(["a", "b", "c", "d"], b.Groups.Select(g => g.Group));
        Assert.Equal(new ErrorCounts(6, 1, 2, 0), b.Groups[0].Words);
        Assert.Equal(100.0 * 3 / 9, b.Groups[0].Wer);
        Assert.Equal(50.0, b.Groups[1].Wer);
        Assert.Null(b.Groups[2].Wer);                                    // only an insertion, no reference word
        Assert.Equal(0.0, b.Groups[3].Wer);
        Assert.Equal(1, b.GroupsWithoutReference);
        var s = b.WerSpread!;
        Assert.Equal(3, s.N);
        Assert.Equal((100.0 / 3 + 50 + 0) / 3, s.Mean, 12);
        Assert.Equal(100.0 / 3, s.Median, 12);
        Assert.Equal((0.0, 50.0), (s.Min, s.Max));
        var m = s.Mean;
        Assert.Equal(Math.Sqrt((Math.Pow(100.0 / 3 - m, 2) + Math.Pow(50 - m, 2) + Math.Pow(0 - m, 2)) / 2), s.StdDev!.Value, 12);
    }

    [Fact]
    public void SubsetAndLengthBuckets()
    {
        var u = Sample().Utterances;
        var subsets = Breakdowns.BySubset(u);
        Assert.Equal([("clean", 3, 20), ("other", 2, 4)], subsets.Groups.Select(g => (g.Group, g.Sentences, g.Words.ReferenceLength)));

        var words = Breakdowns.ByLength(u, LengthMeasure.ReferenceWords, [3, 6]);
        Assert.Equal(["0-3", "4-6", ">6"], words.Groups.Select(g => g.Group));
        Assert.Equal([2, 2, 1], words.Groups.Select(g => g.Sentences));         // {a-1, c-1}, {a-2, b-1}, {d-1}

        var seconds = Breakdowns.ByLength(u, LengthMeasure.DurationSeconds);
        Assert.Equal(["0-2s", "2-5s", "5-10s", "10-20s", ">20s", "unknown"], seconds.Groups.Select(g => g.Group));
        Assert.Equal([1, 1, 0, 1, 1, 1], seconds.Groups.Select(g => g.Sentences));
        Assert.Null(seconds.Groups[2].Wer);                                      // empty bucket kept
        Assert.Throws<ArgumentException>(() => Breakdowns.ByLength(u, LengthMeasure.ReferenceWords, [5, 5]));
    }

    [Fact]
    public void UtterancesSortedByErrorsAndFilteredToErrors()
    {
        var sorted = Breakdowns.SortedByErrors(Sample().Utterances);
        Assert.Equal(["a-2", "b-1", "c-1", "a-1", "d-1"], sorted.Select(x => x.Id));     // 3, 2, 1 (rate inf), 0, 0
        Assert.Equal(["a-2", "b-1", "c-1"], Breakdowns.SortedByErrors(Sample().Utterances, errorsOnly: true).Select(x => x.Id));
    }

    [Fact]
    public void PerWordStatisticsBalanceBothSides()
    {
        var u = new CorpusScorer(new ScoringOptions { Normalization = "none" }).Score(
            [new UtteranceText("s-1", "s", "a b c a", "a x c b b"), new UtteranceText("s-2", "s", "b", "")]).Utterances;
        var stats = ErrorAnalysis.PerWord(u).ToDictionary(w => w.Word);
        // s-1 aligns a=a, b->x, c=c, a->b, +b; s-2 deletes b.
        Assert.Equal(new WordStatistics("a", 2, 1, 1, 1, 0, 0, 0), stats["a"]);
        Assert.Equal(new WordStatistics("b", 2, 2, 0, 1, 1, 1, 1), stats["b"]);
        Assert.Equal(new WordStatistics("x", 0, 1, 0, 0, 0, 0, 1), stats["x"]);
        Assert.Equal(4, stats["b"].Errors);
        Assert.Equal("b", ErrorAnalysis.PerWord(u)[0].Word);
        Assert.Equal([new ConfusionPair("a", "b", 1), new ConfusionPair("b", "x", 1)], ErrorAnalysis.ConfusionPairs(u));
        Assert.Equal("a ==> b", ErrorAnalysis.ConfusionPairs(u, top: 1)[0].ToString());
    }
}
