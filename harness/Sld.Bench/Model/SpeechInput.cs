// What the model reads for one utterance's speech: hard token ids (one stream per codebook), soft token
// distributions (T, K) for soft assignment at inference, or continuous features (T, D) for the bridge and
// CTC-compression front ends. Arrays are row-major and owned by the record; nothing here touches libtorch.
namespace Sld.Bench.Model;

public abstract record SpeechInput
{
    /// <summary>Frames before any front-end downsampling.</summary>
    public abstract int Frames { get; }
}

/// <summary>Token ids in [0, K) per codebook: Ids[codebook][frame]; every codebook has the same length.</summary>
public sealed record SpeechTokens : SpeechInput
{
    public SpeechTokens(int[][] ids)
    {
        if (ids.Length == 0) throw new ArgumentException("speech tokens need at least one codebook");
        if (ids.Any(c => c.Length != ids[0].Length)) throw new ArgumentException("every codebook must have the same number of frames");
        Ids = ids;
    }

    /// <summary>One codebook.</summary>
    public SpeechTokens(int[] ids) : this([ids])
    {
    }

    public int[][] Ids { get; }
    public int Codebooks => Ids.Length;
    public override int Frames => Ids[0].Length;
}

/// <summary>Per-frame distributions over the K tokens of one codebook, row-major (Frames, Classes); rows sum to 1.</summary>
public sealed record SoftSpeechTokens : SpeechInput
{
    public SoftSpeechTokens(float[] probabilities, int frames, int classes)
    {
        if (frames < 0 || classes < 1 || probabilities.Length != (long)frames * classes)
            throw new ArgumentException($"{probabilities.Length} probabilities do not form ({frames}, {classes})");
        Probabilities = probabilities;
        FrameCount = frames;
        Classes = classes;
    }

    public float[] Probabilities { get; }
    public int FrameCount { get; }
    public int Classes { get; }
    public override int Frames => FrameCount;

    /// <summary>
    /// p(k|x_t) = softmax_k(-D_k(x_t) / tau) from distances (Frames, K) to the centroids (methods.md section 2);
    /// tau -> 0 approaches hard assignment. Whether D is squared is the caller's choice.
    /// </summary>
    public static SoftSpeechTokens FromDistances(ReadOnlySpan<float> distances, int frames, int classes, double tau)
    {
        if (!(tau > 0)) throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must be positive");
        if (distances.Length != (long)frames * classes) throw new ArgumentException($"{distances.Length} distances do not form ({frames}, {classes})");
        var p = new float[distances.Length];
        for (var t = 0; t < frames; t++)
        {
            var row = distances.Slice(t * classes, classes);
            var min = double.PositiveInfinity;
            foreach (var d in row) min = Math.Min(min, d);
            var sum = 0.0;
            for (var k = 0; k < classes; k++) sum += Math.Exp(-(row[k] - min) / tau); // shift by the nearest centroid for stability
            for (var k = 0; k < classes; k++) p[t * classes + k] = (float)(Math.Exp(-(row[k] - min) / tau) / sum);
        }
        return new SoftSpeechTokens(p, frames, classes);
    }
}

/// <summary>Continuous features, row-major (Frames, Dim), e.g. SSL layer outputs at 50 Hz.</summary>
public sealed record SpeechFeatures : SpeechInput
{
    public SpeechFeatures(float[] values, int frames, int dim)
    {
        if (frames < 0 || dim < 1 || values.Length != (long)frames * dim)
            throw new ArgumentException($"{values.Length} values do not form ({frames}, {dim})");
        Values = values;
        FrameCount = frames;
        Dim = dim;
    }

    public float[] Values { get; }
    public int FrameCount { get; }
    public int Dim { get; }
    public override int Frames => FrameCount;
}
