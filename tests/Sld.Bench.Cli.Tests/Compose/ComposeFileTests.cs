// docker-compose.yml, its Dockerfile and the package list they share, checked without containers: compose
// validates and resolves the file (services, volumes, profiles, interpolation from an env file), the services
// keep the properties the deployment guide promises, and the image installs exactly the runtime packages.
using System.Diagnostics;
using Sld.Bench.Testing;
using YamlDotNet.RepresentationModel;

namespace Sld.Bench.Cli.Tests.Compose;

public sealed class ComposeFileTests : IDisposable
{
    private const string Token = "0123456789abcdef-compose";
    private readonly string _folder = Directory.CreateTempSubdirectory("sldbench-compose-").FullName;

    private string Env(params (string Key, string Value)[] extra)
    {
        var values = new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "pw0123456789", ["SLDBENCH_DASHBOARD_TOKEN"] = Token };
        foreach (var (key, value) in extra) values[key] = value;
        return ComposeFile.WriteEnv(_folder, values);
    }

    [ComposeFact]
    public void ComposeResolvesTheStoreTheDashboardTheWorkersAndTheOneShotSubmit()
    {
        var (services, volumes) = ComposeFile.Resolve(Env());
        Assert.Equal(["dashboard", "postgres", "submit", "worker", "worker-gpu"], services.Keys.Order().ToArray());
        Assert.Equal(["artifacts", "postgres"], volumes.Order().ToArray());

        var postgres = services["postgres"];
        Assert.Contains("postgres:/var/lib/postgresql/data:rw", postgres.Volumes);
        Assert.Contains("pg_isready", ((YamlSequenceNode)((YamlMappingNode)postgres.Node["healthcheck"])["test"]).Children[1].ToString());
        Assert.Equal("pw0123456789", postgres.Environment["POSTGRES_PASSWORD"]);
        Assert.Empty(postgres.Ports); // the store is reached over the compose network only

        foreach (var name in new[] { "dashboard", "worker", "worker-gpu", "submit" })
        {
            var s = services[name];
            Assert.Equal(["/app/sldbench"], s.Entrypoint);
            Assert.Contains("artifacts:/data:rw", s.Volumes);
            Assert.Contains(s.Volumes, v => v.EndsWith(":/experiments:ro", StringComparison.Ordinal));
            Assert.Contains("Password=pw0123456789", s.Environment["SLDBENCH_DB"]);
            Assert.Contains("Host=postgres;", s.Environment["SLDBENCH_DB"]);
            Assert.Equal("service_healthy", ((YamlMappingNode)((YamlMappingNode)s.Node["depends_on"])["postgres"])["condition"].ToString());
        }

        var dashboard = services["dashboard"];
        Assert.Equal(["serve", "--urls", "http://0.0.0.0:5080"], dashboard.Command);
        Assert.Equal(["127.0.0.1:5080:5080/tcp"], dashboard.Ports);
        Assert.Equal(Token, dashboard.Environment["SLDBENCH_DASHBOARD_TOKEN"]);

        // Workers scale (`--scale worker=N`): no fixed container name, no published port.
        var worker = services["worker"];
        Assert.Equal(["sweep", "worker", "--wait", "--out", "/data", "--threads", "0"], worker.Command);
        Assert.False(worker.Node.Children.ContainsKey("container_name"));
        Assert.Empty(worker.Ports);
        Assert.Empty(worker.Profiles);

        var gpu = services["worker-gpu"];
        Assert.Equal(["gpu"], gpu.Profiles);
        Assert.Equal(worker.Command, gpu.Command);
        Assert.Equal("cuda", ((YamlMappingNode)((YamlMappingNode)gpu.Node["build"])["args"])["TORCH_BACKEND"].ToString());
        Assert.Equal("cpu", ((YamlMappingNode)((YamlMappingNode)worker.Node["build"])["args"])["TORCH_BACKEND"].ToString());
        var device = (YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)gpu.Node["deploy"])["resources"])["reservations"])["devices"]).Children.Single();
        Assert.Equal("nvidia", device["driver"].ToString());
        Assert.Equal(["gpu"], ((YamlSequenceNode)device["capabilities"]).Children.Select(c => c.ToString()));

        var submit = services["submit"];
        Assert.Equal(["submit"], submit.Profiles);
        Assert.Equal(["sweep", "submit", "/experiments/demo.yaml"], submit.Command);
        Assert.Equal("no", submit.Node["restart"].ToString());
    }

    [ComposeFact]
    public void InterpolationTakesTheEnvFileAndAMissingPasswordNamesIt()
    {
        var (services, _) = ComposeFile.Resolve(Env(("SLDBENCH_DASHBOARD_BIND", "0.0.0.0"), ("SLDBENCH_DASHBOARD_PORT", "8080"), ("SLDBENCH_ARTIFACTS", "/mnt/shared/sldbench"),
            ("SLDBENCH_EXPERIMENT", "smoke.yaml"), ("SLDBENCH_THREADS", "4"), ("SLDBENCH_GPU", "3"), ("POSTGRES_USER", "lab"), ("POSTGRES_DB", "asr")));
        Assert.Equal(["0.0.0.0:8080:5080/tcp"], services["dashboard"].Ports);
        Assert.Equal("/experiments/smoke.yaml", services["submit"].Command[^1]);
        Assert.All(new[] { "worker", "worker-gpu", "dashboard", "submit" }, s => Assert.Contains("/mnt/shared/sldbench:/data:rw", services[s].Volumes));
        Assert.Equal("4", services["worker"].Command[^1]);
        Assert.Equal("Host=postgres;Port=5432;Username=lab;Password=pw0123456789;Database=asr", services["worker"].Environment["SLDBENCH_DB"]);
        Assert.Equal(("lab", "asr"), (services["postgres"].Environment["POSTGRES_USER"], services["postgres"].Environment["POSTGRES_DB"]));
        Assert.Contains("'3'", ComposeFile.Run(Env(("SLDBENCH_GPU", "3")), "config").Stdout);

        var missing = ComposeFile.WriteEnv(_folder, new Dictionary<string, string> { ["SLDBENCH_DASHBOARD_TOKEN"] = Token });
        var (code, _, stderr) = ComposeFile.Run(missing, "config");
        Assert.NotEqual(0, code);
        Assert.Contains("set POSTGRES_PASSWORD in .env", stderr);
    }

    [Fact]
    public void TheEnvExampleCommitsNoSecretAndDotEnvIsIgnored()
    {
        var example = File.ReadAllLines(Path.Combine(RepoPaths.Root, ".env.example"))
            .Where(l => !l.StartsWith('#') && l.Contains('=')).ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        Assert.Equal("", example["POSTGRES_PASSWORD"]);
        Assert.Equal("", example["SLDBENCH_DASHBOARD_TOKEN"]);
        // Every variable the compose file interpolates is documented in the example.
        var compose = File.ReadAllText(ComposeFile.Path);
        var used = System.Text.RegularExpressions.Regex.Matches(compose, @"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)").Select(m => m.Groups[1].Value).Distinct();
        Assert.DoesNotContain(used, v => !example.ContainsKey(v));
        Assert.Equal(0, Shell($"git -C {RepoPaths.Root} check-ignore -q .env").Code);
    }

    [Fact]
    public void TheImageInstallsTheRuntimeGroupOfTheListRunShInstallsFrom()
    {
        var list = File.ReadAllLines(Path.Combine(RepoPaths.Root, "apt-packages.txt"))
            .Select(l => l.Split('#')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length > 1).ToList();
        string[] Group(string g) => [.. list.Where(f => f[0] == g).SelectMany(f => f[1..])];
        Assert.Equal(["runtime", "test"], list.Select(f => f[0]).Distinct().Order().ToArray()); // tensors come from NuGet: no native group

        var printed = Shell($"{RepoPaths.Root}/run.sh packages runtime");
        Assert.Equal(0, printed.Code);
        Assert.Equal(Group("runtime"), printed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("espeak-ng", Group("runtime"));
        Assert.Contains("docker-compose", Group("test"));
        Assert.DoesNotContain("postgresql", Group("runtime"));
        var both = Shell($"{RepoPaths.Root}/run.sh packages runtime test");
        Assert.Equal([.. list.Where(f => f[0] is "runtime" or "test").SelectMany(f => f[1..])], both.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var unknown = Shell($"{RepoPaths.Root}/run.sh packages runtime gpu");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("no group 'gpu'", unknown.Output);

        // run.sh lists no package itself; the image installs the runtime group from the same file and publishes
        // the CLI it runs, with the tensor backend as a build argument.
        var runSh = File.ReadAllText(Path.Combine(RepoPaths.Root, "run.sh"));
        Assert.All(list.SelectMany(f => f[1..]), p => Assert.DoesNotContain($" {p} ", runSh));
        var dockerfile = File.ReadAllText(Path.Combine(RepoPaths.Root, "Dockerfile"));
        Assert.Contains("COPY run.sh apt-packages.txt /opt/sldbench/", dockerfile);
        Assert.Contains("$(/opt/sldbench/run.sh packages runtime)", dockerfile);
        Assert.Contains("-p:TorchBackend=${TORCH_BACKEND}", dockerfile);
        Assert.Contains("-o /app", dockerfile);
        Assert.Contains("ENTRYPOINT [\"/app/sldbench\"]", dockerfile);
    }

    private static (int Code, string Output) Shell(string command)
    {
        var start = new ProcessStartInfo("bash", ["-c", command]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, output.Result + error.Result);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
