// The k-means benchmark: clusters the same frames with scikit-learn's KMeans (through /usr/bin/python3) and
// with Sld.Bench's KMeans, alternating the two (ABBA) over --rounds, and prints wall times, final inertias and
// the ratios against the targets (inertia within 1% of scikit-learn's, wall time at most half of it).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Bench.KMeans;
using Sld.Bench.Tokenizers;
using Sld.Bench.Torch;

var o = new Dictionary<string, string> { ["frames"] = "100000", ["dims"] = "80", ["k"] = "500", ["iterations"] = "20",
    ["blobs"] = "1000", ["seed"] = "0", ["rounds"] = "1", ["python"] = "/usr/bin/python3" };
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

// scikit-learn's Lloyd runs on every core through OpenMP (and its k-means++ through BLAS): give libtorch the same.
var threads = int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), CultureInfo.InvariantCulture, out var t) ? t : Environment.ProcessorCount;
torch.set_num_threads(threads);

var data = BenchData.Generate(frames, dims, Int("blobs"), seed);
var npy = Path.Combine(Path.GetTempPath(), $"sldbench-kmeans-{Environment.ProcessId}.npy");
BenchData.WriteNpy(npy, data, frames, dims);
using var x = BenchData.ToTensor(data, frames, dims);
var script = Path.Combine(AppContext.BaseDirectory, "reference", "kmeans_sklearn.py");
var options = new KMeansOptions(k, KMeansInit.KMeansPlusPlus, KMeansAlgorithm.Lloyd, MaxIterations: iterations, Tolerance: 0, Seed: seed);

var sklearn = new List<(double seconds, double cpu, double inertia, long iterations)>();
var ours = new List<(double seconds, double cpu, double inertia, long iterations)>();
string version = "";
try
{
    for (var round = 0; round < rounds; round++)
    {
        foreach (var which in round % 2 == 0 ? new[] { "sklearn", "csharp" } : ["csharp", "sklearn"])
        {
            if (which == "sklearn")
            {
                var r = RunSklearn(o["python"], script, npy, k, iterations, seed);
                version = r.GetProperty("version").GetString() ?? "";
                sklearn.Add((r.GetProperty("seconds").GetDouble(), r.GetProperty("cpu_seconds").GetDouble(), r.GetProperty("inertia").GetDouble(),
                    r.GetProperty("iterations").GetInt64()));
                Console.Error.WriteLine($"round {round + 1}: sklearn {sklearn[^1].seconds:F2} s (cpu {sklearn[^1].cpu:F2} s), inertia {sklearn[^1].inertia:F1}");
            }
            else
            {
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                var result = KMeans.Fit(x, options);
                var seconds = clock.Elapsed.TotalSeconds;
                var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                result.Centers.Dispose();
                ours.Add((seconds, cpuSeconds, result.Inertia, result.Iterations));
                Console.Error.WriteLine($"round {round + 1}: Sld.Bench {seconds:F2} s (cpu {cpuSeconds:F2} s), inertia {result.Inertia:F1}");
            }
        }
    }
}
finally
{
    File.Delete(npy);
}

var (skSeconds, skCpu, skInertia) = (Median(sklearn.Select(r => r.seconds)), Median(sklearn.Select(r => r.cpu)), Median(sklearn.Select(r => r.inertia)));
var (csSeconds, csCpu, csInertia) = (Median(ours.Select(r => r.seconds)), Median(ours.Select(r => r.cpu)), Median(ours.Select(r => r.inertia)));
Console.WriteLine(Invariant($"k-means: {frames} x {dims} frames ({Int("blobs")} Gaussian blobs, seed {seed}), K={k}, k-means++ init, {iterations} Lloyd iterations, tol 0, n_init 1"));
Console.WriteLine(Invariant($"libtorch {torch.version} ({torch.get_num_threads()} threads), scikit-learn {version}, OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "unset"}, {rounds} round(s), medians"));
Console.WriteLine();
Console.WriteLine($"{"implementation",-15} {"wall s",8} {"cpu s",8} {"inertia",16} {"iterations",11}");
Console.WriteLine(Invariant($"{"scikit-learn",-15} {skSeconds,8:F2} {skCpu,8:F2} {skInertia,16:F1} {sklearn[0].iterations,11}"));
Console.WriteLine(Invariant($"{"Sld.Bench",-15} {csSeconds,8:F2} {csCpu,8:F2} {csInertia,16:F1} {ours[0].iterations,11}"));
Console.WriteLine();
var timeRatio = csSeconds / skSeconds;
var inertiaRatio = csInertia / skInertia;
Console.WriteLine(Invariant($"time Sld.Bench/scikit-learn: {timeRatio:F3} (target <= 0.5: {(timeRatio <= 0.5 ? "MET" : "NOT MET")}); cpu time ratio {csCpu / skCpu:F3}"));
Console.WriteLine(Invariant($"load average at the end: {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {Environment.ProcessorCount} cores (other processes slow both sides)"));
Console.WriteLine(Invariant($"inertia Sld.Bench/scikit-learn: {inertiaRatio:F4} (target within 1%: {(Math.Abs(inertiaRatio - 1) <= 0.01 ? "MET" : "NOT MET")})"));
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
