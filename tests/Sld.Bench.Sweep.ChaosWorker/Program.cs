// A sweep worker process for the fault-injection test: the real SweepWorker and claims, with a cell runner
// that "trains" STEPS steps of STEP_MS each, records one metric per step, checkpoints every other step
// (write-then-rename) and resumes from its checkpoint, logging start/step/finish lines to the run folder.
// Usage: Sld.Bench.Sweep.ChaosWorker LOCATION SWEEP_NAME OUTPUT_ROOT STEPS STEP_MS
using System.Globalization;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Sweeps;

if (args.Length != 5)
{
    Console.Error.WriteLine("usage: Sld.Bench.Sweep.ChaosWorker LOCATION SWEEP_NAME OUTPUT_ROOT STEPS STEP_MS");
    return 2;
}
var steps = int.Parse(args[3], CultureInfo.InvariantCulture);
var stepMs = int.Parse(args[4], CultureInfo.InvariantCulture);
await using var store = await ResultsStore.OpenAsync(args[0]);
var worker = new SweepWorker(store, new CheckpointedSteps(steps, stepMs), new WorkerOptions
{
    OutputRoot = args[2],
    Threads = 1,
    HeartbeatEvery = TimeSpan.FromMilliseconds(500),
    // Killing is the point here: a cell killed many times must still be retried, not given up on.
    Claims = new ClaimOptions { MaxAttempts = 10_000 },
}, Console.WriteLine);
var summary = await worker.RunAsync(args[1], CancellationToken.None);
Console.WriteLine($"summary {summary}");
return summary.StoppedBecause is null && summary.Failed == 0 ? 0 : 1;

/// <summary>Steps 1..N, one metric each, resumable from a checkpoint file holding the last step done.</summary>
internal sealed class CheckpointedSteps(int steps, int stepMs) : ICellRunner
{
    public const string Checkpoint = "checkpoint", Events = "events";

    public async Task<CellOutcome> RunAsync(CellContext context, CancellationToken cancellation)
    {
        var checkpoint = Path.Combine(context.RunDirectory, Checkpoint);
        var from = File.Exists(checkpoint) ? int.Parse(File.ReadAllText(checkpoint), CultureInfo.InvariantCulture) : 0;
        Log(context, $"start {context.Claim.Attempt} {from}");
        for (var step = from + 1; step <= steps; step++)
        {
            await Task.Delay(stepMs, cancellation);
            await context.Store.RecordMetricsAsync(context.Claim.RunId, [new MetricPoint(step, "train/loss", 1.0 / step)], CancellationToken.None);
            Log(context, $"step {step}");
            if (step % 2 == 0 || step == steps)
            {
                File.WriteAllText(checkpoint + ".tmp", step.ToString(CultureInfo.InvariantCulture));
                File.Move(checkpoint + ".tmp", checkpoint, overwrite: true);
            }
        }
        Log(context, "finish");
        return new CellOutcome.Done();
    }

    private static void Log(CellContext context, string line) =>
        File.AppendAllText(Path.Combine(context.RunDirectory, Events), $"{DateTime.UtcNow:O} {line}\n");
}
