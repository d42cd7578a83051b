// What docker-compose.yml runs, outside containers: its services' resolved commands and environments against
// a throw-away PostgreSQL (the `postgres` service) and temp folders (the volumes). The dashboard answers on the
// empty store, two workers share a submitted sweep, one stopped mid-cell loses nothing after a second submit,
// and the dashboard serves the finished leaderboard: a CLI change that breaks the compose file fails here.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Shared.Tests.Storage;
using Sld.Bench.Sweeps;

namespace Sld.Bench.Cli.Tests.Compose;

[Collection(ConsoleCollection.Name)] // many processes: alone, as the other multi-worker tests
public sealed class ComposeServicesTests(PostgresCluster cluster, SweepFolder folder) : IClassFixture<PostgresCluster>, IClassFixture<SweepFolder>
{
    private const string Token = "compose-test-token-0123456789";
    private const int Steps = 36; // the first checkpoint (step 6) leaves 30 steps in which to stop its worker

    [ComposeFact]
    public async Task TwoWorkersShareTheCellsSurviveAStopAndTheDashboardServesTheLeaderboard()
    {
        var database = await cluster.CreateDatabaseAsync();
        var url = new Uri(database);
        folder.Write("compose", $"steps: {Steps}, eval_every: 100, checkpoint_every: 6", """
            sweep:
              name: compose
              grid:
                loss: [loss_masking, multimodal_ce]
              seeds: [0, 1]
            """);
        var data = Directory.CreateDirectory(Path.Combine(folder.Root, "artifacts-volume")).FullName;
        var env = ComposeFile.WriteEnv(folder.Root, new Dictionary<string, string>
        {
            ["POSTGRES_USER"] = url.UserInfo, ["POSTGRES_PASSWORD"] = "unused-by-trust-auth", ["POSTGRES_DB"] = url.AbsolutePath.Trim('/'),
            ["SLDBENCH_DASHBOARD_TOKEN"] = Token, ["SLDBENCH_EXPERIMENTS"] = folder.Experiments, ["SLDBENCH_EXPERIMENT"] = "compose.yaml",
            ["SLDBENCH_THREADS"] = "1",
        });
        var (services, _) = ComposeFile.Resolve(env);
        var host = new ServiceHost(data, folder.Experiments, url.Host, url.Port);
        var dashboardPort = FreePort();

        // `docker compose up`: the dashboard may answer before any worker created the schema; then the workers start.
        var dashboard = host.Start(services["dashboard"], "dashboard", args => [.. args.Select(a => a.Replace(":5080", $":{dashboardPort}", StringComparison.Ordinal))]);
        var workers = new List<ServiceProcess>();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}/") };
        try
        {
            var empty = await WaitAsync(TimeSpan.FromMinutes(3), async () =>
            {
                if (dashboard.HasExited) throw new InvalidOperationException($"the dashboard exited ({await dashboard.WaitForExitAsync(TimeSpan.FromSeconds(10))}):\n{dashboard.Output}");
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "") { Headers = { Authorization = new("Bearer", Token) } };
                    using var response = await http.SendAsync(request);
                    return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                }
                catch (HttpRequestException)
                {
                    return null; // not listening yet
                }
            }, () => dashboard.Output);
            Assert.StartsWith("200 ", empty);
            Assert.Contains("No runs yet", empty);
            workers.Add(host.Start(services["worker"], "worker-1"));
            workers.Add(host.Start(services["worker"], "worker-2"));

            var submit = host.Start(services["submit"], "submit");
            Assert.True(await submit.WaitForExitAsync(TimeSpan.FromMinutes(2)) == ExitCodes.Success, submit.Output);
            Assert.Contains("4 cells (4 new, 0 known)", submit.Output);

            // Stop (SIGTERM, as `docker compose stop` does) the worker of the first cell that has a checkpoint.
            await using var store = await ResultsStore.OpenReadOnlyAsync(database);
            var sweep = (await store.GetSweepAsync("compose"))!;
            var (stopped, run) = await WaitAsync(TimeSpan.FromMinutes(5), async () =>
            {
                foreach (var r in (await store.ListRunsAsync(sweep.Id)).Where(r => r.Status == RunStatus.Running))
                {
                    var checkpoint = Path.Combine(SweepWorker.RunDirectory(data, "compose", r.ConfigHash), "checkpoints", "last.safetensors");
                    if (File.Exists(checkpoint) && workers.FirstOrDefault(w => w.Pid == r.ClaimedByPid) is { } w) return (w, r);
                }
                return default;
            }, () => string.Join("\n", workers.Select(w => w.Output)));
            stopped.Terminate();
            Assert.True(await stopped.WaitForExitAsync(TimeSpan.FromMinutes(2)) == ExitCodes.Interrupted, stopped.Output);
            Assert.Contains($"cell #{run.Index}: interrupted", stopped.Output);
            var status = (await store.GetRunAsync(run.Id))!.Status;
            Assert.True(status == RunStatus.Cancelled, $"cell #{run.Index} is {status} after its worker stopped:\n{stopped.Output}");

            // `docker compose run --rm submit` again requeues the cell; `docker compose up` starts the worker again.
            submit = host.Start(services["submit"], "submit-again");
            Assert.True(await submit.WaitForExitAsync(TimeSpan.FromMinutes(2)) == ExitCodes.Success, submit.Output);
            Assert.Contains("0 new, 4 known", submit.Output);
            Assert.Contains("requeued 1 interrupted", submit.Output);
            workers.Add(host.Start(services["worker"], "worker-1-again"));

            var runs = await WaitAsync(TimeSpan.FromMinutes(6), async () =>
            {
                var all = await store.ListRunsAsync(sweep.Id);
                return all.All(r => r.Status is RunStatus.Done or RunStatus.Failed or RunStatus.Diverged) ? all : null;
            }, () => string.Join("\n", workers.Select(w => w.Output)));
            var logs = string.Join("\n", workers.Select(w => w.Output));
            Assert.All(runs, r => Assert.True(r.Status == RunStatus.Done, $"#{r.Index} {r.Status}: {r.Error}\n{logs}"));
            foreach (var r in runs)
            {
                // Each cell started once, the stopped one twice (its second attempt from the checkpoint); one evaluation each.
                var starts = Regex.Matches(logs, $@"cell #{r.Index} {r.ConfigHash}: started \(attempt (\d)\)").Select(m => m.Groups[1].Value).ToArray();
                Assert.Equal(r.Id == run.Id ? ["1", "2"] : ["1"], starts);
                Assert.Equal(r.Id == run.Id ? 2 : 1, r.Attempts);
                Assert.Single(await store.GetEvaluationsAsync(r.Id));
                var losses = await store.GetMetricsAsync(r.Id, "train/loss");
                Assert.Equal(Enumerable.Range(1, Steps).Select(s => (long)s), losses.Select(m => m.Step));
            }
            Assert.True(workers[0].Output.Contains("started", StringComparison.Ordinal) && workers[1].Output.Contains("started", StringComparison.Ordinal),
                "both workers took cells:\n" + logs);

            // The dashboard: the token is required (it listens beyond loopback), and the leaderboard lists every cell.
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("")).StatusCode);
            http.DefaultRequestHeaders.Authorization = new("Bearer", Token);
            var html = await http.GetStringAsync("?sweep=compose");
            Assert.Contains("Leaderboard", html);
            foreach (var r in runs) Assert.Contains($"runs/{r.Id}", html);

            // Idle workers and the dashboard stop cleanly on SIGTERM.
            foreach (var w in workers.Where(w => !w.HasExited)) w.Terminate();
            foreach (var w in workers.Where(w => w != stopped))
                Assert.True(await w.WaitForExitAsync(TimeSpan.FromMinutes(1)) == ExitCodes.Success, w.Output);
            dashboard.Terminate();
            Assert.True(await dashboard.WaitForExitAsync(TimeSpan.FromMinutes(1)) == ExitCodes.Success, dashboard.Output);
        }
        finally
        {
            foreach (var p in workers.Append(dashboard)) p.Dispose();
            NpgsqlConnection.ClearAllPools();
        }
    }

    private static async Task<T> WaitAsync<T>(TimeSpan limit, Func<Task<T?>> probe, Func<string> context)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await probe() is { } found && !EqualityComparer<T>.Default.Equals(found, default!)) return found;
            await Task.Delay(200);
        }
        throw new TimeoutException($"not reached in {limit.TotalMinutes} minutes:\n{context()}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// Runs a resolved compose service as a local process: the image's entrypoint is this build's sldbench, the
/// volumes' container paths become the folders standing in for them, and the `postgres` service's address
/// becomes the throw-away cluster's.
/// </summary>
internal sealed class ServiceHost(string artifactsFolder, string experimentsFolder, string postgresHost, int postgresPort)
{
    public ServiceProcess Start(ComposeService service, string name, Func<IReadOnlyList<string>, IReadOnlyList<string>>? adjust = null)
    {
        Assert.Equal(["/app/sldbench"], service.Entrypoint);
        var mounts = service.Volumes.Select(v => v.Split(':')).ToDictionary(
            v => v[1],
            v => v[0] == "artifacts" ? artifactsFolder : v[0] == experimentsFolder ? experimentsFolder : throw new InvalidOperationException($"service {service.Name} mounts {v[0]}, which the test does not stand in for"));
        string Local(string value) => mounts.Keys.FirstOrDefault(t => value == t || value.StartsWith(t + "/", StringComparison.Ordinal)) is { } target
            ? mounts[target] + value[target.Length..] : value;
        var args = service.Command.Select(Local).ToList();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = artifactsFolder };
        start.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
        foreach (var a in adjust?.Invoke(args) ?? args) start.ArgumentList.Add(a);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SLDBENCH_", StringComparison.Ordinal)).ToList()) start.Environment.Remove(key);
        foreach (var (key, value) in service.Environment) start.Environment[key] = key == "SLDBENCH_DB" ? Store(value) : value;
        return new ServiceProcess(name, start);
    }

    private string Store(string connection)
    {
        var b = new NpgsqlConnectionStringBuilder(connection);
        Assert.Equal(("postgres", 5432), (b.Host, b.Port));
        b.Host = postgresHost;
        b.Port = postgresPort;
        return b.ToString();
    }
}

internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public ServiceProcess(string name, ProcessStartInfo start)
    {
        Name = name;
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {name}");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output
    {
        get
        {
            lock (_output) return $"--- {Name}\n{_output}";
        }
    }

    public void Terminate() => WorkerProcesses.Terminate(_process.Id);

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Name} did not exit in {limit.TotalSeconds} s:\n{Output}");
        }
        _process.WaitForExit(); // drains the output
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}
