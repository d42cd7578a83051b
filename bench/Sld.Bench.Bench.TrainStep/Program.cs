// Entry point of the train-step benchmark: as launcher it runs fresh PyTorch and C# (TorchSharp) measurement
// processes in ABBA order (against drift) and prints the comparison; with --worker it is the C# measurement
// (--probe: its per-op probe).
using Sld.Bench.Bench.TrainStep;

TrainStepOptions options;
try
{
    options = TrainStepOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}\n{TrainStepOptions.Usage}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(TrainStepOptions.Usage);
    return 0;
}

if (options.Worker)
{
    Console.WriteLine(options.Probe ? OpOverheadProbe.Run(options.ProbeCalls, options.Threads) : CSharpTrainStep.Run(options).ToJson());
    return 0;
}

var loadStart = LoadAverage.Read();
var results = new Dictionary<string, List<TrainStepResult>> { ["pytorch"] = [], ["csharp"] = [] };
var probes = new Dictionary<string, List<OpProbeResult>> { ["pytorch"] = [], ["csharp"] = [] };
try
{
    for (var round = 0; round < options.Rounds; round++)
    {
        foreach (var side in SideOrder.ForRound(round).Where(s => options.Only is null || options.Only == s))
        {
            Console.Error.WriteLine($"round {round + 1}/{options.Rounds}: {side} ... (load {LoadAverage.Read()})");
            if (options.Probe)
            {
                var p = MeasurementProcess.RunProbe(options, side);
                probes[side].Add(p);
                Console.Error.WriteLine(System.FormattableString.Invariant($"  {p.Implementation}: {p.Headline:F3} us/op"));
                continue;
            }
            var r = side == "pytorch" ? MeasurementProcess.RunPyTorch(options) : MeasurementProcess.RunCSharp(options);
            results[side].Add(r);
            Console.Error.WriteLine(System.FormattableString.Invariant(
                $"  {r.Implementation}: {r.MedianTokensPerS:F0} tokens/s (median of {r.Steps} steps), CPU {CSharpTrainStep.Median(r.StepCpuMs):F0} ms/step"));
        }
    }
}
catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException or System.ComponentModel.Win32Exception
                              or System.Text.Json.JsonException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

var loadEnd = LoadAverage.Read();
if (options.Probe) OpProbeReport.Print(options, probes, loadStart, loadEnd);
else TrainStepReport.Print(options, results["pytorch"], results["csharp"], loadStart, loadEnd);
return 0;
