// Writes the benchmark store: sweeps planned through the ResultsStore API (real config hashes and axis rows),
// then statuses, provenance, curves, evaluations and utterances with prepared SQLite statements in large
// transactions, because 50 million utterance rows through the per-batch API would take hours. Resumable: a
// run whose rows were written has attempts = 1, so a stopped generation continues where it stopped.
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Sld.Bench.Dashboard.Tests.Seeding;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Bench.Dashboard;

public static class BulkWriter
{
    public static async Task WriteAsync(string database, int sweeps, int runsPerSweep, int utterances, TextWriter log)
    {
        var clock = Stopwatch.StartNew();
        var workDir = Path.Combine(Path.GetDirectoryName(database)!, "experiments");
        var plans = new List<(long SweepId, Sld.Bench.Shared.Config.SweepPlan Plan)>();
        await using (var store = await ResultsStore.OpenAsync(database))
        {
            for (var s = 0; s < sweeps; s++)
            {
                // 4 x 5 x 5 x 5 settings x 2 seeds = 1,000 cells per sweep.
                var sweep = new SyntheticSweep($"sweep_{s:D2}", [
                    ("loss.strategy", "[lm, mce, sld, kd]"), ("model.layers", "[2, 4, 6, 8, 12]"),
                    ("train.lr", "[0.0001, 0.0003, 0.001, 0.003, 0.01]"), ("tokenizer.k", $"[{250 + s}, 500, 1000, 2000, 4000]")]) { Seeds = 2 };
                var plan = SyntheticResults.Plan(sweep, workDir);
                var result = await store.UpsertPlanAsync(plan);
                plans.Add((result.SweepId, plan));
            }
        }
        log.WriteLine($"planned {plans.Sum(p => p.Plan.Cells.Count):N0} runs in {clock.Elapsed.TotalSeconds:F0} s");

        var testSet = SyntheticResults.TestSet("test-clean", utterances);
        var references = testSet.Select(u => string.Join(' ', u.Words)).ToArray();
        using var conn = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        conn.Open();
        Exec(conn, "PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY;");
        var runIds = new Dictionary<(long, string), long>();
        var written = new HashSet<long>();
        using (var cmd = conn.CreateCommand())
        {
            cmd.CommandText = "SELECT sweep_id, config_hash, id, attempts FROM runs";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                runIds[(reader.GetInt64(0), reader.GetString(1))] = reader.GetInt64(2);
                if (reader.GetInt32(3) > 0) written.Add(reader.GetInt64(2));
            }
        }
        if (written.Count > 0) log.WriteLine($"continuing: {written.Count:N0} runs already written");

