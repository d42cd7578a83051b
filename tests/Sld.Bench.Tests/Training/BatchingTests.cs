// Batching and randomness: the seeded random source's sequence is pinned, token-bucketed batches cover every
// utterance once per epoch within the token budget, are reproducible from (seed, epoch), and input masking
// replaces a fraction of input ids while the targets stay intact.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Tests.Training;

public class BatchingTests
{
    [Fact]
    public void DeterministicRandomIsSplitMix64()
    {
        var r = new DeterministicRandom(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, r.NextUInt64()); // the published first output of SplitMix64 from seed 0
        Assert.Equal(0x6E789E6AA1B965F4UL, r.NextUInt64());
        Assert.Equal(DeterministicRandom.Derive(9, 1, 2), DeterministicRandom.Derive(9, 1, 2));
        Assert.NotEqual(DeterministicRandom.Derive(9, 1, 2), DeterministicRandom.Derive(9, 2, 1));
        var d = new DeterministicRandom(4);
        var draws = Enumerable.Range(0, 10_000).Select(_ => d.NextDouble()).ToArray();
        Assert.InRange(draws.Average(), 0.48, 0.52);
        Assert.InRange(draws.Min(), 0, 0.01);
    }

    [Fact]
    public void BucketsCoverEveryUtteranceOnceWithinTheTokenBudget()
    {
        var lengths = Enumerable.Range(0, 200).Select(i => 10 + i * 37 % 90).ToList();
        var sampler = new TokenBucketSampler(lengths, maxTokens: 600, seed: 3, shuffle: true, maxBatchSize: 16);
        var e0 = sampler.Epoch(0);
        Assert.Equal(Enumerable.Range(0, 200), e0.SelectMany(b => b).Order());
        foreach (var batch in e0)
        {
            Assert.InRange(batch.Length, 1, 16);
            Assert.True(batch.Length * batch.Max(i => lengths[i]) <= 600 || batch.Length == 1);
            Assert.True(batch.Max(i => lengths[i]) - batch.Min(i => lengths[i]) < 45, "a bucket should hold similar lengths");
        }
        Assert.Equal(e0, sampler.Epoch(0));
        Assert.Equal(e0, new TokenBucketSampler(lengths, 600, 3, true, 16).Epoch(0));
        Assert.NotEqual(e0, sampler.Epoch(1));
        Assert.NotEqual(e0, new TokenBucketSampler(lengths, 600, 4, true, 16).Epoch(0));
        var fixedOrder = new TokenBucketSampler(lengths, 600, 3, shuffle: false);
        Assert.Equal(fixedOrder.Epoch(0), fixedOrder.Epoch(5));
        Assert.Single(new TokenBucketSampler([700, 5], 600, 1).Epoch(0), b => b.SequenceEqual([0])); // too long: alone
    }

    [Fact]
    public void InputMaskingReplacesAboutTheFractionOfInputIdsButNoTarget()
    {
        var vocab = new AsrVocabulary(["a", "b"], 50);
        var ids = Enumerable.Range(0, 4000).Select(i => i % 50).ToArray();
        var u = new AsrUtterance("u", new SpeechTokens(ids), "abba");
        using var plain = AsrBatch.Collate([u], vocab, torch.CPU);
        using var masked = AsrBatch.Collate([u], vocab, torch.CPU, new InputMasking(0.3), new DeterministicRandom(1));
        var before = plain.SpeechIds!.ToArray<long>();
        var after = masked.SpeechIds!.ToArray<long>();
        var changed = before.Zip(after).Count(p => p.First != p.Second);
        Assert.InRange(changed / 4000.0, 0.26, 0.31); // 0.3 minus draws that picked the same token (1/50)
        Assert.All(after, id => Assert.True(vocab.IsSpeech((int)id)));
        Assert.Equal(plain.SpeechTargets![0], masked.SpeechTargets![0]);
        Assert.Equal(plain.TextInputs.ToArray<long>(), masked.TextInputs.ToArray<long>()); // speech scope leaves text alone

        using var authors = AsrBatch.Collate([u], vocab, torch.CPU, InputMasking.AuthorsCode, new DeterministicRandom(1));
        var text = authors.TextInputs.ToArray<long>();
        Assert.Contains(AsrVocabulary.Pad, authors.SpeechIds!.ToArray<long>());
        Assert.Equal([AsrVocabulary.SpeechEnd, 4, 5, 5, 4, AsrVocabulary.TextEnd], authors.TextTargets[0]);
        Assert.Equal(7, text.Length);
    }
}
