// Every knob of one training run in one record, stored with each checkpoint: optimiser (AdamW, warmup then
// linear/cosine decay, clipping, accumulation), batching (token budget), precision, evaluation cadence, early
// stopping, input masking and how dev utterances are decoded for WER.
using System.Text.Json.Serialization;
using Sld.Bench.Decoding;
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Training;

/// <param name="MaxSteps">Optimizer updates to run (each of GradientAccumulation micro-batches).</param>
/// <param name="GradClip">Global gradient norm limit; 0 disables clipping (the norm is still logged).</param>
/// <param name="MaxBatchTokens">Budget per micro-batch: rows x longest sequence.</param>
/// <param name="EvalEvery">Validation loss and dev WER every this many steps (and after the last step).</param>
/// <param name="CheckpointEvery">Write last.safetensors every this many steps (and at the end or on cancellation).</param>
/// <param name="EarlyStoppingPatience">Stop after this many evaluations without a better dev WER; 0 never stops early.</param>
/// <param name="Precision">float32, or bfloat16/float16 autocast on CUDA (CPU always runs float32).</param>
/// <param name="DevDecodeLimit">Decode only the first N dev utterances for WER (all when null).</param>
/// <param name="KeepFreedMemory">Tune glibc's allocator for the process (see NativeAllocator) when the run starts.</param>
public sealed record TrainerOptions(
    long MaxSteps,
    double LearningRate = 3e-4,
    double WeightDecay = 0.01,
    double Beta1 = 0.9,
    double Beta2 = 0.999,
    double AdamEps = 1e-8,
    long WarmupSteps = 0,
    DecayKind Decay = DecayKind.Linear,
    double MinLrFactor = 0.0,
    double GradClip = 1.0,
    int GradientAccumulation = 1,
    int MaxBatchTokens = 8192,
    int MaxBatchSize = 64,
    int EvalEvery = 500,
    int CheckpointEvery = 500,
    int EarlyStoppingPatience = 0,
    ScalarType Precision = ScalarType.Float32,
    ulong Seed = 1,
    InputMasking? Masking = null,
    DecodeOptions? DevDecoding = null,
    int? DevDecodeLimit = null,
    bool KeepFreedMemory = true)
{
    /// <summary>
    /// The CPU demo setting for the `tiny` model preset: ~2,000 short utterances, 2-3 minutes on 2 cores. Batches
    /// of 2,048 tokens (about 15 utterances of 3 s) give more updates per minute than large ones, which is what a
    /// small data set needs; lr 2e-3 with a short warmup and cosine decay to a tenth; dev WER on at most 100
    /// utterances every 100 steps. bench/RESULTS-asr.md has the tokens/s this was sized from.
    /// </summary>
    public static TrainerOptions Tiny(long maxSteps = 300) => new(
        MaxSteps: maxSteps, LearningRate: 2e-3, WarmupSteps: 30, Decay: DecayKind.Cosine, MinLrFactor: 0.1, MaxBatchTokens: 2048,
        EvalEvery: 100, CheckpointEvery: 100, DevDecodeLimit: 100);

    [JsonIgnore]
    public DecodeOptions DevDecodingOrDefault => DevDecoding ?? DecodeOptions.Greedy();

    [JsonIgnore]
    public LrSchedule Schedule => new(Decay, WarmupSteps, MaxSteps, MinLrFactor);

    public void Validate()
    {
        if (MaxSteps < 1) throw new ArgumentException($"MaxSteps must be >= 1, got {MaxSteps}");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ArgumentException($"learning rate {LearningRate} must be positive");
        if (WeightDecay < 0 || GradClip < 0 || WarmupSteps < 0 || MinLrFactor is < 0 or > 1)
            throw new ArgumentException($"weight decay, clip, warmup and min lr factor must be non-negative (min factor <= 1): {this}");
        if (GradientAccumulation < 1 || MaxBatchTokens < 1 || MaxBatchSize < 1 || EvalEvery < 1 || CheckpointEvery < 1 || EarlyStoppingPatience < 0)
            throw new ArgumentException($"accumulation, batch budget, eval/checkpoint cadence must be positive: {this}");
        Autocast.ComputeDtype(torch.CPU, Precision);
        Masking?.Validate();
        DevDecodingOrDefault.Validate();
    }
}

public enum TrainingOutcome
{
    Completed,
    EarlyStopped,
    Diverged,
    Cancelled,
}

/// <param name="Steps">Optimizer steps completed (including those before a resume).</param>
/// <param name="DivergedAtStep">The 1-based step whose loss or gradient was NaN/inf.</param>
/// <param name="BestMetric">Best dev WER (or dev loss when no scorer was given); null before the first evaluation.</param>
/// <param name="BestModel">best.safetensors, loadable with AsrModel.Load; null before the first evaluation.</param>
public sealed record TrainingResult(
    TrainingOutcome Outcome,
    long Steps,
    long? DivergedAtStep,
    string? DivergenceReason,
    long BestStep,
    double? BestMetric,
    string? BestModel,
    string LastCheckpoint,
    long ParameterCount);
