// The k-means tokenizer: hard ids are the nearest of K centroids fitted on frame features (SLD, DASB's
// discrete SSL tokens), optionally deduplicated and segmented into BPE/unigram pieces; soft distributions over
// the K centroids are available per frame for soft assignment at inference. Artifact files:
// centroids.safetensors ("centroids" (K, D) float32) and, with a unit model, units.json.
using System.Diagnostics;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public sealed class KMeansTokenizer : ISoftTokenizer, IArtifactTokenizer
{
    public const string CentroidsFile = "centroids.safetensors";

    private readonly Tensor _centroids;
    private readonly Tensor _centroidNorms;
    private readonly UnitPostProcessor _post;

    internal KMeansTokenizer(TokenizerManifest manifest, Tensor centroids, UnitPostProcessor post)
    {
        Manifest = manifest;
        _centroids = centroids.DetachFromDisposeScope();
        _centroidNorms = CentroidDistances.RowNormsSquared(centroids).DetachFromDisposeScope();
        _post = post;
    }

    public TokenizerManifest Manifest { get; set; }
    public int Codebooks => 1;
    public int CodebookSize => checked((int)_centroids.size(0));
    public int VocabularySize => _post.VocabularySize;
    public double FrameRate => Manifest.Features.FrameRate;
    public Tensor Centroids => _centroids;
    public UnitPostProcessor PostProcessor => _post;

    /// <summary>The raw unit (nearest centroid) of every frame.</summary>
    public long[] Units(Tensor features)
    {
        CheckFeatures(features);
        using var onDevice = features.to(_centroids.device); // features from an encoder on another device
        var (labels, distances) = CentroidDistances.Nearest(onDevice, _centroids, _centroidNorms);
        using (labels)
        using (distances)
            return labels.ToArray<long>();
    }

    public TokenSequence Encode(Tensor features) => _post.Apply(Units(features), FrameRate);

    public Tensor EncodeSoft(Tensor features, SoftAssignmentOptions options)
    {
        CheckFeatures(features);
        using var onDevice = features.to(_centroids.device);
        return SoftAssignment.Probabilities(onDevice, _centroids, options);
    }

    private void CheckFeatures(Tensor features)
    {
        if (features.dim() != 2 || features.size(1) != _centroids.size(1) || features.dtype != ScalarType.Float32)
            throw new ArgumentException($"features [{string.Join(", ", features.shape)}] {features.dtype.Name()} are not (T, {_centroids.size(1)}) float32");
    }

    public IReadOnlyList<string> WriteFiles(string directory)
    {
        SafeTensors.Save(Path.Combine(directory, CentroidsFile), [new("centroids", _centroids)]);
        return [CentroidsFile, .. _post.Save(directory)];
    }

    internal static KMeansTokenizer Load(TokenizerManifest manifest, string directory)
    {
        var config = (KMeansTokenizerConfig)manifest.Config;
        var tensors = SafeTensors.Load(Path.Combine(directory, CentroidsFile));
        try
        {
            var centroids = tensors.TryGetValue("centroids", out var c) ? c : throw new InvalidDataException($"{directory}: no 'centroids' tensor");
            if (centroids.dim() != 2 || centroids.size(0) != config.Clustering.K || centroids.size(1) != manifest.Features.Dim)
                throw new InvalidDataException($"{directory}: centroids [{string.Join(", ", centroids.shape)}] do not match K = {config.Clustering.K}, D = {manifest.Features.Dim}");
            var post = UnitPostProcessor.Load(config.Post, config.Clustering.K, directory);
            return new KMeansTokenizer(manifest, centroids.clone(), post);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    internal static KMeansTokenizer Fit(KMeansTokenizerConfig config, IFeatureSource source, IReadOnlyList<string> ids,
                                        TokenizerManifest manifest, FitContext context)
    {
        var clock = Stopwatch.StartNew();
        var (frames, total) = FitDataSelection.SampleFrames(source, ids, config.FitData, context);
        KMeansResult result;
        using (frames)
            result = KMeans.Fit(frames, config.Clustering, context);
        manifest = manifest with { FitData = manifest.FitData with { Frames = total, SampledFrames = Math.Min(total, config.FitData.MaxFrames ?? total) } };
        var centers = result.Centers;
        try
        {
            // One pass over the fit utterances: raw units for the unit model, histograms and error for the stats.
            using var norms = CentroidDistances.RowNormsSquared(centers).DetachFromDisposeScope();
            var stats = new TokenizerStatistics(1, config.Clustering.K);
            foreach (var id in ids)
            {
                context.Cancellation.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                var features = FitDataSelection.Checked(source, id);
                var (labels, distances) = CentroidDistances.Nearest(features, centers, norms);
                stats.Add([labels.ToArray<long>()], distances.sum().to(ScalarType.Float64).ToDouble(), features.numel());
                context.Report("stats", stats.FirstCodebook.Count, ids.Count);
            }
            var post = UnitPostProcessor.Fit(config.Post, config.Clustering.K, stats.FirstCodebook, context);
            var built = stats.Build(manifest.Features.FrameRate, post.VocabularySize, post, clock.Elapsed.TotalSeconds);
            return new KMeansTokenizer(manifest with { Stats = built }, centers, post);
        }
        catch
        {
            centers.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _centroids.Dispose();
        _centroidNorms.Dispose();
    }
}
