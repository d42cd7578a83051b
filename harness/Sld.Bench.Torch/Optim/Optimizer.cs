// Optimisers over parameter groups. The update itself runs in one native call per group (sldt_optim_*),
// the state (moments, step count) stays in managed Tensors so that checkpoints can save and restore it.
using static Sld.Bench.Torch.Native.NativeMethods;

namespace Sld.Bench.Torch.Optim;

/// <summary>Parameters sharing hyper-parameters; nanoGPT-style setups exempt biases and norms from weight decay.</summary>
public sealed record ParamGroup(IReadOnlyList<Tensor> Parameters, double WeightDecay, double LrScale = 1.0);

public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<ParamGroup> groups, double lr)
    {
        Groups = groups.ToList();
        if (Groups.Count == 0 || Groups.All(g => g.Parameters.Count == 0)) throw new ArgumentException("optimizer got no parameters");
        lr_ = lr;
    }

    private double lr_;

    public IReadOnlyList<ParamGroup> Groups { get; }

    /// <summary>The base learning rate; schedules set it every step.</summary>
    public double lr
    {
        get => lr_;
        set => lr_ = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(lr), value, "learning rate must be finite and >= 0");
    }

    /// <summary>Completed update steps.</summary>
    public long StepCount { get; protected set; }

    public IEnumerable<Tensor> AllParameters => Groups.SelectMany(g => g.Parameters);

    public abstract void step();

    public void zero_grad(bool set_to_none = true)
    {
        var hs = AllParameters.Select(p => p.Handle.DangerousGetHandle()).ToArray();
        Check(sldt_autograd_zero_grad(hs, hs.Length, set_to_none ? 1 : 0));
        GC.KeepAlive(Groups);
    }

    /// <summary>State tensors by name ("state.{i}.{slot}") plus the step count, for checkpoints.</summary>
    public abstract IReadOnlyDictionary<string, Tensor> state_tensors();

    public abstract void load_state(IReadOnlyDictionary<string, Tensor> tensors, long stepCount);

    protected static IntPtr[] Handles(IReadOnlyList<Tensor> ts)
    {
        var hs = new IntPtr[ts.Count];
        for (var i = 0; i < ts.Count; i++) hs[i] = ts[i].Handle.DangerousGetHandle();
        return hs;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>Adam with decoupled weight decay (Loshchilov and Hutter), as torch.optim.AdamW.</summary>
public sealed class AdamW : Optimizer
{
    private readonly List<Tensor[]> _expAvg = [];
    private readonly List<Tensor[]> _expAvgSq = [];

    public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
                 double weight_decay = 1e-2)
        : this([new ParamGroup(parameters.ToList(), weight_decay)], lr, beta1, beta2, eps)
    {
    }

    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
        : base(groups, lr)
    {
        if (beta1 is < 0 or >= 1 || beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), "betas must be in [0, 1)");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        foreach (var g in Groups)
        {
            _expAvg.Add(g.Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray());
            _expAvgSq.Add(g.Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray());
        }
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }

    public override void step()
    {
        StepCount++;
        for (var gi = 0; gi < Groups.Count; gi++)
        {
            var g = Groups[gi];
            var ps = Handles(g.Parameters);
            var m = Handles(_expAvg[gi]);
            var v = Handles(_expAvgSq[gi]);
            Check(sldt_optim_adamw_step(ps, m, v, ps.Length, lr * g.LrScale, Beta1, Beta2, Eps, g.WeightDecay, StepCount));
        }
        GC.KeepAlive(_expAvg);
        GC.KeepAlive(_expAvgSq);
        GC.KeepAlive(Groups);
    }

    public override IReadOnlyDictionary<string, Tensor> state_tensors()
    {
        var result = new Dictionary<string, Tensor>();
        var index = 0;
        for (var gi = 0; gi < Groups.Count; gi++)
            for (var pi = 0; pi < Groups[gi].Parameters.Count; pi++, index++)
            {
                result[$"state.{index}.exp_avg"] = _expAvg[gi][pi];
                result[$"state.{index}.exp_avg_sq"] = _expAvgSq[gi][pi];
            }
        return result;
    }

    public override void load_state(IReadOnlyDictionary<string, Tensor> tensors, long stepCount)
    {
        using var _ = torch.no_grad();
        var index = 0;
        for (var gi = 0; gi < Groups.Count; gi++)
            for (var pi = 0; pi < Groups[gi].Parameters.Count; pi++, index++)
            {
                _expAvg[gi][pi].copy_(Get(tensors, $"state.{index}.exp_avg"));
                _expAvgSq[gi][pi].copy_(Get(tensors, $"state.{index}.exp_avg_sq"));
            }
        StepCount = stepCount;
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> tensors, string key) =>
        tensors.TryGetValue(key, out var t) ? t : throw new InvalidDataException($"optimizer state has no '{key}'");

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var t in _expAvg.SelectMany(x => x).Concat(_expAvgSq.SelectMany(x => x))) t.Dispose();
        _expAvg.Clear();
        _expAvgSq.Clear();
    }
}

/// <summary>Plain SGD with optional momentum and L2 weight decay, as torch.optim.SGD (no dampening, no Nesterov).</summary>
public sealed class SGD : Optimizer
{
    private readonly List<Tensor[]> _momentum = [];

    public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double weight_decay = 0)
        : base([new ParamGroup(parameters.ToList(), weight_decay)], lr)
    {
        Momentum = momentum;
        if (momentum != 0)
            foreach (var g in Groups) _momentum.Add(g.Parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope()).ToArray());
    }

    public double Momentum { get; }

    public override void step()
    {
        StepCount++;
        for (var gi = 0; gi < Groups.Count; gi++)
        {
            var g = Groups[gi];
            var ps = Handles(g.Parameters);
            var m = Momentum != 0 ? Handles(_momentum[gi]) : new IntPtr[ps.Length];
            Check(sldt_optim_sgd_step(ps, m, ps.Length, lr * g.LrScale, Momentum, g.WeightDecay));
        }
        GC.KeepAlive(_momentum);
        GC.KeepAlive(Groups);
    }

    public override IReadOnlyDictionary<string, Tensor> state_tensors()
    {
        var result = new Dictionary<string, Tensor>();
        var index = 0;
        for (var gi = 0; gi < _momentum.Count; gi++)
            foreach (var t in _momentum[gi]) result[$"state.{index++}.momentum_buffer"] = t;
        return result;
    }

    public override void load_state(IReadOnlyDictionary<string, Tensor> tensors, long stepCount)
    {
        using var _ = torch.no_grad();
        var index = 0;
        for (var gi = 0; gi < _momentum.Count; gi++)
            foreach (var t in _momentum[gi])
            {
                var key = $"state.{index++}.momentum_buffer";
                t.copy_(tensors.TryGetValue(key, out var src) ? src : throw new InvalidDataException($"optimizer state has no '{key}'"));
            }
        StepCount = stepCount;
    }

    protected override void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var t in _momentum.SelectMany(x => x)) t.Dispose();
        _momentum.Clear();
    }
}
