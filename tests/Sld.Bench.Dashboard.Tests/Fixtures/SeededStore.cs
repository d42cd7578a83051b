// One seeded results store per test run, written through the ResultsStore API: two sweeps (a 3 x 2 grid with
// two seeds and runs in every status, and a one-axis tokenizer sweep), plus an evaluation whose transcripts
// and speaker carry HTML, to prove the pages render them as text.
using Sld.Bench.Dashboard.Tests.Seeding;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests.Fixtures;

public sealed class SeededStore : IAsyncLifetime
{
    public const string Script = "<script>alert('owned')</script>";
    public const string HtmlSpeaker = "<b>spk</b>";

    public static readonly SyntheticSweep Grid = new("sld_vs_lm", [("loss.strategy", "[lm, mce, sld]"), ("model.layers", "[2, 4]")]);
    public static readonly SyntheticSweep Tokenizers = new("tokenizer_k", [("tokenizer.k", "[250, 500, 1000]")])
    {
        Seeds = 1, TestSets = ["test-clean"], Running = 0, Pending = 0, Failed = 0,
    };

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "sldbench-dashboard-" + Guid.NewGuid().ToString("N")[..8]);

    public string Database => Path.Combine(Directory, "results.db");

    /// <summary>The done run that also carries the "xss" test set.</summary>
    public long XssRunId { get; private set; }

    public async Task InitializeAsync()
    {
        await SyntheticResults.WriteThroughStoreAsync(Database, [Grid, Tokenizers], Directory);
        await using var store = await ResultsStore.OpenAsync(Database);
        var sweep = (await store.ListSweepsAsync()).Single(s => s.Name == Grid.Name);
        XssRunId = (await store.ListRunsAsync(sweep.Id, RunStatus.Done))[0].Id;
        await store.RecordEvaluationAsync(XssRunId,
            new EvaluationRecord("xss", 3, 1, 0, 0, 10, 1, 0, 0, 1, 1, "none", "{\"decoder\":\"<img src=x onerror=alert(1)>\"}"),
            [new UtteranceRecord("utt-<i>1</i>", HtmlSpeaker, 2.5, $"hello {Script} world now", "hello <script>alert('owned')</script> word now", 3, 1, 0, 0, "CCSC")]);
    }

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a pool is removed with the temp folder later.
        }
        return Task.CompletedTask;
    }
}
