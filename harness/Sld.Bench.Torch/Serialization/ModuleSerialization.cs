// Saving and loading a module's weights as safetensors, the format the harness stores checkpoints in.
using Sld.Bench.Torch.Modules;

namespace Sld.Bench.Torch.Serialization;

public static class ModuleSerialization
{
    /// <summary>Writes the module's state dict (parameters and persistent buffers) to a safetensors file.</summary>
    public static void save(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Save(path, module.state_dict(), metadata);

    /// <summary>Loads a safetensors file into the module's live tensors (see Module.load_state_dict).</summary>
    public static void load(this Module module, string path, bool strict = true)
    {
        var state = SafeTensors.Load(path);
        try
        {
            module.load_state_dict(state, strict);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }
}
