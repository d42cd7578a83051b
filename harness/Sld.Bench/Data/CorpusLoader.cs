// The one call that turns an experiment's data section into utterances fit to train and test on: every split
// is read, repeated ids are dropped, every utterance's audio is decoded once, and each utterance that cannot
// be used is skipped and accounted for in a SkipReport. Load fails with TooManySkippedUtterancesException when
// a split lost more than the configured fraction, so a bad corpus stops an experiment before training starts.
namespace Sld.Bench.Data;

public sealed record CorpusLoadOptions
{
    /// <summary>
    /// Decode every utterance's audio now (missing, corrupt, truncated, zero-length, too short). Turn it off when
    /// feature preparation follows, which decodes the audio anyway and reports the same failures.
    /// </summary>
    public bool DecodeAudio { get; init; } = true;

    /// <summary>Parallel audio decoders (0: one per core).</summary>
    public int Jobs { get; init; }

    public IProgress<AudioCheck.Progress>? Progress { get; init; }
}

/// <summary>The usable utterances of every split, in the order the splits were given, and the account of the skipped ones.</summary>
public sealed record LoadedCorpus(IReadOnlyList<Utterance> Utterances, SkipReport Report)
{
    public IReadOnlyList<string> SplitNames => Utterances.Select(u => u.Split).Distinct().ToList();

    /// <summary>The usable utterances of one split (empty when the split has none or is not part of the corpus).</summary>
    public IReadOnlyList<Utterance> Split(string name) => Utterances.Where(u => u.Split == name).ToList();
}

public static class CorpusLoader
{
    /// <summary>
    /// Reads and checks every split of <paramref name="config"/> and enforces its MaxSkipFraction. Throws
    /// TooManySkippedUtterancesException (carrying the report) when a split lost too much, and an IOException
    /// (FileNotFoundException, InvalidDataException) when a split's source is missing, unrecognisable or empty.
    /// </summary>
    public static LoadedCorpus Load(DataConfig config, CorpusLoadOptions? options = null, CancellationToken cancel = default)
    {
        var corpus = Read(config.Splits, options, cancel);
        corpus.Report.EnsureWithin(config.MaxSkipFraction);
        return corpus;
    }

    /// <summary>Like Load, without the threshold: for reporting tools (`corpus check`) that show every skip first.</summary>
    public static LoadedCorpus Read(IEnumerable<KeyValuePair<string, SplitSource>> splits, CorpusLoadOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new CorpusLoadOptions();
        var sources = splits.ToList();
        if (sources.Count == 0) throw new InvalidDataException("the data config names no splits");
        var read = Corpus.Load(sources);
        foreach (var (name, source) in sources)
            if (!read.Utterances.Any(u => u.Split == name) && !read.Skipped.Any(s => s.Split == name))
                throw new InvalidDataException($"split {name}: {source.Path} holds no utterances");
        if (!options.DecodeAudio) return new LoadedCorpus(read.Utterances, SkipReport.Of(read.Utterances, read.Skipped));
        var (usable, bad) = AudioCheck.Run(read.Utterances, options.Jobs, options.Progress, cancel);
        return new LoadedCorpus(usable, SkipReport.Of(usable, [.. read.Skipped, .. bad]));
    }
}
