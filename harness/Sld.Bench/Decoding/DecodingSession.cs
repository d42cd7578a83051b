// What the decoders need from a model: a session over a batch of prompts that yields next-token logits, takes one
// token per row, and can keep/reorder/duplicate rows (beam search). AsrDecodingSession runs the AsrModel
// incrementally over its key/value cache, so each new token costs one position, not a full re-run.
using Sld.Bench.Model;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Decoding;

public interface IIncrementalModel
{
    AsrVocabulary Vocabulary { get; }

    /// <summary>Positions a row may occupy (prompt and generated tokens); a row stops before it runs out.</summary>
    int BlockSize { get; }

    /// <summary>Starts decoding one prompt per row: the speech, then `&lt;speech_end&gt;`.</summary>
    IDecodingSession Open(IReadOnlyList<SpeechInput> prompts);
}

public interface IDecodingSession : IDisposable
{
    /// <summary>Current rows.</summary>
    int Rows { get; }

    /// <summary>Position the next token of each row will take.</summary>
    IReadOnlyList<long> NextPositions { get; }

    /// <summary>Next-token logits (Rows, V) after the prompts; call once, first.</summary>
    Tensor Start();

    /// <summary>Appends one token per row and returns the next-token logits (Rows, V).</summary>
    Tensor Step(long[] tokens);

    /// <summary>Keeps rows <paramref name="rows"/> in that order (a row may repeat); Rows becomes rows.Length.</summary>
    void Reorder(long[] rows);
}

public sealed class AsrDecodingSession : IDecodingSession
{
    private readonly AsrModel _model;
    private readonly IReadOnlyList<SpeechInput> _prompts;
    private readonly KvCache _cache;
    private Tensor? _keyValid; // (Rows, S) bool: which cached keys are real (left padding is not)
    private long[] _next = [];

    public AsrDecodingSession(AsrModel model, IReadOnlyList<SpeechInput> prompts)
    {
        if (prompts.Count == 0) throw new ArgumentException("nothing to decode");
        _model = model;
        _prompts = prompts;
        _cache = new KvCache(model.Config.Layers);
        Rows = prompts.Count;
    }

    public int Rows { get; private set; }
    public IReadOnlyList<long> NextPositions => _next;

    private Device Device => _model.gpt.wte.weight!.device;

    public Tensor Start()
    {
        if (_keyValid is not null) throw new InvalidOperationException("Start was already called");
        using var batch = AsrBatch.Collate(_prompts.Select((p, i) => new AsrUtterance(i.ToString(System.Globalization.CultureInfo.InvariantCulture), p, "")).ToList(),
            _model.Vocabulary, Device);
        var (logits, keyValid, next) = _model.Prefill(batch, _cache);
        _keyValid = keyValid.DetachFromDisposeScope();
        _next = next;
        return logits;
    }

    public Tensor Step(long[] tokens)
    {
        if (_keyValid is null) throw new InvalidOperationException("call Start before Step");
        if (tokens.Length != Rows) throw new ArgumentException($"{tokens.Length} tokens for {Rows} rows");
        using (var scope = torch.NewDisposeScope())
        {
            var grown = torch.cat([_keyValid, torch.ones(Rows, 1, dtype: ScalarType.Bool, device: Device)], 1); // the new key is real
            Swap(grown.DetachFromDisposeScope());
        }
        var logits = _model.Step(tokens, _next, _keyValid, _cache);
        for (var i = 0; i < _next.Length; i++) _next[i]++;
        return logits;
    }

    public void Reorder(long[] rows)
    {
        if (_keyValid is null) throw new InvalidOperationException("call Start before Reorder");
        using (var scope = torch.NewDisposeScope())
        {
            var index = torch.tensor(rows).to(Device);
            _cache.Reorder(index);
            Swap(_keyValid.index_select(0, index).DetachFromDisposeScope());
        }
        _next = rows.Select(r => _next[r]).ToArray();
        Rows = rows.Length;
    }

    private void Swap(Tensor keyValid)
    {
        _keyValid?.Dispose();
        _keyValid = keyValid;
    }

    public void Dispose()
    {
        _cache.Dispose();
        _keyValid?.Dispose();
        _keyValid = null;
    }
}

/// <summary>The AsrModel as an incremental model for the decoders.</summary>
public sealed class AsrIncrementalModel(AsrModel model) : IIncrementalModel
{
    public AsrVocabulary Vocabulary => model.Vocabulary;
    public int BlockSize => model.Config.BlockSize;
    public IDecodingSession Open(IReadOnlyList<SpeechInput> prompts) => new AsrDecodingSession(model, prompts);
}
