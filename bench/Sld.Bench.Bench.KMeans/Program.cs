// The k-means benchmark: clusters the same frames with scikit-learn's KMeans (through /usr/bin/python3) and
// with Sld.Bench's KMeans, alternating the two (ABBA) over --rounds, and prints wall and CPU times, final
// inertias and the ratios against the targets (inertia within 1% of scikit-learn's, wall time at most half of
// it). --fit-seeds N fits each side with N k-means++ seeds per round (seed, seed+1, ...) on the same frames and
// compares mean inertias, so that the 1% check is about the algorithm rather than one lucky or unlucky draw.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Bench.KMeans;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

var o = new Dictionary<string, string> { ["frames"] = "100000", ["dims"] = "80", ["k"] = "500", ["iterations"] = "20",
    ["blobs"] = "1000", ["seed"] = "0", ["rounds"] = "1", ["fit-seeds"] = "1", ["python"] = "/usr/bin/python3" };
for (var i = 0; i < args.Length; i++)
{
    var key = args[i].TrimStart('-');
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || !o.ContainsKey(key) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"usage: Sld.Bench.Bench.KMeans {string.Join(' ', o.Select(kv => $"[--{kv.Key} {kv.Value}]"))}");
        return 2;
    }
    o[key] = args[++i];
}
int Int(string key) => int.Parse(o[key], CultureInfo.InvariantCulture);
var (frames, dims, k, iterations, rounds) = (Int("frames"), Int("dims"), Int("k"), Int("iterations"), Int("rounds"));
var seed = ulong.Parse(o["seed"], CultureInfo.InvariantCulture);
var fitSeeds = Enumerable.Range(0, Int("fit-seeds")).Select(i => seed + (ulong)i).ToArray();
var loadAtStart = File.ReadAllText("/proc/loadavg").Split(' ')[0];

// scikit-learn's Lloyd runs on every core through OpenMP (and its k-means++ through BLAS): give libtorch the same.
var threads = int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), CultureInfo.InvariantCulture, out var t) ? t : Environment.ProcessorCount;
torch.set_num_threads(threads);

var data = BenchData.Generate(frames, dims, Int("blobs"), seed);
var npy = Path.Combine(Path.GetTempPath(), $"sldbench-kmeans-{Environment.ProcessId}.npy");
BenchData.WriteNpy(npy, data, frames, dims);
using var x = BenchData.ToTensor(data, frames, dims);
var script = Path.Combine(AppContext.BaseDirectory, "reference", "kmeans_sklearn.py");
KMeansOptions Options(ulong fitSeed) => new(k, KMeansInit.KMeansPlusPlus, KMeansAlgorithm.Lloyd, MaxIterations: iterations, Tolerance: 0, Seed: fitSeed);

var sklearn = new List<(ulong seed, double seconds, double cpu, double inertia, long iterations)>();
var ours = new List<(ulong seed, double seconds, double cpu, double inertia, long iterations)>();
string version = "";
try
{
    for (var round = 0; round < rounds; round++)
    {
        foreach (var which in round % 2 == 0 ? new[] { "sklearn", "csharp" } : ["csharp", "sklearn"])
        foreach (var fitSeed in fitSeeds)
        {
            if (which == "sklearn")
            {
                var r = RunSklearn(o["python"], script, npy, k, iterations, fitSeed);
                version = r.GetProperty("version").GetString() ?? "";
                sklearn.Add((fitSeed, r.GetProperty("seconds").GetDouble(), r.GetProperty("cpu_seconds").GetDouble(), r.GetProperty("inertia").GetDouble(),
                    r.GetProperty("iterations").GetInt64()));
                Console.Error.WriteLine(Invariant($"round {round + 1}, seed {fitSeed}: sklearn {sklearn[^1].seconds:F2} s (cpu {sklearn[^1].cpu:F2} s), inertia {sklearn[^1].inertia:F1}, load {Load()}"));
            }
            else
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var result = KMeans.Fit(x, Options(fitSeed));
                var seconds = clock.Elapsed.TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                result.Centers.Dispose();
                ours.Add((fitSeed, seconds, cpuSeconds, result.Inertia, result.Iterations));
                Console.Error.WriteLine(Invariant($"round {round + 1}, seed {fitSeed}: Sld.Bench {seconds:F2} s (cpu {cpuSeconds:F2} s), inertia {result.Inertia:F1}, load {Load()}"));
            }
        }
    }
}
finally
{
    File.Delete(npy);
}

