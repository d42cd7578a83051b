// Entry point of the ASR benchmark. As launcher it writes one set of seeded weights, alternates fresh PyTorch
// and C# measurement processes (ABBA order against drift, the same OMP/OpenBLAS thread pinning for both) and
// prints training tokens/s and decoding utterances/s with the C#/PyTorch ratios; with --worker csharp it is
// the C# measurement; `preset-training` times the real trainer on a demo-sized set instead (no reference).
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Bench.Asr;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Sld.Bench.Training;

if (args is ["preset-training", .. var rest])
{
    // preset-training [--preset tiny] [--utterances 2000] [--seconds 150] [--threads 2] [--batch-tokens 2048] [--K 500] [--layers --width --heads]
    var p = new Dictionary<string, string> { ["preset"] = "tiny", ["utterances"] = "2000", ["seconds"] = "150", ["threads"] = "2", ["batch-tokens"] = "2048", ["K"] = "500", ["layers"] = "0", ["width"] = "0", ["heads"] = "0" };
    for (var i = 0; i + 1 < rest.Length; i += 2)
        p[rest[i].TrimStart('-')] = p.ContainsKey(rest[i].TrimStart('-')) ? rest[i + 1] : throw new ArgumentException($"unknown option {rest[i]}");
    int Int(string name) => int.Parse(p[name], CultureInfo.InvariantCulture);
    PresetTrainingMeasurement.Run(p["preset"], Int("utterances"), Int("seconds"), Int("threads"), Int("batch-tokens"), Int("K"), (Int("layers"), Int("width"), Int("heads")));
    return 0;
}

AsrBenchOptions options;
try
{
    options = AsrBenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}\n{AsrBenchOptions.Usage}");
    return 2;
}
if (options.Worker == "csharp")
{
    Console.WriteLine(CSharpAsrMeasurement.Run(options));
    return 0;
}

var directory = Directory.CreateTempSubdirectory("sld-bench-asr-");
var weights = Path.Combine(directory.FullName, "weights.safetensors");
torch.manual_seed(1337);
using (var model = new AsrModel(CSharpAsrMeasurement.Config(options), CSharpAsrMeasurement.Vocabulary(options["K"])))
{
    model.Save(weights);
    Console.WriteLine($"model: {options["layers"]} layers x {options["width"]} ({options["heads"]} heads), vocabulary {model.Vocabulary.Size}, " +
                      $"{model.ParameterCount():N0} parameters; libtorch {TorchRuntime.LibTorchVersion}");
}
options = options with { Weights = weights };
var reference = Path.Combine(RepositoryRoot(), "bench", "reference", "asr_train_decode.py");
var results = new Dictionary<string, List<JsonElement>> { ["pytorch-eager"] = [], ["csharp"] = [] };
for (var round = 0; round < options.Rounds; round++)
{
    foreach (var which in round % 2 == 0 ? new[] { "pytorch", "csharp" } : ["csharp", "pytorch"])
    {
        var host = Environment.ProcessPath!;
        string[] self = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [typeof(AsrBenchOptions).Assembly.Location] : [];
        var (file, arguments) = which == "pytorch"
            ? (options.Python, new[] { reference }.Concat(options.MeasurementArguments()))
            : (host, self.Concat(["--worker", "csharp"]).Concat(options.MeasurementArguments()));
        var environment = ThreadEnvironment(options["threads"]);
        if (which == "pytorch" && options.PythonMallocEnv)
        {
            environment["MALLOC_MMAP_THRESHOLD_"] = NativeAllocator.MmapThresholdBytes.ToString(CultureInfo.InvariantCulture);
            environment["MALLOC_TRIM_THRESHOLD_"] = NativeAllocator.TrimThresholdBytes.ToString(CultureInfo.InvariantCulture);
        }
        var r = Measure(file, arguments, environment);
        results[r.GetProperty("implementation").GetString()!].Add(r);
        Console.WriteLine($"round {round + 1} {r.GetProperty("implementation").GetString(),-13} train {r.GetProperty("train_tokens_per_s").GetDouble(),7:F0} tokens/s ({r.GetProperty("train_tokens_per_cpu_s").GetDouble(),6:F0} per CPU s)  " +
                          $"decode {r.GetProperty("decode_utterances_per_s").GetDouble(),6:F2} utt/s ({r.GetProperty("decode_utterances_per_cpu_s").GetDouble(),5:F2} per CPU s)  " +
                          $"({r.GetProperty("decode_tokens").GetInt64()} tokens decoded, first loss {r.GetProperty("first_loss").GetDouble():F4}, load {Load()})");
    }
}
directory.Delete(recursive: true);

double Best(string impl, string key) => results[impl].Max(r => r.GetProperty(key).GetDouble());
Console.WriteLine($"best of {options.Rounds} rounds, {options["threads"]} threads ({string.Join(' ', ThreadEnvironment(options["threads"]).Select(kv => $"{kv.Key}={kv.Value}"))}); " +
                  $"C# sets M_MMAP_THRESHOLD/M_TRIM_THRESHOLD in-process; Python {(options.PythonMallocEnv ? "gets the same through MALLOC_*_ variables" : "runs with glibc's defaults")}:");
foreach (var (what, key, unit) in new[]
         {
             ("training, wall", "train_tokens_per_s", "tokens/s"), ("training, CPU ", "train_tokens_per_cpu_s", "tokens/CPU s"),
             ("decoding, wall", "decode_utterances_per_s", "utt/s"), ("decoding, CPU ", "decode_utterances_per_cpu_s", "utt/CPU s"),
         })
{
    var (cs, py) = (Best("csharp", key), Best("pytorch-eager", key));
    Console.WriteLine($"  {what}  C# {cs,9:F2}  PyTorch eager {py,9:F2} {unit,-13} ratio {cs / py:F2}x (target >= 1.0x)");
}
return 0;

// The 1-minute load average: this machine is shared, so every measurement line says how busy it was.
static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

static Dictionary<string, string> ThreadEnvironment(int threads) => new()
{
    ["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture),
    ["OPENBLAS_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture),
};

// The reference script imports tests/reference/safetensors_io.py, so it runs from the repository, not a copy.
static string RepositoryRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Sld.Bench.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException($"no Sld.Bench.sln above {AppContext.BaseDirectory}");
}

static JsonElement Measure(string file, IEnumerable<string> arguments, Dictionary<string, string> environment)
{
    var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in arguments) start.ArgumentList.Add(a);
    foreach (var (k, v) in environment) start.Environment[k] = v;
    using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
    var stdout = process.StandardOutput.ReadToEnd(); // stderr is inherited so errors show as they happen
    process.WaitForExit();
    var command = $"{file} {string.Join(' ', start.ArgumentList)}";
    if (process.ExitCode != 0) throw new InvalidOperationException($"`{command}` exited with code {process.ExitCode}");
    var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.TrimStart().StartsWith('{'))
               ?? throw new InvalidDataException($"`{command}` printed no JSON line:\n{stdout}");
    return JsonDocument.Parse(line).RootElement.Clone();
}
