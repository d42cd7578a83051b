// The one seeded random source of the harness's fits and statistics (k-means, the codec, fit-data sampling,
// the paired bootstrap): xoshiro256** seeded through SplitMix64. Unlike System.Random its sequence is fixed by
// this file rather than by a runtime version, and its whole state is four integers, so a fit can store it in a
// checkpoint and resume the exact same sequence.
namespace Sld.Bench.Shared.Statistics;

public sealed class DeterministicRandom
{
    private ulong _s0, _s1, _s2, _s3;

    public DeterministicRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private DeterministicRandom(ulong[] state) => (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);

    /// <summary>The generator state, for a checkpoint; <see cref="FromState"/> continues the same sequence.</summary>
    public ulong[] State => [_s0, _s1, _s2, _s3];

    public static DeterministicRandom FromState(IReadOnlyList<ulong> state)
    {
        if (state.Count != 4 || state.All(s => s == 0)) throw new ArgumentException("a xoshiro256** state is four integers, not all zero");
        return new DeterministicRandom([.. state]);
    }

    /// <summary>A seed for a sub-stream (one per purpose), so adding draws in one place does not shift another.</summary>
    public static ulong Derive(ulong seed, string purpose)
    {
        var h = seed ^ 0x9E3779B97F4A7C15UL;
        foreach (var c in purpose) h = (h ^ c) * 0x100000001B3UL;
        return SplitMix(ref h);
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>).</summary>
    public int NextInt(int bound)
    {
        if (bound <= 0) throw new ArgumentOutOfRangeException(nameof(bound), bound, "the bound must be positive");
        var range = (uint)bound;
        var m = (ulong)(uint)(NextUInt64() >> 32) * range;
        if ((uint)m < range)
        {
            var threshold = (uint)-range % range;
            while ((uint)m < threshold) m = (ulong)(uint)(NextUInt64() >> 32) * range;
        }
        return (int)(m >> 32);
    }

    /// <summary>Uniform integer in [0, n) without modulo bias (Lemire's method).</summary>
    public long NextLong(long n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        var range = (ulong)n;
        var threshold = (0 - range) % range;
        while (true)
        {
            var product = Math.BigMul(NextUInt64(), range, out var low);
            if (low >= threshold) return (long)product;
        }
    }

    /// <summary>Standard normal (Box-Muller, one value per two uniforms).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>k distinct indices from [0, n) in random order (partial Fisher-Yates over a sparse map).</summary>
    public long[] SampleWithoutReplacement(long n, long k)
    {
        if (k < 0 || k > n) throw new ArgumentOutOfRangeException(nameof(k), k, $"cannot draw {k} of {n} without replacement");
        var swapped = new Dictionary<long, long>();
        var result = new long[k];
        for (long i = 0; i < k; i++)
        {
            var j = i + NextLong(n - i);
            var vj = swapped.GetValueOrDefault(j, j);
            swapped[j] = swapped.GetValueOrDefault(i, i);
            result[i] = vj;
        }
        return result;
    }
}
