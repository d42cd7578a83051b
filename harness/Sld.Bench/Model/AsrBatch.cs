// Utterances collated into padded tensors for the model: the speech part (token ids, soft distributions or
// features) and the text part `<speech_end> t_1..t_M <text_end>`, with the unmasked targets kept on the host.
// Optional input masking (the SLD code's "time masking") replaces a fraction of input ids, never targets.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Model;

/// <summary>One utterance: its id, its speech, and its reference transcript (empty when decoding unlabelled audio).</summary>
public sealed record AsrUtterance(string Id, SpeechInput Speech, string Text);

public enum MaskScope
{
    /// <summary>Only speech token inputs (hard ids).</summary>
    Speech,

    /// <summary>Every input id, text included (the SLD authors' code).</summary>
    All,
}

public enum MaskReplacement
{
    /// <summary>A uniformly drawn speech token of the same codebook.</summary>
    RandomSpeechToken,

    /// <summary>The padding id (the SLD authors' code writes GPT-2's eos, which is also its pad).</summary>
    Pad,
}

/// <summary>Replace each input id with probability <paramref name="Fraction"/>; targets stay unmasked.</summary>
public sealed record InputMasking(double Fraction = 0.3, MaskScope Scope = MaskScope.Speech, MaskReplacement Replacement = MaskReplacement.RandomSpeechToken)
{
    /// <summary>What run_clm.py of the SLD code does: 30% of all input ids become the pad/eos id.</summary>
    public static readonly InputMasking AuthorsCode = new(0.3, MaskScope.All, MaskReplacement.Pad);

    public void Validate()
    {
        if (Fraction is < 0 or > 1 || double.IsNaN(Fraction)) throw new ArgumentException($"masking fraction {Fraction} must be in [0, 1]");
    }
}

public sealed class AsrBatch : IDisposable
{
    private AsrBatch(string[] ids, long[] frames, int[][] textTargets, int[][] textUnits, Tensor textInputs)
    {
        Ids = ids;
        SpeechFrames = frames;
        TextTargets = textTargets;
        TextUnits = textUnits;
        TextInputs = textInputs;
    }

    public IReadOnlyList<string> Ids { get; }
    public int Count => Ids.Count;

    /// <summary>Speech frames per row before the front end.</summary>
    public long[] SpeechFrames { get; }

    /// <summary>(B, S, codebooks) vocabulary ids of the speech inputs (masked if masking applied), padded with Pad.</summary>
    public Tensor? SpeechIds { get; private set; }

    /// <summary>(B, S, K) soft token distributions, zero rows as padding.</summary>
    public Tensor? SoftTokens { get; private set; }

    /// <summary>(B, S, D) continuous features, zero rows as padding.</summary>
    public Tensor? Features { get; private set; }

    /// <summary>Host copy of codebook 0's unmasked vocabulary ids per frame (hard tokens only): the speech targets.</summary>
    public int[][]? SpeechTargets { get; private set; }

    /// <summary>(B, Tt) `<speech_end> units <text_end>` then Pad; Tt leaves at least one Pad column in every row.</summary>
    public Tensor TextInputs { get; }

    /// <summary>Host copy of each row's unmasked `<speech_end> units <text_end>`.</summary>
    public int[][] TextTargets { get; }

    /// <summary>Host copy of each row's text unit ids alone (the CTC targets).</summary>
    public int[][] TextUnits { get; }

    /// <summary>Input positions that are not padding, summed over rows: speech frames + text + 2 specials.</summary>
    public long Tokens => SpeechFrames.Sum() + TextTargets.Sum(t => (long)t.Length);

