// The per-op overhead probe of the C# side (TorchSharp): a 1-element add, `calls` times after a warm-up, either each inside
// its own dispose scope (how training code frees temporaries) or with `using` on the result alone. Prints one
// JSON line of microseconds per op; the launcher runs PyTorch's probe beside it.
using System.Diagnostics;
using System.Text.Json;
using static TorchSharp.torch;

namespace Sld.Bench.Bench.TrainStep;

public static class OpOverheadProbe
{
    public static string Run(int calls, int threads)
    {
        set_num_threads(threads);
        using var a = ones(1);
        using var b = ones(1);
        double Scoped()
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                using var scope = NewDisposeScope();
                _ = a + b;
            }
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
        }
        double Using()
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                using var c = a + b;
            }
            return Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls;
        }
        Scoped(); // warm-up: JIT tiers and the allocator settle
        Using();
        var scoped = Scoped();
        var usingOnly = Using();
        return JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["implementation"] = "csharp",
            ["torch"] = __version__.ToString(),
            ["calls"] = calls,
            ["us_per_op_dispose_scope"] = scoped,
            ["us_per_op_using"] = usingOnly,
        });
    }
}
