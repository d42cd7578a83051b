// A small English grammar over the word lists: clauses with a subject that agrees with its verb, past,
// present, future and progressive tenses, objects and places with determiners and adjectives, time phrases,
// joined clauses and questions. Deterministic for a seed; sentences have 4 to 20 words.
namespace Sld.Bench.Data.Synth;

public sealed class SentenceGenerator(int seed, WordLists? words = null, int maxWords = SentenceGenerator.MaxWords)
{
    public const int MinWords = 4;
    public const int MaxWords = 20;

    /// <summary>Words the templates add besides the lists (auxiliaries, pronouns, question words).</summary>
    public static readonly string[] FunctionWords =
        ["i", "you", "he", "she", "we", "they", "am", "is", "are", "was", "were", "will", "did", "not", "to", "of", "on", "why", "where", "when", "how", "what", "very", "quite", "rather", "an", "a"];

    private readonly Random _random = new(seed);
    private readonly WordLists _words = words ?? WordLists.Default;

    private enum Tense { Past, Present, Future, Progressive }

    /// <summary>A subject's words and whether it takes "is"/"-s" (third singular), "am" (I), or the plural forms.</summary>
    private sealed record Subject(string Text, bool ThirdSingular, bool FirstSingular);

    /// <summary>The next sentence: lower case words with final punctuation, as espeak-ng should read it.</summary>
    public string Next()
    {
        while (true)
        {
            var sentence = _random.Next(10) switch
            {
                < 5 => Clause(RandomTense()) + ".",
                < 7 => Compound(),
                8 => TimeFirst(),
                _ => Question(),
            };
            var count = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            if (count >= MinWords && count <= maxWords) return sentence;
        }
    }

    /// <summary>The transcript of a generated sentence, as LibriSpeech writes them: upper case, no punctuation.</summary>
    public static string Transcript(string sentence) =>
        string.Join(' ', sentence.ToUpperInvariant().Split([' ', '.', ',', '?', '!'], StringSplitOptions.RemoveEmptyEntries));

    private string Compound()
    {
        var tense = RandomTense();
        return $"{Clause(tense)} {Pick(WordLists.Conjunctions)} {Clause(tense == Tense.Future ? Tense.Present : tense)}.";
    }

    private string TimeFirst()
    {
        var tense = _random.Next(2) == 0 ? Tense.Past : Tense.Future;
        var time = tense == Tense.Past ? Pick(WordLists.PastTimes) : Pick(WordLists.FutureTimes);
        return $"{time}, {Clause(tense, allowTime: false)}.";
    }

    private string Question()
    {
        var subject = MakeSubject();
        var verb = Pick(_words.Transitive);
        var start = _random.Next(4) switch
        {
            0 => "did",
            1 => "will",
            2 => "why did",
            _ => "where did",
        };
        return $"{start} {subject.Text} {verb.Base} {ObjectPhrase()}{Maybe(3, () => " " + PlacePhrase())}?";
    }

    private string Clause(Tense tense, bool allowTime = true)
    {
        var subject = MakeSubject();
        var transitive = _random.Next(3) != 0;
        var verb = transitive ? Pick(_words.Transitive) : Pick(_words.Intransitive);
        var verbPhrase = tense switch
        {
            Tense.Past => verb.Past,
            Tense.Present => subject.ThirdSingular ? verb.Third : verb.Base,
            Tense.Future => "will " + verb.Base,
            _ => $"{(subject.FirstSingular ? "am" : subject.ThirdSingular ? "is" : "are")} {verb.Participle}",
        };
        var parts = new List<string> { subject.Text, verbPhrase };
        if (transitive) parts.Add(ObjectPhrase());
        if (_random.Next(3) == 0) parts.Add(PlacePhrase());
        if (_random.Next(4) == 0) parts.Add(Pick(_words.Adverbs));
        if (allowTime && _random.Next(5) == 0)
            parts.Add(tense switch
            {
                Tense.Past => Pick(WordLists.PastTimes),
                Tense.Future => Pick(WordLists.FutureTimes),
                _ => Pick(WordLists.AnyTimes),
            });
        return string.Join(' ', parts);
    }

    private Subject MakeSubject()
    {
        switch (_random.Next(10))
        {
            case < 2:
                var pronoun = Pick(["i", "you", "he", "she", "we", "they"]);
                return new Subject(pronoun, pronoun is "he" or "she", pronoun == "i");
            case < 4:
                return new Subject(Pick(_words.Names), true, false);
            default:
                var plural = _random.Next(3) == 0;
                return new Subject(NounPhrase(Pick(_words.Animate), plural), !plural, false);
        }
    }

    private string ObjectPhrase()
    {
        var phrase = NounPhrase(Pick(_words.Objects), _random.Next(3) == 0);
        return _random.Next(6) == 0 ? $"{phrase} {Pick(WordLists.ObjectPrepositions)} {NounPhrase(Pick(_words.Objects), false)}" : phrase;
    }

    private string PlacePhrase() => _random.Next(5) switch
    {
        0 => $"in {Pick(_words.Towns)}",
        1 => $"on {Pick(WordLists.Weekdays)}",
        2 => $"in {Pick(WordLists.Months)}",
        _ => $"{Pick(WordLists.PlacePrepositions)} {NounPhrase(Pick(_words.Places), _random.Next(4) == 0)}",
    };

    private string NounPhrase(Noun noun, bool plural)
    {
        var adjectives = _random.Next(10) switch
        {
            < 5 => "",
            < 9 => Pick(_words.Adjectives) + " ",
            _ => $"{Pick(["very", "quite", "rather"])} {Pick(_words.Adjectives)} ",
        };
        var word = plural ? noun.Plural : noun.Singular;
        var determiner = plural
            ? (_random.Next(4) == 0 ? Pick(WordLists.Numbers) : Pick(WordLists.PluralDeterminers))
            : Pick(WordLists.SingularDeterminers);
        if (determiner == "a" && "aeiou".Contains((adjectives.Length > 0 ? adjectives : word)[0])) determiner = "an";
        return $"{determiner} {adjectives}{word}";
    }

    private string Maybe(int oneIn, Func<string> make) => _random.Next(oneIn) == 0 ? make() : "";

    private Tense RandomTense() => (Tense)_random.Next(4);

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