    public static AsrBatch Collate(IReadOnlyList<AsrUtterance> utterances, AsrVocabulary vocab, Device device,
                                   InputMasking? masking = null, DeterministicRandom? random = null)
    {
        if (utterances.Count == 0) throw new ArgumentException("cannot collate an empty batch");
        if (masking is { Fraction: > 0 } && random is null) throw new ArgumentException("input masking needs a random source");
        masking?.Validate();
        var B = utterances.Count;
        var units = utterances.Select(u => vocab.EncodeText(u.Text)).ToArray();
        var textTargets = units.Select(u => (int[])[AsrVocabulary.SpeechEnd, .. u, AsrVocabulary.TextEnd]).ToArray();
        var frames = utterances.Select(u => (long)u.Speech.Frames).ToArray();
        var S = Math.Max(1, (int)frames.Max());

        Tensor? speechIds = null, soft = null, features = null;
        int[][]? speechTargets = null;
        var first = utterances[0].Speech;
        switch (first)
        {
            case SpeechTokens:
            {
                var tokens = Expect<SpeechTokens>(utterances);
                var cb = vocab.Codebooks;
                if (tokens.Any(t => t.Codebooks != cb)) throw new ArgumentException($"the vocabulary has {cb} codebooks but an utterance has a different number");
                var data = new long[B * S * cb];
                Array.Fill(data, AsrVocabulary.Pad);
                speechTargets = new int[B][];
                for (var b = 0; b < B; b++)
                {
                    var t = tokens[b];
                    speechTargets[b] = new int[t.Frames];
                    for (var f = 0; f < t.Frames; f++)
                        for (var c = 0; c < cb; c++)
                        {
                            var id = vocab.SpeechId(t.Ids[c][f], c);
                            if (c == 0) speechTargets[b][f] = id;
                            if (masking is { Fraction: > 0 } m && random!.NextDouble() < m.Fraction)
                                id = m.Replacement == MaskReplacement.Pad ? AsrVocabulary.Pad : vocab.SpeechId(random.NextInt(vocab.SpeechTokensPerCodebook), c);
                            data[(b * S + f) * cb + c] = id;
                        }
                }
                speechIds = ToDevice(torch.tensor(data, B, S, cb), device);
                break;
            }
            case SoftSpeechTokens:
            {
                var soft1 = Expect<SoftSpeechTokens>(utterances);
                var K = vocab.SpeechTokensPerCodebook;
                if (vocab.Codebooks != 1 || soft1.Any(s => s.Classes != K))
                    throw new ArgumentException($"soft tokens need one codebook of K = {K} classes");
                soft = ToDevice(torch.tensor(Pack(soft1.Select(s => (s.Probabilities, s.Frames)).ToList(), S, K), B, S, K), device);
                break;
            }
            case SpeechFeatures f0:
            {
                var feats = Expect<SpeechFeatures>(utterances);
                if (feats.Any(f => f.Dim != f0.Dim)) throw new ArgumentException("every utterance's features must have the same width");
                features = ToDevice(torch.tensor(Pack(feats.Select(f => (f.Values, f.Frames)).ToList(), S, f0.Dim), B, S, f0.Dim), device);
                break;
            }
            default:
                throw new ArgumentException($"unknown speech input {first.GetType().Name}");
        }

        var Tt = textTargets.Max(t => t.Length) + 1; // a trailing pad column that padding positions gather from
        var text = new long[B * Tt];
        Array.Fill(text, AsrVocabulary.Pad);
        for (var b = 0; b < B; b++)
            for (var j = 0; j < textTargets[b].Length; j++)
            {
                var id = textTargets[b][j];
                if (masking is { Fraction: > 0, Scope: MaskScope.All } m && random!.NextDouble() < m.Fraction)
                    id = m.Replacement == MaskReplacement.Pad ? AsrVocabulary.Pad : vocab.SpeechId(random.NextInt(vocab.SpeechTokensPerCodebook));
                text[b * Tt + j] = id;
            }
        var batch = new AsrBatch(utterances.Select(u => u.Id).ToArray(), frames, textTargets, units,
            ToDevice(torch.tensor(text, B, Tt), device).DetachFromDisposeScope())
        {
            SpeechIds = speechIds?.DetachFromDisposeScope(),
            SoftTokens = soft?.DetachFromDisposeScope(),
            Features = features?.DetachFromDisposeScope(),
            SpeechTargets = speechTargets,
        };
        return batch;
    }

    private static T[] Expect<T>(IReadOnlyList<AsrUtterance> utterances) where T : SpeechInput =>
        utterances.Select(u => u.Speech as T ?? throw new ArgumentException(
            $"utterance {u.Id} has {u.Speech.GetType().Name} but the batch started with {typeof(T).Name}; a batch holds one kind")).ToArray();

    /// <summary>Row-major (Frames, W) arrays into one zero-padded (B, S, W) array.</summary>
    private static float[] Pack(IReadOnlyList<(float[] values, int frames)> rows, int S, int W)
    {
        var data = new float[rows.Count * S * W];
        for (var b = 0; b < rows.Count; b++) Array.Copy(rows[b].values, 0, data, (long)b * S * W, (long)rows[b].frames * W);
        return data;
    }

    private static Tensor ToDevice(Tensor t, Device device)
    {
        if (device.type == DeviceType.CPU) return t;
        var moved = t.to(device);
        t.Dispose();
        return moved;
    }

    public void Dispose()
    {
        SpeechIds?.Dispose();
        SoftTokens?.Dispose();
        Features?.Dispose();
        TextInputs.Dispose();
    }
}
