// Reductions, sorting and selection on Tensor (sldt_reduce_*). Calls without dims reduce over everything.
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch;

public sealed partial class Tensor
{
    public Tensor sum() => Wrap(sldt_reduce_sum(Handle, default, 0, 0, out var r), r);
    public Tensor sum(long dim, bool keepdim = false) => sum([dim], keepdim);
    public Tensor sum(long[] dims, bool keepdim = false) => Wrap(sldt_reduce_sum(Handle, dims, dims.Length, keepdim ? 1 : 0, out var r), r);

    public Tensor mean() => Wrap(sldt_reduce_mean(Handle, default, 0, 0, out var r), r);
    public Tensor mean(long dim, bool keepdim = false) => mean([dim], keepdim);
    public Tensor mean(long[] dims, bool keepdim = false) => Wrap(sldt_reduce_mean(Handle, dims, dims.Length, keepdim ? 1 : 0, out var r), r);

    public Tensor var(bool unbiased = true) => Wrap(sldt_reduce_var(Handle, default, 0, unbiased ? 1 : 0, 0, out var r), r);
    public Tensor var(long dim, bool unbiased = true, bool keepdim = false) =>
        Wrap(sldt_reduce_var(Handle, [dim], 1, unbiased ? 1 : 0, keepdim ? 1 : 0, out var r), r);

    public Tensor std(bool unbiased = true) => Wrap(sldt_reduce_std(Handle, default, 0, unbiased ? 1 : 0, 0, out var r), r);
    public Tensor std(long dim, bool unbiased = true, bool keepdim = false) =>
        Wrap(sldt_reduce_std(Handle, [dim], 1, unbiased ? 1 : 0, keepdim ? 1 : 0, out var r), r);

    public Tensor prod(long dim, bool keepdim = false) => Wrap(sldt_reduce_prod(Handle, dim, keepdim ? 1 : 0, out var r), r);

    public Tensor norm(double p = 2) => Wrap(sldt_reduce_norm(Handle, p, default, 0, 0, out var r), r);
    public Tensor norm(double p, long dim, bool keepdim = false) =>
        Wrap(sldt_reduce_norm(Handle, p, [dim], 1, keepdim ? 1 : 0, out var r), r);

    public Tensor logsumexp(long dim, bool keepdim = false) =>
        Wrap(sldt_reduce_logsumexp(Handle, [dim], 1, keepdim ? 1 : 0, out var r), r);

    public Tensor max() => Wrap(sldt_reduce_max_all(Handle, out var r), r);
    public Tensor min() => Wrap(sldt_reduce_min_all(Handle, out var r), r);

    public (Tensor values, Tensor indices) max(long dim, bool keepdim = false)
    {
        var status = sldt_reduce_max(Handle, dim, keepdim ? 1 : 0, out var v, out var i);
        return Wrap2(status, v, i);
    }

    public (Tensor values, Tensor indices) min(long dim, bool keepdim = false)
    {
        var status = sldt_reduce_min(Handle, dim, keepdim ? 1 : 0, out var v, out var i);
        return Wrap2(status, v, i);
    }

    public Tensor argmax(long dim, bool keepdim = false) => Wrap(sldt_reduce_argmax(Handle, dim, keepdim ? 1 : 0, out var r), r);
    public Tensor argmin(long dim, bool keepdim = false) => Wrap(sldt_reduce_argmin(Handle, dim, keepdim ? 1 : 0, out var r), r);

    public (Tensor values, Tensor indices) topk(long k, long dim = -1, bool largest = true, bool sorted = true)
    {
        var status = sldt_reduce_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i);
        return Wrap2(status, v, i);
    }

    public (Tensor values, Tensor indices) sort(long dim = -1, bool descending = false, bool stable = false)
    {
        var status = sldt_reduce_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, out var v, out var i);
        return Wrap2(status, v, i);
    }

    public Tensor argsort(long dim = -1, bool descending = false, bool stable = false)
    {
        var (values, indices) = sort(dim, descending, stable);
        values.Dispose();
        return indices;
    }

    public Tensor cumsum(long dim) => Wrap(sldt_reduce_cumsum(Handle, dim, out var r), r);
    public Tensor all() => Wrap(sldt_reduce_all(Handle, out var r), r);
    public Tensor any() => Wrap(sldt_reduce_any(Handle, out var r), r);

    /// <summary>Counts of each non-negative integer value (1-d input), optionally weighted.</summary>
    public Tensor bincount(Tensor? weights = null, long minlength = 0)
    {
        var result = Wrap(sldt_reduce_bincount(Handle, HandleOrZero(weights), minlength, out var r), r);
        GC.KeepAlive(weights);
        return result;
    }
}
