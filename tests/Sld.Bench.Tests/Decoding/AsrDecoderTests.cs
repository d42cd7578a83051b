// Decoding: the key/value cache gives the same logits as a full forward (left padding, learned and rotary
// positions), cached greedy equals greedy by recomputation, greedy equals beam search of size 1, results do not
// depend on the batch size, beam search beats greedy where greedy's first choice is a trap, and each hypothesis
// reports why it ended.
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Decoding;

public class AsrDecoderTests
{
    private static readonly AsrVocabulary Vocab = new(["a", "b", "c", " "], speechTokensPerCodebook: 6);

    /// <summary>An untrained model with large weights, so its next-token choices are decisive, not near-ties.</summary>
    private static AsrModel PeakyModel(PositionEncoding positions, ulong seed = 3)
    {
        torch.manual_seed(unchecked((long)(seed)));
        var model = new AsrModel(new AsrModelConfig(Layers: 2, Width: 32, Heads: 4, BlockSize: 96, Dropout: 0, Positions: positions), Vocab);
        foreach (var p in model.parameters().Where(p => p.dim() >= 2)) torch.nn.init.normal_(p, 0, 0.3);
        model.eval();
        return model;
    }

    private static readonly AsrUtterance[] Utterances =
    [
        new("u0", new SpeechTokens([1, 4, 4, 2, 0, 5, 3]), ""),
        new("u1", new SpeechTokens([2, 2]), ""),
        new("u2", new SpeechTokens([5, 0, 1, 3, 3]), ""),
        new("u3", new SpeechTokens([4]), ""),
    ];

    private static double MaxAbsDiff(Tensor a, Tensor b)
    {
        using var scope = torch.NewDisposeScope();
        return (a - b).abs().max().ToDouble();
    }

    [Theory]
    [InlineData(PositionEncoding.Learned)]
    [InlineData(PositionEncoding.Rotary)]
    public void CachedStepsMatchAFullForwardOfTheSameSequence(PositionEncoding positions)
    {
        using var model = PeakyModel(positions);
        var texts = new[] { "abc", "c a", "bb " };
        var prompts = Utterances.Take(3).ToList();
        using var full = AsrBatch.Collate(prompts.Select((u, i) => u with { Text = texts[i] }).ToList(), Vocab, torch.CPU);
        using var scope = torch.NewDisposeScope();
        var expected = model.forward(full).Logits; // (3, T, V), right-padded
        using var session = new AsrDecodingSession(model, prompts.Select(u => u.Speech).ToList());
        var logits = session.Start();
        for (var j = 0; j <= 3; j++)
        {
            for (var b = 0; b < 3; b++)
            {
                var position = prompts[b].Speech.Frames + j; // <speech_end> then the j-th text unit
                Assert.InRange(MaxAbsDiff(logits[b], expected[b, position]), 0, 1e-5);
                Assert.Equal(prompts[b].Speech.Frames + 1 + j, session.NextPositions[b]);
            }
            if (j < 3) logits = session.Step(texts.Select(t => (long)Vocab.EncodeText(t)[j]).ToArray());
        }
    }

    /// <summary>Greedy decoding of one utterance by re-running the full sequence for every token (no cache).</summary>
    private static int[] RecomputedGreedy(AsrModel model, AsrUtterance u, int maxNew)
    {
        var tokens = new List<int>();
        while (tokens.Count < maxNew)
        {
            using var batch = AsrBatch.Collate([u with { Text = Vocab.DecodeText(tokens) }], Vocab, torch.CPU);
            using var scope = torch.NewDisposeScope();
            var logits = model.forward(batch).Logits[0, u.Speech.Frames + tokens.Count];
            var allowed = Enumerable.Range(0, Vocab.Size).Where(id => Vocab.IsText(id) || id == AsrVocabulary.TextEnd).ToArray();
            var values = logits.ToArray<float>();
            var next = allowed.MaxBy(id => values[id]);
            if (next == AsrVocabulary.TextEnd) break;
            tokens.Add(next);
        }
        return [.. tokens];
    }

