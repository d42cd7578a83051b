// Training reseeds libtorch's process-wide generator and draws dropout masks from it; a test that expects
// bit-identical runs (or a seeded learning curve) must not share that generator with tests running beside it,
// so such tests join this collection, which xunit runs alone.
namespace Sld.Bench.Tests.Training;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "torch global RNG";
}
