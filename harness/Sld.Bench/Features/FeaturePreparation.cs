// Preparing a corpus's features in idempotent stages, icefall-style: (1) hash every utterance's audio (memoised),
// (2) extract the features of the keys not yet cached, shard by shard, each shard appearing atomically with its
// done marker, (3) optionally accumulate global CMVN statistics over a split (a JSON file with a done marker).
// A run that is killed or cancelled loses at most the shard in progress; running again continues from there.
// Utterances whose audio cannot be decoded are skipped, reported with id and path, and remembered in the shard
// index so a resumed run reports them without retrying.
using Sld.Bench.Audio;
using Sld.Bench.Data;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public sealed record PreparationOptions
{
    /// <summary>Utterances per shard: the most work a kill can lose.</summary>
    public int ShardSize { get; init; } = 256;

    /// <summary>Parallel audio decoders (0: one per core).</summary>
    public int Jobs { get; init; }

    public Device Device { get; init; } = torch.CPU;
}

public sealed record PreparationProgress(string Stage, int Done, int Total);

/// <summary>What a preparation run did: the usable utterances with their cache keys, what it skipped, what it computed.</summary>
public sealed record PreparationResult(
    IReadOnlyList<Utterance> Usable, IReadOnlyDictionary<string, string> Keys, IReadOnlyList<SkippedUtterance> Skipped, int Computed, int Reused);

public static class FeaturePreparation
{
    public static PreparationResult Run(FeatureCache cache, IReadOnlyList<Utterance> utterances, PreparationOptions? options = null,
                                        IProgress<PreparationProgress>? progress = null, CancellationToken cancel = default)
    {
        options ??= new PreparationOptions();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Jobs > 0 ? options.Jobs : Environment.ProcessorCount, CancellationToken = cancel };

        // Stage 1: cache keys from audio content.
        var keys = new string?[utterances.Count];
        var hashFailures = new string?[utterances.Count];
        var hashed = 0;
        Parallel.For(0, utterances.Count, parallel, i =>
        {
            try
            {
                keys[i] = cache.Hashes.KeyOf(utterances[i]);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                hashFailures[i] = e is FileNotFoundException ? "the file does not exist" : e.Message;
            }
            progress?.Report(new PreparationProgress("hash", Interlocked.Increment(ref hashed), utterances.Count));
        });

        // Stage 2: features of the keys not cached yet, in shards.
        var pending = new List<int>();
        var queued = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < utterances.Count; i++)
            if (keys[i] is { } k && !cache.Contains(k) && !cache.TryGetFailure(k, out _) && queued.Add(k)) pending.Add(i);
        var reused = utterances.Count - pending.Count - hashFailures.Count(f => f is not null);
        var computed = 0;
        progress?.Report(new PreparationProgress("features", 0, pending.Count));
        using (var extractor = new FeatureExtractor(cache.Config with { Cmvn = CmvnMode.None }, options.Device))
        {
            for (var start = 0; start < pending.Count; start += options.ShardSize)
            {
                cancel.ThrowIfCancellationRequested();
                var shard = pending.Skip(start).Take(options.ShardSize).ToList();
                ExtractShard(cache, extractor, utterances, keys, shard, parallel);
                computed += shard.Count;
                progress?.Report(new PreparationProgress("features", computed, pending.Count));
            }
        }

        // Which utterances ended up usable.
        var usable = new List<Utterance>();
        var usableKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        var skipped = new List<SkippedUtterance>();
        for (var i = 0; i < utterances.Count; i++)
        {
            var u = utterances[i];
            if (hashFailures[i] is { } reason) skipped.Add(new(u.Split, u.Id, u.AudioPath, reason));
            else if (cache.TryGetFailure(keys[i]!, out var failure)) skipped.Add(new(u.Split, u.Id, u.AudioPath, failure.Reason));
            else
            {
                usable.Add(u);
                usableKeys[u.Id] = keys[i]!;
            }
        }
        return new PreparationResult(usable, usableKeys, skipped, computed, reused);
    }

    private static void ExtractShard(FeatureCache cache, FeatureExtractor extractor, IReadOnlyList<Utterance> utterances, string?[] keys,
                                     List<int> shard, ParallelOptions parallel)
    {
        var waveforms = new Waveform?[shard.Count];
        var reasons = new string?[shard.Count];
        Parallel.For(0, shard.Count, parallel, j =>
        {
            var u = utterances[shard[j]];
            try
            {
                var w = AudioFile.Read(u.AudioPath, u.Offset ?? 0, u.Duration).ResampleTo(cache.Config.SampleRate);
                if (w.Samples.Length < cache.Config.WindowSize)
                    reasons[j] = $"the audio lasts {w.Duration * 1000:0.#} ms, shorter than one {cache.Config.FrameLengthMs} ms frame";
                else waveforms[j] = w;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reasons[j] = e is AudioReadException bad ? bad.Reason : e.Message;
            }
        });
        var good = Enumerable.Range(0, shard.Count).Where(j => waveforms[j] is not null).ToList();
        var items = new List<(string, string, float[])>(good.Count);
        using (var scope = torch.NewDisposeScope())
        {
            var features = extractor.Compute(good.Select(j => waveforms[j]!).ToList());
            for (var n = 0; n < good.Count; n++)
            {
                var u = utterances[shard[good[n]]];
                items.Add((keys[shard[good[n]]]!, u.Id, features[n].ToArray<float>()));
            }
        }
        var failures = Enumerable.Range(0, shard.Count).Where(j => reasons[j] is not null)
            .Select(j => new FeatureCache.Failure(keys[shard[j]]!, utterances[shard[j]].Id, utterances[shard[j]].AudioPath, reasons[j]!)).ToList();
        cache.WriteShard(items, failures);
    }

    /// <summary>
    /// Stage 3: global CMVN statistics over the cached features of <paramref name="utterances"/> (usually the
    /// training split), stored as cmvn-&lt;name&gt;.json in the cache folder; reused when already there.
    /// </summary>
    public static GlobalCmvn GlobalStatistics(FeatureCache cache, PreparationResult prepared, string split)
    {
        var path = Path.Combine(cache.Directory, $"cmvn-{split}.json");
        if (File.Exists(path)) return GlobalCmvn.Load(path);
        var stats = new GlobalCmvn(cache.Config.Dim);
        foreach (var u in prepared.Usable.Where(u => u.Split == split))
        {
            using var scope = torch.NewDisposeScope();
            stats.Accumulate(cache.ReadTensor(prepared.Keys[u.Id]));
        }
        if (stats.Frames == 0) throw new InvalidOperationException($"split {split} has no cached features to take CMVN statistics from");
        stats.Save(path);
        return stats;
    }
}
