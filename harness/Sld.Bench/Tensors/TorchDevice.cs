// The run-time choice of device: "auto" means cuda when TorchSharp finds a CUDA device (the CUDA LibTorch
// package, or a CUDA libtorch loaded through SLDBENCH_LIBTORCH), else cpu; SLDBENCH_DEVICE overrides the choice
// for a whole process ("cpu", "cuda", "cuda:N").
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tensors;

public static class TorchDevice
{
    public const string OverrideVariable = "SLDBENCH_DEVICE";

    /// <summary>Parses "cpu", "cuda", "cuda:N" or "auto" (resolved against the hardware present).</summary>
    public static Device Parse(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s == "auto") return Auto();
        if (s == "cpu") return CPU;
        if (s == "cuda") return CudaOrExplain(0, spec);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out var i) && i >= 0)
            return CudaOrExplain(i, spec);
        throw new ArgumentException($"unknown device '{spec}'; valid: auto, cpu, cuda, cuda:N");
    }

    /// <summary>SLDBENCH_DEVICE if set, else cuda when available, else cpu.</summary>
    public static Device Auto()
    {
        var env = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(env) && env.Trim().ToLowerInvariant() != "auto") return Parse(env);
        TorchRuntime.EnsureLoaded();
        return cuda.is_available() ? CUDA : CPU;
    }

    /// <summary>"cpu", "cuda" or "cuda:N", the spelling a config and the store use.</summary>
    public static string Spec(this Device device) =>
        device.type == DeviceType.CPU ? "cpu" : device.index < 0 ? "cuda" : $"cuda:{device.index}";

    private static Device CudaOrExplain(int index, string spec)
    {
        TorchRuntime.EnsureLoaded();
        if (!cuda.is_available())
            throw new ArgumentException(
                $"device '{spec}' asked for, but TorchSharp finds no CUDA device (this build uses TorchBackend={TorchRuntime.Backend}; see docs/torch.md)");
        if (index >= cuda.device_count())
            throw new ArgumentException($"device '{spec}' asked for, but only {cuda.device_count()} CUDA device(s) are present");
        return new Device(DeviceType.CUDA, index);
    }
}

/// <summary>Device and dtype facts spelt as properties, as the model code reads them.</summary>
public static class DeviceAndDtypeFacts
{
    extension(Device device)
    {
        public bool IsCuda => device.type == DeviceType.CUDA;
    }
}
