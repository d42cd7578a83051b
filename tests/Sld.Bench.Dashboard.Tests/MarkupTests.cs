// Component markup rendered with HtmlRenderer (no browser): the alignment view's colours and escaping, the
// empty state with its command, status badges and number formats.
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Sld.Bench.Dashboard.Components.Shared;
using Sld.Bench.Shared.Storage;

namespace Sld.Bench.Dashboard.Tests;

public sealed class MarkupTests
{
    private static async Task<string> RenderAsync<T>(Dictionary<string, object?> parameters) where T : IComponent
    {
        await using var services = new ServiceCollection().BuildServiceProvider();
        await using var renderer = new HtmlRenderer(services, NullLoggerFactory.Instance);
        return await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<T>(ParameterView.FromDictionary(parameters))).ToHtmlString());
    }

    [Fact]
    public async Task Alignment_marks_each_operation()
    {
        var html = await RenderAsync<AlignmentView>(new()
        {
            ["Reference"] = "the cat sat on mat",
            ["Hypothesis"] = "a cat sat mat down",
            ["Ops"] = "SCCDCI",
        });
        Assert.Contains("<span class=\"w w-s\" title=\"substitution\"><span class=\"ref\">the</span><span class=\"arrow\">→</span><span class=\"hyp\">a</span></span>", html);
        Assert.Contains("<span class=\"w w-d\" title=\"deletion\">on</span>", html);
        Assert.Contains("<span class=\"w w-i\" title=\"insertion\">down</span>", html);
        Assert.Equal(3, CountOf(html, "w w-c"));
    }

    [Fact]
    public async Task Alignment_escapes_words()
    {
        var html = await RenderAsync<AlignmentView>(new()
        {
            ["Reference"] = "<script>alert(1)</script> x",
            ["Hypothesis"] = "<img/src=y> x",
            ["Ops"] = "SC",
        });
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("&lt;img/src=y&gt;", html);
    }

    [Fact]
    public async Task Alignment_without_ops_shows_both_texts()
    {
        var html = await RenderAsync<AlignmentView>(new() { ["Reference"] = "a b", ["Hypothesis"] = "a c", ["Ops"] = null });
        Assert.Contains("REF</span> a b", html);
        Assert.Contains("HYP</span> a c", html);
    }

    [Fact]
    public async Task Empty_state_names_the_command()
    {
        var html = await RenderAsync<EmptyState>(new() { ["Title"] = "No runs yet", ["Message"] = "m", ["Command"] = "sldbench sweep run experiments/demo.yaml" });
        Assert.Contains("<h3>No runs yet</h3>", html);
        Assert.Contains("<pre class=\"sb-command\">sldbench sweep run experiments/demo.yaml</pre>", html);
    }

    [Theory]
    [InlineData(RunStatus.Done, null, "sb-status-done", ">done<")]
    [InlineData(RunStatus.Failed, 3, "sb-status-failed", ">3 failed<")]
    public async Task Status_badge(RunStatus status, int? count, string css, string text)
    {
        var html = await RenderAsync<StatusBadge>(new() { ["Status"] = status, ["Count"] = count });
        Assert.Contains(css, html);
        Assert.Contains(text, html);
    }

    [Fact]
    public void Numbers_read_with_fixed_decimals_and_units()
    {
        Assert.Equal("3.09 %", Fmt.Pct(3.0868));
        Assert.Equal("—", Fmt.Pct(null));
        Assert.Equal("5.12 ± 0.31", Fmt.MeanStd(5.1234, 0.309));
        Assert.Equal("5.12", Fmt.MeanStd(5.1234, null));
        Assert.Equal("52,576", Fmt.Count(52576));
        Assert.Equal("−1.10", Fmt.Delta(-1.1));
        Assert.Equal("+0.42", Fmt.Delta(0.42));
        Assert.Equal("1 h 02 min", Fmt.Seconds(3720));
        Assert.Equal("< 0.001", Fmt.P(0.0004));
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
