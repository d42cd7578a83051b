// The comparison table printed at the end of a run: tokens/s and ms/step of each implementation over all its
// timed steps (pooled across rounds), the C#/PyTorch ratio against the >= 1.0x target, and the C# tensor
// handle counts that show the training loop does not leak.
using System.Globalization;

namespace Sld.Bench.Bench.TrainStep;

public static class TrainStepReport
{
    public const double Target = 1.0;

    public static void Print(TrainStepOptions o, IReadOnlyList<TrainStepResult> pytorch, IReadOnlyList<TrainStepResult> csharp)
    {
        var any = pytorch.Concat(csharp).First();
        var w = Console.Out;
        w.WriteLine();
        w.WriteLine(Invariant($"GPT train step: {o.Layers} layers, width {o.Embd}, {o.Heads} heads, T={o.Block}, batch {o.Batch} ({any.TokensPerStep} tokens/step), vocab {o.Vocab}, {any.Parameters:N0} parameters"));
        w.WriteLine(Invariant($"libtorch {csharp.Concat(pytorch).First().Torch}, threads {o.Threads} ({MeasurementProcess.ThreadEnvironment(o.Threads)}), {o.Rounds} rounds x {o.Steps} timed steps after {o.Warmup} warmup"));
        w.WriteLine();
        w.WriteLine($"{"implementation",-15} {"tokens/s median",15} {"mean",7} {"best",7} {"ms/step median",15} {"CPU ms/step",12} {"first loss",11} {"last loss",10} {"peak RSS MB",12} {"faults/step",12}");
        var py = Row(w, pytorch);
        var cs = Row(w, csharp);
        w.WriteLine();
        if (py is { } p && cs is { } c)
        {
            if (pytorch[0].Parameters != csharp[0].Parameters)
                w.WriteLine($"WARNING: parameter counts differ (PyTorch {pytorch[0].Parameters}, C# {csharp[0].Parameters}): not the same model");
            var ratio = c.median / p.median;
            w.WriteLine(Invariant($"ratio C#/PyTorch: {ratio:F3}x (median tokens/s); {c.mean / p.mean:F3}x (mean), {c.best / p.best:F3}x (best step), {p.cpuMs / c.cpuMs:F3}x (tokens per CPU second)"));
            w.WriteLine(ratio >= Target
                ? Invariant($"target >= {Target:F1}x: MET")
                : Invariant($"target >= {Target:F1}x: NOT MET (C# is {(1 - ratio) * 100:F1}% slower)"));
        }
        if (csharp.Count == 0) return;
        var grew = csharp.Any(r => r.LiveTensorsAfter > r.LiveTensorsBefore);
        var counts = string.Join(", ", csharp.Select(r => Invariant($"{r.LiveTensorsBefore}->{r.LiveTensorsAfter}")));
        w.WriteLine($"C# live tensor handles before->after the timed steps, per round: {counts}: {(grew ? "GREW (a leak)" : "steady")}");
        w.WriteLine(Invariant($"C# managed heap after the timed steps: {csharp.Max(r => r.ManagedHeapMb):F1} MB"));
    }

    /// <summary>One table row over the timed steps of all rounds; "best" is the fastest single step.</summary>
    private static (double median, double mean, double best, double cpuMs)? Row(TextWriter w, IReadOnlyList<TrainStepResult> runs)
    {
        if (runs.Count == 0) return null;
        var ms = runs.SelectMany(r => r.StepMs).ToArray();
        double tokens = runs[0].TokensPerStep;
        var medianMs = CSharpTrainStep.Median(ms);
        var cpuMs = CSharpTrainStep.Median(runs.SelectMany(r => r.StepCpuMs).ToArray());
        var (median, mean, best) = (tokens / (medianMs / 1000), tokens / (ms.Average() / 1000), tokens / (ms.Min() / 1000));
        w.WriteLine(Invariant($"{runs[0].Implementation,-15} {median,15:F0} {mean,7:F0} {best,7:F0} {medianMs,15:F1} {cpuMs,12:F1} {runs[0].FirstLoss,11:F4} {runs[^1].LastLoss,10:F4} {runs.Max(r => r.PeakRssMb),12:F0} {runs.Average(r => r.PageFaultsPerStep),12:F0}"));
        return (median, mean, best, cpuMs);
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
