// Reads and writes transcript files in the two forms scoring tools exchange: sclite's trn ("text (spk-uttid)")
// and Kaldi's text ("uttid text"). Reading is strict: bad UTF-8, a line without an id, or a repeated id is an
// error naming file and line, because a silently skipped line changes the WER.
using System.Buffers;
using System.Text;

namespace Sld.Bench.Shared.Scoring;

public enum TranscriptFormat
{
    /// <summary>sclite trn: the text, then the utterance id in parentheses at the end of the line.</summary>
    Trn,

    /// <summary>Kaldi text: the utterance id, whitespace, then the text.</summary>
    Kaldi,
}

/// <summary>One transcript line: id, speaker (from the id, see <see cref="TranscriptFile.SpeakerOf"/>), text, 1-based line.</summary>
public sealed record TranscriptEntry(string Id, string Speaker, string Text, int Line);

/// <summary>A transcript file that cannot be read, with the file and line at fault.</summary>
public sealed class TranscriptFormatException(string file, int line, string message)
    : Exception(line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}")
{
    public string File { get; } = file;

    public int Line { get; } = line;
}

public static class TranscriptFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ASCII whitespace separates words and ids, as in sclite and Kaldi (see TextUnits).
    private const string Whitespace = " \t\n\r\v\f";
    private static readonly SearchValues<char> WhitespaceValues = SearchValues.Create(Whitespace);
    private static readonly SearchValues<char> WhitespaceOtherThanSpace = SearchValues.Create("\t\n\r\v\f");

    /// <summary>
    /// The speaker of an utterance id as sclite's "-i rm" finds it: the part before the first '-', or else before
    /// the first '_'; an id with neither is its own speaker.
    /// </summary>
    public static string SpeakerOf(string id)
    {
        var cut = id.IndexOf('-');
        if (cut < 0) cut = id.IndexOf('_');
        return cut > 0 ? id[..cut] : id;
    }

    /// <summary>
    /// The id written into a trn file: the utterance id when it already starts with "speaker-", else
    /// "speaker-id", so that sclite's "-i rm" recovers the speaker.
    /// </summary>
    public static string TrnId(string id, string speaker)
    {
        if (speaker.Length == 0 || speaker.Contains('-') || speaker.Contains('(') || speaker.Contains(')'))
            throw new ArgumentException($"speaker '{speaker}' cannot be written to a trn file: sclite cuts the speaker at the first '-'", nameof(speaker));
        if (id.Length == 0 || id.Contains('(') || id.Contains(')') || id.Any(char.IsWhiteSpace))
            throw new ArgumentException($"utterance id '{id}' cannot be written to a trn file (empty, or has parentheses or whitespace)", nameof(id));
        return id.StartsWith(speaker + "-", StringComparison.Ordinal) ? id : $"{speaker}-{id}";
    }

    /// <summary>Writes "word word (trn-id)" lines; the text is re-joined with single spaces.</summary>
    public static void WriteTrn(TextWriter writer, IEnumerable<(string Id, string Speaker, string Text)> lines)
    {
        foreach (var (id, speaker, text) in lines)
        {
            var words = TextUnits.Words(text);
            writer.Write(string.Join(' ', words));
            writer.Write(words.Length == 0 ? "(" : " (");
            writer.Write(TrnId(id, speaker));
            writer.Write(")\n");
        }
    }

    /// <summary>Writes "id word word" lines (Kaldi text).</summary>
    public static void WriteKaldi(TextWriter writer, IEnumerable<(string Id, string Text)> lines)
    {
        foreach (var (id, text) in lines)
        {
            var words = TextUnits.Words(text);
            writer.Write(id);
            if (words.Length > 0) { writer.Write(' '); writer.Write(string.Join(' ', words)); }
            writer.Write('\n');
        }
    }

    /// <summary>
    /// trn when the first non-blank line ends with ')' and has a '(' before it, else Kaldi text. An empty file
    /// is trn (it has no line to tell).
    /// </summary>
    public static TranscriptFormat Detect(string path)
    {
        foreach (var (line, _) in Lines(path))
        {
            var t = line.AsSpan().TrimEnd(Whitespace);
            if (t.IsEmpty) continue;
            return t[^1] == ')' && t.LastIndexOf('(') >= 0 ? TranscriptFormat.Trn : TranscriptFormat.Kaldi;
        }
        return TranscriptFormat.Trn;
    }

    public static IReadOnlyList<TranscriptEntry> Read(string path, TranscriptFormat format)
    {
        var entries = new List<TranscriptEntry>();
        var firstLine = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (line, number) in Lines(path))
        {
            if (line.AsSpan().Trim(Whitespace).IsEmpty) continue;
            var (id, text) = format == TranscriptFormat.Trn ? ParseTrn(path, line, number) : ParseKaldi(line);
            if (firstLine.TryGetValue(id, out var first))
                throw new TranscriptFormatException(path, number, $"utterance '{id}' appears again (first on line {first})");
            firstLine[id] = number;
            entries.Add(new TranscriptEntry(id, SpeakerOf(id), text, number));
        }
        return entries;
    }

    private static (string id, string text) ParseTrn(string path, string line, int number)
    {
        var t = line.AsSpan().TrimEnd(Whitespace);
        var open = t.LastIndexOf('(');
        if (t.IsEmpty || t[^1] != ')' || open < 0)
            throw new TranscriptFormatException(path, number, "expected 'text (utterance-id)': the line does not end with an id in parentheses");
        var id = t[(open + 1)..^1].ToString();
        if (id.Length == 0 || id.AsSpan().ContainsAny(WhitespaceValues))
            throw new TranscriptFormatException(path, number, $"the utterance id '({id})' is empty or contains whitespace");
        return (id, SingleSpaced(t[..open]));
    }

    private static (string id, string text) ParseKaldi(string line)
    {
        var span = line.AsSpan().TrimStart(Whitespace);
        var end = span.IndexOfAny(WhitespaceValues);
        return end < 0 ? (span.ToString(), "") : (span[..end].ToString(), SingleSpaced(span[end..]));
    }

    /// <summary>The words of the text joined by single spaces (the text itself when it already is).</summary>
    private static string SingleSpaced(ReadOnlySpan<char> text)
    {
        var trimmed = text.Trim(Whitespace);
        if (!trimmed.ContainsAny(WhitespaceOtherThanSpace) && !trimmed.Contains("  ", StringComparison.Ordinal)) return trimmed.ToString();
        return string.Join(' ', TextUnits.Words(trimmed.ToString()));
    }

    /// <summary>
    /// The lines of a file decoded as strict UTF-8 (a BOM is dropped), with 1-based numbers. Read as a stream, so
    /// a large file makes no large buffers; only a file with bad bytes is read again, line by line, to say where.
    /// </summary>
    private static List<(string line, int number)> Lines(string path)
    {
        var result = new List<(string, int)>();
        try
        {
            using var reader = new StreamReader(path, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16);
            while (reader.ReadLine() is { } line)
                result.Add((result.Count == 0 && line.StartsWith('\uFEFF') ? line[1..] : line, result.Count + 1));
            return result;
        }
        catch (DecoderFallbackException)
        {
            LocateBadBytes(path);
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TranscriptFormatException(path, 0, $"cannot read the file: {e.Message}");
        }
    }

    private static void LocateBadBytes(string path)
    {
        ReadOnlySpan<byte> span = System.IO.File.ReadAllBytes(path);
        var number = 0;
        while (!span.IsEmpty)
        {
            number++;
            var end = span.IndexOf((byte)'\n');
            var raw = end < 0 ? span : span[..end];
            try { StrictUtf8.GetCharCount(raw); }
            catch (DecoderFallbackException e)
            {
                throw new TranscriptFormatException(path, number, $"not valid UTF-8 (byte 0x{e.BytesUnknown?.FirstOrDefault():X2} at column {e.Index + 1})");
            }
            span = end < 0 ? [] : span[(end + 1)..];
        }
    }
}
