// A device ("cpu", "cuda", "cuda:1") and the run-time choice between them: "auto" means cuda when a
// CUDA device is present, else cpu; SLDBENCH_DEVICE overrides the choice for a whole process.
namespace Sld.Bench.Torch;

public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public const string OverrideVariable = "SLDBENCH_DEVICE";

    public static readonly Device CPU = new(DeviceType.CPU);

    public static Device CUDA(int index = 0) => new(DeviceType.CUDA, index);

    public bool IsCuda => Type == DeviceType.CUDA;

    /// <summary>Parses "cpu", "cuda", "cuda:N" or "auto" (resolved against the hardware present).</summary>
    public static Device Parse(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s == "auto") return Auto();
        if (s == "cpu") return CPU;
        if (s == "cuda") return CUDA(0);
        if (s.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(s.AsSpan(5), out var i) && i >= 0)
            return CUDA(i);
        throw new ArgumentException($"unknown device '{spec}'; valid: auto, cpu, cuda, cuda:N");
    }

    /// <summary>SLDBENCH_DEVICE if set, else cuda when available, else cpu.</summary>
    public static Device Auto()
    {
        var env = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(env) && env.Trim().ToLowerInvariant() != "auto") return Parse(env);
        return torch.cuda.is_available() ? CUDA(0) : CPU;
    }

    public override string ToString() => Type == DeviceType.CPU ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
