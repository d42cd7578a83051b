// Sample-rate conversion through libsamplerate's band-limited sinc converters, so 8 kHz telephone audio and
// 22.05/44.1 kHz recordings reach the feature extractor at the configured rate without aliasing.
using System.Runtime.InteropServices;

namespace Sld.Bench.Audio;

/// <summary>libsamplerate's converters, best first (the numbers are its converter_type codes).</summary>
public enum ResampleQuality
{
    /// <summary>SRC_SINC_BEST_QUALITY: 97 % bandwidth, about 145 dB stopband attenuation.</summary>
    Best = 0,

    /// <summary>SRC_SINC_MEDIUM_QUALITY: 90 % bandwidth, about 121 dB; several times faster than Best.</summary>
    Medium = 1,

    /// <summary>SRC_SINC_FASTEST: 80 % bandwidth, about 97 dB.</summary>
    Fastest = 2,
}

public static class Resampler
{
    /// <summary>Resamples mono samples from one rate to another; the output has round(n * to / from) samples.</summary>
    public static unsafe float[] Resample(ReadOnlySpan<float> input, int fromRate, int toRate, ResampleQuality quality = ResampleQuality.Best)
    {
        if (fromRate <= 0 || toRate <= 0) throw new ArgumentOutOfRangeException(nameof(fromRate), $"sample rates must be positive ({fromRate} -> {toRate})");
        if (fromRate == toRate) return input.ToArray();
        if (input.Length == 0) return [];
        var ratio = (double)toRate / fromRate;
        var expected = (int)Math.Round(input.Length * ratio);
        // libsamplerate may hold back a few frames of filter delay; leave room and trim to the expected length.
        var output = new float[expected + 64];
        int status;
        long generated;
        fixed (float* inPtr = input)
        fixed (float* outPtr = output)
        {
            var data = new NativeSampleRate.Data
            {
                DataIn = inPtr,
                DataOut = outPtr,
                InputFrames = input.Length,
                OutputFrames = output.Length,
                EndOfInput = 1,
                Ratio = ratio,
            };
            try
            {
                status = NativeSampleRate.src_simple(ref data, (int)quality, 1);
            }
            catch (DllNotFoundException e)
            {
                throw NativeAudioLibraries.Missing(e, "libsamplerate", "libsamplerate0");
            }
            generated = data.OutputFramesGenerated;
        }
        if (status != 0)
            throw new InvalidOperationException($"libsamplerate failed ({fromRate} -> {toRate} Hz): {Marshal.PtrToStringUTF8(NativeSampleRate.src_strerror(status))}");
        if (generated >= expected) return output.AsSpan(0, expected).ToArray();
        var result = new float[expected];
        output.AsSpan(0, (int)generated).CopyTo(result);
        return result;
    }
}
