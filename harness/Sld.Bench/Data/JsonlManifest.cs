// JSONL manifests, one utterance per line, in the flat lhotse/NeMo style:
//   {"id": "...", "audio": "rel/or/abs.flac", "offset": 1.5, "duration": 3.2, "text": "...", "speaker": "...",
//    "split": "train", "metadata": {"accent": "en-gb", "snr_db": "10"}}
// "audio_filepath" is accepted for "audio"; other scalar fields are kept as metadata. Relative audio paths are
// relative to the manifest's folder, which is how the writer stores audio that lives under that folder.
using System.Text.Json;

namespace Sld.Bench.Data;

public static class JsonlManifest
{
    private static readonly HashSet<string> KnownFields = ["id", "audio", "audio_filepath", "offset", "duration", "text", "speaker", "split", "metadata"];

    /// <summary>Reads a manifest; <paramref name="split"/> overrides (or fills in) each line's split.</summary>
    public static CorpusReadResult Read(string path, string? split = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"manifest {path} does not exist", path);
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var utterances = new List<Utterance>();
        var skipped = new List<SkippedUtterance>();
        var unknownSplit = split ?? Path.GetFileNameWithoutExtension(path);
        foreach (var line in TranscriptText.ReadLines(path))
        {
            var where = $"{Path.GetFileName(path)} line {line.Number}";
            if (line.Text is null)
            {
                skipped.Add(new(unknownSplit, $"line {line.Number}", path, $"{where} is not valid UTF-8"));
                continue;
            }
            try
            {
                var utterance = Parse(line.Text, baseDir, split, where, out var problem);
                if (utterance is null) skipped.Add(new(unknownSplit, IdOf(line.Text) ?? $"line {line.Number}", path, problem));
                else if (utterance.Text.Trim().Length == 0) skipped.Add(new(utterance.Split, utterance.Id, utterance.AudioPath, $"empty transcript ({where})"));
                else utterances.Add(utterance);
            }
            catch (JsonException e)
            {
                skipped.Add(new(unknownSplit, $"line {line.Number}", path, $"{where} is not valid JSON: {e.Message}"));
            }
        }
        return new CorpusReadResult(utterances, skipped);
    }

    private static Utterance? Parse(string json, string baseDir, string? split, string where, out string problem)
    {
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        problem = "";
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem = $"{where} is not a JSON object";
            return null;
        }
        var id = StringField(root, "id");
        var audio = StringField(root, "audio") ?? StringField(root, "audio_filepath");
        var text = StringField(root, "text");
        var lineSplit = split ?? StringField(root, "split");
        var missing = new[] { ("id", id), ("audio", audio), ("text", text), ("split", lineSplit) }.Where(f => f.Item2 is null).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
        {
            problem = $"{where} lacks {string.Join(", ", missing)}" + (missing.Contains("split") ? " (give the split in the config)" : "");
            return null;
        }
        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("metadata", out var meta) && meta.ValueKind == JsonValueKind.Object)
            foreach (var p in meta.EnumerateObject()) metadata[p.Name] = Scalar(p.Value);
        foreach (var p in root.EnumerateObject())
            if (!KnownFields.Contains(p.Name) && p.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) metadata[p.Name] = Scalar(p.Value);
        var audioPath = Path.IsPathRooted(audio!) ? audio! : Path.GetFullPath(Path.Combine(baseDir, audio!));
        return new Utterance(id!, StringField(root, "speaker") ?? id!, lineSplit!, audioPath, text!)
        {
            Offset = NumberField(root, "offset"),
            Duration = NumberField(root, "duration"),
            Metadata = metadata,
        };
    }

    private static string? IdOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.ValueKind == JsonValueKind.Object ? StringField(doc.RootElement, "id") : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? StringField(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.String or JsonValueKind.Number ? Scalar(v) : null;

    private static double? NumberField(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string Scalar(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Null => "",
        _ => v.GetRawText(),
    };

    /// <summary>Writes utterances one per line, atomically (temporary file, then rename).</summary>
    public static void Write(string path, IEnumerable<Utterance> utterances)
    {
        var full = Path.GetFullPath(path);
        var baseDir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(baseDir);
        var temp = full + ".tmp";
        using (var stream = File.Create(temp))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            foreach (var u in utterances)
            {
                writer.WriteStartObject();
                writer.WriteString("id", u.Id);
                writer.WriteString("audio", RelativeIfUnder(baseDir, u.AudioPath));
                if (u.Offset is { } offset) writer.WriteNumber("offset", Math.Round(offset, 6));
                if (u.Duration is { } duration) writer.WriteNumber("duration", Math.Round(duration, 6));
                writer.WriteString("text", u.Text);
                writer.WriteString("speaker", u.Speaker);
                writer.WriteString("split", u.Split);
                if (u.Metadata.Count > 0)
                {
                    writer.WriteStartObject("metadata");
                    foreach (var (k, v) in u.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) writer.WriteString(k, v);
                    writer.WriteEndObject();
                }
                writer.WriteEndObject();
                writer.Flush();
                writer.Reset();
                stream.WriteByte((byte)'\n');
            }
        }
        File.Move(temp, full, overwrite: true);
    }

    private static string RelativeIfUnder(string baseDir, string path)
    {
        var relative = Path.GetRelativePath(baseDir, Path.GetFullPath(path));
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFullPath(path) : relative.Replace('\\', '/');
    }

    /// <summary>The manifest's lines as written, for hashing a data set's identity.</summary>
    public static string Fingerprint(string path) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))[..16];
}
