// Scoring benchmark: writes a synthetic 20,000-utterance test set as trn files, scores it with `sctk sclite`
// and with Sld.Bench.Shared in the same run (alternating, so both see the same machine load), checks that both
// find the same counts, and prints wall-clock and CPU-time ratios.
// Usage: dotnet run -c Release --project bench/Sld.Bench.Bench.Scoring [-- --utterances N --repeats R --seed S]
using System.Diagnostics;
using System.Globalization;
using Sld.Bench.Bench.Scoring;
using Sld.Bench.Shared.Scoring;

var utterances = Arg("--utterances", 20_000);
var repeats = Arg("--repeats", 5);
var seed = Arg("--seed", 1);
var dir = Directory.CreateTempSubdirectory("sld-bench-scoring-").FullName;
try
{
    var (refTrn, hypTrn) = SyntheticTranscripts.Generate(utterances, seed);
    var refPath = Path.Combine(dir, "ref.trn");
    var hypPath = Path.Combine(dir, "hyp.trn");
    File.WriteAllText(refPath, refTrn);
    File.WriteAllText(hypPath, hypTrn);
    Console.WriteLine($"test set: {utterances:N0} utterances, seed {seed}; {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                      $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

    // sclite writes the summary, raw counts, per-utterance alignments and error lists, as `sldbench score --dir` does.
    string[] scliteArgs = ["sclite", "-r", "ref.trn", "trn", "-h", "hyp.trn", "trn", "-i", "rm", "-o", "sum", "rsum", "pralign", "dtl", "-O", dir, "-n", "out", "-f", "0"];
    var outDir = Path.Combine(dir, "ours");
    var cold = Timing.Of(() => Score(refPath, hypPath), child: false);
    var sclite = new List<Timing>();
    var scoreOnly = new List<Timing>();
    var withFiles = new List<Timing>();
    CorpusScore? score = null;
    for (var i = 0; i < repeats; i++)
    {
        sclite.Add(Timing.Of(() => RunSctk(dir, scliteArgs), child: true));
        scoreOnly.Add(Timing.Of(() => score = Score(refPath, hypPath), child: false));
        withFiles.Add(Timing.Of(() => ScoringFiles.WriteAll(Score(refPath, hypPath), outDir), child: false));
    }

    var scliteSum = File.ReadAllLines(Path.Combine(dir, "out.raw")).Single(l => l.Contains("| Sum ", StringComparison.Ordinal));
    var theirs = string.Join(' ', scliteSum.Split('|', StringSplitOptions.TrimEntries)[3].Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(4));
    var ours = $"{score!.Words.Correct} {score.Words.Substitutions} {score.Words.Deletions} {score.Words.Insertions}";
    Console.WriteLine($"counts C S D I: sclite {theirs}, ours {ours} -> {(ours == theirs ? "agree" : "DISAGREE")}");
    Console.WriteLine(SummaryFormats.KaldiLine("WER", score.Words));
    Console.WriteLine(SummaryFormats.KaldiLine("CER", score.Characters));
    Console.WriteLine();
    var s = Timing.Median(sclite);
    Console.WriteLine($"| what (median of {repeats}) | wall s | CPU s | utterances/s (wall) | sclite / this, wall | sclite / this, CPU |");
    Console.WriteLine("|---|---|---|---|---|---|");
    Row("sctk sclite -o sum rsum pralign dtl (words only)", s);
    Row("Sld.Bench.Shared: read + score words and characters + sclite table", Timing.Median(scoreOnly));
    Row("Sld.Bench.Shared: the same + write all scoring files", Timing.Median(withFiles));
    Row("Sld.Bench.Shared: read + score, first run in the process (JIT)", cold);
    return ours == theirs ? 0 : 1;

    void Row(string what, Timing t) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {what} | {t.Wall:F3} | {t.Cpu:F3} | {utterances / t.Wall:N0} | {s.Wall / t.Wall:F1}x | {s.Cpu / t.Cpu:F1}x |"));
}
finally
{
    Directory.Delete(dir, recursive: true);
}

static CorpusScore Score(string refPath, string hypPath)
{
    var refs = TranscriptFile.Read(refPath, TranscriptFormat.Trn);
    var hyps = TranscriptFile.Read(hypPath, TranscriptFormat.Trn).ToDictionary(h => h.Id, h => h.Text, StringComparer.Ordinal);
    var score = new CorpusScorer(new ScoringOptions { Normalization = "none" })
        .Score(refs.Select(r => new UtteranceText(r.Id, r.Speaker, r.Text, hyps[r.Id])));
    _ = SummaryFormats.ScliteTable(score);
    return score;
}

static void RunSctk(string dir, string[] args)
{
    var start = new ProcessStartInfo("sctk") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
    foreach (var a in args) start.ArgumentList.Add(a);
    using var p = Process.Start(start) ?? throw new InvalidOperationException("cannot start sctk (apt-get install sctk)");
    var err = p.StandardError.ReadToEndAsync();
    p.StandardOutput.ReadToEnd();
    p.WaitForExit();
    if (p.ExitCode != 0) throw new InvalidOperationException($"sctk sclite failed: {err.Result}");
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Wall-clock seconds and CPU seconds (this process's threads, or the waited-for children's for sclite).</summary>
internal readonly record struct Timing(double Wall, double Cpu)
{
    public static Timing Of(Action action, bool child)
    {
        var cpu0 = child ? ChildrenCpu() : Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        var sw = Stopwatch.StartNew();
        action();
        var wall = sw.Elapsed.TotalSeconds;
        var cpu1 = child ? ChildrenCpu() : Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        return new Timing(wall, cpu1 - cpu0);
    }

    public static Timing Median(List<Timing> timings) => new(
        timings.Select(t => t.Wall).Order().ElementAt(timings.Count / 2), timings.Select(t => t.Cpu).Order().ElementAt(timings.Count / 2));

    /// <summary>User + system time of waited-for children, from /proc/self/stat (cutime, cstime; 100 ticks per second).</summary>
    private static double ChildrenCpu()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)) / 100.0;
    }
}
