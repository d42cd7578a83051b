// The CLI's contract with scripts: --help works everywhere, bad usage exits with InvalidInput, and info runs.
using Sld.Bench.Cli;

namespace Sld.Bench.Cli.Tests;

[Collection(ConsoleCollection.Name)]
public class CommandLineTests
{
    [Fact]
    public void UnknownCommandIsInvalidInput()
    {
        var (code, _, stderr) = Cli.Capture("no-such-command");
        Assert.Equal(ExitCodes.InvalidInput, code);
        Assert.Contains("no-such-command", stderr);
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        var root = CommandLine.Build();
        foreach (var command in root.Subcommands)
        {
            var (code, stdout, _) = Cli.Capture(command.Name, "--help");
            Assert.Equal(ExitCodes.Success, code);
            Assert.Contains(command.Description!, stdout);
        }
    }

    [Fact]
    public void InfoReportsLibtorchAndDevice()
    {
        var (code, stdout, _) = Cli.Capture("info");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("libtorch     2.10", stdout);
        Assert.Contains("TorchSharp 0.107", stdout);
        Assert.Contains("device       cpu", stdout);
    }
}
