// Entry point of the train-step benchmark: as launcher it alternates fresh PyTorch and C# measurement
// processes (ABBA order against drift) and prints the comparison; with --worker it is the C# measurement.
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
    Console.WriteLine(CSharpTrainStep.Run(options).ToJson());
    return 0;
}

var results = new Dictionary<string, List<TrainStepResult>> { ["pytorch-eager"] = [], ["csharp"] = [] };
try
{
    for (var round = 0; round < options.Rounds; round++)
    {
        string[] order = round % 2 == 0 ? ["pytorch", "csharp"] : ["csharp", "pytorch"];
        foreach (var which in order.Where(w => options.Only is null || options.Only == w))
        {
            Console.Error.WriteLine($"round {round + 1}/{options.Rounds}: {which} ...");
            var r = which == "pytorch" ? MeasurementProcess.RunPyTorch(options) : MeasurementProcess.RunCSharp(options);
            results[r.Implementation].Add(r);
            Console.Error.WriteLine($"  {r.Implementation}: {r.MedianTokensPerS:F0} tokens/s (median of {r.Steps} steps)");
        }
    }
}
catch (Exception e) when (e is InvalidOperationException or InvalidDataException or IOException or System.ComponentModel.Win32Exception)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

TrainStepReport.Print(options, results["pytorch-eager"], results["csharp"]);
return 0;
