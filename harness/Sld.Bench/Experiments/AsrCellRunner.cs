// The experiment of one sweep cell, start to finish: corpus and features (shared stages), tokenizer (shared,
// fitted once), training with checkpoints in the cell's run directory (a resumed cell continues from the last
// one), decoding and scoring of every test set (sclite files next to the numbers in the store), provenance and
// stage timings. A NaN/inf loss ends the cell as diverged with its step; bad input fails it with a message
// naming the file and utterance.
using System.Diagnostics;
using System.Text.Json;
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Scoring;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Sweeps;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Experiments;

public sealed class AsrCellRunner : ICellRunner
{
    public const string CheckpointFolder = "checkpoints";
    public const string ScoringFolder = "scoring";
    public const string ConfigFile = "config.json";

    /// <summary>Binds a cell's resolved config; errors name the file, line and column of the offending value.</summary>
    public static ExperimentConfig Bind(ConfigMap config) => ConfigBinder.Bind<ExperimentConfig>(config);

    public async Task<CellOutcome> RunAsync(CellContext context, CancellationToken cancellation)
    {
        ExperimentConfig config;
        try
        {
            config = Bind(context.Config);
        }
        catch (ConfigException e)
        {
            return new CellOutcome.Failed($"config: {e.Message}");
        }
        var log = context.Log;
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var device = TorchDevice.Auto();
        torch.set_num_threads(Math.Max(1, context.Threads));
        await File.WriteAllTextAsync(Path.Combine(context.RunDirectory, ConfigFile), context.Claim.ConfigJson, CancellationToken.None);
        await context.Store.RecordProvenanceAsync(context.Claim, new RunProvenance(
            GitCommit: GitCommit(), Machine: Environment.MachineName, Device: device.Spec(), LibtorchVersion: $"{TorchRuntime.LibTorchVersion} (TorchSharp, {TorchRuntime.Source})"), CancellationToken.None);

        using var data = await PreparedData.PrepareAsync(config, context.WorkDirectory, context.Store, context.RunDirectory, log, cancellation);
        stages["data"] = Lap(clock);
        using var encoding = await SpeechEncoding.CreateAsync(config.Tokenizer, data, config.Data.Train, context.WorkDirectory, context.Store, log, cancellation);
        stages["tokenizer"] = Lap(clock);

        var train = Encode(encoding, data[config.Data.Train], inference: false);
        var dev = Encode(encoding, data[config.Data.Dev], inference: false);
        var vocabulary = config.Model.Vocabulary(train.Select(u => u.Text), encoding.SpeechTokensPerCodebook, encoding.Codebooks);
        var model = config.Model.ToModelConfig(encoding.FrontEnd, encoding.FeatureDim);
        var decoding = config.Decode.ToDecodeOptions();
        var options = config.Train.ToTrainerOptions(config.Seed, decoding with { Search = SearchKind.Greedy, BeamSize = 1 });
        var loss = config.Loss.ToLossConfig();
        var scoring = new ScoringOptions { Normalization = config.Data.Normalization.Describe() };
        stages["encode"] = Lap(clock);
        var parameters = model.ParameterCount(vocabulary);
        log($"training {model.Layers}x{model.Width} ({parameters:N0} parameters) on {train.Count} utterances, {loss.Name}, " +
            $"{options.MaxSteps} steps, vocabulary {vocabulary.Size}, device {device}");
        await context.Store.RecordProvenanceAsync(context.Claim, new RunProvenance(ParameterCount: parameters,
            DataHash: data.DataHash, TokenizerHash: encoding.TokenizerKey), CancellationToken.None);

        var checkpoints = Path.Combine(context.RunDirectory, CheckpointFolder);
        TrainingResult result;
        using (var metrics = new StoreMetricsSink(context.Store, context.Claim.RunId))
        {
            var trainer = new AsrTrainer(model, vocabulary, loss, options, new InMemoryAsrData(train, dev), checkpoints,
                TestSetEvaluation.CorpusWer, metrics, device);
            var lastLogged = DateTime.UtcNow;
            metrics.OnPoint = (step, name, value) =>
            {
                if (name == MetricNames.DevWer) log($"step {step}: dev WER {value:0.00}%");
                else if (name == MetricNames.Loss && DateTime.UtcNow - lastLogged > TimeSpan.FromSeconds(20))
                {
                    lastLogged = DateTime.UtcNow;
                    log($"step {step}/{options.MaxSteps}: loss {value:0.000}");
                }
            };
            result = await Task.Run(() => trainer.Run(cancellation), CancellationToken.None);
        }
        stages["train"] = Lap(clock);
        switch (result.Outcome)
        {
            case TrainingOutcome.Diverged:
                await RecordStagesAsync(context, stages);
                return new CellOutcome.Diverged(result.DivergedAtStep ?? result.Steps, result.DivergenceReason ?? "non-finite loss");
            case TrainingOutcome.Cancelled:
                throw new OperationCanceledException("training was interrupted; its last checkpoint is kept", cancellation);
        }
        var modelPath = result.BestModel ?? result.LastCheckpoint;
        await context.Store.RecordCheckpointAsync(context.Claim.RunId, result.BestStep, modelPath, result.BestMetric, isBest: true, CancellationToken.None);

        // The floor a model must clear: every test utterance answered with the most frequent training transcript.
        var mostFrequent = data[config.Data.Train].GroupBy(u => u.Text, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
        using (var best = AsrModel.Load(modelPath, device))
        {
            best.eval();
            foreach (var testSet in config.Data.TestSets)
            {
                cancellation.ThrowIfCancellationRequested();
                var utterances = data[testSet];
                var floor = new CorpusScorer(scoring).Score(utterances.Select(u => new UtteranceText(u.Id, u.Source.Speaker, u.Text, mostFrequent))).Wer ?? 0;
                await context.Store.RecordMetricsAsync(context.Claim.RunId, [new MetricPoint(0, $"baseline/most_frequent_sentence_wer@{testSet}", floor)], CancellationToken.None);
                var inputs = Encode(encoding, utterances, inference: true);
                var hypotheses = AsrDecoder.Decode(best, inputs, decoding);
                var score = TestSetEvaluation.Score(utterances.Zip(hypotheses, (u, h) =>
                    new UtteranceText(u.Id, u.Source.Speaker, u.Text, config.Data.Normalization.Normalize(h.Text))
                    {
                        Subset = testSet,
                        DurationSeconds = u.Source.Duration,
                    }).ToList(), hypotheses, scoring, Path.Combine(context.RunDirectory, ScoringFolder, testSet)).Score;
                await context.Store.RecordEvaluationAsync(context.Claim.RunId, Evaluation(testSet, score, decoding, result.BestStep),
                    Utterances(score, utterances), CancellationToken.None);
                log($"{testSet}: %WER {score.Wer ?? 0:0.00} [ {score.Words.Errors} / {score.Words.ReferenceLength}, {score.Words.Insertions} ins, " +
                    $"{score.Words.Deletions} del, {score.Words.Substitutions} sub ], CER {score.Cer ?? 0:0.00}% (most frequent training sentence: %WER {floor:0.00})");
            }
        }
        stages["decode"] = Lap(clock);
        await RecordStagesAsync(context, stages);
        return new CellOutcome.Done();
    }

    private static List<AsrUtterance> Encode(SpeechEncoding encoding, IReadOnlyList<PreparedUtterance> utterances, bool inference) =>
        utterances.Select(u => new AsrUtterance(u.Id, encoding.Encode(u, inference), u.Text)).ToList();

    private static EvaluationRecord Evaluation(string testSet, CorpusScore score, DecodeOptions decoding, long step) => new(
        testSet, score.Words.Correct, score.Words.Substitutions, score.Words.Deletions, score.Words.Insertions,
        score.Characters.Correct, score.Characters.Substitutions, score.Characters.Deletions, score.Characters.Insertions,
        score.Sentences, score.SentencesWithErrors, score.Normalization, JsonSerializer.Serialize(decoding), step);

    private static List<UtteranceRecord> Utterances(CorpusScore score, IReadOnlyList<PreparedUtterance> utterances)
    {
        var metadata = utterances.ToDictionary(u => u.Id, u => u.Source.Metadata, StringComparer.Ordinal);
        return score.Utterances.Select(u => new UtteranceRecord(
            u.Id, u.Speaker, u.DurationSeconds ?? 0, u.Reference, u.Hypothesis, u.Words.Correct, u.Words.Substitutions, u.Words.Deletions,
            u.Words.Insertions, u.WordOps, metadata.TryGetValue(u.Id, out var m) && m.Count > 0 ? JsonSerializer.Serialize(m) : null)).ToList();
    }

    private static Task RecordStagesAsync(CellContext context, Dictionary<string, double> stages) =>
        context.Store.RecordProvenanceAsync(context.Claim, new RunProvenance(StageSeconds: stages), CancellationToken.None);

    private static double Lap(Stopwatch clock)
    {
        var seconds = Math.Round(clock.Elapsed.TotalSeconds, 2);
        clock.Restart();
        return seconds;
    }

    /// <summary>The commit of the checkout this binary runs from, when it is one (SLDBENCH_GIT_COMMIT overrides).</summary>
    private static string? GitCommit()
    {
        if (Environment.GetEnvironmentVariable("SLDBENCH_GIT_COMMIT") is { Length: > 0 } given) return given;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var head = Path.Combine(dir.FullName, ".git", "HEAD");
            if (!File.Exists(head)) continue;
            var text = File.ReadAllText(head).Trim();
            if (!text.StartsWith("ref: ", StringComparison.Ordinal)) return text;
            var refPath = Path.Combine(dir.FullName, ".git", text[5..]);
            if (File.Exists(refPath)) return File.ReadAllText(refPath).Trim();
            var packed = Path.Combine(dir.FullName, ".git", "packed-refs");
            return File.Exists(packed)
                ? File.ReadLines(packed).Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[1] == text[5..])?[0]
                : null;
        }
        return null;
    }
}

/// <summary>Training curves into the results store, written in batches (a resumed run overwrites the steps it repeats).</summary>
public sealed class StoreMetricsSink(ResultsStore store, long runId) : IMetricsSink, IDisposable
{
    private readonly List<MetricPoint> _buffer = [];
    private DateTime _lastFlush = DateTime.UtcNow;

    public Action<long, string, double>? OnPoint { get; set; }

    public void Log(long step, string name, double value)
    {
        _buffer.Add(new MetricPoint(step, name, value));
        OnPoint?.Invoke(step, name, value);
        if (_buffer.Count >= 1000 || DateTime.UtcNow - _lastFlush > TimeSpan.FromSeconds(10) || name.StartsWith("dev/", StringComparison.Ordinal)) Flush();
    }

    public void Flush()
    {
        if (_buffer.Count == 0) return;
        store.RecordMetricsAsync(runId, _buffer.ToList()).GetAwaiter().GetResult();
        _buffer.Clear();
        _lastFlush = DateTime.UtcNow;
    }

    public void Dispose() => Flush();
}
