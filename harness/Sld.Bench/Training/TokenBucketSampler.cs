// Length-bucketed batching by total tokens: utterances of similar length share a batch whose padded size
// (rows x longest sequence) stays within a token budget. The order is a pure function of (seed, epoch), so a
// resumed run re-creates the same batches from its saved (epoch, cursor) position.
namespace Sld.Bench.Training;

public sealed class TokenBucketSampler
{
    private readonly int[] _lengths;
    private readonly int _maxTokens;
    private readonly int _maxBatchSize;
    private readonly ulong _seed;
    private readonly bool _shuffle;

    /// <param name="lengths">Sequence length of each utterance (speech prefix + text + specials).</param>
    /// <param name="maxTokens">Budget for rows x longest length; an utterance longer than it gets a batch of its own.</param>
    /// <param name="shuffle">Shuffle within equal lengths and the batch order per epoch; false gives a fixed order (evaluation).</param>
    public TokenBucketSampler(IReadOnlyList<int> lengths, int maxTokens, ulong seed, bool shuffle = true, int maxBatchSize = int.MaxValue)
    {
        if (lengths.Count == 0) throw new ArgumentException("no utterances to batch");
        if (maxTokens < 1 || maxBatchSize < 1) throw new ArgumentException("the token budget and batch size must be positive");
        _lengths = [.. lengths];
        _maxTokens = maxTokens;
        _maxBatchSize = maxBatchSize;
        _seed = seed;
        _shuffle = shuffle;
    }

    /// <summary>The batches (utterance indices) of one epoch.</summary>
    public IReadOnlyList<int[]> Epoch(long epoch)
    {
        var random = new DeterministicRandom(DeterministicRandom.Derive(_seed, epoch));
        var order = Enumerable.Range(0, _lengths.Length).ToArray();
        if (_shuffle) random.Shuffle(order);
        var sorted = order.OrderBy(i => _lengths[i]).ToArray(); // stable: equal lengths keep the shuffled order
        var batches = new List<int[]>();
        var current = new List<int>();
        var longest = 0;
        foreach (var i in sorted)
        {
            var grown = Math.Max(longest, _lengths[i]);
            if (current.Count > 0 && ((long)(current.Count + 1) * grown > _maxTokens || current.Count >= _maxBatchSize))
            {
                batches.Add([.. current]);
                current.Clear();
                grown = _lengths[i];
            }
            current.Add(i);
            longest = grown;
        }
        if (current.Count > 0) batches.Add([.. current]);
        if (_shuffle) random.Shuffle(batches);
        return batches;
    }
}
