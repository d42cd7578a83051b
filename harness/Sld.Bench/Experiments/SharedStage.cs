// A stage that several cells share (the corpus, its features, a fitted tokenizer), built once per input hash:
// the results store hands the build to exactly one worker (on any machine), the others wait for it and then
// reuse the output. A builder that dies is replaced after its heartbeat goes stale, as with runs.
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Experiments;

public static class SharedStage
{
    /// <summary>What a finished build leaves: where its output is, and stats/lineage JSON for the dashboard.</summary>
    public sealed record Output(string Path, string? StatsJson = null, string? LineageJson = null);

    public static async Task<Artifact> RunAsync(ResultsStore store, ArtifactSpec spec, Func<CancellationToken, Task<Output>> build,
                                                Action<string> log, CancellationToken cancellation, TimeSpan? poll = null)
    {
        var waited = false;
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var claim = await store.ClaimArtifactAsync(spec, ct: CancellationToken.None);
            switch (claim.Outcome)
            {
                case ArtifactClaimOutcome.Ready:
                    return claim.Artifact;
                case ArtifactClaimOutcome.BuildingElsewhere:
                    if (!waited) log($"{spec.Stage} {spec.Hash}: another worker ({claim.Artifact.ClaimedByHost}:{claim.Artifact.ClaimedByPid}) is building it; waiting");
                    waited = true;
                    await Task.Delay(poll ?? TimeSpan.FromSeconds(2), cancellation);
                    continue;
            }
            var token = claim.Token!;
            using var stop = new CancellationTokenSource();
            var heartbeat = HeartbeatAsync(store, spec.Hash, token, stop.Token);
            try
            {
                var output = await build(cancellation);
                await store.CompleteArtifactAsync(spec.Hash, token, output.Path, output.StatsJson, output.LineageJson, CancellationToken.None);
                return await store.GetArtifactAsync(spec.Hash, CancellationToken.None) ?? claim.Artifact;
            }
            catch (Exception e)
            {
                // Free the claim at once so the next worker can try (a cancelled build is not a failed input).
                await store.FailArtifactAsync(spec.Hash, token, e is OperationCanceledException ? "interrupted" : e.Message, CancellationToken.None);
                throw;
            }
            finally
            {
                await stop.CancelAsync();
                await heartbeat;
            }
        }
    }

    private static async Task HeartbeatAsync(ResultsStore store, string hash, string token, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(15), stop);
                await store.HeartbeatArtifactAsync(hash, token, CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
