// The settings of a feature extractor, named and defaulted as in Kaldi's compute-fbank-feats /
// compute-mfcc-feats (and torchaudio.compliance.kaldi), plus deltas, CMVN and the waveform scale. The
// extraction part has a stable description and hash: the feature cache is keyed by it.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sld.Bench.Features;

public enum FeatureKind
{
    Fbank,
    Mfcc,
}

public enum FrameWindow
{
    Povey,
    Hanning,
    Hamming,
    Rectangular,
    Blackman,
}

public enum CmvnMode
{
    None,

    /// <summary>Mean and variance of each utterance's own frames.</summary>
    Utterance,

    /// <summary>Mean and variance accumulated over the training split (see GlobalCmvn).</summary>
    Global,
}

public sealed record FeatureConfig
{
    public FeatureKind Kind { get; init; } = FeatureKind.Fbank;

    /// <summary>Audio is resampled to this rate before framing.</summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Mel bins; null means Kaldi's default for the kind (80 for fbank here, 23 for MFCC).</summary>
    public int? NumMelBins { get; init; }

    public double FrameLengthMs { get; init; } = 25;
    public double FrameShiftMs { get; init; } = 10;
    public double PreemphasisCoefficient { get; init; } = 0.97;
    public bool RemoveDcOffset { get; init; } = true;
    public FrameWindow Window { get; init; } = FrameWindow.Povey;
    public double BlackmanCoeff { get; init; } = 0.42;
    public bool RoundToPowerOfTwo { get; init; } = true;

    /// <summary>Kaldi's default: only frames that fit completely; false reflects the signal at the ends.</summary>
    public bool SnipEdges { get; init; } = true;

    public double LowFreq { get; init; } = 20;

    /// <summary>Upper edge of the mel bins; zero or negative counts back from the Nyquist frequency.</summary>
    public double HighFreq { get; init; }

    /// <summary>Add log energy as the first column (fbank) or replace C0 by it (MFCC).</summary>
    public bool UseEnergy { get; init; }

    /// <summary>Energy before preemphasis and windowing (Kaldi's default).</summary>
    public bool RawEnergy { get; init; } = true;

    /// <summary>Absolute floor on the energy (not on the mel bins, which are floored at float epsilon).</summary>
    public double EnergyFloor { get; init; } = 1.0;

    public bool UseLogFbank { get; init; } = true;
    public bool UsePower { get; init; } = true;
    public int NumCeps { get; init; } = 13;
    public double CepstralLifter { get; init; } = 22;

    /// <summary>0: none; 1: + deltas; 2: + deltas and delta-deltas (Kaldi's add-deltas).</summary>
    public int DeltaOrder { get; init; }

    public int DeltaWindow { get; init; } = 2;

    /// <summary>
    /// Samples in [-1, 1] are multiplied by this before framing. Kaldi reads 16-bit audio as integers, so 32768
    /// gives Kaldi's numbers (its energy floor and log offsets assume that range).
    /// </summary>
    public double WaveformScale { get; init; } = 32768;

    /// <summary>Applied after extraction; not part of the cache key (the cache stores features before CMVN).</summary>
    public CmvnMode Cmvn { get; init; } = CmvnMode.None;

    public bool CmvnNormVars { get; init; } = true;

    public int EffectiveMelBins => NumMelBins ?? (Kind == FeatureKind.Mfcc ? 23 : 80);

