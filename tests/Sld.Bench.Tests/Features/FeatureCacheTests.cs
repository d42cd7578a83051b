// The feature cache and its preparation stages: features read back from the memory-mapped float16 shards
// equal what the extractor computes (to float16 rounding); bad audio is skipped and remembered; a second run
// computes nothing; a run cancelled midway resumes with only the remaining utterances; a killed writer's
// leftovers never become visible; changed audio or another config never reuses stale features.
using Sld.Bench.Audio;
using Sld.Bench.Data;
using Sld.Bench.Features;
using Sld.Bench.Tests.Audio;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Features;

public class FeatureCacheTests
{
    private static readonly FeatureConfig Config = new() { NumMelBins = 40 };

    /// <summary>Eight good utterances (two share their audio bytes) and three bad ones.</summary>
    private static List<Utterance> MakeCorpus(TempDirectory dir)
    {
        var list = new List<Utterance>();
        for (var i = 0; i < 7; i++)
        {
            var path = dir.File($"u{i}.flac");
            AudioFile.Write(path, Signals.Noise(4000 + 1500 * i, seed: i), 16000);
            list.Add(new Utterance($"u{i}", "s", "train", path, "A B"));
        }
        File.Copy(dir.File("u3.flac"), dir.File("copy.flac"));
        list.Add(new Utterance("copy", "s", "train", dir.File("copy.flac"), "A B"));
        File.WriteAllBytes(dir.File("bad.flac"), [1, 2, 3, 4, 5, 6, 7, 8]);
        list.Add(new Utterance("bad", "s", "train", dir.File("bad.flac"), "A B"));
        list.Add(new Utterance("gone", "s", "train", dir.File("gone.flac"), "A B"));
        AudioFile.Write(dir.File("short.wav"), new float[200], 16000);
        list.Add(new Utterance("short", "s", "train", dir.File("short.wav"), "A B"));
        return list;
    }

