// Text normalisation: case, punctuation as word breaks, numbers left as written, apostrophes inside words,
// accents composed, whitespace collapsed; the description that is stored with every score names all of it.
using Sld.Bench.Data;

namespace Sld.Bench.Tests.Data;

public class TextNormalizationTests
{
    [Theory]
    [InlineData("Hello, world!", "HELLO WORLD")]
    [InlineData("  It's   3.5 km -- not 1,000 m; at 10:30.  ", "IT'S 3.5 KM NOT 1,000 M AT 10:30")]
    [InlineData("\"Quoted\" (words) and well-known 'single' quotes", "QUOTED WORDS AND WELL KNOWN SINGLE QUOTES")]
    [InlineData("the dogs' bowls \u2019tis don\u2019t", "THE DOGS BOWLS TIS DON'T")]
    [InlineData("Cafe\u0301 au lait, nai\u0308ve", "CAF\u00C9 AU LAIT NA\u00CFVE")]
    [InlineData("$5 and 50% off 2nd", "$5 AND 50% OFF 2ND")]
    [InlineData("...", "")]
    public void DefaultsMatchLibriSpeechStyleReferences(string input, string expected) =>
        Assert.Equal(expected, new TextNormalization().Normalize(input));

    [Fact]
    public void SettingsChangeTheResultAndTheDescription()
    {
        var keep = new TextNormalization { Case = LetterCase.Keep, RemovePunctuation = false };
        Assert.Equal("Hello, world! It's fine.", keep.Normalize("Hello,  world!\tIt's fine."));
        var lower = new TextNormalization { Case = LetterCase.Lower, KeepApostrophes = false };
        Assert.Equal("it s fine", lower.Normalize("It's fine."));
        Assert.Equal(["DON'T", "STOP"], new TextNormalization().Words("don't -- stop"));

        Assert.Equal("case=upper punctuation=removed apostrophes=kept-in-words numbers=as-written whitespace=collapsed accents=composed",
            new TextNormalization().Describe());
        Assert.Equal("case=keep punctuation=kept numbers=as-written whitespace=collapsed accents=composed", keep.Describe());
        Assert.NotEqual(new TextNormalization().Describe(), lower.Describe());
    }

    [Fact]
    public void ReferencesAndHypothesesNormaliseAlike()
    {
        var n = new TextNormalization();
        Assert.Equal(n.Normalize("THE CAT'S HAT"), n.Normalize("the cat's hat."));
        Assert.Equal(n.Normalize("THE CAT'S HAT"), n.Normalize(n.Normalize("the   Cat's, hat")));
    }
}
