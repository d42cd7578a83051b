// Parity with torchaudio.compliance.kaldi (Debian's python3-torchaudio through /usr/bin/python3, dither off):
// our fbank and MFCC on speech, noise, a chirp and resampled 8 kHz / 22.05 kHz speech must match within 1e-3
// on every value, for the default settings and for non-default ones (energy, no snip-edges, other windows).
// The measured maximum error per signal is written to the test output.
using System.Text.Json;
using Sld.Bench.Audio;
using Sld.Bench.Features;
using Sld.Bench.Testing;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Xunit.Abstractions;

namespace Sld.Bench.Tests.Features;

public class KaldiParityTests(ParitySignals signals, ITestOutputHelper output) : IClassFixture<ParitySignals>
{
    public const double Tolerance = 1e-3;

    public static TheoryData<string> Configs => ["fbank", "fbank-energy-nosnip-hamming", "fbank-magnitude-rectangular", "mfcc", "mfcc-energy-deltas"];

    [Theory]
    [MemberData(nameof(Configs))]
    public void MatchesTorchaudioOnEverySignal(string name)
    {
        var (config, reference) = Config(name);
        using var outDir = new TempDirectory();
        var args = new List<string> { outDir.Path, JsonSerializer.Serialize(reference) };
        args.AddRange(signals.Signals.Keys.Select(signals.NpyPath));
        ReferencePython.Run("kaldi_features.py", [.. args]);

        using var extractor = new FeatureExtractor(config with { DeltaOrder = 0 });
        var worst = 0.0;
        foreach (var (signal, samples) in signals.Signals)
        {
            using var scope = torch.NewDisposeScope();
            var ours = extractor.Compute(new Waveform(samples, 16000));
            var (expected, shape) = NpyFile.Read(Path.Combine(outDir.Path, signal + ".ref.npy"));
            Assert.Equal(shape, ours.shape);
            var error = MaxAbsDiff(ours.ToArray<float>(), expected);
            output.WriteLine($"{name,-28} {signal,-8} {shape[0],4} frames x {shape[1],2}: max |ours - torchaudio| = {error:0.000e+00}");
            Assert.True(error <= Tolerance, $"{name} on {signal}: max abs difference {error} > {Tolerance}");
            worst = Math.Max(worst, error);

            if (config.DeltaOrder > 0)
            {
                var deltas = DeltaFeatures.Add(ours, 1).narrow(1, shape[1], shape[1]).contiguous().ToArray<float>();
                var (expectedDeltas, _) = NpyFile.Read(Path.Combine(outDir.Path, signal + ".delta.npy"));
                var deltaError = MaxAbsDiff(deltas, expectedDeltas);
                output.WriteLine($"{name,-28} {signal,-8} deltas: max |ours - compute_deltas| = {deltaError:0.000e+00}");
                Assert.True(deltaError <= Tolerance, $"{name} deltas on {signal}: {deltaError}");
            }
        }
        output.WriteLine($"{name}: worst {worst:0.000e+00} (tolerance {Tolerance})");
    }

    /// <summary>Our config and the same settings as torchaudio keyword arguments.</summary>
    private static (FeatureConfig ours, Dictionary<string, object> reference) Config(string name) => name switch
    {
        "fbank" => (new FeatureConfig(), Ref(new() { ["kind"] = "fbank", ["num_mel_bins"] = 80 })),
        "fbank-energy-nosnip-hamming" => (
            new FeatureConfig { NumMelBins = 40, UseEnergy = true, SnipEdges = false, Window = FrameWindow.Hamming, RawEnergy = false, EnergyFloor = 0 },
            Ref(new() { ["kind"] = "fbank", ["num_mel_bins"] = 40, ["use_energy"] = true, ["snip_edges"] = false, ["window_type"] = "hamming",
                    ["raw_energy"] = false, ["energy_floor"] = 0.0 })),
        "fbank-magnitude-rectangular" => (
            new FeatureConfig { NumMelBins = 64, UsePower = false, Window = FrameWindow.Rectangular, PreemphasisCoefficient = 0.5, LowFreq = 60, HighFreq = -400 },
            Ref(new() { ["kind"] = "fbank", ["num_mel_bins"] = 64, ["use_power"] = false, ["window_type"] = "rectangular",
                    ["preemphasis_coefficient"] = 0.5, ["low_freq"] = 60.0, ["high_freq"] = -400.0 })),
        "mfcc" => (new FeatureConfig { Kind = FeatureKind.Mfcc }, Ref(new() { ["kind"] = "mfcc" })),
        "mfcc-energy-deltas" => (
            new FeatureConfig { Kind = FeatureKind.Mfcc, UseEnergy = true, NumMelBins = 30, NumCeps = 20, Window = FrameWindow.Blackman, DeltaOrder = 1 },
            Ref(new() { ["kind"] = "mfcc", ["use_energy"] = true, ["num_mel_bins"] = 30, ["num_ceps"] = 20, ["window_type"] = "blackman", ["deltas"] = 1 })),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The torchaudio arguments plus the waveform scale the C# side applies (Kaldi's 16-bit range).</summary>
    private static Dictionary<string, object> Ref(Dictionary<string, object> arguments)
    {
        arguments["scale"] = 32768.0;
        return arguments;
    }

    private static double MaxAbsDiff(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        var max = 0.0;
        for (var i = 0; i < a.Length; i++) max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        return max;
    }
}
