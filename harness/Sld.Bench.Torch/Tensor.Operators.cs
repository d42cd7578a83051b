// Arithmetic operators, so model code reads like PyTorch: (q @ k) is q.matmul(k), x * 0.5, 1 - p, -x.
// Comparisons stay methods (eq, lt, ...) because C#'s == must return bool.
namespace Sld.Bench.Torch;

public sealed partial class Tensor
{
    public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
    public static Tensor operator +(Tensor a, double b) => a.add(b);
    public static Tensor operator +(double a, Tensor b) => b.add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
    public static Tensor operator -(Tensor a, double b) => a.sub(b);
    public static Tensor operator -(double a, Tensor b) => b.rsub(a);
    public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
    public static Tensor operator *(Tensor a, double b) => a.mul(b);
    public static Tensor operator *(double a, Tensor b) => b.mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
    public static Tensor operator /(Tensor a, double b) => a.div(b);
    public static Tensor operator /(double a, Tensor b)
    {
        using var reciprocal = b.reciprocal();
        return reciprocal.mul(a);
    }

    public static Tensor operator -(Tensor a) => a.neg();
    public static Tensor operator %(Tensor a, double b) => a.remainder(b);
    public static Tensor operator !(Tensor a) => a.logical_not();
    public static Tensor operator &(Tensor a, Tensor b) => a.logical_and(b);
    public static Tensor operator |(Tensor a, Tensor b) => a.logical_or(b);
}
