// dMel (Bai et al. 2024): every log-mel bin of every frame quantised on its own to one of B uniform levels
// between a minimum and a maximum, so a frame becomes D tokens (one codebook per mel bin) with no training
// beyond the range. A cheap baseline: 100 Hz x 80 bins x log2(16) = 32 kbps. Artifact file: dmel.json (the range).
using System.Diagnostics;
using System.Text.Json;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public sealed class DMelTokenizer : IArtifactTokenizer
{
    public const string RangeFile = "dmel.json";

    private sealed record Range(double Min, double Max);

    internal DMelTokenizer(TokenizerManifest manifest, double min, double max)
    {
        Manifest = manifest;
        Min = min;
        Max = max;
        Bins = ((DMelTokenizerConfig)manifest.Config).Bins;
    }

    public TokenizerManifest Manifest { get; set; }
    public double Min { get; }
    public double Max { get; }
    public int Bins { get; }
    public int Codebooks => Manifest.Features.Dim;
    public int VocabularySize => Bins;
    public double FrameRate => Manifest.Features.FrameRate;

    private double Width => (Max - Min) / Bins;

    /// <summary>Level of every value: (T, D) int64 in [0, Bins).</summary>
    public Tensor Quantize(Tensor features)
    {
        if (features.dim() != 2 || features.size(1) != Codebooks)
            throw new ArgumentException($"features [{string.Join(", ", features.shape)}] are not (T, {Codebooks})");
        using var scope = torch.NewDisposeScope();
        return features.sub(Min).div(Width).floor().clamp(0, Bins - 1).to(ScalarType.Int64).MoveToOuterDisposeScope();
    }

    /// <summary>The centre of each level: (T, D) float32.</summary>
    public Tensor Dequantize(Tensor levels)
    {
        using var scope = torch.NewDisposeScope();
        return levels.to(ScalarType.Float32).add(0.5).mul(Width).add(Min).MoveToOuterDisposeScope();
    }

    public TokenSequence Encode(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        var perBin = Quantize(features).t().contiguous(); // (D, T): one codebook per mel bin
        return TokenSequence.PerFrame(Enumerable.Range(0, Codebooks).Select(d => perBin.select(0, d).ToArray<long>()).ToArray(), FrameRate);
    }

    public IReadOnlyList<string> WriteFiles(string directory)
    {
        File.WriteAllText(Path.Combine(directory, RangeFile), JsonSerializer.Serialize(new Range(Min, Max), ManifestJson.Options));
        return [RangeFile];
    }

    internal static DMelTokenizer Load(TokenizerManifest manifest, string directory)
    {
        var path = Path.Combine(directory, RangeFile);
        var range = JsonSerializer.Deserialize<Range>(File.ReadAllText(path), ManifestJson.Options) ?? throw new InvalidDataException($"{path}: empty");
        return new DMelTokenizer(manifest, range.Min, range.Max);
    }

    internal static DMelTokenizer Fit(DMelTokenizerConfig config, IFeatureSource source, IReadOnlyList<string> ids, TokenizerManifest manifest,
                                      FitContext context)
    {
        var clock = Stopwatch.StartNew();
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long frames = 0;
        if (config.Min is null || config.Max is null)
        {
            var scanned = 0;
            foreach (var id in ids)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var features = FitDataSelection.Checked(source, id);
                context.Report("range", ++scanned, ids.Count);
                if (features.size(0) == 0) continue;
                min = Math.Min(min, features.min().ToDouble());
                max = Math.Max(max, features.max().ToDouble());
            }
            if (!(max > min)) throw new InvalidDataException($"dMel: the fit data of {source.Name} has no spread ([{min}, {max}])");
        }
        var tokenizer = new DMelTokenizer(manifest, config.Min ?? min, config.Max ?? max);
        var stats = new TokenizerStatistics(tokenizer.Codebooks, config.Bins);
        foreach (var id in ids)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var features = FitDataSelection.Checked(source, id);
            var levels = tokenizer.Quantize(features);
            var error = tokenizer.Dequantize(levels).sub(features).square().sum().to(ScalarType.Float64).ToDouble();
            var perBin = levels.t().contiguous();
            stats.Add(Enumerable.Range(0, tokenizer.Codebooks).Select(d => perBin.select(0, d).ToArray<long>()).ToArray(), error, features.numel());
            frames += features.size(0);
            context.Report("stats", stats.FirstCodebook.Count, ids.Count);
        }
        var built = stats.Build(tokenizer.FrameRate, config.Bins, null, clock.Elapsed.TotalSeconds);
        tokenizer.Manifest = manifest with { Stats = built, FitData = manifest.FitData with { Frames = frames, SampledFrames = frames } };
        return tokenizer;
    }

    public void Dispose()
    {
    }
}
