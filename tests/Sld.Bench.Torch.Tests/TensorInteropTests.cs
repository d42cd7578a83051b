// The managed surface around the ops: TensorIndex expressions, splitting, scalar and host transfers
// (item, ToArray, CopyTo, data spans, from_bytes), dtype conversions including float16/bfloat16 rounding,
// scalar arithmetic dtypes, and errors from native code arriving as TorchException with op name and message.
namespace Sld.Bench.Torch.Tests;

public class TensorInteropTests
{
    /// <summary>0..23 as int64, shape (2, 3, 4): every element says where it came from.</summary>
    private static Tensor Grid() => torch.arange(24).view(2, 3, 4);

    // ---- TensorIndex ----

    [Fact]
    public void IntegerAndNegativeIntegerSelect()
    {
        using var scope = torch.NewDisposeScope();
        var x = Grid();
        var first = x[1];
        Assert.Equal(new long[] { 3, 4 }, first.shape);
        Assert.Equal(Enumerable.Range(12, 12).Select(v => (long)v), first.ToArray<long>());
        Assert.Equal([20L, 21, 22, 23], x[-1, -1].ToArray<long>());
        Assert.Equal(7L, x[0, 1, 3].item<long>());
    }

    [Fact]
    public void RangesSliceWithEndCountingFromTheBack()
    {
        using var scope = torch.NewDisposeScope();
        var x = Grid();
        var y = x[.., 1..^1];
        Assert.Equal(new long[] { 2, 1, 4 }, y.shape);
        Assert.Equal([4L, 5, 6, 7, 16, 17, 18, 19], y.ToArray<long>());
        var z = x[.., 2.., 1..^1];
        Assert.Equal(new long[] { 2, 1, 2 }, z.shape);
        Assert.Equal([9L, 10, 21, 22], z.ToArray<long>());
        Assert.Equal(new long[] { 2, 0, 4 }, x[.., 2..^1].shape);
        Assert.Equal([1L, 3, 5, 7, 9, 11], x[0, .., TensorIndex.Slice(1.., 2)].ToArray<long>());
        Assert.Equal([5L, 6], x[0, 1, 1..3].ToArray<long>());
    }

    [Fact]
    public void NoneAddsAnAxisAndEllipsisFillsTheRest()
    {
        using var scope = torch.NewDisposeScope();
        var x = Grid();
        Assert.Equal(new long[] { 1, 2, 3, 4 }, x[TensorIndex.None, ..].shape);
        Assert.Equal(new long[] { 2, 3, 1, 4 }, x[.., .., TensorIndex.None].shape);
        var last = x[TensorIndex.Ellipsis, 2];
        Assert.Equal(new long[] { 2, 3 }, last.shape);
        Assert.Equal([2L, 6, 10, 14, 18, 22], last.ToArray<long>());
    }

    [Fact]
    public void BooleanMaskAndIndexTensor()
    {
        using var scope = torch.NewDisposeScope();
        var x = Grid();
        Assert.Equal([21L, 22, 23], x[x.gt(20)].ToArray<long>());
        var swapped = x[torch.tensor(new long[] { 1, 0 })];
        Assert.Equal(new long[] { 2, 3, 4 }, swapped.shape);
        Assert.Equal(12L, swapped.ToArray<long>()[0]);
        Assert.Equal([0L, 3, 4, 7], x[0, 0..2, torch.tensor(new long[] { 0, 3 })].ToArray<long>());
        Assert.Equal([1L, 2, 9, 10], x[0, torch.tensor(new long[] { 0, 2 }), 1..3].ToArray<long>());
    }

    [Fact]
    public void EllipsisBeforeAMultiDimensionalMask()
    {
        using var scope = torch.NewDisposeScope();
        // A (3, 4) mask covers two dimensions, so the ellipsis stands for the one dimension left over.
        var x = Grid();
        var mask = torch.arange(12).view(3, 4).remainder(5).eq(0);
        var picked = x[TensorIndex.Ellipsis, mask];
        Assert.Equal(new long[] { 2, 3 }, picked.shape);
        Assert.Equal([0L, 5, 10, 12, 17, 22], picked.ToArray<long>());
    }

