// Reading and writing audio files through libsndfile: any WAV encoding, FLAC and OGG in; mono float samples
// out (channels averaged), optionally a segment (offset/duration) and resampled to a target rate. Every way a
// file can be unusable (missing, empty, corrupt, truncated, zero-length) becomes an AudioReadException that
// names the file, so corpus code can skip the utterance and say why.
using System.Buffers.Binary;
using static Sld.Bench.Audio.NativeSndFile;

namespace Sld.Bench.Audio;

/// <summary>Mono samples in [-1, 1] (integer PCM is divided by 2^(bits-1)) at a sample rate.</summary>
public sealed record Waveform(float[] Samples, int SampleRate)
{
    public double Duration => (double)Samples.Length / SampleRate;

    /// <summary>This waveform at another rate (itself when the rate already matches).</summary>
    public Waveform ResampleTo(int sampleRate, ResampleQuality quality = ResampleQuality.Best) =>
        sampleRate == SampleRate ? this : new(Resampler.Resample(Samples, SampleRate, sampleRate, quality), sampleRate);
}

/// <summary>What the header of an audio file says, without decoding it.</summary>
public sealed record AudioInfo(int SampleRate, int Channels, long Frames, string Container, string Encoding)
{
    public double Duration => (double)Frames / SampleRate;
}

/// <summary>Sample encodings the writer supports. FLAC takes Pcm8/16/24; OGG always uses Vorbis.</summary>
public enum AudioEncoding
{
    Pcm8,
    Pcm16,
    Pcm24,
    Pcm32,
    Float32,
    Float64,
    MuLaw,
    ALaw,
}

/// <summary>An audio file that cannot be used, with the reason in words.</summary>
public sealed class AudioReadException(string path, string reason) : IOException($"{path}: {reason}")
{
    public string AudioPath { get; } = path;

    public string Reason { get; } = reason;
}

public static class AudioFile
{
    /// <summary>How far a requested segment may run past the end of the file before it is an error (seconds).</summary>
    public const double SegmentEndTolerance = 0.05;

    public static AudioInfo ReadInfo(string path)
    {
        CheckFile(path);
        var info = new Info();
        var file = Open(path, ref info);
        sf_close(file);
        return Describe(info);
    }

    /// <summary>Decodes a file (or the segment [offset, offset + duration) seconds of it) to mono at its own rate.</summary>
    public static unsafe Waveform Read(string path, double offset = 0, double? duration = null)
    {
        CheckFile(path);
        var info = new Info();
        var file = Open(path, ref info);
        try
        {
            if (info.Channels <= 0 || info.SampleRate <= 0)
                throw new AudioReadException(path, $"the header is invalid ({info.Channels} channels at {info.SampleRate} Hz)");
            if (info.Frames <= 0) throw new AudioReadException(path, "the file holds no audio (zero length)");
            var (start, count) = Segment(path, info, offset, duration);
            if (start > 0 && sf_seek(file, start, 0) != start)
                throw new AudioReadException(path, $"cannot seek to {offset:0.###} s: {LastError(file)}");
            var interleaved = new float[checked(count * info.Channels)];
            long got;
            fixed (float* p = interleaved) got = sf_readf_float(file, p, count);
            if (got < count)
                throw new AudioReadException(path,
                    $"truncated or corrupt: only {got} of the {count} frames the header promises could be decoded");
            var mono = Downmix(interleaved, info.Channels);
            foreach (var s in mono)
                if (!float.IsFinite(s)) throw new AudioReadException(path, "the samples contain NaN or infinity");
            return new Waveform(mono, info.SampleRate);
        }
        finally
        {
            sf_close(file);
        }
    }

    /// <summary>Decodes a file (or segment) to mono and resamples it to <paramref name="sampleRate"/>.</summary>
    public static Waveform Load(string path, int sampleRate, double offset = 0, double? duration = null) =>
        Read(path, offset, duration).ResampleTo(sampleRate);

