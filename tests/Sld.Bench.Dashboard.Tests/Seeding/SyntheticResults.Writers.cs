// The two ways the synthetic results reach a store: through the ResultsStore API exactly as the executor
// writes them (claims, metrics, provenance, tokenizer artifact, evaluations, final status), for tests; and
// with prepared SQL in large SQLite transactions after an API plan, for the 10,000-run benchmark store.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sld.Bench.Shared.Config;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests.Seeding;

public static partial class SyntheticResults
{
    private static readonly string[] MetricNames = ["loss", "loss/ce", "loss/kd", "lr", "grad_norm", "dev_wer"];

    public static async Task WriteThroughStoreAsync(string database, IReadOnlyList<SyntheticSweep> sweeps, string workDir, CancellationToken ct = default)
    {
        await using var store = await ResultsStore.OpenAsync(database, ct: ct);
        var tokenizerHash = await WriteTokenizerAsync(store, ct);
        foreach (var sweep in sweeps)
        {
            var plan = Plan(sweep, workDir);
            var planned = await store.UpsertPlanAsync(plan, ct);
            var claimCount = plan.Cells.Count - sweep.Pending;
            var claims = new List<RunClaim>();
            for (var i = 0; i < claimCount; i++)
                if (await store.ClaimNextAsync(planned.SweepId, ct: ct) is { } claim) claims.Add(claim);
            for (var i = 0; i < claims.Count; i++)
            {
                var claim = claims[i];
                var cell = plan.FindCell(claim.ConfigHash)!;
                var axes = cell.Assignments.ToDictionary(a => a.Axis, a => a.Display);
                var fromEnd = claims.Count - i;
                await store.RecordMetricsAsync(claim.RunId, Curves(axes, cell.Seed ?? 0, sweep.MetricPoints), ct);
                await store.RecordProvenanceAsync(claim, Provenance(axes, tokenizerHash), ct);
                if (fromEnd <= sweep.Running) continue;
                if (fromEnd <= sweep.Running + sweep.Failed)
                {
                    await store.MarkFailedAsync(claim, "CUDA out of memory while decoding test-other (batch 12)\n  at Sld.Bench.Decoding.Greedy...", ct);
                    continue;
                }
                if (fromEnd <= sweep.Running + sweep.Failed + sweep.Diverged)
                {
                    await store.MarkDivergedAsync(claim, 420, "loss became NaN at step 420", ct);
                    continue;
                }
                foreach (var testSet in sweep.TestSets)
                {
                    var (evaluation, utterances) = Evaluate(testSet, sweep.Utterances, axes, cell.Seed ?? 0);
                    await store.RecordEvaluationAsync(claim.RunId, evaluation, utterances, ct);
                }
                await store.MarkDoneAsync(claim, ct);
            }
        }
    }

    private static async Task<string> WriteTokenizerAsync(ResultsStore store, CancellationToken ct)
    {
        var spec = new ArtifactSpec("tok-kmeans-500-l6", "tokenizer", "kmeans", """{"k":500,"layer":6,"feature":"hubert-base"}""",
            """{"feature":"hubert-base","layer":6,"k":500,"fit_data":"librispeech-100 (10 h subset)","dedup":true}""");
        var claim = await store.ClaimArtifactAsync(spec, ct: ct);
        if (claim.Outcome == ArtifactClaimOutcome.Acquired)
            await store.CompleteArtifactAsync(spec.Hash, claim.Token!, "artifacts/tokenizers/tok-kmeans-500-l6",
                """{"frame_rate_hz":50,"codebooks":1,"codebook_size":500,"bitrate_kbps":0.448,"dedup_ratio":0.71,"codebook_usage":0.962,"perplexity":311.4}""", ct: ct);
        return spec.Hash;
    }

    public static IReadOnlyList<MetricPoint> Curves(IReadOnlyDictionary<string, string> axes, long seed, int points)
    {
        var rng = new Random(StableHash("curve" + seed + string.Join(",", axes.Values)));
        var final = ErrorRate(axes, seed, "dev");
        var result = new List<MetricPoint>(points * MetricNames.Length);
        for (var p = 1; p <= points; p++)
        {
            var step = p * 50L;
            var progress = (double)p / points;
            var ce = 1.2 + 4.0 * Math.Exp(-5 * progress) + 0.08 * rng.NextDouble();
            var kd = 0.4 + 1.5 * Math.Exp(-4 * progress) + 0.05 * rng.NextDouble();
            result.Add(new(step, "loss", ce + 0.5 * kd));
            result.Add(new(step, "loss/ce", ce));
            result.Add(new(step, "loss/kd", kd));
            result.Add(new(step, "lr", 0.001 * Math.Min(1, progress * 5) * (progress < 0.2 ? 1 : 1 - 0.8 * (progress - 0.2) / 0.8)));
            result.Add(new(step, "grad_norm", 0.6 + 2.5 * Math.Exp(-3 * progress) + 0.4 * rng.NextDouble()));
            if (p % 4 == 0 || p == points) result.Add(new(step, "dev_wer", final * (1 + 1.8 * Math.Exp(-4 * progress))));
        }
        return result;
    }

    private static RunProvenance Provenance(IReadOnlyDictionary<string, string> axes, string tokenizerHash)
    {
        var layers = axes.TryGetValue("model.layers", out var l) ? int.Parse(l, CultureInfo.InvariantCulture) : 2;
        return new RunProvenance("3f2c1ab9e0d4", "gpu-node-07", "cuda:0 (NVIDIA A100-SXM4-40GB)", "2.5.1+cu121", 1_200_000L + layers * 790_000L,
            new Dictionary<string, double> { ["tokenize"] = 12.5, ["train"] = 1830 + 160 * layers, ["decode"] = 95.2 }, "sha256:9d41c0e2", tokenizerHash);
    }

    public static (EvaluationRecord Evaluation, List<UtteranceRecord> Utterances) Evaluate(string testSet, int count, IReadOnlyDictionary<string, string> axes, long seed)
    {
        var rate = ErrorRate(axes, seed, testSet);
        var rng = new Random(StableHash($"{testSet}/{seed}/{string.Join(",", axes.Values)}"));
        var utterances = new List<UtteranceRecord>(count);
        long c = 0, s = 0, d = 0, ins = 0, chars = 0;
        var sentenceErrors = 0;
        foreach (var (id, speaker, words, duration) in TestSet(testSet, count))
        {
            var (hyp, ops) = Decode(words, rate, rng);
            int uc = ops.Count(o => o == 'C'), us = ops.Count(o => o == 'S'), ud = ops.Count(o => o == 'D'), ui = ops.Count(o => o == 'I');
            c += uc; s += us; d += ud; ins += ui;
            if (us + ud + ui > 0) sentenceErrors++;
            var reference = string.Join(' ', words);
            chars += reference.Length;
            utterances.Add(new UtteranceRecord(id, speaker, duration, reference, hyp, uc, us, ud, ui, ops));
        }
        var charErrors = (long)Math.Round(rate * 0.42 * chars);
        var evaluation = new EvaluationRecord(testSet, c, s, d, ins, chars - charErrors, charErrors * 6 / 10, charErrors * 3 / 10, charErrors / 10,
            count, sentenceErrors, "lowercase, no punctuation (librispeech v1)", """{"decoder":"greedy","max_len_ratio":1.5}""", 1000);
        return (evaluation, utterances);
    }
}
