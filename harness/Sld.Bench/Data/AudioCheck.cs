// Decodes every utterance's audio once to find the ones that cannot be used (missing, corrupt, truncated,
// zero-length, shorter than one feature frame) before anything is trained on them. The check runs in
// parallel and returns the usable utterances unchanged (their segment is part of the feature-cache key).
using Sld.Bench.Audio;

namespace Sld.Bench.Data;

public static class AudioCheck
{
    /// <summary>Shortest audio a feature extractor can use: one 25 ms frame.</summary>
    public const double MinimumDuration = 0.025;

    public sealed record Progress(int Done, int Total, string? Current);

    public static (IReadOnlyList<Utterance> usable, IReadOnlyList<SkippedUtterance> skipped) Run(
        IReadOnlyList<Utterance> utterances, int jobs = 0, IProgress<Progress>? progress = null, CancellationToken cancel = default)
    {
        var results = new Utterance?[utterances.Count];
        var reasons = new string?[utterances.Count];
        var done = 0;
        var options = new ParallelOptions
        {
            MaxDegreeOfParallelism = jobs > 0 ? jobs : Environment.ProcessorCount,
            CancellationToken = cancel,
        };
        Parallel.For(0, utterances.Count, options, i =>
        {
            var u = utterances[i];
            try
            {
                var audio = AudioFile.Read(u.AudioPath, u.Offset ?? 0, u.Duration);
                if (audio.Duration < MinimumDuration)
                    reasons[i] = $"the audio lasts {audio.Duration * 1000:0.#} ms, shorter than one {MinimumDuration * 1000:0} ms frame";
                else
                    results[i] = u;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                reasons[i] = e is AudioReadException bad ? bad.Reason : e.Message;
            }
            progress?.Report(new Progress(Interlocked.Increment(ref done), utterances.Count, u.Id));
        });
        var usable = new List<Utterance>();
        var skipped = new List<SkippedUtterance>();
        for (var i = 0; i < utterances.Count; i++)
        {
            if (results[i] is { } ok) usable.Add(ok);
            else skipped.Add(new(utterances[i].Split, utterances[i].Id, utterances[i].AudioPath, reasons[i]!));
        }
        return (usable, skipped);
    }
}