    /// <summary>
    /// Writes interleaved samples; the container follows the extension (.wav, .flac, .ogg). The file appears
    /// whole or not at all (written to a temporary name, then renamed). Integer encodings round x * 2^(bits-1)
    /// and clip, so a file read back gives the same values for anything already on that grid.
    /// </summary>
    public static unsafe void Write(string path, ReadOnlySpan<float> samples, int sampleRate, AudioEncoding encoding = AudioEncoding.Pcm16,
                                    int channels = 1)
    {
        if (channels <= 0 || samples.Length % channels != 0)
            throw new ArgumentException($"{samples.Length} samples do not divide into {channels} channels");
        var info = new Info { SampleRate = sampleRate, Channels = channels, Format = FormatCode(path, encoding) };
        if (FormatCheck(ref info) == 0)
            throw new ArgumentException($"libsndfile cannot write {encoding} into {Path.GetExtension(path)} at {sampleRate} Hz");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        var file = sf_open(temp, ModeWrite, ref info);
        if (file == IntPtr.Zero) throw new IOException($"{path}: cannot create: {LastError(IntPtr.Zero)}");
        try
        {
            long frames = samples.Length / channels, written;
            var shift = IntegerShift(encoding);
            if (shift >= 0 && (info.Format & TypeMask) != FormatOgg)
            {
                var scaled = new int[samples.Length];
                var scale = Math.Pow(2, 31 - shift);
                var (lo, hi) = (-(long)scale, (long)scale - 1);
                for (var i = 0; i < samples.Length; i++)
                    scaled[i] = (int)(Math.Clamp((long)Math.Round(samples[i] * scale), lo, hi) << shift);
                fixed (int* p = scaled) written = sf_writef_int(file, p, frames);
            }
            else
            {
                fixed (float* p = samples) written = sf_writef_float(file, p, frames);
            }
            if (written != frames) throw new IOException($"{path}: wrote {written} of {frames} frames: {LastError(file)}");
        }
        catch
        {
            sf_close(file);
            File.Delete(temp);
            throw;
        }
        if (sf_close(file) != 0)
        {
            File.Delete(temp);
            throw new IOException($"{path}: closing failed");
        }
        File.Move(temp, path, overwrite: true);
    }

    private static void CheckFile(string path)
    {
        if (!File.Exists(path)) throw new AudioReadException(path, "the file does not exist");
        var length = new FileInfo(path).Length;
        if (length == 0) throw new AudioReadException(path, "the file is empty (0 bytes)");
        CheckRiffLength(path, length);
    }

    private static int FormatCheck(ref Info info)
    {
        try
        {
            return sf_format_check(ref info);
        }
        catch (DllNotFoundException e)
        {
            throw NativeAudioLibraries.Missing(e, "libsndfile", "libsndfile1");
        }
    }

    private static IntPtr Open(string path, ref Info info)
    {
        IntPtr file;
        try
        {
            file = sf_open(path, ModeRead, ref info);
        }
        catch (DllNotFoundException e)
        {
            throw NativeAudioLibraries.Missing(e, "libsndfile", "libsndfile1");
        }
        if (file == IntPtr.Zero) throw new AudioReadException(path, $"not a readable audio file ({LastError(IntPtr.Zero)})");
        return file;
    }

    /// <summary>
    /// libsndfile quietly shortens a WAV whose data chunk runs past the end of the file; a download cut short
    /// should be reported instead, so compare the declared data size with the bytes present.
    /// </summary>
    private static void CheckRiffLength(string path, long fileLength)
    {
        Span<byte> header = stackalloc byte[12];
        using var stream = File.OpenRead(path);
        if (stream.Read(header) < 12 || !header[..4].SequenceEqual("RIFF"u8) || !header[8..12].SequenceEqual("WAVE"u8)) return;
        Span<byte> chunk = stackalloc byte[8];
        long position = 12;
        while (position + 8 <= fileLength)
        {
            stream.Position = position;
            if (stream.Read(chunk) < 8) return;
            var size = BinaryPrimitives.ReadUInt32LittleEndian(chunk[4..]);
            if (chunk[..4].SequenceEqual("data"u8))
            {
                // 0 and 0xFFFFFFFF are what streaming writers put in before they know the length.
                if (size != 0 && size != uint.MaxValue && position + 8 + size > fileLength)
                    throw new AudioReadException(path,
                        $"truncated: the data chunk declares {size} bytes but only {fileLength - position - 8} are present");
                return;
            }
            position += 8 + size + (size & 1);
        }
    }

