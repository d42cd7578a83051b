// Speech from espeak-ng (a formant synthesiser: fast, deterministic, many English accents and voice variants)
// and the noise the noisy test set is mixed with. espeak-ng runs as a child process per sentence; the
// corpus generator runs several at once.
using System.Diagnostics;
using System.Globalization;
using Sld.Bench.Audio;

namespace Sld.Bench.Data.Synth;

/// <summary>An espeak-ng voice: a language/accent, a voice variant (m1..m7, f1..f5), words per minute and pitch (0-99).</summary>
public sealed record SynthVoice(string Language, string Variant, int Speed, int Pitch)
{
    public string Name => $"{Language}+{Variant}";

    /// <summary>English voices read English natively; de/fr/es voices read it with their own rules (non-native).</summary>
    public bool Native => Language.StartsWith("en", StringComparison.Ordinal);

    public string Gender => Variant.StartsWith('f') ? "f" : "m";
}

public static class Espeak
{
    public const string Program = "espeak-ng";

    /// <summary>espeak-ng always synthesises at this rate.</summary>
    public const int NativeSampleRate = 22050;

    /// <summary>Synthesises <paramref name="text"/> and returns mono samples at 22.05 kHz.</summary>
    public static async Task<Waveform> SpeakAsync(string text, SynthVoice voice, string scratchDir, CancellationToken cancel = default)
    {
        var wav = Path.Combine(scratchDir, $"espeak-{Guid.NewGuid():N}.wav");
        var start = new ProcessStartInfo(Program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-v", voice.Name, "-s", voice.Speed.ToString(CultureInfo.InvariantCulture), "-p", voice.Pitch.ToString(CultureInfo.InvariantCulture), "-w", wav, "--", text })
            start.ArgumentList.Add(a);
        try
        {
            using var process = StartProcess(start);
            var stderr = process.StandardError.ReadToEndAsync(cancel);
            await process.StandardOutput.ReadToEndAsync(cancel);
            await process.WaitForExitAsync(cancel);
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"espeak-ng failed for voice {voice.Name} ({process.ExitCode}): {(await stderr).Trim()}");
            return AudioFile.Read(wav);
        }
        finally
        {
            File.Delete(wav);
        }
    }

    private static Process StartProcess(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException("espeak-ng did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {Program} ({e.Message}); install it with: sudo apt-get install -y espeak-ng", e);
        }
    }

    /// <summary>Pink (1/f) noise from a seed: Gaussian white noise through Paul Kellet's three-pole filter.</summary>
    public static float[] PinkNoise(int samples, int seed)
    {
        var random = new Random(seed);
        var noise = new float[samples];
        double b0 = 0, b1 = 0, b2 = 0;
        for (var i = 0; i < samples; i++)
        {
            var white = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            b0 = 0.99765 * b0 + white * 0.0990460;
            b1 = 0.96300 * b1 + white * 0.2965164;
            b2 = 0.57000 * b2 + white * 1.0526913;
            noise[i] = (float)(b0 + b1 + b2 + white * 0.1848);
        }
        return noise;
    }

    /// <summary>
    /// Speech plus noise at <paramref name="snrDb"/> dB, the SNR measured between the whole utterance's RMS and
    /// the noise's RMS; the mix is scaled down (both parts alike, so the SNR holds) if it would clip.
    /// </summary>
    public static float[] MixAtSnr(float[] speech, float[] noise, double snrDb)
    {
        if (noise.Length < speech.Length) throw new ArgumentException("the noise is shorter than the speech");
        double speechPower = 0, noisePower = 0;
        for (var i = 0; i < speech.Length; i++)
        {
            speechPower += (double)speech[i] * speech[i];
            noisePower += (double)noise[i] * noise[i];
        }
        var gain = noisePower == 0 ? 0 : Math.Sqrt(speechPower / noisePower / Math.Pow(10, snrDb / 10));
        var mix = new float[speech.Length];
        var peak = 0.0;
        for (var i = 0; i < mix.Length; i++)
        {
            var v = speech[i] + gain * noise[i];
            mix[i] = (float)v;
            peak = Math.Max(peak, Math.Abs(v));
        }
        if (peak > 0.99)
        {
            var scale = (float)(0.99 / peak);
            for (var i = 0; i < mix.Length; i++) mix[i] *= scale;
        }
        return mix;
    }
}
