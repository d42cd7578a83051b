// Fbank throughput: frames per second of Sld.Bench's Kaldi fbank (FeatureExtractor, CPU) against torchaudio's
// Kaldi fbank on the same waveforms, both measured in this run. Rounds are ABBA (every other round runs the
// sides in reverse order) so load that rises or falls hits them alike; each side reports its best and median
// pass, by wall clock and by process CPU time (the fairer figure when other jobs share the machine).
// torchaudio runs twice per round: as installed, and with the glibc allocator settings our extractor applies to
// itself (NativeAllocator), so the ratio is also stated for equal allocators. With --threads N both sides get
// N cores, each used its own way: torchaudio through N intra-op threads, ours through N utterances at once
// with one libtorch thread each.
// Usage:
//   dotnet run -c Release --project bench/Sld.Bench.Bench.Features -- [--utterances 200] [--threads 1] [--rounds 4]
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Audio;
using Sld.Bench.Features;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

var options = Options.Parse(args);
torch.set_num_threads(1);
var waveforms = Workload(options.Utterances);
Console.WriteLine($"workload: {waveforms.Count} utterances, {waveforms.Sum(w => w.Duration) / 60:0.0} min of 16 kHz audio (2-15 s each), 80 mel bins, dither off");
Console.WriteLine($"cores used: {options.Threads} on both sides (torchaudio: intra-op threads; ours: utterances in parallel, 1 libtorch thread each); " +
                  $"libtorch {TorchRuntime.LibTorchVersion}, {Environment.ProcessorCount} cores; best of {options.Rounds} rounds; " +
                  $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

var dir = Directory.CreateTempSubdirectory("sldbench-fbank-bench");
var all = waveforms.SelectMany(w => w.Samples).ToArray();
NpyFile.Write(Path.Combine(dir.FullName, "waveforms.npy"), all, all.Length);
WriteLengths(Path.Combine(dir.FullName, "lengths.npy"), waveforms.Select(w => (long)w.Samples.Length).ToArray());

using var extractor = new FeatureExtractor(new FeatureConfig());
var frames = OurPass(); // warm-up, and the frame count
var sides = new Dictionary<string, Func<Timing>>
{
    ["ours"] = () =>
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        OurPass();
        return new Timing(clock.Elapsed.TotalSeconds, (Refreshed(process).TotalProcessorTime - cpu).TotalSeconds);
    },
    ["torchaudio"] = () => Torchaudio(dir.FullName, options.Threads, frames, tunedAllocator: false),
    ["torchaudio-tuned"] = () => Torchaudio(dir.FullName, options.Threads, frames, tunedAllocator: true),
};
var timings = sides.Keys.ToDictionary(k => k, _ => new List<Timing>());
for (var round = 0; round < options.Rounds; round++)
{
    // ABBA: odd rounds run the sides in reverse, so a load that rises or falls during a round falls on both.
    var order = round % 2 == 0 ? sides.Keys.ToList() : sides.Keys.Reverse().ToList();
    var now = new Dictionary<string, Timing>();
    foreach (var side in order) now[side] = sides[side]();
    foreach (var (side, t) in now) timings[side].Add(t);
    Console.WriteLine($"  round {round + 1} ({string.Join(", ", order)}; frames/s, wall | cpu): ours {frames / now["ours"].Wall:N0} | {frames / now["ours"].Cpu:N0}, " +
                      $"torchaudio {frames / now["torchaudio"].Wall:N0} | {frames / now["torchaudio"].Cpu:N0}, " +
                      $"torchaudio with our allocator settings {frames / now["torchaudio-tuned"].Wall:N0} | {frames / now["torchaudio-tuned"].Cpu:N0}; " +
                      $"load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
}
var results = timings.ToDictionary(kv => kv.Key, kv => kv.Value.Aggregate(Timing.None, (best, t) => best.Best(t)));
var medians = timings.ToDictionary(kv => kv.Key, kv => Timing.Median(kv.Value));
dir.Delete(recursive: true);

var ours = results["ours"];
Console.WriteLine();
Console.WriteLine("| implementation | frames | frames/s (wall) | frames/s (CPU time) | ours / this (wall) | ours / this (CPU) |");
Console.WriteLine("|---|---|---|---|---|---|");
foreach (var (name, key) in new[] { ("torchaudio.compliance.kaldi.fbank, glibc defaults", "torchaudio"),
             ("torchaudio.compliance.kaldi.fbank, MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ as ours", "torchaudio-tuned"),
             ("Sld.Bench FeatureExtractor (KaldiFilterbank on libtorch)", "ours") })
{
    var t = results[key];
    Console.WriteLine($"| {name} | {frames} | {frames / t.Wall:N0} | {frames / t.Cpu:N0} | {t.Wall / ours.Wall:0.00}x | {t.Cpu / ours.Cpu:0.00}x |");
}
var tuned = results["torchaudio-tuned"];
var plain = results["torchaudio"];
Console.WriteLine();
Console.WriteLine($"ratio of best passes (CPU time): {plain.Cpu / ours.Cpu:0.00}x torchaudio as installed, {tuned.Cpu / ours.Cpu:0.00}x with equal allocator settings (target >= 2x)");
Console.WriteLine($"ratio of best passes (wall):     {plain.Wall / ours.Wall:0.00}x torchaudio as installed, {tuned.Wall / ours.Wall:0.00}x with equal allocator settings");
Console.WriteLine($"ratio of medians (CPU | wall):   {medians["torchaudio"].Cpu / medians["ours"].Cpu:0.00}x | {medians["torchaudio"].Wall / medians["ours"].Wall:0.00}x torchaudio as installed, " +
                  $"{medians["torchaudio-tuned"].Cpu / medians["ours"].Cpu:0.00}x | {medians["torchaudio-tuned"].Wall / medians["ours"].Wall:0.00}x with equal allocator settings");
Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
return 0;

// One utterance per call and its features dropped at once, as torchaudio's loop does.
long OurPass()
{
    long count = 0;
    Parallel.For(0, waveforms.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i =>
    {
        using var scope = torch.NewDisposeScope();
        Interlocked.Add(ref count, extractor.Compute(waveforms[i]).size(0));
    });
    return count;
}

static Process Refreshed(Process p)
{
    p.Refresh();
    return p;
}

// Tones gliding in pitch under a 3 Hz envelope plus noise, lengths spread like read speech; deterministic.
static List<Waveform> Workload(int count)
{
    var random = new Random(7);
    var list = new List<Waveform>(count);
    for (var i = 0; i < count; i++)
    {
        var n = (int)((2 + 13 * random.NextDouble()) * 16000);
        var x = new float[n];
        var f0 = 100 + 300 * random.NextDouble();
        for (var t = 0; t < n; t++)
        {
            var envelope = 0.5 + 0.5 * Math.Sin(2 * Math.PI * 3 * t / 16000.0);
            x[t] = (float)(envelope * (0.3 * Math.Sin(2 * Math.PI * f0 * t / 16000.0 * (1 + t / (double)n)) + 0.05 * (random.NextDouble() - 0.5)));
        }
        list.Add(new Waveform(x, 16000));
    }
    return list;
}

static Timing Torchaudio(string dir, int threads, long expectedFrames, bool tunedAllocator)
{
    var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
    start.Environment.Remove("MALLOC_MMAP_THRESHOLD_");
    start.Environment.Remove("MALLOC_TRIM_THRESHOLD_");
    if (tunedAllocator)
    {
        start.Environment["MALLOC_MMAP_THRESHOLD_"] = NativeAllocator.MmapThresholdBytes.ToString(CultureInfo.InvariantCulture);
        start.Environment["MALLOC_TRIM_THRESHOLD_"] = NativeAllocator.TrimThresholdBytes.ToString(CultureInfo.InvariantCulture);
    }
    foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "torchaudio_fbank.py"), Path.Combine(dir, "waveforms.npy"),
                 Path.Combine(dir, "lengths.npy"), threads.ToString(CultureInfo.InvariantCulture), "1" })
        start.ArgumentList.Add(a);
    using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start /usr/bin/python3");
    var stdout = process.StandardOutput.ReadToEndAsync();
    var stderr = process.StandardError.ReadToEndAsync();
    process.WaitForExit();
    if (process.ExitCode != 0)
        throw new InvalidOperationException($"torchaudio_fbank.py failed: {stderr.Result}\n(needs: sudo apt-get install -y python3-torch python3-torchaudio)");
    using var json = JsonDocument.Parse(stdout.Result);
    var frames = json.RootElement.GetProperty("frames").GetInt64();
    if (frames != expectedFrames) throw new InvalidOperationException($"frame counts differ: ours {expectedFrames}, torchaudio {frames}");
    return new Timing(json.RootElement.GetProperty("seconds").GetDouble(), json.RootElement.GetProperty("cpu_seconds").GetDouble());
}

