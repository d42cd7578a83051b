// The shared vocabulary's id layout (specials, text units, speech tokens per codebook), text round trips, unknown
// characters, longest-match units, byte-pair text pieces, and the JSON stored with checkpoints.
using Sld.Bench.Model;

namespace Sld.Bench.Tests.Model;

public class AsrVocabularyTests
{
    [Fact]
    public void LaysOutSpecialsTextAndEveryCodebook()
    {
        var v = AsrVocabulary.Characters(["ba c", "cab"], speechTokensPerCodebook: 5, codebooks: 2);
        Assert.Equal([" ", "a", "b", "c"], v.TextUnits);
        Assert.Equal(4, v.TextOffset);
        Assert.Equal(8, v.SpeechOffset);
        Assert.Equal(8 + 2 * 5, v.Size);
        Assert.Equal(8, v.SpeechId(0));
        Assert.Equal(8 + 5 + 3, v.SpeechId(3, codebook: 1));
        Assert.True(v.IsText(7) && !v.IsText(8) && !v.IsText(AsrVocabulary.TextEnd));
        Assert.True(v.IsSpeech(17) && !v.IsSpeech(18));
        Assert.Equal("<speech_end>", v.TokenName(AsrVocabulary.SpeechEnd));
        Assert.Equal("<s1:3>", v.TokenName(16));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.SpeechId(5));
    }

    [Fact]
    public void EncodesAndDecodesTextWithUnknownsAndLongestMatch()
    {
        var v = AsrVocabulary.Characters(["ab"], 3);
        Assert.Equal([5, 4, AsrVocabulary.Unknown, 5], v.EncodeText("bazb"));
        Assert.Equal("bab", v.DecodeText([5, 4, AsrVocabulary.Unknown, AsrVocabulary.TextEnd, v.SpeechId(1), 5]));

        var units = new AsrVocabulary(["a", "ab", "b"], 3);
        Assert.Equal([5, 6], units.EncodeText("abb")); // "ab" wins over "a" at position 0
        Assert.Equal([4, 5], units.EncodeText("aab"));
        Assert.Equal([5, 5], units.EncodeText("abab"));
    }

    [Fact]
    public void BytePairPiecesStayInsideWordsAndRoundTripEveryTranscript()
    {
        string[] transcripts = ["THE CAT SAT", "THE CAT RAN", "A CAT SAT ON THE MAT", "THE RAT SAT"];
        var v = AsrVocabulary.BytePairs(transcripts, textUnits: 20, speechTokensPerCodebook: 4);
        var chars = AsrVocabulary.Characters(transcripts, 4).TextUnits;
        Assert.Equal(chars, v.TextUnits.Take(chars.Count)); // every character stays a unit, so any text can be spelt
        Assert.InRange(v.TextUnitCount, chars.Count + 1, 20);
        Assert.Contains(" CAT", v.TextUnits); // frequent words become one unit with their leading space
        Assert.All(v.TextUnits, u => Assert.DoesNotContain(' ', u.TrimStart(' '))); // no piece spans two words
        foreach (var t in transcripts.Append("THE HAT ON A RAT"))
        {
            var ids = v.EncodeText(t);
            Assert.Equal(t, v.DecodeText(ids));
            Assert.DoesNotContain(AsrVocabulary.Unknown, ids);
        }
        Assert.True(v.EncodeText("THE CAT SAT").Length < "THE CAT SAT".Length / 2);
        Assert.Equal(v, AsrVocabulary.FromJson(v.ToJson()));
        Assert.Throws<ArgumentException>(() => AsrVocabulary.BytePairs(transcripts, textUnits: 5, speechTokensPerCodebook: 4));
    }

    [Fact]
    public void RoundTripsThroughJson()
    {
        var v = new AsrVocabulary(["x", "yz"], 7, codebooks: 3);
        var back = AsrVocabulary.FromJson(v.ToJson());
        Assert.Equal(v, back);
        Assert.Equal(v.Size, back.Size);
        Assert.NotEqual(v, new AsrVocabulary(["x", "yz"], 7, codebooks: 2));
    }
}
