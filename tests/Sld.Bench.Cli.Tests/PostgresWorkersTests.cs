// Eight `sldbench sweep worker` processes on one PostgreSQL store (a throw-away cluster), as on a lab server
// with several machines: every cell runs exactly once, each has its one evaluation and every training step's
// metric row once, the shared stages are ready, and no worker meets a deadlock or serialization error.
using System.Diagnostics;
using Npgsql;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Shared.Tests.Storage;

namespace Sld.Bench.Cli.Tests;

[Collection(ConsoleCollection.Name)] // many processes: alone, as the other multi-worker tests
public sealed class PostgresWorkersTests(PostgresCluster cluster, SweepFolder folder) : IClassFixture<PostgresCluster>, IClassFixture<SweepFolder>
{
    private const int Steps = 2;

    [Fact]
    public async Task EightWorkerProcessesShareOnePostgresStore()
    {
        var database = await cluster.CreateDatabaseAsync();
        var file = folder.Write("eight", $"steps: {Steps}, eval_every: 100, checkpoint_every: 100", """
            sweep:
              name: eight
              grid:
                loss: [loss_masking, multimodal_ce]
              seeds: [0, 1, 2, 3, 4, 5, 6, 7]
            """);
        var (code, output) = CliProcess.Run(["sweep", "run", file, "--connection", database, "--out", folder.Output, "--workers", "8", "--threads", "1"], TimeSpan.FromMinutes(10));
        Assert.True(code == ExitCodes.Success, output);
        foreach (var error in new[] { "deadlock", "40P01", "could not serialize", "40001", "Exception" })
            Assert.DoesNotContain(error, output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(8, output.Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\S+ \[worker (\d)\]").Groups[1].Value)
            .Where(w => w.Length > 0).Distinct().Count());

        await using var store = await ResultsStore.OpenReadOnlyAsync(database);
        var runs = await store.ListRunsAsync((await store.GetSweepAsync("eight"))!.Id);
        Assert.Equal(16, runs.Count);
        Assert.All(runs, r => Assert.Equal((RunStatus.Done, 1), (r.Status, r.Attempts)));
        Assert.Equal(16, runs.Select(r => r.ConfigHash).Distinct().Count());
        // Every cell was started by exactly one worker.
        foreach (var r in runs)
            Assert.Single(output.Split('\n'), l => l.Contains($"cell #{r.Index} {r.ConfigHash}: started (attempt 1)", StringComparison.Ordinal));
        foreach (var r in runs)
        {
            var evaluation = Assert.Single(await store.GetEvaluationsAsync(r.Id));
            Assert.Equal(evaluation.Sentences, await store.CountUtterancesAsync(evaluation.Id));
            Assert.Equal(Enumerable.Range(1, Steps).Select(s => (long)s), (await store.GetMetricsAsync(r.Id, "train/loss")).Select(m => m.Step));
        }
        Assert.All(await store.ListArtifactsAsync(), a => Assert.Equal(ArtifactStatus.Ready, a.Status));

        // No metric row lost or doubled: the table holds exactly one row per (run, name, step) that the runs report.
        await using var conn = new NpgsqlConnection(StoreLocation.Parse(database).ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*), count(DISTINCT (run_id, name, step)) FROM step_metrics", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        var expected = 0;
        foreach (var r in runs) expected += (await store.GetMetricsAsync(r.Id)).Count;
        Assert.Equal((expected, expected), ((int)reader.GetInt64(0), (int)reader.GetInt64(1)));
    }
}
