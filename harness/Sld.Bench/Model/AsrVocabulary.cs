// The one shared vocabulary of the decoder-only ASR model: specials, text units (characters by default) and
// speech tokens (K per codebook, codebooks side by side). A training sequence is
// `s_1 .. s_N <speech_end> t_1 .. t_M <text_end>`; padding fills batches and is never a target.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sld.Bench.Model;

public sealed class AsrVocabulary : IEquatable<AsrVocabulary>
{
    public const int Pad = 0;
    public const int SpeechEnd = 1;
    public const int TextEnd = 2;
    public const int Unknown = 3;
    public const int SpecialCount = 4;

    public static readonly IReadOnlyList<string> SpecialNames = ["<pad>", "<speech_end>", "<text_end>", "<unk>"];

    private readonly string[] _textUnits;
    private readonly Dictionary<string, int> _textIds;
    private readonly int _longestUnit;

    /// <param name="textUnits">Distinct text units (single characters by default; longer units are matched longest-first).</param>
    /// <param name="speechTokensPerCodebook">K, the ids each codebook's tokenizer emits (0..K-1).</param>
    /// <param name="codebooks">How many parallel token streams a speech frame has (their embeddings are summed).</param>
    public AsrVocabulary(IEnumerable<string> textUnits, int speechTokensPerCodebook, int codebooks = 1)
    {
        _textUnits = textUnits.ToArray();
        if (_textUnits.Length == 0) throw new ArgumentException("the vocabulary needs at least one text unit");
        if (_textUnits.Any(string.IsNullOrEmpty)) throw new ArgumentException("text units must be non-empty strings");
        var duplicate = _textUnits.GroupBy(u => u, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"text unit '{duplicate.Key}' appears twice");
        if (speechTokensPerCodebook < 1) throw new ArgumentException($"K must be positive, got {speechTokensPerCodebook}");
        if (codebooks < 1) throw new ArgumentException($"codebooks must be positive, got {codebooks}");
        SpeechTokensPerCodebook = speechTokensPerCodebook;
        Codebooks = codebooks;
        _textIds = _textUnits.Select((u, i) => (u, i)).ToDictionary(p => p.u, p => TextOffset + p.i, StringComparer.Ordinal);
        _longestUnit = _textUnits.Max(u => u.Length);
    }

    /// <summary>A character vocabulary over every character that occurs in <paramref name="transcripts"/>, in ordinal order.</summary>
    public static AsrVocabulary Characters(IEnumerable<string> transcripts, int speechTokensPerCodebook, int codebooks = 1) =>
        new(CharacterUnits(transcripts), speechTokensPerCodebook, codebooks);

