// The training loop's contract: an interrupted and resumed run reaches bit-identical losses and weights, NaN ends
// the run as Diverged naming the step, early stopping and best-model selection follow dev WER, accumulation
// consumes and averages its micro-batches, the lr follows the schedule, and the checkpoint holds what it should.
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Tests.Training;

[Collection(GlobalRngCollection.Name)]
public sealed class AsrTrainerTests : IDisposable
{
    private static readonly AsrModelConfig Config = new(Layers: 2, Width: 32, Heads: 2, BlockSize: 128, Dropout: 0.1);
    private static readonly SyntheticAsrTask Task = new(trainCount: 48, devCount: 6, seed: 5);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"asr-trainer-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private static TrainerOptions Options(long steps) => new(
        MaxSteps: steps, LearningRate: 3e-3, WarmupSteps: 3, Decay: DecayKind.Cosine, GradClip: 1.0, GradientAccumulation: 2,
        MaxBatchTokens: 500, EvalEvery: 4, CheckpointEvery: 4, Seed: 5, Masking: new InputMasking(0.3),
        DevDecoding: DecodeOptions.Greedy(0.5, 4));

    private AsrTrainer Trainer(string name, TrainerOptions options, IMetricsSink sink, LossConfig? loss = null,
                               Func<IReadOnlyList<(string Id, string Reference, string Hypothesis)>, double>? scorer = null) =>
        new(Config, Task.Vocabulary, loss ?? LossConfig.Sld(), options, Task.Data, Path.Combine(_root, name), scorer ?? ReferenceWer.Corpus, sink);

    private sealed class CancelAt(long step, CancellationTokenSource cts) : IMetricsSink
    {
        public InMemoryMetricsSink Inner { get; } = new();

        public void Log(long s, string name, double value)
        {
            Inner.Log(s, name, value);
            if (s == step && name == MetricNames.TokensPerSecond) cts.Cancel();
        }
    }

    private static void AssertSameTensors(string a, string b, bool trainingCheckpoint)
    {
        var (ta, ma) = SafeTensors.LoadWithMetadata(a);
        var (tb, _) = SafeTensors.LoadWithMetadata(b);
        try
        {
            Assert.Equal(ta.Keys.Order(), tb.Keys.Order());
            foreach (var (name, t) in ta) Assert.True(t.ToBytes().AsSpan().SequenceEqual(tb[name].ToBytes()), $"{name} differs");
            Assert.Equal(trainingCheckpoint, ta.Keys.Any(k => k.StartsWith("optim.state.", StringComparison.Ordinal)));
            Assert.Equal(trainingCheckpoint, ma.ContainsKey("trainer_state"));
            Assert.Equal(trainingCheckpoint ? TrainingCheckpoint.Format : AsrModel.FormatName, ma["format"]);
        }
        finally
        {
            foreach (var t in ta.Values.Concat(tb.Values)) t.Dispose();
        }
    }

    private static double[] Values(InMemoryMetricsSink sink, string name) => sink.Series(name).Select(p => p.value).ToArray();

    [Fact]
    public void AnInterruptedRunResumesToBitIdenticalLossesAndWeights()
    {
        var straight = new InMemoryMetricsSink();
        var a = Trainer("a", Options(12), straight).Run();
        Assert.Equal((TrainingOutcome.Completed, 12L), (a.Outcome, a.Steps));

        using var cts = new CancellationTokenSource();
        var first = new CancelAt(6, cts);
        var b1 = Trainer("b", Options(12), first).Run(cts.Token);
        Assert.Equal((TrainingOutcome.Cancelled, 6L), (b1.Outcome, b1.Steps));
        Assert.Equal(6L, TrainingCheckpoint.ReadState(b1.LastCheckpoint).Step);
        var second = new InMemoryMetricsSink();
        var b2 = Trainer("b", Options(12), second).Run();
        Assert.Equal((TrainingOutcome.Completed, 12L), (b2.Outcome, b2.Steps));

        foreach (var name in new[] { MetricNames.Loss, MetricNames.CeText, MetricNames.CeSpeech, MetricNames.Kl, MetricNames.GradNorm, MetricNames.LearningRate, MetricNames.DevLoss, MetricNames.DevWer })
            Assert.Equal(Values(straight, name), Values(first.Inner, name).Concat(Values(second, name)));
        Assert.Equal(12, Values(straight, MetricNames.Loss).Length);
        Assert.Equal(3, Values(straight, MetricNames.DevWer).Length);
        Assert.True(Values(straight, MetricNames.Loss).Distinct().Count() == 12);
        Assert.Equal((a.BestStep, a.BestMetric), (b2.BestStep, b2.BestMetric));
        AssertSameTensors(a.LastCheckpoint, b2.LastCheckpoint, trainingCheckpoint: true);
        AssertSameTensors(a.BestModel!, b2.BestModel!, trainingCheckpoint: false);
    }

    [Fact]
    public void NanFeaturesStopTheRunAsDivergedAtTheirStep()
    {
        var nan = Enumerable.Range(0, 8).Select(i => new AsrUtterance($"n{i}", new SpeechFeatures(Enumerable.Repeat(float.NaN, 40 * 3).ToArray(), 40, 3), "one")).ToList();
        var trainer = new AsrTrainer(Config with { FrontEnd = SpeechFrontEnd.Bridge, FeatureDim = 3 }, Task.Vocabulary, LossConfig.LossMasking(),
            new TrainerOptions(MaxSteps: 5), new InMemoryAsrData(nan, nan), Path.Combine(_root, "nan"));
        var r = trainer.Run();
        Assert.Equal(TrainingOutcome.Diverged, r.Outcome);
        Assert.Equal(1L, r.DivergedAtStep);
        Assert.Contains("loss is NaN at step 1", r.DivergenceReason);
        Assert.Null(r.BestModel);
        Assert.False(File.Exists(r.LastCheckpoint));
    }

    [Fact]
    public void EarlyStoppingKeepsTheBestModelByDevWer()
    {
        var wers = new Queue<double>([0.9, 0.7, 0.8, 0.75, 0.6]);
        var sink = new InMemoryMetricsSink();
        var r = Trainer("early", Options(20) with { EvalEvery = 2, EarlyStoppingPatience = 2, Masking = null }, sink, LossConfig.LossMasking(), _ => wers.Dequeue()).Run();
        Assert.Equal(TrainingOutcome.EarlyStopped, r.Outcome);
        Assert.Equal(8L, r.Steps); // evaluations at 2, 4 (best), 6, 8: two without improvement
        Assert.Equal((4L, 0.7), (r.BestStep, r.BestMetric));
        Assert.Equal([0.9, 0.7, 0.8, 0.75], Values(sink, MetricNames.DevWer));
        Assert.Equal(8L, TrainingCheckpoint.ReadState(r.LastCheckpoint).Step);
        Assert.Empty(sink.Series(MetricNames.Kl)); // loss masking has no KL term to report

        using var best = AsrModel.Load(r.BestModel!);
        Assert.Equal(Config, best.Config);
        Assert.Equal(Task.Vocabulary, best.Vocabulary);
    }

    [Fact]
    public void StepsConsumeTheirMicroBatchesAndFollowTheLrSchedule()
    {
        var sink = new InMemoryMetricsSink();
        var options = Options(7) with { GradientAccumulation = 3, EvalEvery = 100 };
        var trainer = Trainer("accumulate", options, sink);
        var r = trainer.Run();
        var perEpoch = new TokenBucketSampler(Task.Train.Select(trainer.SequenceLength).ToList(), options.MaxBatchTokens, options.Seed, true, options.MaxBatchSize).Epoch(0).Count;
        var state = TrainingCheckpoint.ReadState(r.LastCheckpoint);
        Assert.Equal(7 * 3, state.Epoch * perEpoch + state.Cursor);
        Assert.Equal(7L, state.OptimizerSteps);
        var lr = Values(sink, MetricNames.LearningRate);
        Assert.Equal(Enumerable.Range(1, 7).Select(s => 3e-3 * options.Schedule.Factor(s)), lr);
        Assert.Equal([1e-3, 2e-3, 3e-3], lr[..3].Select(x => Math.Round(x, 12))); // warmup
        Assert.True(lr[3] > lr[5] && lr[5] > lr[6]); // cosine decay
        Assert.All(Values(sink, MetricNames.TokensPerSecond), t => Assert.True(t > 100));
        Assert.All(Values(sink, MetricNames.GradNorm), g => Assert.True(g > 0 && double.IsFinite(g)));
        Assert.Single(sink.Series(MetricNames.DevWer)); // only after the last step
    }

    [Fact]
    public void AccumulatedStepAveragesItsMicroBatchesLossesAndGradients()
    {
        // Without dropout and masking, step 1 of a 2-micro-batch run is fully determined by the seed and the
        // sampler's first two batches: the logged loss is the mean of their losses, the logged gradient norm is
        // the norm of the mean of their gradients (clipping off).
        var config = Config with { Dropout = 0 };
        var options = Options(1) with { GradientAccumulation = 2, GradClip = 0, Masking = null, EvalEvery = 100 };
        var sink = new InMemoryMetricsSink();
        var trainer = new AsrTrainer(config, Task.Vocabulary, LossConfig.MultimodalCe(), options, Task.Data, Path.Combine(_root, "micro"), metrics: sink);
        trainer.Run();

        var batches = new TokenBucketSampler(Task.Train.Select(trainer.SequenceLength).ToList(), options.MaxBatchTokens, options.Seed, true, options.MaxBatchSize).Epoch(0);
        torch.manual_seed(unchecked((long)(options.Seed)));
        using var model = new AsrModel(config, Task.Vocabulary);
        var losses = new List<double>();
        foreach (var indices in batches.Take(2))
        {
            using var scope = torch.NewDisposeScope();
            using var batch = AsrBatch.Collate(indices.Select(i => Task.Train[i]).ToList(), Task.Vocabulary, torch.CPU);
            var loss = AsrLoss.Compute(model.forward(batch), Task.Vocabulary, LossConfig.MultimodalCe()).Total;
            losses.Add(loss.ToDouble());
            (loss / 2).backward();
        }
        Assert.NotEqual(losses[0], losses[1]);
        var norm = torch.nn.utils.clip_grad_norm_(model.parameters().ToList(), double.PositiveInfinity);
        Assert.Equal(losses.Average(), Values(sink, MetricNames.Loss)[0], 6);
        Assert.Equal(norm, Values(sink, MetricNames.GradNorm)[0], 5);
    }

    [Fact]
    public void TheBestModelReproducesItsDevWer()
    {
        var r = Trainer("best", Options(8) with { Masking = null }, new InMemoryMetricsSink(), LossConfig.MultimodalCe()).Run();
        using var best = AsrModel.Load(r.BestModel!);
        var hyps = AsrDecoder.Decode(best, Task.Dev, DecodeOptions.Greedy(0.5, 4));
        Assert.Equal(r.BestMetric!.Value, ReferenceWer.Corpus(Task.Dev.Select((u, i) => (u.Id, u.Text, hyps[i].Text)).ToList()), 12);
        Assert.True(r.ParameterCount == Config.ParameterCount(Task.Vocabulary));
    }

    [Theory]
    [InlineData(SpeechFrontEnd.Bridge)]
    [InlineData(SpeechFrontEnd.CtcCompression)]
    public void ContinuousFeaturesTrainThroughTheirFrontEnd(SpeechFrontEnd frontEnd)
    {
        // Features: each token as a scaled one-hot row, so the front end sees the same information.
        static AsrUtterance AsFeatures(AsrUtterance u)
        {
            var ids = ((SpeechTokens)u.Speech).Ids[0];
            var x = new float[ids.Length * SyntheticAsrTask.K];
            for (var t = 0; t < ids.Length; t++) x[t * SyntheticAsrTask.K + ids[t]] = 3;
            return u with { Speech = new SpeechFeatures(x, ids.Length, SyntheticAsrTask.K) };
        }
        var data = new InMemoryAsrData(Task.Train.Select(AsFeatures).ToList(), Task.Dev.Select(AsFeatures).ToList());
        var sink = new InMemoryMetricsSink();
        var config = Config with { FrontEnd = frontEnd, FeatureDim = SyntheticAsrTask.K };
        var loss = LossConfig.LossMasking() with { CtcWeight = 0.5 };
        var r = new AsrTrainer(config, Task.Vocabulary, loss, Options(6) with { Masking = null, EvalEvery = 3 }, data,
            Path.Combine(_root, frontEnd.ToString()), ReferenceWer.Corpus, sink).Run();
        Assert.True(r.Outcome == TrainingOutcome.Completed, r.DivergenceReason);
        var total = Values(sink, MetricNames.Loss);
        var text = Values(sink, MetricNames.CeText);
        Assert.Equal(2, Values(sink, MetricNames.DevWer).Length);
        if (frontEnd == SpeechFrontEnd.Bridge)
        {
            Assert.Empty(sink.Series(MetricNames.Ctc));
            Assert.Equal(text, total); // loss masking without a CTC head: the text CE is the loss
            return;
        }
        var ctc = Values(sink, MetricNames.Ctc);
        Assert.Equal(6, ctc.Length);
        Assert.All(ctc, c => Assert.InRange(c, 0.01, 100));
        for (var i = 0; i < 6; i++) Assert.Equal(text[i] + 0.5 * ctc[i], total[i], 5); // L_LM + lambda * L_CTC
    }

    [Fact]
    public void RefusesCombinationsThatCannotTrain()
    {
        var features = Config with { FrontEnd = SpeechFrontEnd.Bridge, FeatureDim = 4 };
        Assert.Throws<ArgumentException>(() => new AsrTrainer(features, Task.Vocabulary, LossConfig.Sld(), Options(1), Task.Data, _root));
        Assert.Throws<ArgumentException>(() => new AsrTrainer(features, Task.Vocabulary, LossConfig.LossMasking(), Options(1), Task.Data, _root));
        Assert.Throws<ArgumentException>(() => new AsrTrainer(Config, Task.Vocabulary, LossConfig.LossMasking(), Options(0), Task.Data, _root));
    }
}
