// Soft assignment p(k|x) = softmax_k(-D_k(x)/tau): rows are distributions, tau -> 0 is the hard assignment,
// tau -> infinity is uniform, both distance forms match a direct float64 computation, and pooling over
// deduplicated runs averages the frames of each run.
using Sld.Bench.Tokenizers;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tokenizers;

public sealed class SoftAssignmentTests
{
    private static (Tensor x, Tensor centroids) Data()
    {
        var (frames, _, _) = SyntheticFrames.Blobs(300, 6, 12, separation: 2, noise: 1, seed: 21);
        var (centers, _, _) = SyntheticFrames.Blobs(16, 6, 16, separation: 2, noise: 0, seed: 22);
        return (SyntheticFrames.Tensor(frames, 6), SyntheticFrames.Tensor(centers, 6));
    }

    [Theory]
    [InlineData(0.5, SoftDistance.Squared)]
    [InlineData(8.0, SoftDistance.Squared)]
    [InlineData(13.5, SoftDistance.Euclidean)]
    [InlineData(1000.0, SoftDistance.Euclidean)]
    public void RowsAreDistributions(double tau, SoftDistance distance)
    {
        using var scope = torch.NewDisposeScope();
        var (x, c) = Data();
        var p = SoftAssignment.Probabilities(x, c, new SoftAssignmentOptions(tau, distance));
        Assert.Equal(new long[] { 300, 16 }, p.shape);
        Assert.InRange(p.sum(1).sub(1).abs().max().ToDouble(), 0, 1e-5);
        Assert.True(p.ge(0).all().ToBoolean());
    }

    [Theory]
    [InlineData(SoftDistance.Squared)]
    [InlineData(SoftDistance.Euclidean)]
    public void TemperatureToZeroIsTheHardAssignment(SoftDistance distance)
    {
        using var scope = torch.NewDisposeScope();
        var (x, c) = Data();
        var (hard, _) = CentroidDistances.Nearest(x, c);
        var p = SoftAssignment.Probabilities(x, c, new SoftAssignmentOptions(1e-6, distance));
        var oneHot = torch.nn.functional.one_hot(hard, 16).to(ScalarType.Float32);
        Assert.InRange(p.sub(oneHot).abs().max().ToDouble(), 0, 1e-6);
        Assert.Equal(hard.ToArray<long>(), p.argmax(1).ToArray<long>());
    }

    [Fact]
    public void LargeTemperatureIsNearlyUniform()
    {
        using var scope = torch.NewDisposeScope();
        var (x, c) = Data();
        var p = SoftAssignment.Probabilities(x, c, new SoftAssignmentOptions(1e7));
        Assert.InRange(p.sub(1.0 / 16).abs().max().ToDouble(), 0, 1e-5);
    }

    [Theory]
    [InlineData(SoftDistance.Squared, 8.0)]
    [InlineData(SoftDistance.Euclidean, 0.7)]
    public void MatchesTheFormulaInFloat64(SoftDistance distance, double tau)
    {
        using var scope = torch.NewDisposeScope();
        var (x, c) = Data();
        var p = SoftAssignment.Probabilities(x, c, new SoftAssignmentOptions(tau, distance)).ToArray<float>();
        var xs = x.ToArray<float>();
        var cs = c.ToArray<float>();
        for (var t = 0; t < 300; t += 37)
        {
            var logits = new double[16];
            for (var k = 0; k < 16; k++)
            {
                double d2 = 0;
                for (var j = 0; j < 6; j++) d2 += Math.Pow(xs[t * 6 + j] - cs[k * 6 + j], 2);
                logits[k] = -(distance == SoftDistance.Squared ? d2 : Math.Sqrt(d2)) / tau;
            }
            var max = logits.Max();
            var z = logits.Sum(l => Math.Exp(l - max));
            for (var k = 0; k < 16; k++) Assert.InRange(p[t * 16 + k] - Math.Exp(logits[k] - max) / z, -1e-5, 1e-5);
        }
    }

    [Fact]
    public void PoolingOverDedupRunsAveragesEachRun()
    {
        using var scope = torch.NewDisposeScope();
        var perFrame = torch.tensor(new float[] { 1, 0, 0, 1, 0.5f, 0.5f, 0.2f, 0.8f }, 4, 2);
        var tokens = new TokenSequence([new long[] { 0, 1, 0 }], [0, 1, 3], [1, 2, 1], 4, 50);
        tokens.Validate();
        var pooled = SoftAssignment.PoolOverTokens(perFrame, tokens).ToArray<float>();
        Assert.Equal(new[] { 1f, 0f, 0.25f, 0.75f, 0.2f, 0.8f }, pooled);
    }

    [Fact]
    public void TemperatureMustBePositive()
    {
        using var scope = torch.NewDisposeScope();
        var (x, c) = Data();
        Assert.Throws<ArgumentException>(() => SoftAssignment.Probabilities(x, c, new SoftAssignmentOptions(0)));
        Assert.Throws<ArgumentException>(() => SoftAssignment.Probabilities(x, c, new SoftAssignmentOptions(double.NaN)));
    }
}