        var update = Prepare(conn, "UPDATE runs SET status=@p0, started_at=@p1, ended_at=@p2, git_commit='3f2c1ab9e0d4', machine=@p3, device='cuda:0 (NVIDIA A100-SXM4-40GB)', " +
                                   "libtorch_version='2.5.1+cu121', parameter_count=@p4, tokenizer_hash='tok-kmeans-500-l6', error=@p5, attempts=1 WHERE id=@p6", 7);
        var metric = Prepare(conn, "INSERT INTO step_metrics (run_id, name, step, value) VALUES (@p0, @p1, @p2, @p3)", 4);
        var evaluation = Prepare(conn, "INSERT INTO evaluations (run_id, test_set, wer, cer, correct, substitutions, deletions, insertions, ref_words, char_correct, " +
                                       "char_substitutions, char_deletions, char_insertions, ref_chars, sentences, sentence_errors, normalization, decoding_json, step, created_at) " +
                                       "VALUES (@p0, 'test-clean', @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12, @p13, @p14, 'lowercase, no punctuation (librispeech v1)', " +
                                       "'{\"decoder\":\"greedy\"}', 1000, @p15) RETURNING id", 16);
        var utterance = Prepare(conn, "INSERT INTO utterance_results (evaluation_id, utterance_id, speaker, duration, reference, hypothesis, correct, substitutions, deletions, " +
                                      "insertions, errors, ref_words, alignment) VALUES (@p0, @p1, @p2, @p3, @p4, @p5, @p6, @p7, @p8, @p9, @p10, @p11, @p12)", 13);
        var total = plans.Sum(p => p.Plan.Cells.Count);
        var done = 0;
        var tx = conn.BeginTransaction();
        foreach (var (sweepId, plan) in plans)
        {
            foreach (var cell in plan.Cells)
            {
                var runId = runIds[(sweepId, cell.Hash)];
                if (written.Contains(runId))
                {
                    done++;
                    continue;
                }
                var axes = cell.Assignments.ToDictionary(a => a.Axis, a => a.Display);
                var roll = SyntheticResults.StableHash("status" + cell.Hash) % 1000;
                var status = roll < 2 ? RunStatus.Running : roll < 7 ? RunStatus.Pending : roll < 17 ? RunStatus.Failed : roll < 20 ? RunStatus.Diverged : RunStatus.Done;
                var start = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc).AddMinutes(done * 3);
                Bind(update, tx, status.ToString().ToLowerInvariant(), status == RunStatus.Pending ? null : start,
                    status is RunStatus.Done or RunStatus.Failed or RunStatus.Diverged ? start.AddMinutes(40) : null,
                    $"gpu-node-{done % 16:D2}", 1_200_000L + 790_000L * int.Parse(axes["model.layers"], CultureInfo.InvariantCulture),
                    status == RunStatus.Failed ? "CUDA out of memory" : null, runId).ExecuteNonQuery();
                if (status != RunStatus.Pending)
                    foreach (var p in SyntheticResults.Curves(axes, cell.Seed ?? 0, 50))
                        Bind(metric, tx, runId, p.Name, p.Step, p.Value).ExecuteNonQuery();
                if (status == RunStatus.Done) WriteEvaluation(evaluation, utterance, tx, runId, axes, cell.Seed ?? 0, testSet, references);
                if (++done % 100 == 0)
                {
                    tx.Commit();
                    tx.Dispose();
                    tx = conn.BeginTransaction();
                    log.WriteLine($"  {done:N0}/{total:N0} runs written, {clock.Elapsed.TotalSeconds:F0} s");
                }
            }
        }
        tx.Commit();
        tx.Dispose();
        Exec(conn, "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;");
        log.WriteLine($"wrote {total:N0} runs in {clock.Elapsed.TotalMinutes:F1} min");
    }

    private static void WriteEvaluation(SqliteCommand evaluation, SqliteCommand utterance, SqliteTransaction tx, long runId,
        Dictionary<string, string> axes, long seed, IReadOnlyList<(string Id, string Speaker, string[] Words, double Duration)> testSet, string[] references)
    {
        var rate = SyntheticResults.ErrorRate(axes, seed, "test-clean");
        var rng = new Random(SyntheticResults.StableHash($"{seed}/{string.Join(",", axes.Values)}"));
        var rows = new (string Hyp, string Ops, int C, int S, int D, int I)[testSet.Count];
        long c = 0, s = 0, d = 0, ins = 0, chars = 0;
        var sentenceErrors = 0;
        for (var k = 0; k < rows.Length; k++)
        {
            var (hyp, ops) = SyntheticResults.Decode(testSet[k].Words, rate, rng);
            int uc = 0, us = 0, ud = 0, ui = 0;
            foreach (var o in ops) switch (o) { case 'C': uc++; break; case 'S': us++; break; case 'D': ud++; break; default: ui++; break; }
            rows[k] = (hyp, ops, uc, us, ud, ui);
            c += uc; s += us; d += ud; ins += ui; chars += references[k].Length;
            if (us + ud + ui > 0) sentenceErrors++;
        }
        var charErrors = (long)Math.Round(rate * 0.42 * chars);
        var refWords = c + s + d;
        var evaluationId = (long)Bind(evaluation, tx, runId, (double)(s + d + ins) / refWords, (double)charErrors / chars, c, s, d, ins, refWords,
            chars - charErrors, charErrors * 6 / 10, charErrors * 3 / 10, charErrors / 10, chars - charErrors / 10, rows.Length, sentenceErrors, DateTime.UtcNow).ExecuteScalar()!;
        for (var k = 0; k < rows.Length; k++)
        {
            var (id, speaker, _, duration) = testSet[k];
            var r = rows[k];
            Bind(utterance, tx, evaluationId, id, speaker, duration, references[k], r.Hyp, r.C, r.S, r.D, r.I, r.S + r.D + r.I, r.C + r.S + r.D, r.Ops).ExecuteNonQuery();
        }
    }

    private static SqliteCommand Prepare(SqliteConnection conn, string sql, int parameters)
    {
        var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < parameters; i++) cmd.Parameters.Add(new SqliteParameter("@p" + i, null));
        return cmd;
    }

    private static SqliteCommand Bind(SqliteCommand cmd, SqliteTransaction tx, params object?[] values)
    {
        cmd.Transaction = tx;
        for (var i = 0; i < values.Length; i++) cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        return cmd;
    }

    private static void Exec(SqliteConnection conn, string sql)
    {
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
