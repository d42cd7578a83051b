// Reads YAML (and therefore JSON) into positioned ConfigNode trees from YamlDotNet's parser events, so every
// node keeps its line and column. Plain scalars are typed by the YAML 1.2 core schema (so `yes` and `on` stay
// strings and `1e-3` is a number); quoted scalars are always strings; a plain `???` marks a required value.
// Hostile input is bounded: files must be valid UTF-8, nesting is limited to MaxDepth and aliases may not
// expand the document beyond MaxExpandedNodes (a "billion laughs" file is an error, not an out-of-memory crash).
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Sld.Bench.Shared.Config;

public static partial class ConfigYaml
{
    /// <summary>The deepest nesting of mappings and lists a config may have (real configs use fewer than 10 levels).</summary>
    public const int MaxDepth = 64;

    /// <summary>The most nodes a document may hold once every alias is expanded (real configs hold a few hundred).</summary>
    public const long MaxExpandedNodes = 1_000_000;

    /// <summary>Parses a YAML file; an empty file is an empty mapping.</summary>
    public static ConfigNode LoadFile(string path)
    {
        if (!File.Exists(path)) throw new ConfigException(SourceLocation.None(path), $"config file {path} does not exist");
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException(SourceLocation.None(path), $"config file {path} cannot be read: {e.Message}");
        }
        return Parse(DecodeUtf8(bytes, path), path);
    }

    /// <summary>Strict UTF-8 (a BOM is skipped): an invalid byte is an error at its line and column, never a silent U+FFFD.</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        if (System.Text.Unicode.Utf8.IsValid(bytes)) return Encoding.UTF8.GetString(bytes);
        int line = 1, column = 1, offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
                throw new ConfigException(new SourceLocation(source, line, column),
                    $"the file is not valid UTF-8: byte 0x{bytes[offset]:X2} at offset {offset} starts no character; save it as UTF-8");
            if (rune.Value == '\n')
            {
                line++;
                column = 1;
            }
            else column++;
            offset += consumed;
        }
        return Encoding.UTF8.GetString(bytes);
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
            throw reader.Invalid(text, e.Start, e.End, e.Message);
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's parser throws this at the end of the text inside an open flow collection.
            throw reader.Unterminated();
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
        private readonly Dictionary<string, (ConfigNode Node, long Size)> _anchors = new(StringComparer.Ordinal);
        private readonly Stack<(Mark Start, bool IsMapping)> _openFlows = new();
        private long _expanded;
        private int _depth;

        public SourceLocation At(Mark mark) =>
            new(source, line ?? (int)mark.Line, (int)mark.Column + columnOffset);

        /// <summary>The start of the last event read, for errors the parser raises without a position.</summary>
        public Mark Last { get; private set; } = Mark.Empty;

        /// <summary>
        /// A parser error at its position. YamlDotNet places some errors badly (a tab in the indentation at the
        /// previous scalar or at 1:1; the end of an unclosed flow collection at the end of the text), so those
        /// are placed here: at the tab itself, and at the bracket that was never closed.
        /// </summary>
        public ConfigException Invalid(string text, Mark start, Mark end, string message)
        {
            if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && TabIndentation(text) is { } tab)
                return new ConfigException(tab, $"invalid YAML: a tab in the indentation ({message}); indent with spaces");
            var mark = start.Index > 0 || start.Line > 1 || start.Column > 1 ? start
                : end.Index > 0 || end.Line > 1 || end.Column > 1 ? end
                : Last;
            var atEnd = mark.Index >= text.Length || string.IsNullOrWhiteSpace(text[(int)mark.Index..]);
            if (_openFlows.Count == 0)
                return atEnd && UnclosedBracket(text) is { } bracket ? Unclosed(bracket.At, bracket.IsMapping) : new ConfigException(At(mark), $"invalid YAML: {message}");
            if (atEnd) return Unterminated();
            var (open, isMapping) = _openFlows.Peek();
            return new ConfigException(At(mark), $"invalid YAML: {message} (inside the flow {(isMapping ? "mapping" : "list")} opened at {At(open)})");
        }

        /// <summary>The first tab in a line's leading whitespace, where YAML forbids it.</summary>
        private SourceLocation? TabIndentation(string text)
        {
            var lineNumber = 0;
            foreach (var textLine in text.Split('\n'))
            {
                lineNumber++;
                for (var i = 0; i < textLine.Length && textLine[i] is ' ' or '\t'; i++)
                    if (textLine[i] == '\t' && i + 1 < textLine.TrimEnd().Length)
                        return new SourceLocation(source, line ?? lineNumber, i + 1 + columnOffset);
            }
            return null;
        }

        /// <summary>The text ended inside a flow collection: name the bracket that was never closed.</summary>
        public ConfigException Unterminated()
        {
            if (_openFlows.Count == 0) return new ConfigException(At(Last), "invalid YAML: the text ends in the middle of a value");
            var (start, isMapping) = _openFlows.Peek();
            return Unclosed(At(start), isMapping);
        }

        private static ConfigException Unclosed(SourceLocation at, bool isMapping) => new(at, isMapping
            ? "invalid YAML: the flow mapping opened here with '{' is never closed with '}'"
            : "invalid YAML: the flow list opened here with '[' is never closed with ']'");

        /// <summary>
        /// The innermost '{' or '[' left open at the end of the text, for errors the parser raises before it
        /// reports the collection (`a: {` at the very end). Quoted strings and comments are skipped.
        /// </summary>
        private (SourceLocation At, bool IsMapping)? UnclosedBracket(string text)
        {
            var open = new Stack<(SourceLocation, bool)>();
            int lineNumber = 1, column = 0;
            char quote = '\0';
            var previous = '\n';
            foreach (var c in text)
            {
                column++;
                if (c == '\n')
                {
                    lineNumber++;
                    column = 0;
                    if (quote == '#') quote = '\0';
                    previous = c;
                    continue;
                }
                if (quote == '#')
                {
                    previous = c;
                    continue;
                }
                if (quote != '\0')
                {
                    if (c == quote) quote = '\0';
                    previous = c;
                    continue;
                }
                var afterSpace = previous is '\n' or ' ' or '\t' or '[' or '{' or ',' or ':';
                if (c == '#' && previous is '\n' or ' ' or '\t') quote = '#';
                else if (c is '"' or '\'' && afterSpace) quote = c;
                else if (c is '{' or '[') open.Push((new SourceLocation(source, line ?? lineNumber, column + columnOffset), c == '{'));
                else if (c is '}' or ']' && open.Count > 0) open.Pop();
                previous = c;
            }
            return open.Count > 0 ? open.Peek() : null;
        }

        public ConfigNode Read(IParser parser) => Read(parser, out _);

        private ConfigNode Read(IParser parser, out long size)
        {
            if (parser.Current is { } current) Last = current.Start;
            if (parser.TryConsume<AnchorAlias>(out var alias))
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var target))
                    throw new ConfigException(At(alias.Start), $"unknown alias *{alias.Value.Value}");
                size = target.Size;
                Count(size, alias.Start, $"the alias *{alias.Value.Value}");
                return target.Node;
            }
            ConfigNode node;
            AnchorName anchor;
            size = 1;
            Count(1, parser.Current?.Start ?? Last, "this node");
            if (parser.TryConsume<Scalar>(out var scalar))
            {
                anchor = scalar.Anchor;
                node = new ConfigScalar(KindOf(scalar), scalar.Value, At(scalar.Start));
            }
            else if (parser.TryConsume<SequenceStart>(out var seq))
            {
                anchor = seq.Anchor;
                Enter(seq.Start, seq.Style == SequenceStyle.Flow, false);
                var items = new List<ConfigNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(Read(parser, out var itemSize));
                    size += itemSize;
                }
                Leave(seq.Style == SequenceStyle.Flow);
                node = new ConfigList(items, At(seq.Start));
            }
            else if (parser.TryConsume<MappingStart>(out var map))
            {
                anchor = map.Anchor;
                Enter(map.Start, map.Style == MappingStyle.Flow, true);
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
                    entries.Add(new ConfigEntry(key.Value, keyLocation, Read(parser, out var valueSize)));
                    size += valueSize + 1;
                }
                Leave(map.Style == MappingStyle.Flow);
                node = new ConfigMap(entries, At(map.Start));
            }
            else
            {
                parser.Accept<ParsingEvent>(out var unexpected);
                throw new ConfigException(At(unexpected!.Start), $"unexpected YAML event {unexpected.GetType().Name}");
            }
            if (!anchor.IsEmpty) _anchors[anchor.Value] = (node, size);
            return node;
        }

        private void Enter(Mark start, bool flow, bool isMapping)
        {
            if (++_depth > MaxDepth)
                throw new ConfigException(At(start), $"the config nests mappings and lists more than {MaxDepth} levels deep here");
            if (flow) _openFlows.Push((start, isMapping));
        }

        private void Leave(bool flow)
        {
            _depth--;
            if (flow) _openFlows.Pop();
        }

        // Aliases share nodes, but everything downstream (composition, hashing, JSON) walks the expanded tree.
        private void Count(long nodes, Mark at, string what)
        {
            _expanded += nodes;
            if (_expanded > MaxExpandedNodes)
                throw new ConfigException(At(at),
                    $"{what} makes the document larger than {MaxExpandedNodes:N0} nodes once aliases are expanded (nested aliases multiply); write the values out or use fewer aliases");
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
