// Refuses an output path that names one of the command's inputs (`features IN -o IN`, `score --json` onto the
// hypothesis file, `export -o` onto the database), before anything is read or written. Paths are compared
// after making them absolute and following symbolic links, so `./a.wav`, `/x/a.wav` and a link to it match.
namespace Sld.Bench.Cli.Commands;

internal static class OutputGuard
{
    /// <summary>Throws an ArgumentException naming both when <paramref name="output"/> is the same file as an input.</summary>
    public static void NotAnInput(string outputOption, string output, params (string What, string Path)[] inputs)
    {
        var target = Canonical(output);
        foreach (var (what, path) in inputs)
            if (string.Equals(target, Canonical(path), StringComparison.Ordinal))
                throw new ArgumentException($"{outputOption} {output} is the {what} ({path}); writing it would destroy the input. Choose another output file");
    }

    /// <summary>Throws when a file written into <paramref name="directory"/> under one of <paramref name="names"/> would be an input.</summary>
    public static void NoInputInside(string outputOption, string directory, IEnumerable<string> names, params (string What, string Path)[] inputs)
    {
        foreach (var name in names) NotAnInput($"{outputOption} (its {name})", Path.Combine(directory, name), inputs);
    }

    private static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            if (File.Exists(full) && new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true) is { } target) return Path.GetFullPath(target.FullName);
            // A link in a parent folder: resolve the folder and keep the name.
            if (Path.GetDirectoryName(full) is { } dir && Directory.Exists(dir) && new DirectoryInfo(dir).ResolveLinkTarget(returnFinalTarget: true) is { } dirTarget)
                return Path.Combine(Path.GetFullPath(dirTarget.FullName), Path.GetFileName(full));
        }
        catch (IOException)
        {
            // A link loop or an unreadable link: compare the path as written.
        }
        return full;
    }
}
