// The order of the three measured sides in each round: the six permutations of (pytorch, csharp, torchsharp)
// in the sequence ABC, CBA, BCA, ACB, CAB, BAC, so that over 4 rounds every side runs first, in the middle
// and last at least once, and over 6 rounds equally often in each place.
namespace Sld.Bench.Bench.TrainStep;

public static class SideOrder
{
    private static readonly string[][] Orders =
    [
        ["pytorch", "csharp", "torchsharp"],
        ["torchsharp", "csharp", "pytorch"],
        ["csharp", "torchsharp", "pytorch"],
        ["pytorch", "torchsharp", "csharp"],
        ["torchsharp", "pytorch", "csharp"],
        ["csharp", "pytorch", "torchsharp"],
    ];

    public static IReadOnlyList<string> ForRound(int round) => Orders[round % Orders.Length];
}
