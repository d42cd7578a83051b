// Serves the browser's files from this assembly's embedded resources: blazor.web.js, Radzen's theme, script
// and fonts, and the dashboard's own stylesheet and script. The request path only selects among these fixed
// names; nothing is read from disk, so no request can name a file to open.
using System.Collections.Frozen;
using System.Reflection;

namespace Sld.Bench.Dashboard.Hosting;

public static class EmbeddedAssets
{
    private static readonly Assembly Self = typeof(EmbeddedAssets).Assembly;

    private static readonly FrozenDictionary<string, string> Types = new Dictionary<string, string>
    {
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".woff2"] = "font/woff2",
    }.ToFrozenDictionary();

    /// <summary>Every embedded asset by URL path (without the leading slash).</summary>
    public static IReadOnlyCollection<string> Names { get; } = Self.GetManifestResourceNames()
        .Where(n => Types.ContainsKey(Path.GetExtension(n))).ToFrozenSet();

    private static readonly FrozenDictionary<string, byte[]> Contents = Names.ToFrozenDictionary(n => n, Read);

    public static void MapEmbeddedAssets(this IEndpointRouteBuilder app)
    {
        foreach (var name in Names)
        {
            var bytes = Contents[name];
            var type = Types[Path.GetExtension(name)];
            app.MapGet("/" + name, (HttpContext context) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=3600";
                return Results.Bytes(bytes, type);
            });
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = Self.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"embedded asset {name} is missing");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }
}
