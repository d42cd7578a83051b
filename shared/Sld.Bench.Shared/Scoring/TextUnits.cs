// How normalised text is cut into scoring units: words at ASCII whitespace (as sclite and Kaldi do; a no-break
// space stays inside a word), characters as Unicode grapheme clusters so a base letter and its combining marks
// count as one character.
using System.Globalization;

namespace Sld.Bench.Shared.Scoring;

public static class TextUnits
{
    /// <summary>The unit that stands for the space between two words in character scoring (ESPnet's spelling).</summary>
    public const string Space = "<space>";

    private static readonly char[] Whitespace = [' ', '\t', '\n', '\r', '\v', '\f'];

    public static string[] Words(string text) =>
        text.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The grapheme clusters of the words, with one <see cref="Space"/> between consecutive words when
    /// <paramref name="includeSpaces"/> (the ESPnet and jiwer CER convention); runs of whitespace count once.
    /// </summary>
    public static string[] Characters(IReadOnlyList<string> words, bool includeSpaces)
    {
        var units = new List<string>();
        for (var w = 0; w < words.Count; w++)
        {
            if (w > 0 && includeSpaces) units.Add(Space);
            var word = words[w];
            var allAscii = true;
            foreach (var ch in word) if (ch >= 0x80) { allAscii = false; break; }
            if (allAscii)
            {
                foreach (var ch in word) units.Add(AsciiStrings[ch]);
                continue;
            }
            var elements = StringInfo.GetTextElementEnumerator(word);
            while (elements.MoveNext()) units.Add(elements.GetTextElement());
        }
        return [.. units];
    }

    public static string[] Characters(string text, bool includeSpaces) => Characters(Words(text), includeSpaces);

    // One shared string per ASCII character, so character scoring of ASCII text does not allocate per unit.
    private static readonly string[] AsciiStrings = [.. Enumerable.Range(0, 128).Select(c => ((char)c).ToString())];
}
