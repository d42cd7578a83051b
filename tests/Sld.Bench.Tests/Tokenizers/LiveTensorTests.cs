// Encoding, soft assignment, k-means fits and the HuBERT forward pass free every temporary tensor: the
// process-wide count of live tensor handles is the same before and after many calls. The test runs alone
// (its own collection) because any other test's tensors would move the count.
using Sld.Bench.Encoders;
using Sld.Bench.Tokenizers;
using Sld.Bench.Tokenizers.Codec;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Tests.Tokenizers;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TokenizerLiveCountCollection
{
    public const string Name = "tokenizer live tensor count";
}

[Collection(TokenizerLiveCountCollection.Name)]
public sealed class LiveTensorTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sldbench-live-").FullName;
    private readonly List<(string id, Tensor features)> _utterances = SyntheticFrames.Utterances(8, 6, 40, 80, seed: 71);

    public void Dispose()
    {
        foreach (var (_, t) in _utterances) t.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return LiveTensors.Count;
    }

    [Fact]
    public void RepeatedEncodingAndFittingLeaveNoTensorBehind()
    {
        var source = new InMemoryFeatureSource("synthetic/train", SyntheticFrames.Spec(6), _utterances);
        var store = new TokenizerStore(_root);
        using var kmeans = (KMeansTokenizer)store.GetOrFit(new KMeansTokenizerConfig(new KMeansOptions(8, MaxIterations: 3))
            { Post = new PostProcessingOptions(true, new UnitModelOptions(UnitModelKind.Unigram, 16, 4)) }, source);
        using var codec = (CodecTokenizer)store.GetOrFit(new CodecTokenizerConfig(Codebooks: 2, CodebookSize: 8, Hidden: 16, CodeDim: 4, Steps: 3,
            BatchSize: 2, CropFrames: 16), source);
        using var dmel = store.GetOrFit(new DMelTokenizerConfig(Bins: 8), source);
        using var hubert = new HubertEncoder(new HubertConfig(EmbedDim: 16, Layers: 2, Heads: 2, FfnDim: 32, PosConvKernel: 8, PosConvGroups: 2)
        {
            ConvLayers = [new(8, 10, 5), new(8, 3, 2)],
        });
        using var waveform = torch.randn([800]);
        using var frames = torch.randn([300, 6]);

        var before = Settled();
        for (var round = 0; round < 5; round++)
        {
            foreach (var (_, features) in _utterances)
            {
                kmeans.Encode(features);
                codec.Encode(features);
                dmel.Encode(features);
                kmeans.EncodeSoft(features, new SoftAssignmentOptions(4, SoftDistance.Euclidean)).Dispose();
                codec.Reconstruct(features).Dispose();
            }
            foreach (var layer in hubert.Layers(waveform)) layer.Dispose();
            hubert.Layer(waveform, 1).Dispose();
            KMeans.Fit(frames, new KMeansOptions(5, MaxIterations: 4, Tolerance: 0)).Centers.Dispose();
            store.GetOrFit(new KMeansTokenizerConfig(new KMeansOptions(6, MaxIterations: 3, Seed: (ulong)round + 10)), source).Dispose();
            KMeans.Fit(frames, new KMeansOptions(5, Algorithm: KMeansAlgorithm.MiniBatch, BatchSize: 64, MaxIterations: 2)).Centers.Dispose();
        }
        Assert.Equal(before, LiveTensors.Count);
    }
}
