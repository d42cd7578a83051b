// The resumable state of a k-means fit, written as one safetensors file (tensors plus a JSON metadata entry).
// It carries a fingerprint of the data and options, so a checkpoint left by a different fit is ignored and the
// fit restarts cleanly instead of resuming from state that does not belong to it.
using System.Globalization;
using System.Text.Json;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

internal sealed class KMeansCheckpoint : IDisposable
{
    public const string FileName = "kmeans.checkpoint.safetensors";

    /// <summary>"init" while centroids are being chosen, "iterate" during Lloyd or mini-batch steps, "done" once fitted.</summary>
    public string Phase { get; set; } = "init";

    /// <summary>Init: centroids chosen so far. Iterate: Lloyd iterations or mini-batch steps done.</summary>
    public long Step { get; set; }

    public ulong[] Rng { get; set; } = [];
    public List<long> ChosenIds { get; set; } = [];
    public double EwaInertia { get; set; } = double.NaN;
    public double EwaInertiaMin { get; set; } = double.PositiveInfinity;
    public int NoImprovement { get; set; }
    public long SinceReassign { get; set; }
    public double FinalInertia { get; set; } = double.NaN;
    public bool Converged { get; set; }

    /// <summary>Named tensors of the phase: centers, closest (init), labels (Lloyd), counts (mini-batch).</summary>
    public Dictionary<string, Tensor> Tensors { get; } = [];

    private sealed record Meta(string Fingerprint, string Phase, long Step, ulong[] Rng, long[] ChosenIds, double EwaInertia,
                               double EwaInertiaMin, int NoImprovement, long SinceReassign, double FinalInertia, bool Converged);

    public void Set(string name, Tensor value)
    {
        if (Tensors.Remove(name, out var old) && !ReferenceEquals(old, value)) old.Dispose();
        Tensors[name] = value.DetachFromDisposeScope();
    }

    public void ClearTensors()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }

    public Tensor Get(string name) =>
        Tensors.TryGetValue(name, out var t) ? t : throw new InvalidDataException($"k-means checkpoint has no '{name}' tensor");

    public void Save(string path, string fingerprint)
    {
        var meta = new Meta(fingerprint, Phase, Step, Rng, [.. ChosenIds], EwaInertia, EwaInertiaMin, NoImprovement, SinceReassign, FinalInertia, Converged);
        SafeTensors.Save(path, Tensors, new Dictionary<string, string> { ["kmeans"] = JsonSerializer.Serialize(meta, JsonOptions) });
    }

    /// <summary>The checkpoint at <paramref name="path"/> if it exists and belongs to this fit; otherwise null.</summary>
    public static KMeansCheckpoint? TryLoad(string? path, string fingerprint)
    {
        if (path is null || !File.Exists(path)) return null;
        OrderedDictionary<string, Tensor> tensors;
        Meta? meta;
        try
        {
            (tensors, var metadata) = SafeTensors.LoadWithMetadata(path);
            meta = metadata.TryGetValue("kmeans", out var json) ? JsonSerializer.Deserialize<Meta>(json, JsonOptions) : null;
        }
        catch (Exception e) when (e is InvalidDataException or JsonException)
        {
            return null; // unreadable (a damaged disk, a file from another version): start over rather than fail forever
        }
        if (meta is null || meta.Fingerprint != fingerprint)
        {
            foreach (var t in tensors.Values) t.Dispose();
            return null;
        }
        var state = new KMeansCheckpoint
        {
            Phase = meta.Phase,
            Step = meta.Step,
            Rng = meta.Rng,
            ChosenIds = [.. meta.ChosenIds],
            EwaInertia = meta.EwaInertia,
            EwaInertiaMin = meta.EwaInertiaMin,
            NoImprovement = meta.NoImprovement,
            SinceReassign = meta.SinceReassign,
            FinalInertia = meta.FinalInertia,
            Converged = meta.Converged,
        };
        foreach (var (name, t) in tensors) state.Tensors[name] = t;
        return state;
    }

    /// <summary>Identifies the data and options of a fit: shape, two moments of the data, and every option.</summary>
    public static string Fingerprint(Tensor x, KMeansOptions options)
    {
        double sum = 0, sumSq = 0;
        for (long start = 0; start < x.size(0); start += 65536)
        {
            using var scope = torch.NewDisposeScope();
            var chunk = x.narrow(0, start, Math.Min(65536, x.size(0) - start)).to(ScalarType.Float64);
            sum += chunk.sum().ToDouble();
            sumSq += chunk.mul(chunk).sum().ToDouble();
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{x.size(0)}x{x.size(1)}|{sum:R}|{sumSq:R}|{JsonSerializer.Serialize(options, JsonOptions)}");
    }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Dispose() => ClearTensors();
}
