// A results store that is not one, or cannot be used as asked, is a StoreException in words, never a raw
// SqliteException: a stranger's file (garbage, another application's database) is refused byte for byte
// untouched, a truncated or corrupt store is named with what to do, an empty file is not a store to read, a
// store in a read-only folder can still be read, and a store written before a migration is upgraded on read.
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Sld.Bench.Shared.Storage;
using Sld.Bench.Shared.Tests.Config;

namespace Sld.Bench.Shared.Tests.Storage;

public sealed class StoreFailureTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("sldbench-storefail-");

    private string FilePath(string name) => Path.Combine(_dir.FullName, name);

    private static string Digest(string file) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)));

    private async Task<string> StoreWithRunsAsync(string name)
    {
        var file = FilePath(name);
        await using (var store = await ResultsStore.OpenAsync(file))
            await store.UpsertPlanAsync(ConfigFixtures.Expand("grid.yaml"));
        SqliteConnection.ClearAllPools();
        // Fold the write-ahead log into the file, so the file alone is the whole store.
        await using (var conn = new SqliteConnection($"Data Source={file}"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;";
            await cmd.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        return file;
    }

    [Fact]
    public async Task A_garbage_file_is_refused_for_writing_and_reading_and_left_untouched()
    {
        var file = FilePath("garbage.db");
        File.WriteAllBytes(file, RandomNumberGenerator.GetBytes(8192));
        var before = Digest(file);
        var e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenAsync(file));
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("not a results store", e.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenReadOnlyAsync(file));
        Assert.Equal(before, Digest(file));
        Assert.False(File.Exists(file + "-wal"));
        Assert.False(File.Exists(file + "-shm"));
    }

    [Fact]
    public async Task A_truncated_store_is_named_as_truncated_and_left_untouched()
    {
        var file = await StoreWithRunsAsync("truncated.db");
        var bytes = File.ReadAllBytes(file);
        Assert.True(bytes.Length > 16 * 1024, $"the store is only {bytes.Length} bytes");
        File.WriteAllBytes(file, bytes[..(bytes.Length / 2)]);
        var before = Digest(file);
        var e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenAsync(file));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenReadOnlyAsync(file));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Equal(before, Digest(file));
    }

    [Fact]
    public async Task A_store_with_corrupt_pages_fails_with_a_store_exception_that_says_what_to_do()
    {
        var file = await StoreWithRunsAsync("corrupt.db");
        var bytes = File.ReadAllBytes(file);
        var pageSize = (bytes[16] << 8) | bytes[17];
        // Every page but the first (the schema) becomes noise: the header stays valid, the data does not.
        RandomNumberGenerator.Fill(bytes.AsSpan(pageSize));
        File.WriteAllBytes(file, bytes);
        var e = await Assert.ThrowsAnyAsync<StoreException>(async () =>
        {
            await using var store = await ResultsStore.OpenReadOnlyAsync(file);
            await store.ListSweepsAsync();
        });
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_is_not_a_store_to_read_but_becomes_one_when_written()
    {
        var file = FilePath("empty.db");
        File.WriteAllBytes(file, []);
        var e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenReadOnlyAsync(file));
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
        await using var store = await ResultsStore.OpenAsync(file);
        Assert.Empty(await store.ListSweepsAsync());
    }

    [Fact]
    public async Task Another_applications_database_is_refused_untouched()
    {
        var file = FilePath("other.db");
        await using (var conn = new SqliteConnection($"Data Source={file}"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5);";
            await cmd.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        var before = Digest(file);
        var e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenAsync(file));
        Assert.Contains("invoices", e.Message, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenReadOnlyAsync(file));
        Assert.Contains("not a results store", e.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Digest(file));
    }

    [Fact]
    public async Task A_store_planned_before_the_output_root_column_is_upgraded_when_read()
    {
        var file = await StoreWithRunsAsync("old.db");
        await using (var conn = new SqliteConnection($"Data Source={file}"))
        {
            await conn.OpenAsync();
            await using var cmd = conn.CreateCommand();
            cmd.CommandText = "ALTER TABLE sweeps DROP COLUMN output_root; DELETE FROM __EFMigrationsHistory WHERE MigrationId LIKE '%SweepOutputRoot';";
            await cmd.ExecuteNonQueryAsync();
        }
        SqliteConnection.ClearAllPools();
        await using var store = await ResultsStore.OpenReadOnlyAsync(file);
        var sweep = Assert.Single(await store.ListSweepsAsync());
        Assert.Null((await store.GetSweepAsync(sweep.Name))!.OutputRoot);
    }

    [ReadOnlyFolderFact]
    public async Task A_store_in_a_read_only_folder_can_be_read_but_not_written()
    {
        var folder = Directory.CreateDirectory(FilePath("ro")).FullName;
        var file = Path.Combine(folder, "results.db");
        await using (var store = await ResultsStore.OpenAsync(file))
            await store.UpsertPlanAsync(ConfigFixtures.Expand("grid.yaml"));
        SqliteConnection.ClearAllPools();
        foreach (var side in new[] { "-wal", "-shm" }) Assert.False(File.Exists(file + side), $"{side} is left after closing");
        using (ReadOnlyFolder.Make(folder))
        {
            await using (var store = await ResultsStore.OpenReadOnlyAsync(file))
            {
                var sweep = Assert.Single(await store.ListSweepsAsync());
                Assert.Equal(54, (await store.ListRunsAsync(sweep.Id)).Count);
            }
            var e = await Assert.ThrowsAsync<StoreException>(() => ResultsStore.OpenAsync(file));
            Assert.Contains(file, e.Message, StringComparison.Ordinal);
            Assert.Contains("read-only", e.Message, StringComparison.Ordinal);
            SqliteConnection.ClearAllPools(); // an open file would keep the mount busy
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Delete(recursive: true);
    }
}

/// <summary>A fact that needs a read-only folder; skipped, with the reason, where this machine cannot make one.</summary>
public sealed class ReadOnlyFolderFactAttribute : FactAttribute
{
    public ReadOnlyFolderFactAttribute()
    {
        if (Sld.Bench.Testing.FileSystemFaults.ReadOnlyUnavailable is { } why) Skip = why;
    }
}

internal static class ReadOnlyFolder
{
    public static IDisposable Make(string folder) => Sld.Bench.Testing.FileSystemFaults.MakeReadOnly(folder);
}
