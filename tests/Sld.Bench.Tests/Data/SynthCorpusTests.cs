// The built-in corpus: a grammar with a vocabulary of thousands of word forms and 4-20 word sentences (the demo
// preset draws on a few hundred of them, at most 10 words a sentence); a plan
// with the promised splits (unseen voice variants in test, de/fr/es voices reading the test text, noise at the
// stated SNR); and a tiny corpus generated with espeak-ng that every reader accepts, that comes out
// byte-identical from the same seed, and that is not regenerated once complete.
using Sld.Bench.Audio;
using Sld.Bench.Data;
using Sld.Bench.Data.Synth;
using Sld.Bench.Tests.Audio;

namespace Sld.Bench.Tests.Data;

public class SynthCorpusTests
{
    [Fact]
    public void SentencesAreDeterministicVariedAndWithinTheVocabulary()
    {
        var vocabulary = WordLists.Default.Vocabulary();
        Assert.True(vocabulary.Count >= 2000, $"vocabulary of {vocabulary.Count} word forms");
        var a = new SentenceGenerator(42);
        var sentences = Enumerable.Range(0, 1000).Select(_ => a.Next()).ToList();
        var b = new SentenceGenerator(42);
        Assert.Equal(sentences, Enumerable.Range(0, 1000).Select(_ => b.Next()));
        Assert.NotEqual(sentences[0], new SentenceGenerator(43).Next());
        Assert.True(sentences.Distinct().Count() >= 990);
        var lengths = sentences.Select(s => SentenceGenerator.Transcript(s).Split(' ').Length).ToList();
        Assert.InRange(lengths.Min(), SentenceGenerator.MinWords, 6);
        Assert.InRange(lengths.Max(), 16, SentenceGenerator.MaxWords);
        var used = sentences.SelectMany(s => SentenceGenerator.Transcript(s).ToLowerInvariant().Split(' ')).ToHashSet();
        Assert.Subset(vocabulary.ToHashSet(), used);
        Assert.True(used.Count > 1500, $"1000 sentences used only {used.Count} distinct words");
        Assert.Equal("WHERE DID THE DOG GO", SentenceGenerator.Transcript("where did the dog go?"));
    }

