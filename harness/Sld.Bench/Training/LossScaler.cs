// Dynamic loss scaling for fp16 training (what torch.cuda.amp.GradScaler does): the loss is multiplied by a
// scale before backward so small gradients survive in half precision; a step whose gradients overflow is
// skipped and the scale halved, and after GrowthInterval good steps it doubles. Disabled it always says "step".
namespace Sld.Bench.Training;

public sealed class LossScaler(bool enabled, double initialScale = 65536, double growthFactor = 2, double backoffFactor = 0.5, int growthInterval = 2000)
{
    private int _goodSteps;

    public bool Enabled { get; } = enabled;

    /// <summary>The factor the loss is multiplied by (1 when disabled).</summary>
    public double Scale { get; private set; } = enabled ? initialScale : 1;

    /// <summary>Records a step's outcome; returns whether its (unscaled) gradients may be applied.</summary>
    public bool Update(bool gradientsFinite)
    {
        if (!Enabled) return true;
        if (!gradientsFinite)
        {
            Scale *= backoffFactor;
            _goodSteps = 0;
            return false;
        }
        if (++_goodSteps >= growthInterval)
        {
            Scale *= growthFactor;
            _goodSteps = 0;
        }
        return true;
    }

    /// <summary>State for checkpoints: (scale, good steps since the last change).</summary>
    public (double scale, int goodSteps) State => (Scale, _goodSteps);

    public void Restore(double scale, int goodSteps)
    {
        if (!Enabled) return;
        Scale = scale;
        _goodSteps = goodSteps;
    }
}
