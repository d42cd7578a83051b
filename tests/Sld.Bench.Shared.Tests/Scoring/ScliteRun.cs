// Runs NIST sclite on trn files and parses what the parity tests compare: the SGML alignments (operations and
// word pairs per utterance), the raw per-speaker counts (rsum), the per-speaker percentage statistics (sum),
// the error lists (dtl) and the pralign text.
using System.Text.RegularExpressions;
using Sld.Bench.Testing;

namespace Sld.Bench.Shared.Tests.Scoring;

internal sealed record ScliteWord(char Op, string? Ref, string? Hyp);

internal sealed record ScliteSpeakerRow(string Speaker, string[] Cells);

internal sealed partial class ScliteRun
{
    public const string Name = "out";

    private ScliteRun(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>Runs `sctk sclite -r ref.trn trn -h hyp.trn trn -i rm -s -e utf-8` with every report written to files.</summary>
    public static ScliteRun Score(string directory, string refTrn = "ref.trn", string hypTrn = "hyp.trn")
    {
        ExternalTool.RunSctkIn(directory, null, "sclite", "-r", refTrn, "trn", "-h", hypTrn, "trn", "-i", "rm", "-s", "-e", "utf-8",
            "-o", "sum", "rsum", "pralign", "dtl", "sgml", "-O", directory, "-n", Name, "-f", "0");
        return new ScliteRun(directory);
    }

    public string Read(string extension) => File.ReadAllText(Path.Combine(Directory, $"{Name}.{extension}"));

    /// <summary>Per utterance id (with sclite's parentheses removed): the aligned words in order.</summary>
    public Dictionary<string, List<ScliteWord>> Alignments()
    {
        var result = new Dictionary<string, List<ScliteWord>>(StringComparer.Ordinal);
        var lines = Read("sgml").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var m = PathLine().Match(lines[i]);
            if (!m.Success) continue;
            var words = new List<ScliteWord>();
            var body = lines[i + 1];
            if (body.Length > 0 && !body.StartsWith("</PATH>", StringComparison.Ordinal))
                foreach (var item in body.Split(':'))
                {
                    var w = WordItem().Match(item);
                    if (!w.Success) throw new FormatException($"unparsed sclite SGML item '{item}'");
                    words.Add(new ScliteWord(w.Groups[1].Value[0],
                        w.Groups[2].Success ? w.Groups[2].Value : null, w.Groups[3].Success ? w.Groups[3].Value : null));
                }
            result[m.Groups[1].Value] = words;
        }
        return result;
    }

    /// <summary>The rows of a "by speaker" table ("raw": rsum counts; "sys": sum percentages) by their first cell.</summary>
    public Dictionary<string, string[]> SummaryRows(string extension)
    {
        var rows = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in Read(extension).Split('\n'))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length != 5 || cells[1].Length == 0 || cells[1] == "SPKR") continue;
            if (!char.IsDigit(cells[2].FirstOrDefault())) continue;
            rows[cells[1]] = [.. cells[2].Split(' ', StringSplitOptions.RemoveEmptyEntries),
                              .. cells[3].Split(' ', StringSplitOptions.RemoveEmptyEntries)];
        }
        return rows;
    }

    /// <summary>A dtl section ("CONFUSION PAIRS", "INSERTIONS", ...) as (count, item text) in sclite's order.</summary>
    public List<(int count, string item)> DtlSection(string title)
    {
        var lines = Read("dtl").Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith(title + " ", StringComparison.Ordinal));
        if (start < 0) throw new FormatException($"no dtl section '{title}'");
        var items = new List<(int, string)>();
        for (var i = start + 1; i < lines.Length && !lines[i].TrimStart().StartsWith("-------", StringComparison.Ordinal); i++)
        {
            var m = DtlItem().Match(lines[i]);
            if (m.Success) items.Add((int.Parse(m.Groups[1].Value), m.Groups[2].Value));
        }
        return items;
    }

    /// <summary>REF, HYP and Eval lines per utterance id from the pralign report.</summary>
    public Dictionary<string, string> PrAlign()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = Read("pra").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("id: (", StringComparison.Ordinal)) continue;
            var id = lines[i][5..^1];
            var at = i + 1;
            while (at < lines.Length && !lines[at].StartsWith("REF:  ", StringComparison.Ordinal) && !lines[at].StartsWith("id: ", StringComparison.Ordinal)) at++;
            result[id] = at < lines.Length && lines[at].StartsWith("REF:  ", StringComparison.Ordinal)
                ? $"{lines[at]}\n{lines[at + 1]}\n{lines[at + 2]}\n" : "";
        }
        return result;
    }

    [GeneratedRegex("^<PATH id=\"\\((.*)\\)\"")]
    private static partial Regex PathLine();

    [GeneratedRegex("^([CSDI]),(?:\"(.*?)\")?,(?:\"(.*)\")?$")]
    private static partial Regex WordItem();

    [GeneratedRegex(@"^\s*\d+:\s+(\d+)\s+->\s+(.*)$")]
    private static partial Regex DtlItem();
}
