// How LibTorch gets into the process: the build output's libLibTorchSharp.so has its GLIBCXX_3.4.32 need marked
// weak (build/TorchSharp.targets) while the NuGet cache's copy is untouched, and SLDBENCH_LIBTORCH makes a
// child process bind the LibTorch of another folder, one copy only. The ELF reading here is the test's own.
using System.Diagnostics;
using System.Text;
using Sld.Bench.Cli;

namespace Sld.Bench.Cli.Tests;

public class TorchLoadingTests
{
    private const ushort VerFlgWeak = 0x2;

    private static string OutputNative => Path.Combine(Path.GetDirectoryName(typeof(CommandLine).Assembly.Location)!, "runtimes", "linux-x64", "native");

    [Fact]
    public void TheOutputsCopyHasAWeakGlibcxxNeedAndTheCacheIsUntouched()
    {
        var output = Path.Combine(OutputNative, "libLibTorchSharp.so");
        Assert.Equal(VerFlgWeak, VersionNeedFlags(output, "libstdc++.so.6", "GLIBCXX_3.4.32") & VerFlgWeak);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                       ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var cached = Directory.GetFiles(Path.Combine(packages, "torchsharp"), "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(cached);
        Assert.All(cached, c => Assert.Equal(0, VersionNeedFlags(c, "libstdc++.so.6", "GLIBCXX_3.4.32") & VerFlgWeak));
    }

    [Fact]
    public void SldbenchLibtorchLoadsThatFoldersLibraryAndNoOther()
    {
        var folder = Directory.CreateTempSubdirectory("sldbench-libtorch-").FullName;
        try
        {
            // Hard links: another path to the same LibTorch 2.10 files, without copying half a gigabyte.
            foreach (var name in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so", "libgomp-98b21ff3.so.1" })
            {
                var source = Path.Combine(OutputNative, name);
                if (File.Exists(source)) HardLink(source, Path.Combine(folder, name));
            }
            var (code, stdout, stderr) = Run(folder);
            Assert.True(code == 0, stderr);
            Assert.Contains($"({folder};", stdout);
            var loaded = stdout.Split('\n').Where(l => l.StartsWith("loaded", StringComparison.Ordinal)).Select(l => l["loaded".Length..].Trim()).ToList();
            Assert.Equal([Path.Combine(folder, "libtorch_cpu.so")], loaded);

            var (badCode, _, badErr) = Run(Path.Combine(folder, "missing"));
            Assert.NotEqual(0, badCode);
            Assert.Contains("SLDBENCH_LIBTORCH", badErr);
            Assert.DoesNotContain("   at ", badErr);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("cpu", "libtorch-cpu-linux-x64", "libtorch-cuda-12.8-linux-x64")]
    [InlineData("cuda", "libtorch-cuda-12.8-linux-x64", "libtorch-cpu-linux-x64")]
    public void TheTorchBackendSwitchChoosesTheLibTorchPackage(string backend, string chosen, string other)
    {
        var project = Path.Combine(Sld.Bench.Testing.RepoPaths.Root, "harness", "Sld.Bench", "Sld.Bench.csproj");
        var (code, stdout, stderr) = Dotnet("msbuild", project, "-nologo", "-getItem:PackageReference", $"-p:TorchBackend={backend}");
        Assert.True(code == 0, stderr + stdout);
        Assert.Contains($"\"{chosen}\"", stdout);
        Assert.DoesNotContain($"\"{other}\"", stdout);
        Assert.Contains("\"TorchSharp\"", stdout);
        var (bad, badOut, _) = Dotnet("msbuild", project, "-nologo", "-t:CheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.NotEqual(0, bad);
        Assert.Contains("TorchBackend must be cpu or cuda, got 'rocm'", badOut);
    }

    private static (int code, string stdout, string stderr) Dotnet(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.True(child.WaitForExit(180_000), "dotnet msbuild did not finish in three minutes");
        return (child.ExitCode, stdout.Result, stderr.Result);
    }

    private static void HardLink(string source, string link)
    {
        using var ln = Process.Start(new ProcessStartInfo("ln", [source, link]) { UseShellExecute = false })!;
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    private static (int code, string stdout, string stderr) Run(string libtorch)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(typeof(CommandLine).Assembly.Location);
        start.ArgumentList.Add("info");
        start.Environment["SLDBENCH_LIBTORCH"] = libtorch;
        using var child = Process.Start(start)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        Assert.True(child.WaitForExit(60_000), "sldbench info did not finish in a minute");
        return (child.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>vna_flags of (file, version) in the ELF's .gnu.version_r section; fails the test when absent.</summary>
    private static int VersionNeedFlags(string path, string file, string version)
    {
        var b = File.ReadAllBytes(path);
        var shoff = (long)BitConverter.ToUInt64(b, 0x28);
        int entsize = BitConverter.ToUInt16(b, 0x3A), count = BitConverter.ToUInt16(b, 0x3C);
        for (var i = 0; i < count; i++)
        {
            var sh = (int)(shoff + (long)i * entsize);
            if (BitConverter.ToUInt32(b, sh + 4) != 0x6ffffffe) continue; // SHT_GNU_verneed
            var strtab = (int)BitConverter.ToUInt64(b, (int)(shoff + BitConverter.ToUInt32(b, sh + 40) * entsize) + 24);
            var need = (int)BitConverter.ToUInt64(b, sh + 24);
            for (var n = 0; n < BitConverter.ToUInt32(b, sh + 44); n++)
            {
                var aux = need + (int)BitConverter.ToUInt32(b, need + 8);
                for (var a = 0; a < BitConverter.ToUInt16(b, need + 2); a++)
                {
                    if (Name(b, strtab + (int)BitConverter.ToUInt32(b, need + 4)) == file && Name(b, strtab + (int)BitConverter.ToUInt32(b, aux + 8)) == version)
                        return BitConverter.ToUInt16(b, aux + 4);
                    aux += (int)BitConverter.ToUInt32(b, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(b, need + 12);
            }
        }
        throw new Xunit.Sdk.XunitException($"{path} has no need for {file} {version}");
    }

    private static string Name(byte[] b, int at) => Encoding.ASCII.GetString(b, at, Array.IndexOf(b, (byte)0, at) - at);
}
