// State of the compare page: the runs from ?runs=, the test set, which system and which kind of change the
// utterance list shows, and each run's paired statistics against the baseline (changes, bootstrap, MAPSSWE).
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Sld.Bench.Dashboard.Components.Shared;
using Sld.Bench.Dashboard.Data;

namespace Sld.Bench.Dashboard.Components.Pages.Compare;

public partial class ComparePage
{
    private const int PageSize = 20;

    /// <summary>Runs one comparison shows at most (each is a column and a paired test): ?runs= may name thousands.</summary>
    private const int MaxRuns = 12;
    private Snapshot _snapshot = Snapshot.Empty;
    private List<RunInfo> _runs = [];
    private IReadOnlyList<string> _differing = [];
    private string? _testSet;
    private RunInfo? _system;
    private Change _change = Change.Improved;
    private readonly Dictionary<long, PairedStatistics> _statistics = [];
    private IReadOnlyList<PairedUtterance> _pairs = [];

    [SupplyParameterFromQuery(Name = "runs")] public string? RunsParam { get; set; }
    [SupplyParameterFromQuery(Name = "testset")] public string? TestSet { get; set; }
    [SupplyParameterFromQuery(Name = "system")] public long? SystemParam { get; set; }
    [SupplyParameterFromQuery(Name = "change")] public string? ChangeParam { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public int Page { get; set; }

    protected override async Task LoadAsync(CancellationToken ct)
    {
        _snapshot = await Reader.GetSnapshotAsync(ct);
        _runs = [.. (RunsParam ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => long.TryParse(t.TrimStart('#'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) ? id : -1)
            .Distinct().Select(id => _snapshot.RunsById.GetValueOrDefault(id)).OfType<RunInfo>().Take(MaxRuns)];
        _testSet = TestSet is not null && _snapshot.TestSets.Contains(TestSet) ? TestSet
            : _snapshot.TestSets.FirstOrDefault(t => _runs.All(r => _snapshot.Evaluation(r.Id, t) is not null)) ?? _snapshot.TestSets.FirstOrDefault();
        var axes = _snapshot.AxesOf(_runs);
        _differing = [.. axes.Where(a => _runs.Select(r => r.Axis(a)?.Text).Distinct().Count() > 1)];
        _statistics.Clear();
        _pairs = [];
        if (_runs.Count < 2 || _snapshot.Evaluation(_runs[0].Id, _testSet) is not { } baseEval) return;
        foreach (var r in _runs.Skip(1))
            if (_snapshot.Evaluation(r.Id, _testSet) is { } e)
                if (await Reader.GetPairedStatisticsAsync(baseEval.Id, e.Id, ct) is { } statistics) _statistics[r.Id] = statistics;
        _system = _runs.Skip(1).FirstOrDefault(r => r.Id == SystemParam) ?? _runs[1];
        _change = Enum.TryParse<Change>(ChangeParam, true, out var c) ? c : Change.Improved;
        if (_snapshot.Evaluation(_system.Id, _testSet) is { } sysEval)
            _pairs = await Reader.GetChangedAsync(baseEval.Id, sysEval.Id, _change, Math.Max(0, Page) * PageSize, PageSize, ct);
    }

    private double? Delta(EvaluationInfo? baseline, RunInfo run) =>
        baseline is not null && Metrics.Percent(baseline, Metric.Wer) is { } a && _snapshot.Evaluation(run.Id, _testSet) is { } e && Metrics.Percent(e, Metric.Wer) is { } b ? b - a : null;

    private double? Relative(EvaluationInfo? baseline, RunInfo run) =>
        baseline is not null && Metrics.Percent(baseline, Metric.Wer) is { } a and > 0 && Delta(baseline, run) is { } d ? -100 * d / a : null;

    private string Url(long? system, Change change, int page) => UrlState.Build("compare", ("runs", RunsParam), ("testset", _testSet),
        ("system", system?.ToString(CultureInfo.InvariantCulture)), ("change", change.ToString().ToLowerInvariant()),
        ("page", page == 0 ? null : page.ToString(CultureInfo.InvariantCulture))) + "#changed";
}
