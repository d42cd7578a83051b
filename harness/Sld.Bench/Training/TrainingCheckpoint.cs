// The resumable training checkpoint: one safetensors file with the model's state dict ("model.*"), AdamW's
// moments ("optim.state.N.exp_avg|exp_avg_sq"), and metadata holding the trainer state (step, sampler epoch and
// cursor, best-so-far, early-stopping count, loss scale), the model config, vocabulary, loss and options.
// Random streams are derived from (seed, step), so no generator state is needed. Writes are temp + rename.
using System.Text.Json;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sld.Bench.Training;

/// <param name="Step">Completed optimizer steps.</param>
/// <param name="Epoch">Sampler epoch of the next micro-batch.</param>
/// <param name="Cursor">Index of the next micro-batch within that epoch.</param>
public sealed record TrainerState(
    long Step,
    long Epoch,
    int Cursor,
    double? BestMetric,
    long BestStep,
    int EvalsWithoutImprovement,
    double LossScale,
    int LossScaleGoodSteps,
    long OptimizerSteps);

public static class TrainingCheckpoint
{
    public const string Format = "sld-bench-asr-checkpoint/1";
    public const string LastFile = "last.safetensors";
    public const string BestFile = "best.safetensors";

    public static void Save(string path, AsrModel model, AdamW optimizer, TrainerState state, LossConfig loss, TrainerOptions options)
    {
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, t) in model.state_dict()) tensors.Add(new($"model.{name}", t));
        foreach (var (name, t) in optimizer.StateTensors()) tensors.Add(new($"optim.{name}", t));
        var meta = model.Metadata();
        meta["format"] = Format;
        meta["trainer_state"] = JsonSerializer.Serialize(state, AsrModel.Json);
        meta["loss_config"] = JsonSerializer.Serialize(loss, AsrModel.Json);
        meta["trainer_options"] = JsonSerializer.Serialize(options, AsrModel.Json);
        SafeTensors.Save(path, tensors, meta);
    }

    /// <summary>Reads the trainer state of a checkpoint without loading any weights.</summary>
    public static TrainerState ReadState(string path)
    {
        var (state, meta) = SafeTensors.LoadWithMetadata(path);
        foreach (var t in state.Values) t.Dispose();
        return ParseState(meta, path);
    }

    /// <summary>Loads weights and optimizer moments into live objects built from the same config; returns the trainer state.</summary>
    public static TrainerState Load(string path, AsrModel model, AdamW optimizer)
    {
        var (state, meta) = SafeTensors.LoadWithMetadata(path);
        try
        {
            if (!meta.TryGetValue("format", out var format) || format != Format)
                throw new InvalidDataException($"{path} is not a training checkpoint (format '{format}')");
            var (config, vocab) = AsrModel.Describe(meta, path);
            if (config != model.Config || !vocab.Equals(model.Vocabulary))
                throw new InvalidDataException($"{path} was written for another model or vocabulary ({config}); refusing to resume");
            var trainer = ParseState(meta, path);
            model.LoadWeights(Strip(state, "model."), path);
            optimizer.LoadState(Strip(state, "optim."), trainer.OptimizerSteps, path);
            return trainer;
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }

    private static Dictionary<string, Tensor> Strip(IReadOnlyDictionary<string, Tensor> state, string prefix) =>
        state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    private static TrainerState ParseState(IReadOnlyDictionary<string, string> meta, string path) =>
        meta.TryGetValue("trainer_state", out var json)
            ? JsonSerializer.Deserialize<TrainerState>(json, AsrModel.Json) ?? throw new InvalidDataException($"{path}: empty trainer_state")
            : throw new InvalidDataException($"{path} has no trainer_state");
}
