// Writes a realistic results store for the dashboard's tests and benchmark: sweeps planned from YAML through
// the config expander, runs with every status, training curves, evaluations on LibriSpeech-like test sets
// (fixed utterance ids and speakers, so runs compare utterance by utterance) and hypotheses made by random
// edits with a valid word alignment, including empty, looping and truncated outputs for the diagnostics.
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests.Seeding;

/// <summary>One sweep to generate: grid axes as YAML flow lists, seeds, test sets, utterances per test set.</summary>
public sealed record SyntheticSweep(string Name, IReadOnlyList<(string Axis, string Values)> Axes)
{
    public int Seeds { get; init; } = 2;
    public IReadOnlyList<string> TestSets { get; init; } = ["test-clean", "test-other"];
    public int Utterances { get; init; } = 40;
    public int MetricPoints { get; init; } = 20;
    /// <summary>Runs left running, pending, failed and diverged (taken from the end of the plan).</summary>
    public int Running { get; init; } = 1;
    public int Pending { get; init; } = 1;
    public int Failed { get; init; } = 1;
    public int Diverged { get; init; }
}

public static partial class SyntheticResults
{
    private static readonly string[] Vocabulary = [.. (
        "the of and to a in that he was it his i with is as had for you her she at but him be not on by all this my which " +
        "from they so were one have we there me said what or an when no them would are their if who will been more then up " +
        "out into could some its very upon time man did now only these little any before our great other good over may day " +
        "old made should after see like such well down much mister how about two where thought know never long life again " +
        "house mother eyes face night without through away first went old hand came head every young nothing father heart " +
        "light water world voice men door among river speech token discrete unit model sound word king queen garden letter").Split(' ')];

    /// <summary>The experiment file of a sweep: a base config with every axis key, and the grid.</summary>
    public static string ExperimentYaml(SyntheticSweep sweep)
    {
        var sb = new StringBuilder();
        sb.Append("seed: 0\nmodel: {layers: 2, dim: 256, heads: 4}\nloss: {strategy: lm, alpha: 0.5}\n");
        sb.Append("tokenizer: {kind: kmeans, k: 500, layer: 6}\ntrain: {lr: 0.001, steps: 1000, batch_size: 16}\n");
        sb.Append("data: {train: librispeech-100, test_sets: [").Append(string.Join(", ", sweep.TestSets)).Append("]}\n");
        sb.Append("sweep:\n  name: ").Append(sweep.Name).Append("\n  grid:\n");
        foreach (var (axis, values) in sweep.Axes) sb.Append("    ").Append(axis).Append(": ").Append(values).Append('\n');
        sb.Append("  seeds: range(").Append(sweep.Seeds).Append(")\n");
        return sb.ToString();
    }

    public static SweepPlan Plan(SyntheticSweep sweep, string directory)
    {
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, sweep.Name + ".yaml");
        File.WriteAllText(file, ExperimentYaml(sweep));
        return ExperimentFile.Load(file).Expand();
    }

    /// <summary>A test set's utterances: LibriSpeech-style ids, 20 or 40 speakers, 4 to 35 words, durations from the words.</summary>
    public static IReadOnlyList<(string Id, string Speaker, string[] Words, double Duration)> TestSet(string name, int count)
    {
        var rng = new Random(StableHash(name));
        var speakers = Enumerable.Range(0, Math.Clamp(count / 5, 1, 40)).Select(i => (1000 + 137 * i + rng.Next(100)).ToString(CultureInfo.InvariantCulture)).ToArray();
        var result = new List<(string, string, string[], double)>(count);
        for (var i = 0; i < count; i++)
        {
            var speaker = speakers[i % speakers.Length];
            var n = 4 + (int)Math.Min(31, Math.Abs(rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5) * 22);
            var words = Enumerable.Range(0, n).Select(_ => Vocabulary[(int)Math.Min(Vocabulary.Length - 1, Math.Pow(rng.NextDouble(), 1.6) * Vocabulary.Length)]).ToArray();
            result.Add(($"{speaker}-{100000 + i / 60 * 7}-{i % 60:D4}", speaker, words, Math.Round(0.38 * n + 0.6 + rng.NextDouble(), 2)));
        }
        return result;
    }

    /// <summary>A hypothesis for a reference at a target word error rate, with its alignment (C, S, D, I per position).</summary>
    public static (string Hypothesis, string Ops) Decode(string[] reference, double errorRate, Random rng)
    {
        var hyp = new List<string>();
        var ops = new StringBuilder();
        var roll = rng.NextDouble();
        if (roll < errorRate * 0.01) return ("", new string('D', reference.Length));
        for (var i = 0; i < reference.Length; i++)
        {
            var r = rng.NextDouble();
            if (roll > 1 - errorRate * 0.02 && i >= reference.Length * 0.6)
            {
                ops.Append('D'); // truncated output: the rest is missing
                continue;
            }
            if (r < errorRate * 0.6)
            {
                string w;
                do w = Vocabulary[rng.Next(Vocabulary.Length)]; while (w == reference[i]);
                hyp.Add(w);
                ops.Append('S');
            }
            else if (r < errorRate * 0.85) ops.Append('D');
            else
            {
                hyp.Add(reference[i]);
                ops.Append('C');
                if (r > 1 - errorRate * 0.15)
                {
                    hyp.Add(Vocabulary[rng.Next(Vocabulary.Length)]);
                    ops.Append('I');
                }
            }
        }
        if (roll > 0.5 && roll < 0.5 + errorRate * 0.03 && reference.Length >= 3)
        {
            // A decoder loop: the last two words again and again.
            for (var k = 0; k < 4; k++)
            {
                hyp.Add(reference[^2]);
                hyp.Add(reference[^1]);
                ops.Append("II");
            }
        }
        return (string.Join(' ', hyp), ops.ToString());
    }

    /// <summary>The error rate a run "achieves": better with sld/kd, more layers and a middle learning rate, plus seed noise.</summary>
    public static double ErrorRate(IReadOnlyDictionary<string, string> axes, long seed, string testSet)
    {
        var rate = 0.16;
        if (axes.TryGetValue("loss.strategy", out var s)) rate *= s switch { "sld" => 0.78, "kd" => 0.85, "mce" => 0.92, _ => 1.0 };
        if (axes.TryGetValue("model.layers", out var l) && double.TryParse(l, CultureInfo.InvariantCulture, out var layers)) rate *= 1.25 - 0.04 * Math.Min(layers, 12);
        if (axes.TryGetValue("train.lr", out var lr) && double.TryParse(lr, CultureInfo.InvariantCulture, out var x)) rate *= 1 + 0.5 * Math.Abs(Math.Log10(x / 0.001));
        if (axes.TryGetValue("tokenizer.k", out var k) && double.TryParse(k, CultureInfo.InvariantCulture, out var kk)) rate *= 1.1 - 0.05 * Math.Log2(kk / 250);
        if (testSet.Contains("other", StringComparison.Ordinal)) rate *= 2.1;
        rate *= 1 + 0.06 * (new Random(StableHash($"{seed}/{string.Join(",", axes.Values)}")).NextDouble() - 0.5);
        return Math.Clamp(rate, 0.01, 0.9);
    }

    public static int StableHash(string text)
    {
        var h = 2166136261u;
        foreach (var ch in text) h = (h ^ ch) * 16777619u;
        return (int)(h & 0x7fffffff);
    }
}
