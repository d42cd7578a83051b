// Minimum-cost alignment of a reference and a hypothesis token sequence, reproducing NIST sclite's choice among
// equal-cost alignments (sctk src/sclite/net_dp.c): at every cell the diagonal (correct or substitution) wins
// ties, then deletion over insertion only when strictly cheaper, and the path is traced back from the end.
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
/// two rows of ints plus one byte per cell for the back-pointers.
/// </summary>
public sealed class SequenceAligner(AlignmentCosts costs)
{
    private const byte Diagonal = 0, Up = 1, Left = 2;

    private int[] _previous = new int[64];
    private int[] _current = new int[64];
    private byte[] _back = new byte[4096];
    private char[] _ops = new char[128];

    public SequenceAligner() : this(AlignmentCosts.Sclite) { }

    public AlignmentCosts Costs { get; } = costs;

    /// <summary>The operations of the chosen alignment in order, one letter (C, S, D, I) per aligned position.</summary>
    public string AlignOps<T>(ReadOnlySpan<T> reference, ReadOnlySpan<T> hypothesis) where T : IEquatable<T>
    {
        int n = reference.Length, m = hypothesis.Length, width = m + 1;
        long cells = (long)(n + 1) * width;
        if (cells > Array.MaxLength) throw new ArgumentException($"sequences of {n} and {m} tokens are too long to align");
        if (_previous.Length < width) { _previous = new int[width * 2]; _current = new int[width * 2]; }
        if (_back.Length < cells) _back = new byte[Math.Min(Array.MaxLength, cells * 2)];
        int sub = Costs.Substitution, ins = Costs.Insertion, del = Costs.Deletion;
        var previous = _previous;
        var current = _current;
        var back = _back;

        previous[0] = 0;
        for (var b = 1; b <= m; b++) { previous[b] = previous[b - 1] + ins; back[b] = Left; }
        for (var a = 1; a <= n; a++)
        {
            var row = a * width;
            current[0] = previous[0] + del;
            back[row] = Up;
            var r = reference[a - 1];
            for (var b = 1; b <= m; b++)
            {
                var diagonal = previous[b - 1] + (r.Equals(hypothesis[b - 1]) ? 0 : sub);
                var up = previous[b] + del;
                var left = current[b - 1] + ins;
                if (diagonal <= up && diagonal <= left) { current[b] = diagonal; back[row + b] = Diagonal; }
                else if (up < left) { current[b] = up; back[row + b] = Up; }
                else { current[b] = left; back[row + b] = Left; }
            }
            (previous, current) = (current, previous);
        }

        if (_ops.Length < n + m) _ops = new char[(n + m) * 2];
        var ops = _ops;
        var end = ops.Length;
        var at = end;
        int i = n, j = m;
        while (i > 0 || j > 0)
        {
            switch (back[i * width + j])
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

    /// <summary>Aligns two token lists and returns the alignment with its words and counts.</summary>
    public TokenAlignment Align(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis)
    {
        var r = reference as string[] ?? [.. reference];
        var h = hypothesis as string[] ?? [.. hypothesis];
        return new TokenAlignment(r, h, AlignOps<string>(r, h));
    }
}
