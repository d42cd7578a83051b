// A unigram language model over unit pieces, trained as SentencePiece's unigram trainer: seed with the raw
// units and the most frequent substrings (frequency x length), then alternate EM (expected piece counts by
// forward-backward over each string's segmentation lattice) with pruning of the pieces whose removal costs
// the least likelihood (each replaced by its best segmentation without it), until the vocabulary size is
// reached. Encoding is the Viterbi segmentation. Raw units are always kept, so every string can be encoded.
namespace Sld.Bench.Tokenizers;

public sealed class UnigramModel : IUnitModel
{
    private readonly int[][] _pieces;
    private readonly double[] _scores;
    private readonly PieceTrie _trie;

    public UnigramModel(int units, int[][] pieces, double[] scores)
    {
        if (pieces.Length != scores.Length) throw new ArgumentException("one score per piece");
        for (var u = 0; u < units; u++)
            if (pieces.Length <= u || pieces[u] is not [var only] || only != u)
                throw new InvalidDataException($"unigram piece {u} must be the raw unit {u}");
        Units = units;
        _pieces = pieces;
        _scores = scores;
        _trie = new PieceTrie(pieces, Enumerable.Range(0, pieces.Length));
    }

    public UnitModelKind Kind => UnitModelKind.Unigram;
    public int Units { get; }
    public int VocabularySize => _pieces.Length;
    public IReadOnlyList<double> Scores => _scores;

    public ReadOnlySpan<int> PieceUnits(int piece) => _pieces[piece];

    public int[] Encode(ReadOnlySpan<int> units)
    {
        foreach (var u in units)
            if (u < 0 || u >= Units) throw new ArgumentOutOfRangeException(nameof(units), u, $"unit outside [0, {Units})");
        return Viterbi(_trie, _scores, units, exclude: -1) ?? throw new InvalidOperationException("no segmentation (raw units missing)");
    }

    /// <summary>The best-scoring segmentation of <paramref name="s"/>, never using piece <paramref name="exclude"/> (null if none exists).</summary>
    private static int[]? Viterbi(PieceTrie trie, double[] scores, ReadOnlySpan<int> s, int exclude)
    {
        var best = new double[s.Length + 1];
        var from = new int[s.Length + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (double.IsNegativeInfinity(best[i])) continue;
            var node = 0;
            for (var j = i; j < s.Length && (node = trie.Child(node, s[j])) >= 0; j++)
            {
                var p = trie.Piece(node);
                if (p < 0 || p == exclude) continue;
                var score = best[i] + scores[p];
                if (score > best[j + 1]) (best[j + 1], from[j + 1]) = (score, p);
            }
        }
        if (double.IsNegativeInfinity(best[s.Length])) return null;
        var result = new List<int>();
        for (var end = s.Length; end > 0; end -= trie.Length(from[end])) result.Add(from[end]);
        result.Reverse();
        return [.. result];
    }

    public static UnigramModel Train(IReadOnlyList<int[]> strings, int units, int vocabularySize, int maxPieceLength, FitContext context)
    {
        var (pieces, scores) = Seed(strings, units, vocabularySize, maxPieceLength);
        var round = 0;
        while (true)
        {
            for (var iteration = 0; iteration < 2; iteration++) // SentencePiece's two EM sub-iterations per round
                (pieces, scores) = ExpectationMaximisation(strings, units, pieces, scores);
            context.Report("unigram", ++round, 0, pieces.Count);
            context.Cancellation.ThrowIfCancellationRequested();
            if (pieces.Count <= vocabularySize) break;
            (pieces, scores) = Prune(strings, units, pieces, scores, Math.Max(vocabularySize, (int)(pieces.Count * 0.75)));
        }
        return new UnigramModel(units, [.. pieces], [.. scores]);
    }

    /// <summary>Every raw unit, then the multi-unit substrings with the highest frequency x length (at least twice seen).</summary>
    private static (List<int[]> pieces, List<double> scores) Seed(IReadOnlyList<int[]> strings, int units, int vocabularySize, int maxLength)
    {
        var counts = new Dictionary<string, long>();
        var lookup = counts.GetAlternateLookup<ReadOnlySpan<char>>();
        var unitCounts = new long[units];
        foreach (var s in strings)
        {
            var chars = s.Select(u => (char)u).ToArray();
            foreach (var u in s) unitCounts[u]++;
            for (var i = 0; i < chars.Length; i++)
                for (var l = 2; l <= maxLength && i + l <= chars.Length; l++)
                {
                    var key = chars.AsSpan(i, l);
                    lookup[key] = lookup.TryGetValue(key, out var c) ? c + 1 : 1;
                }
        }
        if (units > char.MaxValue) throw new ArgumentException($"unigram training supports up to {char.MaxValue} units, got {units}");
        var seedSize = Math.Max(4 * vocabularySize, 1000);
        var seeds = counts.Where(kv => kv.Value >= 2)
            .OrderByDescending(kv => kv.Value * kv.Key.Length).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Take(seedSize).ToList();
        var pieces = Enumerable.Range(0, units).Select(u => new[] { u }).ToList();
        var freq = unitCounts.Select(c => (double)Math.Max(c, 1)).ToList();
        pieces.AddRange(seeds.Select(kv => kv.Key.Select(c => (int)c).ToArray()));
        freq.AddRange(seeds.Select(kv => (double)kv.Value));
        var logTotal = Math.Log(freq.Sum());
        return (pieces, freq.Select(f => Math.Log(f) - logTotal).ToList());
    }

