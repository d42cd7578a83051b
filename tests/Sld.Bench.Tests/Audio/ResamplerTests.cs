// Resampling through libsamplerate: a sine keeps its frequency and its level at every conversion the corpus
// readers need, the output length is exact, and content above the new Nyquist frequency is removed rather
// than folded back into the band (the difference between a resampler and sample dropping).
using Sld.Bench.Audio;

namespace Sld.Bench.Tests.Audio;

public class ResamplerTests
{
    [Theory]
    [InlineData(8000, 16000, 1000.0)]
    [InlineData(22050, 16000, 1000.0)]
    [InlineData(44100, 16000, 3150.0)]
    [InlineData(48000, 16000, 440.0)]
    [InlineData(16000, 8000, 1234.5)]
    public void ASineKeepsItsFrequencyAndLevel(int from, int to, double frequency)
    {
        var input = Signals.Sine(frequency, from, 1.0, amplitude: 0.5);
        var output = Resampler.Resample(input, from, to);

        Assert.Equal(to, output.Length);
        var middle = output.AsSpan(to / 10, to * 8 / 10); // leave the filter's start-up and tail out
        Assert.InRange(Signals.ToneFrequency(middle, to), frequency - 0.05, frequency + 0.05);
        var levelDb = 20 * Math.Log10(Signals.Rms(middle) / (0.5 / Math.Sqrt(2)));
        Assert.InRange(levelDb, -0.05, 0.05);
    }

    [Fact]
    public void ContentAboveTheNewNyquistIsRemoved()
    {
        // 10 kHz cannot exist at 16 kHz; sample dropping would alias it to 6 kHz at full level.
        var output = Resampler.Resample(Signals.Sine(10000, 48000, 1.0, amplitude: 0.5), 48000, 16000);
        var residualDb = 20 * Math.Log10(Signals.Rms(output.AsSpan(1600, 12800)) / (0.5 / Math.Sqrt(2)));
        Assert.True(residualDb < -90, $"the 10 kHz tone leaked through at {residualDb:0.0} dB");
    }

    [Fact]
    public void SameRateAndEmptyInputAreCopies()
    {
        float[] x = [0.1f, -0.2f, 0.3f];
        var same = Resampler.Resample(x, 16000, 16000);
        Assert.Equal(x, same);
        Assert.NotSame(x, same);
        Assert.Empty(Resampler.Resample([], 8000, 16000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Resample(x, 0, 16000));
    }

    [Fact]
    public void WaveformResampleToKeepsDuration()
    {
        var w = new Waveform(Signals.Sine(500, 22050, 2.0), 22050);
        var r = w.ResampleTo(16000, ResampleQuality.Medium);
        Assert.Equal(16000, r.SampleRate);
        Assert.Equal(2.0, r.Duration, 6);
        Assert.Same(w, w.ResampleTo(22050));
    }
}
