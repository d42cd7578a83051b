// GET /export/download?sweep=...&rows=...&cols=...&format=latex: the Export page's table as a file. The query
// only selects a table from the store (the same choice the page shows); the file name is built from safe
// characters of the sweep and axes, and nothing is read from disk.
using Microsoft.Extensions.Primitives;
using Sld.Bench.Dashboard.Data;
using Sld.Bench.Shared.Export;

namespace Sld.Bench.Dashboard.Hosting;

public static class ExportDownload
{
    public const string Path = "/export/download";

    public static void MapExportDownload(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, async (HttpContext context, ResultsReader reader, ExportTables tables, CancellationToken ct) =>
        {
            var q = context.Request.Query;
            string? One(string key) => q.TryGetValue(key, out var v) && !StringValues.IsNullOrEmpty(v) ? v.ToString() : null;
            var snapshot = await reader.GetSnapshotAsync(ct);
            var choice = ExportChoice.From(snapshot, One("sweep"), One("rows"), One("cols"), One("metric"), One("testset"),
                q.TryGetValue("fix", out var fix) ? fix.OfType<string>() : null, One("baseline"), One("test"));
            if (choice is null) return Results.NotFound("nothing to export: the store has no sweep with two axes and an evaluation");
            var format = ExportTables.ParseFormat(One("format"));
            try
            {
                var text = ExportTables.Write(await tables.GetAsync(choice, ct), format);
                return Results.File(System.Text.Encoding.UTF8.GetBytes(text), ExportTables.MediaType(format) + "; charset=utf-8", choice.FileName(format));
            }
            catch (Exception e) when (e is TableRequestException or ArgumentException)
            {
                return Results.BadRequest(e.Message);
            }
        });
}
