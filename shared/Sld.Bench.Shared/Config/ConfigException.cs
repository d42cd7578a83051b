// The one error type of config loading, composition, sweep expansion and binding. It carries every problem
// found (binding reports all unknown keys and wrong types at once), each with its file:line:column.
namespace Sld.Bench.Shared.Config;

public sealed record ConfigError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}

public sealed class ConfigException : Exception
{
    public ConfigException(SourceLocation location, string message)
        : this([new ConfigError(location, message)])
    {
    }

    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join("\n", errors.Select(e => e.ToString())))
    {
        if (errors.Count == 0) throw new ArgumentException("a ConfigException needs at least one error", nameof(errors));
        Errors = errors;
    }

    public IReadOnlyList<ConfigError> Errors { get; }

    /// <summary>The first error's location (the only one for most errors).</summary>
    public SourceLocation Location => Errors[0].Location;
}