    [Theory]
    [InlineData(PositionEncoding.Learned)]
    [InlineData(PositionEncoding.Rotary)]
    public void CachedBatchedGreedyEqualsGreedyByRecomputation(PositionEncoding positions)
    {
        using var model = PeakyModel(positions);
        var options = DecodeOptions.Greedy(maxTokensPerFrame: 1, maxTokensOffset: 6);
        var hyps = AsrDecoder.Decode(model, Utterances, options with { BatchSize = 3 });
        var lengths = hyps.Select(h => h.Tokens.Length).ToArray();
        Assert.True(lengths.Distinct().Count() > 1, "the rows should end at different lengths");
        for (var i = 0; i < Utterances.Length; i++)
        {
            var expected = RecomputedGreedy(model, Utterances[i], options.MaxNewTokens(Utterances[i].Speech.Frames));
            Assert.Equal(expected, hyps[i].Tokens);
            Assert.Equal(Vocab.DecodeText(expected), hyps[i].Text);
            Assert.Equal(Utterances[i].Id, hyps[i].Id);
        }
    }

    [Fact]
    public void GreedyEqualsBeamSearchOfSizeOneAndBatchingChangesNothing()
    {
        using var model = PeakyModel(PositionEncoding.Learned, seed: 8);
        var greedy = AsrDecoder.Decode(model, Utterances, DecodeOptions.Greedy(0.5, 4) with { BatchSize = 4 });
        var beam1 = AsrDecoder.Decode(model, Utterances, DecodeOptions.Beam(1, lengthPenalty: 1.0, 0.5, 4) with { BatchSize = 4 });
        var greedyOneByOne = AsrDecoder.Decode(model, Utterances, DecodeOptions.Greedy(0.5, 4) with { BatchSize = 1 });
        for (var i = 0; i < Utterances.Length; i++)
        {
            Assert.Equal(greedy[i].Tokens, beam1[i].Tokens);
            Assert.Equal(greedy[i].End, beam1[i].End);
            Assert.Equal(greedy[i].Score, beam1[i].Score, 4);
            Assert.Equal(greedy[i].Tokens, greedyOneByOne[i].Tokens);
            Assert.True(greedy[i].Score < 0);
        }
        var beam3 = AsrDecoder.Decode(model, Utterances, DecodeOptions.Beam(3, 0.0, 0.5, 4) with { BatchSize = 4 });
        var beam3OneByOne = AsrDecoder.Decode(model, Utterances, DecodeOptions.Beam(3, 0.0, 0.5, 4) with { BatchSize = 1 });
        Assert.Equal(beam3.Select(h => h.Text), beam3OneByOne.Select(h => h.Text));
        Assert.Equal(beam3.Select(h => Math.Round(h.Score, 4)), beam3OneByOne.Select(h => Math.Round(h.Score, 4)));
    }

    [Fact]
    public void SoftAssignmentAtInferenceDecodesLikeHardTokensWhenItIsOneHot()
    {
        using var model = PeakyModel(PositionEncoding.Learned, seed: 6);
        var soft = Utterances.Select(u =>
        {
            var ids = ((SpeechTokens)u.Speech).Ids[0];
            var p = new float[ids.Length * 6];
            for (var t = 0; t < ids.Length; t++) p[t * 6 + ids[t]] = 1;
            return u with { Speech = new SoftSpeechTokens(p, ids.Length, 6) };
        }).ToList();
        var hard = AsrDecoder.Decode(model, Utterances, DecodeOptions.Greedy(1, 4));
        var fromSoft = AsrDecoder.Decode(model, soft, DecodeOptions.Greedy(1, 4));
        Assert.Equal(hard.Select(h => h.Text), fromSoft.Select(h => h.Text));
        Assert.Contains(hard, h => h.Tokens.Length > 0);
    }

