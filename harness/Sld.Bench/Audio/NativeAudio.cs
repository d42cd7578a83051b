// P/Invoke declarations for the two C libraries the audio layer stands on: libsndfile (Debian libsndfile1:
// WAV in every PCM/float/law encoding, FLAC, OGG/Vorbis) and libsamplerate (Debian libsamplerate0: band-limited
// sinc resampling). No managed decoder restores here (see docs/packages.md), so these are the decoders.
using System.Runtime.InteropServices;

namespace Sld.Bench.Audio;

internal static partial class NativeSndFile
{
    private const string Lib = "libsndfile.so.1";

    public const int ModeRead = 0x10;
    public const int ModeWrite = 0x20;

    public const int FormatWav = 0x010000;
    public const int FormatFlac = 0x170000;
    public const int FormatOgg = 0x200000;
    public const int FormatPcm16 = 0x0002;
    public const int FormatPcm24 = 0x0003;
    public const int FormatFloat = 0x0006;
    public const int FormatVorbis = 0x0060;
    public const int SubtypeMask = 0x0000FFFF;
    public const int TypeMask = 0x0FFF0000;

    public const int CommandSetCompressionLevel = 0x1301;

    [StructLayout(LayoutKind.Sequential)]
    public struct Info
    {
        public long Frames;
        public int SampleRate;
        public int Channels;
        public int Format;
        public int Sections;
        public int Seekable;
    }

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr sf_open(string path, int mode, ref Info info);

    [LibraryImport(Lib)]
    public static partial int sf_close(IntPtr file);

    [LibraryImport(Lib)]
    public static partial IntPtr sf_strerror(IntPtr file);

    [LibraryImport(Lib)]
    public static partial long sf_seek(IntPtr file, long frames, int whence);

    [LibraryImport(Lib)]
    public static unsafe partial long sf_readf_float(IntPtr file, float* buffer, long frames);

    [LibraryImport(Lib)]
    public static unsafe partial long sf_writef_float(IntPtr file, float* buffer, long frames);

    [LibraryImport(Lib)]
    public static unsafe partial long sf_writef_int(IntPtr file, int* buffer, long frames);

    [LibraryImport(Lib)]
    public static unsafe partial int sf_command(IntPtr file, int command, void* data, int size);

    [LibraryImport(Lib)]
    public static partial int sf_format_check(ref Info info);

    /// <summary>The library's message for the last error on <paramref name="file"/> (or of sf_open when zero).</summary>
    public static string LastError(IntPtr file) => Marshal.PtrToStringUTF8(sf_strerror(file)) ?? "unknown libsndfile error";
}

internal static partial class NativeSampleRate
{
    private const string Lib = "libsamplerate.so.0";

    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct Data
    {
        public float* DataIn;
        public float* DataOut;
        public nint InputFrames;
        public nint OutputFrames;
        public nint InputFramesUsed;
        public nint OutputFramesGenerated;
        public int EndOfInput;
        public double Ratio;
    }

    [LibraryImport(Lib)]
    public static partial int src_simple(ref Data data, int converterType, int channels);

    [LibraryImport(Lib)]
    public static partial IntPtr src_strerror(int error);
}

/// <summary>Turns a missing system library into a message that names the package to install.</summary>
internal static class NativeAudioLibraries
{
    public static DllNotFoundException Missing(DllNotFoundException e, string library, string package) =>
        new($"{library} could not be loaded ({e.Message}); install it with: sudo apt-get install -y {package}", e);
}
