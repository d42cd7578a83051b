// Byte-pair encoding over unit strings: training repeatedly merges the most frequent adjacent pair of pieces
// (ties broken by the smaller pair, so it is deterministic), with incremental pair counts, occurrence lists and
// a lazily updated max-heap, so a merge costs its occurrences rather than a pass over the corpus. Encoding
// applies the learned merges in rank order.
namespace Sld.Bench.Tokenizers;

public sealed class BpeModel : IUnitModel
{
    private readonly Dictionary<(int, int), int> _rank = [];
    private readonly int[][] _pieces;

    /// <param name="merges">Merge r joins pieces (left, right) into piece units + r.</param>
    public BpeModel(int units, (int left, int right)[] merges)
    {
        Units = units;
        Merges = merges;
        _pieces = new int[units + merges.Length][];
        for (var u = 0; u < units; u++) _pieces[u] = [u];
        for (var r = 0; r < merges.Length; r++)
        {
            var (a, b) = merges[r];
            if (a < 0 || b < 0 || a >= units + r || b >= units + r) throw new InvalidDataException($"BPE merge {r} ({a}, {b}) names a piece not yet made");
            _pieces[units + r] = [.. _pieces[a], .. _pieces[b]];
            _rank[(a, b)] = r;
        }
    }

    public UnitModelKind Kind => UnitModelKind.Bpe;
    public int Units { get; }
    public IReadOnlyList<(int left, int right)> Merges { get; }
    public int VocabularySize => _pieces.Length;

    public ReadOnlySpan<int> PieceUnits(int piece) => _pieces[piece];

    public int[] Encode(ReadOnlySpan<int> units)
    {
        var seq = units.ToArray().ToList();
        foreach (var u in seq)
            if (u < 0 || u >= Units) throw new ArgumentOutOfRangeException(nameof(units), u, $"unit outside [0, {Units})");
        while (seq.Count > 1)
        {
            var best = int.MaxValue;
            for (var i = 0; i + 1 < seq.Count; i++)
                if (_rank.TryGetValue((seq[i], seq[i + 1]), out var r) && r < best) best = r;
            if (best == int.MaxValue) break;
            var (a, b) = Merges[best];
            var merged = new List<int>(seq.Count);
            for (var i = 0; i < seq.Count; i++)
            {
                if (i + 1 < seq.Count && seq[i] == a && seq[i + 1] == b)
                {
                    merged.Add(Units + best);
                    i++;
                }
                else merged.Add(seq[i]);
            }
            seq = merged;
        }
        return [.. seq];
    }

    /// <summary>Learns merges until the vocabulary (units included) reaches <paramref name="vocabularySize"/> or no pair repeats.</summary>
    public static BpeModel Train(IReadOnlyList<int[]> strings, int units, int vocabularySize, int maxPieceLength, FitContext context)
    {
        var total = strings.Sum(s => s.Length);
        var sym = new int[total];
        var next = new int[total];
        var prev = new int[total];
        var position = 0;
        foreach (var s in strings)
        {
            for (var i = 0; i < s.Length; i++, position++)
            {
                if (s[i] < 0 || s[i] >= units) throw new ArgumentOutOfRangeException(nameof(strings), s[i], $"unit outside [0, {units})");
                sym[position] = s[i];
                prev[position] = i == 0 ? -1 : position - 1;
                next[position] = i == s.Length - 1 ? -1 : position + 1;
            }
        }
        var length = new List<int>(Enumerable.Repeat(1, units));
        var counts = new Dictionary<(int, int), long>();
        var occurrences = new Dictionary<(int, int), List<int>>();
        // Max-heap by count, then the smaller pair: PriorityQueue is a min-heap, so the priority is (-count, pair).
        var heap = new PriorityQueue<(int, int), (long, int, int)>();

        void Add(int at, long delta)
        {
            var pair = (sym[at], sym[next[at]]);
            if (length[pair.Item1] + length[pair.Item2] > maxPieceLength) return;
            var c = counts.GetValueOrDefault(pair) + delta;
            counts[pair] = c;
            if (delta <= 0) return;
            if (!occurrences.TryGetValue(pair, out var list)) occurrences[pair] = list = [];
            list.Add(at);
            heap.Enqueue(pair, (-c, pair.Item1, pair.Item2));
        }

        for (var p = 0; p < total; p++)
            if (next[p] >= 0) Add(p, 1);

        var merges = new List<(int, int)>();
        var target = vocabularySize - units;
        while (merges.Count < target && heap.TryDequeue(out var pair, out var priority))
        {
            var count = counts.GetValueOrDefault(pair);
            if (count != -priority.Item1)
            {
                if (count > 1) heap.Enqueue(pair, (-count, pair.Item1, pair.Item2)); // stale entry: requeue at its true count
                continue;
            }
            if (count < 2) break; // nothing repeats any more
            var z = units + merges.Count;
            merges.Add(pair);
            length.Add(length[pair.Item1] + length[pair.Item2]);
            var (a, b) = pair;
            var at = occurrences[pair];
            at.Sort();
            foreach (var p in at)
            {
                var q = next[p];
                if (sym[p] != a || q < 0 || sym[q] != b) continue; // merged away or changed since
                var left = prev[p];
                var right = next[q];
                if (left >= 0) Add(left, -1);
                if (right >= 0) Add(q, -1);
                sym[p] = z;
                next[p] = right;
                if (right >= 0) prev[right] = p;
                sym[q] = -1;
                if (left >= 0) Add(left, 1);
                if (right >= 0) Add(p, 1);
            }
            counts.Remove(pair);
            occurrences.Remove(pair);
            context.Report("bpe", merges.Count, target, count);
            context.Cancellation.ThrowIfCancellationRequested();
        }
        return new BpeModel(units, [.. merges]);
    }
}
