// The neural-codec tokenizer: trains RvqCodec to reconstruct the corpus's frame features from random crops
// (AdamW, straight-through RVQ, commitment loss, EMA or loss codebook updates, dead-code restarts), then emits
// the first codebook's ids (post-processing allowed) or every codebook's. Training checkpoints the weights,
// optimiser moments, step, random state and loss curve, so an interrupted fit resumes bit-for-bit. Artifact
// files: codec.safetensors (state dict), training_curve.json, and units.json with a unit model.
using Sld.Bench.Shared.Statistics;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Tensors;

using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Sld.Bench.Tokenizers.Codec;

/// <summary>Mean reconstruction MSE (normalised features) at a training step.</summary>
public sealed record CurvePoint(int Step, double Mse);

public sealed class CodecTokenizer : IArtifactTokenizer
{
    public const string WeightsFile = "codec.safetensors";
    public const string CurveFile = "training_curve.json";
    private const string CheckpointFile = "codec.checkpoint.safetensors";

    private readonly RvqCodec _model;
    private readonly UnitPostProcessor _post;

    private CodecTokenizer(TokenizerManifest manifest, RvqCodec model, UnitPostProcessor post, IReadOnlyList<CurvePoint> curve)
    {
        Manifest = manifest;
        _model = model;
        _post = post;
        Curve = curve;
        _model.eval();
    }

    public TokenizerManifest Manifest { get; set; }
    private CodecTokenizerConfig Config => (CodecTokenizerConfig)Manifest.Config;
    public int Codebooks => Config.Tokens == CodecTokens.AllCodebooks ? Config.Codebooks : 1;
    public int VocabularySize => Config.Tokens == CodecTokens.AllCodebooks ? Config.CodebookSize : _post.VocabularySize;
    public double FrameRate => Manifest.Features.FrameRate / Config.Downsample;
    public IReadOnlyList<CurvePoint> Curve { get; }
    public RvqCodec Model => _model;

    /// <summary>Raw codes of every codebook, one per token-grid frame (ceil(T / Downsample) frames).</summary>
    public long[][] Codes(Tensor features)
    {
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var z = _model.Encode(_model.PadToGrid(_model.Normalise(Checked(features).to(_model.feature_mean.device)))); // (1, T', C)
        return _model.quantizer.Encode(z.squeeze(0));
    }

    /// <summary>The features (T, D) as the codec reconstructs them from its codes.</summary>
    public Tensor Reconstruct(Tensor features)
    {
        var codes = Codes(features);
        using var _ = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var q = _model.quantizer.Decode(codes).unsqueeze(0); // (1, T', C)
        var x = _model.Denormalise(_model.Decode(q).squeeze(0)); // (T' x Downsample, D)
        return x.narrow(0, 0, features.size(0)).to(features.device).contiguous().MoveToOuterDisposeScope();
    }

    public TokenSequence Encode(Tensor features)
    {
        var codes = Codes(features);
        return Config.Tokens == CodecTokens.AllCodebooks ? TokenSequence.PerFrame(codes, FrameRate) : _post.Apply(codes[0], FrameRate);
    }

    private Tensor Checked(Tensor features) =>
        features.dim() == 2 && features.size(1) == Manifest.Features.Dim && features.size(0) > 0
            ? features
            : throw new ArgumentException($"features [{string.Join(", ", features.shape)}] are not (T > 0, {Manifest.Features.Dim})");

    public IReadOnlyList<string> WriteFiles(string directory)
    {
        _model.save(Path.Combine(directory, WeightsFile));
        File.WriteAllText(Path.Combine(directory, CurveFile), JsonSerializer.Serialize(Curve, ManifestJson.Options));
        return [WeightsFile, CurveFile, .. _post.Save(directory)];
    }

