// Reads YAML (and therefore JSON) into positioned ConfigNode trees from YamlDotNet's parser events, so every
// node keeps its line and column. Plain scalars are typed by the YAML 1.2 core schema (so `yes` and `on` stay
// strings and `1e-3` is a number); quoted scalars are always strings; a plain `???` marks a required value.
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sld.Bench.Shared.Config;

public static partial class ConfigYaml
{
    /// <summary>Parses a YAML file; an empty file is an empty mapping.</summary>
    public static ConfigNode LoadFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigException(SourceLocation.None(path), $"config file {path} does not exist");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses YAML text named <paramref name="source"/> in locations; columns are shifted by <paramref name="columnOffset"/> and lines set to <paramref name="line"/> when given (for --set values).</summary>
    public static ConfigNode Parse(string text, string source, int columnOffset = 0, int? line = null)
    {
        var reader = new Reader(source, columnOffset, line);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return ConfigMap.Empty(new SourceLocation(source, line ?? 1, 1));
            parser.Consume<DocumentStart>();
            var root = reader.Read(parser);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var next))
                throw new ConfigException(reader.At(next.Start), "a config file holds one YAML document; found a second one");
            return root;
        }
        catch (YamlException e)
        {
            throw new ConfigException(reader.At(e.Start), $"invalid YAML: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this on some malformed flow collections; report the last good position.
            throw new ConfigException(reader.At(reader.Last), $"invalid YAML after this point ({e.Message})");
        }
    }

    /// <summary>Types a plain scalar by the YAML 1.2 core schema, with `???` as the missing-value marker.</summary>
    public static ScalarKind ResolvePlain(string text)
    {
        if (text == "???") return ScalarKind.Missing;
        if (text is "" or "~" or "null" or "Null" or "NULL") return ScalarKind.Null;
        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE") return ScalarKind.Bool;
        if (IntPattern().IsMatch(text)) return FitsInLong(text) ? ScalarKind.Int : ScalarKind.Float;
        if (FloatPattern().IsMatch(text) || SpecialFloatPattern().IsMatch(text)) return ScalarKind.Float;
        return ScalarKind.String;
    }

    private static bool FitsInLong(string text)
    {
        var body = text.TrimStart('+', '-');
        if (body.StartsWith("0x", StringComparison.Ordinal)) return body.Length - 2 <= 15;
        if (body.StartsWith("0o", StringComparison.Ordinal)) return body.Length - 2 <= 20;
        return long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    [GeneratedRegex(@"^([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.nan|\.NaN|\.NAN)$")]
    private static partial Regex SpecialFloatPattern();

    private sealed class Reader(string source, int columnOffset, int? line)
    {
        private readonly Dictionary<string, ConfigNode> _anchors = new(StringComparer.Ordinal);

        public SourceLocation At(Mark mark) =>
            new(source, line ?? (int)mark.Line, (int)mark.Column + columnOffset);

        /// <summary>The start of the last event read, for errors the parser raises without a position.</summary>
        public Mark Last { get; private set; } = Mark.Empty;

        public ConfigNode Read(IParser parser)
        {
            if (parser.Current is { } current) Last = current.Start;
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                return _anchors.TryGetValue(alias.Value.Value, out var target)
                    ? target
                    : throw new ConfigException(At(alias.Start), $"unknown alias *{alias.Value.Value}");
            }
            ConfigNode node;
            AnchorName anchor;
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                anchor = scalar.Anchor;
                node = new ConfigScalar(KindOf(scalar), scalar.Value, At(scalar.Start));
            }
            else if (parser.TryConsume<SequenceStart>(out var seq))
            {
                anchor = seq.Anchor;
                var items = new List<ConfigNode>();
                while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(Read(parser));
                node = new ConfigList(items, At(seq.Start));
            }
            else if (parser.TryConsume<MappingStart>(out var map))
            {
                anchor = map.Anchor;
                var entries = new List<ConfigEntry>();
                var seen = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    if (!parser.TryConsume<Scalar>(out var key))
                    {
                        parser.Accept<ParsingEvent>(out var bad);
                        throw new ConfigException(At(bad!.Start), "mapping keys must be plain strings");
                    }
                    var keyLocation = At(key.Start);
                    if (seen.TryGetValue(key.Value, out var first))
                        throw new ConfigException(keyLocation, $"duplicate key '{key.Value}' (first at {first})");
                    seen[key.Value] = keyLocation;
                    entries.Add(new ConfigEntry(key.Value, keyLocation, Read(parser)));
                }
                node = new ConfigMap(entries, At(map.Start));
            }
            else
            {
                parser.Accept<ParsingEvent>(out var unexpected);
                throw new ConfigException(At(unexpected!.Start), $"unexpected YAML event {unexpected.GetType().Name}");
            }
            if (!anchor.IsEmpty) _anchors[anchor.Value] = node;
            return node;
        }

        private static ScalarKind KindOf(Scalar scalar)
        {
            if (!scalar.Tag.IsEmpty)
            {
                var tag = scalar.Tag.Value;
                if (tag is "tag:yaml.org,2002:str" or "!!str") return ScalarKind.String;
            }
            return scalar.Style is ScalarStyle.Plain or ScalarStyle.Any ? ResolvePlain(scalar.Value) : ScalarKind.String;
        }
    }
}