    public int WindowSize => (int)(SampleRate * FrameLengthMs * 0.001);
    public int WindowShift => (int)(SampleRate * FrameShiftMs * 0.001);
    public int PaddedWindowSize => RoundToPowerOfTwo ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)WindowSize) : WindowSize;

    /// <summary>Frames a signal of <paramref name="samples"/> samples (at SampleRate) yields: Kaldi's NumFrames.</summary>
    public int FrameCount(long samples)
    {
        int n = WindowSize, s = WindowShift;
        if (SnipEdges) return samples < n ? 0 : (int)(1 + (samples - n) / s);
        return (int)((samples + s / 2) / s);
    }

    /// <summary>Columns of one frame before deltas.</summary>
    public int BaseDim => (Kind == FeatureKind.Mfcc ? NumCeps : EffectiveMelBins + (UseEnergy ? 1 : 0));

    /// <summary>Columns of one frame as the extractor returns it.</summary>
    public int Dim => BaseDim * (DeltaOrder + 1);

    /// <summary>Throws ArgumentException naming the first setting that Kaldi would reject.</summary>
    public FeatureConfig Validate()
    {
        var nyquist = SampleRate / 2.0;
        var high = HighFreq <= 0 ? HighFreq + nyquist : HighFreq;
        Require(SampleRate > 0, "sample_rate must be positive");
        Require(FrameShiftMs > 0 && WindowShift > 0, "frame_shift_ms must give at least one sample");
        Require(WindowSize >= 2, "frame_length_ms must give at least two samples");
        Require(PaddedWindowSize % 2 == 0, "the padded window size must be even: use round_to_power_of_two or change frame_length_ms");
        Require(PreemphasisCoefficient is >= 0 and <= 1, "preemphasis_coefficient must be in [0, 1]");
        Require(EffectiveMelBins > 3, "num_mel_bins must be at least 4");
        Require(LowFreq >= 0 && LowFreq < nyquist && high > 0 && high <= nyquist && LowFreq < high,
            $"low_freq {LowFreq} and high_freq {HighFreq} must satisfy 0 <= low < high <= Nyquist ({nyquist})");
        Require(Kind != FeatureKind.Mfcc || NumCeps <= EffectiveMelBins, $"num_ceps ({NumCeps}) cannot exceed num_mel_bins ({EffectiveMelBins})");
        Require(Kind != FeatureKind.Mfcc || NumCeps >= 1, "num_ceps must be positive");
        Require(Kind != FeatureKind.Mfcc || UseLogFbank, "MFCC needs use_log_fbank");
        Require(DeltaOrder is >= 0 and <= 3, "delta_order must be 0, 1, 2 or 3");
        Require(DeltaWindow >= 1, "delta_window must be positive");
        Require(EnergyFloor >= 0, "energy_floor must not be negative");
        Require(WaveformScale > 0, "waveform_scale must be positive");
        return this;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException($"invalid feature config: {message}");
    }

    /// <summary>Every setting that changes the extracted numbers, in a fixed order (CMVN excluded).</summary>
    public string Describe()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(Kind == FeatureKind.Mfcc ? "mfcc" : "fbank");
        sb.Append(c, $" sr={SampleRate} bins={EffectiveMelBins} frame={FrameLengthMs}/{FrameShiftMs}ms window={Window.ToString().ToLowerInvariant()}");
        if (Window == FrameWindow.Blackman) sb.Append(c, $"({BlackmanCoeff})");
        sb.Append(c, $" preemph={PreemphasisCoefficient} dc={(RemoveDcOffset ? 1 : 0)} pow2={(RoundToPowerOfTwo ? 1 : 0)} snip={(SnipEdges ? 1 : 0)}");
        sb.Append(c, $" freq={LowFreq}..{HighFreq} log={(UseLogFbank ? 1 : 0)} power={(UsePower ? 1 : 0)}");
        if (UseEnergy) sb.Append(c, $" energy=1 raw={(RawEnergy ? 1 : 0)} floor={EnergyFloor}");
        if (Kind == FeatureKind.Mfcc) sb.Append(c, $" ceps={NumCeps} lifter={CepstralLifter}");
        if (DeltaOrder > 0) sb.Append(c, $" deltas={DeltaOrder}x{DeltaWindow}");
        sb.Append(c, $" scale={WaveformScale} dither=0");
        return sb.ToString();
    }

    /// <summary>The first 16 hex digits of SHA-256(Describe()): the feature cache's key for this config.</summary>
    public string Hash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Describe())))[..16];
}
