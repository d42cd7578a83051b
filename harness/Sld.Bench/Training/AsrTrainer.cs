// The training loop: AdamW with warmup and decay, gradient accumulation and clipping, autocast on GPU, token-
// bucketed batches, validation loss and dev WER every N steps, best-model selection and early stopping, and
// resumable checkpoints. Every random draw (dropout, input masking, batch order) derives from (seed, step), so a
// run interrupted and resumed on CPU reaches bit-identical weights and losses. NaN/inf ends the run as Diverged.
using System.Diagnostics;
using System.Globalization;
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sld.Bench.Training;

public sealed class AsrTrainer
{
    private readonly AsrModelConfig _config;
    private readonly AsrVocabulary _vocab;
    private readonly LossConfig _loss;
    private readonly TrainerOptions _options;
    private readonly IAsrDataSource _data;
    private readonly string _directory;
    private readonly Func<IReadOnlyList<(string Id, string Reference, string Hypothesis)>, double>? _scorer;
    private readonly IMetricsSink? _metrics;
    private readonly Device _device;

    /// <param name="checkpointDirectory">Holds last.safetensors (resumed from when present) and best.safetensors.</param>
    /// <param name="devScorer">Corpus WER of (id, reference, hypothesis) triples; without one, the best model is chosen by dev loss.</param>
    public AsrTrainer(AsrModelConfig model, AsrVocabulary vocabulary, LossConfig loss, TrainerOptions options, IAsrDataSource data,
                      string checkpointDirectory, Func<IReadOnlyList<(string Id, string Reference, string Hypothesis)>, double>? devScorer = null,
                      IMetricsSink? metrics = null, Device? device = null)
    {
        model.Validate();
        loss.Validate();
        options.Validate();
        if (data.Train.Count == 0) throw new ArgumentException("the training set is empty");
        if (loss.NeedsSpeechTargets && model.FrontEnd != SpeechFrontEnd.Tokens)
            throw new ArgumentException($"{loss.Name} trains on speech targets, which only the Tokens front end has");
        if (options.Masking is { Scope: MaskScope.Speech, Fraction: > 0 } && model.FrontEnd != SpeechFrontEnd.Tokens)
            throw new ArgumentException("speech input masking replaces token ids; continuous features have none");
        (_config, _vocab, _loss, _options, _data, _directory, _scorer, _metrics) = (model, vocabulary, loss, options, data, checkpointDirectory, devScorer, metrics);
        _device = device ?? torch.CPU;
    }

    public string LastCheckpoint => Path.Combine(_directory, TrainingCheckpoint.LastFile);
    public string BestModelPath => Path.Combine(_directory, TrainingCheckpoint.BestFile);

    /// <summary>Length the batching budget counts for one utterance: speech prefix + text units + 2 specials.</summary>
    public int SequenceLength(AsrUtterance u)
    {
        var prefix = _config.FrontEnd == SpeechFrontEnd.Bridge ? ConvBridge.OutputLength(u.Speech.Frames) : u.Speech.Frames;
        return (int)prefix + _vocab.EncodeText(u.Text).Length + 2;
    }

