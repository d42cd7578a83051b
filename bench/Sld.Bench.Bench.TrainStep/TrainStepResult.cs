// What one measurement process reports: the JSON line printed by the C# worker and by
// bench/reference/gpt_train_step.py, in the same snake_case schema so the launcher reads both alike.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sld.Bench.Bench.TrainStep;

public sealed record TrainStepResult
{
    public required string Implementation { get; init; }
    public required string Torch { get; init; }
    public required int Threads { get; init; }
    public required int Steps { get; init; }
    public required long TokensPerStep { get; init; }
    public required double[] StepMs { get; init; }

    /// <summary>CPU time of the whole process (all threads, user + system) per timed step: less sensitive than
    /// wall time to other load on the machine, but it counts threads spinning while they wait for work.</summary>
    public required double[] StepCpuMs { get; init; }
    public required double MedianTokensPerS { get; init; }
    public required double MeanTokensPerS { get; init; }
    public required double FirstLoss { get; init; }
    public required double LastLoss { get; init; }
    public required double PeakRssMb { get; init; }

    /// <summary>Minor page faults per timed step: memory the allocator had to take fresh from the kernel.</summary>
    public required double PageFaultsPerStep { get; init; }
    public required long Parameters { get; init; }

    // C# only: tensor handles alive before the timed steps and after them (they must not grow).
    public long? LiveTensorsBefore { get; init; }
    public long? LiveTensorsAfter { get; init; }
    public double? ManagedHeapMb { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainStepResult FromJson(string line) =>
        JsonSerializer.Deserialize<TrainStepResult>(line, Json) ?? throw new InvalidDataException($"not a result line: {line}");
}
