// Generates (or reuses) a large results store and times each dashboard page over HTTP against it: the first
// request (cold: catalogue and caches empty) and the median and worst of the next ten. Prints a table and
// writes bench/RESULTS-dashboard.md.
//   dotnet run -c Release --project bench/Sld.Bench.Bench.Dashboard -- [--db PATH] [--sweeps 10] [--runs-per-sweep 1000] [--utterances 5000] [--generate-only] [--evict] [--only TEXT]
// --only TEXT times just the pages whose name contains TEXT (e.g. --only Export) and prints them without
// writing bench/RESULTS-dashboard.md, which stays the record of a full run.
// An existing store is completed first when a previous generation was stopped (runs not yet written).
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Sld.Bench.Bench.Dashboard;
using Sld.Bench.Dashboard.Hosting;
using Microsoft.Extensions.DependencyInjection;

string Arg(string name, string fallback) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() ?? fallback;
var database = Path.GetFullPath(Arg("--db", "/tmp/sldbench-dashboard-bench/results.db"));
var sweeps = int.Parse(Arg("--sweeps", "10"), CultureInfo.InvariantCulture);
var perSweep = int.Parse(Arg("--runs-per-sweep", "1000"), CultureInfo.InvariantCulture);
var utterances = int.Parse(Arg("--utterances", "5000"), CultureInfo.InvariantCulture);
var only = Arg("--only", "");
if (perSweep != 1000) throw new ArgumentException("each synthetic sweep is a 4 x 5 x 5 x 5 grid with 2 seeds: 1,000 runs");

Directory.CreateDirectory(Path.GetDirectoryName(database)!);
if (!File.Exists(database) || Unwritten(database) > 0) await BulkWriter.WriteAsync(database, sweeps, perSweep, utterances, Console.Out);
if (args.Contains("--generate-only")) return 0;
var (runs, evaluations, rows) = Count(database);
var size = new FileInfo(database).Length;
Console.WriteLine($"store: {database}: {runs:N0} runs, {evaluations:N0} evaluations, {rows:N0} utterance rows, {size / 1e9:F1} GB");

