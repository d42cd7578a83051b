// Planning: a sweep's expanded cells become runs, keyed by (sweep, config hash). Re-planning the same or an
// edited sweep adds only cells that are new, updates positions, and retires (never deletes) runs that left
// the plan; two processes planning at once cannot duplicate a run (ON CONFLICT DO NOTHING).
using System.Data.Common;
using System.Text.Json;
using Sld.Bench.Shared.Config;

namespace Sld.Bench.Shared.Storage;

public sealed partial class ResultsStore
{
    /// <summary>Creates or updates the sweep named <see cref="SweepPlan.Name"/> and its runs; idempotent by config hash.</summary>
    public Task<PlanResult> UpsertPlanAsync(SweepPlan plan, CancellationToken ct = default) =>
        WriteAsync(async (conn, tx) =>
        {
            var now = DateTime.UtcNow;
            var axesJson = JsonSerializer.Serialize(plan.Axes.Select(a => new
            {
                name = a.Name,
                kind = a.Kind.ToString().ToLowerInvariant(),
                values = a.Values,
                group_choice = a.IsGroupChoice,
                zip_group = a.ZipGroup,
                condition = a.Condition,
            }));
            long sweepId;
            await using (var cmd = Command(conn, tx,
                "INSERT INTO sweeps (name, file, overrides_json, axes_json, plan_hash, cell_count, created_at, updated_at) " +
                "VALUES (@name, @file, @overrides, @axes, @hash, @count, @now, @now) " +
                "ON CONFLICT (name) DO UPDATE SET file = excluded.file, overrides_json = excluded.overrides_json, " +
                "axes_json = excluded.axes_json, plan_hash = excluded.plan_hash, cell_count = excluded.cell_count, updated_at = excluded.updated_at " +
                "RETURNING id",
                ("@name", plan.Name), ("@file", plan.File), ("@overrides", JsonSerializer.Serialize(plan.Overrides)),
                ("@axes", axesJson), ("@hash", plan.PlanHash), ("@count", plan.Cells.Count), ("@now", now)))
                sweepId = Convert.ToInt64(await cmd.ExecuteScalarAsync(ct));

            var existing = new Dictionary<string, (long Id, int Index, bool InPlan)>(StringComparer.Ordinal);
            await using (var cmd = Command(conn, tx, "SELECT config_hash, id, idx, in_plan FROM runs WHERE sweep_id = @s", ("@s", sweepId)))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    existing[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt32(2), reader.GetBoolean(3));

            var fresh = plan.Cells.Where(c => !existing.ContainsKey(c.Hash)).ToList();
            var inserted = await BulkInsertAsync(conn, tx, "runs",
                ["sweep_id", "idx", "in_plan", "config_hash", "setting_hash", "seed", "axes_json", "config_json", "status", "attempts", "created_at"],
                fresh.Select(c => new object?[]
                {
                    sweepId, c.Index, true, c.Hash, c.SettingHash, c.Seed, AxesJson(c), c.CanonicalJson, Status(RunStatus.Pending), 0, now,
                }).ToList(),
                conflict: "ON CONFLICT (sweep_id, config_hash) DO NOTHING", returning: "id, config_hash");
            var byHash = fresh.ToDictionary(c => c.Hash, StringComparer.Ordinal);
            await BulkInsertAsync(conn, tx, "run_axis_values", ["run_id", "axis", "value_json", "value_text", "value_number"],
                inserted.SelectMany(row => byHash[(string)row[1]!].Assignments.Select(a => new object?[]
                {
                    Convert.ToInt64(row[0]), a.Axis, a.Json, a.Display, a.Number,
                })).ToList(),
                conflict: "ON CONFLICT (run_id, axis) DO NOTHING");

            foreach (var cell in plan.Cells)
                if (existing.TryGetValue(cell.Hash, out var old) && (old.Index != cell.Index || !old.InPlan))
                    await ExecuteAsync(conn, tx, "UPDATE runs SET idx = @i, in_plan = @t WHERE id = @id", ("@i", cell.Index), ("@t", true), ("@id", old.Id));

            var planned = plan.Cells.Select(c => c.Hash).ToHashSet(StringComparer.Ordinal);
            var retired = 0;
            foreach (var (hash, old) in existing)
                if (!planned.Contains(hash) && old.InPlan)
                    retired += await ExecuteAsync(conn, tx, "UPDATE runs SET in_plan = @f WHERE id = @id", ("@f", false), ("@id", old.Id));

            return new PlanResult(sweepId, inserted.Count, plan.Cells.Count - fresh.Count, retired);
        }, ct);

    /// <summary>Records where the sweep's run directories and shared work folder are (an absolute path).</summary>
    public Task SetOutputRootAsync(long sweepId, string outputRoot, CancellationToken ct = default) =>
        WriteAsync((conn, tx) => ExecuteAsync(conn, tx, "UPDATE sweeps SET output_root = @root WHERE id = @id",
            ("@root", Path.GetFullPath(outputRoot)), ("@id", sweepId)), ct);

    /// <summary>The cell's axis values as a JSON object in axis order: {"loss.strategy":"sld","train.lr":0.0003}.</summary>
    internal static string AxesJson(SweepCell cell) =>
        "{" + string.Join(",", cell.Assignments.Select(a => JsonSerializer.Serialize(a.Axis) + ":" + a.Json)) + "}";
}