    internal static CodecTokenizer Load(TokenizerManifest manifest, string directory)
    {
        var config = (CodecTokenizerConfig)manifest.Config;
        var model = new RvqCodec(manifest.Features.Dim, config);
        try
        {
            model.load(Path.Combine(directory, WeightsFile));
            var curve = JsonSerializer.Deserialize<List<CurvePoint>>(File.ReadAllText(Path.Combine(directory, CurveFile)), ManifestJson.Options) ?? [];
            return new CodecTokenizer(manifest, model, UnitPostProcessor.Load(config.Post, config.CodebookSize, directory), curve);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    internal static CodecTokenizer Fit(CodecTokenizerConfig config, IFeatureSource source, IReadOnlyList<string> ids, TokenizerManifest manifest,
                                       FitContext context)
    {
        var clock = Stopwatch.StartNew();
        var utterances = LoadUtterances(source, ids, config.FitData.MaxFrames, context);
        try
        {
            torch.manual_seed(unchecked((long)(config.Seed)));
            var model = new RvqCodec(source.Features.Dim, config);
            try
            {
                var curve = Train(model, config, utterances, context);
                model.eval();
                var frames = utterances.Sum(u => u.size(0));
                manifest = manifest with { FitData = manifest.FitData with { Frames = frames, SampledFrames = frames } };
                var tokenizer = new CodecTokenizer(manifest, model, new UnitPostProcessor(new PostProcessingOptions(), config.CodebookSize, null), curve);
                var stats = new TokenizerStatistics(config.Codebooks, config.CodebookSize);
                foreach (var id in ids)
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    var features = FitDataSelection.Checked(source, id);
                    if (features.size(0) == 0) continue;
                    var error = tokenizer.Reconstruct(features).sub(features).square().sum().to(ScalarType.Float64).ToDouble();
                    stats.Add(tokenizer.Codes(features), error, features.numel());
                    context.Report("stats", stats.FirstCodebook.Count, ids.Count);
                }
                var post = config.Tokens == CodecTokens.FirstCodebook
                    ? UnitPostProcessor.Fit(config.Post, config.CodebookSize, stats.FirstCodebook, context)
                    : new UnitPostProcessor(config.Post, config.CodebookSize, null);
                var vocabulary = config.Tokens == CodecTokens.AllCodebooks ? config.CodebookSize : post.VocabularySize;
                var built = stats.Build(tokenizer.FrameRate, vocabulary, post, clock.Elapsed.TotalSeconds, tokenizer.Codebooks);
                return new CodecTokenizer(manifest with { Stats = built }, model, post, curve);
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var u in utterances) u.Dispose();
        }
    }

    /// <summary>The fit utterances in memory, whole, until <paramref name="maxFrames"/> frames are held.</summary>
    private static List<Tensor> LoadUtterances(IFeatureSource source, IReadOnlyList<string> ids, long? maxFrames, FitContext context)
    {
        var result = new List<Tensor>();
        long frames = 0;
        foreach (var id in ids)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            if (frames >= (maxFrames ?? long.MaxValue)) break;
            var t = FitDataSelection.Checked(source, id).DetachFromDisposeScope();
            frames += t.size(0);
            result.Add(t);
            context.Report("frames", result.Count, ids.Count);
        }
        return result;
    }

    private sealed record CheckpointMeta(string Fingerprint, int Step, ulong[] Rng, List<CurvePoint> Curve);