    private static (long start, long count) Segment(string path, Info info, double offset, double? duration)
    {
        if (offset < 0 || duration is <= 0) throw new AudioReadException(path, $"invalid segment: offset {offset} s, duration {duration} s");
        var total = info.Frames;
        var start = (long)Math.Round(offset * info.SampleRate);
        if (start >= total)
            throw new AudioReadException(path, $"the segment starts at {offset:0.###} s, past the end of the file ({(double)total / info.SampleRate:0.###} s)");
        if (duration is null) return (start, total - start);
        var count = (long)Math.Round(duration.Value * info.SampleRate);
        if (start + count > total)
        {
            var excess = (double)(start + count - total) / info.SampleRate;
            if (excess > SegmentEndTolerance)
                throw new AudioReadException(path,
                    $"the segment ends at {offset + duration.Value:0.###} s, past the end of the file ({(double)total / info.SampleRate:0.###} s)");
            count = total - start;
        }
        return (start, count);
    }

    private static float[] Downmix(float[] interleaved, int channels)
    {
        if (channels == 1) return interleaved;
        var frames = interleaved.Length / channels;
        var mono = new float[frames];
        var scale = 1f / channels;
        for (var i = 0; i < frames; i++)
        {
            var sum = 0f;
            for (var c = 0; c < channels; c++) sum += interleaved[i * channels + c];
            mono[i] = sum * scale;
        }
        return mono;
    }

    private static int FormatCode(string path, AudioEncoding encoding)
    {
        var extension = Path.GetExtension(path).ToLowerInvariant();
        var container = extension switch
        {
            ".wav" => FormatWav,
            ".flac" => FormatFlac,
            ".ogg" => FormatOgg,
            _ => throw new ArgumentException($"cannot tell the audio container from '{extension}'; use .wav, .flac or .ogg"),
        };
        if (container == FormatOgg) return FormatOgg | FormatVorbis;
        var subtype = encoding switch
        {
            AudioEncoding.Pcm8 => container == FormatWav ? 0x0005 : 0x0001, // WAV stores 8-bit unsigned
            AudioEncoding.Pcm16 => FormatPcm16,
            AudioEncoding.Pcm24 => FormatPcm24,
            AudioEncoding.Pcm32 => 0x0004,
            AudioEncoding.Float32 => FormatFloat,
            AudioEncoding.Float64 => 0x0007,
            AudioEncoding.MuLaw => 0x0010,
            AudioEncoding.ALaw => 0x0011,
            _ => throw new ArgumentOutOfRangeException(nameof(encoding), encoding, null),
        };
        return container | subtype;
    }

    /// <summary>For integer encodings, how far a sample on the 2^(bits-1) grid is shifted into libsndfile's int.</summary>
    private static int IntegerShift(AudioEncoding encoding) => encoding switch
    {
        AudioEncoding.Pcm8 => 24,
        AudioEncoding.Pcm16 => 16,
        AudioEncoding.Pcm24 => 8,
        AudioEncoding.Pcm32 => 0,
        _ => -1,
    };

    private static AudioInfo Describe(Info info)
    {
        var container = (info.Format & TypeMask) switch
        {
            FormatWav => "wav",
            FormatFlac => "flac",
            FormatOgg => "ogg",
            0x020000 => "aiff",
            var other => $"0x{other:x}",
        };
        var encoding = (info.Format & SubtypeMask) switch
        {
            0x0001 => "pcm_s8",
            0x0005 => "pcm_u8",
            FormatPcm16 => "pcm_16",
            FormatPcm24 => "pcm_24",
            0x0004 => "pcm_32",
            FormatFloat => "float",
            0x0007 => "double",
            0x0010 => "ulaw",
            0x0011 => "alaw",
            FormatVorbis => "vorbis",
            0x0064 => "opus",
            var other => $"0x{other:x}",
        };
        return new AudioInfo(info.SampleRate, info.Channels, info.Frames, container, encoding);
    }
}
