// docker-compose.yml as a real compose implementation resolves it (docker-compose 1.29: `config` interpolates
// the .env file, merges the anchors and needs no daemon), read back into the few fields the tests run or check.
// Tests that need the tool skip, saying why, where it is missing (`./run.sh test` installs it).
using System.Diagnostics;
using Sld.Bench.Testing;
using YamlDotNet.RepresentationModel;

namespace Sld.Bench.Cli.Tests.Compose;

public sealed class ComposeFactAttribute : FactAttribute
{
    public ComposeFactAttribute()
    {
        if (!File.Exists(ComposeFile.Tool)) Skip = $"{ComposeFile.Tool} is not installed (apt-get install docker-compose)";
    }
}

/// <summary>One service of the resolved file.</summary>
public sealed record ComposeService(
    string Name,
    IReadOnlyList<string> Entrypoint,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    IReadOnlyList<string> Volumes,
    IReadOnlyList<string> Ports,
    IReadOnlyList<string> Profiles,
    YamlMappingNode Node);

public static class ComposeFile
{
    public const string Tool = "/usr/bin/docker-compose";

    public static string Path => System.IO.Path.Combine(RepoPaths.Root, "docker-compose.yml");

    /// <summary>Runs docker-compose on the repository's file with only <paramref name="envFile"/> as its environment's source.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string envFile, params string[] args)
    {
        var start = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])["--env-file", envFile, "-f", Path, .. args]) start.ArgumentList.Add(a);
        // Variables of the test's own environment would win over the env file: keep the file the only source.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SLDBENCH_", StringComparison.Ordinal) ||
                     k.StartsWith("POSTGRES_", StringComparison.Ordinal) || k.StartsWith("COMPOSE_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Tool} {string.Join(' ', args)} did not finish in 1 minute");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The services and top-level volumes of the file resolved with <paramref name="envFile"/>; fails with compose's message.</summary>
    public static (Dictionary<string, ComposeService> Services, IReadOnlyList<string> Volumes) Resolve(string envFile)
    {
        var (code, stdout, stderr) = Run(envFile, "config");
        Assert.True(code == 0, $"docker-compose config failed ({code}): {stderr}");
        var yaml = new YamlStream();
        yaml.Load(new StringReader(stdout));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var services = ((YamlMappingNode)root["services"]).Children.ToDictionary(
            s => ((YamlScalarNode)s.Key).Value!,
            s => Service(((YamlScalarNode)s.Key).Value!, (YamlMappingNode)s.Value));
        var volumes = root.Children.TryGetValue("volumes", out var v) ? ((YamlMappingNode)v).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList() : [];
        return (services, volumes);
    }

    /// <summary>Writes an env file with these values (and nothing else) into <paramref name="folder"/>.</summary>
    public static string WriteEnv(string folder, IReadOnlyDictionary<string, string> values)
    {
        var path = System.IO.Path.Combine(folder, "compose.env");
        File.WriteAllLines(path, values.Select(kv => $"{kv.Key}={kv.Value}"));
        return path;
    }

    private static ComposeService Service(string name, YamlMappingNode node) => new(
        name,
        Strings(node, "entrypoint"),
        Strings(node, "command"),
        node.Children.TryGetValue("environment", out var env)
            ? ((YamlMappingNode)env).Children.ToDictionary(e => ((YamlScalarNode)e.Key).Value!, e => ((YamlScalarNode)e.Value).Value ?? "")
            : new Dictionary<string, string>(),
        Strings(node, "volumes"),
        Strings(node, "ports"),
        Strings(node, "profiles"),
        node);

    private static List<string> Strings(YamlMappingNode node, string key) => !node.Children.TryGetValue(key, out var value) ? []
        : value is YamlSequenceNode list ? [.. list.Children.Select(c => ((YamlScalarNode)c).Value ?? "")]
        : [((YamlScalarNode)value).Value ?? ""];
}
