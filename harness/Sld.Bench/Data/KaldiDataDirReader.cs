// Reads a Kaldi data directory: text, wav.scp and utt2spk (required) and segments (optional). wav.scp entries
// must be plain audio paths; piped commands ("sox ... |") and archive offsets ("x.ark:123") are not run here,
// so utterances that need them are skipped with a reason that says how to convert the directory.
using System.Globalization;

namespace Sld.Bench.Data;

public static class KaldiDataDirReader
{
    public static CorpusReadResult Read(string dir, string split)
    {
        if (!Directory.Exists(dir)) throw new DirectoryNotFoundException($"Kaldi data directory {dir} does not exist");
        foreach (var required in new[] { "text", "wav.scp", "utt2spk" })
            if (!File.Exists(Path.Combine(dir, required)))
                throw new FileNotFoundException($"{dir} is not a Kaldi data directory: {required} is missing (text, wav.scp and utt2spk are required)");

        var skipped = new List<SkippedUtterance>();
        var wavScp = Path.Combine(dir, "wav.scp");
        var recordings = ReadTable(wavScp, split, skipped);
        var speakers = ReadTable(Path.Combine(dir, "utt2spk"), split, skipped);
        var segmentsPath = Path.Combine(dir, "segments");
        var segments = File.Exists(segmentsPath) ? ReadTable(segmentsPath, split, skipped) : null;

        var utterances = new List<Utterance>();
        var textPath = Path.Combine(dir, "text");
        foreach (var line in TranscriptText.ReadLines(textPath))
        {
            if (line.Text is null)
            {
                skipped.Add(new(split, line.RawKey, textPath, $"line {line.Number}: the transcript is not valid UTF-8"));
                continue;
            }
            var (id, text) = TranscriptText.SplitKey(line.Text);
            var recording = id;
            double? offset = null, duration = null;
            if (segments is not null)
            {
                if (!segments.TryGetValue(id, out var segment))
                {
                    skipped.Add(new(split, id, segmentsPath, "no entry in segments"));
                    continue;
                }
                if (!TryParseSegment(segment, out recording, out offset, out duration, out var problem))
                {
                    skipped.Add(new(split, id, segmentsPath, problem));
                    continue;
                }
            }
            if (!recordings.TryGetValue(recording, out var location))
            {
                skipped.Add(new(split, id, wavScp, $"recording '{recording}' has no entry in wav.scp"));
                continue;
            }
            if (location.EndsWith('|'))
            {
                skipped.Add(new(split, id, wavScp, $"wav.scp entry '{location}' is a piped command; Sld.Bench reads audio files directly: " +
                                            "write the audio out (e.g. with wav-copy or sox) and list the file paths"));
                continue;
            }
            if (IsArchiveOffset(location))
            {
                skipped.Add(new(split, id, wavScp, $"wav.scp entry '{location}' points into an archive; list plain audio file paths instead"));
                continue;
            }
            if (!speakers.TryGetValue(id, out var speaker))
            {
                skipped.Add(new(split, id, Path.Combine(dir, "utt2spk"), "no entry in utt2spk"));
                continue;
            }
            var audio = Path.IsPathRooted(location) ? location : Path.GetFullPath(Path.Combine(dir, location));
            if (text.Length == 0)
            {
                skipped.Add(new(split, id, audio, $"empty transcript (text line {line.Number})"));
                continue;
            }
            var metadata = recording == id ? Utterance.EmptyMetadata : Utterance.MetadataOf(("recording", recording));
            utterances.Add(new Utterance(id, speaker, split, audio, text) { Offset = offset, Duration = duration, Metadata = metadata });
        }
        return new CorpusReadResult(utterances, skipped);
    }

    /// <summary>Reads "key value..." lines; lines that are not UTF-8 are reported and left out.</summary>
    private static Dictionary<string, string> ReadTable(string path, string split, List<SkippedUtterance> skipped)
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in TranscriptText.ReadLines(path))
        {
            if (line.Text is null)
            {
                skipped.Add(new(split, line.RawKey, path, $"line {line.Number} is not valid UTF-8"));
                continue;
            }
            var (key, value) = TranscriptText.SplitKey(line.Text);
            table.TryAdd(key, value);
        }
        return table;
    }

    private static bool TryParseSegment(string value, out string recording, out double? offset, out double? duration, out string problem)
    {
        var parts = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        recording = parts.Length > 0 ? parts[0] : "";
        offset = duration = null;
        if (parts.Length != 3
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var start)
            || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out var end))
        {
            problem = $"malformed segments entry '{value}' (expected: recording-id start end)";
            return false;
        }
        // Kaldi allows end = -1 for "to the end of the recording".
        if (start < 0 || (end >= 0 && end <= start))
        {
            problem = $"segment [{start}, {end}] is empty or negative";
            return false;
        }
        offset = start;
        duration = end < 0 ? null : end - start;
        problem = "";
        return true;
    }

    private static bool IsArchiveOffset(string location)
    {
        var colon = location.LastIndexOf(':');
        return colon > 0 && colon < location.Length - 1 && location[(colon + 1)..].All(char.IsAsciiDigit)
               && location[..colon].EndsWith(".ark", StringComparison.OrdinalIgnoreCase);
    }
}
