// The one utterance model every corpus reader produces (LibriSpeech folders, Kaldi data dirs, JSONL
// manifests, the synthetic corpus), and the record of an utterance that had to be skipped and why.
namespace Sld.Bench.Data;

/// <summary>
/// One utterance: a stable id (unique across the whole corpus), its speaker and split, the audio file (or a
/// segment of it: Offset/Duration in seconds), the reference transcript as written, and free metadata
/// (accent, voice, noise type and SNR, ...). Metadata keys are sorted so manifests are written identically.
/// </summary>
public sealed record Utterance(string Id, string Speaker, string Split, string AudioPath, string Text)
{
    public double? Offset { get; init; }

    public double? Duration { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    public static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new SortedDictionary<string, string>(StringComparer.Ordinal);

    public static IReadOnlyDictionary<string, string> MetadataOf(params (string key, string value)[] entries)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in entries) map[k] = v;
        return map;
    }

    /// <summary>Equality by value, metadata included (records compare dictionaries by reference).</summary>
    public bool SameAs(Utterance other) =>
        Id == other.Id && Speaker == other.Speaker && Split == other.Split && AudioPath == other.AudioPath && Text == other.Text
        && Offset == other.Offset && Duration == other.Duration
        && Metadata.Count == other.Metadata.Count
        && Metadata.All(kv => other.Metadata.TryGetValue(kv.Key, out var v) && v == kv.Value);
}

/// <summary>Why an utterance was left out, with what is known of it (the id may be a line number for malformed input).</summary>
public sealed record SkippedUtterance(string Split, string Id, string Path, string Reason)
{
    public override string ToString() => $"[{Split}] {Id} ({Path}): {Reason}";
}

/// <summary>What a reader produced: the usable utterances and the ones it had to skip.</summary>
public sealed record CorpusReadResult(IReadOnlyList<Utterance> Utterances, IReadOnlyList<SkippedUtterance> Skipped)
{
    public int Considered => Utterances.Count + Skipped.Count;
}
