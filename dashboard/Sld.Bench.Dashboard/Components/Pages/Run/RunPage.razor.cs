// Loads a run's details once per change of the store; the curves only for the training tab.
using Microsoft.AspNetCore.Components;
using Sld.Bench.Dashboard.Components.Shared;
using Sld.Bench.Dashboard.Data;

namespace Sld.Bench.Dashboard.Components.Pages.Run;

public partial class RunPage
{
    private RunDetails? _details;
    private IReadOnlyList<Curve> _curves = [];
    private IReadOnlyList<RunInfo> _otherSeeds = [];

    [Parameter] public long RunId { get; set; }
    [SupplyParameterFromQuery(Name = "view")] public string? ViewParam { get; set; }
    [SupplyParameterFromQuery(Name = "errors")] public bool Errors { get; set; }
    [SupplyParameterFromQuery(Name = "speaker")] public string? Speaker { get; set; }
    [SupplyParameterFromQuery(Name = "page")] public int Page { get; set; }

    /// <summary>"overview", "training" or a test set; the first test set when a run has one.</summary>
    private string View => ViewParam ?? (_details?.Evaluations.Count > 0 ? _details.Evaluations[0].TestSet : "overview");

    protected override async Task LoadAsync(CancellationToken ct)
    {
        _details = await Reader.GetRunAsync(RunId, ct);
        if (_details is null) return;
        var snapshot = await Reader.GetSnapshotAsync(ct);
        _otherSeeds = [.. snapshot.Runs.Where(r => r.SettingHash == _details.Run.SettingHash && r.SweepId == _details.Run.SweepId && r.Id != RunId).OrderBy(r => r.Seed)];
        _curves = View == "training" ? await Reader.GetCurvesAsync(RunId, ct) : [];
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
