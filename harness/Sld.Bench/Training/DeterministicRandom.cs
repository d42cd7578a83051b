// A small seeded random source (SplitMix64) whose sequence is fixed by this file alone, so that batching and
// input masking are reproducible across .NET versions and a resumed run can re-derive every draw from
// (seed, epoch, step) instead of saving generator state.
namespace Sld.Bench.Training;

public sealed class DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A seed for an independent stream, e.g. Derive(seed, epoch) or Derive(seed, step, microBatch).</summary>
    public static ulong Derive(ulong seed, params long[] parts)
    {
        var r = new DeterministicRandom(seed ^ 0x5851F42D4C957F2DUL);
        var h = r.NextUInt64();
        foreach (var p in parts)
        {
            r = new DeterministicRandom(h ^ (ulong)p);
            h = r.NextUInt64();
        }
        return h;
    }

    public ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be positive");
        return (int)(NextUInt64() % (ulong)n); // bias below 2^-32 for the n used here
    }

    /// <summary>Fisher-Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
