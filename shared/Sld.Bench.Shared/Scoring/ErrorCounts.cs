// The vocabulary of a scored alignment: the four edit operations and the C/S/D/I counts that every WER, CER
// and sclite column is computed from. Rates always come from summed counts, (S+D+I)/N, never from a mean of
// per-utterance rates.
namespace Sld.Bench.Shared.Scoring;

/// <summary>What happened to one aligned position. The letters are sclite's.</summary>
public enum EditOp : byte
{
    Correct = (byte)'C',
    Substitution = (byte)'S',
    Deletion = (byte)'D',
    Insertion = (byte)'I',
}

/// <summary>Correct, substituted, deleted and inserted units of one utterance or a sum of utterances.</summary>
public readonly record struct ErrorCounts(int Correct, int Substitutions, int Deletions, int Insertions)
{
    /// <summary>Reference units, N = C + S + D.</summary>
    public int ReferenceLength => Correct + Substitutions + Deletions;

    /// <summary>Hypothesis units, C + S + I.</summary>
    public int HypothesisLength => Correct + Substitutions + Insertions;

    public int Errors => Substitutions + Deletions + Insertions;

    /// <summary>(S + D + I) / N in percent; null when there is no reference unit (the rate is undefined).</summary>
    public double? ErrorRate => ReferenceLength == 0 ? null : 100.0 * Errors / ReferenceLength;

    /// <summary>Percent of <paramref name="count"/> over N, 0 when N is 0 (sclite's convention for the columns).</summary>
    public double Percent(int count) => ReferenceLength == 0 ? 0.0 : 100.0 * count / ReferenceLength;

    public static ErrorCounts operator +(ErrorCounts a, ErrorCounts b) => new(
        a.Correct + b.Correct, a.Substitutions + b.Substitutions, a.Deletions + b.Deletions, a.Insertions + b.Insertions);

    public static ErrorCounts Sum(IEnumerable<ErrorCounts> counts)
    {
        var total = default(ErrorCounts);
        foreach (var c in counts) total += c;
        return total;
    }

    /// <summary>Counts the operations of an ops string such as "CCSDI".</summary>
    public static ErrorCounts FromOps(ReadOnlySpan<char> ops)
    {
        int c = 0, s = 0, d = 0, i = 0;
        foreach (var op in ops)
        {
            switch (op)
            {
                case 'C': c++; break;
                case 'S': s++; break;
                case 'D': d++; break;
                case 'I': i++; break;
                default: throw new FormatException($"'{op}' is not an edit operation (expected C, S, D or I)");
            }
        }
        return new ErrorCounts(c, s, d, i);
    }
}
