// What a checkpoint needs from TorchSharp's AdamW: its moments as named tensors ("state.{i}.exp_avg",
// "state.{i}.exp_avg_sq", i in parameter order) and its step count, saved with the weights in one safetensors
// file and put back exactly, so a resumed run continues bit for bit. Also the learning rate a schedule sets.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sld.Bench.Training;

public static class OptimizerState
{
    /// <summary>Sets every parameter group's learning rate (a schedule calls this before each step).</summary>
    public static void SetLearningRate(this OptimizerHelper optimizer, double lr)
    {
        if (!(lr >= 0) || !double.IsFinite(lr)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "learning rate must be finite and >= 0");
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    }

    /// <summary>Completed update steps (0 before the first).</summary>
    public static long StepCount(this AdamW optimizer) =>
        optimizer.state_dict().State.OfType<AdamW.State>().Select(s => s.step).DefaultIfEmpty(0).Max();

    /// <summary>The moments by name; tensors alias the optimizer's state (save them before the next step).</summary>
    public static Dictionary<string, Tensor> StateTensors(this AdamW optimizer)
    {
        var result = new Dictionary<string, Tensor>();
        var states = optimizer.state_dict().State;
        for (var i = 0; i < states.Count; i++)
        {
            var s = (AdamW.State)states[i];
            result[$"state.{i}.exp_avg"] = s.exp_avg;
            result[$"state.{i}.exp_avg_sq"] = s.exp_avg_sq;
        }
        return result;
    }

    /// <summary>Copies saved moments into the optimizer and sets every parameter's step count.</summary>
    public static void LoadState(this AdamW optimizer, IReadOnlyDictionary<string, Tensor> tensors, long stepCount, string source)
    {
        var states = optimizer.state_dict().State;
        using var _ = no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            var s = (AdamW.State)states[i];
            s.exp_avg.copy_(Get(tensors, $"state.{i}.exp_avg", s.exp_avg, source));
            s.exp_avg_sq.copy_(Get(tensors, $"state.{i}.exp_avg_sq", s.exp_avg_sq, source));
            s.step = stepCount;
        }
        var extra = tensors.Keys.FirstOrDefault(k => !int.TryParse(k.Split('.') is [_, var n, _] ? n : "", out var j) || j >= states.Count);
        if (extra is not null) throw new InvalidDataException($"{source}: optimizer state '{extra}' matches no parameter of this model");
    }

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> tensors, string name, Tensor like, string source)
    {
        if (!tensors.TryGetValue(name, out var t)) throw new InvalidDataException($"{source}: optimizer state '{name}' is missing");
        if (!t.shape.SequenceEqual(like.shape))
            throw new InvalidDataException($"{source}: optimizer state '{name}' has shape [{string.Join(", ", t.shape)}], the parameter [{string.Join(", ", like.shape)}]");
        return t;
    }
}
