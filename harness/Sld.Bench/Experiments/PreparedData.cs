// Stages 1-2 of a cell: the corpus (the built-in one is synthesised once per preset and seed) and its features
// (extracted once per corpus and feature config into the shared cache), then the splits a cell uses with
// normalised transcripts and their frames in memory after CMVN and frame-rate reduction. Every skipped
// utterance is listed with id, path and reason; too many skips fails the cell before any training starts.
using System.Diagnostics;
using System.Text.Json;
using Sld.Bench.Data;
using Sld.Bench.Data.Synth;
using Sld.Bench.Encoders;
using Sld.Bench.Features;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Experiments;

/// <summary>One usable utterance: the corpus record, its normalised transcript and its frames (T, D) float32.</summary>
public sealed record PreparedUtterance(Utterance Source, string Text, Tensor Frames)
{
    public string Id => Source.Id;
}

public sealed class PreparedData : IDisposable
{
    public const string SkipReportFile = "skipped.tsv";

    private readonly IReadOnlyDictionary<string, string> _splitHashes;

    private PreparedData(IReadOnlyDictionary<string, IReadOnlyList<PreparedUtterance>> splits, FrameFeatureSpec spec,
                         IReadOnlyDictionary<string, string> splitHashes, SkipReport report)
    {
        Splits = splits;
        Spec = spec;
        _splitHashes = splitHashes;
        DataHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join("\n", splitHashes.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={h.Value}")))))[..16];
        Report = report;
    }

    /// <summary>Hash of one split's ids, audio content keys and transcripts: what a tokenizer fitted on it depends on.</summary>
    public string SplitHash(string split) => _splitHashes[split];

    /// <summary>Split name to its usable utterances, ordered by id.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PreparedUtterance>> Splits { get; }

    /// <summary>What the frames are (feature config, CMVN, subsampling), as a tokenizer's fit lineage records it.</summary>
    public FrameFeatureSpec Spec { get; }

    /// <summary>Hash of every split's ids, audio content keys and transcripts the cell saw.</summary>
    public string DataHash { get; }

    public SkipReport Report { get; }

    public IReadOnlyList<PreparedUtterance> this[string split] =>
        Splits.TryGetValue(split, out var list) ? list : throw new KeyNotFoundException($"the data has no split '{split}'; it has {string.Join(", ", Splits.Keys)}");

    public static async Task<PreparedData> PrepareAsync(ExperimentConfig config, string workDirectory, ResultsStore store, string runDirectory,
                                                        Action<string> log, CancellationToken cancellation)
    {
        var data = config.Data;
        config.Features.Validate();
        var featureConfig = config.Features.ToFeatureConfig();
        var wanted = new[] { data.Train, data.Dev }.Concat(data.TestSets).Distinct(StringComparer.Ordinal).ToList();
        var sources = await CorpusSourcesAsync(data, wanted, workDirectory, store, log, cancellation);

        var read = CorpusLoader.Read(sources, new CorpusLoadOptions { DecodeAudio = false }, cancellation); // audio is decoded with the features
        read.Report.EnsureWithin(data.MaxSkipFraction); // what reading lost already: stop before any features
        // Features are cached per split (a split's cache serves every cell that uses the split, whatever else it uses).
        var caches = new Dictionary<string, FeatureCache>(StringComparer.Ordinal);
        try
        {
            var prepared = new Dictionary<string, PreparationResult>(StringComparer.Ordinal);
            foreach (var split in wanted)
            {
                var utterances = read.Utterances.Where(u => u.Split == split).ToList();
                var key = SourceKey(split, sources[split]);
                var root = Path.Combine(workDirectory, "features", key);
                var stage = new ArtifactSpec($"features-{key}-{featureConfig.Hash()}", "features", featureConfig.Kind.ToString().ToLowerInvariant(),
                    JsonSerializer.Serialize(new { features = featureConfig.Describe(), split, path = sources[split].Path }));
                PreparationResult? built = null;
                await SharedStage.RunAsync(store, stage, ct =>
                {
                    using var cache = FeatureCache.Open(root, featureConfig);
                    var clock = Stopwatch.StartNew();
                    var done = 0;
                    var result = built = FeaturePreparation.Run(cache, utterances, new PreparationOptions(),
                        new Progress<PreparationProgress>(p => { if (p.Stage == "features" && p.Done > done + 499) log($"features of {split}: {done = p.Done}/{p.Total}"); }), ct);
                    log($"features of {split}: {result.Computed} computed, {result.Reused} reused, {result.Skipped.Count} skipped in {clock.Elapsed.TotalSeconds:0.0} s");
                    return Task.FromResult(new SharedStage.Output(cache.Directory, JsonSerializer.Serialize(new { utterances = result.Usable.Count, skipped = result.Skipped.Count })));
                }, log, cancellation);
                caches[split] = FeatureCache.Open(root, featureConfig);
                // Built here: its result already says what is usable. Built by another worker: a pass that only reads.
                prepared[split] = built ?? FeaturePreparation.Run(caches[split], utterances, new PreparationOptions(), cancel: cancellation);
            }

            var skipped = read.Report.Skipped.Concat(prepared.Values.SelectMany(p => p.Skipped)).ToList();
            var usable = new List<Utterance>();
            foreach (var u in prepared.Values.SelectMany(p => p.Usable))
            {
                if (data.Normalization.Normalize(u.Text).Length == 0)
                    skipped.Add(new SkippedUtterance(u.Split, u.Id, u.AudioPath, "the transcript is empty after text normalisation"));
                else usable.Add(u);
            }
            var report = SkipReport.Of(usable, skipped);
            report.Write(Path.Combine(runDirectory, SkipReportFile));
            if (skipped.Count > 0) log($"{skipped.Count} utterances skipped (listed in {Path.Combine(runDirectory, SkipReportFile)}): {report.Summary()}");
            report.EnsureWithin(data.MaxSkipFraction);

            GlobalCmvn? global = config.Features.Cmvn == CmvnMode.Global
                ? FeaturePreparation.GlobalStatistics(caches[data.Train], prepared[data.Train], data.Train) : null;
            var splits = new Dictionary<string, IReadOnlyList<PreparedUtterance>>(StringComparer.Ordinal);
            var splitHashes = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var split in wanted)
            {
                var list = usable.Where(u => u.Split == split).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();
                if (split == data.Train && data.MaxTrainUtterances is { } maxTrain) list = list.Take(maxTrain).ToList();
                if (split == data.Dev && data.MaxDevUtterances is { } maxDev) list = list.Take(maxDev).ToList();
                if (list.Count == 0) throw new InvalidDataException($"split '{split}' has no usable utterances ({sources[split].Path})");
                using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                var items = new List<PreparedUtterance>(list.Count);
                foreach (var u in list)
                {
                    var text = data.Normalization.Normalize(u.Text);
                    var key = prepared[split].Keys[u.Id];
                    hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"{split}\t{u.Id}\t{key}\t{text}\n"));
                    items.Add(new PreparedUtterance(u, text, Frames(caches[split], key, config.Features, global)));
                }
                splits[split] = items;
                splitHashes[split] = Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
            }

