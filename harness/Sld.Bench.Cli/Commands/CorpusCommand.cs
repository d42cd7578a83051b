// `sldbench corpus synth|check|prepare`: make the built-in synthetic corpus, validate a corpus (every skipped
// utterance listed with id, path and reason; too many skips is a failure), and prepare its feature cache with
// progress bars. Splits are given as NAME=PATH (a .jsonl manifest, a Kaldi data dir or a LibriSpeech folder).
using System.CommandLine;
using Sld.Bench.Data;
using Sld.Bench.Data.Synth;
using Sld.Bench.Features;
using Spectre.Console;

namespace Sld.Bench.Cli.Commands;

public static class CorpusCommand
{
    public static Command Create()
    {
        var command = new Command("corpus", "Make the built-in synthetic corpus, check a corpus, or prepare its feature cache.");
        command.Subcommands.Add(Synth());
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Prepare());
        return command;
    }

    private static Command Synth()
    {
        var output = new Option<string>("--output", "-o") { Description = "Folder to write the corpus into.", Required = true };
        var preset = new Option<string>("--preset") { Description = "tiny (for tests, seconds), demo (~2,000 training utterances, 270 word forms) or open (the same size over ~2,600 word forms).", DefaultValueFactory = _ => "demo" };
        var seed = new Option<int>("--seed") { Description = "Everything (sentences, voices, noise) follows from this seed.", DefaultValueFactory = _ => 1 };
        var jobs = new Option<int>("--jobs") { Description = "espeak-ng processes at once (default: one per core)." };
        var command = new Command("synth", "Write the synthetic espeak-ng corpus (LibriSpeech layout plus one JSONL manifest per split).") { output, preset, seed, jobs };
        command.SetAction((parse, cancel) => Guarded(() =>
        {
            var p = SynthPreset.Named(parse.GetValue(preset)!);
            var root = parse.GetValue(output)!;
            var summary = WithProgress([$"synthesising the {p.Name} corpus"], report =>
                SynthCorpus.GenerateAsync(root, p, parse.GetValue(seed), parse.GetValue(jobs),
                    new SyncProgress<SynthProgress>(s => report(0, s.Done, s.Total)), cancel).GetAwaiter().GetResult());
            Console.WriteLine($"corpus {summary.Preset} (seed {summary.Seed}) in {root}: {summary.GenerationSeconds:0.0} s to generate");
            foreach (var split in SynthCorpus.Splits)
                Console.WriteLine($"  {split,-15} {summary.Utterances[split],5} utterances  {summary.Hours[split] * 60,6:0.0} min   {Path.Combine(root, split + ".jsonl")}");
            Console.WriteLine($"  vocabulary {summary.VocabularySize} word forms, {summary.WordsUsed} used; test-noisy at {summary.NoiseSnrDb} dB SNR (pink noise)");
            return ExitCodes.Success;
        }, "interrupted; run the same command again to finish the corpus"));
        return command;
    }

    private static Argument<string[]> SplitsArgument() => new("splits")
    {
        Description = "Splits as NAME=PATH (a .jsonl manifest, a Kaldi data dir or a LibriSpeech folder); a bare PATH is named after its file.",
        Arity = ArgumentArity.OneOrMore,
    };

    private static Option<double> MaxSkipOption() => new("--max-skip-fraction")
    {
        Description = "Fail when a split loses more than this fraction of its utterances.",
        DefaultValueFactory = _ => SkipReport.DefaultMaxSkipFraction,
    };

    private static Command Check()
    {
        var splits = SplitsArgument();
        var maxSkip = MaxSkipOption();
        var skipList = new Option<string?>("--skip-list") { Description = "Also write the skipped utterances to this TSV file." };
        var command = new Command("check", "Read a corpus, decode every utterance's audio, and report what would be skipped and why.") { splits, maxSkip, skipList };
        command.SetAction((parse, cancel) => Guarded(() =>
        {
            var corpus = CorpusLoader.Read(ParseSplits(parse.GetValue(splits)!), cancel: cancel);
            return Finish(corpus.Report, parse.GetValue(maxSkip), parse.GetValue(skipList));
        }));
        return command;
    }

    private static Command Prepare()
    {
        var splits = SplitsArgument();
        var maxSkip = MaxSkipOption();
        var cacheRoot = new Option<string>("--cache") { Description = "Feature cache folder (one subfolder per feature config).", Required = true };
        var shardSize = new Option<int>("--shard-size") { Description = "Utterances per cache shard (the most a kill can lose).", DefaultValueFactory = _ => 256 };
        var cmvnSplit = new Option<string?>("--cmvn-split") { Description = "Accumulate global CMVN statistics over this split." };
        var features = new FeatureOptions();
        var command = new Command("prepare", "Compute and cache the features of a corpus; resumes where an interrupted run stopped.")
        {
            splits, maxSkip, cacheRoot, shardSize, cmvnSplit,
        };
        features.AddTo(command);
        command.SetAction((parse, cancel) => Guarded(() =>
        {
            // The audio is decoded once, by the feature stage; transcripts and ids are checked first, so a corpus
            // that already lost too much at reading fails before any feature is computed.
            var corpus = CorpusLoader.Read(ParseSplits(parse.GetValue(splits)!), new CorpusLoadOptions { DecodeAudio = false }, cancel);
            using var cache = FeatureCache.Open(parse.GetValue(cacheRoot)!, features.Config(parse));
            if (corpus.Report.SplitsOver(parse.GetValue(maxSkip)).Count > 0)
                return Finish(corpus.Report, parse.GetValue(maxSkip), Path.Combine(cache.Directory, "skipped.tsv"));
            var options = new PreparationOptions { ShardSize = parse.GetValue(shardSize), Device = features.Device(parse) };
            var result = WithProgress(["hashing audio", "computing features"], report =>
                FeaturePreparation.Run(cache, corpus.Utterances, options,
                    new SyncProgress<PreparationProgress>(p => report(p.Stage == "hash" ? 0 : 1, p.Done, p.Total)), cancel));
            Console.WriteLine($"features in {cache.Directory}: {result.Computed} computed, {result.Reused} already cached ({cache.Config.Describe()})");
            var code = Finish(corpus.Report.With(result.Skipped), parse.GetValue(maxSkip), Path.Combine(cache.Directory, "skipped.tsv"));
            if (code == ExitCodes.Success && parse.GetValue(cmvnSplit) is { } split)
            {
                var stats = FeaturePreparation.GlobalStatistics(cache, result, split);
                Console.WriteLine($"global CMVN statistics over {split}: {stats.Frames} frames in {Path.Combine(cache.Directory, $"cmvn-{split}.json")}");
            }
            return code;
        }));
        return command;
    }

    private static int Finish(SkipReport report, double maxSkipFraction, string? skipList)
    {
        foreach (var s in report.Skipped) Console.WriteLine($"skipped {s}");
        Console.WriteLine(report.Summary());
        if (skipList is not null) report.Write(skipList);
        try
        {
            report.EnsureWithin(maxSkipFraction);
            return ExitCodes.Success;
        }
        catch (TooManySkippedUtterancesException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>"train=path" pairs; a bare path is named after its file (train.jsonl -> train).</summary>
    internal static List<KeyValuePair<string, SplitSource>> ParseSplits(IEnumerable<string> specs) => specs.Select(spec =>
    {
        var eq = spec.IndexOf('=');
        var (name, path) = eq > 0 ? (spec[..eq], spec[(eq + 1)..]) : (Path.GetFileNameWithoutExtension(spec.TrimEnd('/')), spec);
        return new KeyValuePair<string, SplitSource>(name, new SplitSource(path));
    }).ToList();

    private static Task<int> Guarded(Func<int> body, string interrupted = "interrupted; run the same command again to continue where it stopped")
    {
        try
        {
            return Task.FromResult(body());
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine(interrupted);
            return Task.FromResult(ExitCodes.Interrupted);
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Task.FromResult(ExitCodes.InvalidInput);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> with one Spectre.Console progress bar per stage on standard error when that is a
    /// terminal (standard output keeps the results); without a terminal it runs quietly.
    /// </summary>
    private static T WithProgress<T>(string[] stages, Func<Action<int, int, int>, T> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (!console.Profile.Capabilities.Interactive || Console.IsErrorRedirected) return work((_, _, _) => { });
        T result = default!;
        console.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = stages.Select(s => ctx.AddTask(s)).ToList();
                result = work((stage, done, total) =>
                {
                    tasks[stage].MaxValue = Math.Max(1, total);
                    tasks[stage].Value = total == 0 ? 1 : done;
                });
                foreach (var task in tasks) task.Value = task.MaxValue;
            });
        return result;
    }
}

/// <summary>An IProgress that reports on the calling thread at once (System.Progress posts to the thread pool, late).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
