// The C# side of the benchmark, run in a fresh process: loads the shared weights, decodes the benchmark's
// utterances greedily with the KV cache (utterances/s), then times SLD training steps (forward with the speech
// prefix, loss, backward, clipping, AdamW) in tokens/s; each rate per wall second and per process CPU second. The utterances match the Python reference's formula.
using System.Diagnostics;
using System.Text.Json;
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Sld.Bench.Training;

namespace Sld.Bench.Bench.Asr;

public static class CSharpAsrMeasurement
{
    public const int TextUnits = 28;

    public static AsrVocabulary Vocabulary(int K) => new(Enumerable.Range(0, TextUnits).Select(i => ((char)('a' + i)).ToString()), K);

    public static AsrModelConfig Config(AsrBenchOptions o) =>
        new(Layers: o["layers"], Width: o["width"], Heads: o["heads"], BlockSize: o["block"], Dropout: 0);

    /// <summary>Utterance b of the benchmark (the same formula as bench/reference/asr_train_decode.py).</summary>
    public static AsrUtterance Utterance(int b, AsrBenchOptions o, AsrVocabulary vocab)
    {
        var s = o["speech"] + b * 37 % 64 - 32;
        var m = o["text"] + b * 13 % 20 - 10;
        var ids = Enumerable.Range(0, s).Select(t => (b * 31 + t * 7) % o["K"]).ToArray();
        var text = vocab.DecodeText(Enumerable.Range(0, m).Select(j => vocab.TextOffset + (b * 5 + j * 3) % TextUnits));
        return new AsrUtterance($"u{b}", new SpeechTokens(ids), text);
    }

    public static string Run(AsrBenchOptions o)
    {
        torch.set_num_threads(o["threads"]);
        if (!NativeAllocator.KeepFreedMemory()) throw new InvalidOperationException("could not tune glibc's allocator");
        using var model = AsrModel.Load(o.Weights!);
        var vocab = model.Vocabulary;

        var utts = Enumerable.Range(0, o["decode-utts"]).Select(b => Utterance(b, o, vocab)).ToList();
        var decode = DecodeOptions.Greedy(0, o["max-new"]) with { BatchSize = o["decode-batch"] };
        var rates = new List<double>();
        var cpuRates = new List<double>();
        var tokens = 0L;
        for (var pass = 0; pass <= o["decode-passes"]; pass++)
        {
            var (clock, cpu) = (Stopwatch.StartNew(), CpuSeconds());
            var hyps = AsrDecoder.Decode(model, utts, decode);
            rates.Add(utts.Count / clock.Elapsed.TotalSeconds);
            cpuRates.Add(utts.Count / (CpuSeconds() - cpu));
            tokens = hyps.Sum(h => h.Tokens.Length + (h.End == EndReason.TextEnd ? 1 : 0));
        }

        model.train();
        var parameters = model.parameters().ToList();
        using var optimizer = torch.optim.AdamW([new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), lr: 3e-4, weight_decay: 0.01), new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), lr: 3e-4, weight_decay: 0)], lr: 3e-4);
        using var batch = AsrBatch.Collate(Enumerable.Range(0, o["batch"]).Select(b => Utterance(b, o, vocab)).ToList(), vocab, torch.CPU);
        var loss = LossConfig.Sld();
        var stepTimes = new List<double>();
        var stepCpu = new List<double>();
        var firstLoss = double.NaN;
        for (var step = 0; step < o["warmup"] + o["steps"]; step++)
        {
            var (clock, cpu) = (Stopwatch.StartNew(), CpuSeconds());
            using var scope = torch.NewDisposeScope();
            var parts = AsrLoss.Compute(model.forward(batch), vocab, loss);
            parts.Total.backward();
            torch.nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            optimizer.zero_grad();
            var value = parts.Total.ToDouble();
            if (step == 0) firstLoss = value;
            if (step < o["warmup"]) continue;
            stepTimes.Add(clock.Elapsed.TotalSeconds);
            stepCpu.Add(CpuSeconds() - cpu);
        }
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["implementation"] = "csharp",
            ["train_tokens_per_s"] = batch.Tokens / Median(stepTimes),
            ["train_tokens_per_cpu_s"] = batch.Tokens / Median(stepCpu),
            ["train_tokens_per_step"] = batch.Tokens,
            ["first_loss"] = firstLoss,
            ["decode_utterances_per_s"] = Median(rates.Skip(1).ToList()), // the first pass warms up
            ["decode_utterances_per_cpu_s"] = Median(cpuRates.Skip(1).ToList()),
            ["decode_tokens"] = tokens,
            ["torch"] = $"LibTorch {TorchRuntime.LibTorchVersion} (TorchSharp)",
        });
    }

    /// <summary>CPU time of the whole process (every thread): under a shared machine's load, a fairer clock than wall time.</summary>
    public static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    public static double Median(IReadOnlyList<double> xs)
    {
        var s = xs.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
