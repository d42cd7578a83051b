// One entry point from waveforms to the configured features: resampling to the configured rate, scaling,
// fbank or MFCC in batches on the chosen device, deltas, and CMVN. Results come back as CPU float32 tensors
// (frames, dim); every temporary of a batch is freed by a dispose scope before the next one starts.
using Sld.Bench.Audio;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Features;

public sealed class FeatureExtractor : IDisposable
{
    private readonly KaldiFilterbank? _fbank;
    private readonly KaldiMfcc? _mfcc;
    private readonly GlobalCmvn? _globalCmvn;

    /// <param name="globalCmvn">Statistics for CmvnMode.Global (required then, ignored otherwise).</param>
    public FeatureExtractor(FeatureConfig config, Device? device = null, GlobalCmvn? globalCmvn = null)
    {
        Config = config.Validate();
        Device = device ?? torch.CPU;
        NativeAllocator.KeepFreedMemory();
        if (config.Cmvn == CmvnMode.Global)
        {
            _globalCmvn = globalCmvn ?? throw new ArgumentException("cmvn: global needs statistics (GlobalCmvn) accumulated over the training split");
            if (globalCmvn.Dim != config.Dim) throw new ArgumentException($"the CMVN statistics have {globalCmvn.Dim} columns, the features {config.Dim}");
        }
        if (config.Kind == FeatureKind.Mfcc) _mfcc = new KaldiMfcc(config, Device);
        else _fbank = new KaldiFilterbank(config, Device);
        // On the CPU each utterance is its own batch: its (frames x 512) working set stays in cache, and its
        // numbers do not depend on its neighbours (FFT and GEMM kernels group rows, which moves the last bit).
        // A GPU wants large batches.
        MaxFramesPerBatch = Device.IsCuda ? 200_000 : 1;
    }

    public FeatureConfig Config { get; }
    public Device Device { get; }
    public int Dim => Config.Dim;

    /// <summary>Waveforms are grouped until their frames reach this count (at least one waveform per batch, 1: one each).</summary>
    public int MaxFramesPerBatch { get; init; }

    /// <summary>
    /// Batches computed at once on separate threads (CPU). Pair it with torch.set_num_threads(1): libtorch's
    /// kernels then run one per core instead of splitting small tensors across cores.
    /// </summary>
    public int Parallelism { get; init; } = 1;

    /// <summary>Frames a waveform of this many samples (at the configured rate) will give.</summary>
    public int FrameCount(long samples) => Config.FrameCount(samples);

    /// <summary>Features of one waveform: a CPU float32 tensor (frames, Dim).</summary>
    public Tensor Compute(Waveform waveform) => Compute([waveform])[0];

    /// <summary>Features of each waveform, as CPU float32 tensors (frames, Dim) owned by the caller's scope.</summary>
    public Tensor[] Compute(IReadOnlyList<Waveform> waveforms)
    {
        var batches = new List<(int start, int end)>();
        for (var start = 0; start < waveforms.Count;)
        {
            var end = start;
            var frames = 0L;
            do
            {
                frames += FrameCount(ResampledLength(waveforms[end]));
                end++;
            } while (end < waveforms.Count && frames + FrameCount(ResampledLength(waveforms[end])) <= MaxFramesPerBatch);
            batches.Add((start, end));
            start = end;
        }
        var results = new Tensor[waveforms.Count];
        if (Parallelism <= 1 || batches.Count == 1 || Device.IsCuda)
        {
            foreach (var (start, end) in batches) ComputeBatch(waveforms, start, end, results);
            return results;
        }
        // Worker threads have no dispose scope, so their results are owned by no one until the caller's thread
        // takes a handle of its own (alias) in its scope and frees the worker's.
        Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, b => ComputeBatch(waveforms, b.start, b.end, results));
        for (var i = 0; i < results.Length; i++)
        {
            var owned = results[i].alias();
            results[i].Dispose();
            results[i] = owned;
        }
        return results;
    }

    private long ResampledLength(Waveform w) =>
        w.SampleRate == Config.SampleRate ? w.Samples.Length : (long)Math.Round(w.Samples.Length * (double)Config.SampleRate / w.SampleRate);

    private void ComputeBatch(IReadOnlyList<Waveform> waveforms, int start, int end, Tensor[] results)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = new List<Tensor>(end - start);
        for (var i = start; i < end; i++)
        {
            var samples = waveforms[i].ResampleTo(Config.SampleRate).Samples;
            if (samples.Length < Config.WindowSize)
                throw new ArgumentException(
                    $"waveform {i} lasts {samples.Length / (double)Config.SampleRate:0.###} s, shorter than one {Config.FrameLengthMs} ms frame");
            inputs.Add(torch.tensor(samples).to(Device).mul(Config.WaveformScale));
        }
        var features = _mfcc is not null ? _mfcc.Compute(inputs) : _fbank!.Compute(inputs);
        for (var i = 0; i < features.Length; i++)
        {
            var f = DeltaFeatures.Add(features[i], Config.DeltaOrder, Config.DeltaWindow);
            f = Config.Cmvn switch
            {
                CmvnMode.Utterance => Cmvn.ApplyPerUtterance(f, Config.CmvnNormVars),
                CmvnMode.Global => _globalCmvn!.Apply(f, Config.CmvnNormVars),
                _ => f,
            };
            results[start + i] = f.cpu().contiguous().clone().MoveToOuterDisposeScope();
        }
    }

    public void Dispose()
    {
        _fbank?.Dispose();
        _mfcc?.Dispose();
    }
}
