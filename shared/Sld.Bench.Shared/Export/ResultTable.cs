// The paper table as data: two sweep axes as rows and columns, one metric, per-seed values in every cell
// (with the seeds that were expected), the settings held fixed, and optionally per-utterance outcomes so a
// cell can be tested against a named baseline cell. Writers render the computed form in each format.
using Sld.Bench.Shared.Scoring;

namespace Sld.Bench.Shared.Export;

public enum MetricDirection
{
    LowerIsBetter,
    HigherIsBetter,
}

/// <summary>The metric of a table: a key (e.g. "wer@test-clean"), the label readers see, its direction and precision.</summary>
public sealed record TableMetric(string Name, string Label, MetricDirection Direction, int Decimals = 2);

/// <summary>One utterance of one run: its word counts and, for MAPSSWE, its operation string ("CCSDI").</summary>
public sealed record UtteranceOutcome(string Id, ErrorCounts Counts, string? Ops = null)
{
    public static UtteranceOutcome From(UtteranceScore u) => new(u.Id, u.Words, u.WordOps);
}

/// <summary>One run of a cell: its seed, its metric value, and optionally its per-utterance outcomes.</summary>
public sealed record SeedRun(int Seed, double Value, IReadOnlyList<UtteranceOutcome>? Utterances = null);

/// <summary>A cell: the runs it has and the seeds it should have.</summary>
public sealed record TableCell(string Row, string Column, IReadOnlyList<SeedRun> Runs, IReadOnlyList<int> ExpectedSeeds);

public enum SignificanceTestKind
{
    /// <summary>Paired bootstrap of the WER difference over utterances (see <see cref="Statistics.PairedBootstrap"/>).</summary>
    PairedBootstrap,

    /// <summary>NIST's matched-pairs sentence-segment word error test (needs the operation strings).</summary>
    MatchedPairs,
}

/// <summary>How cells are tested against the baseline: the test, the level, and for the bootstrap its resamples and seed.</summary>
public sealed record SignificanceOptions(
    SignificanceTestKind Test = SignificanceTestKind.PairedBootstrap,
    double Alpha = 0.05,
    int Resamples = Statistics.PairedBootstrap.DefaultResamples,
    ulong Seed = 0);

/// <summary>A table of one metric over two sweep axes.</summary>
public sealed record ResultTable
{
    /// <summary>Heading in Markdown, label in LaTeX.</summary>
    public required string Title { get; init; }

    public required TableMetric Metric { get; init; }

    public required string RowAxis { get; init; }

    /// <summary>Row values in display order.</summary>
    public required IReadOnlyList<string> Rows { get; init; }

    public required string ColumnAxis { get; init; }

    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>The settings every cell shares (axis and value), listed in the caption.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fixed { get; init; } = [];

    public required IReadOnlyList<TableCell> Cells { get; init; }

    /// <summary>The cell other cells are compared with (relative change and significance), if any.</summary>
    public (string Row, string Column)? Baseline { get; init; }

    public SignificanceOptions Significance { get; init; } = new();
}