    [Fact]
    public void SplitAndChunkSizes()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(10).view(5, 2);
        Assert.Equal([2L, 2, 1], x.split(2).Select(p => p.size(0)));
        Assert.Equal([1L, 3, 1], x.split([1, 3, 1]).Select(p => p.size(0)));
        Assert.Equal([5L], x.split(10).Select(p => p.size(0)));
        Assert.Equal([1L, 1], x.split(1, 1).Select(p => p.size(1)));
        Assert.Equal([2L, 2, 1], x.chunk(3).Select(p => p.size(0)));
        // chunk may return fewer pieces than asked for: 6 rows in 4 chunks of ceil(6/4) = 2 rows.
        Assert.Equal([2L, 2, 2], torch.arange(6).chunk(4).Select(p => p.size(0)));
        Assert.Equal([8L, 9], x.split(2)[2].ToArray<long>());
        Assert.Equal([2L, 3, 4, 5, 6, 7], x.split([1, 3, 1])[1].ToArray<long>());
        Assert.Equal([4L, 5, 6, 7], x.chunk(3)[1].ToArray<long>());
    }

    // ---- scalars and host transfers ----

    [Fact]
    public void ItemConvertsAndChecksRange()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(2.5, torch.scalar_tensor(2.5, ScalarType.Float64).item<double>());
        Assert.Equal(2.5f, torch.scalar_tensor(2.5).item<float>());
        Assert.Equal((Half)2.5, torch.scalar_tensor(2.5, ScalarType.Float16).item<Half>());
        Assert.Equal(1L << 40, torch.tensor(new[] { 1L << 40 }).item<long>());
        Assert.Equal(-3, torch.tensor(new[] { -3L }).item<int>());
        Assert.True(torch.tensor(new[] { true }).item<bool>());
        Assert.Throws<OverflowException>(() => torch.tensor(new[] { 1L << 40 }).item<int>());
        var e = Assert.Throws<TorchException>(() => torch.ones([2]).item<double>());
        Assert.Equal("item_double", e.Op);
        Assert.Contains("2 elements", e.NativeMessage);
    }

    [Fact]
    public void ToArrayAndCopyToAreRowMajorForAnyLayout()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.arange(6, ScalarType.Float32).view(2, 3).t();
        Assert.False(t.is_contiguous());
        Assert.Equal([0f, 3, 1, 4, 2, 5], t.ToArray<float>());
        var buffer = new float[6];
        t.CopyTo<float>(buffer);
        Assert.Equal([0f, 3, 1, 4, 2, 5], buffer);
        Assert.Throws<InvalidOperationException>(() => t.ToArray<double>());
        var e = Assert.Throws<TorchException>(() => t.CopyTo<float>(new float[5]));
        Assert.Equal("copy_to_buffer", e.Op);
        Assert.Contains("24 bytes", e.NativeMessage);
    }

    [Fact]
    public void DataSpanSharesMemoryWithTheTensor()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.zeros([2, 2], ScalarType.Float64);
        var span = t.data<double>();
        span[3] = 4.5;
        Assert.Equal(4.5, t[1, 1].item<double>());
        t.fill_(2);
        Assert.Equal(2.0, span[0]);
        Assert.Throws<InvalidOperationException>(() => t.t().data<double>().Length);
        Assert.Throws<InvalidOperationException>(() => t.data<float>().Length);
    }

    [Fact]
    public void FromBytesBuildsAnyDtypeAndChecksTheLength()
    {
        using var scope = torch.NewDisposeScope();
        var bytes = new byte[8];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 4), 1.5f);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), -2f);
        var t = torch.from_bytes(bytes, [2], ScalarType.Float32);
        Assert.Equal([1.5f, -2f], t.ToArray<float>());
        Assert.Equal(bytes, t.ToBytes());
        var e = Assert.Throws<TorchException>(() => torch.from_bytes(bytes.AsSpan(0, 7), [2], ScalarType.Float32));
        Assert.Equal("from_buffer", e.Op);
        Assert.Contains("7 bytes", e.NativeMessage);
    }

    // ---- dtypes ----

    [Fact]
    public void Float16RoundTripRoundsToNearestHalf()
    {
        using var scope = torch.NewDisposeScope();
        float[] values = [0.1f, 1f / 3, 65504f, -2.5f, 1e-6f];
        var back = torch.tensor(values).half().@float().ToArray<float>();
        Assert.Equal(values.Select(v => (float)(Half)v), back);
        Assert.Equal(0.0999755859375f, back[0]);
        Assert.Equal(values.Select(v => (Half)v), torch.tensor(values).half().ToArray<Half>());
    }

    [Fact]
    public void BFloat16RoundTripKeepsEightBitsOfMantissa()
    {
        using var scope = torch.NewDisposeScope();
        var bf = torch.tensor(new[] { 1f / 3, 1f, -256.5f, 3.140625f }).bfloat16();
        Assert.Equal(ScalarType.BFloat16, bf.dtype);
        // 1/3 = 0x3EAAAAAB rounds to nearest even in the top 16 bits: 0x3EAB = 0.333984375.
        Assert.Equal([0.333984375f, 1f, -256f, 3.140625f], bf.@float().ToArray<float>());
        Assert.Equal([0xAB, 0x3E], bf.ToBytes().Take(2));
        var fromBytes = torch.from_bytes([0xAB, 0x3E, 0x80, 0x3F], [2], ScalarType.BFloat16);
        Assert.Equal([0.333984375f, 1f], fromBytes.@float().ToArray<float>());
    }

    [Fact]
    public void IntegerAndBoolConversions()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new[] { 1.7, -1.7, 0, 2 });
        Assert.Equal([1L, -1, 0, 2], x.@long().ToArray<long>());
        Assert.Equal([1, -1, 0, 2], x.@int().ToArray<int>());
        Assert.Equal([true, true, false, true], x.@bool().ToArray<bool>());
        Assert.Equal([1.0, 0, 1], torch.tensor(new[] { true, false, true }).@double().ToArray<double>());
        Assert.Equal(ScalarType.Float16, x.to(ScalarTypeExtensions.ParseScalarType("fp16")).dtype);
    }

    [Fact]
    public void IntegerArithmeticStaysIntegral()
    {
        using var scope = torch.NewDisposeScope();
        // As in PyTorch: int64 op integral scalar stays int64; true division and fractional scalars promote.
        var x = torch.tensor(new long[] { 1, 2, 3 });
        Assert.Equal([5L, 7, 9], (x + torch.tensor(new long[] { 4, 5, 6 })).ToArray<long>());
        Assert.Equal([-1L, -2, -3], x.sub(x, 2).ToArray<long>());
        Assert.Equal([2L, 4, 6], x.clone().add_(x).ToArray<long>());
        Assert.Equal([3L, 6, 9], x.clone().mul_(3).ToArray<long>());
        Assert.Equal([2L, 3, 4], (x + 1).ToArray<long>());
        Assert.Equal([0L, 1, 2], (x - 1).ToArray<long>());
        Assert.Equal([1L, 2, 3], (x - 0).ToArray<long>());
        Assert.Equal([2L, 4, 6], (x * 2).ToArray<long>());
        Assert.Equal([9L, 8, 7], (10 - x).ToArray<long>());
        Assert.Equal([1L, 4, 9], x.pow(2).ToArray<long>());
        Assert.Equal([1L, 2, 0], (x % 3).ToArray<long>());
        Assert.Equal([1L, 2, 2], x.clamp(max: 2).ToArray<long>());
        Assert.Equal([0.5f, 1, 1.5f], (x / 2).ToArray<float>());
        Assert.Equal([1.5f, 2.5f, 3.5f], (x + 0.5).ToArray<float>());
        // Beyond 2^24 (float32) and 2^53 (float64) a detour through floating point would lose the +1.
        Assert.Equal((1L << 53) + 2, (torch.tensor(new[] { (1L << 53) + 1 }) + 1).item<long>());
        Assert.Equal(ScalarType.Float32, (torch.ones([1]) * 2).dtype);
    }

    // ---- errors from native code ----

    [Fact]
    public void MatrixProductShapeMismatch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).mm(torch.ones([4, 5])));
        Assert.Equal("mm", e.Op);
        Assert.Equal("sldt_linalg_mm", e.NativeExport);
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", e.NativeMessage);
        Assert.Equal($"mm: {e.NativeMessage}", e.Message);
        Assert.DoesNotContain("Exception raised from", e.NativeMessage);
        var batched = Assert.Throws<TorchException>(() => torch.ones([2, 2, 3]).matmul(torch.ones([2, 2])));
        Assert.Equal("matmul", batched.Op);
        Assert.Contains("cannot be multiplied", batched.NativeMessage);
    }

    [Fact]
    public void CatSizeMismatch()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.cat([torch.ones([2, 3]), torch.ones([3, 3])], 1));
        Assert.Equal("cat", e.Op);
        Assert.Contains("Sizes of tensors must match except in dimension 1", e.NativeMessage);
    }

    [Fact]
    public void ViewOfIncompatibleShapeOrStrides()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).view(4, 2));
        Assert.Equal("view", e.Op);
        Assert.Contains("shape '[4, 2]' is invalid for input of size 6", e.NativeMessage);
        var strided = Assert.Throws<TorchException>(() => torch.ones([2, 3]).t().view(6));
        Assert.Contains("view size is not compatible with input tensor's size and stride", strided.NativeMessage);
        // reshape copies where view cannot.
        Assert.Equal(new long[] { 6 }, torch.ones([2, 3]).t().reshape(6).shape);
    }

    [Fact]
    public void DimensionOutOfRange()
    {
        using var scope = torch.NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => torch.ones([2, 3]).sum(5));
        Assert.Equal("sum", e.Op);
        Assert.Contains("Dimension out of range (expected to be in range of [-2, 1], but got 5)", e.NativeMessage);
        var s = Assert.Throws<TorchException>(() => torch.ones([2, 3]).softmax(2));
        Assert.Equal("softmax", s.Op);
        Assert.Contains("Dimension out of range", s.NativeMessage);
    }

    [Fact]
    public void AnErrorDoesNotLingerIntoTheNextCall()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<TorchException>(() => torch.ones([2]).matmul(torch.ones([3])));
        Assert.Equal(3f, torch.ones([3]).matmul(torch.ones([3])).item<float>());
        var second = Assert.Throws<TorchException>(() => torch.ones([2]).view(3));
        Assert.Equal("view", second.Op);
    }
}
