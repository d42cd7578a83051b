// State and actions of the leaderboard page: the query from the URL, grouping, sorting, paging and the runs
// selected for comparison.
using System.Globalization;
using Microsoft.AspNetCore.Components;
using Sld.Bench.Dashboard.Components.Shared;
using Sld.Bench.Dashboard.Data;

namespace Sld.Bench.Dashboard.Components.Pages.Leaderboard;

public partial class LeaderboardPage
{
    private const int PageSize = 50;

    private Snapshot _snapshot = Snapshot.Empty;
    private Data.LeaderboardPage? _page;
    private IReadOnlyList<string> _axesAll = [];
    private List<string> _group = [];
    private Metric _metric = Metric.Wer;
    private string _sort = "metric";
    private bool _desc;
    private int _pageIndex;
    private readonly HashSet<long> _selected = [];

    [SupplyParameterFromQuery(Name = "sweep")] public string? Sweep { get; set; }
    [SupplyParameterFromQuery(Name = "testset")] public string? TestSet { get; set; }
    [SupplyParameterFromQuery(Name = "metric")] public string? MetricName { get; set; }
    [SupplyParameterFromQuery(Name = "filter")] public string? Filter { get; set; }
    [SupplyParameterFromQuery(Name = "group")] public string? GroupParam { get; set; }
    [SupplyParameterFromQuery(Name = "sort")] public string? SortParam { get; set; }
    [SupplyParameterFromQuery(Name = "desc")] public bool Desc { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public int PageParam { get; set; }

    protected override Task OnParametersSetAsync()
    {
        _group = [.. (GroupParam ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)];
        _sort = string.IsNullOrEmpty(SortParam) ? "metric" : SortParam;
        _desc = Desc;
        _pageIndex = Math.Max(0, PageParam);
        return base.OnParametersSetAsync();
    }

    protected override async Task LoadAsync(CancellationToken ct)
    {
        _snapshot = await Reader.GetSnapshotAsync(ct);
        Rebuild();
    }

    private void Rebuild()
    {
        _metric = Metrics.Parse(MetricName);
        if (string.IsNullOrEmpty(Sweep) || _snapshot.Sweep(Sweep) is null) Sweep = null;
        if (TestSet is null || !_snapshot.TestSets.Contains(TestSet)) TestSet = _snapshot.TestSets.FirstOrDefault();
        _axesAll = _snapshot.AxesOf(_snapshot.Runs.Where(r => Sweep is null || r.Sweep == Sweep));
        _group.RemoveAll(a => !_axesAll.Contains(a));
        _page = Data.Leaderboard.Build(_snapshot, new LeaderboardQuery
        {
            Sweep = Sweep,
            TestSet = TestSet,
            Metric = _metric,
            Filter = Filter,
            GroupBy = _group,
            Sort = _sort,
            Descending = _desc,
            Skip = _pageIndex * PageSize,
            Take = PageSize,
        });
    }

    private string CurrentUrl => UrlState.Build("", ("sweep", Sweep), ("testset", TestSet), ("metric", _metric == Metric.Wer ? null : _metric.ToString().ToLowerInvariant()),
        ("filter", Filter), ("group", _group.Count == 0 ? null : string.Join(",", _group)), ("sort", _sort == "metric" ? null : _sort),
        ("desc", _desc ? "true" : null), ("page", _pageIndex == 0 ? null : _pageIndex.ToString(CultureInfo.InvariantCulture)));

    private string CompareUrl => UrlState.Build("compare", ("runs", string.Join(",", _selected.Order())), ("testset", TestSet));

    private string GroupUrl(LeaderboardRow row) => UrlState.Build("", ("sweep", Sweep), ("testset", TestSet),
        ("filter", string.Join(" ", row.Axes.Select(kv => $"{kv.Key}={kv.Value}"))));

    private async Task ApplyAsync()
    {
        _pageIndex = 0;
        Rebuild();
        await UrlState.ReplaceAsync(JS, Nav, CurrentUrl);
    }

    private Task ToggleGroupAsync(string axis)
    {
        if (!_group.Remove(axis)) _group.Add(axis);
        return ApplyAsync();
    }

    private Task OverSeedsAsync()
    {
        _group = [.. _axesAll.Where(a => a != "seed")];
        return ApplyAsync();
    }

    private Task UngroupAsync()
    {
        _group.Clear();
        return ApplyAsync();
    }

    private Task SortAsync(string key)
    {
        _desc = _sort == key && !_desc;
        _sort = key;
        return ApplyAsync();
    }

    private async Task PageAsync(int page)
    {
        _pageIndex = page;
        Rebuild();
        await UrlState.ReplaceAsync(JS, Nav, CurrentUrl);
    }

    private void Select(long runId, bool on)
    {
        if (on) _selected.Add(runId);
        else _selected.Remove(runId);
    }
}