    [Fact]
    public void TheDemoPlanHasTheStatedSplitsAndVoices()
    {
        var plan = SynthCorpus.Plan("/corpus", SynthPreset.Demo, seed: 1);
        var utterances = plan.Select(i => i.Utterance).Concat(plan.Where(i => i.NoisyCopy is not null).Select(i => i.NoisyCopy!)).ToList();
        var counts = utterances.GroupBy(u => u.Split).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["train"] = 2000, ["dev"] = 200, ["test"] = 200, ["test-nonnative"] = 200, ["test-noisy"] = 200 }, counts);
        Assert.Equal(utterances.Count, utterances.Select(u => u.Id).Distinct().Count());

        var trainVariants = plan.Where(i => i.Utterance.Split == "train").Select(i => i.Voice.Variant).ToHashSet();
        var testVariants = plan.Where(i => i.Utterance.Split == "test").Select(i => i.Voice.Variant).ToHashSet();
        Assert.Empty(trainVariants.Intersect(testVariants)); // test voices are unseen variants
        Assert.Equal(SynthCorpus.EnglishAccents.Order(), plan.Where(i => i.Utterance.Split == "train").Select(i => i.Voice.Language).Distinct().Order());
        Assert.Equal(40, plan.Where(i => i.Utterance.Split == "train").Select(i => i.Utterance.Speaker).Distinct().Count());
        var nonNative = plan.Where(i => i.Utterance.Split == "test-nonnative").ToList();
        Assert.Equal(["de", "es", "fr-fr"], nonNative.Select(i => i.Voice.Language).Distinct().Order());
        Assert.All(nonNative, i => Assert.Equal("no", i.Utterance.Metadata["native"]));
        Assert.Equal(plan.Where(i => i.Utterance.Split == "test").Select(i => i.Utterance.Text).Order(), nonNative.Select(i => i.Utterance.Text).Order());
        Assert.All(utterances.Where(u => u.Split == "test-noisy"), u => Assert.Equal(("pink", "10"), (u.Metadata["noise"], u.Metadata["snr_db"])));
        var texts = plan.Where(i => i.Utterance.Split is "train" or "dev" or "test").Select(i => i.Utterance.Text).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count()); // no sentence is shared between train, dev and test
        Assert.All(plan.Select(i => i.Voice.Speed), s => Assert.InRange(s, 120, 220));

        // The demo's smaller vocabulary: every word from the preset's lists, at most MaxWords per sentence, and each
        // word form heard many times in training (what lets a CPU-sized model learn to read the units in minutes).
        var demoVocabulary = SynthPreset.Demo.Words.Vocabulary();
        Assert.InRange(demoVocabulary.Count, 200, 400);
        var trainWords = plan.Where(i => i.Utterance.Split == "train").SelectMany(i => i.Utterance.Text.ToLowerInvariant().Split(' ')).ToList();
        Assert.Subset(demoVocabulary.ToHashSet(), trainWords.ToHashSet());
        Assert.All(plan, i => Assert.InRange(i.Utterance.Text.Split(' ').Length, SentenceGenerator.MinWords, SynthPreset.Demo.MaxWords));
        Assert.True(trainWords.Count / (double)trainWords.Distinct().Count() > 40, "each training word form is heard > 40 times on average");
        Assert.True(SynthCorpus.Plan("/corpus", SynthPreset.Open, seed: 1).SelectMany(i => i.Utterance.Text.Split(' ')).Distinct().Count() > 1500);

        var again = SynthCorpus.Plan("/corpus", SynthPreset.Demo, seed: 1);
        Assert.Equal(plan.Select(i => (i.Utterance.Id, i.Sentence, i.Voice)), again.Select(i => (i.Utterance.Id, i.Sentence, i.Voice)));
        Assert.NotEqual(plan.Select(i => i.Sentence), SynthCorpus.Plan("/corpus", SynthPreset.Demo, seed: 2).Select(i => i.Sentence));
    }

    [Fact]
    public void NoiseIsMixedAtTheStatedSnr()
    {
        var speech = Signals.Sine(300, 16000, 1.0, amplitude: 0.3);
        var noise = Espeak.PinkNoise(speech.Length, seed: 7);
        Assert.Equal(noise, Espeak.PinkNoise(speech.Length, seed: 7));
        var mix = Espeak.MixAtSnr(speech, noise, 10);
        var added = mix.Zip(speech, (m, s) => m - s).ToArray();
        Assert.Equal(10, 20 * Math.Log10(Signals.Rms(speech) / Signals.Rms(added)), 2);
        var loud = Espeak.MixAtSnr(Signals.Sine(300, 16000, 1.0, amplitude: 0.98), noise, 0);
        Assert.True(loud.Max(Math.Abs) <= 0.99f);
    }

    [Fact]
    public async Task ATinyCorpusIsReadableDeterministicAndNotRemade()
    {
        using var dir = new TempDirectory();
        var first = Path.Combine(dir.Path, "a");
        var summary = await SynthCorpus.GenerateAsync(first, SynthPreset.Tiny, seed: 3);
        Assert.Equal(new Dictionary<string, int> { ["train"] = 24, ["dev"] = 8, ["test"] = 6, ["test-nonnative"] = 6, ["test-noisy"] = 6 }, summary.Utterances);
        Assert.True(summary.Hours["train"] > 0.01);

        var splits = SynthCorpus.Splits.Select(s => new KeyValuePair<string, SplitSource>(s, new SplitSource(Path.Combine(first, s + ".jsonl")))).ToList();
        var corpus = Corpus.Load(splits);
        Assert.Empty(corpus.Skipped);
        Assert.Equal(50, corpus.Utterances.Count);
        var (usable, bad) = AudioCheck.Run(corpus.Utterances);
        Assert.Empty(bad);
        Assert.All(usable, u => Assert.Equal(SynthCorpus.SampleRate, AudioFile.ReadInfo(u.AudioPath).SampleRate));
        var libri = LibriSpeechReader.Read(Path.Combine(first, "test"), "test");
        Assert.Equal(corpus.Utterances.Where(u => u.Split == "test").Select(u => (u.Id, u.Text, u.AudioPath)), libri.Utterances.Select(u => (u.Id, u.Text, u.AudioPath)));
        Assert.Contains("| test-nonnative |", File.ReadAllText(Path.Combine(first, "SPEAKERS.TXT")));

        // The same seed gives the same bytes, whatever the parallelism.
        var second = Path.Combine(dir.Path, "b");
        await SynthCorpus.GenerateAsync(second, SynthPreset.Tiny, seed: 3, jobs: 1);
        foreach (var u in usable)
            Assert.Equal(File.ReadAllBytes(u.AudioPath), File.ReadAllBytes(u.AudioPath.Replace(first, second)));

        // A finished corpus is left alone; another seed in the same folder is refused.
        var stamp = File.GetLastWriteTimeUtc(usable[0].AudioPath);
        var again = await SynthCorpus.GenerateAsync(first, SynthPreset.Tiny, seed: 3);
        Assert.Equal(summary.GenerationSeconds, again.GenerationSeconds);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(usable[0].AudioPath));
        await Assert.ThrowsAsync<IOException>(() => SynthCorpus.GenerateAsync(first, SynthPreset.Tiny, seed: 4));
    }
}
