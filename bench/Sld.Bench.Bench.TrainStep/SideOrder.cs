// The order of the two measured sides in each round: ABBA (PyTorch first in odd rounds, C# first in even
// ones), so that drift on a shared machine falls on both sides alike.
namespace Sld.Bench.Bench.TrainStep;

public static class SideOrder
{
    private static readonly string[][] Orders = [["pytorch", "csharp"], ["csharp", "pytorch"]];

    public static IReadOnlyList<string> ForRound(int round) => Orders[round % Orders.Length];
}
