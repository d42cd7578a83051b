// Tests that assert on the process-wide live tensor count must not run beside other tests that create
// tensors, so they share this collection, which xunit runs alone.
namespace Sld.Bench.Torch.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LiveCountCollection
{
    public const string Name = "live tensor count";
}
