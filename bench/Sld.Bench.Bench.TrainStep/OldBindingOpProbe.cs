// The per-op overhead probe on the old binding (Sld.Bench.Torch over Debian's libtorch): a 1-element add,
// each inside its own dispose scope and, separately, with `using` on the result, timed after a warm-up. Runs in
// a fresh worker process (--worker --probe) so its JIT and allocator state match the TorchSharp probe's.
using System.Diagnostics;
using System.Text.Json;
using Sld.Bench.Torch;

namespace Sld.Bench.Bench.TrainStep;

public static class OldBindingOpProbe
{
    public static string Run(int calls, int threads)
    {
        torch.set_num_threads(threads);
        using var a = torch.ones([1]);
        using var b = torch.ones([1]);
        double Scoped()
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < calls; i++)
            {
                using var scope = torch.NewDisposeScope();
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
        return JsonSerializer.Serialize(new OpProbeResult("csharp", torch.version, calls, scoped, usingOnly), TrainStepResult.Json);
    }
}
