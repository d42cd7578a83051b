// The benchmark's settings (model size, batch, utterance lengths, step and decode counts), parsed from
// `--name value` pairs and passed unchanged to both measurement processes, so both time the same work.
using System.Globalization;

namespace Sld.Bench.Bench.Asr;

public sealed record AsrBenchOptions
{
    public static readonly IReadOnlyDictionary<string, int> Defaults = new Dictionary<string, int>
    {
        ["threads"] = 2, ["layers"] = 4, ["width"] = 256, ["heads"] = 4, ["block"] = 512, ["K"] = 500,
        ["batch"] = 8, ["speech"] = 200, ["text"] = 50, ["warmup"] = 2, ["steps"] = 8,
        ["decode-utts"] = 16, ["decode-batch"] = 16, ["max-new"] = 60, ["decode-passes"] = 2,
    };

    public const string Usage =
        "usage: Sld.Bench.Bench.Asr [--rounds 4] [--python /usr/bin/python3] [--python-malloc-env 0|1] " +
        "[--threads 2] [--layers 4] [--width 256] [--heads 4] [--block 512] [--K 500] [--batch 8] [--speech 200] [--text 50] " +
        "[--warmup 2] [--steps 8] [--decode-utts 16] [--decode-batch 16] [--max-new 60] [--decode-passes 2]";

    public required Dictionary<string, int> Values { get; init; }
    public int Rounds { get; init; } = 4;
    public string Python { get; init; } = "/usr/bin/python3";
    public string? Worker { get; init; }
    public string? Weights { get; init; }

    /// <summary>Give the Python process the same glibc allocator thresholds the C# process sets for itself.</summary>
    public bool PythonMallocEnv { get; init; }

    public int this[string name] => Values[name];

    public static AsrBenchOptions Parse(string[] args)
    {
        var values = new Dictionary<string, int>(Defaults);
        int rounds = 4;
        string python = "/usr/bin/python3";
        string? worker = null, weights = null;
        var pythonMalloc = false;
        for (var i = 0; i < args.Length; i += 2)
        {
            var name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : throw new ArgumentException($"expected --name, got '{args[i]}'");
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"--{name} needs a value");
            switch (name)
            {
                case "rounds": rounds = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "python": python = value; break;
                case "worker": worker = value; break;
                case "weights": weights = value; break;
                case "python-malloc-env": pythonMalloc = value == "1"; break;
                default:
                    if (!values.ContainsKey(name)) throw new ArgumentException($"unknown option --{name}");
                    values[name] = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
            }
        }
        return new AsrBenchOptions { Values = values, Rounds = rounds, Python = python, Worker = worker, Weights = weights, PythonMallocEnv = pythonMalloc };
    }

    /// <summary>The shared settings as arguments for a measurement process.</summary>
    public IEnumerable<string> MeasurementArguments() =>
        Values.SelectMany(kv => new[] { $"--{kv.Key}", kv.Value.ToString(CultureInfo.InvariantCulture) }).Concat(["--weights", Weights!]);
}
