// How far a model preset gets in a fixed CPU budget: runs the real AsrTrainer (bucketed batches, input masking,
// SLD loss, AdamW, clipping) on a demo-sized synthetic set (~2,000 utterances of k-means-like units at 50 Hz
// after dedup, character transcripts) for a wall-clock budget and prints tokens/s, steps and the loss curve's ends.
// No reference implementation: this sizes the `tiny` preset for the 2-3 minute demo, it is not a ratio.
using System.Diagnostics;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Bench.Asr;

public static class PresetTrainingMeasurement
{
    private const string Letters = "abcdefghijklmnopqrstuvwxyz '";

    /// <summary>
    /// Utterance i: 2-4 s of speech as units (about 30 units/s after dedup of 50 Hz k-means ids), a transcript of
    /// about 14 characters per second; lengths and ids from a fixed random stream.
    /// </summary>
    public static AsrUtterance Utterance(int i, int K, DeterministicRandom random)
    {
        var seconds = 2 + 2 * random.NextDouble();
        var units = (int)(seconds * 30);
        var chars = (int)(seconds * 14);
        var ids = Enumerable.Range(0, units).Select(_ => random.NextInt(K)).ToArray();
        var text = new string(Enumerable.Range(0, chars).Select(_ => Letters[random.NextInt(Letters.Length)]).ToArray()).Trim();
        return new AsrUtterance($"u{i:D5}", new SpeechTokens(ids), text.Length == 0 ? "a" : text);
    }

    /// <param name="shape">Layers, width and heads overriding the preset's (0 keeps the preset's value).</param>
    public static void Run(string preset, int utterances, int seconds, int threads, int maxBatchTokens, int K, (int layers, int width, int heads) shape)
    {
        torch.set_num_threads(threads);
        var random = new DeterministicRandom(7);
        var train = Enumerable.Range(0, utterances).Select(i => Utterance(i, K, random)).ToList();
        var vocab = new AsrVocabulary(Letters.Select(c => c.ToString()), K);
        var config = AsrModelConfig.Preset(preset);
        config = config with
        {
            Layers = shape.layers > 0 ? shape.layers : config.Layers,
            Width = shape.width > 0 ? shape.width : config.Width,
            Heads = shape.heads > 0 ? shape.heads : config.Heads,
        };
        // TrainerOptions.Tiny with no dev set (no evaluation) and the SLD code's 30% input masking.
        var options = TrainerOptions.Tiny(100_000) with { MaxBatchTokens = maxBatchTokens, CheckpointEvery = 1_000_000, Masking = new InputMasking(0.3) };
        var directory = Directory.CreateTempSubdirectory("sld-bench-preset-");
        var sink = new InMemoryMetricsSink();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var (clock, cpu) = (Stopwatch.StartNew(), CSharpAsrMeasurement.CpuSeconds());
        var trainer = new AsrTrainer(config, vocab, LossConfig.Sld(), options, new InMemoryAsrData(train, []), directory.FullName, metrics: sink);
        var result = trainer.Run(cancel.Token);
        var (wall, cpuSeconds) = (clock.Elapsed.TotalSeconds, CSharpAsrMeasurement.CpuSeconds() - cpu);
        // Tokens trained: the batches the saved (epoch, cursor) says were consumed, re-created from the sampler.
        var state = TrainingCheckpoint.ReadState(result.LastCheckpoint);
        var sampler = new TokenBucketSampler(train.Select(trainer.SequenceLength).ToList(), maxBatchTokens, options.Seed, true, options.MaxBatchSize);
        var trained = 0L;
        for (var e = 0L; e <= state.Epoch; e++)
            foreach (var batch in sampler.Epoch(e).Take(e < state.Epoch ? int.MaxValue : state.Cursor))
                trained += batch.Sum(i => (long)train[i].Speech.Frames + vocab.EncodeText(train[i].Text).Length + 2);
        directory.Delete(recursive: true);

        var rates = sink.Series(MetricNames.TokensPerSecond).Select(p => p.value).ToList();
        var losses = sink.Series(MetricNames.Loss).Select(p => p.value).ToList();
        var tokens = train.Sum(u => (long)u.Speech.Frames + u.Text.Length + 2);
        Console.WriteLine($"preset {preset}: {config.Layers} layers x {config.Width} ({config.Heads} heads), {result.ParameterCount:N0} parameters; " +
                          $"{utterances} utterances ({tokens:N0} tokens, mean length {tokens / (double)utterances:F0}), K = {K}, " +
                          $"{maxBatchTokens} tokens per batch, {threads} threads");
        Console.WriteLine($"  {result.Steps} steps in {wall:F0} s ({result.Steps / wall:F2} steps/s, {result.Steps * (double)maxBatchTokens / tokens:F1} epochs at most); " +
                          $"tokens/s median {CSharpAsrMeasurement.Median(rates):F0} (min {rates.Min():F0}, max {rates.Max():F0}); " +
                          $"loss {losses[0]:F3} -> {losses.TakeLast(10).Average():F3} (mean of the last 10 steps)");
        Console.WriteLine($"  {trained:N0} tokens trained: {trained / wall:F0} tokens/s wall, {trained / cpuSeconds:F0} tokens per process CPU second " +
                          $"({cpuSeconds:F0} CPU s, {cpuSeconds / wall:F2} cores busy on average; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }
}
