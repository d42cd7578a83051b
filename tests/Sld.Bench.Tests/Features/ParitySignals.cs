// The signals the feature parity tests run on, made once per test run: espeak-ng speech the way the synthetic
// corpus makes it, seeded white noise, a chirp across the band, and speech that arrives at 8 kHz and at
// 22.05 kHz and is resampled to 16 kHz by our resampler. Each is also saved as float32 .npy for the reference.
using Sld.Bench.Audio;
using Sld.Bench.Data.Synth;
using Sld.Bench.Features;
using Sld.Bench.Tests.Audio;

namespace Sld.Bench.Tests.Features;

public sealed class ParitySignals : IDisposable
{
    private readonly TempDirectory _dir = new();

    public ParitySignals()
    {
        var sentence = new SentenceGenerator(seed: 11).Next();
        var voice = new SynthVoice("en-gb", "f2", 165, 55);
        var native = Espeak.SpeakAsync(sentence, voice, _dir.Path).GetAwaiter().GetResult(); // 22.05 kHz
        var telephone = Path.Combine(_dir.Path, "speech8k.wav");
        AudioFile.Write(telephone, native.ResampleTo(8000).Samples, 8000);
        var highRate = Path.Combine(_dir.Path, "speech22k.flac");
        AudioFile.Write(highRate, native.Samples, Espeak.NativeSampleRate);

        Signals = new Dictionary<string, float[]>
        {
            ["speech"] = native.ResampleTo(16000, ResampleQuality.Medium).Samples,
            ["noise"] = Audio.Signals.Noise(3 * 16000, seed: 5),
            ["chirp"] = Audio.Signals.Chirp(50, 7900, 16000, 2.0, amplitude: 0.4),
            ["from8k"] = AudioFile.Load(telephone, 16000).Samples,
            ["from22k"] = AudioFile.Load(highRate, 16000).Samples,
        };
        foreach (var (name, samples) in Signals) NpyFile.Write(NpyPath(name), samples, samples.Length);
    }

    public IReadOnlyDictionary<string, float[]> Signals { get; }

    public string Directory => _dir.Path;

    public string NpyPath(string name) => Path.Combine(_dir.Path, name + ".npy");

    public void Dispose() => _dir.Dispose();
}
