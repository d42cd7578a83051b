// The dashboard under concurrent load, as a separate `sldbench serve` process on a large store (made by
// bench/Sld.Bench.Bench.Dashboard): per page, N requests at once; prints p50, p99 and max latency, errors,
// and the server's resident memory (idle, and the kernel's high-water mark VmHWM, so "throughout" is exact).
// The reference is the target: p99 under 1 s and resident memory under 1 GB; the ratio printed is p99 / 1 s.
// The client opens its connections in one untimed burst first; each page is then one timed burst per round.
//   dotnet run -c Release --project bench/Sld.Bench.Bench.DashboardLoad -- --db /tmp/sldbench-dashboard-bench/results.db [--concurrency 200] [--rounds 1]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var database = Path.GetFullPath(Arg("--db", "/tmp/sldbench-dashboard-bench/results.db"));
var concurrency = int.Parse(Arg("--concurrency", "200"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("--rounds", "1"), CultureInfo.InvariantCulture);
if (!File.Exists(database)) throw new FileNotFoundException($"no store at {database}; make one with bench/Sld.Bench.Bench.Dashboard --generate-only", database);

var repo = FindRepo();
var sldbench = Path.Combine(repo, "harness", "Sld.Bench.Cli", "bin", "Release", "net10.0", "sldbench.dll");
var port = FreePort();
var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { sldbench, "serve", "--db", database, "--urls", $"http://127.0.0.1:{port}" }) start.ArgumentList.Add(a);
using var server = Process.Start(start) ?? throw new InvalidOperationException("cannot start sldbench serve");
var serverLog = new System.Text.StringBuilder();
server.OutputDataReceived += (_, e) => { lock (serverLog) serverLog.AppendLine(e.Data); };
server.ErrorDataReceived += (_, e) => { lock (serverLog) serverLog.AppendLine(e.Data); };
server.BeginOutputReadLine();
server.BeginErrorReadLine();

// No cookie container: every request is a first-time visitor, as 200 different people would be.
using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2, PooledConnectionLifetime = TimeSpan.FromMinutes(10), UseCookies = false };
using var http = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) };
var clock = Stopwatch.StartNew();
while (true)
{
    if (server.HasExited) throw new InvalidOperationException("the server exited:\n" + serverLog);
    try
    {
        using var probe = await http.GetAsync("not-a-page");
        break;
    }
    catch (HttpRequestException)
    {
        await Task.Delay(200);
    }
}
// Let the server's own warm-up (catalogue, one request per page kind) finish before measuring.
await Task.Delay(TimeSpan.FromSeconds(15));
var idle = Memory(server.Id);
Console.WriteLine($"server pid {server.Id} listening after {clock.Elapsed.TotalSeconds:F1} s; idle resident memory {idle.Rss / 1e6:F0} MB");

// Open the client's connections and warm its own code with one untimed burst on a page that reads no results,
// so the timed bursts measure the server's pages, not 200 TCP handshakes or the benchmark's JIT.
await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
{
    try
    {
        using var warm = await http.GetAsync("not-a-page");
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
    {
    }
}));
var (run, other) = DoneRuns(database);
var pages = new (string Name, string Path)[]
{
    ("Leaderboard", ""),
    ("Leaderboard, mean over seeds", "?sweep=sweep_03&group=loss.strategy,model.layers,train.lr,tokenizer.k"),
    ("Sweep grid", "grid?sweep=sweep_03&rows=loss.strategy&cols=model.layers"),
    ("Sweep grid, seed x seed", "grid?sweep=sweep_03&rows=seed&cols=seed"),
    ("Run: overview", $"runs/{run}?view=overview"),
    ("Run: training curves", $"runs/{run}?view=training"),
    ("Run: test set analysis", $"runs/{run}?view=test-clean"),
    ("Compare two runs", $"compare?runs={other},{run}&testset=test-clean"),
    ("Export: table preview", "export?sweep=sweep_03&rows=loss.strategy&cols=model.layers&fix=train.lr%3D0.001&fix=tokenizer.k%3D500"),
};

Console.WriteLine();
Console.WriteLine($"| page | requests | errors | p50 (ms) | p99 (ms) | max (ms) | p99 / 1 s | server RSS after (MB) |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
var worstP99 = 0.0;
var totalErrors = 0;
foreach (var (name, path) in pages)
{
    var times = new List<double>();
    var errors = 0;
    for (var round = 0; round < rounds; round++)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead);
                await response.Content.ReadAsByteArrayAsync();
                return (watch.Elapsed.TotalMilliseconds, response.StatusCode == HttpStatusCode.OK);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return (watch.Elapsed.TotalMilliseconds, false);
            }
        }));
        times.AddRange(results.Select(r => r.Item1));
        errors += results.Count(r => !r.Item2);
    }
    times.Sort();
    var p50 = Percentile(times, 0.50);
    var p99 = Percentile(times, 0.99);
    worstP99 = Math.Max(worstP99, p99);
    totalErrors += errors;
    var memory = Memory(server.Id);
    Console.WriteLine($"| {name} | {times.Count} | {errors} | {p50:F0} | {p99:F0} | {times[^1]:F0} | {p99 / 1000:F2} | {memory.Rss / 1e6:F0} |");
}
var final = Memory(server.Id);
Console.WriteLine();
Console.WriteLine($"server resident memory: idle {idle.Rss / 1e6:F0} MB, high-water mark {final.Peak / 1e6:F0} MB (VmHWM, the whole run); target < 1000 MB: {(final.Peak < 1e9 ? "met" : "NOT met")}");
Console.WriteLine($"worst p99 {worstP99:F0} ms (target < 1000 ms: {(worstP99 < 1000 ? "met" : "NOT met")}); errors {totalErrors}");
Console.WriteLine($"load average during the run: {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} cores");
server.Kill();
await server.WaitForExitAsync();
return totalErrors == 0 && worstP99 < 1000 && final.Peak < 1e9 ? 0 : 1;

static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

// VmRSS now and VmHWM (the peak since the process started), from /proc.
static (long Rss, long Peak) Memory(int pid)
{
    long rss = 0, peak = 0;
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kilobytes(line) * 1024;
        else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kilobytes(line) * 1024;
    }
    return (rss, peak);
}

static long Kilobytes(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

static (long Run, long Other) DoneRuns(string database)
{
    using var conn = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
    conn.Open();
    using var cmd = conn.CreateCommand();
    cmd.CommandText = "SELECT run_id FROM evaluations WHERE test_set = 'test-clean' ORDER BY id DESC LIMIT 2";
    using var reader = cmd.ExecuteReader();
    var ids = new List<long>();
    while (reader.Read()) ids.Add(reader.GetInt64(0));
    return (ids[0], ids[1]);
}

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Sld.Bench.sln"))) return dir.FullName;
    throw new DirectoryNotFoundException("run from inside the repository");
}
