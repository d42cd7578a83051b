// `sldbench info`: what this installation will compute with (libtorch version, device, threads), the first
// thing to check when numbers differ between machines.
using System.CommandLine;
using Sld.Bench.Torch;

namespace Sld.Bench.Cli.Commands;

public static class InfoCommand
{
    public static Command Create()
    {
        var command = new Command("info", "Show the libtorch build, the device runs would use, and thread counts.");
        command.SetAction(_ =>
        {
            var device = Device.Auto();
            Console.WriteLine($"libtorch     {torch.version}");
            Console.WriteLine($"device       {device} (override with {Device.OverrideVariable}=cpu|cuda|cuda:N)");
            Console.WriteLine($"cuda         {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}");
            Console.WriteLine($"threads      {torch.get_num_threads()} intra-op, {Environment.ProcessorCount} cores");
            return ExitCodes.Success;
        });
        return command;
    }
}