static void WriteLengths(string path, long[] lengths)
{
    // NpyFile writes floats; lengths need int64, so this small header is written by hand.
    var header = $"{{'descr': '<i8', 'fortran_order': False, 'shape': ({lengths.Length},), }}";
    header += new string(' ', (64 - (10 + header.Length + 1) % 64) % 64) + "\n";
    using var stream = File.Create(path);
    stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, (byte)(header.Length >> 8)]);
    stream.Write(System.Text.Encoding.ASCII.GetBytes(header));
    foreach (var l in lengths) stream.Write(BitConverter.GetBytes(l));
}

internal sealed record Timing(double Wall, double Cpu)
{
    public static readonly Timing None = new(double.MaxValue, double.MaxValue);

    public Timing Best(Timing other) => new(Math.Min(Wall, other.Wall), Math.Min(Cpu, other.Cpu));

    /// <summary>Median wall and median CPU time, each on its own.</summary>
    public static Timing Median(IReadOnlyList<Timing> timings) => new(Middle(timings.Select(t => t.Wall)), Middle(timings.Select(t => t.Cpu)));

    private static double Middle(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}

internal sealed record Options(int Utterances, int Threads, int Rounds)
{
    public static Options Parse(string[] args)
    {
        int utterances = 200, threads = 1, rounds = 4;
        for (var i = 0; i < args.Length; i += 2)
        {
            if (i + 1 >= args.Length) throw new ArgumentException($"{args[i]} needs a value");
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--utterances": utterances = value; break;
                case "--threads": threads = value; break;
                case "--rounds": rounds = value; break;
                default: throw new ArgumentException($"unknown option {args[i]}; valid: --utterances N --threads N --rounds N");
            }
        }
        return new Options(utterances, threads, rounds);
    }
}
