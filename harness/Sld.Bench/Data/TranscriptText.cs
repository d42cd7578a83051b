// Line-by-line reading of transcript files that may not be clean: each line is decoded as strict UTF-8 on its
// own, so one bad line costs one utterance (reported with its id) instead of the whole file.
using System.Text;

namespace Sld.Bench.Data;

internal static class TranscriptText
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>One physical line: its 1-based number, the decoded text (null if not UTF-8), and a readable key.</summary>
    public readonly record struct Line(int Number, string? Text, string RawKey);

    /// <summary>The file's non-blank lines. RawKey is the first field read as Latin-1, usable as an id even when the rest is undecodable.</summary>
    public static IEnumerable<Line> ReadLines(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        var number = 0;
        while (start <= bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            number++;
            var length = end - start;
            if (length > 0 && bytes[start + length - 1] == (byte)'\r') length--;
            var span = bytes.AsSpan(start, length);
            if (!IsBlank(span))
            {
                string? text;
                try
                {
                    text = Strict.GetString(span);
                }
                catch (DecoderFallbackException)
                {
                    text = null;
                }
                yield return new Line(number, text, FirstField(span));
            }
            if (end == bytes.Length) break;
            start = end + 1;
        }
    }

    /// <summary>Splits "KEY rest of line" at the first run of whitespace.</summary>
    public static (string key, string rest) SplitKey(string line)
    {
        var trimmed = line.Trim();
        var cut = trimmed.IndexOfAny([' ', '\t']);
        return cut < 0 ? (trimmed, "") : (trimmed[..cut], trimmed[(cut + 1)..].Trim());
    }

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r')) return false;
        return true;
    }

    private static string FirstField(ReadOnlySpan<byte> span)
    {
        var trimmed = span.TrimStart((byte)' ').TrimStart((byte)'\t');
        var cut = trimmed.IndexOfAny((byte)' ', (byte)'\t');
        return Encoding.Latin1.GetString(cut < 0 ? trimmed : trimmed[..cut]);
    }
}
