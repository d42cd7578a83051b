// The in-memory catalogue every list page works from: sweeps with their declared axes, every run with its
// axis values and status, and the corpus counts of every evaluation. Loaded in a few narrow queries and
// rebuilt only when the store's cheap version stamp changes, so sorting, filtering, grouping and pivoting
// 10,000 runs never touch the database.
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Data;

/// <summary>What changes whenever a run is planned, claimed, finished or evaluated (compared between polls).</summary>
public sealed record StoreVersion(long MaxRunId, long MaxEvaluationId, string StatusCounts, DateTime? SweepsUpdated)
{
    public static readonly StoreVersion Empty = new(0, 0, "", null);
}

/// <summary>An axis value as tables show it, and as a number when it is one (for numeric order).</summary>
public sealed record AxisValue(string Text, double? Number) : IComparable<AxisValue>
{
    public int CompareTo(AxisValue? other)
    {
        if (other is null) return 1;
        if (Number is { } a && other.Number is { } b) return a.CompareTo(b);
        if (Number.HasValue != other.Number.HasValue) return Number.HasValue ? -1 : 1;
        return string.CompareOrdinal(Text, other.Text);
    }
}

public sealed record SweepInfo(long Id, string Name, int CellCount, IReadOnlyList<string> Axes, DateTime UpdatedAt);

public sealed record RunInfo(
    long Id,
    long SweepId,
    string Sweep,
    int Index,
    bool InPlan,
    RunStatus Status,
    long? Seed,
    string SettingHash,
    IReadOnlyDictionary<string, AxisValue> Axes,
    DateTime? StartedAt,
    DateTime? EndedAt)
{
    public AxisValue? Axis(string name) => Axes.GetValueOrDefault(name);
}

/// <summary>Corpus counts of one run on one test set (rates in percent come from <see cref="Metrics"/>).</summary>
public sealed record EvaluationInfo(
    long Id, long RunId, string TestSet, long Correct, long Substitutions, long Deletions, long Insertions,
    long RefWords, double Cer, int Sentences, int SentenceErrors, long? Step);

public sealed class Snapshot
{
    public Snapshot(StoreVersion version, IReadOnlyList<SweepInfo> sweeps, IReadOnlyList<RunInfo> runs, IReadOnlyList<EvaluationInfo> evaluations)
    {
        Version = version;
        Sweeps = sweeps;
        Runs = runs;
        RunsById = runs.ToDictionary(r => r.Id);
        Evaluations = evaluations.ToDictionary(e => (e.RunId, e.TestSet));
        TestSets = [.. evaluations.Select(e => e.TestSet).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public static Snapshot Empty { get; } = new(StoreVersion.Empty, [], [], []);

    public StoreVersion Version { get; }

    public IReadOnlyList<SweepInfo> Sweeps { get; }

    /// <summary>Runs in sweep order, then plan order (retired runs last).</summary>
    public IReadOnlyList<RunInfo> Runs { get; }

    public IReadOnlyDictionary<long, RunInfo> RunsById { get; }

    public IReadOnlyDictionary<(long RunId, string TestSet), EvaluationInfo> Evaluations { get; }

    public IReadOnlyList<string> TestSets { get; }

    public SweepInfo? Sweep(string? name) => name is null ? null : Sweeps.FirstOrDefault(s => s.Name == name);

    public EvaluationInfo? Evaluation(long runId, string? testSet) =>
        testSet is not null && Evaluations.TryGetValue((runId, testSet), out var e) ? e : null;

    /// <summary>The axes of the given runs in declaration order (sweep by sweep), "seed" last.</summary>
    public IReadOnlyList<string> AxesOf(IEnumerable<RunInfo> runs)
    {
        var sweepIds = runs.Select(r => r.SweepId).ToHashSet();
        var axes = new List<string>();
        foreach (var sweep in Sweeps.Where(s => sweepIds.Contains(s.Id)))
            foreach (var axis in sweep.Axes)
                if (!axes.Contains(axis)) axes.Add(axis);
        if (axes.Remove("seed")) axes.Add("seed");
        return axes;
    }
}