    public TrainingResult Run(CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(_directory);
        var o = _options;
        if (o.KeepFreedMemory) NativeAllocator.KeepFreedMemory();
        torch.manual_seed(unchecked((long)(o.Seed)));
        using var model = new AsrModel(_config, _vocab);
        if (_device.IsCuda) model.to(_device);
        var parameters = model.parameters().ToList();
        // nanoGPT's groups: weight decay on matrices (and embeddings), none on biases and norms.
        using var optimizer = torch.optim.AdamW(
            [
                new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), o.LearningRate, o.Beta1, o.Beta2, o.AdamEps, o.WeightDecay),
                new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), o.LearningRate, o.Beta1, o.Beta2, o.AdamEps, 0),
            ],
            o.LearningRate, o.Beta1, o.Beta2, o.AdamEps);
        var scaler = new LossScaler(Autocast.ComputeDtype(_device, o.Precision) == ScalarType.Float16);
        var state = File.Exists(LastCheckpoint)
            ? TrainingCheckpoint.Load(LastCheckpoint, model, optimizer)
            : new TrainerState(0, 0, 0, null, 0, 0, scaler.Scale, 0, 0);
        scaler.Restore(state.LossScale, state.LossScaleGoodSteps);
        var sampler = new TokenBucketSampler(_data.Train.Select(SequenceLength).ToList(), o.MaxBatchTokens, o.Seed, shuffle: true, o.MaxBatchSize);
        var epochs = new Dictionary<long, IReadOnlyList<int[]>>();
        var paramCount = model.ParameterCount();

        TrainingResult Result(TrainingOutcome outcome, long? divergedAt = null, string? reason = null) =>
            new(outcome, state.Step, divergedAt, reason, state.BestStep, state.BestMetric, state.BestMetric is null ? null : BestModelPath, LastCheckpoint, paramCount);

        void SaveLast() => TrainingCheckpoint.Save(LastCheckpoint, model, optimizer,
            state with { LossScale = scaler.State.scale, LossScaleGoodSteps = scaler.State.goodSteps, OptimizerSteps = optimizer.StepCount() }, _loss, o);

        while (state.Step < o.MaxSteps)
        {
            if (cancellation.IsCancellationRequested)
            {
                SaveLast();
                return Result(TrainingOutcome.Cancelled);
            }
            var step = state.Step + 1;
            model.train();
            var lr = o.LearningRate * o.Schedule.Factor(step);
            optimizer.SetLearningRate(lr);
            var clock = Stopwatch.StartNew();
            double loss = 0, ceText = 0, ceSpeech = 0, kl = 0, ctc = 0;
            long tokens = 0;
            for (var micro = 0; micro < o.GradientAccumulation; micro++)
            {
                if (!epochs.TryGetValue(state.Epoch, out var batches)) epochs = new() { [state.Epoch] = batches = sampler.Epoch(state.Epoch) };
                var indices = batches[state.Cursor];
                state = state.Cursor + 1 < batches.Count ? state with { Cursor = state.Cursor + 1 } : state with { Epoch = state.Epoch + 1, Cursor = 0 };

                using var scope = torch.NewDisposeScope();
                torch.manual_seed(unchecked((long)(DeterministicRandom.Derive(o.Seed, step, micro)))); // dropout
                var random = new DeterministicRandom(DeterministicRandom.Derive(o.Seed, step, micro, 1)); // input masking
                using var batch = AsrBatch.Collate(indices.Select(i => _data.Train[i]).ToList(), _vocab, _device, o.Masking, random);
                LossBreakdown parts;
                using (Autocast.Enable(_device, o.Precision)) parts = AsrLoss.Compute(model.forward(batch), _vocab, _loss);
                var value = parts.Total.ToDouble();
                if (!double.IsFinite(value)) return Result(TrainingOutcome.Diverged, step, $"loss is {value.ToString(CultureInfo.InvariantCulture)} at step {step}");
                (parts.Total * (scaler.Scale / o.GradientAccumulation)).backward();
                loss += value / o.GradientAccumulation;
                ceText += parts.CeText / o.GradientAccumulation;
                ceSpeech += parts.CeSpeech / o.GradientAccumulation;
                kl += (parts.Kl ?? 0) / o.GradientAccumulation;
                ctc += (parts.Ctc ?? 0) / o.GradientAccumulation;
                tokens += batch.Tokens;
            }
            double norm;
            using (torch.NewDisposeScope()) // clipping and TorchSharp's AdamW make per-parameter temporaries
            {
                if (scaler.Enabled) Unscale(parameters, scaler.Scale);
                norm = torch.nn.utils.clip_grad_norm_(parameters, o.GradClip > 0 ? o.GradClip : double.PositiveInfinity);
                var finite = double.IsFinite(norm);
                if (!finite && !scaler.Enabled)
                    return Result(TrainingOutcome.Diverged, step, $"gradient norm is {norm.ToString(CultureInfo.InvariantCulture)} at step {step}");
                if (scaler.Update(finite)) optimizer.step();
                optimizer.zero_grad();
            }
            state = state with { Step = step };

            Log(step, MetricNames.Loss, loss);
            Log(step, MetricNames.CeText, ceText);
            Log(step, MetricNames.CeSpeech, ceSpeech);
            if (_loss.Strategy == LossStrategy.Sld) Log(step, MetricNames.Kl, kl);
            if (_config.FrontEnd == SpeechFrontEnd.CtcCompression) Log(step, MetricNames.Ctc, ctc);
            Log(step, MetricNames.LearningRate, lr);
            Log(step, MetricNames.GradNorm, norm);
            Log(step, MetricNames.TokensPerSecond, tokens / Math.Max(1e-9, clock.Elapsed.TotalSeconds));
            if (scaler.Enabled) Log(step, MetricNames.LossScale, scaler.Scale);

            var stop = false;
            if ((step % o.EvalEvery == 0 || step == o.MaxSteps) && _data.Dev.Count > 0)
            {
                state = Evaluate(model, state, step);
                stop = o.EarlyStoppingPatience > 0 && state.EvalsWithoutImprovement >= o.EarlyStoppingPatience;
            }
            if (step % o.CheckpointEvery == 0 || step == o.MaxSteps || stop) SaveLast();
            if (stop) return Result(TrainingOutcome.EarlyStopped);
        }
        return Result(TrainingOutcome.Completed);
    }

    private static void Unscale(IReadOnlyList<Tensor> parameters, double scale)
    {
        foreach (var p in parameters)
        {
            using var g = p.grad;
            g?.mul_(1 / scale);
        }
    }

    /// <summary>Validation loss over the whole dev set and, with a scorer, dev WER; keeps best.safetensors up to date.</summary>
    private TrainerState Evaluate(AsrModel model, TrainerState state, long step)
    {
        var dev = _data.Dev;
        model.eval();
        double rows = 0, loss = 0, ceText = 0, ceSpeech = 0, kl = 0, ctc = 0;
        using (torch.no_grad())
        {
            var sampler = new TokenBucketSampler(dev.Select(SequenceLength).ToList(), _options.MaxBatchTokens, 0, shuffle: false, _options.MaxBatchSize);
            foreach (var indices in sampler.Epoch(0))
            {
                using var scope = torch.NewDisposeScope();
                using var batch = AsrBatch.Collate(indices.Select(i => dev[i]).ToList(), _vocab, _device);
                LossBreakdown parts;
                using (Autocast.Enable(_device, _options.Precision)) parts = AsrLoss.Compute(model.forward(batch), _vocab, _loss);
                var n = batch.Count;
                rows += n;
                loss += parts.Total.ToDouble() * n;
                ceText += parts.CeText * n;
                ceSpeech += parts.CeSpeech * n;
                kl += (parts.Kl ?? 0) * n;
                ctc += (parts.Ctc ?? 0) * n;
            }
        }
        Log(step, MetricNames.DevLoss, loss / rows);
        Log(step, MetricNames.DevCeText, ceText / rows);
        Log(step, MetricNames.DevCeSpeech, ceSpeech / rows);
        if (_loss.Strategy == LossStrategy.Sld) Log(step, MetricNames.DevKl, kl / rows);
        if (_config.FrontEnd == SpeechFrontEnd.CtcCompression) Log(step, MetricNames.DevCtc, ctc / rows);

        var metric = loss / rows;
        if (_scorer is not null)
        {
            var subset = _options.DevDecodeLimit is { } limit ? dev.Take(limit).ToList() : dev;
            Hypothesis[] hyps;
            using (Autocast.Enable(_device, _options.Precision)) hyps = [.. AsrDecoder.Decode(model, subset, _options.DevDecodingOrDefault)];
            metric = _scorer(subset.Select((u, i) => (u.Id, u.Text, hyps[i].Text)).ToList());
            Log(step, MetricNames.DevWer, metric);
            Log(step, MetricNames.DevTruncated, hyps.Count(h => h.Truncated) / (double)Math.Max(1, hyps.Length));
        }
        model.train();
        if (state.BestMetric is { } best && !(metric < best)) return state with { EvalsWithoutImprovement = state.EvalsWithoutImprovement + 1 };
        model.Save(BestModelPath, new Dictionary<string, string>
        {
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            [_scorer is null ? "dev_loss" : "dev_wer"] = metric.ToString("R", CultureInfo.InvariantCulture),
        });
        return state with { BestMetric = metric, BestStep = step, EvalsWithoutImprovement = 0 };
    }

    private void Log(long step, string name, double value) => _metrics?.Log(step, name, value);
}
