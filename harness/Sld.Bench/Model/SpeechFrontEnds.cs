// The two front ends for continuous speech features (methods.md section 3). ConvBridge: the released Nue-ASR
// bridge, 2 x [Conv1d(k=4, s=2, no padding) + GELU] then Linear to the LM width. CtcCompressor: an encoder
// projection with a CTC head over text units; frames whose argmax is blank are dropped and runs of one label
// are merged (mean or first frame) before a Linear to the LM width. Both return prefixes (B, S', C) + lengths.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Model;

public sealed class ConvBridge : nn.Module
{
    public ConvBridge(int featureDim, int width) : base(nameof(ConvBridge))
    {
        conv1 = this.Register("conv1", nn.Conv1d(featureDim, width, kernel_size: 4, stride: 2));
        conv2 = this.Register("conv2", nn.Conv1d(width, width, kernel_size: 4, stride: 2));
        proj = this.Register("proj", nn.Linear(width, width));
    }

    public readonly Conv1d conv1;
    public readonly Conv1d conv2;
    public readonly Linear proj;

    /// <summary>Output frames for L input frames: floor((L-4)/2)+1 per conv, 0 when too short.</summary>
    public static long OutputLength(long frames)
    {
        static long Conv(long l) => l < 4 ? 0 : (l - 4) / 2 + 1;
        return Conv(Conv(frames));
    }

    /// <summary>Features (B, S, D) -> prefix (B, S'', C); frames past a row's length are padding.</summary>
    public (Tensor prefix, long[] lengths) forward(Tensor features, long[] frames)
    {
        ShapeCheck.Expect(features, nameof(ConvBridge), "features", "(B, S, D)", null, null, conv1.weight!.size(1));
        using var scope = torch.NewDisposeScope();
        var x = features;
        if (x.size(1) < 10) x = F.pad(x, [0, 0, 0, 10 - x.size(1)]); // two convs need 10 frames for one output
        x = x.transpose(1, 2); // (B, D, S)
        x = F.gelu(conv1.forward(x)); // (B, C, S')
        // The second GELU runs after the transpose back: libtorch 1.13's CPU GELU backward returns garbage (NaN,
        // inf) when its incoming gradient is non-contiguous, which a transpose after the GELU would hand it.
        x = F.gelu(conv2.forward(x).transpose(1, 2).contiguous()); // (B, S'', C)
        var y = Autocast.linear(x, proj.weight, proj.bias); // (B, S'', C)
        return (y.MoveToOuterDisposeScope(), frames.Select(OutputLength).ToArray());
    }
}

public sealed class CtcCompressor : nn.Module
{
    private readonly CtcMergeRule _merge;

    public CtcCompressor(int featureDim, int width, int textUnits, CtcMergeRule merge) : base(nameof(CtcCompressor))
    {
        _merge = merge;
        encoder = this.Register("encoder", nn.Linear(featureDim, width));
        ctc_head = this.Register("ctc_head", nn.Linear(width, textUnits + 1)); // label 0 is blank, unit j is j + 1
        proj = this.Register("proj", nn.Linear(width, width));
    }

    public readonly Linear encoder;
    public readonly Linear ctc_head;
    public readonly Linear proj;

    /// <summary>
    /// Compresses features (B, S, D): returns the prefix (B, S', C), its lengths, and with <paramref name="ctcTargets"/>
    /// (text unit indices from 0 per row) the mean CTC loss of the head.
    /// </summary>
    public (Tensor prefix, long[] lengths, Tensor? ctcLoss) forward(Tensor features, long[] frames, int[][]? ctcTargets)
    {
        ShapeCheck.Expect(features, nameof(CtcCompressor), "features", "(B, S, D)", null, null, encoder.weight!.size(1));
        using var scope = torch.NewDisposeScope();
        var (B, S) = (features.size(0), features.size(1));
        var enc = F.gelu(Autocast.linear(features, encoder.weight, encoder.bias)); // (B, S, C)
        var logProbs = Autocast.linear(enc, ctc_head.weight, ctc_head.bias).log_softmax(-1); // (B, S, U+1)
        var labels = logProbs.argmax(-1).cpu().ToArray<long>(); // (B * S) best label per frame

        // Segments: per row, runs of one non-blank label within the row's frames, in order.
        var segments = new List<(int start, int length)>[B];
        for (var b = 0; b < B; b++)
        {
            segments[b] = [];
            for (var t = 0; t < frames[b]; t++)
            {
                var label = labels[b * S + t];
                if (label == 0) continue;
                if (t > 0 && labels[b * S + t - 1] == label && segments[b].Count > 0 && segments[b][^1].start + segments[b][^1].length == t)
                    segments[b][^1] = (segments[b][^1].start, segments[b][^1].length + 1);
                else segments[b].Add((t, 1));
            }
        }
        var lengths = segments.Select(s => (long)s.Count).ToArray();
        var Sp = Math.Max(1, lengths.Max());
        var weights = new float[B * Sp * S]; // (B, S', S): row j of utterance b averages (or picks) its run's frames
        for (var b = 0; b < B; b++)
            for (var j = 0; j < segments[b].Count; j++)
            {
                var (start, length) = segments[b][j];
                if (_merge == CtcMergeRule.First) weights[(b * Sp + j) * S + start] = 1;
                else
                    for (var t = start; t < start + length; t++) weights[(b * Sp + j) * S + t] = 1f / length;
            }
        var w = torch.tensor(weights, B, Sp, S).to(features.device);
        var merged = w.bmm(enc); // (B, S', C)
        var prefix = Autocast.linear(merged, proj.weight, proj.bias); // (B, S', C)

        Tensor? loss = null;
        if (ctcTargets is not null)
        {
            var maxLen = Math.Max(1, ctcTargets.Max(t => t.Length));
            var targets = new long[B * maxLen];
            for (var b = 0; b < B; b++)
                for (var j = 0; j < ctcTargets[b].Length; j++) targets[b * maxLen + j] = ctcTargets[b][j] + 1;
            loss = F.ctc_loss(logProbs.transpose(0, 1), torch.tensor(targets, B, maxLen).to(features.device),
                torch.tensor(frames).to(features.device), torch.tensor(ctcTargets.Select(t => (long)t.Length).ToArray()).to(features.device),
                blank: 0, reduction: nn.Reduction.Mean, zero_infinity: true);
            loss.MoveToOuterDisposeScope();
        }
        return (prefix.MoveToOuterDisposeScope(), lengths, loss);
    }
}
