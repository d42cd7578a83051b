// Batched beam search over an incremental model. Each utterance keeps BeamSize live hypotheses; each step ranks
// the top (BeamSize + 1) continuations of every live one by summed log-probability, moves a <text_end>
// continuation ranked within the first BeamSize to the finished pool, and stops once BeamSize hypotheses have
// finished (early stopping as in the SLD code's generate call) or the length limit is reached.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Decoding;

internal static class BeamSearch
{
    private sealed record Live(int[] Tokens, double Sum, int Row);

    private sealed record Finished(int[] Tokens, double Sum, EndReason End, double Rank);

    public static Hypothesis[] DecodeBatch(IIncrementalModel model, IReadOnlyList<AsrUtterance> batch, DecodeOptions options)
    {
        var vocab = model.Vocabulary;
        var beam = options.BeamSize;
        var N = batch.Count;
        var maxNew = batch.Select(u => options.MaxNewTokens(u.Speech.Frames)).ToArray();
        var live = Enumerable.Range(0, N).Select(i => new List<Live> { new([], 0, i) }).ToArray();
        var finished = Enumerable.Range(0, N).Select(_ => new List<Finished>()).ToArray();
        var done = new bool[N];
        double Rank(double sum, int length) => sum / Math.Pow(length, options.LengthPenalty);

        using var session = model.Open(batch.Select(u => u.Speech).ToList());
        using var scope = torch.NewDisposeScope();
        var logits = session.Start();
        using var disallowed = AsrDecoder.Disallowed(vocab, logits.device).DetachFromDisposeScope();
        var k = Math.Min(beam + 1, vocab.TextUnitCount + 1);
        while (true)
        {
            using var step = torch.NewDisposeScope();
            var (values, indices) = AsrDecoder.LogProbs(logits, disallowed).topk(k, -1);
            var lp = values.to(ScalarType.Float64).cpu().ToArray<double>(); // (Rows, k)
            var ids = indices.cpu().ToArray<long>();
            var rows = new List<long>();
            var feed = new List<long>();
            for (var i = 0; i < N; i++)
            {
                if (done[i]) continue;
                var candidates = live[i]
                    .SelectMany(h => Enumerable.Range(0, k).Select(j => (h, token: (int)ids[h.Row * k + j], sum: h.Sum + lp[h.Row * k + j])))
                    .Where(c => !double.IsNegativeInfinity(c.sum))
                    .OrderByDescending(c => c.sum) // stable: ties keep the parent's rank, then the token's
                    .ToList();
                var next = new List<(Live parent, int token, double sum)>();
                for (var rank = 0; rank < candidates.Count && next.Count < beam; rank++)
                {
                    var c = candidates[rank];
                    if (c.token != AsrVocabulary.TextEnd) next.Add(c);
                    else if (rank < beam) finished[i].Add(new Finished(c.h.Tokens, c.sum, EndReason.TextEnd, Rank(c.sum, c.h.Tokens.Length + 1)));
                }
                if (finished[i].Count >= beam || next.Count == 0)
                {
                    done[i] = true;
                    continue;
                }
                var length = next[0].parent.Tokens.Length + 1;
                var cut = length >= maxNew[i] ? EndReason.MaxNewTokens
                    : session.NextPositions[next[0].parent.Row] >= model.BlockSize ? EndReason.BlockSize
                    : (EndReason?)null;
                if (cut is { } reason)
                {
                    foreach (var c in next) finished[i].Add(new Finished([.. c.parent.Tokens, c.token], c.sum, reason, Rank(c.sum, length)));
                    done[i] = true;
                    continue;
                }
                live[i] = next.Select(c =>
                {
                    rows.Add(c.parent.Row);
                    feed.Add(c.token);
                    return new Live([.. c.parent.Tokens, c.token], c.sum, rows.Count - 1);
                }).ToList();
            }
            if (rows.Count == 0) break;
            session.Reorder([.. rows]);
            var nextLogits = session.Step([.. feed]).MoveToOuterDisposeScope();
            logits.Dispose();
            logits = nextLogits;
        }

        return Enumerable.Range(0, N).Select(i =>
        {
            // Hypotheses that ended with <text_end> win over cut-off ones; among them the best length-penalised rank.
            var best = finished[i].OrderBy(f => f.End == EndReason.TextEnd ? 0 : 1).ThenByDescending(f => f.Rank).First();
            return new Hypothesis(batch[i].Id, vocab.DecodeText(best.Tokens), best.Tokens, best.Sum, best.End, maxNew[i]);
        }).ToArray();
    }
}
