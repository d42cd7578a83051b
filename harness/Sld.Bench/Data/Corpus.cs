// A corpus is a set of named splits, each read from a LibriSpeech folder, a Kaldi data dir or a JSONL manifest
// (the format is detected unless the config names it). Loading merges the splits into one list and skips
// every utterance whose id was already used, so ids stay unique across the whole corpus.
namespace Sld.Bench.Data;

public enum CorpusFormat
{
    Auto,
    LibriSpeech,
    Kaldi,
    Jsonl,
}

/// <summary>Where one split comes from.</summary>
public sealed record SplitSource(string Path, CorpusFormat Format = CorpusFormat.Auto);

/// <summary>The data section of an experiment: named splits and how strict to be about bad utterances.</summary>
public sealed record DataConfig
{
    /// <summary>Split name (train, dev, test-clean, test-ood, ...) to its source.</summary>
    public IReadOnlyDictionary<string, SplitSource> Splits { get; init; } = new Dictionary<string, SplitSource>();

    /// <summary>More skipped utterances than this fraction of a split stops preparation (default 1 %).</summary>
    public double MaxSkipFraction { get; init; } = SkipReport.DefaultMaxSkipFraction;

    public TextNormalization Normalization { get; init; } = new();
}

public static class Corpus
{
    /// <summary>The format of a path: *.jsonl files, folders with wav.scp, folders with */*/*.trans.txt.</summary>
    public static CorpusFormat Detect(string path)
    {
        if (File.Exists(path))
        {
            if (path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                return CorpusFormat.Jsonl;
            throw new InvalidDataException($"{path} is a file but not a .jsonl manifest");
        }
        if (!Directory.Exists(path)) throw new FileNotFoundException($"corpus source {path} does not exist", path);
        if (File.Exists(System.IO.Path.Combine(path, "wav.scp"))) return CorpusFormat.Kaldi;
        if (Directory.EnumerateFiles(path, "*.trans.txt", SearchOption.AllDirectories).Any()) return CorpusFormat.LibriSpeech;
        throw new InvalidDataException($"cannot tell what {path} is: expected a .jsonl manifest, a Kaldi data dir (wav.scp) or a LibriSpeech folder (*.trans.txt)");
    }

    public static CorpusReadResult Read(string split, SplitSource source)
    {
        var format = source.Format == CorpusFormat.Auto ? Detect(source.Path) : source.Format;
        return format switch
        {
            CorpusFormat.LibriSpeech => LibriSpeechReader.Read(source.Path, split),
            CorpusFormat.Kaldi => KaldiDataDirReader.Read(source.Path, split),
            CorpusFormat.Jsonl => JsonlManifest.Read(source.Path, split),
            _ => throw new ArgumentOutOfRangeException(nameof(source), source.Format, null),
        };
    }

    /// <summary>Reads every split (in the order given) and drops repeated ids, keeping the first.</summary>
    public static CorpusReadResult Load(IEnumerable<KeyValuePair<string, SplitSource>> splits)
    {
        var utterances = new List<Utterance>();
        var skipped = new List<SkippedUtterance>();
        var seen = new Dictionary<string, Utterance>(StringComparer.Ordinal);
        foreach (var (name, source) in splits)
        {
            var result = Read(name, source);
            skipped.AddRange(result.Skipped);
            foreach (var u in result.Utterances)
            {
                if (seen.TryGetValue(u.Id, out var first))
                {
                    skipped.Add(new(u.Split, u.Id, u.AudioPath, $"duplicate utterance id (first used in split {first.Split} for {first.AudioPath})"));
                    continue;
                }
                seen.Add(u.Id, u);
                utterances.Add(u);
            }
        }
        return new CorpusReadResult(utterances, skipped);
    }
}
