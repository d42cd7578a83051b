// The per-op overhead table: microseconds per 1-element add on each side, median over the rounds (each round a
// fresh process of --probe-calls calls after as many warm-up calls), with the best round and the ratios
// against PyTorch eager.
using System.Globalization;

namespace Sld.Bench.Bench.TrainStep;

public static class OpProbeReport
{
    public static void Print(TrainStepOptions o, IReadOnlyDictionary<string, List<OpProbeResult>> probes, string loadStart, string loadEnd)
    {
        var w = Console.Out;
        w.WriteLine();
        w.WriteLine(Invariant($"Per-op overhead: 1-element float add, {o.ProbeCalls} calls per process after as many warm-up calls, {o.Rounds} rounds, threads {o.Threads}"));
        w.WriteLine($"load average (1/5/15 min) at start {loadStart}, at end {loadEnd}");
        w.WriteLine();
        w.WriteLine($"{"implementation",-15} {"libtorch",10} {"us/op median",13} {"best",7} {"with using, median",19}  per round (us/op)");
        var medians = new Dictionary<string, double>();
        foreach (var (side, runs) in probes)
        {
            if (runs.Count == 0) continue;
            var headline = runs.Select(r => r.Headline).ToArray();
            var usingMedian = runs.All(r => r.UsPerOpUsing is not null) ? CSharpTrainStep.Median(runs.Select(r => r.UsPerOpUsing!.Value).ToArray()) : (double?)null;
            medians[side] = CSharpTrainStep.Median(headline);
            var label = runs[0].Implementation;
            w.WriteLine(Invariant($"{label,-15} {runs[0].Torch,10} {medians[side],13:F3} {headline.Min(),7:F3} {(usingMedian is { } u ? u.ToString("F3", CultureInfo.InvariantCulture) : "-"),19}  {string.Join(", ", headline.Select(h => h.ToString("F3", CultureInfo.InvariantCulture)))}"));
        }
        w.WriteLine("(C#: each add inside its own NewDisposeScope; 'with using': `using var c = a + b` instead. PyTorch: `a + b`.)");
        w.WriteLine();
        if (medians.TryGetValue("pytorch", out var py))
        {
            if (medians.TryGetValue("csharp", out var cs)) w.WriteLine(Invariant($"C#/PyTorch cost per op: {cs / py:F2}x"));
        }
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
