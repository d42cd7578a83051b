// Test signals with known content: sines, chirps, seeded noise, and the measurements the audio and feature
// tests make on them (RMS level, the frequency of a tone from its zero crossings).
namespace Sld.Bench.Tests.Audio;

public static class Signals
{
    public static float[] Sine(double frequency, int sampleRate, double seconds, double amplitude = 0.5)
    {
        var n = (int)Math.Round(seconds * sampleRate);
        var x = new float[n];
        for (var i = 0; i < n; i++) x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate));
        return x;
    }

    /// <summary>A linear sweep from f0 to f1 Hz.</summary>
    public static float[] Chirp(double f0, double f1, int sampleRate, double seconds, double amplitude = 0.5)
    {
        var n = (int)Math.Round(seconds * sampleRate);
        var x = new float[n];
        var k = (f1 - f0) / seconds;
        for (var i = 0; i < n; i++)
        {
            var t = (double)i / sampleRate;
            x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * (f0 * t + 0.5 * k * t * t)));
        }
        return x;
    }

    /// <summary>Uniform white noise in [-amplitude, amplitude] from a seed.</summary>
    public static float[] Noise(int samples, int seed, double amplitude = 0.3)
    {
        var rng = new Random(seed);
        var x = new float[samples];
        for (var i = 0; i < samples; i++) x[i] = (float)((rng.NextDouble() * 2 - 1) * amplitude);
        return x;
    }

    /// <summary>Values on the 16-bit grid (k / 32768), so a 16-bit file stores them exactly.</summary>
    public static float[] Quantize16(float[] x) => x.Select(v => (float)(Math.Round(v * 32768.0) / 32768.0)).ToArray();

    public static double Rms(ReadOnlySpan<float> x)
    {
        var sum = 0.0;
        foreach (var v in x) sum += (double)v * v;
        return Math.Sqrt(sum / x.Length);
    }

    /// <summary>The frequency of a steady tone from the interpolated positions of its upward zero crossings.</summary>
    public static double ToneFrequency(ReadOnlySpan<float> x, int sampleRate)
    {
        double first = -1, last = -1;
        var crossings = 0;
        for (var i = 1; i < x.Length; i++)
        {
            if (x[i - 1] < 0 && x[i] >= 0)
            {
                var t = i - 1 + x[i - 1] / (x[i - 1] - x[i]);
                if (first < 0) first = t;
                last = t;
                crossings++;
            }
        }
        return (crossings - 1) / ((last - first) / sampleRate);
    }
}
