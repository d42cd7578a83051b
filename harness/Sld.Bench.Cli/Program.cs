// sldbench entry point: builds the command tree from Commands/ and runs it. Exit codes: see ExitCodes.
using Sld.Bench.Cli;

return CommandLine.Run(args);