    /// <summary>Every character (rune) of <paramref name="transcripts"/>, in ordinal order.</summary>
    private static string[] CharacterUnits(IEnumerable<string> transcripts)
    {
        var chars = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var t in transcripts)
            foreach (var rune in t.EnumerateRunes())
                chars.Add(rune.ToString());
        return [.. chars];
    }

    /// <summary>
    /// Characters plus byte-pair pieces learned over the words of <paramref name="transcripts"/> until the text units
    /// number <paramref name="textUnits"/> (or no pair repeats). Words after the first carry their leading space, so a
    /// piece never spans two words and whole frequent words become one unit (" TEACHER"). Pieces are learned by BPE
    /// merges; a transcript is then segmented longest piece first, the same way in training and decoding.
    /// </summary>
    public static AsrVocabulary BytePairs(IEnumerable<string> transcripts, int textUnits, int speechTokensPerCodebook, int codebooks = 1)
    {
        var texts = transcripts.ToList();
        var chars = CharacterUnits(texts);
        if (textUnits < chars.Length) throw new ArgumentException($"a BPE text vocabulary of {textUnits} units is smaller than the {chars.Length} characters of the transcripts");
        var charIds = chars.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var words = texts.SelectMany(t => t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select((w, i) => i == 0 ? w : " " + w))
            .Select(w => w.EnumerateRunes().Select(r => charIds[r.ToString()]).ToArray()).ToList();
        var bpe = Tokenizers.BpeModel.Train(words, chars.Length, textUnits, maxPieceLength: 32, Tokenizers.FitContext.None);
        var pieces = Enumerable.Range(0, bpe.VocabularySize)
            .Select(p => string.Concat(bpe.PieceUnits(p).ToArray().Select(u => chars[u])))
            .Distinct(StringComparer.Ordinal); // two merge paths can spell the same piece
        return new AsrVocabulary(pieces, speechTokensPerCodebook, codebooks);
    }

    public IReadOnlyList<string> TextUnits => _textUnits;
    public int SpeechTokensPerCodebook { get; }
    public int Codebooks { get; }

    public int TextOffset => SpecialCount;
    public int TextUnitCount => _textUnits.Length;

    /// <summary>Id of codebook 0's token 0; codebook c's token k is SpeechOffset + c*K + k.</summary>
    public int SpeechOffset => SpecialCount + _textUnits.Length;

    public int Size => SpeechOffset + Codebooks * SpeechTokensPerCodebook;

    public int SpeechId(int token, int codebook = 0)
    {
        if ((uint)token >= (uint)SpeechTokensPerCodebook) throw new ArgumentOutOfRangeException(nameof(token), token, $"speech token must be in [0, {SpeechTokensPerCodebook})");
        if ((uint)codebook >= (uint)Codebooks) throw new ArgumentOutOfRangeException(nameof(codebook), codebook, $"codebook must be in [0, {Codebooks})");
        return SpeechOffset + codebook * SpeechTokensPerCodebook + token;
    }

    public bool IsText(int id) => id >= TextOffset && id < SpeechOffset;
    public bool IsSpeech(int id) => id >= SpeechOffset && id < Size;

    /// <summary>Text unit ids of a transcript, longest unit first at each position; unknown characters map to &lt;unk&gt;.</summary>
    public int[] EncodeText(string text)
    {
        var ids = new List<int>(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var matched = false;
            for (var len = Math.Min(_longestUnit, text.Length - i); len >= 1 && !matched; len--)
            {
                if (_textIds.TryGetValue(text.Substring(i, len), out var id))
                {
                    ids.Add(id);
                    i += len;
                    matched = true;
                }
            }
            if (matched) continue;
            ids.Add(Unknown);
            i += char.IsSurrogatePair(text, i) ? 2 : 1;
        }
        return [.. ids];
    }

    /// <summary>The text of unit ids; specials and speech ids are skipped.</summary>
    public string DecodeText(IEnumerable<int> ids) =>
        string.Concat(ids.Where(IsText).Select(id => _textUnits[id - TextOffset]));

    public string TokenName(int id) =>
        id < SpecialCount ? SpecialNames[id]
        : IsText(id) ? _textUnits[id - TextOffset]
        : IsSpeech(id) ? $"<s{(id - SpeechOffset) / SpeechTokensPerCodebook}:{(id - SpeechOffset) % SpeechTokensPerCodebook}>"
        : throw new ArgumentOutOfRangeException(nameof(id), id, $"id outside the vocabulary of {Size}");

    private sealed record Stored(
        [property: JsonPropertyName("text_units")] string[] TextUnits,
        [property: JsonPropertyName("speech_tokens_per_codebook")] int SpeechTokensPerCodebook,
        [property: JsonPropertyName("codebooks")] int Codebooks);

    /// <summary>The vocabulary as JSON, stored with every checkpoint so ids stay interpretable.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(_textUnits, SpeechTokensPerCodebook, Codebooks));

    public static AsrVocabulary FromJson(string json)
    {
        var s = JsonSerializer.Deserialize<Stored>(json) ?? throw new InvalidDataException("empty vocabulary JSON");
        return new AsrVocabulary(s.TextUnits ?? throw new InvalidDataException("vocabulary JSON lacks text_units"),
            s.SpeechTokensPerCodebook, s.Codebooks);
    }

    public bool Equals(AsrVocabulary? other) =>
        other is not null && SpeechTokensPerCodebook == other.SpeechTokensPerCodebook && Codebooks == other.Codebooks
        && _textUnits.SequenceEqual(other._textUnits, StringComparer.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as AsrVocabulary);

    public override int GetHashCode() => HashCode.Combine(SpeechTokensPerCodebook, Codebooks, _textUnits.Length);
}
