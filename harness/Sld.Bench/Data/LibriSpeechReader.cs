// Reads a LibriSpeech-style folder: ROOT/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt, one
// "UTTERANCE-ID TRANSCRIPT" line per utterance, audio next to it as <id>.flac (or .wav). The synthetic corpus
// is written in the same layout, so one reader serves both.
namespace Sld.Bench.Data;

public static class LibriSpeechReader
{
    /// <summary>Reads every transcript under <paramref name="root"/>; all utterances get <paramref name="split"/>.</summary>
    public static CorpusReadResult Read(string root, string split)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"LibriSpeech folder {root} does not exist");
        var transcripts = Directory.EnumerateFiles(root, "*.trans.txt", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).ToList();
        if (transcripts.Count == 0)
            throw new InvalidDataException($"{root} holds no *.trans.txt files: not a LibriSpeech-style folder (speaker/chapter/*.trans.txt)");
        var utterances = new List<Utterance>();
        var skipped = new List<SkippedUtterance>();
        foreach (var transcript in transcripts)
        {
            var chapterDir = Path.GetDirectoryName(transcript)!;
            var speaker = Path.GetFileName(Path.GetDirectoryName(chapterDir)) ?? "";
            var chapter = Path.GetFileName(chapterDir);
            foreach (var line in TranscriptText.ReadLines(transcript))
            {
                if (line.Text is null)
                {
                    skipped.Add(new(split, line.RawKey, transcript, $"line {line.Number}: the transcript is not valid UTF-8"));
                    continue;
                }
                var (id, text) = TranscriptText.SplitKey(line.Text);
                var audio = AudioPathFor(chapterDir, id);
                if (text.Length == 0)
                {
                    skipped.Add(new(split, id, audio, $"empty transcript ({Path.GetFileName(transcript)} line {line.Number})"));
                    continue;
                }
                utterances.Add(new Utterance(id, speaker, split, audio, text)
                {
                    Metadata = Utterance.MetadataOf(("chapter", chapter)),
                });
            }
        }
        return new CorpusReadResult(utterances, skipped);
    }

    private static string AudioPathFor(string dir, string id)
    {
        var flac = Path.Combine(dir, id + ".flac");
        if (File.Exists(flac)) return flac;
        var wav = Path.Combine(dir, id + ".wav");
        return File.Exists(wav) ? wav : flac;
    }
}
