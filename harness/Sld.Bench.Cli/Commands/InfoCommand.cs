// `sldbench info`: what this installation will compute with (TorchSharp and LibTorch versions, where LibTorch was
// loaded from, device, threads), the first
// thing to check when numbers differ between machines.
using System.CommandLine;
using Sld.Bench.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Sld.Bench.Cli.Commands;

public static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the libtorch build, the device runs would use, and thread counts.");
        command.SetAction(_ =>
        {
            var device = TorchDevice.Auto();
            Console.WriteLine($"libtorch     {TorchRuntime.LibTorchVersion} via TorchSharp {typeof(torch).Assembly.GetName().Version} ({TorchRuntime.Source}; build backend {TorchRuntime.Backend})");
            foreach (var path in TorchRuntime.MappedFrom("libtorch_cpu.so")) Console.WriteLine($"loaded       {path}");
            Console.WriteLine($"device       {device.Spec()} (override with {TorchDevice.OverrideVariable}=cpu|cuda|cuda:N)");
            Console.WriteLine($"cuda         {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}");
            Console.WriteLine($"threads      {torch.get_num_threads()} intra-op, {Environment.ProcessorCount} cores");
            return ExitCodes.Success;
        });
        return command;
    }
}
