// One aligned reference/hypothesis pair: the tokens, the operation string ("CCSDI") and the pairs it implies.
// The operation string plus the two token lists is the lossless, compact form the store keeps per utterance.
namespace Sld.Bench.Shared.Scoring;

/// <summary>One aligned position: a reference token (null for an insertion) and a hypothesis token (null for a deletion).</summary>
public readonly record struct AlignedPair(string? Reference, string? Hypothesis, EditOp Op);

public sealed class TokenAlignment
{
    public TokenAlignment(IReadOnlyList<string> reference, IReadOnlyList<string> hypothesis, string ops)
    {
        Reference = reference;
        Hypothesis = hypothesis;
        Ops = ops;
        Counts = ErrorCounts.FromOps(ops);
        if (Counts.ReferenceLength != reference.Count || Counts.HypothesisLength != hypothesis.Count)
            throw new ArgumentException(
                $"operations '{ops}' consume {Counts.ReferenceLength} reference and {Counts.HypothesisLength} hypothesis " +
                $"tokens, but there are {reference.Count} and {hypothesis.Count}", nameof(ops));
        var (r, h) = (0, 0);
        foreach (var op in ops)
        {
            if (op == 'C' && !string.Equals(reference[r], hypothesis[h], StringComparison.Ordinal))
                throw new ArgumentException($"operation {r + h} is C but '{reference[r]}' != '{hypothesis[h]}'", nameof(ops));
            if (op == 'S' && string.Equals(reference[r], hypothesis[h], StringComparison.Ordinal))
                throw new ArgumentException($"operation {r + h} is S but both tokens are '{reference[r]}'", nameof(ops));
            if (op != 'I') r++;
            if (op != 'D') h++;
        }
    }

    public IReadOnlyList<string> Reference { get; }

    public IReadOnlyList<string> Hypothesis { get; }

    /// <summary>One letter per aligned position: C, S, D or I.</summary>
    public string Ops { get; }

    public ErrorCounts Counts { get; }

    public IEnumerable<AlignedPair> Pairs()
    {
        var (r, h) = (0, 0);
        foreach (var op in Ops)
        {
            switch (op)
            {
                case 'C': yield return new(Reference[r++], Hypothesis[h++], EditOp.Correct); break;
                case 'S': yield return new(Reference[r++], Hypothesis[h++], EditOp.Substitution); break;
                case 'D': yield return new(Reference[r++], null, EditOp.Deletion); break;
                default: yield return new(null, Hypothesis[h++], EditOp.Insertion); break;
            }
        }
    }
}
