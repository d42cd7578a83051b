// `sldbench features AUDIO -o OUT.npy`: the configured features (Kaldi fbank or MFCC, deltas, CMVN) of one
// audio file written as .npy, to inspect them or compare with another toolkit (numpy.load reads them). The
// feature options are shared with `corpus prepare`.
using System.CommandLine;
using Sld.Bench.Audio;
using Sld.Bench.Features;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Cli.Commands;

public static class FeaturesCommand
{
    public static Command Create()
    {
        var audio = new Argument<string>("audio") { Description = "Audio file (WAV, FLAC or OGG; resampled to --sample-rate)." };
        var output = new Option<string>("--output", "-o") { Description = "The .npy file to write (frames x dims, float32).", Required = true };
        var offset = new Option<double>("--offset") { Description = "Start of the segment to use, in seconds." };
        var duration = new Option<double?>("--duration") { Description = "Length of the segment, in seconds (default: to the end)." };
        var features = new FeatureOptions();
        var command = new Command("features", "Compute the Kaldi-compatible features of one audio file and write them as .npy.") { audio, output, offset, duration };
        features.AddTo(command);
        command.SetAction(parse =>
        {
            try
            {
                var config = features.Config(parse);
                if (config.Cmvn == CmvnMode.Global)
                    throw new ArgumentException("--cmvn global needs training-set statistics; use none or utterance for a single file");
                OutputGuard.NotAnInput("--output", parse.GetValue(output)!, ("input audio", parse.GetValue(audio)!));
                var waveform = AudioFile.Read(parse.GetValue(audio)!, parse.GetValue(offset), parse.GetValue(duration));
                using var extractor = new FeatureExtractor(config, features.Device(parse));
                using var scope = torch.NewDisposeScope();
                Tensor result;
                try
                {
                    result = extractor.Compute(waveform);
                }
                catch (ArgumentException e)
                {
                    // The extractor speaks of "waveform 0"; here there is one, and it has a name.
                    throw new ArgumentException($"{parse.GetValue(audio)}: {e.Message.Replace("waveform 0 ", "the audio ", StringComparison.Ordinal)}", e);
                }
                var path = parse.GetValue(output)!;
                NpyFile.Write(path, result);
                Console.WriteLine($"wrote {path}: {result.size(0)} frames x {result.size(1)} ({config.Describe()}, cmvn={config.Cmvn.ToString().ToLowerInvariant()})");
                return ExitCodes.Success;
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return ExitCodes.InvalidInput;
            }
        });
        return command;
    }
}

/// <summary>The feature settings as command-line options, turned into a FeatureConfig.</summary>
internal sealed class FeatureOptions
{
    private readonly Option<FeatureKind> _kind = new("--kind") { Description = "fbank (log-mel) or mfcc.", DefaultValueFactory = _ => FeatureKind.Fbank };
    private readonly Option<int?> _melBins = new("--num-mel-bins") { Description = "Mel bins (default: 80 for fbank, 23 for mfcc)." };
    private readonly Option<int> _ceps = new("--num-ceps") { Description = "Cepstra for mfcc.", DefaultValueFactory = _ => 13 };
    private readonly Option<int> _deltas = new("--deltas") { Description = "Append deltas up to this order (0, 1, 2).", DefaultValueFactory = _ => 0 };
    private readonly Option<int> _sampleRate = new("--sample-rate") { Description = "Resample the audio to this rate first.", DefaultValueFactory = _ => 16000 };
    private readonly Option<double> _frameLength = new("--frame-length") { Description = "Frame length in ms.", DefaultValueFactory = _ => 25 };
    private readonly Option<double> _frameShift = new("--frame-shift") { Description = "Frame shift in ms.", DefaultValueFactory = _ => 10 };
    private readonly Option<bool> _energy = new("--use-energy") { Description = "Add log energy (fbank) or use it as C0 (mfcc)." };
    private readonly Option<bool> _noSnip = new("--no-snip-edges") { Description = "Reflect the signal at the ends instead of dropping partial frames." };
    private readonly Option<CmvnMode> _cmvn = new("--cmvn") { Description = "none, utterance or global.", DefaultValueFactory = _ => CmvnMode.None };
    private readonly Option<string> _device = new("--device") { Description = "cpu, cuda, cuda:N or auto.", DefaultValueFactory = _ => "cpu" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _kind, _melBins, _ceps, _deltas, _sampleRate, _frameLength, _frameShift, _energy, _noSnip, _cmvn, _device })
            command.Options.Add(option);
    }

    public FeatureConfig Config(ParseResult parse) => new FeatureConfig
    {
        Kind = parse.GetValue(_kind),
        NumMelBins = parse.GetValue(_melBins),
        NumCeps = parse.GetValue(_ceps),
        DeltaOrder = parse.GetValue(_deltas),
        SampleRate = parse.GetValue(_sampleRate),
        FrameLengthMs = parse.GetValue(_frameLength),
        FrameShiftMs = parse.GetValue(_frameShift),
        UseEnergy = parse.GetValue(_energy),
        SnipEdges = !parse.GetValue(_noSnip),
        Cmvn = parse.GetValue(_cmvn),
    }.Validate();

    public Device Device(ParseResult parse) => TorchDevice.Parse(parse.GetValue(_device)!);
}