        var spec = new FrameFeatureSpec(featureConfig.Kind.ToString().ToLowerInvariant(), featureConfig.Dim,
                1000.0 / featureConfig.FrameShiftMs / config.Features.Subsample)
            .With("features", featureConfig.Describe())
            .With("cmvn", config.Features.Cmvn.ToString().ToLowerInvariant())
            .With("subsample", config.Features.Subsample.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new PreparedData(splits, spec, splitHashes, report);
        }
        finally
        {
            foreach (var cache in caches.Values) cache.Dispose();
        }
    }

    /// <summary>Cached features, normalised and reduced in rate: a tensor the caller owns.</summary>
    private static Tensor Frames(FeatureCache cache, string key, FeatureSection section, GlobalCmvn? global)
    {
        using var scope = torch.NewDisposeScope();
        var x = cache.ReadTensor(key); // (T, D)
        x = section.Cmvn switch
        {
            CmvnMode.Utterance => Cmvn.ApplyPerUtterance(x),
            CmvnMode.Global => global!.Apply(x),
            _ => x,
        };
        var n = section.Subsample;
        if (n > 1)
        {
            var frames = Math.Max(1, x.size(0) / n);
            x = x.size(0) < n ? x.mean([0], keepdim: true) : x.narrow(0, 0, frames * n).view(frames, n, x.size(1)).mean([1]); // (T/n, D)
        }
        return x.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Split name to source; the built-in corpus is synthesised first (once, by one worker) when the config asks for it.</summary>
    private static async Task<Dictionary<string, SplitSource>> CorpusSourcesAsync(DataSection data, IReadOnlyList<string> wanted, string workDirectory,
                                                                              ResultsStore store, Action<string> log, CancellationToken cancellation)
    {
        var sources = new Dictionary<string, SplitSource>(StringComparer.Ordinal);
        if (data.Synth is { } presetName)
        {
            if (data.Splits is { Count: > 0 }) throw new ArgumentException("data: give either synth (the built-in corpus) or splits, not both");
            var preset = SynthPreset.Named(presetName);
            var definition = JsonSerializer.Serialize(new { preset, seed = data.SynthSeed });
            // The folder is named by the preset's definition too: a corpus made by an older definition of the same
            // preset stays where it is (its runs still point at it) instead of blocking the new one.
            var root = Path.Combine(workDirectory, "corpora", $"synth-{preset.Name}-seed{data.SynthSeed}-{ShortHash(definition)}");
            var spec = new ArtifactSpec($"corpus-synth-{preset.Name}-seed{data.SynthSeed}", "corpus", "synth", definition);
            await SharedStage.RunAsync(store, spec, async ct =>
            {
                log($"synthesising the {preset.Name} corpus (seed {data.SynthSeed}) into {root}");
                var summary = await SynthCorpus.GenerateAsync(root, preset, data.SynthSeed, cancel: ct);
                log($"corpus ready: {string.Join(", ", summary.Utterances.Select(kv => $"{kv.Key} {kv.Value}"))} utterances in {summary.GenerationSeconds:0} s");
                return new SharedStage.Output(root, JsonSerializer.Serialize(summary));
            }, log, cancellation);
            foreach (var split in wanted)
            {
                if (!SynthCorpus.Splits.Contains(split))
                    throw new ArgumentException($"the built-in corpus has no split '{split}'; it has {string.Join(", ", SynthCorpus.Splits)}");
                sources[split] = new SplitSource(Path.Combine(root, split + ".jsonl"), CorpusFormat.Jsonl);
            }
            return sources;
        }
        if (data.Splits is not { Count: > 0 }) throw new ArgumentException("data: give synth (tiny or demo) or splits (name: path)");
        foreach (var split in wanted)
        {
            if (!data.Splits.TryGetValue(split, out var source))
                throw new ArgumentException($"data.splits has no '{split}' (used as train, dev or test); it has {string.Join(", ", data.Splits.Keys)}");
            sources[split] = source;
        }
        return sources;
    }

    private static string SourceKey(string split, SplitSource source) => ShortHash($"{split}={Path.GetFullPath(source.Path)}", 16);

    private static string ShortHash(string text, int length = 8) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..length];

    public void Dispose()
    {
        foreach (var list in Splits.Values)
            foreach (var u in list)
                u.Frames.Dispose();
    }
}
