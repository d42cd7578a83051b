// The Export page's table cache: a table that takes long to compute (a baseline's significance tests on a large
// store) must not hold up other export requests while it runs, and its result must still arrive and be kept.
using Sld.Bench.Dashboard.Data;
using Sld.Bench.Shared.Export;

namespace Sld.Bench.Dashboard.Tests;

public sealed class ExportTablesTests
{
    [Fact]
    public async Task Other_requests_do_not_wait_for_a_table_being_computed()
    {
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        await using var access = new StoreAccess(Path.Combine(Path.GetTempPath(), $"sldbench-no-store-{Guid.NewGuid():N}.db"));
        await using var reader = new ResultsReader(access);
        // Blocks its thread until released, as the real computation does: SQLite's async queries complete
        // synchronously, so the query and the tests run on whichever thread starts the computation.
        var tables = new ExportTables(access, reader, choice =>
        {
            if (choice.Baseline is not null)
            {
                started.Set();
                release.Wait();
            }
            return Task.FromResult(Table(choice.Baseline is not null));
        });
        var plain = Choice(baseline: null);
        var withBaseline = Choice(baseline: "1,x");
        try
        {
            var significance = Task.Run(() => tables.GetAsync(withBaseline)); // as the page starts it
            Assert.True(started.Wait(TimeSpan.FromMinutes(1)), "the computation did not start");

            // While it is pending, a second request asks whether it is ready and gets the table without a baseline.
            // (The timeout only keeps a regression from hanging the run: before the fix this waited for the release.)
            var (ready, table) = await Task.Run(async () => (tables.IsReady(withBaseline), await tables.GetAsync(plain)))
                .WaitAsync(TimeSpan.FromMinutes(1));
            Assert.False(ready);
            Assert.Null(table.Table.Baseline);
            Assert.False(significance.IsCompleted);

            // Once released, the marks arrive and are kept for the next request.
            release.Set();
            var full = await significance.WaitAsync(TimeSpan.FromMinutes(1));
            Assert.NotNull(full.Table.Baseline);
            Assert.True(tables.IsReady(withBaseline));
            Assert.Same(full, await tables.GetAsync(withBaseline));
        }
        finally
        {
            release.Set();
        }
    }

    private static ExportChoice Choice(string? baseline) =>
        new("sweep", "rows", "cols", Metric.Wer, "test-clean", new Dictionary<string, string>(), baseline, SignificanceTestKind.MatchedPairs);

    private static ComputedTable Table(bool baseline) => ComputedTable.Compute(new ResultTable
    {
        Title = "t",
        Metric = new TableMetric("wer@test-clean", "WER (%) on test-clean", MetricDirection.LowerIsBetter),
        RowAxis = "rows",
        Rows = ["1", "2"],
        ColumnAxis = "cols",
        Columns = ["x"],
        Cells = [new TableCell("1", "x", [new SeedRun(1, 10)], [1]), new TableCell("2", "x", [new SeedRun(1, 9)], [1])],
        Baseline = baseline ? ("1", "x") : null,
    });
}
