// One element of a PyTorch-style index expression: an integer (select), a C# Range (slice, so `..` is `:`
// and `^1` counts from the end), an ellipsis, None (a new axis), or an index/mask tensor (advanced indexing).
namespace Sld.Bench.Torch;

public readonly struct TensorIndex
{
    private enum Kind { Integer, Slice, Ellipsis, NewAxis, Tensor }

    private readonly Kind _kind;
    private readonly long _integer;
    private readonly Range _range;
    private readonly long _step;
    private readonly Tensor? _tensor;

    private TensorIndex(Kind kind, long integer = 0, Range range = default, long step = 1, Tensor? tensor = null)
    {
        _kind = kind;
        _integer = integer;
        _range = range;
        _step = step;
        _tensor = tensor;
    }

    public static readonly TensorIndex Ellipsis = new(Kind.Ellipsis);
    public static readonly TensorIndex None = new(Kind.NewAxis);
    public static readonly TensorIndex Colon = new(Kind.Slice, range: Range.All);

    public static TensorIndex Slice(Range range, long step = 1) => new(Kind.Slice, range: range, step: step);

    public static implicit operator TensorIndex(long i) => new(Kind.Integer, integer: i);

    public static implicit operator TensorIndex(int i) => new(Kind.Integer, integer: i);

    public static implicit operator TensorIndex(Range r) => new(Kind.Slice, range: r);

    public static implicit operator TensorIndex(Tensor t) => new(Kind.Tensor, tensor: t);

    internal static Tensor Apply(Tensor x, TensorIndex[] indices)
    {
        // Dimensions of x the expression names; a boolean mask names as many as it has, so that an
        // ellipsis before a 2-d mask stands for one dimension fewer.
        var consumed = indices.Sum(i => i._kind switch
        {
            Kind.Integer or Kind.Slice => 1L,
            Kind.Tensor => i._tensor!.dtype == ScalarType.Bool ? i._tensor.dim() : 1L,
            _ => 0L,
        });
        var ndim = x.dim();
        var current = x;
        var dim = 0L;
        var advanced = new List<(long dim, Tensor index)>();
        var temporaries = new List<Tensor>();
        try
        {
            foreach (var idx in indices)
            {
                Tensor next;
                switch (idx._kind)
                {
                    case Kind.Integer:
                        next = current.select(dim, idx._integer);
                        break;
                    case Kind.Slice:
                        var length = current.size(dim);
                        var start = idx._range.Start.IsFromEnd ? length - idx._range.Start.Value : idx._range.Start.Value;
                        var end = idx._range.End.IsFromEnd ? length - idx._range.End.Value : idx._range.End.Value;
                        next = current.slice(dim, start, end, idx._step);
                        dim++;
                        break;
                    case Kind.NewAxis:
                        next = current.unsqueeze(dim);
                        dim++;
                        break;
                    case Kind.Ellipsis:
                        dim += ndim - consumed;
                        continue;
                    default:
                        advanced.Add((dim, idx._tensor!));
                        dim += idx._tensor!.dtype == ScalarType.Bool ? idx._tensor.dim() : 1;
                        continue;
                }
                if (!ReferenceEquals(current, x)) temporaries.Add(current);
                current = next;
            }
            if (advanced.Count == 0) return current;
            // One slot per indexed dimension, except that a boolean mask fills one slot for all its dims.
            var slots = new List<Tensor?>();
            var position = 0L;
            foreach (var (d, index) in advanced)
            {
                for (; position < d; position++) slots.Add(null);
                slots.Add(index);
                position += index.dtype == ScalarType.Bool ? index.dim() : 1;
            }
            var result = current.index([.. slots]);
            if (!ReferenceEquals(current, x)) temporaries.Add(current);
            return result;
        }
        finally
        {
            foreach (var t in temporaries) t.Dispose();
        }
    }
}