    private static List<CurvePoint> Train(RvqCodec model, CodecTokenizerConfig c, List<Tensor> utterances, FitContext context)
    {
        using var all = torch.cat(utterances, 0).DetachFromDisposeScope();
        using (torch.no_grad())
        {
            using var mean = all.mean([0]);
            using var std = all.std(0, unbiased: false).clamp_min(1e-5);
            model.feature_mean.copy_(mean);
            model.feature_std.copy_(std);
        }
        var longest = utterances.Max(u => u.size(0));
        var crop = (int)Math.Min(c.CropFrames, longest / c.Downsample * c.Downsample);
        if (crop < c.Downsample) throw new InvalidDataException($"codec: no fit utterance has {c.Downsample} frames");
        var candidates = utterances.Where(u => u.size(0) >= crop).ToList();
        using var optimizer = torch.optim.AdamW(model.parameters(), c.LearningRate, weight_decay: 0);
        var rng = new DeterministicRandom(DeterministicRandom.Derive(c.Seed, "codec"));
        var curve = new List<CurvePoint>();
        var step = 0;
        var path = context.CheckpointPath(CheckpointFile);
        var fingerprint = string.Create(CultureInfo.InvariantCulture,
            $"{JsonSerializer.Serialize<TokenizerConfig>(c, ManifestJson.Options)}|{all.size(0)}x{all.size(1)}|{all.sum().ToDouble():R}");
        if (path is not null && File.Exists(path) && TryReadCheckpoint(path) is ({ } tensors, { } metadata))
        {
            try
            {
                var meta = metadata.TryGetValue("codec", out var json) ? JsonSerializer.Deserialize<CheckpointMeta>(json, ManifestJson.Options) : null;
                if (meta is not null && meta.Fingerprint == fingerprint)
                {
                    model.LoadWeights(tensors.Where(kv => kv.Key.StartsWith("model.", StringComparison.Ordinal))
                        .ToDictionary(kv => kv.Key["model.".Length..], kv => kv.Value), path);
                    Sld.Bench.Training.OptimizerState.LoadState(optimizer, tensors.Where(kv => kv.Key.StartsWith("optim.", StringComparison.Ordinal))
                        .ToDictionary(kv => kv.Key["optim.".Length..], kv => kv.Value), meta.Step, path);
                    (step, rng, curve) = (meta.Step, DeterministicRandom.FromState(meta.Rng), meta.Curve);
                }
            }
            finally
            {
                foreach (var t in tensors.Values) t.Dispose();
            }
        }
        void Save()
        {
            var tensors = model.state_dict().Select(kv => new KeyValuePair<string, Tensor>($"model.{kv.Key}", kv.Value))
                .Concat(Sld.Bench.Training.OptimizerState.StateTensors(optimizer).Select(kv => new KeyValuePair<string, Tensor>($"optim.{kv.Key}", kv.Value)));
            var meta = new CheckpointMeta(fingerprint, step, rng.State, curve);
            SafeTensors.Save(path!, tensors, new Dictionary<string, string> { ["codec"] = JsonSerializer.Serialize(meta, ManifestJson.Options) });
        }

        model.train();
        var every = Math.Max(1, c.Steps / 200);
        while (step < c.Steps)
        {
            using var scope = torch.NewDisposeScope();
            var crops = new Tensor[c.BatchSize];
            for (var b = 0; b < c.BatchSize; b++)
            {
                var u = candidates[(int)rng.NextLong(candidates.Count)];
                crops[b] = u.narrow(0, rng.NextLong(u.size(0) - crop + 1), crop);
            }
            var x = model.Normalise(torch.stack(crops)); // (B, crop, D)
            var z = model.Encode(x); // (B, T', C)
            var (batch, grid, dim) = (z.size(0), z.size(1), z.size(2));
            var q = model.quantizer.Forward(z.reshape(-1, dim), learn: true, c.EmaDecay, c.DeadCodeThreshold, rng);
            var reconstruction = model.Decode(q.Quantized.view(batch, grid, dim));
            var mse = F.mse_loss(reconstruction, x);
            var loss = mse + q.CommitmentLoss * c.CommitmentWeight + q.CodebookLoss;
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            step++;
            var value = mse.ToDouble();
            if (step % every == 0 || step == 1 || step == c.Steps) curve.Add(new CurvePoint(step, value));
            context.Report("codec", step, c.Steps, value);
            if (step < c.Steps) context.AfterStep(Save);
        }
        if (path is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            Save(); // a fit that dies after training resumes straight to the stats
        }
        return curve;
    }

    /// <summary>The checkpoint's tensors and metadata, or null when it cannot be read (training then starts over).</summary>
    private static (OrderedDictionary<string, Tensor>, IReadOnlyDictionary<string, string>)? TryReadCheckpoint(string path)
    {
        try
        {
            return SafeTensors.LoadWithMetadata(path);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    public void Dispose() => _model.Dispose();
}
