// The built-in corpus: sentences from the grammar read by espeak-ng voices, written as a LibriSpeech-style
// folder (split/speaker/chapter/*.flac + *.trans.txt) with one JSONL manifest per split. Splits: train and dev
// (training voices), test (voice variants never heard in training), test-nonnative (the test sentences read by
// German, French and Spanish voices) and test-noisy (the test audio with pink noise at a stated SNR).
// Everything follows from (preset, seed); an interrupted run resumes, a finished one is left alone.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Sld.Bench.Audio;

namespace Sld.Bench.Data.Synth;

/// <summary>
/// Sizes of a synthetic corpus. <see cref="WordsPerList"/> keeps the first N entries of each open word list (names,
/// nouns, verbs, adjectives, ...; 0 keeps all) and <see cref="MaxWords"/> caps the sentence length: a small
/// vocabulary is what lets a CPU-sized model learn to read speech tokens in minutes. Tiny is for tests (seconds);
/// demo is the README's corpus (~2,000 training utterances, a few hundred word forms); open is the same size with
/// the whole vocabulary (thousands of word forms, 4-20 word sentences), a harder task for longer training.
/// </summary>
public sealed record SynthPreset(string Name, int TrainSpeakers, int TrainPerSpeaker, int DevPerSpeaker, int TestSpeakers, int TestPerSpeaker,
                                 int NonNativeSpeakers, double NoiseSnrDb, int WordsPerList = 0, int MaxWords = SentenceGenerator.MaxWords)
{
    public static readonly SynthPreset Tiny = new("tiny", 4, 6, 2, 2, 3, 3, 10);
    public static readonly SynthPreset Demo = new("demo", 40, 50, 5, 10, 20, 6, 10, WordsPerList: 8, MaxWords: 10);
    public static readonly SynthPreset Open = new("open", 40, 50, 5, 10, 20, 6, 10);

    public static SynthPreset Named(string name) => name.ToLowerInvariant() switch
    {
        "tiny" => Tiny,
        "demo" => Demo,
        "open" => Open,
        _ => throw new ArgumentException($"unknown corpus preset '{name}'; valid: tiny, demo, open"),
    };

    /// <summary>The word lists this preset's sentences are drawn from.</summary>
    public WordLists Words => WordsPerList > 0 ? WordLists.Default.Take(WordsPerList) : WordLists.Default;
}

public sealed record SynthProgress(int Done, int Total, string Split);

/// <summary>What was written, also stored as corpus.json (its presence marks a finished corpus).</summary>
public sealed record SynthSummary(string Preset, int Seed, double SampleRate, double NoiseSnrDb, int VocabularySize, int WordsUsed,
                                  IReadOnlyDictionary<string, int> Utterances, IReadOnlyDictionary<string, double> Hours, double GenerationSeconds,
                                  SynthPreset? Definition = null);

public static class SynthCorpus
{
    public const int SampleRate = 16000;
    public const string SummaryFile = "corpus.json";

    public static readonly string[] Splits = ["train", "dev", "test", "test-nonnative", "test-noisy"];
    public static readonly string[] EnglishAccents = ["en-us", "en-gb", "en-gb-scotland", "en-029", "en-us-nyc"];
    public static readonly string[] TrainVariants = ["m1", "m2", "m3", "m4", "m5", "m6", "f1", "f2", "f3", "f4"];
    public static readonly string[] TestVariants = ["m7", "f5"];
    public static readonly string[] NonNativeLanguages = ["de", "fr-fr", "es"];

    private static readonly Dictionary<string, int> Chapters = new()
    {
        ["train"] = 10, ["dev"] = 20, ["test"] = 30, ["test-nonnative"] = 40, ["test-noisy"] = 50,
    };

    /// <summary>One utterance to synthesise; <see cref="NoisyCopy"/> is the test-noisy utterance made from the same audio.</summary>
    public sealed record Item(Utterance Utterance, SynthVoice Voice, string Sentence, Utterance? NoisyCopy, int NoiseSeed);

