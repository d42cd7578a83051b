// The seam between the sweep executor and the experiment: a cell runner turns one claimed cell (its resolved
// config) into an outcome, writing its results to the store as it goes. The executor owns claiming,
// heartbeats, cancellation and status; the runner owns the science.
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Sweeps;

/// <summary>How a cell ended. Failed and Diverged carry what a researcher needs to see in `sweep status`.</summary>
public abstract record CellOutcome
{
    public sealed record Done : CellOutcome;

    /// <summary>A NaN or infinite loss at <paramref name="Step"/>: the cell is marked diverged, the sweep goes on.</summary>
    public sealed record Diverged(long Step, string Detail) : CellOutcome;

    public sealed record Failed(string Error) : CellOutcome;
}

/// <summary>Everything a runner gets for one cell.</summary>
/// <param name="RunDirectory">A directory private to this cell (checkpoints, scoring files), stable across attempts.</param>
/// <param name="WorkDirectory">The root for artifacts shared between cells (corpora, features, tokenizers).</param>
public sealed record CellContext(
    RunClaim Claim,
    ConfigMap Config,
    ResultsStore Store,
    string RunDirectory,
    string WorkDirectory,
    int Threads,
    Action<string> Log);

public interface ICellRunner
{
    Task<CellOutcome> RunAsync(CellContext context, CancellationToken cancellation);
}
