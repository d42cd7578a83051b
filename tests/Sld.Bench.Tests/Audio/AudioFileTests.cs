// Reading audio through libsndfile: every common WAV encoding, FLAC and OGG come back with the samples that
// were written (exactly where the encoding is lossless), channels are averaged, segments are cut at the right
// sample, and each kind of unusable file is an AudioReadException that names the file and the problem.
using Sld.Bench.Audio;

namespace Sld.Bench.Tests.Audio;

public class AudioFileTests
{
    private static readonly float[] Tone = Signals.Quantize16(Signals.Sine(440, 16000, 0.5, amplitude: 0.6));

    [Theory]
    [InlineData("wav", AudioEncoding.Pcm16, 0.0)]
    [InlineData("wav", AudioEncoding.Pcm24, 0.0)]
    [InlineData("wav", AudioEncoding.Pcm32, 1e-7)]
    [InlineData("wav", AudioEncoding.Float32, 0.0)]
    [InlineData("wav", AudioEncoding.Float64, 0.0)]
    [InlineData("wav", AudioEncoding.Pcm8, 1.0 / 128)]
    [InlineData("wav", AudioEncoding.MuLaw, 0.02)]
    [InlineData("wav", AudioEncoding.ALaw, 0.02)]
    [InlineData("flac", AudioEncoding.Pcm16, 0.0)]
    [InlineData("flac", AudioEncoding.Pcm24, 0.0)]
    public void EncodingsRoundTripWithinTheirResolution(string container, AudioEncoding encoding, double tolerance)
    {
        using var dir = new TempDirectory();
        var path = dir.File($"tone.{container}");
        AudioFile.Write(path, Tone, 16000, encoding);

        var back = AudioFile.Read(path);
        Assert.Equal(16000, back.SampleRate);
        Assert.Equal(Tone.Length, back.Samples.Length);
        var maxError = Tone.Zip(back.Samples, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxError <= tolerance, $"{container}/{encoding}: max error {maxError} > {tolerance}");
    }

    [Fact]
    public void OggVorbisKeepsTheToneAndItsLevel()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tone.ogg");
        var tone = Signals.Sine(440, 16000, 1.0, amplitude: 0.5);
        AudioFile.Write(path, tone, 16000);

        var info = AudioFile.ReadInfo(path);
        Assert.Equal(("ogg", "vorbis"), (info.Container, info.Encoding));
        var back = AudioFile.Read(path);
        Assert.Equal(tone.Length, back.Samples.Length);
        var middle = back.Samples.AsSpan(2000, 12000);
        Assert.InRange(Signals.ToneFrequency(middle, 16000), 439.5, 440.5);
        Assert.InRange(20 * Math.Log10(Signals.Rms(middle) / Signals.Rms(tone)), -0.5, 0.5);
    }

    [Fact]
    public void InfoDescribesTheHeader()
    {
        using var dir = new TempDirectory();
        var path = dir.File("stereo.wav");
        AudioFile.Write(path, new float[2 * 800], 8000, AudioEncoding.Pcm24, channels: 2);

        var info = AudioFile.ReadInfo(path);
        Assert.Equal(new AudioInfo(8000, 2, 800, "wav", "pcm_24"), info);
        Assert.Equal(0.1, info.Duration, 9);
    }

    [Fact]
    public void ChannelsAreAveraged()
    {
        using var dir = new TempDirectory();
        var path = dir.File("stereo.flac");
        var interleaved = new float[2000];
        for (var i = 0; i < 1000; i++) (interleaved[2 * i], interleaved[2 * i + 1]) = (Tone[i], -0.25f);
        AudioFile.Write(path, interleaved, 16000, channels: 2);

        var mono = AudioFile.Read(path).Samples;
        Assert.Equal(1000, mono.Length);
        for (var i = 0; i < 1000; i++) Assert.Equal((Tone[i] - 0.25f) / 2, mono[i], 6);
    }

    [Fact]
    public void SegmentsStartAndEndAtTheRightSample()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tone.flac");
        AudioFile.Write(path, Tone, 16000);

        var segment = AudioFile.Read(path, offset: 0.1, duration: 0.25).Samples;
        Assert.Equal(Tone.AsSpan(1600, 4000).ToArray(), segment);
        // A segment may end up to 50 ms past the end of the file (rounded end times); then it stops there.
        Assert.Equal(Tone.Length - 7200, AudioFile.Read(path, offset: 0.45, duration: 0.09).Samples.Length);
        var tooLong = Assert.Throws<AudioReadException>(() => AudioFile.Read(path, offset: 0.4, duration: 0.5));
        Assert.Contains("past the end", tooLong.Reason);
        Assert.Throws<AudioReadException>(() => AudioFile.Read(path, offset: 0.6));
    }

    [Fact]
    public void LoadResamplesToTheRequestedRate()
    {
        using var dir = new TempDirectory();
        var path = dir.File("tone8k.wav");
        AudioFile.Write(path, Signals.Sine(300, 8000, 0.5), 8000);
        var loaded = AudioFile.Load(path, 16000);
        Assert.Equal((16000, 8000), (loaded.SampleRate, loaded.Samples.Length));
    }

    [Fact]
    public void MissingEmptyCorruptAndTruncatedFilesAreReportedByName()
    {
        using var dir = new TempDirectory();
        var missing = dir.File("missing.wav");
        Assert.Contains("does not exist", Assert.Throws<AudioReadException>(() => AudioFile.Read(missing)).Reason);

        var empty = dir.File("empty.flac");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty", Assert.Throws<AudioReadException>(() => AudioFile.Read(empty)).Reason);

        var garbage = dir.File("garbage.wav");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray());
        var corrupt = Assert.Throws<AudioReadException>(() => AudioFile.Read(garbage));
        Assert.Equal(garbage, corrupt.AudioPath);
        Assert.Contains("not a readable audio file", corrupt.Reason);

        var wav = dir.File("cut.wav");
        AudioFile.Write(wav, Tone, 16000);
        Truncate(wav, 0.6);
        Assert.Contains("truncated", Assert.Throws<AudioReadException>(() => AudioFile.Read(wav)).Reason);

        var flac = dir.File("cut.flac");
        AudioFile.Write(flac, Signals.Noise(16000, seed: 3), 16000);
        Truncate(flac, 0.5);
        Assert.Contains("truncated", Assert.Throws<AudioReadException>(() => AudioFile.Read(flac)).Reason);
    }

    [Fact]
    public void AHeaderWithoutSamplesIsZeroLength()
    {
        using var dir = new TempDirectory();
        var path = dir.File("silence.wav");
        AudioFile.Write(path, [], 16000);
        var error = Assert.Throws<AudioReadException>(() => AudioFile.Read(path));
        Assert.Contains("zero length", error.Reason);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void WritingLeavesNoTemporaryFiles()
    {
        using var dir = new TempDirectory();
        AudioFile.Write(dir.File("a.flac"), Tone, 16000);
        Assert.Throws<ArgumentException>(() => AudioFile.Write(dir.File("a.mp4"), Tone, 16000));
        Assert.Equal(["a.flac"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    private static void Truncate(string path, double keep)
    {
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
    }
}
