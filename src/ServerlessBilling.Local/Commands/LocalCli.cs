using System.Runtime.InteropServices;
using ServerlessBilling.Local.Commands.Rate;
using ServerlessBilling.Local.Commands.Serve;
using ServerlessBilling.Local.Commands.Simulate;
using Spectre.Console;

namespace ServerlessBilling.Local.Commands;

/// <summary>Picks the command from the first argument: <c>serve</c> (the default), <c>rate</c> or <c>simulate</c>.</summary>
public static class LocalCli
{
    public const string Usage = """
        Usage: ServerlessBilling.Local [command] [options]

        Commands:
          serve     serve the HTTP API on http://127.0.0.1:7071 (the default command)
          rate      rate a CDR file offline against a rate deck
          simulate  drive a running platform as a switch would, then check its books

        Options:
          -h, --help     show this help; 'help COMMAND' or 'COMMAND --help' shows a command's options
          --version      print the version

        Options of serve:
          --urls URL             where to listen (default http://127.0.0.1:7071)
          --no-demo              do not seed the demo deck and accounts (= --Local:SeedDemo=false)
          --environment NAME     Production (default), Development, ...
          --Store=KIND           sqlite (durable, in Local:DataDirectory), memory, or cosmos (Cosmos:*)
          --SECTION:KEY=VALUE    any setting of appsettings.json, e.g. --CreditControl:MaxQuotaSeconds=600,
                                 --Cosmos:Endpoint=https://127.0.0.1:8081/, --Logging:LogLevel:Default=Debug;
                                 an unknown section or key is refused
          Settings are read from appsettings.json next to the program, then the environment
          (e.g. CreditControl__MaxQuotaSeconds=600), then the command line.

        Exit codes of serve:
          0  stopped by Ctrl+C or SIGTERM        3  a setting is invalid
          1  another start failure (detailed)    4  the address is already in use
          2  bad arguments                       5  the store did not answer at start
                                                 7  the data folder cannot be used (in use, not writable)

        """;

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args)
        {
            case ["--version"]:
                stdout.WriteLine($"ServerlessBilling.Local {ServeCommand.Version()}");
                return ExitCodes.Ok;
            case ["--help" or "-h" or "help"]:
            case ["help", "serve" or "help" or "--help" or "-h"] or ["serve", "--help" or "-h"]:
                stdout.Write(Usage);
                return ExitCodes.Ok;
            case ["help", "rate"]:
                stdout.Write(RateOptions.Usage);
                return ExitCodes.Ok;
            case ["help", "simulate"]:
                stdout.Write(SimulateOptions.Usage);
                return ExitCodes.Ok;
            case ["help", var other]:
                stderr.WriteLine($"unknown command '{other}'");
                stderr.Write(Usage);
                return ExitCodes.Usage;
            case ["help", _, _, ..]:
                stderr.WriteLine("'help' takes one command name: help [serve|rate|simulate]");
                stderr.Write(Usage);
                return ExitCodes.Usage;
            case ["--version", .. var rest] when !rest.Any(a => a is "--help" or "-h"):
                stderr.WriteLine("'--version' takes no other argument");
                stderr.Write(Usage);
                return ExitCodes.Usage;
            case ["rate", .. var rateArgs]:
                return RunRate(rateArgs, stdin, stdout, stderr);
            case ["simulate", .. var simulateArgs]:
                return RunSimulate(simulateArgs, stdout, stderr);
            case ["serve", .. var serveArgs]:
                return ServeCommand.Run(serveArgs, stdout, stderr);
            case []:
            case [var first, ..] when first.StartsWith('-'):
                return ServeCommand.Run(args, stdout, stderr); // the default command, with its options
            default:
                stderr.WriteLine($"unknown command '{args[0]}'");
                stderr.Write(Usage);
                return ExitCodes.Usage;
        }
    }

    private static int RunRate(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        // Stop cleanly on Ctrl+C / SIGTERM so that no partial output file is left behind.
        using var stop = new StopSignal();
        return new RateCommand(stdin, stdout, stderr, TimeProvider.System).Run(args, stop.Token);
    }

    private static int RunSimulate(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var stop = new StopSignal();

        // A terminal gets the live view; redirected output (CI, a file) gets plain progress lines.
        var console = Console.IsOutputRedirected ? null : AnsiConsole.Console;
        return new SimulateCommand(stdout, stderr, console, TimeProvider.System).RunAsync(args, stop.Token).GetAwaiter().GetResult();
    }

    /// <summary>Cancels on Ctrl+C or SIGTERM instead of killing the process.</summary>
    private sealed class StopSignal : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private readonly PosixSignalRegistration _sigint;
        private readonly PosixSignalRegistration _sigterm;

        public StopSignal()
        {
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        }

        public CancellationToken Token => _cancel.Token;

        public void Dispose()
        {
            _sigint.Dispose();
            _sigterm.Dispose();
            _cancel.Dispose();
        }

        private void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            _cancel.Cancel();
        }
    }
}
