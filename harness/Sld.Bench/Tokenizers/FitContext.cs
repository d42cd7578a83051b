// What a long fit (k-means, codec training) is given besides its data: where to report progress, when to
// stop, and where to keep the checkpoint that lets an interrupted fit resume. A fit reports after every step,
// writes a checkpoint when one is due or when it is asked to stop, and only then throws, so a cancelled fit
// always leaves a checkpoint that is no older than its last step.
using System.Diagnostics;
using System.Globalization;

namespace Sld.Bench.Tokenizers;

/// <param name="Stage">What is running: "frames" (loading fit data), "kmeans++", "lloyd", "minibatch", "codec", "range" (dMel),
/// "stats" (the pass over the fit utterances that measures the stats), "bpe", "unigram".</param>
/// <param name="Step">Steps done in this stage (1-based after the first step).</param>
/// <param name="Steps">Steps the stage will take at most.</param>
/// <param name="Objective">The stage's objective after this step (inertia, loss), when it has one.</param>
public sealed record FitProgress(string Stage, long Step, long Steps, double? Objective, TimeSpan Elapsed)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Stage} {Step}/{Steps}{(Objective is { } o ? $" objective {o:G6}" : "")} ({Elapsed.TotalSeconds:F1} s)");
}

public sealed class FitContext
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastCheckpoint = TimeSpan.Zero;

    /// <summary>A context that reports nowhere, never stops and keeps no checkpoint.</summary>
    public static FitContext None => new();

    /// <summary>Receives a report after every step, on the fitting thread.</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <summary>Where checkpoints live; null keeps none (the fit then cannot resume).</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Least time between two periodic checkpoints (zero: after every step).</summary>
    public TimeSpan CheckpointInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan Elapsed => _clock.Elapsed;

    public void Report(string stage, long step, long steps, double? objective = null) =>
        Progress?.Report(new FitProgress(stage, step, steps, objective, _clock.Elapsed));

    /// <summary>The path of a named checkpoint file, or null when this fit keeps no checkpoints.</summary>
    public string? CheckpointPath(string name) => CheckpointDirectory is null ? null : Path.Combine(CheckpointDirectory, name);

    /// <summary>True when a checkpoint should be written now: periodically, and always before stopping.</summary>
    public bool CheckpointDue() =>
        CheckpointDirectory is not null &&
        (Cancellation.IsCancellationRequested || _clock.Elapsed - _lastCheckpoint >= CheckpointInterval);

    public void MarkCheckpointed() => _lastCheckpoint = _clock.Elapsed;

    /// <summary>Writes a checkpoint when due, then throws if the fit was asked to stop.</summary>
    public void AfterStep(Action writeCheckpoint)
    {
        if (CheckpointDue())
        {
            Directory.CreateDirectory(CheckpointDirectory!);
            writeCheckpoint();
            MarkCheckpointed();
        }
        Cancellation.ThrowIfCancellationRequested();
    }
}
