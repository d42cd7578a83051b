// The comparison table printed at the end of a run: tokens/s, ms/step and CPU ms/step of each implementation
// over all its timed steps (pooled across rounds), the C#/PyTorch ratio (target >= 1.0x), the load averages,
// and the live tensor counts that show the training loop does not leak.
using System.Globalization;

namespace Sld.Bench.Bench.TrainStep;

public static class TrainStepReport
{
    public const double Target = 1.0;

    private sealed record Row(double Median, double Mean, double Best, double CpuMs);

    public static void Print(TrainStepOptions o, IReadOnlyList<TrainStepResult> pytorch, IReadOnlyList<TrainStepResult> csharp,
        string loadStart, string loadEnd)
    {
        var all = pytorch.Concat(csharp).ToList();
        if (all.Count == 0) return;
        var any = all[0];
        var w = Console.Out;
        w.WriteLine();
        w.WriteLine(Invariant($"GPT train step: {o.Layers} layers, width {o.Embd}, {o.Heads} heads, T={o.Block}, batch {o.Batch} ({any.TokensPerStep} tokens/step), vocab {o.Vocab}, {any.Parameters:N0} parameters"));
        w.WriteLine(Invariant($"threads {o.Threads} ({MeasurementProcess.ThreadEnvironment(o.Threads)}), {o.Rounds} rounds x {o.Steps} timed steps after {o.Warmup} warmup; order per round: {string.Join(", ", Enumerable.Range(0, o.Rounds).Select(r => string.Concat(SideOrder.ForRound(r).Select(s => char.ToUpperInvariant(s[0])))))} (P = PyTorch, C = C# on TorchSharp)"));
        w.WriteLine($"load average (1/5/15 min) at start {loadStart}, at end {loadEnd}");
        w.WriteLine();
        w.WriteLine($"{"implementation",-15} {"libtorch",10} {"tokens/s median",15} {"mean",7} {"best",7} {"ms/step median",15} {"CPU ms/step",12} {"first loss",11} {"last loss",10} {"peak RSS MB",12} {"faults/step",12}");
        var py = PrintRow(w, "pytorch-eager", pytorch);
        var cs = PrintRow(w, "csharp", csharp);
        w.WriteLine();
        w.WriteLine("per round, median tokens/s:");
        for (var r = 0; r < o.Rounds; r++)
            w.WriteLine(Invariant($"  round {r + 1}: {string.Join(", ", new[] { ("P", pytorch), ("C", csharp) }.Where(x => r < x.Item2.Count).Select(x => $"{x.Item1} {x.Item2[r].MedianTokensPerS:F0}"))}"));
        w.WriteLine();
        if (all.Select(r => r.Parameters).Distinct().Count() > 1)
            w.WriteLine($"WARNING: parameter counts differ ({string.Join(", ", all.Select(r => $"{r.Implementation} {r.Parameters}").Distinct())}): not the same model");
        if (py is { } p && cs is { } c) Ratio(w, "C#/PyTorch", c, p, target: true);
        if (csharp.Count == 0) return;
        var grew = csharp.Any(r => r.LiveTensorsAfter > r.LiveTensorsBefore);
        var counts = string.Join(", ", csharp.Select(r => Invariant($"{r.LiveTensorsBefore}->{r.LiveTensorsAfter}")));
        w.WriteLine($"C# live tensors (TorchSharp's per-thread count) before->after the timed steps, per round: {counts}: {(grew ? "GREW (a leak)" : "steady")}");
        w.WriteLine(Invariant($"C# managed heap after the timed steps: {csharp.Max(r => r.ManagedHeapMb):F1} MB"));
    }

    private static void Ratio(TextWriter w, string label, Row a, Row b, bool target)
    {
        var ratio = a.Median / b.Median;
        var verdict = !target ? "" : ratio >= Target ? Invariant($"; target >= {Target:F1}x: MET") : Invariant($"; target >= {Target:F1}x: NOT MET ({(1 - ratio) * 100:F1}% slower)");
        w.WriteLine(Invariant($"ratio {label}: {ratio:F3}x (median tokens/s); {a.Mean / b.Mean:F3}x (mean), {a.Best / b.Best:F3}x (best step), {b.CpuMs / a.CpuMs:F3}x (tokens per CPU second){verdict}"));
    }

    /// <summary>One table row over the timed steps of all rounds; "best" is the fastest single step.</summary>
    private static Row? PrintRow(TextWriter w, string label, IReadOnlyList<TrainStepResult> runs)
    {
        if (runs.Count == 0) return null;
        var ms = runs.SelectMany(r => r.StepMs).ToArray();
        double tokens = runs[0].TokensPerStep;
        var medianMs = CSharpTrainStep.Median(ms);
        var cpuMs = CSharpTrainStep.Median(runs.SelectMany(r => r.StepCpuMs).ToArray());
        var row = new Row(tokens / (medianMs / 1000), tokens / (ms.Average() / 1000), tokens / (ms.Min() / 1000), cpuMs);
        w.WriteLine(Invariant($"{label,-15} {runs[0].Torch,10} {row.Median,15:F0} {row.Mean,7:F0} {row.Best,7:F0} {medianMs,15:F1} {cpuMs,12:F1} {runs[0].FirstLoss,11:F4} {runs[^1].LastLoss,10:F4} {runs.Max(r => r.PeakRssMb),12:F0} {runs.Average(r => r.PageFaultsPerStep),12:F0}"));
        return row;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
