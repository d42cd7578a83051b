// Minimum-cost alignment of a reference and a hypothesis token sequence, reproducing NIST sclite's choice among
// equal-cost alignments (sctk src/sclite/net_dp.c): at every cell the diagonal (correct or substitution) wins
// ties, then deletion over insertion only when strictly cheaper, and the path is traced back from the end.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sld.Bench.Shared.Scoring;

/// <summary>
/// Edit costs of the alignment. <see cref="Sclite"/> is sclite's word weighting (wwd_WORD: correct 0,
/// insertion 3, deletion 3, substitution 4); <see cref="Levenshtein"/> is the equal-cost edit distance of
/// Kaldi's compute-wer. They can disagree: for REF "a b c d e" / HYP "d e x y z" sclite reports 3 deletions and
/// 3 insertions (cost 18) where equal costs give 5 substitutions.
/// </summary>
public sealed record AlignmentCosts(string Name, int Substitution, int Insertion, int Deletion)
{
    public static AlignmentCosts Sclite { get; } = new("sclite", 4, 3, 3);

    public static AlignmentCosts Levenshtein { get; } = new("levenshtein", 1, 1, 1);

    public static AlignmentCosts Parse(string name) => name switch
    {
        "sclite" => Sclite,
        "levenshtein" => Levenshtein,
        _ => throw new ArgumentException($"unknown alignment costs '{name}' (expected sclite or levenshtein)", nameof(name)),
    };
}

/// <summary>
/// Aligns token sequences. An instance reuses its buffers between calls, so keep one per thread; the cost is
/// two rows of ints plus one byte per cell of the band for the back-pointers.
/// </summary>
/// <remarks>
/// The dynamic programme runs in a diagonal band (Ukkonen's cut-off) that widens until it provably holds every
/// optimal path: the band holds the diagonals i - j from 0 to n - m and k more on either side; a path that leaves
/// it costs at least min(ins, del) (|n - m| + 2k + 2), so a band cost below that is optimal. Every cell on an optimal path then has its exact value, and the
/// predecessors that tie at such a cell are the same as in the full matrix, so the trace-back (and with it
/// sclite's choice among equal-cost alignments) is the same as the full computation's.
/// </remarks>
public sealed class SequenceAligner
{
    private const byte Diagonal = 0, Up = 1, Left = 2;
    private const int Infinity = int.MaxValue / 4;
    private const int InitialBand = 4;

    private int[] _previous = new int[64];
    private int[] _current = new int[64];
    private byte[] _back = new byte[4096];
    private char[] _ops = new char[128];

    // The band of the last fill: back-pointer of cell (i, j) at i * _bandWidth + j - i + _bandHi.
    private int _bandHi, _bandWidth;

    public SequenceAligner() : this(AlignmentCosts.Sclite) { }

    public SequenceAligner(AlignmentCosts costs)
    {
        if (costs.Substitution <= 0 || costs.Insertion <= 0 || costs.Deletion <= 0)
            throw new ArgumentException($"alignment costs must be positive: {costs}", nameof(costs));
        Costs = costs;
    }

    public AlignmentCosts Costs { get; }

