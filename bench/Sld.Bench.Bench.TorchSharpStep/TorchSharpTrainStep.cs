// The TorchSharp training step, timed the way the old binding's C# worker times its own: forward,
// cross-entropy, backward, clip_grad_norm_(1.0), AdamW (weight decay on matrices only, through param groups),
// zero_grad and loss.item(), each step in its own dispose scope. Prints the launcher's TrainStepResult line.
using System.Diagnostics;
using Sld.Bench.Bench.TrainStep;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sld.Bench.Bench.TorchSharpStep;

public static class TorchSharpTrainStep
{
    public static TrainStepResult Run(TrainStepOptions o)
    {
        set_num_threads(o.Threads);
        manual_seed((long)o.Seed);
        using var model = new TorchSharpGpt(new TorchSharpGptConfig(o.Vocab, o.Block, o.Layers, o.Heads, o.Embd));
        model.train();
        var parameters = model.parameters().ToList();
        // nanoGPT's configure_optimizers: weight decay on matrices (and embeddings), none on biases and norms.
        var optimizer = optim.AdamW(
            [
                new AdamW.ParamGroup(parameters.Where(p => p.dim() >= 2), lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.1),
                new AdamW.ParamGroup(parameters.Where(p => p.dim() < 2), lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8, weight_decay: 0.0),
            ],
            lr: 3e-4, beta1: 0.9, beta2: 0.95, eps: 1e-8);
        using var x = randint(0, o.Vocab, [o.Batch, o.Block], dtype: ScalarType.Int64); // (B, T)
        using var y = randint(0, o.Vocab, [o.Batch, o.Block], dtype: ScalarType.Int64);

        float TrainStep()
        {
            using var scope = NewDisposeScope();
            var logits = model.forward(x); // (B, T, V)
            var loss = TorchSharpGpt.Loss(logits, y);
            loss.backward();
            nn.utils.clip_grad_norm_(parameters, 1.0);
            optimizer.step();
            optimizer.zero_grad();
            return loss.item<float>();
        }

        for (var i = 0; i < o.Warmup; i++) TrainStep();
        var liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var faultsBefore = MinorPageFaults();
        var stepMs = new double[o.Steps];
        var stepCpuMs = new double[o.Steps];
        var losses = new float[o.Steps];
        for (var i = 0; i < o.Steps; i++)
        {
            var (start, cpuStart) = (Stopwatch.GetTimestamp(), Environment.CpuUsage.TotalTime);
            losses[i] = TrainStep();
            stepMs[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            stepCpuMs[i] = (Environment.CpuUsage.TotalTime - cpuStart).TotalMilliseconds;
        }
        var faults = MinorPageFaults() - faultsBefore;
        var liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

        long tokens = (long)o.Batch * o.Block;
        using var self = Process.GetCurrentProcess();
        return new TrainStepResult
        {
            Implementation = "torchsharp",
            Torch = __version__.ToString(),
            Threads = get_num_threads(),
            Steps = o.Steps,
            TokensPerStep = tokens,
            StepMs = stepMs,
            StepCpuMs = stepCpuMs,
            MedianTokensPerS = tokens / (Median(stepMs) / 1000),
            MeanTokensPerS = tokens / (stepMs.Average() / 1000),
            FirstLoss = losses[0],
            LastLoss = losses[^1],
            PeakRssMb = self.PeakWorkingSet64 / (1024.0 * 1024.0),
            PageFaultsPerStep = (double)faults / o.Steps,
            Parameters = parameters.Sum(p => p.numel()),
            LiveTensorsBefore = liveBefore,
            LiveTensorsAfter = liveAfter,
            ManagedHeapMb = GC.GetTotalMemory(forceFullCollection: false) / (1024.0 * 1024.0),
        };
    }

    /// <summary>This process's minor page faults so far (field 10 of /proc/self/stat, as getrusage's ru_minflt).</summary>
    private static long MinorPageFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": state is field 3
        return long.Parse(fields[10 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
