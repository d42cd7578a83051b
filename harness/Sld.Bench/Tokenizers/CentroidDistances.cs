// Distances between frames and centroids, the kernel under k-means, hard and soft assignment. Squared
// distances use the expansion |x|^2 - 2 x.c + |c|^2, so the work is one matrix product (BLAS) per chunk of
// rows; chunks keep the (rows, K) block in cache and bound memory for any corpus size.
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tokenizers;

public static class CentroidDistances
{
    /// <summary>Rows per block of the (rows, K) distance matrix: 4096 x 500 floats is 8 MB.</summary>
    public const int DefaultChunkRows = 4096;

    /// <summary>Squared L2 norm of each row: (N, D) -> (N).</summary>
    public static Tensor RowNormsSquared(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return x.mul(x).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>All squared distances (N, K), clamped at zero against rounding.</summary>
    public static Tensor Squared(Tensor x, Tensor centers)
    {
        using var scope = torch.NewDisposeScope();
        var xNorms = RowNormsSquared(x).unsqueeze(1); // (N, 1)
        var cNorms = RowNormsSquared(centers).unsqueeze(0); // (1, K)
        var d = torch.addmm(xNorms, x, centers.t(), beta: 1, alpha: -2).add(cNorms); // (N, K)
        return d.clamp_min(0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The nearest centroid of every row and the squared distance to it: labels (N) int64, distances (N) float32.
    /// <paramref name="centerNorms"/> and <paramref name="rowNorms"/> may be passed when the caller has them.
    /// </summary>
    public static (Tensor labels, Tensor distances) Nearest(Tensor x, Tensor centers, Tensor? centerNorms = null, Tensor? rowNorms = null,
                                                            int chunkRows = DefaultChunkRows)
    {
        var n = x.size(0);
        var labels = torch.empty([n], ScalarType.Int64, x.device);
        var distances = torch.empty([n], x.dtype, x.device);
        using var scope = torch.NewDisposeScope();
        var cNorms = (centerNorms ?? RowNormsSquared(centers)).unsqueeze(0); // (1, K)
        var centersT = centers.t();
        for (long start = 0; start < n; start += chunkRows)
        {
            using var chunkScope = torch.NewDisposeScope();
            var rows = Math.Min(chunkRows, n - start);
            var xc = x.narrow(0, start, rows);
            // |c|^2 - 2 x.c is enough to rank centroids; |x|^2 is added back to the minimum only.
            var partial = torch.addmm(cNorms, xc, centersT, beta: 1, alpha: -2); // (rows, K)
            var (values, indices) = partial.min(1);
            var xn = rowNorms is null ? RowNormsSquared(xc) : rowNorms.narrow(0, start, rows);
            labels.narrow(0, start, rows).copy_(indices);
            distances.narrow(0, start, rows).copy_(values.add(xn).clamp_min(0));
        }
        return (labels, distances);
    }

    /// <summary>Sum of squared distances to the assigned centroids, computed directly (not by expansion) in float64.</summary>
    public static double Inertia(Tensor x, Tensor centers, Tensor labels, int chunkRows = 65536)
    {
        double total = 0;
        var n = x.size(0);
        for (long start = 0; start < n; start += chunkRows)
        {
            using var scope = torch.NewDisposeScope();
            var rows = Math.Min(chunkRows, n - start);
            var diff = x.narrow(0, start, rows).sub(centers.index_select(0, labels.narrow(0, start, rows)));
            total += diff.mul(diff).sum().to(ScalarType.Float64).ToDouble();
        }
        return total;
    }
}
