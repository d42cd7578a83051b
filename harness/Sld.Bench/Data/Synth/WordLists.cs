// The synthetic corpus's vocabulary: word lists written for this project (Data/Synth/Words/*.txt, embedded in
// the assembly) plus the closed word classes (determiners, pronouns, prepositions, time phrases) in code.
namespace Sld.Bench.Data.Synth;

public sealed record Noun(string Singular, string Plural);

/// <summary>A verb's forms: base (they carry), third person (she carries), past (carried), participle (carrying).</summary>
public sealed record Verb(string Base, string Third, string Past, string Participle);

public sealed class WordLists
{
    private static readonly Lazy<WordLists> Shared = new(Load);

    public static WordLists Default => Shared.Value;

    public required IReadOnlyList<Noun> Animate { get; init; }
    public required IReadOnlyList<Noun> Objects { get; init; }
    public required IReadOnlyList<Noun> Places { get; init; }
    public required IReadOnlyList<string> Adjectives { get; init; }
    public required IReadOnlyList<string> Adverbs { get; init; }
    public required IReadOnlyList<Verb> Transitive { get; init; }
    public required IReadOnlyList<Verb> Intransitive { get; init; }
    public required IReadOnlyList<string> Names { get; init; }
    public required IReadOnlyList<string> Towns { get; init; }

    public static readonly string[] Numbers = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "twenty"];
    public static readonly string[] Weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    public static readonly string[] Months = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
    public static readonly string[] SingularDeterminers = ["the", "a", "my", "your", "his", "her", "our", "their", "this", "that", "every", "one"];
    public static readonly string[] PluralDeterminers = ["the", "some", "my", "your", "our", "their", "these", "those", "many", "several", "a few"];
    public static readonly string[] PlacePrepositions = ["in", "near", "behind", "beside", "inside", "outside", "across", "along", "around", "past", "through", "towards", "beyond", "above", "below"];
    public static readonly string[] ObjectPrepositions = ["with", "without", "under", "on", "beside", "next to", "behind", "inside"];
    public static readonly string[] Conjunctions = ["and", "but", "because", "while", "so", "although", "when", "before", "after", "until"];
    public static readonly string[] PastTimes = ["yesterday", "last night", "last week", "a moment ago", "long ago", "the other day", "last summer", "last winter"];
    public static readonly string[] FutureTimes = ["tomorrow", "next week", "soon", "later tonight", "next summer", "in a while"];
    public static readonly string[] AnyTimes = ["in the morning", "in the evening", "at noon", "at night", "after lunch", "before dinner", "every day", "at dawn", "at dusk"];

    /// <summary>The first <paramref name="count"/> entries of each open list (the closed classes stay whole).</summary>
    public WordLists Take(int count) => new()
    {
        Animate = Animate.Take(count).ToList(), Objects = Objects.Take(count).ToList(), Places = Places.Take(count).ToList(),
        Adjectives = Adjectives.Take(count).ToList(), Adverbs = Adverbs.Take(count).ToList(), Transitive = Transitive.Take(count).ToList(),
        Intransitive = Intransitive.Take(count).ToList(), Names = Names.Take(count).ToList(), Towns = Towns.Take(count).ToList(),
    };

    /// <summary>Every distinct word form the grammar can produce (lower case), the corpus's closed vocabulary.</summary>
    public IReadOnlySet<string> Vocabulary()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        void Add(IEnumerable<string> phrases)
        {
            foreach (var p in phrases)
            foreach (var w in p.Split(' ', StringSplitOptions.RemoveEmptyEntries)) words.Add(w.ToLowerInvariant());
        }
        Add(Animate.Concat(Objects).Concat(Places).SelectMany(n => new[] { n.Singular, n.Plural }));
        Add(Transitive.Concat(Intransitive).SelectMany(v => new[] { v.Base, v.Third, v.Past, v.Participle }));
        Add(Adjectives.Concat(Adverbs).Concat(Names).Concat(Towns));
        Add(Numbers.Concat(Weekdays).Concat(Months).Concat(SingularDeterminers).Concat(PluralDeterminers).Concat(PlacePrepositions)
            .Concat(ObjectPrepositions).Concat(Conjunctions).Concat(PastTimes).Concat(FutureTimes).Concat(AnyTimes));
        Add(SentenceGenerator.FunctionWords);
        return words;
    }

    private static WordLists Load() => new()
    {
        Animate = Read("nouns-animate", 2).Select(f => new Noun(f[0], f[1])).ToList(),
        Objects = Read("nouns-object", 2).Select(f => new Noun(f[0], f[1])).ToList(),
        Places = Read("nouns-place", 2).Select(f => new Noun(f[0], f[1])).ToList(),
        Adjectives = Read("adjectives", 1).Select(f => f[0]).ToList(),
        Adverbs = Read("adverbs", 1).Select(f => f[0]).ToList(),
        Transitive = Read("verbs-transitive", 4).Select(f => new Verb(f[0], f[1], f[2], f[3])).ToList(),
        Intransitive = Read("verbs-intransitive", 4).Select(f => new Verb(f[0], f[1], f[2], f[3])).ToList(),
        Names = Read("names", 1).Select(f => f[0]).ToList(),
        Towns = Read("towns", 1).Select(f => f[0]).ToList(),
    };

    private static IEnumerable<string[]> Read(string list, int fields)
    {
        var name = $"Sld.Bench.Synth.{list}.txt";
        using var stream = typeof(WordLists).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"embedded word list {name} is missing from the assembly");
        using var reader = new StreamReader(stream);
        var rows = new List<string[]>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != fields) throw new InvalidDataException($"{list}.txt line {number}: expected {fields} words, got '{line}'");
            rows.Add(parts);
        }
        return rows;
    }
}
