// Learning-rate schedules as pure functions of the step: warmup then constant, linear or cosine decay.
// Pure functions make a resumed run's learning rate identical to an uninterrupted one's.
namespace Sld.Bench.Training;

public enum DecayKind
{
    Constant,
    Linear,
    Cosine,
}

/// <summary>
/// lr(step) = peak * factor(step): linear warmup from 0 over <c>WarmupSteps</c>, then decay to
/// <c>MinFactor</c> * peak at <c>TotalSteps</c> (and held there after).
/// </summary>
public sealed record LrSchedule(DecayKind Decay, long WarmupSteps, long TotalSteps, double MinFactor = 0.0)
{
    /// <summary>The multiplier for the update with 1-based index <paramref name="step"/>.</summary>
    public double Factor(long step)
    {
        if (step < 1) step = 1;
        if (WarmupSteps > 0 && step <= WarmupSteps) return (double)step / WarmupSteps;
        if (Decay == DecayKind.Constant) return 1.0;
        var span = Math.Max(1, TotalSteps - WarmupSteps);
        var progress = Math.Clamp((double)(step - WarmupSteps) / span, 0, 1);
        var shape = Decay == DecayKind.Linear ? 1 - progress : 0.5 * (1 + Math.Cos(Math.PI * progress));
        return MinFactor + (1 - MinFactor) * shape;
    }
}
