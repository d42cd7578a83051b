// Loads LibTorch once per process, before the first tensor: the glibc allocator settings (NativeAllocator), then,
// when SLDBENCH_LIBTORCH names a folder (e.g. a PyTorch 2.10 install's torch/lib, CUDA builds included), that
// folder's libraries instead of the packaged ones, then TorchSharp itself. Every load failure becomes one message
// that names the library and what to do, instead of a TypeInitializationException deep inside TorchSharp.
using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class TorchRuntime
{
    public const string LibTorchVariable = "SLDBENCH_LIBTORCH";

    // Dependency order: each library's DT_NEEDED entries are loaded before it, so the dynamic linker binds them
    // by soname to these copies and never searches for the packaged ones.
    private static readonly string[] LoadOrder =
    [
        "libgomp.so.1", "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so",
    ];

    private static readonly Lazy<string> Prepared = new(PrepareOnce, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly Lazy<string> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>cpu or cuda: the LibTorch package this build references (-p:TorchBackend=...).</summary>
    public static string Backend { get; } =
        typeof(TorchRuntime).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "TorchBackend")?.Value ?? "cpu";

    /// <summary>Where LibTorch came from: "package" or the folder of SLDBENCH_LIBTORCH.</summary>
    public static string Source => Loaded.Value;

    /// <summary>
    /// What must happen before anything touches TorchSharp, without loading TorchSharp itself: the allocator
    /// settings and, with SLDBENCH_LIBTORCH, that folder's libraries. Entry points (the CLI, worker processes)
    /// call it first; it is cheap and runs once.
    /// </summary>
    public static void Prepare() => _ = Prepared.Value;

    /// <summary>Loads LibTorch if it is not loaded yet; throws <see cref="TorchLoadException"/> with the reason.</summary>
    public static void EnsureLoaded() => _ = Loaded.Value;

    /// <summary>The LibTorch version TorchSharp runs on, e.g. "2.10.0".</summary>
    public static string LibTorchVersion
    {
        get
        {
            EnsureLoaded();
            return __version__;
        }
    }

    /// <summary>
    /// The files a native library of this name is mapped from in this process (Linux: /proc/self/maps), e.g. to
    /// show that libtorch_cpu.so came from SLDBENCH_LIBTORCH and that no second copy was loaded.
    /// </summary>
    public static IReadOnlyList<string> MappedFrom(string fileName)
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        return File.ReadLines(maps)
            .Select(line => line.IndexOf('/') is var i and >= 0 ? line[i..] : "")
            .Where(path => Path.GetFileName(path) == fileName)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static string PrepareOnce()
    {
        NativeAllocator.KeepFreedMemory();
        var folder = Environment.GetEnvironmentVariable(LibTorchVariable);
        if (string.IsNullOrWhiteSpace(folder)) return "package";
        PreloadFrom(folder);
        return Path.GetFullPath(folder);
    }

    private static string Load()
    {
        var source = Prepared.Value;
        try
        {
            InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or ExternalException)
        {
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            throw new TorchLoadException(
                $"TorchSharp could not load LibTorch ({source}): {inner.Message}. Build with the LibTorch package " +
                $"(dotnet build; -p:TorchBackend=cuda for GPUs) or point {LibTorchVariable} at a LibTorch 2.10 lib folder (docs/torch.md).", e);
        }
        return source;
    }

    private static void PreloadFrom(string folder)
    {
        if (!Directory.Exists(folder))
            throw new TorchLoadException($"{LibTorchVariable}={folder}: no such folder (it should be a LibTorch 2.10 lib folder, e.g. a PyTorch install's torch/lib)");
        foreach (var required in new[] { "libc10.so", "libtorch_cpu.so", "libtorch.so" })
            if (!File.Exists(Path.Combine(folder, required)))
                throw new TorchLoadException($"{LibTorchVariable}={folder}: {required} is missing (is this a LibTorch lib folder?)");
        foreach (var name in LoadOrder)
        {
            var path = Path.Combine(folder, name);
            if (!File.Exists(path)) continue; // optional: CUDA parts, or a libgomp the system provides
            if (!NativeLibrary.TryLoad(path, out _))
                throw new TorchLoadException($"{LibTorchVariable}: cannot load {path} (missing dependency or wrong architecture; `ldd {path}` says which)");
        }
    }
}

/// <summary>LibTorch could not be loaded; the message says which library and what to do.</summary>
public sealed class TorchLoadException(string message, Exception? inner = null) : Exception(message, inner);
