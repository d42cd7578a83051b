// Command-line settings of the train-step benchmark. The model and batch settings are passed unchanged to
// both measurement processes (C# and PyTorch), so that they always run the same step.
using System.Globalization;

namespace Sld.Bench.Bench.TrainStep;

public sealed record TrainStepOptions
{
    public int Threads { get; init; } = Environment.ProcessorCount;
    public int Warmup { get; init; } = 2;
    public int Steps { get; init; } = 6;
    public int Rounds { get; init; } = 4;
    public int Batch { get; init; } = 16;
    public int Block { get; init; } = 256;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int Embd { get; init; } = 256;
    public int Vocab { get; init; } = 2304;
    public ulong Seed { get; init; } = 1337;
    public string Python { get; init; } = "/usr/bin/python3";
    public string Reference { get; init; } = Path.Combine(AppContext.BaseDirectory, "reference", "gpt_train_step.py");
    public string ProbeReference { get; init; } = Path.Combine(AppContext.BaseDirectory, "reference", "op_overhead.py");

    /// <summary>"csharp" or "pytorch" measures only that one (for profiling); null measures both.</summary>
    public string? Only { get; init; }

    /// <summary>Run the per-op overhead probe (a 1-element add, ProbeCalls times per side and round) instead of the train step.</summary>
    public bool Probe { get; init; }

    public int ProbeCalls { get; init; } = 100_000;

    /// <summary>Set on the child process that runs the C# measurement and prints its JSON line.</summary>
    public bool Worker { get; init; }

    public bool Help { get; init; }

    public const string Usage = """
        usage: Sld.Bench.Bench.TrainStep [--threads N] [--warmup N] [--steps N] [--rounds N]
                                         [--batch N] [--block N] [--layers N] [--heads N] [--embd N] [--vocab N]
                                         [--seed N] [--python PATH] [--reference PATH]
                                         [--only csharp|pytorch] [--probe [--probe-calls N]] [--help]
          Times one GPT training step (forward, cross-entropy, backward, clip_grad_norm_, AdamW, zero_grad) of
          Sld.Bench's Gpt in C# (TorchSharp) and of the same model in PyTorch eager, in fresh processes in ABBA
          order over --rounds rounds. --probe instead times a 1-element add (--probe-calls calls, default 100000)
          on each side.
          Defaults: threads = cores, warmup 2, steps 6, rounds 4, batch 16 x block 256, 4 layers, 4 heads, width
          256, vocab 2304, python /usr/bin/python3.
        """;

    public static TrainStepOptions Parse(IReadOnlyList<string> args)
    {
        var o = new TrainStepOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "--worker" or "--probe" or "--help" or "-h")
            {
                o = name switch
                {
                    "--worker" => o with { Worker = true },
                    "--probe" => o with { Probe = true },
                    _ => o with { Help = true },
                };
                continue;
            }
            if (i + 1 >= args.Count) throw new ArgumentException($"option {name} needs a value");
            var value = args[++i];
            o = name switch
            {
                "--threads" => o with { Threads = Positive(name, value) },
                "--warmup" => o with { Warmup = NonNegative(name, value) },
                "--steps" => o with { Steps = Positive(name, value) },
                "--rounds" => o with { Rounds = Positive(name, value) },
                "--batch" => o with { Batch = Positive(name, value) },
                "--block" => o with { Block = Positive(name, value) },
                "--layers" => o with { Layers = Positive(name, value) },
                "--heads" => o with { Heads = Positive(name, value) },
                "--embd" => o with { Embd = Positive(name, value) },
                "--vocab" => o with { Vocab = Positive(name, value) },
                "--seed" => o with { Seed = ulong.Parse(value, CultureInfo.InvariantCulture) },
                "--python" => o with { Python = value },
                "--reference" => o with { Reference = value },
                "--probe-calls" => o with { ProbeCalls = Positive(name, value) },
                "--probe-reference" => o with { ProbeReference = value },
                "--only" => o with { Only = value is "csharp" or "pytorch" ? value : throw new ArgumentException($"--only takes csharp or pytorch, got '{value}'") },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }
        return o;
    }

    /// <summary>The options that define the measured step, as both measurement programs spell them.</summary>
    public IEnumerable<string> StepArguments() =>
    [
        "--threads", Invariant(Threads), "--warmup", Invariant(Warmup), "--steps", Invariant(Steps),
        "--batch", Invariant(Batch), "--block", Invariant(Block), "--layers", Invariant(Layers), "--heads", Invariant(Heads),
        "--embd", Invariant(Embd), "--vocab", Invariant(Vocab), "--seed", Seed.ToString(CultureInfo.InvariantCulture),
    ];


    private static string Invariant(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v : throw new ArgumentException($"{name} needs a positive integer, got '{value}'");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v : throw new ArgumentException($"{name} needs an integer >= 0, got '{value}'");
}
