// Live tensor counts for leak tests: TorchSharp's per-thread dispose-scope statistics (tensors created minus
// tensors disposed on this thread, in scopes or not). A step that leaks a temporary raises the count for good.
using TorchSharp;

namespace Sld.Bench.Tests;

internal static class LiveTensors
{
    public static long Count => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
}