    [Fact]
    public void PreparedFeaturesReadBackAndASecondRunComputesNothing()
    {
        using var dir = new TempDirectory();
        var corpus = MakeCorpus(dir);
        using (var cache = FeatureCache.Open(dir.File("cache"), Config))
        {
            var result = FeaturePreparation.Run(cache, corpus, new PreparationOptions { ShardSize = 3 });
            Assert.Equal(8, result.Usable.Count);
            Assert.Equal(9, result.Computed); // 7 distinct good keys + 2 failures (the missing file fails at hashing)
            Assert.Equal(result.Keys["u3"], result.Keys["copy"]);
            var reasons = result.Skipped.ToDictionary(s => s.Id, s => s.Reason);
            Assert.Equal(["bad", "gone", "short"], reasons.Keys.Order());
            Assert.Contains("not a readable audio file", reasons["bad"]);
            Assert.Contains("does not exist", reasons["gone"]);
            Assert.Contains("shorter than one", reasons["short"]);
            Assert.All(result.Skipped, s => Assert.EndsWith(s.Id + Path.GetExtension(s.Path), s.Path));

            using var extractor = new FeatureExtractor(Config);
            foreach (var u in result.Usable)
            {
                using var scope = torch.NewDisposeScope();
                var expected = extractor.Compute(AudioFile.Read(u.AudioPath)).ToArray<float>();
                var cached = cache.Read(result.Keys[u.Id]);
                Assert.Equal(expected.Length, cached.Length);
                for (var i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - cached[i]) <= Math.Abs(expected[i]) / 1024 + 1e-6, $"{u.Id}[{i}]: {cached[i]} vs {expected[i]}");
                Assert.Equal([expected.Length / 40L, 40], cache.ReadTensor(result.Keys[u.Id]).shape);
            }
        }
        using (var reopened = FeatureCache.Open(dir.File("cache"), Config))
        {
            var again = FeaturePreparation.Run(reopened, corpus, new PreparationOptions { ShardSize = 3 });
            Assert.Equal(0, again.Computed);
            Assert.Equal(8 + 2, again.Reused);
            Assert.Equal(["bad", "gone", "short"], again.Skipped.Select(s => s.Id).Order());
            Assert.Equal(7, reopened.Count);
        }
    }

    [Fact]
    public void ACancelledRunResumesWithTheRemainingShards()
    {
        using var dir = new TempDirectory();
        var corpus = MakeCorpus(dir).Take(7).ToList();
        using var cancel = new CancellationTokenSource();
        var progress = new Progress(p =>
        {
            if (p.Stage == "features" && p.Done >= 2) cancel.Cancel();
        });
        using (var cache = FeatureCache.Open(dir.File("cache"), Config))
            Assert.ThrowsAny<OperationCanceledException>(() =>
                FeaturePreparation.Run(cache, corpus, new PreparationOptions { ShardSize = 2 }, progress, cancel.Token));

        using var resumed = FeatureCache.Open(dir.File("cache"), Config);
        Assert.Equal(2, resumed.Count);
        var result = FeaturePreparation.Run(resumed, corpus, new PreparationOptions { ShardSize = 2 });
        Assert.Equal((5, 2), (result.Computed, result.Reused));
        Assert.Equal(7, resumed.Count);
        Assert.Empty(Directory.GetFiles(resumed.Directory, "*.tmp"));
        Assert.Equal(4, Directory.GetFiles(resumed.Directory, "shard-*.done").Length);
    }

    [Fact]
    public void AKilledWritersLeftoversAreRemovedWhenTheCacheOpens()
    {
        using var dir = new TempDirectory();
        var corpus = MakeCorpus(dir).Take(2).ToList();
        string cacheDir;
        using (var cache = FeatureCache.Open(dir.File("cache"), Config))
        {
            FeaturePreparation.Run(cache, corpus);
            cacheDir = cache.Directory;
        }
        // What a kill leaves behind: a shard still being written, and one renamed but without its done marker.
        File.WriteAllBytes(Path.Combine(cacheDir, "shard-00001.f16.tmp"), new byte[100]);
        File.WriteAllBytes(Path.Combine(cacheDir, "shard-00002.f16"), new byte[100]);
        File.WriteAllText(Path.Combine(cacheDir, "shard-00002.json"), "{\"Dim\":40,\"Items\":[{\"Key\":\"x\",\"Id\":\"x\",\"Frames\":1}],\"Failures\":[]}");

        using var reopened = FeatureCache.Open(dir.File("cache"), Config);
        Assert.Equal(2, reopened.Count);
        Assert.False(reopened.Contains("x"));
        Assert.Equal(["shard-00000.done", "shard-00000.f16", "shard-00000.json"],
            Directory.GetFiles(cacheDir, "shard-*").Select(Path.GetFileName).Order());
    }

    [Fact]
    public void ChangedAudioIsRecomputedAndAnotherConfigGetsItsOwnFolder()
    {
        using var dir = new TempDirectory();
        var corpus = MakeCorpus(dir).Take(2).ToList();
        using (var cache = FeatureCache.Open(dir.File("cache"), Config))
        {
            var first = FeaturePreparation.Run(cache, corpus);
            AudioFile.Write(corpus[0].AudioPath, Signals.Noise(5000, seed: 99), 16000);
            File.SetLastWriteTimeUtc(corpus[0].AudioPath, DateTime.UtcNow.AddMinutes(1));
            var second = FeaturePreparation.Run(cache, corpus);
            Assert.Equal((1, 1), (second.Computed, second.Reused));
            Assert.NotEqual(first.Keys["u0"], second.Keys["u0"]);
            Assert.Equal(first.Keys["u1"], second.Keys["u1"]);
        }
        using var other = FeatureCache.Open(dir.File("cache"), Config with { NumMelBins = 24 });
        Assert.Equal(0, other.Count);
        File.WriteAllText(Path.Combine(other.Directory, FeatureCache.ConfigFile), "something else\n");
        Assert.Throws<InvalidDataException>(() => FeatureCache.Open(dir.File("cache"), Config with { NumMelBins = 24 }));
    }

    [Fact]
    public void GlobalCmvnStatisticsAreAStageWithAResult()
    {
        using var dir = new TempDirectory();
        var corpus = MakeCorpus(dir).Take(4).ToList();
        using var cache = FeatureCache.Open(dir.File("cache"), Config);
        var prepared = FeaturePreparation.Run(cache, corpus);
        var stats = FeaturePreparation.GlobalStatistics(cache, prepared, "train");
        var frames = corpus.Sum(u => (int)(1 + (AudioFile.ReadInfo(u.AudioPath).Frames - 400) / 160));
        Assert.Equal(frames, stats.Frames);
        Assert.True(File.Exists(Path.Combine(cache.Directory, "cmvn-train.json")));
        Assert.Equal(stats.Mean(), FeaturePreparation.GlobalStatistics(cache, prepared, "train").Mean());
        Assert.Throws<InvalidOperationException>(() => FeaturePreparation.GlobalStatistics(cache, prepared, "dev"));
    }

    private sealed class Progress(Action<PreparationProgress> report) : IProgress<PreparationProgress>
    {
        public void Report(PreparationProgress value) => report(value);
    }
}
