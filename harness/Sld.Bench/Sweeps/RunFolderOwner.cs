// Which results store a run directory belongs to. A run folder's checkpoints are only meaningful with the
// records (training curves, evaluations) of the store that made them, so a worker refuses to run a cell in
// a folder another store filled, instead of silently resuming its checkpoint into a store that lacks them.
using System.Text.Json;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Sweeps;

/// <summary>The identity of the run that owns a folder: its store, its sweep (by id and creation time) and its run id.</summary>
public sealed record RunFolderOwner(string Store, long SweepId, DateTime SweepCreatedAt, long RunId)
{
    public const string FileName = "owner.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static RunFolderOwner For(ResultsStore store, Sweep sweep, long runId) =>
        new(store.Location.ToString(), sweep.Id, DateTime.SpecifyKind(sweep.CreatedAt, DateTimeKind.Utc), runId);

    /// <summary>Same sweep row and run row: a store moved to another path still owns its folders.</summary>
    public bool SameRunAs(RunFolderOwner other) =>
        SweepId == other.SweepId && RunId == other.RunId && Math.Abs((SweepCreatedAt - other.SweepCreatedAt).TotalMilliseconds) < 1;

    public static RunFolderOwner? Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<RunFolderOwner>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Write(string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        var path = Path.Combine(runDirectory, FileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(this, Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>
    /// Why <paramref name="runDirectory"/> cannot be used by <paramref name="expected"/>, or null when it can: it
    /// is absent or empty, or its owner file names this run. A folder with files but no owner file is accepted
    /// only when this store ran the cell before (<paramref name="startedBefore"/>), as folders written before
    /// owner files existed are.
    /// </summary>
    public static string? Conflict(string runDirectory, RunFolderOwner expected, bool startedBefore)
    {
        if (!Directory.Exists(runDirectory) || !Directory.EnumerateFileSystemEntries(runDirectory).Any()) return null;
        var owner = Read(runDirectory);
        if (owner is null)
            return startedBefore ? null
                : $"the run folder {runDirectory} already holds files that no run of {expected.Store} wrote (no {FileName}); " +
                  "their checkpoints would be reused without their training records. Use another --out, point --db at the store that made them, or delete the folder";
        if (owner.SameRunAs(expected)) return null;
        return $"the run folder {runDirectory} belongs to run {owner.RunId} of another results store ({owner.Store}, sweep created {owner.SweepCreatedAt:u}); " +
               $"{expected.Store} has none of its records, so its checkpoints are not reused. Use another --out for this store, or --db {owner.Store}";
    }
}