    /// <summary>Writes the corpus into <paramref name="root"/>; returns the summary (read back if already complete).</summary>
    public static async Task<SynthSummary> GenerateAsync(string root, SynthPreset preset, int seed, int jobs = 0,
                                                         IProgress<SynthProgress>? progress = null, CancellationToken cancel = default)
    {
        var summaryPath = Path.Combine(root, SummaryFile);
        if (File.Exists(summaryPath))
        {
            var existing = JsonSerializer.Deserialize<SynthSummary>(await File.ReadAllTextAsync(summaryPath, cancel))!;
            if (existing.Definition == preset && existing.Seed == seed) return existing;
            throw new IOException($"{root} already holds a {existing.Preset} corpus with seed {existing.Seed}"
                                  + (existing.Preset == preset.Name ? " made by another definition of that preset" : "") + "; choose another folder");
        }
        var clock = Stopwatch.StartNew();
        var items = Plan(root, preset, seed);
        var scratch = Path.Combine(root, ".scratch");
        Directory.CreateDirectory(scratch);
        var done = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs > 0 ? jobs : Environment.ProcessorCount, CancellationToken = cancel };
        await Parallel.ForEachAsync(items, options, async (item, token) =>
        {
            await SynthesizeAsync(item, preset, scratch, token);
            progress?.Report(new SynthProgress(Interlocked.Increment(ref done), items.Count, item.Utterance.Split));
        });
        Directory.Delete(scratch, recursive: true);

