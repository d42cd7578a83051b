// Locates the repository from a test's output directory, so tests can read fixtures and reference scripts
// without copying them into every bin folder.
namespace Sld.Bench.Testing;

public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The directory that holds Sld.Bench.sln.</summary>
    public static string Root => RootLazy.Value;

    public static string Fixture(string name) => Path.Combine(Root, "tests", "fixtures", name);

    public static string Reference(string script) => Path.Combine(Root, "tests", "reference", script);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Sld.Bench.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException($"no Sld.Bench.sln above {AppContext.BaseDirectory}");
    }
}
