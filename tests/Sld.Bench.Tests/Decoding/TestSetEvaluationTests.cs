// A test set from hypotheses to scoring files: exact word counts, the failure diagnostics of decoder-only
// output (empty, looping, truncated, cut off at the length limit), every file of reports.md plus decoding.jsonl,
// and the same numbers from a real model's decoding.
using System.Text.Json;
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Decoding;

public sealed class TestSetEvaluationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"asr-testset-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static readonly AsrVocabulary Vocab = new(["a", "b", "c", " "], speechTokensPerCodebook: 6);

    private static AsrUtterance Utt(string id, string text) => new(id, new SpeechTokens([1, 2, 3]), text);

    private static Hypothesis Hyp(string id, string text, EndReason end = EndReason.TextEnd) =>
        new(id, text, Vocab.EncodeText(text), -1.5, end, 20);

    [Fact]
    public void ScoresWritesEveryFileAndFlagsDecoderFailures()
    {
        AsrUtterance[] set = [Utt("s1-u1", "a b c"), Utt("s1-u2", "a b"), Utt("s2-u3", "c a b a c"), Utt("s2-u4", "ab ba cc aa bb ca ac")];
        Hypothesis[] hyps =
        [
            Hyp("s1-u1", "a b c"), // correct
            Hyp("s1-u2", ""), // empty: 2 deletions
            Hyp("s2-u3", "c a b ab ab ab ab", EndReason.MaxNewTokens), // looping, cut off: 2 sub + 2 ins
            Hyp("s2-u4", "ab ba cc aa"), // truncated: 3 trailing deletions
        ];
        var dir = Path.Combine(_root, "test-clean");
        var r = TestSetEvaluation.Score(set, hyps, dir);

        Assert.Equal(new ErrorCounts(Correct: 10, Substitutions: 2, Deletions: 5, Insertions: 2), r.Score.Words);
        Assert.Equal(100.0 * 9 / 17, r.Wer, 12);
        Assert.Equal(1, r.CutOff);
        var d = r.Score.Diagnostics();
        Assert.Equal((1, 1, 1), (d.EmptyHypotheses, d.Loops, d.Truncations));

        foreach (var name in ScoringFiles.FileNames.Append(TestSetEvaluation.DecodingFile))
            Assert.True(File.Exists(Path.Combine(dir, name)), name);
        Assert.Equal(ScoringFiles.FileNames.Count + 1, r.Files.Count);
        Assert.Contains("a b c (s1-u1)", File.ReadAllLines(Path.Combine(dir, "ref.trn"))[0]);
        Assert.Contains("%WER 52.94 [ 9 / 17, 2 ins, 5 del, 2 sub ]", File.ReadAllText(Path.Combine(dir, "wer-summary")));
        Assert.Equal(4, File.ReadAllLines(Path.Combine(dir, "utterances.jsonl")).Length);
        var ends = File.ReadAllLines(Path.Combine(dir, TestSetEvaluation.DecodingFile))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("end").GetString()!).ToArray();
        Assert.Equal(["text_end", "text_end", "max_new_tokens", "text_end"], ends);

        Assert.Throws<ArgumentException>(() => TestSetEvaluation.Score(set, hyps.Reverse().ToArray()));
    }

    [Fact]
    public void DecodingAModelGivesTheScoreOfItsHypotheses()
    {
        torch.manual_seed(unchecked((long)(3)));
        using var model = new AsrModel(new AsrModelConfig(Layers: 1, Width: 16, Heads: 2, BlockSize: 64, Dropout: 0), Vocab);
        AsrUtterance[] set = [Utt("u1", "a b"), new("u2", new SpeechTokens([5, 4]), "c"), Utt("u3", "b c a")];
        var options = DecodeOptions.Greedy(1.0, 3);
        var r = TestSetEvaluation.Run(model, set, options);
        var again = AsrDecoder.Decode(model, set, options);
        Assert.Equal(again.Select(h => h.Text), r.Hypotheses.Select(h => h.Text));
        Assert.Empty(r.Files);
        Assert.Equal(r.Wer, TestSetEvaluation.CorpusWer(set.Select((u, i) => (u.Id, u.Text, again[i].Text)).ToList()), 12);
        Assert.Equal(r.Hypotheses.Count(h => h.Truncated), r.CutOff);
    }
}
