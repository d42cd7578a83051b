// The entry point to libsldtorch.so: locates and loads the library before the first call, checks its ABI
// version, and turns a failed status into a TorchException that names the op.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Sld.Bench.Torch.Native;

internal static partial class NativeMethods
{
    internal const string Lib = "sldtorch";

    /// <summary>The ABI version this binding was written against (SLDT_ABI_VERSION in sldtorch.h).</summary>
    internal const int AbiVersion = 3;

    static NativeMethods() => NativeLibraryLoader.Register(typeof(NativeMethods).Assembly);

    /// <summary>Throws the pending native error when status is non-zero.</summary>
    internal static void Check(int status)
    {
        if (status != 0) throw TakeError();
    }

    internal static TorchException TakeError()
    {
        var op = Marshal.PtrToStringUTF8(sldt_error_op()) ?? "unknown op";
        var message = Marshal.PtrToStringUTF8(sldt_error_message()) ?? "no message recorded";
        sldt_error_clear();
        return new TorchException(op, message);
    }
}

/// <summary>Finds libsldtorch.so, loads it once per process and verifies its ABI version.</summary>
internal static class NativeLibraryLoader
{
    private const string FileName = "libsldtorch.so";
    private static readonly Lock Gate = new();
    private static IntPtr _handle;

    /// <summary>Environment variable naming an explicit path to libsldtorch.so.</summary>
    public const string PathVariable = "SLDBENCH_NATIVE_LIB";

    public static void Register(Assembly assembly) =>
        NativeLibrary.SetDllImportResolver(assembly, (name, _, _) => name == NativeMethods.Lib ? Load() : IntPtr.Zero);

    private static IntPtr Load()
    {
        lock (Gate)
        {
            if (_handle != IntPtr.Zero) return _handle;
            var path = Locate();
            IntPtr handle;
            try
            {
                handle = NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new DllNotFoundException(
                    $"Could not load {path}: {e.Message}. The shim needs libtorch at run time: " +
                    "sudo apt-get install -y libtorch-dev libopenblas0-pthread", e);
            }
            CheckAbi(handle, path);
            _handle = handle;
            return handle;
        }
    }

    internal static unsafe void CheckAbi(IntPtr handle, string path)
    {
        if (!NativeLibrary.TryGetExport(handle, "sldt_abi_version", out var fn))
            throw new DllNotFoundException($"{path} has no sldt_abi_version export: it is not the Sld.Bench shim.");
        var version = ((delegate* unmanaged<int>)fn)();
        if (version != NativeMethods.AbiVersion)
            throw new DllNotFoundException(
                $"{path} has ABI version {version} but this binding needs {NativeMethods.AbiVersion}: " +
                "rebuild the shim with `dotnet build` (it runs CMake on native/).");
    }

    private static string Locate()
    {
        var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(explicitPath))
        {
            if (!File.Exists(explicitPath))
                throw new DllNotFoundException($"{PathVariable}={explicitPath} does not exist.");
            return explicitPath;
        }
        var besideApp = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(besideApp)) return besideApp;
        // Running from a build tree without the copied library: look for native/build/lib upwards.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "native", "build", "lib", FileName);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DllNotFoundException(
            $"{FileName} was not found beside the application ({AppContext.BaseDirectory}) nor in native/build/lib. " +
            "Build it with `dotnet build` (needs: sudo apt-get install -y libtorch-dev libopenblas0-pthread cmake g++), " +
            $"or set {PathVariable} to its path.");
    }
}
