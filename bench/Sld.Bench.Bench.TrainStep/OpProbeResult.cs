// One side's result of the per-op overhead probe, as the JSON line the three probe programs print:
// microseconds per 1-element add inside a dispose scope and with `using` per tensor (C# sides), or per
// `a + b` (PyTorch, which reads the first field as us_per_op).
using System.Text.Json;

namespace Sld.Bench.Bench.TrainStep;

public sealed record OpProbeResult(string Implementation, string Torch, int Calls, double? UsPerOpDisposeScope, double? UsPerOpUsing, double? UsPerOp = null)
{
    public static OpProbeResult FromJson(string line) =>
        JsonSerializer.Deserialize<OpProbeResult>(line, TrainStepResult.Json) ?? throw new InvalidDataException($"not a probe result line: {line}");

    /// <summary>The headline number: per op inside a dispose scope for C#, per `a + b` for PyTorch.</summary>
    public double Headline => UsPerOpDisposeScope ?? UsPerOp ?? throw new InvalidDataException($"{Implementation} probe reported no time");
}