// Times: the median over every fit of every round. Inertia: the mean over the fit seeds (each fit is
// deterministic, so every round repeats the same inertia per seed; the median per seed guards the check anyway).
double MeanInertia(IEnumerable<(ulong seed, double seconds, double cpu, double inertia, long iterations)> runs) =>
    runs.GroupBy(r => r.seed).Select(g => Median(g.Select(r => r.inertia))).Average();
var (skSeconds, skCpu, skInertia) = (Median(sklearn.Select(r => r.seconds)), Median(sklearn.Select(r => r.cpu)), MeanInertia(sklearn));
var (csSeconds, csCpu, csInertia) = (Median(ours.Select(r => r.seconds)), Median(ours.Select(r => r.cpu)), MeanInertia(ours));
var seedList = string.Join(",", fitSeeds);
Console.WriteLine(Invariant($"k-means: {frames} x {dims} frames ({Int("blobs")} Gaussian blobs, data seed {seed}), K={k}, k-means++ init, {iterations} Lloyd iterations, tol 0, n_init 1, fit seeds {seedList}"));
Console.WriteLine(Invariant($"libtorch {TorchRuntime.LibTorchVersion} ({torch.get_num_threads()} threads), scikit-learn {version}, OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset"}, {rounds} round(s) ABBA, {sklearn.Count} fits per side"));
Console.WriteLine();
Console.WriteLine($"{"implementation",-15} {"wall s",8} {"cpu s",8} {"mean inertia",16} {"iterations",11}");
Console.WriteLine(Invariant($"{"scikit-learn",-15} {skSeconds,8:F2} {skCpu,8:F2} {skInertia,16:F1} {sklearn[0].iterations,11}"));
Console.WriteLine(Invariant($"{"Sld.Bench",-15} {csSeconds,8:F2} {csCpu,8:F2} {csInertia,16:F1} {ours[0].iterations,11}"));
if (fitSeeds.Length > 1)
    foreach (var s in fitSeeds)
        Console.WriteLine(Invariant($"  seed {s}: inertia scikit-learn {Median(sklearn.Where(r => r.seed == s).Select(r => r.inertia)):F1}, Sld.Bench {Median(ours.Where(r => r.seed == s).Select(r => r.inertia)):F1}"));
Console.WriteLine();
var timeRatio = csSeconds / skSeconds;
var inertiaRatio = csInertia / skInertia;
Console.WriteLine(Invariant($"time Sld.Bench/scikit-learn (median wall): {timeRatio:F3} (target <= 0.5: {(timeRatio <= 0.5 ? "MET" : "NOT MET")}); cpu time ratio {csCpu / skCpu:F3}"));
Console.WriteLine(Invariant($"load average (1 min) at the start {loadAtStart}, at the end {Load()}, on {Environment.ProcessorCount} cores (other processes slow both sides)"));
Console.WriteLine(Invariant($"inertia Sld.Bench/scikit-learn (mean over fit seeds): {inertiaRatio:F4} (target within 1%: {(Math.Abs(inertiaRatio - 1) <= 0.01 ? "MET" : "NOT MET")})"));
return 0;

static JsonElement RunSklearn(string python, string script, string npy, int k, int iterations, ulong seed)
{
    var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[] { script, npy, k.ToString(CultureInfo.InvariantCulture), iterations.ToString(CultureInfo.InvariantCulture), seed.ToString(CultureInfo.InvariantCulture) })
        start.ArgumentList.Add(a);
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {python}");
    var stdout = process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0) throw new InvalidOperationException($"{python} {script} exited with {process.ExitCode} (needs python3-sklearn)");
    var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
    return JsonDocument.Parse(line).RootElement.Clone();
}

static double Median(IEnumerable<double> values)
{
    var v = values.Order().ToArray();
    return v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
}

static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