    /// <summary>The operations of the chosen alignment in order, one letter (C, S, D, I) per aligned position.</summary>
    public string AlignOps<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis) where T : IEquatable<T> =>
        AlignOps(reference, hypothesis, costBound: -1);

    /// <summary>
    /// As <see cref="AlignOps{T}(ReadOnlySpan{T}, ReadOnlySpan{T})"/>, given the cost of some alignment of the two
    /// sequences (an upper bound on the optimum), which sizes the band so that one pass suffices. A negative
    /// bound means none is known. The result does not depend on the bound.
    /// </summary>
    public string AlignOps<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis, long costBound) where T : IEquatable<T>
    {
        Align(reference, hypothesis, costBound);
        int n = reference.Length, m = hypothesis.Length;
        if (_ops.Length < n + m) _ops = new char[(n + m) * 2];
        var ops = _ops;
        var back = _back;
        var end = ops.Length;
        var at = end;
        int i = n, j = m;
        while (i > 0 || j > 0)
        {
            switch (back[i * _bandWidth + j - i + _bandHi])
            {
                case Diagonal:
                    ops[--at] = reference[i - 1].Equals(hypothesis[j - 1]) ? 'C' : 'S';
                    i--; j--;
                    break;
                case Up: ops[--at] = 'D'; i--; break;
                default: ops[--at] = 'I'; j--; break;
            }
        }
        return new string(ops, at, end - at);
    }

    /// <summary>The counts of the alignment <see cref="AlignOps{T}(ReadOnlySpan{T}, ReadOnlySpan{T}, long)"/> returns, without building it.</summary>
    public ErrorCounts AlignCounts<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis, long costBound = -1) where T : IEquatable<T>
    {
        Align(reference, hypothesis, costBound);
        int i = reference.Length, j = hypothesis.Length;
        int c = 0, s = 0, d = 0, ins = 0;
        var back = _back;
        while (i > 0 || j > 0)
        {
            switch (back[i * _bandWidth + j - i + _bandHi])
            {
                case Diagonal:
                    if (reference[i - 1].Equals(hypothesis[j - 1])) c++;
                    else s++;
                    i--; j--;
                    break;
                case Up: d++; i--; break;
                default: ins++; j--; break;
            }
        }
        return new ErrorCounts(c, s, d, ins);
    }

    /// <summary>Fills the back-pointers of the chosen alignment, widening the band until it is provably exact.</summary>
    private void Align<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis, long costBound) where T : IEquatable<T>
    {
        int n = reference.Length, m = hypothesis.Length;
        if (_previous.Length < m + 2) { _previous = new int[(m + 1) * 2]; _current = new int[(m + 1) * 2]; }
        var diff = n - m;
        var minIndel = Math.Min(Costs.Insertion, Costs.Deletion);
        // The smallest k with minIndel (|n - m| + 2k + 2) > costBound: every path outside that band costs more.
        var start = costBound < 0 ? InitialBand : (int)Math.Clamp((costBound / minIndel - Math.Abs(diff) - 2) / 2 + 1, 0, n + m);
        for (var k = start; ; k = Math.Max(4 * k, InitialBand))
        {
            int lo = Math.Min(0, diff) - k, hi = Math.Max(0, diff) + k;
            var cost = Fill(reference, hypothesis, lo, hi);
            if ((lo <= -m && hi >= n) || cost < (long)minIndel * (Math.Abs(diff) + 2L * k + 2)) return;
        }
    }

    /// <summary>
    /// Fills the cost rows and back-pointers for the cells with lo &lt;= i - j &lt;= hi (cells outside count as
    /// infinitely expensive) and returns the cost of the whole alignment.
    /// </summary>
    // Optimised at first call: a one-shot `sldbench score` spends most of its time here before tiering would kick in.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Fill<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis, int lo, int hi) where T : IEquatable<T>
    {
        int n = reference.Length, m = hypothesis.Length;
        (lo, hi) = (Math.Max(lo, -m), Math.Min(hi, n));
        var bandWidth = hi - lo + 1;
        var cells = (long)(n + 1) * bandWidth;
        if (cells > Array.MaxLength) throw new ArgumentException($"sequences of {n} and {m} tokens are too different to align");
        if (_back.Length < cells) _back = new byte[Math.Min(Array.MaxLength, cells * 2)];
        (_bandHi, _bandWidth) = (hi, bandWidth);
        int sub = Costs.Substitution, ins = Costs.Insertion, del = Costs.Deletion;
        var previous = _previous;
        var current = _current;
        var back = _back;

        var last = Math.Min(m, -lo);
        previous[0] = 0;
        for (var b = 1; b <= last; b++) { previous[b] = previous[b - 1] + ins; back[b + hi] = Left; }
        previous[last + 1] = Infinity;
        for (var a = 1; a <= n; a++)
        {
            int first = Math.Max(0, a - hi), row = a * bandWidth + hi - a;
            last = Math.Min(m, a - lo);
            var b = first;
            if (first == 0) { current[0] = previous[0] + del; back[row] = Up; b = 1; }
            else current[first - 1] = Infinity;
            var r = reference[a - 1];
            // The hot loop of all scoring: references instead of indexed arrays, since every index here lies in
            // [first - 1, last + 1] of arrays sized m + 2, and row + b in this row's band of back-pointers.
            ref var prev = ref MemoryMarshal.GetArrayDataReference(previous);
            ref var cur = ref MemoryMarshal.GetArrayDataReference(current);
            ref var hyp = ref MemoryMarshal.GetReference(hypothesis);
            ref var move = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(back), row);
            var left = Unsafe.Add(ref cur, b - 1);
            var diagonalBase = Unsafe.Add(ref prev, b - 1);
            for (; b <= last; b++)
            {
                var upBase = Unsafe.Add(ref prev, b);
                var diagonal = diagonalBase + (r.Equals(Unsafe.Add(ref hyp, b - 1)) ? 0 : sub);
                var up = upBase + del;
                left += ins;
                byte choice;
                if (diagonal <= up && diagonal <= left) { left = diagonal; choice = Diagonal; }
                else if (up < left) { left = up; choice = Up; }
                else choice = Left;
                Unsafe.Add(ref move, b) = choice;
                Unsafe.Add(ref cur, b) = left;
                diagonalBase = upBase;
            }
            current[last + 1] = Infinity;
            (previous, current) = (current, previous);
        }
        (_previous, _current) = (previous, current);
        return previous[m];
    }

    /// <summary>Aligns two token lists and returns the alignment with its words and counts.</summary>
    public TokenAlignment Align(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        var r = reference as string[] ?? [.. reference];
        var h = hypothesis as string[] ?? [.. hypothesis];
        return new TokenAlignment(r, h, AlignOps<string>(r, h));
    }
}