        var utterances = items.Select(i => i.Utterance).Concat(items.Where(i => i.NoisyCopy is not null).Select(i => i.NoisyCopy!))
            .Select(u => u with { Duration = AudioFile.ReadInfo(u.AudioPath).Duration }).ToList();
        WriteTranscripts(utterances);
        foreach (var split in Splits)
            JsonlManifest.Write(Path.Combine(root, $"{split}.jsonl"), utterances.Where(u => u.Split == split).OrderBy(u => u.Id, StringComparer.Ordinal));
        WriteSpeakers(root, items);
        var summary = new SynthSummary(
            preset.Name, seed, SampleRate, preset.NoiseSnrDb, preset.Words.Vocabulary().Count,
            utterances.SelectMany(u => u.Text.Split(' ')).Distinct(StringComparer.Ordinal).Count(),
            Splits.ToDictionary(s => s, s => utterances.Count(u => u.Split == s)),
            Splits.ToDictionary(s => s, s => Math.Round(utterances.Where(u => u.Split == s).Sum(u => u.Duration ?? 0) / 3600, 4)),
            Math.Round(clock.Elapsed.TotalSeconds, 2), preset);
        var temp = summaryPath + ".tmp";
        await File.WriteAllTextAsync(temp, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }), cancel);
        File.Move(temp, summaryPath);
        return summary;
    }

    /// <summary>Every utterance of the corpus, decided before any audio is made (deterministic from the seed).</summary>
    public static IReadOnlyList<Item> Plan(string root, SynthPreset preset, int seed)
    {
        var random = new Random(seed);
        var trainVoices = Shuffle(random, EnglishAccents.SelectMany(a => TrainVariants.Select(v => (a, v)))).Take(preset.TrainSpeakers)
            .Select(p => new SynthVoice(p.a, p.v, random.Next(140, 201), random.Next(30, 71))).ToList();
        var testVoices = Shuffle(random, EnglishAccents.SelectMany(a => TestVariants.Select(v => (a, v)))).Take(preset.TestSpeakers)
            .Select(p => new SynthVoice(p.a, p.v, random.Next(140, 201), random.Next(30, 71))).ToList();
        var foreignVariants = Shuffle(random, TrainVariants.Concat(TestVariants)).ToList();
        var nonNativeVoices = Enumerable.Range(0, preset.NonNativeSpeakers)
            .Select(i => new SynthVoice(NonNativeLanguages[i % NonNativeLanguages.Length], foreignVariants[i % foreignVariants.Count],
                random.Next(140, 181), random.Next(30, 71))).ToList();

        var sentences = new SentenceGenerator(seed, preset.Words, preset.MaxWords);
        var used = new HashSet<string>(StringComparer.Ordinal);
        string NextSentence()
        {
            while (true)
            {
                var s = sentences.Next();
                if (used.Add(SentenceGenerator.Transcript(s))) return s;
            }
        }

        var items = new List<Item>();
        void Add(string split, int speaker, SynthVoice voice, int index, string sentence, bool noisy = false)
        {
            var utterance = MakeUtterance(root, split, speaker, index, voice, sentence);
            var noisyCopy = noisy ? MakeUtterance(root, "test-noisy", speaker, index, voice, sentence) : null;
            if (noisyCopy is not null)
                noisyCopy = noisyCopy with
                {
                    Metadata = new SortedDictionary<string, string>(noisyCopy.Metadata.ToDictionary(), StringComparer.Ordinal)
                    {
                        ["noise"] = "pink",
                        ["snr_db"] = preset.NoiseSnrDb.ToString(CultureInfo.InvariantCulture),
                    },
                };
            items.Add(new Item(utterance, voice, sentence, noisyCopy, seed * 1_000_003 + items.Count));
        }
        for (var s = 0; s < trainVoices.Count; s++)
        for (var i = 0; i < preset.TrainPerSpeaker; i++) Add("train", 1001 + s, Jitter(random, trainVoices[s]), i, NextSentence());
        for (var s = 0; s < trainVoices.Count; s++)
        for (var i = 0; i < preset.DevPerSpeaker; i++) Add("dev", 1001 + s, Jitter(random, trainVoices[s]), i, NextSentence());
        var testSentences = new List<string>();
        for (var s = 0; s < testVoices.Count; s++)
        for (var i = 0; i < preset.TestPerSpeaker; i++)
        {
            var sentence = NextSentence();
            testSentences.Add(sentence);
            Add("test", 2001 + s, Jitter(random, testVoices[s]), i, sentence, noisy: true);
        }
        for (var k = 0; k < testSentences.Count && nonNativeVoices.Count > 0; k++)
        {
            var s = k % nonNativeVoices.Count;
            Add("test-nonnative", 3001 + s, Jitter(random, nonNativeVoices[s]), k / nonNativeVoices.Count, testSentences[k]);
        }
        return items;
    }

    private static Utterance MakeUtterance(string root, string split, int speaker, int index, SynthVoice voice, string sentence)
    {
        var chapter = Chapters[split];
        var id = $"{speaker}-{chapter}-{index:D4}";
        var path = Path.Combine(root, split, speaker.ToString(CultureInfo.InvariantCulture), chapter.ToString(CultureInfo.InvariantCulture), id + ".flac");
        return new Utterance(id, speaker.ToString(CultureInfo.InvariantCulture), split, Path.GetFullPath(path), SentenceGenerator.Transcript(sentence))
        {
            Metadata = Utterance.MetadataOf(("voice", voice.Name), ("accent", voice.Language), ("native", voice.Native ? "yes" : "no"),
                ("gender", voice.Gender), ("speed_wpm", voice.Speed.ToString(CultureInfo.InvariantCulture)),
                ("pitch", voice.Pitch.ToString(CultureInfo.InvariantCulture))),
        };
    }

    /// <summary>A speaker's voice with its speed varied by up to 6 % per utterance, as people vary.</summary>
    private static SynthVoice Jitter(Random random, SynthVoice voice) =>
        voice with { Speed = (int)Math.Round(voice.Speed * (0.94 + 0.12 * random.NextDouble())) };

    private static IEnumerable<T> Shuffle<T>(Random random, IEnumerable<T> items)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }

    private static async Task SynthesizeAsync(Item item, SynthPreset preset, string scratch, CancellationToken cancel)
    {
        var path = item.Utterance.AudioPath;
        var noisyPath = item.NoisyCopy?.AudioPath;
        if (File.Exists(path) && (noisyPath is null || File.Exists(noisyPath))) return; // done by an interrupted run
        var speech = (await Espeak.SpeakAsync(item.Sentence, item.Voice, scratch, cancel)).ResampleTo(SampleRate, ResampleQuality.Medium);
        AudioFile.Write(path, speech.Samples, SampleRate);
        if (noisyPath is not null)
        {
            var noisy = Espeak.MixAtSnr(speech.Samples, Espeak.PinkNoise(speech.Samples.Length, item.NoiseSeed), preset.NoiseSnrDb);
            AudioFile.Write(noisyPath, noisy, SampleRate);
        }
    }

    private static void WriteTranscripts(IEnumerable<Utterance> utterances)
    {
        foreach (var chapter in utterances.GroupBy(u => Path.GetDirectoryName(u.AudioPath)!))
        {
            var first = chapter.First();
            var name = $"{first.Speaker}-{Path.GetFileName(chapter.Key)}.trans.txt";
            var text = string.Concat(chapter.OrderBy(u => u.Id, StringComparer.Ordinal).Select(u => $"{u.Id} {u.Text}\n"));
            File.WriteAllText(Path.Combine(chapter.Key, name), text, new UTF8Encoding(false));
        }
    }

    private static void WriteSpeakers(string root, IReadOnlyList<Item> items)
    {
        var sb = new StringBuilder("; ID | SPLIT | VOICE | GENDER | SPEED_WPM | PITCH | NATIVE\n");
        foreach (var group in items.GroupBy(i => (i.Utterance.Speaker, i.Utterance.Split)).OrderBy(g => g.Key.Speaker, StringComparer.Ordinal))
        {
            var v = group.First().Voice;
            sb.Append(CultureInfo.InvariantCulture, $"{group.Key.Speaker} | {group.Key.Split} | {v.Name} | {v.Gender} | {group.Average(i => i.Voice.Speed):0} | {v.Pitch} | {(v.Native ? "yes" : "no")}\n");
        }
        File.WriteAllText(Path.Combine(root, "SPEAKERS.TXT"), sb.ToString());
    }
}
