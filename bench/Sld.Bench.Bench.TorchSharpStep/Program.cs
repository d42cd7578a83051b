// Entry point of the TorchSharp measurement process: by default one train-step measurement with the
// launcher's options (it prints TrainStepResult's JSON line); `probe [--calls N] [--threads N]` runs the
// per-op overhead probe instead. The launcher (bench/Sld.Bench.Bench.TrainStep) starts it fresh each round.
using System.Globalization;
using Sld.Bench.Bench.TorchSharpStep;
using Sld.Bench.Bench.TrainStep;

try
{
    if (args.Length > 0 && args[0] == "probe")
    {
        var (calls, threads) = (100_000, 1);
        for (var i = 1; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"option {args[i]} needs a value");
            var value = int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v : throw new ArgumentException($"{args[i]} needs a positive integer, got '{args[i + 1]}'");
            _ = args[i] switch
            {
                "--calls" => calls = value,
                "--threads" => threads = value,
                _ => throw new ArgumentException($"unknown probe option '{args[i]}'"),
            };
        }
        Console.WriteLine(OpOverheadProbe.Run(calls, threads));
        return 0;
    }
    var options = TrainStepOptions.Parse(args.Where(a => a != "--worker").ToList());
    if (options.Help)
    {
        Console.WriteLine("usage: Sld.Bench.Bench.TorchSharpStep [train-step options as Sld.Bench.Bench.TrainStep] | probe [--calls N] [--threads N]");
        return 0;
    }
    Console.WriteLine(TorchSharpTrainStep.Run(options).ToJson());
    return 0;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"Sld.Bench.Bench.TorchSharpStep: error: {e.Message}");
    return 2;
}
