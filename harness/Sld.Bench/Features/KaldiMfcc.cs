// Kaldi's MFCC (compute-mfcc-feats) on top of the log-mel filterbank: a DCT-II whose C0 row is scaled by
// sqrt(1/bins) as Kaldi does, then sinusoidal liftering; with UseEnergy, C0 is replaced by the log energy.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public sealed class KaldiMfcc : IDisposable
{
    private readonly FeatureConfig _config;
    private readonly KaldiFilterbank _filterbank;
    private readonly Tensor _dct;    // (B, C)
    private readonly Tensor _lifter; // (1, C)

    public KaldiMfcc(FeatureConfig config, Device device)
    {
        _config = config.Validate();
        if (config.Kind != FeatureKind.Mfcc) throw new ArgumentException("KaldiMfcc needs a config with kind mfcc");
        _filterbank = new KaldiFilterbank(config with { UseLogFbank = true }, device);
        var dct = DctMatrix(config.EffectiveMelBins, config.NumCeps);
        var lifter = LifterCoefficients(config.NumCeps, config.CepstralLifter);
        using var scope = torch.NewDisposeScope();
        // The DCT's float32 values (as torchaudio makes them) and the lifter, applied in the filterbank's float64.
        _dct = torch.tensor(dct, config.EffectiveMelBins, config.NumCeps).to(KaldiFilterbank.ComputeType).to(device).DetachFromDisposeScope();
        _lifter = torch.tensor(lifter, 1, config.NumCeps).to(KaldiFilterbank.ComputeType).to(device).DetachFromDisposeScope();
    }

    public Tensor[] Compute(IReadOnlyList<Tensor> waveforms)
    {
        var (logMel, energy, counts) = _filterbank.ComputeBatch(waveforms);
        var ceps = logMel.mm(_dct); // (M, C)
        if (_config.CepstralLifter != 0) ceps = ceps.mul(_lifter);
        if (energy is not null) ceps = torch.cat([energy.unsqueeze(1), ceps.narrow(1, 1, _config.NumCeps - 1)], 1);
        return KaldiFilterbank.Split(ceps.to(ScalarType.Float32), counts);
    }

    /// <summary>
    /// (bins, ceps) row-major: the orthonormal DCT-II with Kaldi's C0 weight sqrt(1/bins). Computed with the same
    /// float32 torch ops as torchaudio's create_dct: in float32, cos of arguments up to ~70 rad is off by a few
    /// 1e-6, and matching that rounding keeps MFCCs within 1e-5 of torchaudio instead of 3e-4.
    /// </summary>
    public static float[] DctMatrix(int bins, int ceps)
    {
        using var scope = torch.NewDisposeScope();
        var n = torch.arange(0, bins, 1, ScalarType.Float32);
        var k = torch.arange(0, bins, 1, ScalarType.Float32).unsqueeze(1);
        var dct = n.add(0.5).mul(Math.PI / bins).mul(k).cos().mul(Math.Sqrt(2.0 / bins)); // (bins, bins): [k, n]
        var matrix = dct.t().contiguous().ToArray<float>(); // [n, k]
        var result = new float[bins * ceps];
        for (var row = 0; row < bins; row++)
        {
            result[row * ceps] = (float)Math.Sqrt(1.0 / bins);
            for (var c = 1; c < ceps; c++) result[row * ceps + c] = matrix[row * bins + c];
        }
        return result;
    }

    /// <summary>1 + L/2 sin(pi i / L), in float32 torch ops as torchaudio computes it.</summary>
    public static float[] LifterCoefficients(int ceps, double lifter)
    {
        if (lifter == 0) return Enumerable.Repeat(1f, ceps).ToArray();
        using var scope = torch.NewDisposeScope();
        return torch.arange(ceps).mul(Math.PI).div(lifter).sin().mul(0.5 * lifter).add(1.0).ToArray<float>();
    }

    public void Dispose()
    {
        _filterbank.Dispose();
        _dct.Dispose();
        _lifter.Dispose();
    }
}
