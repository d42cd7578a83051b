// Proof that the whole stack learns: on the toy acoustic task (unseen dev sentences), a tiny model trained for a
// few hundred steps on 2 CPU cores gets a dev WER far below predicting the most frequent training sentence.
using System.Diagnostics;
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Training;
using Xunit.Abstractions;

namespace Sld.Bench.Tests.Training;

[Collection(GlobalRngCollection.Name)]
public sealed class SyntheticTaskTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"asr-learn-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void TrainingTakesDevWerFarBelowTheMajoritySentence()
    {
        var task = new SyntheticAsrTask(trainCount: 1500, devCount: 40, seed: 21);
        var baseline = task.MajoritySentenceWer();
        var config = new AsrModelConfig(Layers: 2, Width: 64, Heads: 4, BlockSize: 128, Dropout: 0.0, Positions: PositionEncoding.Rotary);
        var options = new TrainerOptions(MaxSteps: 300, LearningRate: 5e-3, WarmupSteps: 20, Decay: DecayKind.Cosine, MinLrFactor: 0.1,
            WeightDecay: 0.01, MaxBatchTokens: 2048, EvalEvery: 100, CheckpointEvery: 300, Seed: 3, DevDecoding: DecodeOptions.Greedy(1.0, 5));
        var sink = new InMemoryMetricsSink();
        var clock = Stopwatch.StartNew();
        var r = new AsrTrainer(config, task.Vocabulary, LossConfig.Sld(), options, task.Data, _dir, ReferenceWer.Corpus, sink).Run();
        clock.Stop();
        var wers = sink.Series(MetricNames.DevWer);
        var losses = sink.Series(MetricNames.Loss);
        output.WriteLine($"majority-sentence WER {baseline:F3}; dev WER by step {string.Join(", ", wers.Select(w => $"{w.step}: {w.value:F3}"))}; " +
                         $"loss {losses[0].value:F3} -> {losses[^1].value:F3}; {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(TrainingOutcome.Completed, r.Outcome);
        Assert.InRange(baseline, 0.8, 1.2);
        Assert.InRange(r.BestMetric!.Value, 0, 0.35); // measured 0.21 (majority sentence: 0.895)
        Assert.True(wers[0].value > r.BestMetric.Value, "dev WER should fall with training");
        Assert.True(losses[^1].value < 0.5 * losses[0].value);
    }
}