// --evict drops the database from the OS page cache first (posix_fadvise DONTNEED), so "cold" includes disk reads.
var evicted = args.Contains("--evict") && Evict(database) && Evict(database + "-wal");
var startClock = Stopwatch.StartNew();
await using var dashboard = await DashboardHost.StartAsync(new DashboardOptions { Database = database, Urls = ["http://127.0.0.1:0"] });
var started = startClock.Elapsed.TotalMilliseconds;
// The host loads the catalogue in the background once it listens; wait for it and report how long it took.
var snapshot = await dashboard.Services.GetRequiredService<Sld.Bench.Dashboard.Data.ResultsReader>().GetSnapshotAsync();
var catalogue = startClock.Elapsed.TotalMilliseconds;
await dashboard.Services.GetRequiredService<WarmUp>().Completed;
var warmed = startClock.Elapsed.TotalMilliseconds;
Console.WriteLine($"server started in {started:F0} ms; catalogue of {snapshot.Runs.Count:N0} runs ready {catalogue:F0} ms after start, warm-up requests done at {warmed:F0} ms{(evicted ? " (page cache evicted)" : "")}");
using var http = new HttpClient { BaseAddress = dashboard.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
var run = FirstDoneRun(database);
var other = snapshot.Runs.First(r => r.Id != run && r.Status == Sld.Bench.Shared.Storage.RunStatus.Done && snapshot.Evaluation(r.Id, "test-clean") is not null).Id;
// Warm the JIT on a page that reads no results, so "cold" below measures the data, not the runtime start.
for (var i = 0; i < 3; i++) (await http.GetAsync("not-a-page")).Dispose();
var pages = new (string Name, string Path)[]
{
    ("Leaderboard, all runs", ""),
    ("Leaderboard, filtered and sorted", "?filter=loss.strategy%3Dsld&sort=train.lr"),
    ("Leaderboard, mean over seeds", "?sweep=sweep_03&group=loss.strategy,model.layers,train.lr,tokenizer.k"),
    ("Sweep grid", "grid?sweep=sweep_03&rows=loss.strategy&cols=model.layers"),
    ("Run: overview", $"runs/{run}?view=overview"),
    ("Run: training curves", $"runs/{run}?view=training"),
    ("Run: test set analysis", $"runs/{run}?view=test-clean"),
    ("Run: erroneous utterances, page 40", $"runs/{run}?view=test-clean&errors=true&page=40"),
    ("Compare two runs (bootstrap, MAPSSWE)", $"compare?runs={other},{run}&testset=test-clean"),
    ("Export: table preview", "export?sweep=sweep_03&rows=loss.strategy&cols=model.layers&fix=train.lr%3D0.001&fix=tokenizer.k%3D500"),
    ("Export: with baseline, MAPSSWE", "export?sweep=sweep_03&rows=loss.strategy&cols=model.layers&fix=train.lr%3D0.001&fix=tokenizer.k%3D500&baseline=loss.strategy%3Dlm%2Cmodel.layers%3D2&test=mapsswe"),
    ("Export: with baseline, bootstrap", "export?sweep=sweep_03&rows=loss.strategy&cols=model.layers&fix=train.lr%3D0.001&fix=tokenizer.k%3D500&baseline=loss.strategy%3Dlm%2Cmodel.layers%3D2&test=bootstrap"),
};
var results = new List<(string, string, double, double, double)>();
foreach (var (name, path) in pages.Where(p => p.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
{
    var cold = await TimeAsync(path);
    var warm = new List<double>();
    for (var i = 0; i < 10; i++) warm.Add(await TimeAsync(path));
    warm.Sort();
    results.Add((name, path, cold, (warm[4] + warm[5]) / 2, warm[^1]));
    Console.WriteLine($"{name,-40} cold {cold,7:F0} ms   median {(warm[4] + warm[5]) / 2,7:F0} ms   max {warm[^1],7:F0} ms");
}
if (only.Length > 0) return 0; // a partial run does not replace the record of a full one

var md = new System.Text.StringBuilder();
md.Append("# Dashboard page times\n\n");
md.Append($"Command: `dotnet run -c Release --project bench/Sld.Bench.Bench.Dashboard -- --db {database} --sweeps {sweeps} --utterances {utterances}{(evicted ? " --evict" : "")}`\n\n");
md.Append($"Store: SQLite, {runs:N0} runs in {sweeps} sweeps, {evaluations:N0} evaluations, {rows:N0} utterance rows ({utterances:N0} per done run), {size / 1e9:F1} GB. ");
md.Append($"Machine: {Environment.ProcessorCount} cores. Times are wall time of one GET over loopback (server render incl. database queries), ");
md.Append("cold = first request for the page after start, then the median and the worst of ten more. ");
md.Append($"When it starts listening the server loads the catalogue (every run, axis value and evaluation count: ready {catalogue:F0} ms after start) and requests one page of each kind ");
md.Append($"from itself over loopback (other run ids than below; done {warmed:F0} ms after start){(evicted ? "; the database was evicted from the OS page cache before the start (--evict)" : "")}. ");
md.Append("The timings below start after that.\n\n");
md.Append("| page | path | cold (ms) | median (ms) | max (ms) |\n|---|---|---:|---:|---:|\n");
foreach (var (name, path, cold, median, max) in results)
    md.Append(CultureInfo.InvariantCulture, $"| {name} | `/{path}` | {cold:F0} | {median:F0} | {max:F0} |\n");
var output = Path.Combine(FindRepo(), "bench", "RESULTS-dashboard.md");
File.WriteAllText(output, md.ToString());
Console.WriteLine($"wrote {output}");
return 0;

async Task<double> TimeAsync(string path)
{
    var clock = Stopwatch.StartNew();
    using var response = await http.GetAsync(path);
    var body = await response.Content.ReadAsStringAsync();
    clock.Stop();
    if (!response.IsSuccessStatusCode || body.Length < 1000) throw new InvalidOperationException($"/{path} answered {response.StatusCode}");
    return clock.Elapsed.TotalMilliseconds;
}

static (long, long, long) Count(string database)
{
    using var conn = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
    conn.Open();
    long Scalar(string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
    return (Scalar("SELECT COUNT(*) FROM runs"), Scalar("SELECT COUNT(*) FROM evaluations"), Scalar("SELECT SUM(sentences) FROM evaluations"));
}

static bool Evict(string path)
{
    if (!File.Exists(path)) return true;
    using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
    return Native.posix_fadvise((int)file.SafeFileHandle.DangerousGetHandle(), 0, 0, 4 /* POSIX_FADV_DONTNEED */) == 0;
}

static long Unwritten(string database)
{
    using var conn = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
    conn.Open();
    using var cmd = conn.CreateCommand();
    cmd.CommandText = "SELECT COUNT(*) FROM runs WHERE attempts = 0";
    return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
}

static long FirstDoneRun(string database)
{
    using var conn = new SqliteConnection($"Data Source={database};Mode=ReadOnly");
    conn.Open();
    using var cmd = conn.CreateCommand();
    cmd.CommandText = "SELECT run_id FROM evaluations ORDER BY id DESC LIMIT 1";
    return Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Sld.Bench.sln"))) return dir.FullName;
    return Directory.GetCurrentDirectory();
}

internal static class Native
{
    [System.Runtime.InteropServices.DllImport("libc")]
    internal static extern int posix_fadvise(int fd, long offset, long length, int advice);
}
