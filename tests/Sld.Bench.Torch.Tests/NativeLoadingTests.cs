// The guards around the native library: a library that is not the shim (or a stale one) is refused at load
// with a message saying how to rebuild, and configuring the shim without libtorch says which command installs it.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Sld.Bench.Testing;
using Sld.Bench.Torch.Native;

namespace Sld.Bench.Torch.Tests;

public class NativeLoadingTests
{
    [Fact]
    public void LoadedShimReportsTheAbiVersionTheBindingExpects()
    {
        // Any call loads the library through the resolver, which has already compared the versions.
        Assert.NotEmpty(torch.version);
        Assert.Equal(NativeMethods.AbiVersion, NativeMethods.sldt_abi_version());
    }

    [Fact]
    public void ALibraryWithoutTheAbiExportIsRefused()
    {
        var libm = NativeLibrary.Load("libm.so.6");
        try
        {
            var e = Assert.Throws<DllNotFoundException>(() => NativeLibraryLoader.CheckAbi(libm, "libm.so.6"));
            Assert.Contains("not the Sld.Bench shim", e.Message);
        }
        finally
        {
            NativeLibrary.Free(libm);
        }
    }

    [Fact]
    public async Task ConfiguringWithoutLibtorchNamesTheInstallCommand()
    {
        var build = Directory.CreateTempSubdirectory("sldbench-cmake-").FullName;
        try
        {
            var start = new ProcessStartInfo("cmake")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "-S", Path.Combine(RepoPaths.Root, "native"), "-B", build, "-DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON" })
                start.ArgumentList.Add(a);
            using var cmake = Process.Start(start)!;
            var stdout = cmake.StandardOutput.ReadToEndAsync();
            var stderr = await cmake.StandardError.ReadToEndAsync();
            await cmake.WaitForExitAsync();
            Assert.NotEqual(0, cmake.ExitCode);
            Assert.Contains("sudo apt-get install -y libtorch-dev libopenblas0-pthread", stderr + await stdout);
        }
        finally
        {
            Directory.Delete(build, recursive: true);
        }
    }

    [Fact]
    public void SetNumThreadsAlsoResizesTheOpenBlasPool()
    {
        var before = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            Assert.Equal(1, torch.get_num_threads());
            Assert.Equal(1, torch.get_blas_num_threads()); // Debian's libtorch runs on OpenBLAS (run.sh installs it)
            torch.set_num_threads(2);
            Assert.Equal(2, torch.get_blas_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }
}
