// Text normalisation for scoring and for the text vocabulary. One settings record, recorded with every result
// through Describe(); the same Normalize is applied to references and hypotheses. Numbers stay as written
// ("3.5", "50%" are neither expanded nor split), apostrophes inside words can be kept ("DON'T" is one word).
// The build runs with invariant globalization, where string.Normalize does not compose, so a letter followed
// by a combining accent is composed here from a table of the Latin letters (A + U+0301 -> Á).
using System.Globalization;
using System.Text;

namespace Sld.Bench.Data;

public enum LetterCase
{
    Keep,
    Upper,
    Lower,
}

public sealed record TextNormalization
{
    /// <summary>LibriSpeech's transcripts are upper case; so is the synthetic corpus.</summary>
    public LetterCase Case { get; init; } = LetterCase.Upper;

    /// <summary>Punctuation becomes a word break, except inside numbers (3.5, 1,000, 10:30).</summary>
    public bool RemovePunctuation { get; init; } = true;

    /// <summary>Keep an apostrophe between two letters (DON'T, JOHN'S); other apostrophes are quotes and go.</summary>
    public bool KeepApostrophes { get; init; } = true;

    /// <summary>A stable, complete description of these settings, stored next to every score.</summary>
    public string Describe() =>
        $"case={Case.ToString().ToLowerInvariant()} punctuation={(RemovePunctuation ? "removed" : "kept")}" +
        (RemovePunctuation ? $" apostrophes={(KeepApostrophes ? "kept-in-words" : "removed")}" : "") +
        " numbers=as-written whitespace=collapsed accents=composed";

    public string Normalize(string text)
    {
        var s = ComposeLatin(text);
        if (RemovePunctuation) s = StripPunctuation(s);
        s = Case switch
        {
            LetterCase.Upper => s.ToUpperInvariant(),
            LetterCase.Lower => s.ToLowerInvariant(),
            _ => s,
        };
        return CollapseWhitespace(s);
    }

    /// <summary>Normalised words, as scoring aligns them.</summary>
    public string[] Words(string text) => Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private string StripPunctuation(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (!IsPunctuation(c))
            {
                sb.Append(c);
                continue;
            }
            var before = i > 0 ? s[i - 1] : ' ';
            var after = i + 1 < s.Length ? s[i + 1] : ' ';
            if (char.IsDigit(before) && (char.IsDigit(after) && c is '.' or ',' or ':' or '/' || c is '%' or '\u2030'))
                sb.Append(c);
            else if (KeepApostrophes && c is '\'' or '\u2019' && char.IsLetter(before) && char.IsLetter(after))
                sb.Append('\'');
            else
                sb.Append(' ');
        }
        return sb.ToString();
    }

    /// <summary>Base letter to precomposed letter, per combining mark (the Latin-1 and Latin Extended-A letters).</summary>
    private static readonly Dictionary<char, string> Compositions = new()
    {
        ['\u0300'] = "AÀEÈIÌOÒUÙaàeèiìoòuù",
        ['\u0301'] = "AÁEÉIÍOÓUÚYÝaáeéiíoóuúyýCĆcćLĹlĺNŃnńRŔrŕSŚsśZŹzź",
        ['\u0302'] = "AÂEÊIÎOÔUÛaâeêiîoôuûCĈcĉGĜgĝHĤhĥJĴjĵSŜsŝWŴwŵYŶyŷ",
        ['\u0303'] = "AÃNÑOÕaãnñoõIĨiĩUŨuũ",
        ['\u0304'] = "AĀaāEĒeēIĪiīOŌoōUŪuū",
        ['\u0306'] = "AĂaăEĔeĕGĞgğIĬiĭOŎoŏUŬuŭ",
        ['\u0307'] = "CĊcċEĖeėGĠgġIİZŻzż",
        ['\u0308'] = "AÄEËIÏOÖUÜaäeëiïoöuüyÿYŸ",
        ['\u030A'] = "AÅaåUŮuů",
        ['\u030C'] = "CČcčDĎdďEĚeěLĽlľNŇnňRŘrřSŠsšTŤtťZŽzž",
        ['\u0327'] = "CÇcçGĢgģKĶkķLĻlļNŅnņRŖrŗSŞsşTŢtţ",
        ['\u0328'] = "AĄaąEĘeęIĮiįUŲuų",
    };

    private static string ComposeLatin(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (sb.Length > 0 && Compositions.TryGetValue(c, out var table))
            {
                var at = table.IndexOf(sb[^1]);
                if (at >= 0 && at % 2 == 0)
                {
                    sb[^1] = table[at + 1];
                    continue;
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }

    private static bool IsPunctuation(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.ConnectorPunctuation
        or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation
        or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;

    private static string CollapseWhitespace(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c))
            {
                if (sb.Length > 0 && sb[^1] != ' ') sb.Append(' ');
            }
            else sb.Append(c);
        }
        if (sb.Length > 0 && sb[^1] == ' ') sb.Length--;
        return sb.ToString();
    }
}
