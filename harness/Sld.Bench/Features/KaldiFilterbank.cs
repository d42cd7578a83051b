// Kaldi's log-mel filterbank (compute-fbank-feats) on libtorch, batched over utterances and on any device.
// It follows torchaudio.compliance.kaldi.fbank step by step: snip-edges framing, per-frame DC removal,
// preemphasis with the first sample replicated, the povey window, zero padding to a power of two, power
// spectrum, Kaldi's mel banks, a floor at float epsilon, log. Frames, window, FFT and mel energies are float64
// and the result float32: mel bins 60-80 dB below a frame's peak (the empty band above 4 kHz of upsampled 8 kHz
// audio, the silent parts of a chirp) are float32 rounding noise of the FFT, which differs between FFT libraries
// (LibTorch 2.10's MKL against the pocketfft of the reference's LibTorch 1.13) and so between machines; in
// float64 they are exact to ~1e-10 and the features agree with torchaudio run in float64 everywhere.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public sealed class KaldiFilterbank : IDisposable
{
    /// <summary>std::numeric_limits&lt;float&gt;::epsilon(): Kaldi's floor on mel energies before the log.</summary>
    public const double Epsilon = 1.1920928955078125e-07;

    /// <summary>
    /// Mel bins per block of the block-sparse filter matrix (each block spans only its bins' FFT range). 16 was
    /// the fastest of 8..80 for 80 bins with OpenBLAS: narrower blocks pay per-call packing, wider ones read zeros.
    /// </summary>
    private const int BinsPerBlock = 16;

    private readonly FeatureConfig _config;
    /// <summary>What frames, window, FFT and mel energies are computed in (see the file's header).</summary>
    internal const ScalarType ComputeType = ScalarType.Float64;

    private readonly Tensor _window; // (N)
    private readonly List<MelBlock> _melBlocks;

    /// <summary>
    /// The next Weights.size(1) mel bins, from spectrum columns [Column, Column + Weights.size(0)). The filters
    /// overlap only their neighbours, so a dense (K x B) matrix would be about 97 % zeros.
    /// </summary>
    private sealed record MelBlock(int Column, Tensor Weights);

    public KaldiFilterbank(FeatureConfig config, Device device)
    {
        _config = config.Validate();
        Device = device;
        using var scope = torch.NewDisposeScope();
        _window = WindowFunction(config, ComputeType).to(device).DetachFromDisposeScope();
        _melBlocks = MelBlocks(MelBanks(config), config.UsePower ? 2 : 1, device);
    }

    public Device Device { get; }

    public int NumMelBins => _config.EffectiveMelBins;

    /// <summary>
    /// Log-mel features (or linear ones when UseLogFbank is off) of each waveform: 1-d float32 tensors already
    /// multiplied by the waveform scale. Returns one float32 (frames, bins) tensor per waveform, views of one result.
    /// </summary>
    public Tensor[] Compute(IReadOnlyList<Tensor> waveforms)
    {
        var (features, energy, counts) = ComputeBatch(waveforms);
        if (energy is not null) features = torch.cat([energy.unsqueeze(1), features], 1);
        return Split(features.to(ScalarType.Float32), counts);
    }

    /// <summary>The float64 mel features (M, B) of all frames, the log energy (M) when UseEnergy, and frames per waveform.</summary>
    internal (Tensor features, Tensor? energy, int[] counts) ComputeBatch(IReadOnlyList<Tensor> waveforms)
    {
        int n = _config.WindowSize, padded = _config.PaddedWindowSize;
        var counts = new int[waveforms.Count];
        for (var i = 0; i < waveforms.Count; i++)
        {
            var length = waveforms[i].size(0);
            if (length < n)
                throw new ArgumentException($"waveform {i} has {length} samples, fewer than one {_config.FrameLengthMs} ms frame ({n})");
            counts[i] = _config.FrameCount(length);
        }
        var total = counts.Sum();
        var frames = torch.empty([total, padded], dtype: ComputeType, device: Device); // (M, padded)
        if (padded > n) frames.narrow(1, n, padded - n).zero_();
        var body = frames.narrow(1, 0, n); // (M, N), a view with row stride `padded`
        var offset = 0;
        for (var i = 0; i < waveforms.Count; i++)
        {
            body.narrow(0, offset, counts[i]).copy_(Frame(waveforms[i].to(Device), counts[i]));
            offset += counts[i];
        }

        if (_config.RemoveDcOffset) body.add_(body.mean([1], keepdim: true), alpha: -1);
        Tensor? energy = null;
        if (_config.UseEnergy && _config.RawEnergy) energy = LogEnergy(body);
        if (_config.PreemphasisCoefficient != 0)
        {
            // x[j] -= c * x[j-1], with x[-1] = x[0]: both products are taken before either column changes.
            var products = body.narrow(1, 0, n - 1).mul(_config.PreemphasisCoefficient); // (M, N-1)
            body.narrow(1, 1, n - 1).add_(products, alpha: -1);
            body.narrow(1, 0, 1).add_(products.narrow(1, 0, 1), alpha: -1);
        }
        body.mul_(_window);
        if (_config.UseEnergy && !_config.RawEnergy) energy = LogEnergy(frames);

        var spectrum = torch.fft.rfft(frames); // (M, K) complex
        var squares = spectrum.view_as_real().square().reshape(total, -1); // (M, 2K): re^2, im^2 interleaved
        var columns = _config.UsePower ? squares : squares.view(total, -1, 2).sum(-1).sqrt(); // power (M, 2K) or magnitude (M, K)
        var blocks = new Tensor[_melBlocks.Count];
        for (var i = 0; i < blocks.Length; i++)
        {
            var block = _melBlocks[i];
            blocks[i] = columns.narrow(1, block.Column, block.Weights.size(0)).mm(block.Weights);
        }
        var mel = torch.cat(blocks, 1); // (M, B)
        if (_config.UseLogFbank) mel = mel.clamp_min(Epsilon).log();
        return (mel, energy, counts);
    }

    internal static Tensor[] Split(Tensor features, int[] counts)
    {
        var result = new Tensor[counts.Length];
        var offset = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            result[i] = features.narrow(0, offset, counts[i]);
            offset += counts[i];
        }
        return result;
    }

    /// <summary>The (m, N) frames of one waveform; with snip_edges off, the signal is reflected at both ends.</summary>
    private Tensor Frame(Tensor waveform, int count)
    {
        int n = _config.WindowSize, s = _config.WindowShift;
        if (_config.SnipEdges) return waveform.unfold(0, n, s).narrow(0, 0, count);
        var length = waveform.size(0);
        var reversed = waveform.flip(0);
        var pad = n / 2 - s / 2;
        var extended = pad > 0
            ? torch.cat([reversed.narrow(0, length - pad, pad), waveform, reversed])
            : torch.cat([waveform.narrow(0, -pad, length + pad), reversed]);
        return extended.unfold(0, n, s).narrow(0, 0, count);
    }

    private Tensor LogEnergy(Tensor frames)
    {
        var energy = frames.square().sum(1).clamp_min(Epsilon).log();
        return _config.EnergyFloor == 0 ? energy : energy.clamp_min(Math.Log(_config.EnergyFloor));
    }

    /// <summary>The analysis window in <paramref name="dtype"/>, with the same torch ops as torchaudio (it multiplies every sample).</summary>
    internal static Tensor WindowFunction(FeatureConfig config, ScalarType dtype)
    {
        var n = config.WindowSize;
        switch (config.Window)
        {
            case FrameWindow.Povey:
                return torch.hann_window(n, periodic: false, dtype: dtype).pow(0.85);
            case FrameWindow.Hanning:
                return torch.hann_window(n, periodic: false, dtype: dtype);
            case FrameWindow.Hamming:
                return torch.hamming_window(n, periodic: false, alpha: 0.54f, beta: 0.46f, dtype: dtype);
            case FrameWindow.Rectangular:
                return torch.ones([n], dtype: dtype);
            case FrameWindow.Blackman:
                var a = 2 * Math.PI / (n - 1);
                var t = torch.arange(0, n, 1, dtype);
                var c = config.BlackmanCoeff;
                return (c - t.mul(a).cos().mul(0.5)).add(t.mul(2 * a).cos().mul(0.5 - c));
            default:
                throw new ArgumentOutOfRangeException(nameof(config), config.Window, "unknown window");
        }
    }

    public static double MelScale(double hz) => 1127.0 * Math.Log(1.0 + hz / 700.0);

    /// <summary>
    /// Kaldi's triangular mel filters (bins x padded/2 FFT bins). They are computed with the same float32 torch
    /// ops as torchaudio's get_mel_banks rather than in double: a filter edge weight that differs by 1e-6
    /// times a spectral peak 80 dB above the bin's energy moves that log-mel value by 1e-3.
    /// </summary>
    public static float[,] MelBanks(FeatureConfig config)
    {
        int bins = config.EffectiveMelBins, padded = config.PaddedWindowSize, fftBins = padded / 2;
        double sampleRate = config.SampleRate, nyquist = 0.5 * sampleRate;
        var high = config.HighFreq <= 0 ? config.HighFreq + nyquist : config.HighFreq;
        double melLow = MelScale(config.LowFreq), melHigh = MelScale(high);
        var delta = (melHigh - melLow) / (bins + 1);
        using var scope = torch.NewDisposeScope();
        var bin = torch.arange(bins).unsqueeze(1); // int64 (B, 1); times a double gives float32, as in Python
        var left = bin.mul(delta).add(melLow);
        var center = bin.add(1).mul(delta).add(melLow);
        var right = bin.add(2).mul(delta).add(melLow);
        var frequencies = torch.arange(0, fftBins, 1, ScalarType.Float32).mul(sampleRate / padded);
        var mel = frequencies.div(700).add(1).log().mul(1127).unsqueeze(0); // (1, K)
        var up = mel.sub(left).div(center.sub(left));
        var down = right.sub(mel).div(right.sub(center));
        var weights = up.minimum(down).clamp_min(0).contiguous().ToArray<float>();
        var result = new float[bins, fftBins];
        Buffer.BlockCopy(weights, 0, result, 0, weights.Length * sizeof(float));
        return result;
    }

    /// <summary>
    /// Cuts the (B x K) filters into blocks of BinsPerBlock bins, each with the FFT columns where any of its
    /// bins is non-zero; with <paramref name="repeat"/> 2 every column appears twice (re^2 and im^2 columns).
    /// </summary>
    private static List<MelBlock> MelBlocks(float[,] weights, int repeat, Device device)
    {
        int bins = weights.GetLength(0), fftBins = weights.GetLength(1);
        var blocks = new List<MelBlock>();
        for (var first = 0; first < bins; first += BinsPerBlock)
        {
            var count = Math.Min(BinsPerBlock, bins - first);
            int lo = fftBins, hi = -1;
            for (var b = first; b < first + count; b++)
            for (var k = 0; k < fftBins; k++)
                if (weights[b, k] != 0)
                {
                    lo = Math.Min(lo, k);
                    hi = Math.Max(hi, k);
                }
            if (hi < 0) (lo, hi) = (0, 0); // all-zero filters (possible with odd low/high settings) still get a column
            var span = hi - lo + 1;
            var data = new float[span * repeat * count];
            for (var k = 0; k < span; k++)
            for (var r = 0; r < repeat; r++)
            for (var b = 0; b < count; b++)
                data[(k * repeat + r) * count + b] = weights[first + b, lo + k];
            using var cpu = torch.tensor(data, span * repeat, count);
            blocks.Add(new MelBlock(lo * repeat, cpu.to(ComputeType).to(device).DetachFromDisposeScope()));
        }
        return blocks;
    }

    public void Dispose()
    {
        _window.Dispose();
        foreach (var block in _melBlocks) block.Weights.Dispose();
    }
}
