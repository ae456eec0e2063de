using BenchmarkDotNet.Running;
using ServerlessBilling.Benchmarks.EndToEnd;
using ServerlessBilling.Benchmarks.Proposals;

// `rate-e2e` runs the rate command end to end on generated files; anything else goes to BenchmarkDotNet.
const string Usage = """
    Usage:
      dotnet run -c Release --project bench/ServerlessBilling.Benchmarks -- [BenchmarkDotNet options]
          runs the benchmarks (Rating, CdrReading, DeckImport, RateCommand); e.g. --filter '*' --job short,
          or --list flat; BenchmarkDotNet's own help: -- --help-bdn (passed as --help)
      dotnet run -c Release --project bench/ServerlessBilling.Benchmarks -- rate-e2e [--help]
          the rate command end to end on a generated 1,000,000-line CDR file and a 200,000-row deck
      dotnet run -c Release --project bench/ServerlessBilling.Benchmarks -- proposals-check
          checks that the prototype in Proposals/ (CompactPrefixIndex) gives exactly Core's lookups and ratings

    """;

switch (args)
{
    case ["rate-e2e", .. var rest]:
        return RateEndToEnd.Run(rest);
    case ["proposals-check"]:
        ProposalChecks.Run(Console.Out);
        return 0;
    case ["--help" or "-h" or "help"]:
        Console.Write(Usage);
        return 0;
    case ["--help-bdn"]:
        BenchmarkSwitcher.FromAssembly(typeof(RateEndToEnd).Assembly).Run(["--help"]);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(RateEndToEnd).Assembly).Run(args);
        return 0;
}
