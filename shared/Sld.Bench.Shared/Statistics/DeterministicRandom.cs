// The random numbers of the bootstrap: xoshiro256** seeded through SplitMix64, and unbiased bounded integers
// by Lemire's multiply-and-reject. Written out here so a seed gives the same resamples on every machine and
// .NET version (System.Random's algorithm is an implementation detail).
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

    public ulong NextUInt64()
    {
        var result = RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

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

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));
}
