// Native tensors must not pile up: the live handle count is the same after every training step and after every
// decoding call, and returns to its starting value when the trainer finishes.
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Tests.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Tests.Training;

[Collection(LiveCountCollection.Name)]
public sealed class LiveTensorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"asr-live-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private sealed class CountingSink : IMetricsSink
    {
        public List<long> AtStep { get; } = [];

        public void Log(long step, string name, double value)
        {
            if (name == MetricNames.Loss) AtStep.Add(LiveTensors.Count);
        }
    }

    [Fact]
    public void TrainingAndDecodingDoNotLeakTensors()
    {
        var task = new SyntheticAsrTask(40, 4, seed: 9);
        var config = new AsrModelConfig(Layers: 1, Width: 16, Heads: 2, BlockSize: 128, Dropout: 0.1);
        GC.Collect(); // tensors other tests left to finalizers must not be freed in the middle of this count
        GC.WaitForPendingFinalizers();
        var before = LiveTensors.Count;
        var sink = new CountingSink();
        var options = new TrainerOptions(MaxSteps: 60, LearningRate: 1e-3, GradientAccumulation: 2, MaxBatchTokens: 400, EvalEvery: 15,
            CheckpointEvery: 20, Masking: new InputMasking(0.3), DevDecoding: DecodeOptions.Beam(2, 1.0, 0.5, 3));
        var r = new AsrTrainer(config, task.Vocabulary, LossConfig.Sld(klForm: KlForm.Paper, alpha: 0.1), options, task.Data, _dir, ReferenceWer.Corpus, sink).Run();
        Assert.Equal(TrainingOutcome.Completed, r.Outcome);
        Assert.Equal(60, sink.AtStep.Count);
        Assert.All(sink.AtStep.Skip(1), n => Assert.Equal(sink.AtStep[0], n)); // evaluations and checkpoints included
        Assert.Equal(before, LiveTensors.Count);

        using (var model = AsrModel.Load(r.BestModel!))
        {
            var loaded = LiveTensors.Count;
            for (var i = 0; i < 20; i++)
            {
                var options2 = i % 2 == 0 ? DecodeOptions.Greedy(0.5, 3) : DecodeOptions.Beam(3, 0.5, 0.5, 3);
                Assert.Equal(task.Dev.Count, AsrDecoder.Decode(model, task.Dev, options2 with { BatchSize = 3 }).Count);
                Assert.Equal(loaded, LiveTensors.Count);
            }
        }
        Assert.Equal(before, LiveTensors.Count);
    }
}
