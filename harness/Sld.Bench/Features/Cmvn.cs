// Cepstral mean and variance normalisation as Kaldi's apply-cmvn does it: per utterance from its own frames,
// or with global statistics accumulated over a training split (stored as JSON next to the feature cache).
// Statistics are accumulated in double precision; the variance is floored at 1e-20 like Kaldi's.
using System.Text.Json;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public static class Cmvn
{
    public const double VarianceFloor = 1e-20;

    /// <summary>(T, D) -> (T, D) with zero mean (and unit variance with <paramref name="normVars"/>) per column.</summary>
    public static Tensor ApplyPerUtterance(Tensor features, bool normVars = true)
    {
        var dtype = features.dtype;
        var x = features.to(ScalarType.Float64);
        var mean = x.mean([0], keepdim: true);
        var centred = x.sub(mean);
        if (!normVars) return centred.to(dtype);
        var variance = centred.square().mean([0], keepdim: true).clamp_min(VarianceFloor);
        return centred.mul(variance.rsqrt()).to(dtype);
    }
}

/// <summary>Running first and second moments over many utterances, per feature column.</summary>
public sealed class GlobalCmvn
{
    public GlobalCmvn(int dim)
    {
        Sum = new double[dim];
        SumSquares = new double[dim];
    }

    public long Frames { get; private set; }
    public double[] Sum { get; }
    public double[] SumSquares { get; }
    public int Dim => Sum.Length;

    public void Accumulate(Tensor features)
    {
        if (features.size(1) != Dim) throw new ArgumentException($"features have {features.size(1)} columns, the statistics {Dim}");
        using var scope = torch.NewDisposeScope();
        var x = features.to(ScalarType.Float64);
        var sum = x.sum(dim: 0).cpu().ToArray<double>();
        var squares = x.square().sum(dim: 0).cpu().ToArray<double>();
        for (var d = 0; d < Dim; d++)
        {
            Sum[d] += sum[d];
            SumSquares[d] += squares[d];
        }
        Frames += features.size(0);
    }

    /// <summary>Adds another accumulator's counts (for statistics gathered in parallel).</summary>
    public void Merge(GlobalCmvn other)
    {
        if (other.Dim != Dim) throw new ArgumentException("dimensions differ");
        for (var d = 0; d < Dim; d++)
        {
            Sum[d] += other.Sum[d];
            SumSquares[d] += other.SumSquares[d];
        }
        Frames += other.Frames;
    }

    public double[] Mean() => Frames == 0 ? throw new InvalidOperationException("no frames accumulated") : Sum.Select(s => s / Frames).ToArray();

    public double[] Variance()
    {
        var mean = Mean();
        return SumSquares.Select((s, d) => Math.Max(s / Frames - mean[d] * mean[d], Cmvn.VarianceFloor)).ToArray();
    }

    public Tensor Apply(Tensor features, bool normVars = true)
    {
        var mean = Mean();
        var scale = normVars ? Variance().Select(v => 1 / Math.Sqrt(v)).ToArray() : Enumerable.Repeat(1.0, Dim).ToArray();
        using var m = torch.tensor(mean, 1, Dim).to(features.device);
        using var s = torch.tensor(scale, 1, Dim).to(features.device);
        return features.to(ScalarType.Float64).sub(m).mul(s).to(features.dtype);
    }

    private sealed record Stored(long Frames, double[] Sum, double[] SumSquares);

    /// <summary>Writes the statistics as JSON, atomically (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new Stored(Frames, Sum, SumSquares)));
        File.Move(temp, path, overwrite: true);
    }

    public static GlobalCmvn Load(string path)
    {
        var stored = JsonSerializer.Deserialize<Stored>(File.ReadAllText(path))
                     ?? throw new InvalidDataException($"{path}: empty CMVN statistics");
        if (stored.Sum.Length != stored.SumSquares.Length) throw new InvalidDataException($"{path}: sum and sum_squares differ in length");
        var cmvn = new GlobalCmvn(stored.Sum.Length) { Frames = stored.Frames };
        stored.Sum.CopyTo(cmvn.Sum, 0);
        stored.SumSquares.CopyTo(cmvn.SumSquares, 0);
        return cmvn;
    }
}
