using System.Runtime.InteropServices;
using ServerlessBilling.Local.Commands.Rate;
using ServerlessBilling.Local.Hosting;

namespace ServerlessBilling.Local.Commands;

/// <summary>Picks the command from the first argument: <c>serve</c> (the default) or <c>rate</c>.</summary>
public static class LocalCli
{
    public const string Usage = """
        Usage: ServerlessBilling.Local [command] [options]

        Commands:
          serve   serve the HTTP API of API.md on http://127.0.0.1:7071 (the default); options are
                  configuration keys, e.g. --urls http://127.0.0.1:8080, --Local:SeedDemo=false,
                  --Store=sqlite|memory|cosmos (default sqlite: ./data/billing.db; memory forgets on exit),
                  --Local:DataDirectory=DIR, --Sqlite:Durability=PowerLoss (flush every commit to disk),
                  --Cosmos:Endpoint=URL (selects cosmos)
          rate    rate a CDR file offline against a rate deck

        Options:
          -h, --help   show this help; 'help COMMAND' or 'COMMAND --help' shows a command's options

        """;

    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        switch (args)
        {
            case ["--help" or "-h" or "help"]:
            case ["help", "serve"] or ["serve", "--help" or "-h"]:
                stdout.Write(Usage);
                return ExitCodes.Ok;
            case ["help", "rate"]:
                stdout.Write(RateOptions.Usage);
                return ExitCodes.Ok;
            case ["rate", .. var rateArgs]:
                return RunRate(rateArgs, stdin, stdout, stderr);
            case ["serve", .. var serveArgs]:
                return LocalHost.Run(serveArgs, stderr);
            case []:
            case [var first, ..] when first.StartsWith('-'):
                return LocalHost.Run(args, stderr); // the default command, with its options
            default:
                stderr.WriteLine($"unknown command '{args[0]}'");
                stderr.Write(Usage);
                return ExitCodes.Usage;
        }
    }

    private static int RunRate(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        // Stop cleanly on Ctrl+C / SIGTERM so that no partial output file is left behind.
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            cancel.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return new RateCommand(stdin, stdout, stderr, TimeProvider.System).Run(args, cancel.Token);
    }
}