    [Fact]
    public void BeamSearchFindsTheBetterSequenceWhereGreedyTakesTheTrap()
    {
        // p(a) = .5 > p(b) = .4 first, but after "a" nothing ends well while after "b" <text_end> has .9.
        var lm = new TableLm(blockSize: 64);
        var prompt = new[] { new AsrUtterance("x", new SpeechTokens([0, 0, 0]), "") };
        var greedy = AsrDecoder.Decode(lm, prompt, DecodeOptions.Greedy(0, 5))[0];
        var beam = AsrDecoder.Decode(lm, prompt, DecodeOptions.Beam(2, lengthPenalty: 0, 0, 5))[0];
        Assert.Equal("aaaaa", greedy.Text);
        Assert.Equal(EndReason.MaxNewTokens, greedy.End);
        Assert.True(greedy.Truncated);
        Assert.Equal(5 * Math.Log(0.5), greedy.Score, 5);
        Assert.Equal("b", beam.Text);
        Assert.Equal(EndReason.TextEnd, beam.End);
        Assert.Equal(Math.Log(0.4) + Math.Log(0.9), beam.Score, 5);
        Assert.True(beam.Score > greedy.Score);
        Assert.Equal("aaaaa", AsrDecoder.Decode(lm, prompt, DecodeOptions.Beam(1, 0, 0, 5))[0].Text);
    }

    [Fact]
    public void HypothesesSayWhetherTheyHitTheLengthLimitOrTheBlockSize()
    {
        var prompt = new[] { new AsrUtterance("x", new SpeechTokens([0, 0, 0]), "") }; // 4 prompt positions
        var byLength = AsrDecoder.Decode(new TableLm(blockSize: 64), prompt, DecodeOptions.Greedy(1.0, 2))[0];
        Assert.Equal((EndReason.MaxNewTokens, 5, 5), (byLength.End, byLength.Tokens.Length, byLength.MaxNewTokens)); // 1 * 3 frames + 2
        var byBlock = AsrDecoder.Decode(new TableLm(blockSize: 6), prompt, DecodeOptions.Greedy(1.0, 2))[0];
        Assert.Equal((EndReason.BlockSize, 3), (byBlock.End, byBlock.Tokens.Length)); // positions 4 and 5 fed, the 3rd token has no room
        var beamByBlock = AsrDecoder.Decode(new TableLm(blockSize: 6), prompt, DecodeOptions.Beam(1, 0, 1.0, 2))[0];
        Assert.Equal((EndReason.BlockSize, 3), (beamByBlock.End, beamByBlock.Tokens.Length));
    }

    /// <summary>A scripted language model over text units a, b: the next-token distribution depends on the first token.</summary>
    private sealed class TableLm(int blockSize) : IIncrementalModel
    {
        private static readonly AsrVocabulary Ab = new(["a", "b"], 1);

        public AsrVocabulary Vocabulary => Ab;
        public int BlockSize => blockSize;
        public IDecodingSession Open(IReadOnlyList<SpeechInput> prompts) => new Session(prompts);

        private sealed class Session(IReadOnlyList<SpeechInput> prompts) : IDecodingSession
        {
            private List<int>[] _history = prompts.Select(_ => new List<int>()).ToArray();
            private long[] _next = prompts.Select(p => (long)p.Frames + 1).ToArray();

            public int Rows => _history.Length;
            public IReadOnlyList<long> NextPositions => _next;

            private Tensor Logits()
            {
                var data = new float[Rows * Ab.Size];
                Array.Fill(data, -30f);
                for (var r = 0; r < Rows; r++)
                {
                    var (a, b, end) = _history[r].Count == 0 ? (0.5, 0.4, 0.1) : _history[r][0] == 4 ? (0.5, 0.1, 0.4) : (0.05, 0.05, 0.9);
                    data[r * Ab.Size + 4] = (float)Math.Log(a);
                    data[r * Ab.Size + 5] = (float)Math.Log(b);
                    data[r * Ab.Size + AsrVocabulary.TextEnd] = (float)Math.Log(end);
                }
                return torch.tensor(data, Rows, Ab.Size);
            }

            public Tensor Start() => Logits();

            public Tensor Step(long[] tokens)
            {
                for (var r = 0; r < Rows; r++)
                {
                    _history[r].Add((int)tokens[r]);
                    _next[r]++;
                }
                return Logits();
            }

            public void Reorder(long[] rows)
            {
                _history = rows.Select(r => new List<int>(_history[r])).ToArray();
                _next = rows.Select(r => _next[r]).ToArray();
            }

            public void Dispose()
            {
            }
        }
    }
}