    /// <summary>One EM step: expected counts by forward-backward, then log-probabilities; pieces never expected are dropped.</summary>
    private static (List<int[]>, List<double>) ExpectationMaximisation(IReadOnlyList<int[]> strings, int units, List<int[]> pieces, List<double> scores)
    {
        var trie = new PieceTrie(pieces, Enumerable.Range(0, pieces.Count));
        var s = scores.ToArray();
        var expected = new double[pieces.Count];
        foreach (var str in strings)
        {
            var n = str.Length;
            var alpha = new double[n + 1];
            var beta = new double[n + 1];
            Array.Fill(alpha, double.NegativeInfinity);
            Array.Fill(beta, double.NegativeInfinity);
            alpha[0] = 0;
            beta[n] = 0;
            for (var i = 0; i < n; i++)
                ForEachPiece(trie, str, i, (p, end) => alpha[end] = LogAdd(alpha[end], alpha[i] + s[p]));
            for (var i = n - 1; i >= 0; i--)
                ForEachPiece(trie, str, i, (p, end) => beta[i] = LogAdd(beta[i], s[p] + beta[end]));
            var z = alpha[n];
            for (var i = 0; i < n; i++)
                ForEachPiece(trie, str, i, (p, end) => expected[p] += Math.Exp(alpha[i] + s[p] + beta[end] - z));
        }
        var keep = Enumerable.Range(0, pieces.Count).Where(p => p < units || expected[p] >= 0.5).ToList();
        var counts = keep.Select(p => Math.Max(expected[p], 1e-3)).ToList(); // unseen raw units keep a tiny probability
        var logTotal = Math.Log(counts.Sum());
        return (keep.Select(p => pieces[p]).ToList(), counts.Select(c => Math.Log(c) - logTotal).ToList());
    }

    /// <summary>Keeps the <paramref name="size"/> pieces whose removal would cost the most likelihood (raw units always).</summary>
    private static (List<int[]>, List<double>) Prune(IReadOnlyList<int[]> strings, int units, List<int[]> pieces, List<double> scores, int size)
    {
        var trie = new PieceTrie(pieces, Enumerable.Range(0, pieces.Count));
        var s = scores.ToArray();
        var freq = new double[pieces.Count];
        foreach (var str in strings)
            foreach (var p in Viterbi(trie, s, str, exclude: -1)!) freq[p]++;
        var total = freq.Sum();
        var loss = new double[pieces.Count];
        for (var p = units; p < pieces.Count; p++)
        {
            if (freq[p] == 0) continue; // never used by a best segmentation: removing it costs nothing
            var alternative = Viterbi(trie, s, pieces[p], exclude: p)!;
            // As SentencePiece: the piece's occurrences are re-segmented into its alternative pieces.
            var newTotal = total + freq[p] * (alternative.Length - 1);
            var logProbPiece = Math.Log(freq[p]) - Math.Log(total);
            var logProbAlternative = alternative.Sum(a => Math.Log(freq[a] + freq[p]) - Math.Log(newTotal));
            loss[p] = freq[p] / total * (logProbPiece - logProbAlternative);
        }
        var kept = Enumerable.Range(0, units)
            .Concat(Enumerable.Range(units, pieces.Count - units).OrderByDescending(p => loss[p]).ThenBy(p => p).Take(size - units).Order())
            .ToList();
        return (kept.Select(p => pieces[p]).ToList(), kept.Select(p => scores[p]).ToList());
    }

    private static void ForEachPiece(PieceTrie trie, int[] s, int start, Action<int, int> visit)
    {
        var node = 0;
        for (var j = start; j < s.Length && (node = trie.Child(node, s[j])) >= 0; j++)
        {
            var p = trie.Piece(node);
            if (p >= 0) visit(p, j + 1);
        }
    }

    private static double LogAdd(double a, double b)
    {
        if (double.IsNegativeInfinity(a)) return b;
        if (double.IsNegativeInfinity(b)) return a;
        return a > b ? a + double.LogP1(Math.Exp(b - a)) : b + double.LogP1(Math.Exp(a - b));
    }

    /// <summary>A trie over unit sequences: node 0 is the root; each node may end a piece.</summary>
    private sealed class PieceTrie
    {
        private readonly List<Dictionary<int, int>> _children = [[]];
        private readonly List<int> _piece = [-1];
        private readonly Dictionary<int, int> _length = [];

        public PieceTrie(IReadOnlyList<int[]> pieces, IEnumerable<int> ids)
        {
            foreach (var id in ids)
            {
                var node = 0;
                foreach (var u in pieces[id])
                {
                    if (!_children[node].TryGetValue(u, out var child))
                    {
                        child = _children.Count;
                        _children[node][u] = child;
                        _children.Add([]);
                        _piece.Add(-1);
                    }
                    node = child;
                }
                _piece[node] = id;
                _length[id] = pieces[id].Length;
            }
        }

        public int Child(int node, int unit) => _children[node].TryGetValue(unit, out var c) ? c : -1;

        public int Piece(int node) => _piece[node];

        public int Length(int piece) => _length[piece];
    }
}
