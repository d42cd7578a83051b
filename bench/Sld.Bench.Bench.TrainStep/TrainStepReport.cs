// The comparison table printed at the end of a run: tokens/s, ms/step and CPU ms/step of each implementation
// over all its timed steps (pooled across rounds), the ratios of both C# sides against PyTorch eager (target
// >= 1.0x) and of TorchSharp against the old binding, the load averages, and the tensor handle counts that
// show the training loops do not leak.
using System.Globalization;

namespace Sld.Bench.Bench.TrainStep;

public static class TrainStepReport
{
    public const double Target = 1.0;

    private sealed record Row(double Median, double Mean, double Best, double CpuMs);

    public static void Print(TrainStepOptions o, IReadOnlyList<TrainStepResult> pytorch, IReadOnlyList<TrainStepResult> csharp,
        IReadOnlyList<TrainStepResult> torchsharp, string loadStart, string loadEnd)
    {
        var all = pytorch.Concat(csharp).Concat(torchsharp).ToList();
        if (all.Count == 0) return;
        var any = all[0];
        var w = Console.Out;
        w.WriteLine();
        w.WriteLine(Invariant($"GPT train step: {o.Layers} layers, width {o.Embd}, {o.Heads} heads, T={o.Block}, batch {o.Batch} ({any.TokensPerStep} tokens/step), vocab {o.Vocab}, {any.Parameters:N0} parameters"));
        w.WriteLine(Invariant($"threads {o.Threads} ({MeasurementProcess.ThreadEnvironment(o.Threads)}), {o.Rounds} rounds x {o.Steps} timed steps after {o.Warmup} warmup; order per round: {string.Join(", ", Enumerable.Range(0, o.Rounds).Select(r => string.Concat(SideOrder.ForRound(r).Select(s => char.ToUpperInvariant(s[0])))))} (P = PyTorch, C = C# old binding, T = TorchSharp)"));
        w.WriteLine($"load average (1/5/15 min) at start {loadStart}, at end {loadEnd}");
        w.WriteLine();
        w.WriteLine($"{"implementation",-15} {"libtorch",10} {"tokens/s median",15} {"mean",7} {"best",7} {"ms/step median",15} {"CPU ms/step",12} {"first loss",11} {"last loss",10} {"peak RSS MB",12} {"faults/step",12}");
        var py = PrintRow(w, "pytorch-eager", pytorch);
        var cs = PrintRow(w, "csharp-old", csharp);
        var ts = PrintRow(w, "torchsharp", torchsharp);
        w.WriteLine();
        w.WriteLine("per round, median tokens/s:");
        for (var r = 0; r < o.Rounds; r++)
            w.WriteLine(Invariant($"  round {r + 1}: {string.Join(", ", new[] { ("P", pytorch), ("C", csharp), ("T", torchsharp) }.Where(x => r < x.Item2.Count).Select(x => $"{x.Item1} {x.Item2[r].MedianTokensPerS:F0}"))}"));
        w.WriteLine();
        if (all.Select(r => r.Parameters).Distinct().Count() > 1)
            w.WriteLine($"WARNING: parameter counts differ ({string.Join(", ", all.Select(r => $"{r.Implementation} {r.Parameters}").Distinct())}): not the same model");
        if (py is { } p)
        {
            if (cs is { } c) Ratio(w, "C# old binding/PyTorch", c, p, target: true);
            if (ts is { } t) Ratio(w, "TorchSharp/PyTorch", t, p, target: true);
        }
        if (cs is { } old && ts is { } tsRow) Ratio(w, "TorchSharp/old binding", tsRow, old, target: false);
        foreach (var (label, runs) in new[] { ("C# old binding", csharp), ("TorchSharp", torchsharp) })
        {
            if (runs.Count == 0) continue;
            var grew = runs.Any(r => r.LiveTensorsAfter > r.LiveTensorsBefore || r.NativeLiveTensorsAfter > r.NativeLiveTensorsBefore);
            var counts = string.Join(", ", runs.Select(r => Invariant($"{r.LiveTensorsBefore}->{r.LiveTensorsAfter}") + (r.NativeLiveTensorsBefore is null ? "" : Invariant($" ({r.NativeLiveTensorsBefore}->{r.NativeLiveTensorsAfter} native)"))));
            w.WriteLine($"{label} live tensor handles before->after the timed steps, per round: {counts}: {(grew ? "GREW (a leak)" : "steady")}");
        }
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
